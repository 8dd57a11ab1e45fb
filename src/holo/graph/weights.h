// The constant weight matrix a linear node (Gemm, MatMul, Conv) applies: a property of the node, read by mapping
// (to lower it onto meshes) and by runtime (to check that a compiled chip realizes it).
#pragma once

#include <cstdint>
#include <vector>

#include "holo/graph/graph.h"

namespace holo::graph {

// The weight matrix (out x in, row-major in `w`) the node realizes, or false when the node has no constant weight
// operand (then it stays electronic) or is not Gemm, MatMul or Conv. Conv: [M, C*kh*kw] (block-diagonal for
// groups) in im2col order, row (c*kh + i)*kw + j (graph/ops.h).
bool weight_matrix(const Graph& g, const Node& n, int64_t& out, int64_t& in, std::vector<double>& w);

}  // namespace holo::graph
