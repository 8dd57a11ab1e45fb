// The fast structured propagator against linalg's hardware-model reconstruction and direct 2x2 products:
// exactness, power conservation, the special cases of its compiler (bar/cross folding, dark modes, scale
// renormalization), thread independence and its errors.
#include "holo/sim/fast_path.h"

#include <gtest/gtest.h>

#include "holo/linalg/mesh.h"
#include "holo/sim/realize.h"
#include "holo/support/error.h"
#include "sim_test_util.h"

namespace holo::sim {
namespace {

using test::max_abs;

// Direct reference: the path's matrix by multiplying 2x2 / 1x1 blocks into an identity, row by row.
Eigen::MatrixXcd direct_matrix(const OpticalPath& p) {
  Eigen::MatrixXcd x = Eigen::MatrixXcd::Zero(p.modes, p.inputs);
  for (int j = 0; j < p.inputs; ++j) x(j, j) = 1.0;
  for (const PathElement& e : p.elements) {
    if (e.kind == PathElement::Kind::Scale) {
      x.row(e.mode) *= e.m[0];
      continue;
    }
    const Eigen::RowVectorXcd a = x.row(e.mode), b = x.row(e.mode + 1);
    x.row(e.mode) = e.m[0] * a + e.m[1] * b;
    x.row(e.mode + 1) = e.m[2] * a + e.m[3] * b;
  }
  return x.topRows(p.outputs);
}

TEST(FastPath, MeshMatchesHardwareReconstruction) {
  for (int n : {1, 2, 3, 8, 16, 64}) {
    for (auto method : {linalg::MeshMethod::Clements, linalg::MeshMethod::Reck}) {
      const linalg::Mesh mesh = test::haar_mesh(n, 100 + n, method);
      const FastProgram p = FastProgram::compile(mesh_path({mesh, {}}));
      const Eigen::MatrixXcd t = p.matrix();
      // Each entry accumulates O(n) rounded 2x2 updates of unit-modulus values: ~n * 1e-16, far below 1e-12.
      EXPECT_LE(max_abs(t - linalg::reconstruct(mesh)), 1e-12) << "n = " << n;
    }
  }
}

TEST(FastPath, LosslessMeshConservesPower) {
  for (int n : {2, 3, 8, 16, 64}) {
    const FastProgram p = FastProgram::compile(mesh_path({test::haar_mesh(n, 7 * n), {}}));
    const Eigen::MatrixXcd t = p.matrix();
    // ||T^H T - I||_F of a product of n(n-1)/2 unitary 2x2s in double: rounding ~n^2 * 1e-16 <= 1e-12 at n = 64.
    EXPECT_LE(linalg::unitarity_error(t), 1e-12) << "n = " << n;
    const Eigen::MatrixXcd in = test::random_complex(n, 77, 3 * n);
    const Eigen::MatrixXcd out = p.propagate(in);
    for (Eigen::Index s = 0; s < in.cols(); ++s) {
      // Per-sample power: relative rounding of a unitary propagation, same bound as above.
      EXPECT_NEAR(out.col(s).squaredNorm() / in.col(s).squaredNorm(), 1.0, 1e-12) << "n = " << n << " sample " << s;
    }
  }
}

TEST(FastPath, BalancedLossIsAUniformFactor) {
  for (auto method : {linalg::MeshMethod::Clements, linalg::MeshMethod::Reck}) {
    const linalg::Mesh mesh = test::haar_mesh(9, 21, method);
    const double l = 0.9, ps = 0.97;
    const Eigen::MatrixXcd t = FastProgram::compile(mesh_path({mesh, {}}, l, ps, true)).matrix();
    // Every mode loses l in every column and ps at the screen: T = l^columns ps U, to rounding.
    const double factor = std::pow(l, mesh.columns) * ps;
    EXPECT_LE(max_abs(t / factor - linalg::reconstruct(mesh)), 1e-12);
    // Without balancing the edge modes skip columns: not a uniform factor.
    const Eigen::MatrixXcd raw = FastProgram::compile(mesh_path({mesh, {}}, l, ps, false)).matrix();
    EXPECT_GT(max_abs(raw / factor - linalg::reconstruct(mesh)), 1e-3);
  }
}

TEST(FastPath, BatchAgreesWithMatrixForAnyBatchSize) {
  const linalg::Mesh mesh = test::haar_mesh(12, 5);
  const FastProgram p = FastProgram::compile(mesh_path({mesh, {}}, 0.9, 0.95));
  const Eigen::MatrixXcd t = p.matrix();
  for (int batch : {0, 1, 31, 32, 33, 100}) {
    const Eigen::MatrixXcd in = test::random_complex(12, batch, 11 + batch);
    const Eigen::MatrixXcd out = p.propagate(in);
    ASSERT_EQ(out.rows(), 12);
    ASSERT_EQ(out.cols(), batch);
    if (batch == 0) continue;
    // Two roundings of the same linear map (propagation vs matrix product): a few 1e-15 per entry.
    EXPECT_LE(max_abs(out - t * in), 1e-12) << "batch " << batch;
  }
}

TEST(FastPath, BarAndCrossStatesCostNoWork) {
  // theta = pi (bar) and theta = 0 (cross) are folded into scales and row relabeling.
  linalg::Mesh mesh;
  mesh.n = 4;
  mesh.mzis = {
      {0, 0, linalg::kPi, 0.3}, {2, 0, 0.0, 1.1}, {1, 1, 0.0, 0.2}, {0, 2, linalg::kPi, 2.0}, {2, 2, 0.0, 0.0}};
  mesh.output_phase_rad = {0.1, 0.2, 0.3, 0.4};
  linalg::assign_columns(mesh);
  const FastProgram p = FastProgram::compile(mesh_path({mesh, {}}));
  EXPECT_EQ(p.mix_ops(), 0);
  // Exactly representable permutations and phases: only the rounding of the phase products remains.
  EXPECT_LE(max_abs(p.matrix() - linalg::reconstruct(mesh)), 1e-15);
}

TEST(FastPath, ChainsShareRows) {
  // A 64-mode Clements mesh: 2016 MZIs fall into about 2 n diagonal chains.
  const FastProgram p = FastProgram::compile(mesh_path({test::haar_mesh(64, 1), {}}));
  EXPECT_EQ(p.mix_ops(), 64 * 63 / 2);
  EXPECT_LE(p.chains(), 2 * 64);
}

TEST(FastPath, RenormalizesScalesOfLongLossyPaths) {
  // 600 MZIs at 0.5 field transmission each shrink the scales by 2^-600, far past the 2^-128 limit.
  OpticalPath path;
  path.modes = path.inputs = path.outputs = 3;
  linalg::Rng rng(3);
  for (int k = 0; k < 600; ++k)
    path.mix(k % 2, 0.5 * linalg::mzi_matrix(0.3 + 2.5 * rng.uniform(), 6.0 * rng.uniform()));
  const FastProgram p = FastProgram::compile(path);
  const Eigen::MatrixXcd ref = direct_matrix(path);
  const Eigen::MatrixXcd t = p.matrix();
  // Entries are ~2^-300 (below 1e-90): compare relative to the largest entry; 600 roundings of ~1e-16 each.
  EXPECT_LE(max_abs(t - ref) / max_abs(ref), 1e-12);
  EXPECT_GT(max_abs(ref), 0.0);
}

TEST(FastPath, DarkAndBlockedModes) {
  // 4 modes, 2 inputs (modes 2, 3 start dark), mode 1 blocked halfway, 3 outputs.
  OpticalPath path;
  path.modes = 4;
  path.inputs = 2;
  path.outputs = 3;
  path.mix(0, linalg::mzi_matrix(1.0, 0.5));
  path.mix(1, linalg::mzi_matrix(2.0, 0.1));
  path.mix(2, linalg::mzi_matrix(0.7, 0.9));
  path.scale(1, 0.0);
  path.mix(1, linalg::mzi_matrix(1.3, 2.1));
  path.mix(0, linalg::mzi_matrix(2.2, 0.4));
  path.scale(2, 0.0);
  path.scale(3, 0.0);
  path.mix(2, linalg::mzi_matrix(0.4, 0.4));  // both modes dark: stays dark
  const FastProgram p = FastProgram::compile(path);
  // A handful of 2x2 products of unit-modulus numbers: rounding ~1e-16.
  EXPECT_LE(max_abs(p.matrix() - direct_matrix(path)), 1e-14);
  EXPECT_EQ(p.output_scale(2), cdouble(0.0, 0.0));
}

TEST(FastPath, ResultIndependentOfThreadCount) {
  const FastProgram p = FastProgram::compile(mesh_path({test::haar_mesh(16, 9), {}}, 0.97, 0.99));
  const Eigen::MatrixXcd in = test::random_complex(16, 1000, 4);
  const Eigen::MatrixXcd a = p.propagate(in, 1), b = p.propagate(in, 2);
  EXPECT_EQ(max_abs(a - b), 0.0);  // chunks are independent: bit-identical
}

TEST(FastPath, RejectsBadPathsAndInputs) {
  auto code = [](auto f) {
    try {
      f();
    } catch (const Error& e) {
      return e.code();
    }
    return std::string("none");
  };
  OpticalPath bad;
  bad.modes = 2;
  bad.inputs = 3;
  EXPECT_EQ(code([&] { FastProgram::compile(bad); }), "SIM-BAD-PATH");
  OpticalPath off;
  off.modes = off.inputs = off.outputs = 2;
  off.mix(1, linalg::mzi_matrix(1.0, 1.0));
  EXPECT_EQ(code([&] { FastProgram::compile(off); }), "SIM-BAD-PATH");
  OpticalPath nan;
  nan.modes = nan.inputs = nan.outputs = 1;
  nan.scale(0, cdouble(std::nan(""), 0.0));
  EXPECT_EQ(code([&] { FastProgram::compile(nan); }), "SIM-BAD-PATH");
  OpticalPath tri;  // a triangular 2x2 is no passive PDK component
  tri.modes = tri.inputs = tri.outputs = 2;
  linalg::Mat2 m;
  m << 1.0, 0.0, 0.5, 1.0;
  tri.mix(0, m);
  EXPECT_EQ(code([&] { FastProgram::compile(tri); }), "INTERNAL");

  const FastProgram p = FastProgram::compile(mesh_path({test::haar_mesh(3, 1), {}}));
  EXPECT_EQ(code([&] { p.propagate(Eigen::MatrixXcd::Zero(2, 4)); }), "SIM-BAD-SHAPE");
  Eigen::MatrixXcd in = Eigen::MatrixXcd::Zero(3, 4);
  in(1, 2) = cdouble(0.0, std::numeric_limits<double>::infinity());
  EXPECT_EQ(code([&] { p.propagate(in); }), "SIM-NOT-FINITE");
}

}  // namespace
}  // namespace holo::sim
