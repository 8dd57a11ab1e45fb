#include "holo/linalg/mzi.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "holo/linalg/fast_atan2.h"
#include "holo/linalg/random.h"
#include "test_support.h"

namespace holo::linalg {
namespace {

Mat2 phase_upper(double x) {
  Mat2 p = Mat2::Identity();
  p(0, 0) = std::polar(1.0, x);
  return p;
}

// Bound for 2x2 products of unit-modulus numbers: a few roundings of O(1) values.
constexpr double kTiny = 1e-15;

TEST(Mzi, ClosedFormEqualsCouplerPhaseProduct) {
  Rng rng(1);
  for (int t = 0; t < 50; ++t) {
    const double theta = kTwoPi * rng.uniform(), phi = kTwoPi * rng.uniform();
    const Mat2 b = coupler_matrix(0.25 * kPi);
    const Mat2 product = b * phase_upper(theta) * b * phase_upper(phi);
    EXPECT_LE((mzi_matrix(theta, phi) - product).norm(), kTiny);
    // The imperfect-coupler model with zero errors is the same matrix.
    EXPECT_LE((mzi_matrix(theta, phi, CouplerError{}) - product).norm(), kTiny);
    EXPECT_LE((mzi_matrix(theta, phi).adjoint() * mzi_matrix(theta, phi) - Mat2::Identity()).norm(), kTiny);
  }
}

TEST(Mzi, CrossAndBarStates) {
  // theta = 0: all power crosses over; theta = pi: all power stays in its waveguide (docs/linalg.md section 1).
  const Mat2 cross = mzi_matrix(0.0, 0.3);
  EXPECT_LE(std::abs(cross(0, 0)), kTiny);
  EXPECT_LE(std::abs(cross(1, 1)), kTiny);
  HOLO_EXPECT_CLOSE(std::abs(cross(1, 0)), 1.0, test::Tol::Double);
  const Mat2 bar = mzi_matrix(kPi, 0.3);
  EXPECT_LE(std::abs(bar(0, 1)), kTiny);
  EXPECT_LE(std::abs(bar(1, 0)), kTiny);
  HOLO_EXPECT_CLOSE(std::abs(bar(0, 0)), 1.0, test::Tol::Double);
}

TEST(Mzi, CouplerErrorsChangeReachableCrossPower) {
  // Cross power A + B cos(theta) reaches cos^2(a + b) at theta = 0 (docs/physics.md#coupler-error-correction).
  const CouplerError err{0.05, 0.03};
  const Mat2 m = mzi_matrix(0.0, 0.0, err);
  HOLO_EXPECT_CLOSE(std::norm(m(1, 0)), std::pow(std::cos(0.08), 2), test::Tol::Double);
  const Mat2 b = mzi_matrix(kPi, 0.0, err);
  HOLO_EXPECT_CLOSE(std::norm(b(1, 0)), std::pow(std::sin(0.02), 2), test::Tol::Double);
}

TEST(Mzi, FactorRoundTripsRandomAndDegenerateUnitaries) {
  Rng rng(2);
  std::vector<Mat2> cases;
  for (int t = 0; t < 100; ++t) {
    const Mat2 d =
        Eigen::DiagonalMatrix<cdouble, 2>(std::polar(1.0, 7 * rng.uniform()), std::polar(1.0, 7 * rng.uniform()));
    cases.push_back(d * mzi_matrix(kPi * rng.uniform(), kTwoPi * rng.uniform()));
  }
  cases.push_back(Mat2::Identity());
  Mat2 swap;
  swap << 0.0, 1.0, 1.0, 0.0;
  cases.push_back(swap);
  cases.push_back(mzi_matrix(0.0, 1.0));
  cases.push_back(mzi_matrix(kPi, 2.0));
  for (const Mat2& e : cases) {
    const MziFactor f = factor_mzi(e);
    EXPECT_GE(f.theta_rad, 0.0);
    EXPECT_LE(f.theta_rad, kPi);
    EXPECT_GE(f.phi_rad, 0.0);
    EXPECT_LT(f.phi_rad, kTwoPi);
    const Mat2 back = Eigen::DiagonalMatrix<cdouble, 2>(f.u_alpha, f.u_beta) * mzi_matrix(f.theta_rad, f.phi_rad);
    EXPECT_LE((back - e).norm(), 1e-14) << e;  // a handful of roundings in atan2/sincos of O(1) values
  }
  // Exact zeros give phi = 0 (the deterministic choice for a free phase).
  EXPECT_EQ(factor_mzi(Mat2::Identity()).phi_rad, 0.0);
}

TEST(Mzi, WrapPhase) {
  EXPECT_EQ(wrap_phase(0.0), 0.0);
  HOLO_EXPECT_CLOSE(wrap_phase(-0.5), kTwoPi - 0.5, test::Tol::Double);
  HOLO_EXPECT_CLOSE(wrap_phase(kTwoPi + 0.25), 0.25, test::Tol::Double);
  EXPECT_EQ(wrap_phase(-1e-300), 0.0);  // -tiny + 2 pi rounds to 2 pi, which is 0
  EXPECT_LT(wrap_phase(kTwoPi), kTwoPi);
}

TEST(Mzi, FastAtan2MatchesLibm) {
  Rng rng(3);
  std::vector<double> y, x;
  for (int i = 0; i < 20000; ++i) {
    const double a = kTwoPi * rng.uniform();
    y.push_back(std::sin(a)), x.push_back(std::cos(a));
    y.push_back(rng.uniform() - 0.5), x.push_back(rng.uniform() - 0.5);
  }
  const double specials[][2] = {{0.0, 0.0},  {0.0, -0.0}, {-0.0, -1.0},  {0.0, -1.0},   {1.0, 0.0},
                                {-1.0, 0.0}, {1.0, 1.0},  {1e-300, 1.0}, {1.0, 1e-300}, {0.3, -0.3}};
  for (const auto& s : specials) y.push_back(s[0]), x.push_back(s[1]);
  std::vector<double> out(y.size());
  detail::atan2_batch(y.data(), x.data(), out.data(), y.size());
  for (size_t i = 0; i < y.size(); ++i) {
    // Documented bound of the fast path: 1e-15 rad (measured 4.4e-16, 2 ulp of pi).
    EXPECT_LE(std::fabs(out[i] - std::atan2(y[i], x[i])), 1e-15) << "y=" << y[i] << " x=" << x[i];
  }
}

}  // namespace
}  // namespace holo::linalg
