// Chip furniture around the compiled circuit (issue 5): alignment marks in the die corners and a block of
// reference structures for test, placed below the circuit:
//   - a bare MZI (the same MZI cell the meshes use) between two pairs of die-edge waveguides, its four heater
//     contacts wired on M2 to their own bond pads (nested L-shaped tracks: no two wires cross);
//   - a waveguide cut-back set: straight waveguides from the west to the east die edge, the k-th with k
//     U-shaped detours of circular bends, so their lengths differ by a known amount and the propagation loss
//     is the slope of insertion loss versus length;
//   - a TEXT label naming each structure.
// Every cell is clean under the PDK's DRC on its own and in place (tests/unit/layout/test_structures.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "holo/layout/cell.h"
#include "holo/layout/params.h"

namespace holo::layout {

struct FurnitureFigures {
  int64_t alignment_marks = 0;
  int64_t test_structures = 0;            // the bare MZI plus one per cut-back waveguide
  int64_t bond_pads = 0;                  // pads of the bare MZI's heaters
  std::vector<double> cutback_length_um;  // centreline length of each cut-back waveguide, die edge to edge
};

// The narrowest die the test-structure block fits in (nm).
Coord furniture_min_width(const LayoutParams& p);

// Places the test-structure block below `die` (the circuit's extent, its top edge at y = die.y1), spanning
// the die's full width (at least furniture_min_width), and one alignment mark in each corner of the grown die.
// Returns the grown die box.
Box place_chip_furniture(Library& lib, Cell& top, const LayoutParams& p, const Box& die, FurnitureFigures& out);

}  // namespace holo::layout
