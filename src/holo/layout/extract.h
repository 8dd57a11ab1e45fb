// Layout-to-netlist extraction: which ports of the instances placed in a cell meet (same position,
// opposite directions, same width and layer), which cell ports they expose, and which are left open or
// meet badly. The mesh layout uses it to check the layout against the compiled netlist.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "holo/layout/cell.h"

namespace holo::layout {

struct PlacedPort {
  // The instance: its Ref name (or "<cell>#<index>" when unnamed), with "<i.j>" appended for element
  // (column i, row j) of an array.
  std::string instance;
  std::string cell;  // the referenced cell
  Port port;         // in the parent cell's coordinates
};

struct PortLink {
  PlacedPort a, b;  // a sorts before b (instance, then port name)
};

struct PortMismatch {
  PlacedPort a, b;
  std::string reason;  // "direction", "width", "layer"
};

struct Connectivity {
  std::vector<PortLink> links;  // sorted by (a.instance, a.port)
  // Cell port name -> the instance port at the same position pointing the same way.
  std::vector<std::pair<std::string, PlacedPort>> exposed;
  std::vector<PlacedPort> open;                   // instance ports meeting nothing and not exposed
  std::vector<PortMismatch> mismatches;           // ports at one position that do not meet cleanly
  std::vector<std::string> unexposed_cell_ports;  // cell ports with no instance port under them
};

// Extracts the connectivity of the instances directly placed in `cell` (one hierarchy level), considering
// ports of `kind` only (all ports when nullopt).
Connectivity extract_connectivity(const Library& lib, const std::string& cell,
                                  std::optional<PortKind> kind = PortKind::Optical);

}  // namespace holo::layout
