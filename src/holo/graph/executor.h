// Double-precision reference executor: runs a verified graph on a batch. Intermediate tensors are
// freed after their last use so memory stays bounded by the live set, not the whole network.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "holo/graph/graph.h"
#include "holo/support/array.h"

namespace holo::graph {

// Checks each input against the graph input's shape (dynamic dims match any size): GRAPH-INPUT-SHAPE
// (naming the input, expected and actual shapes) or GRAPH-INPUT-COUNT.
void check_inputs(const Graph& g, const std::vector<Array>& inputs);

// Runs the graph. inputs are in g.inputs order. Returns the graph outputs in g.outputs order.
std::vector<Array> execute(const Graph& g, const std::vector<Array>& inputs);

// Runs the graph and also returns the value of every tensor named in `keep` (by name).
std::vector<Array> execute(const Graph& g, const std::vector<Array>& inputs, std::map<std::string, Array>* keep);

// A hook that may compute a node itself (e.g. a linear layer on a simulated photonic chip). `out` arrives
// sized with the inferred output shapes; return true when the hook filled it, false to use the reference
// kernel.
using NodeOverride = std::function<bool(const Node&, const std::vector<const Array*>& in, std::vector<Array>& out)>;
std::vector<Array> execute(const Graph& g, const std::vector<Array>& inputs, const NodeOverride& override_node,
                           std::map<std::string, Array>* keep = nullptr);

}  // namespace holo::graph
