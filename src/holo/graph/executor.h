// Double-precision reference executor: runs a verified graph on a batch. Intermediate tensors are
// freed after their last use so memory stays bounded by the live set, not the whole network.
#pragma once

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

}  // namespace holo::graph
