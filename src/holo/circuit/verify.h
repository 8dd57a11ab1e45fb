// Netlist verifier: every component resolves (a PDK template or a cell, no recursion), every port named
// exists on its component, every instance port is connected exactly once or exposed exactly once as a
// cell port, connected ports have the same kind (optical/electrical), names are unique, settings are
// finite, stages reference existing cells and their tiles cover the weight matrix exactly once.
#pragma once

#include "holo/circuit/netlist.h"
#include "holo/pdk/pdk.h"

namespace holo::circuit {

// Throws holo::Error (CIRCUIT-*) naming the cell, instance and port.
void verify(const Netlist& n, const pdk::Pdk& pdk);

// Ports of a component (a PDK template's ports, or a cell's external ports).
std::vector<pdk::Port> component_ports(const Netlist& n, const pdk::Pdk& pdk, const std::string& component);

}  // namespace holo::circuit
