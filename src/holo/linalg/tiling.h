// Tiling a weight matrix larger than the mesh size K into K x K blocks (docs/physics.md#tiling): block (i, j) is mapped
// with its own SVD layer and gain; y_i = sum_j W_ij x_j is accumulated electronically after detection.
// Edge blocks keep their true size unless pad_edges (then every tile is a full K x K mesh, zero-padded).
//
// Tiles are mapped in parallel with OpenMP. Each tile is computed by one thread with serial Eigen and stored
// at its own index, so the result is bit-identical for any thread count.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "holo/linalg/svd_map.h"

namespace holo::linalg {

struct TilingOptions {
  int32_t tile = 64;  // mesh size K
  bool pad_edges = false;
  SvdOptions svd;
  int threads = 0;  // OpenMP threads for the tile loop; 0 = OpenMP default
};

struct Tile {
  int32_t block_row = 0, block_col = 0;  // block indices
  int32_t row0 = 0, col0 = 0;            // first row / column of W covered
  int32_t rows = 0, cols = 0;            // extent of W covered (the layer may be padded to K x K)
  SvdLayer layer;
};

struct TiledLayer {
  int32_t rows = 0, cols = 0, tile = 0;
  int32_t block_rows = 0, block_cols = 0;
  std::vector<Tile> tiles;  // row-major over blocks
};

// Hardware summary of a tiled layer.
struct TilingPlan {
  int64_t tiles = 0;
  int64_t mzis = 0;            // mesh MZIs + attenuator MZIs, all tiles
  int64_t phase_shifters = 0;  // tunable phases, all tiles
  int64_t attenuators = 0;
  int32_t depth = 0;  // MZI columns along the longest tile path (V mesh + attenuators + U mesh)
  int32_t block_rows = 0, block_cols = 0;
};

// Errors: as map_svd, plus LINALG-BAD-OPTION for tile < 1.
TiledLayer map_tiled(const Eigen::MatrixXd& w, const TilingOptions& options = {});
TiledLayer map_tiled(const Eigen::MatrixXcd& w, const TilingOptions& options = {});

TilingPlan plan(const TiledLayer& layer);

// W_hat (rows x cols) assembled from the tiles, each rebuilt from the hardware model.
Eigen::MatrixXcd reconstruct(const TiledLayer& layer);

}  // namespace holo::linalg
