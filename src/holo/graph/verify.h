// Graph verifier and shape inference.
#pragma once

#include "holo/graph/graph.h"

namespace holo::graph {

// Sorts nodes topologically (stable: import order among ready nodes). Errors: GRAPH-CYCLE naming a
// node on the cycle, GRAPH-MULTIPLE-PRODUCERS.
void topo_sort(Graph& g);

// Infers every tensor shape from input shapes and constants, checking each op's attributes and
// arities; a declared shape that disagrees with the inferred one is GRAPH-SHAPE-MISMATCH.
void infer_shapes(Graph& g);

// Full check: unknown ops (GRAPH-UNSUPPORTED-OP with the supported list), dangling tensors
// (GRAPH-DANGLING naming the node and tensor), cycles, duplicate node names, graph outputs that nothing
// produces, non-finite constants (GRAPH-NONFINITE-WEIGHT), then topo_sort and infer_shapes.
void verify(Graph& g);

}  // namespace holo::graph
