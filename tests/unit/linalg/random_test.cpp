#include "holo/linalg/random.h"

#include <gtest/gtest.h>

#include <cmath>

#include "holo/linalg/mesh.h"

namespace holo::linalg {
namespace {

TEST(Random, Mt19937SequenceIsTheStandardOne) {
  // The C++ standard fixes the 10000th output of a default-seeded mt19937_64; Rng(5489) wraps it unchanged.
  Rng rng(5489u);
  uint64_t x = 0;
  for (int i = 0; i < 10000; ++i) x = rng.bits();
  EXPECT_EQ(x, 9981545732273789042ull);
}

TEST(Random, SameSeedSameMatrix) {
  const Eigen::MatrixXcd a = haar_unitary(9, 77), b = haar_unitary(9, 77);
  EXPECT_EQ(std::memcmp(a.data(), b.data(), sizeof(cdouble) * a.size()), 0);
  EXPECT_NE((a - haar_unitary(9, 78)).norm(), 0.0);
}

TEST(Random, NormalMoments) {
  Rng rng(1);
  const int n = 200000;
  double s1 = 0, s2 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    s1 += z, s2 += z * z;
  }
  // Standard errors: mean 1/sqrt(n) = 0.0022, variance sqrt(2/n) = 0.0032; 5 sigma bounds.
  EXPECT_NEAR(s1 / n, 0.0, 0.011);
  EXPECT_NEAR(s2 / n, 1.0, 0.016);
}

TEST(Random, HaarIsUnitaryAndUnbiased) {
  Rng rng(2);
  // Unitarity to rounding (QR in double).
  for (int n : {1, 2, 17, 64}) EXPECT_LE(unitarity_error(haar_unitary(n, rng)), 1e-13);
  // Haar: E|U_00|^2 = 1/N and the phase of U_00 is uniform (the R-diagonal fix removes QR's bias toward a
  // positive real diagonal). 4000 samples of N = 4: |mean of U_00| ~ 0.5/sqrt(4000) = 0.008.
  cdouble mean = 0.0;
  double power = 0.0;
  const int samples = 4000;
  for (int i = 0; i < samples; ++i) {
    const Eigen::MatrixXcd u = haar_unitary(4, rng);
    mean += u(0, 0);
    power += std::norm(u(0, 0));
  }
  EXPECT_LT(std::abs(mean / double(samples)), 0.04);
  EXPECT_NEAR(power / samples, 0.25, 0.02);  // std of |U00|^2 is ~0.19/sqrt(4000) = 0.003
  Eigen::MatrixXd o = haar_orthogonal(12, rng);
  EXPECT_LE((o.transpose() * o - Eigen::MatrixXd::Identity(12, 12)).norm(), 1e-13);
}

}  // namespace
}  // namespace holo::linalg
