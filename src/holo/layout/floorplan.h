// The chip's floorplan (docs/layout.md, "Chip layout of a compiled netlist"): the top cell with the tiles
// stacked top-down in one column, each tile's block as tall as the larger of its pad fields and its coupler
// columns; the I/O couplers and fan-outs (io_fanout.h) in one column near the west die edge (inputs) and one
// near the east edge (outputs); the chip furniture (test_structures.h) below the tiles; the die outline on
// FLOORPLAN around everything; a TEXT label per tile and one naming the chip. The die is at least as wide as
// the furniture needs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/layout/io_fanout.h"
#include "holo/layout/routing.h"
#include "holo/layout/test_structures.h"
#include "holo/layout/tile_cells.h"

namespace holo::layout {

// Refuses (LAYOUT-RANGE) a chip whose stacked tiles would exceed GDSII's 32-bit nm coordinates, before
// anything is built or read beyond the tile cells' shapes (circuit::read_tile_shape; CIRCUIT-CONTRACT for a
// cell of no compiled-chip kind or a tile without its shape): each tile's block is at least as tall as its
// column of I/O couplers.
void check_fits_gds(const circuit::Netlist& netlist, const LayoutParams& p);

// What the floorplan placed and measured.
struct FloorplanFigures {
  double die_width_um = 0, die_height_um = 0, die_area_mm2 = 0;
  int64_t tiles = 0;
  // Waveguide length along the mode tracks: the tiles' tracks and every I/O path, nm.
  double waveguide_length_nm = 0;
  // Worst (upper-bound) length a path gains from the layout: the worst tile's fillers plus its longest input
  // and output paths; and the most fan-out bends on one path through a tile (in and out).
  Coord worst_path_added_length_nm = 0;
  int64_t worst_path_bends = 0;
  // Sums over the placed tiles of their cells' facts.
  int64_t heaters = 0, mzis = 0, wired_pads = 0, ground_pads = 0;
  double wire_length_um = 0;
};

struct PlacedChip {
  std::string top;             // the top cell
  std::vector<WiredPad> pads;  // the tiles' pads in top-cell coordinates, in placement order
  FloorplanFigures figures;
  FanoutFigures io;
  FurnitureFigures furniture;
  // Per placed tile (layout cell name): what its paths cross besides the netlist's components.
  std::map<std::string, circuit::DrawnPaths> drawn;
};

// Places the layout cells `tiles` (tile cells laid out by `cells`, top to bottom) in a new top cell named
// `top_name` (with "_chip" appended if the library has that name), labelled `label`.
PlacedChip place_chip(CellFactory& f, const TileCells& cells, const std::vector<std::string>& tiles,
                      std::string top_name, const std::string& label);

}  // namespace holo::layout
