#include "holo/runtime/binding.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "holo/graph/weights.h"
#include "holo/support/error.h"

namespace holo::runtime {

void check_binding(const graph::Graph& g, const circuit::Netlist& net, const std::string& what) {
  auto bad = [&](const std::string& msg) {
    fail("CHIP-STAGE-MISMATCH",
         fmt::format("{}: {}; the chip was not compiled from this model (recompile it)", what, msg));
  };
  if (net.stages.size() != g.nodes.size())
    bad(fmt::format("the chip's program has {} stage(s) but the model has {} node(s)", net.stages.size(),
                    g.nodes.size()));
  const bool eo = net.info.count("activation") && net.info.at("activation") == "eo";
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const graph::Node& n = g.nodes[i];
    const circuit::Stage& s = net.stages[i];
    const std::string at = fmt::format("stage {} ('{}', {})", i, s.node, s.op);
    if (s.node != n.name || s.op != n.op)
      bad(fmt::format("{} stands where the model has node '{}' ({})", at, n.name, n.op));
    int64_t out = 0, in = 0;
    std::vector<double> w;
    const bool linear =
        (n.op == "Gemm" || n.op == "MatMul" || n.op == "Conv") && graph::weight_matrix(g, n, out, in, w);
    if (!linear) {
      if (s.domain == "optical") bad(fmt::format("{} is optical but the node has no constant weight matrix", at));
      if (s.domain == "optical_activation" && !eo)
        bad(fmt::format("{} is an electro-optic activation on a chip compiled with O-E-O activations", at));
      if (s.positions != 1) bad(fmt::format("{} has positions {}, expected 1", at, s.positions));
      continue;
    }
    if (s.domain != "optical")
      bad(fmt::format("{} is {} but the node is a linear layer with constant weights (the chip computes it optically)",
                      at, s.domain));
    if (s.out_features != out || s.in_features != in)
      bad(fmt::format("{} realizes a {} x {} matrix, the node's weight is {} x {}", at, s.out_features, s.in_features,
                      out, in));
    int64_t positions = 1;
    if (n.op == "Conv") {
      const auto& y = g.tensor(n.outputs[0]).shape;
      positions = (y.size() == 4 && y[2] > 0 && y[3] > 0) ? y[2] * y[3] : 1;
    }
    if (s.positions != positions)
      bad(fmt::format("{} has positions {}, the node computes {} output position(s) per sample", at, s.positions,
                      positions));
    // A tile's gain is its block's largest singular value s1 (linalg/svd_map.h), which lies between the block's
    // Frobenius norm over sqrt(rank) and the norm itself.
    for (size_t t = 0; t < s.tiles.size(); ++t) {
      const circuit::Tile& tile = s.tiles[t];
      double fro2 = 0;
      for (int64_t r = tile.row0; r < tile.row0 + tile.rows; ++r)
        for (int64_t c = tile.col0; c < tile.col0 + tile.cols; ++c) {
          const double v = w[static_cast<size_t>(r * in + c)];
          fro2 += v * v;
        }
      const double fro = std::sqrt(fro2), lo = fro / std::sqrt(static_cast<double>(std::min(tile.rows, tile.cols)));
      const double tol = 1e-9 * fro + 1e-300;  // double rounding of the SVD and of the sums
      if (!(tile.gain >= lo - tol && tile.gain <= fro + tol))
        bad(
            fmt::format("{} tiles[{}] has gain {}, but the node's weight block there has largest singular value in "
                        "[{:.6g}, {:.6g}]",
                        at, t, tile.gain, lo, fro));
    }
  }
}

}  // namespace holo::runtime
