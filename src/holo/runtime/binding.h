// Does a compiled chip belong to a model? `holo simulate` runs the electronic stages from OUT/model.onnx and the
// optical ones on the chip of OUT/circuit.json; a stage it cannot match to a node would silently run
// electronically (a perfect "chip" that was never simulated). check_binding makes the pairing exact: the
// compute program lists every node of the graph once, in order, with its op; every linear node with a constant
// weight is optical (and nothing else is); an optical stage's matrix, time-multiplexed positions and tile gains
// agree with the weights (graph/weights.h). Cheap: one pass over the weights, no decomposition.
#pragma once

#include <string>

#include "holo/circuit/netlist.h"
#include "holo/graph/graph.h"

namespace holo::runtime {

// Throws CHIP-STAGE-MISMATCH naming `what` (the circuit file), the stage and the node. Expects a netlist that
// circuit::verify accepted (tiles cover each matrix exactly).
void check_binding(const graph::Graph& g, const circuit::Netlist& net, const std::string& what);

}  // namespace holo::runtime
