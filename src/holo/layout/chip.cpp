#include "holo/layout/chip.h"

#include <fmt/format.h>

#include "holo/circuit/compiled.h"
#include "holo/layout/cells.h"
#include "holo/layout/floorplan.h"
#include "holo/layout/routing.h"
#include "holo/layout/tile_cells.h"

namespace holo::layout {
namespace {

// The chip's figures from the parts that measured them: the floorplan (die, tracks, worst path, the tiles'
// sums), the I/O fan-out (bends, couplers, spread), the furniture, and the losses per unit from the PDK.
ChipFigures chip_figures(const PlacedChip& placed, const LayoutParams& p) {
  const FloorplanFigures& fp = placed.figures;
  ChipFigures fig;
  fig.die_width_um = fp.die_width_um;
  fig.die_height_um = fp.die_height_um;
  fig.die_area_mm2 = fp.die_area_mm2;
  fig.tiles = fp.tiles;
  fig.waveguide_length_um = fp.waveguide_length_nm / 1000.0;
  fig.bends = placed.io.bends;
  fig.io_couplers = placed.io.couplers;
  fig.io_length_spread_um = placed.io.length_spread_um;
  fig.worst_path_bends = fp.worst_path_bends;
  fig.crossings = 0;  // Clements meshes are planar and the fan-outs do not cross (io_fanout.h)
  fig.worst_path_added_length_um = static_cast<double>(fp.worst_path_added_length_nm) / 1000.0;
  constexpr double kCmPerUm = 1e-4;
  fig.worst_path_added_loss_db = fig.worst_path_added_length_um * kCmPerUm * p.wg_loss_db_per_cm +
                                 static_cast<double>(fig.worst_path_bends) * p.bend_loss_db_per_90 +
                                 static_cast<double>(fig.crossings) * p.crossing_loss_db;
  fig.heaters = fp.heaters;
  fig.mzi_instances = fp.mzis;
  fig.bond_pads = fp.wired_pads + placed.furniture.bond_pads;
  fig.ground_pads = fp.ground_pads;
  fig.wire_length_um = fp.wire_length_um;
  fig.alignment_marks = placed.furniture.alignment_marks;
  fig.test_structures = placed.furniture.test_structures;
  fig.cutback_length_um = placed.furniture.cutback_length_um;
  return fig;
}

}  // namespace

ChipLayout layout_chip(const circuit::Netlist& netlist, const LayoutParams& params) {
  check_fits_gds(netlist, params);
  circuit::verify_compiled(netlist);
  ChipLayout chip;
  CellFactory f(chip.lib, params);
  HeaterRouter router(f);
  TileCells cells(f, router);
  // Leaves first (the netlist's order), so a tile's meshes exist when the tile is laid out. Every loop names
  // every kind (no default): a new kind of cell makes the compiler point here.
  for (const circuit::Cell& nc : netlist.cells) {
    switch (circuit::kind_of(nc)) {
      case circuit::CellKind::Mesh:
        chip.cell_of[nc.name] = cells.mesh(circuit::read_mesh(nc));
        break;
      case circuit::CellKind::Attenuators:
        chip.cell_of[nc.name] = cells.attenuators(circuit::read_attenuators(nc));
        break;
      case circuit::CellKind::Tile:
      case circuit::CellKind::Layer:  // modulators and receivers are not laid out (docs/layout.md)
      case circuit::CellKind::Top:
        break;
    }
  }
  std::vector<std::string> tiles;
  for (const circuit::Cell& nc : netlist.cells) {
    switch (circuit::kind_of(nc)) {
      case circuit::CellKind::Tile: {
        const std::string cell = cells.tile(circuit::read_tile(netlist, nc), chip.cell_of);
        chip.cell_of[nc.name] = cell;
        chip.thermal_sites[nc.name] = cells.facts(cell).sites;
        tiles.push_back(cell);
        break;
      }
      case circuit::CellKind::Mesh:
      case circuit::CellKind::Attenuators:
      case circuit::CellKind::Layer:
      case circuit::CellKind::Top:
        break;
    }
  }
  PlacedChip placed = place_chip(f, cells, tiles, netlist.top.empty() ? "chip" : netlist.top,
                                 fmt::format("{} {}", netlist.name.empty() ? "holo" : netlist.name, params.pdk_name));
  chip.top = placed.top;
  chip.pads = std::move(placed.pads);
  chip.figures = chip_figures(placed, params);
  for (const auto& [netlist_cell, layout_cell] : chip.cell_of) {
    auto it = placed.drawn.find(layout_cell);
    if (it != placed.drawn.end()) chip.drawn[netlist_cell] = it->second;
  }
  // Unit cells a degenerate chip never places (the wired MZI of a mesh without MZIs, a bend no fan-out uses)
  // would be extra top cells in chip.gds.
  chip.lib.remove_unreachable(chip.top);
  chip.figures.layout_cells = static_cast<int64_t>(chip.lib.size());
  return chip;
}

}  // namespace holo::layout
