#include "holo/linalg/tiling.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>

#include "holo/linalg/serial_eigen.h"
#include "holo/support/error.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace holo::linalg {

namespace {

template <class Mat>
TiledLayer map_tiled_impl(const Mat& w, const TilingOptions& o) {
  if (o.tile < 1) fail("LINALG-BAD-OPTION", fmt::format("tile size must be >= 1, got {}", o.tile));
  if (w.rows() == 0 || w.cols() == 0) {
    fail("LINALG-BAD-SHAPE", fmt::format("weight matrix must be non-empty, got {}x{}", w.rows(), w.cols()));
  }
  if (!w.allFinite()) fail("LINALG-NOT-FINITE", "weight matrix has a non-finite entry");
  if (o.threads < 0) fail("LINALG-BAD-OPTION", fmt::format("threads must be >= 0, got {}", o.threads));
  TiledLayer out;
  out.rows = static_cast<int32_t>(w.rows());
  out.cols = static_cast<int32_t>(w.cols());
  out.tile = o.tile;
  out.block_rows = (out.rows + o.tile - 1) / o.tile;
  out.block_cols = (out.cols + o.tile - 1) / o.tile;
  const int64_t count = static_cast<int64_t>(out.block_rows) * out.block_cols;
  out.tiles.resize(static_cast<size_t>(count));
  std::vector<std::exception_ptr> errors(static_cast<size_t>(count));

  const int threads = o.threads;  // resolved (>= 1) by the public entry points
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads != 1 && count > 1)
  for (int64_t k = 0; k < count; ++k) {
    try {
      SerialEigen serial;  // Eigen must not nest its own threads (and stay serial for identical bits)
      Tile& t = out.tiles[static_cast<size_t>(k)];
      t.block_row = static_cast<int32_t>(k / out.block_cols);
      t.block_col = static_cast<int32_t>(k % out.block_cols);
      t.row0 = t.block_row * o.tile;
      t.col0 = t.block_col * o.tile;
      t.rows = std::min(o.tile, out.rows - t.row0);
      t.cols = std::min(o.tile, out.cols - t.col0);
      if (o.pad_edges) {
        Mat block = Mat::Zero(o.tile, o.tile);
        block.topLeftCorner(t.rows, t.cols) = w.block(t.row0, t.col0, t.rows, t.cols);
        t.layer = map_svd(block, o.svd);
      } else {
        const Mat block = w.block(t.row0, t.col0, t.rows, t.cols);
        t.layer = map_svd(block, o.svd);
      }
    } catch (...) {
      errors[static_cast<size_t>(k)] = std::current_exception();
    }
  }
  // Report the first failing tile in index order, whatever the thread schedule was.
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return out;
}

// threads == 0 means the OpenMP default; num_threads(0) is not allowed, so resolve it here.
TilingOptions resolve_threads(const TilingOptions& options) {
  TilingOptions o = options;
#ifdef _OPENMP
  if (o.threads == 0) o.threads = omp_get_max_threads();
#else
  if (o.threads == 0) o.threads = 1;
#endif
  return o;
}

}  // namespace

TiledLayer map_tiled(const Eigen::MatrixXd& w, const TilingOptions& options) {
  return map_tiled_impl(w, resolve_threads(options));
}

TiledLayer map_tiled(const Eigen::MatrixXcd& w, const TilingOptions& options) {
  return map_tiled_impl(w, resolve_threads(options));
}

TilingPlan plan(const TiledLayer& layer) {
  TilingPlan p;
  p.tiles = static_cast<int64_t>(layer.tiles.size());
  p.block_rows = layer.block_rows;
  p.block_cols = layer.block_cols;
  for (const Tile& t : layer.tiles) {
    p.mzis += t.layer.mzis();
    p.phase_shifters += t.layer.phase_shifters();
    p.attenuators += static_cast<int64_t>(t.layer.attenuator_theta_rad.size());
    p.depth = std::max(p.depth, t.layer.depth());
  }
  return p;
}

Eigen::MatrixXcd reconstruct(const TiledLayer& layer) {
  Eigen::MatrixXcd w = Eigen::MatrixXcd::Zero(layer.rows, layer.cols);
  for (const Tile& t : layer.tiles) {
    const Eigen::MatrixXcd b = reconstruct(t.layer);
    w.block(t.row0, t.col0, t.rows, t.cols) = b.topLeftCorner(t.rows, t.cols);
  }
  return w;
}

}  // namespace holo::linalg
