// Layout versus netlist for the chip layout (docs/layout.md, "Layout versus netlist"): the optical
// connectivity of each mesh, attenuator and tile cell is extracted from the placed geometry (ports that meet,
// extract.h) and compared with the netlist's connections and cell ports.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/layout/cell.h"

namespace holo::layout {

struct LvsMismatch {
  std::string cell;    // netlist / layout cell
  std::string kind;    // missing_instance, extra_instance, missing_connection, extra_connection, port, open, bad_meet
  std::string detail;  // e.g. "mzi3.o3 -- mzi7.o2"
};

// Compares the optical connectivity extracted from the layout cells with the netlist's connections and
// ports, for every mesh, attenuator and tile cell of the compiled chip (read through circuit/compiled.h's views:
// CIRCUIT-CONTRACT for a cell that breaks the contract); each needs a layout cell (`cell_of`: netlist cell ->
// layout cell, as ChipLayout::cell_of). Straight fillers (instances named "fill_*") are transparent. Array
// elements of an MZI column ("zc<column>m<mode>" AREFs, element <0.j>) stand for the netlist MZI at
// (column, mode + 2j). Empty when they agree.
std::vector<LvsMismatch> check_layout_vs_netlist(const Library& lib, const std::map<std::string, std::string>& cell_of,
                                                 const circuit::Netlist& netlist);

}  // namespace holo::layout
