// Deterministic text form of a graph (holo inspect --dump) and per-layer statistics.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "holo/graph/graph.h"

namespace holo::graph {

std::string dump(const Graph& g);

struct LayerStats {
  std::string node;
  std::string op;
  std::vector<Shape> input_shapes;
  std::vector<Shape> output_shapes;
  int64_t params = 0;  // elements of constant inputs
  int64_t macs = 0;    // per sample
};
std::vector<LayerStats> layer_stats(const Graph& g);

}  // namespace holo::graph
