#include "holo/linalg/tiling.h"

#include <gtest/gtest.h>

#include <Eigen/SVD>

#include "holo/linalg/random.h"
#include "holo/support/error.h"
#include "linalg_test_util.h"

namespace holo::linalg {
namespace {

// Same bound as a single SVD layer: each tile reconstructs its block to ~1e-14 relative.
constexpr double kBound = 1e-12;

Eigen::MatrixXd weights(int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  return gaussian_matrix(rows, cols, rng, false).real();
}

std::string layer_bytes(const TiledLayer& t) {
  std::string s;
  for (const Tile& tile : t.tiles) {
    s += testutil::mesh_bytes(tile.layer.v_mesh) + testutil::mesh_bytes(tile.layer.u_mesh);
    s.append(reinterpret_cast<const char*>(tile.layer.attenuator_theta_rad.data()),
             tile.layer.attenuator_theta_rad.size() * sizeof(double));
    s.append(reinterpret_cast<const char*>(&tile.layer.gain), sizeof(double));
  }
  return s;
}

TEST(Tiling, BlocksReconstructAndPlanCounts) {
  const Eigen::MatrixXd w = weights(40, 25, 1);
  TilingOptions o;
  o.tile = 16;
  const TiledLayer t = map_tiled(w, o);
  EXPECT_EQ(t.block_rows, 3);
  EXPECT_EQ(t.block_cols, 2);
  ASSERT_EQ(t.tiles.size(), 6u);
  // Edge tiles keep their true size: rows 16, 16, 8; columns 16, 9.
  EXPECT_EQ(t.tiles[5].rows, 8);
  EXPECT_EQ(t.tiles[5].cols, 9);
  EXPECT_EQ(t.tiles[5].row0, 32);
  EXPECT_EQ(t.tiles[5].col0, 16);
  EXPECT_LE(relative_error(w.cast<cdouble>(), reconstruct(t)), kBound);
  // Each tile has its own gain: its block's largest singular value.
  for (const Tile& tile : t.tiles) {
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(w.block(tile.row0, tile.col0, tile.rows, tile.cols));
    EXPECT_NEAR(tile.layer.gain, svd.singularValues()(0), 1e-12 * svd.singularValues()(0));
  }
  const TilingPlan p = plan(t);
  EXPECT_EQ(p.tiles, 6);
  // MZIs per tile: N(N-1)/2 + M(M-1)/2 + min(M, N).
  auto mzis = [](int64_t m, int64_t n) { return n * (n - 1) / 2 + m * (m - 1) / 2 + std::min(m, n); };
  EXPECT_EQ(p.mzis, 2 * mzis(16, 16) + 2 * mzis(16, 9) + mzis(8, 16) + mzis(8, 9));
  EXPECT_EQ(p.attenuators, 16 + 9 + 16 + 9 + 8 + 8);
  // Phase shifters: two per mesh MZI, the U screen, one theta per attenuator.
  int64_t shifters = 0;
  for (const Tile& tile : t.tiles) {
    const int64_t m = tile.rows, n = tile.cols;
    shifters += n * (n - 1) + m * (m - 1) + m + std::min(m, n);
  }
  EXPECT_EQ(p.phase_shifters, shifters);
  EXPECT_EQ(p.depth, 16 + 1 + 16);  // Clements: N columns per mesh, one attenuator column
}

TEST(Tiling, PaddedEdgesUseFullMeshes) {
  const Eigen::MatrixXd w = weights(20, 10, 2);
  TilingOptions o;
  o.tile = 16;
  o.pad_edges = true;
  const TiledLayer t = map_tiled(w, o);
  for (const Tile& tile : t.tiles) {
    EXPECT_EQ(tile.layer.rows, 16);
    EXPECT_EQ(tile.layer.cols, 16);
  }
  EXPECT_LE(relative_error(w.cast<cdouble>(), reconstruct(t)), kBound);
}

TEST(Tiling, SmallMatrixIsOneTile) {
  const Eigen::MatrixXd w = weights(10, 12, 3);
  const TiledLayer t = map_tiled(w);  // default K = 64
  ASSERT_EQ(t.tiles.size(), 1u);
  EXPECT_EQ(plan(t).mzis, map_svd(w).mzis());
}

TEST(Tiling, SameBytesForOneAndTwoThreads) {
  const Eigen::MatrixXd w = weights(96, 80, 4);
  TilingOptions o;
  o.tile = 32;
  o.threads = 1;
  const std::string one = layer_bytes(map_tiled(w, o));
  o.threads = 2;
  const std::string two = layer_bytes(map_tiled(w, o));
  EXPECT_EQ(one, two);
  o.threads = 0;  // OpenMP default
  EXPECT_EQ(one, layer_bytes(map_tiled(w, o)));
  // Complex weights too.
  Rng rng(5);
  const Eigen::MatrixXcd wc = gaussian_matrix(40, 40, rng, true);
  o.tile = 16;
  o.threads = 1;
  const std::string c1 = layer_bytes(map_tiled(wc, o));
  o.threads = 2;
  EXPECT_EQ(c1, layer_bytes(map_tiled(wc, o)));
}

TEST(Tiling, ErrorsFromTilesPropagate) {
  Eigen::MatrixXd w = weights(8, 8, 6);
  w(7, 7) = NAN;
  TilingOptions o;
  o.tile = 4;
  o.threads = 2;
  EXPECT_THROW(map_tiled(w, o), Error);
  o.tile = 0;
  try {
    map_tiled(weights(4, 4, 1), o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "LINALG-BAD-OPTION");
  }
  // A failure inside a tile (bad SVD option) comes out of the parallel loop as the library error.
  TilingOptions bad;
  bad.tile = 4;
  bad.threads = 2;
  bad.svd.retained_energy = 2.0;
  try {
    map_tiled(weights(8, 8, 1), bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "LINALG-BAD-OPTION");
  }
}

}  // namespace
}  // namespace holo::linalg
