// Simplification passes on a verified graph. Each keeps the graph's outputs equal (tested by running
// the executor before and after) and leaves a verified graph.
#pragma once

#include <string>
#include <vector>

#include "holo/graph/graph.h"

namespace holo::graph {

struct PassStats {
  std::string pass;
  int changed = 0;  // nodes removed or rewritten
};

int remove_identities(Graph& g);  // Identity, Dropout (inference) -> rewire consumers
int fold_batchnorm(Graph& g);     // BatchNormalization after Conv/Gemm with constant weights
int fold_constants(Graph& g);     // nodes whose inputs are all constant -> constant tensors

// Runs all passes to a fixed point, then verifies.
std::vector<PassStats> simplify(Graph& g);

}  // namespace holo::graph
