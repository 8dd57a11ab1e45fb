#include "holo/linalg/svd_map.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "holo/linalg/random.h"
#include "holo/support/error.h"
#include "linalg_test_util.h"
#include "test_support.h"

namespace holo::linalg {
namespace {

// Acceptance bound of issue 3: ||W - W_hat||_F / ||W||_F <= 1e-12 (SVD and two meshes, each ~1e-14).
constexpr double kBound = 1e-12;

Eigen::MatrixXd real_gaussian(int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  return gaussian_matrix(rows, cols, rng, false).real();
}

void expect_layer_shape(const SvdLayer& l, int m, int n) {
  EXPECT_EQ(l.rows, m);
  EXPECT_EQ(l.cols, n);
  EXPECT_EQ(l.v_mesh.n, n);
  EXPECT_EQ(l.u_mesh.n, m);
  EXPECT_TRUE(l.v_mesh.output_phase_rad.empty());  // pushed into the U mesh
  EXPECT_EQ(l.u_mesh.output_phase_rad.size(), static_cast<size_t>(m));
  EXPECT_EQ(l.attenuator_theta_rad.size(), static_cast<size_t>(std::min(m, n)));
  EXPECT_EQ(l.mzis(), static_cast<int64_t>(n) * (n - 1) / 2 + static_cast<int64_t>(m) * (m - 1) / 2 + std::min(m, n));
  for (double t : l.attenuator_theta_rad) {
    EXPECT_GE(t, 0.0);
    EXPECT_LE(t, kPi);
  }
}

class SvdShapes : public ::testing::TestWithParam<std::pair<int, int>> {};

TEST_P(SvdShapes, RealAndComplexReconstruct) {
  const auto [m, n] = GetParam();
  const Eigen::MatrixXd wr = real_gaussian(m, n, 17 + m * 31 + n);
  const SvdLayer lr = map_svd(wr);
  expect_layer_shape(lr, m, n);
  EXPECT_LE(relative_error(wr.cast<cdouble>(), reconstruct(lr)), kBound);
  HOLO_EXPECT_CLOSE(lr.gain, lr.singular_values.front(), test::Tol::Exact);
  // The largest singular value is transmitted fully: theta = pi.
  HOLO_EXPECT_CLOSE(lr.attenuator_theta_rad.front(), kPi, test::Tol::Double);

  Rng rng(5 + m + n);
  const Eigen::MatrixXcd wc = gaussian_matrix(m, n, rng, true);
  const SvdLayer lc = map_svd(wc);
  expect_layer_shape(lc, m, n);
  EXPECT_LE(relative_error(wc, reconstruct(lc)), kBound);
}

INSTANTIATE_TEST_SUITE_P(Shapes, SvdShapes,
                         ::testing::Values(std::pair{1, 1}, std::pair{1, 5}, std::pair{5, 1}, std::pair{4, 4},
                                           std::pair{10, 3}, std::pair{3, 10}, std::pair{32, 64}, std::pair{64, 64},
                                           std::pair{70, 50}),
                         [](const auto& info) {
                           return std::to_string(info.param.first) + "x" + std::to_string(info.param.second);
                         });

TEST(SvdMap, RankDeficientAndZero) {
  // Rank 2 of 6x5.
  const Eigen::MatrixXd a = real_gaussian(6, 2, 1), b = real_gaussian(2, 5, 2);
  const Eigen::MatrixXd w = a * b;
  const SvdLayer l = map_svd(w);
  EXPECT_LE(relative_error(w.cast<cdouble>(), reconstruct(l)), kBound);
  // Zero matrix: zero gain, everything dark, exact zero output.
  const SvdLayer z = map_svd(Eigen::MatrixXd(Eigen::MatrixXd::Zero(3, 4)));
  EXPECT_EQ(z.gain, 0.0);
  EXPECT_EQ(reconstruct(z).norm(), 0.0);
  EXPECT_EQ(relative_error(Eigen::MatrixXcd::Zero(3, 4), reconstruct(z)), 0.0);
}

TEST(SvdMap, RankTruncationByRetainedEnergy) {
  // Singular values 4, 2, 1, 0.5 (energies 16, 4, 1, 0.25 of 21.25).
  Rng rng(3);
  const Eigen::MatrixXcd u = haar_unitary(4, rng), v = haar_unitary(4, rng);
  Eigen::VectorXd s(4);
  s << 4, 2, 1, 0.5;
  const Eigen::MatrixXcd w = u * s.cast<cdouble>().asDiagonal() * v.adjoint();
  SvdOptions o;
  o.retained_energy = 0.9;  // 16/21.25 = 0.753 < 0.9 <= 20/21.25 = 0.941: keep 2
  const SvdLayer l = map_svd(w, o);
  EXPECT_EQ(l.rank, 2);
  EXPECT_EQ(l.attenuator_theta_rad[2], 0.0);
  EXPECT_EQ(l.attenuator_theta_rad[3], 0.0);
  // The error is exactly the dropped energy: sqrt(1.25 / 21.25).
  HOLO_EXPECT_CLOSE(relative_error(w, reconstruct(l)), std::sqrt(1.25 / 21.25), test::Tol::Double);
  o.retained_energy = 1.0;
  EXPECT_EQ(map_svd(w, o).rank, 4);
}

TEST(SvdMap, SameWeightsSameBytes) {
  const Eigen::MatrixXd w = real_gaussian(20, 13, 9);
  const SvdLayer a = map_svd(w), b = map_svd(Eigen::MatrixXd(w));
  EXPECT_EQ(testutil::mesh_bytes(a.v_mesh), testutil::mesh_bytes(b.v_mesh));
  EXPECT_EQ(testutil::mesh_bytes(a.u_mesh), testutil::mesh_bytes(b.u_mesh));
  EXPECT_EQ(a.attenuator_theta_rad, b.attenuator_theta_rad);
  EXPECT_EQ(a.gain, b.gain);
}

// Largest circular difference between the phases of two meshes with the same structure.
double max_phase_difference(const Mesh& a, const Mesh& b) {
  auto circ = [](double x, double y) {
    const double d = std::fabs(wrap_phase(x) - wrap_phase(y));
    return std::min(d, kTwoPi - d);
  };
  double worst = 0.0;
  EXPECT_EQ(a.mzis.size(), b.mzis.size());
  for (size_t k = 0; k < std::min(a.mzis.size(), b.mzis.size()); ++k) {
    worst =
        std::max({worst, circ(a.mzis[k].theta_rad, b.mzis[k].theta_rad), circ(a.mzis[k].phi_rad, b.mzis[k].phi_rad)});
  }
  for (size_t k = 0; k < std::min(a.output_phase_rad.size(), b.output_phase_rad.size()); ++k) {
    worst = std::max(worst, circ(a.output_phase_rad[k], b.output_phase_rad[k]));
  }
  return worst;
}

TEST(SvdMap, SignConventionIsFixed) {
  // Eigen's real and complex SVDs return singular vectors with different signs/phases. After the convention
  // both give the same factors, hence the same phases up to rounding of the two SVDs. Without it the complex
  // SVD's arbitrary phases would change every phase of the meshes by O(1).
  const Eigen::MatrixXd w = real_gaussian(7, 6, 4);
  const SvdLayer real = map_svd(w), complex = map_svd(Eigen::MatrixXcd(w.cast<cdouble>()));
  // Bound: two SVD algorithms agree to ~1e-15; the phases of well-conditioned MZIs amplify that little.
  EXPECT_LE(max_phase_difference(real.v_mesh, complex.v_mesh), 1e-9);
  EXPECT_LE(max_phase_difference(real.u_mesh, complex.u_mesh), 1e-9);
  // Negating W keeps V's convention; the U side absorbs the sign.
  const SvdLayer neg = map_svd(Eigen::MatrixXd(-w));
  EXPECT_LE(max_phase_difference(real.v_mesh, neg.v_mesh), 1e-9);
  EXPECT_GT(max_phase_difference(real.u_mesh, neg.u_mesh), 0.1);
  EXPECT_LE(relative_error((-w).cast<cdouble>(), reconstruct(neg)), kBound);
}

TEST(SvdMap, RejectsBadInput) {
  EXPECT_EQ(holo::test::error_code([] { map_svd(Eigen::MatrixXd(0, 3)); }), "LINALG-BAD-SHAPE");
  Eigen::MatrixXd w = Eigen::MatrixXd::Ones(2, 2);
  w(0, 1) = INFINITY;
  EXPECT_EQ(holo::test::error_code([&] { map_svd(w); }), "LINALG-NOT-FINITE");
  SvdOptions o;
  o.retained_energy = 0.0;
  EXPECT_EQ(holo::test::error_code([&] { map_svd(Eigen::MatrixXd(Eigen::MatrixXd::Ones(2, 2)), o); }),
            "LINALG-BAD-OPTION");
  o.retained_energy = 1.5;
  EXPECT_EQ(holo::test::error_code([&] { map_svd(Eigen::MatrixXd(Eigen::MatrixXd::Ones(2, 2)), o); }),
            "LINALG-BAD-OPTION");
}

}  // namespace
}  // namespace holo::linalg
