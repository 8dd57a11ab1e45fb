#include "holo/layout/floorplan.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "holo/circuit/compiled.h"
#include "holo/support/error.h"

namespace holo::layout {
namespace {

// Free strip above the first tile and between tile blocks (nm): keeps the pad fields of neighbouring tiles
// apart and holds the chip's label.
constexpr Coord kTileGap = 200000;
// Die edge to the far end of an I/O coupler (nm): keep-out for dicing.
constexpr Coord kDieEdge = 50000;
// A tile's name label sits this far above the tile's top edge (nm), at the foot of its upper pad field.
constexpr Coord kTileLabelRise = 3000;
// GDSII stores coordinates as signed 32-bit integers (here nm).
constexpr double kGdsMaxNm = 2147483647.0;

// A tile cell's inputs (its ports circuit::in_port(0), ...) or outputs (circuit::out_port(0), ...).
int64_t ports_of(const Cell& tc, std::string (*name)(int64_t)) {
  int64_t n = 0;
  while (tc.find_port(name(n))) ++n;
  return n;
}

// The x columns of the chip, west to east: input couplers, tiles, output couplers, die.
struct Columns {
  Coord x_gc_in = 0, x_tile = 0, x_out_turn = 0, x_gc_out = 0, die_w = 0;
  int64_t group_in = 0, group_out = 0;  // the most paths turning one way on a tile's input / output side
};

Columns columns(const Library& lib, const TileCells& cells, const std::vector<std::string>& tiles, const IoFanout& io,
                const LayoutParams& p) {
  Columns c;
  Coord max_len = 0;
  for (const std::string& t : tiles) {
    const Cell& tc = lib.cell(t);
    c.group_in = std::max(c.group_in, ports_of(tc, circuit::in_port) / 2);
    c.group_out = std::max(c.group_out, ports_of(tc, circuit::out_port) / 2);
    max_len = std::max(max_len, cells.facts(t).length);
  }
  c.x_gc_in = kDieEdge + io.coupler_length();
  c.x_tile = c.x_gc_in + io.span(c.group_in);
  c.x_out_turn = c.x_tile + max_len + io.clearance();
  c.x_gc_out = c.x_tile + max_len + io.span(c.group_out);
  c.die_w = std::max(c.x_gc_out + io.coupler_length() + kDieEdge, furniture_min_width(p));
  return c;
}

}  // namespace

void check_fits_gds(const circuit::Netlist& netlist, const LayoutParams& p) {
  const Coord pitch = p.gc_pitch;
  double min_height_nm = 0;
  int64_t tiles = 0;
  for (const circuit::Cell& nc : netlist.cells) {
    switch (circuit::kind_of(nc)) {
      case circuit::CellKind::Tile: {
        // The tile's kind and shape from its own info: no sub-cell is read before the chip is known to fit.
        const circuit::TileShape s = circuit::read_tile_shape(nc);
        ++tiles;
        min_height_nm +=
            static_cast<double>(std::max<int64_t>(std::max(s.rows, s.cols) - 1, 0)) * static_cast<double>(pitch);
        break;
      }
      case circuit::CellKind::Mesh:
      case circuit::CellKind::Attenuators:
      case circuit::CellKind::Layer:
      case circuit::CellKind::Top:
        break;
    }
  }
  if (min_height_nm > kGdsMaxNm)
    fail("LAYOUT-RANGE", fmt::format("the chip would be at least {:.2f} m tall ({} tiles stacked, each at least "
                                     "as tall as its column of couplers at a {:.0f} um pitch): beyond GDSII's "
                                     "32-bit nm coordinates (2.147 m)",
                                     min_height_nm * 1e-9, tiles, static_cast<double>(pitch) / 1000.0));
}

PlacedChip place_chip(CellFactory& f, const TileCells& cells, const std::vector<std::string>& tiles,
                      std::string top_name, const std::string& label) {
  const LayoutParams& p = f.params();
  Library& lib = f.library();
  IoFanout io(f);
  const Columns col = columns(lib, cells, tiles, io, p);
  if (lib.has(top_name)) top_name += "_chip";
  PlacedChip out;
  out.top = top_name;
  Cell& top = lib.add_cell(top_name);
  top.role = CellRole::Top;
  FloorplanFigures& fig = out.figures;
  const Coord y_top = p.port_pitch;  // a tile's top edge above its mode 0 (tile_cells.h)
  Coord y = -kTileGap;               // top edge of the next tile's block
  for (const std::string& t : tiles) {
    const CellFacts& ti = cells.facts(t);
    const Cell& tc = lib.cell(t);
    const int64_t nin = ports_of(tc, circuit::in_port), nout = ports_of(tc, circuit::out_port);
    // The block: pad fields above the tile's top edge and below its bottom, the coupler columns centred on the
    // tile's inputs and outputs.
    const Coord top_rel = std::max({y_top + ti.wiring.up_height, io.reach_above(nin), io.reach_above(nout)});
    const Coord bot_rel = std::min({ti.y_bot - ti.wiring.down_height, -io.reach_below(nin), -io.reach_below(nout)});
    const Coord y0 = y - top_rel;  // mode 0 of the tile
    top.add_ref(t, Trans::translate({col.x_tile, y0}), t);
    f.add_label(top, t, {col.x_tile, y0 + y_top + kTileLabelRise});
    for (WiredPad pd : ti.wiring.pads) {
      pd.center = {pd.center.x + col.x_tile, pd.center.y + y0};
      out.pads.push_back(std::move(pd));
    }
    fig.wired_pads += static_cast<int64_t>(ti.wiring.pads.size());
    fig.wire_length_um += ti.wiring.wire_nm / 1000.0;
    fig.ground_pads += ti.wiring.ground_pads;
    // Inputs: couplers at the west edge -> tile; outputs: tile -> couplers at the east edge.
    const FanoutSide in =
        io.place(top, {t + "_in", true, nin, y0, col.x_tile, col.x_gc_in, col.x_gc_in + io.clearance(), col.group_in});
    const FanoutSide outs = io.place(
        top, {t + "_out", false, nout, y0, col.x_tile + ti.length, col.x_gc_out, col.x_out_turn, col.group_out});
    circuit::DrawnPaths& d = out.drawn[t];
    for (double len : in.lengths_nm) d.in_length_um.push_back(len / 1000.0);
    for (double len : outs.lengths_nm) d.out_length_um.push_back(len / 1000.0);
    d.in_bends = in.bends;
    d.out_bends = outs.bends;
    d.fill_length_um = static_cast<double>(ti.uniform_fill) / 1000.0;
    d.slot_length_um = static_cast<double>(ti.slot_length) / 1000.0;
    d.crossings = 0;           // planar meshes, fan-outs that do not cross (io_fanout.h)
    d.output_couplers = true;  // every output leaves through a grating coupler at the east edge
    for (double len : in.lengths_nm) fig.waveguide_length_nm += len;
    for (double len : outs.lengths_nm) fig.waveguide_length_nm += len;
    fig.waveguide_length_nm += ti.track_length;
    fig.worst_path_added_length_nm =
        std::max(fig.worst_path_added_length_nm,
                 ti.worst_fill + static_cast<Coord>(std::llround(in.longest_nm + outs.longest_nm)));
    fig.worst_path_bends = std::max(fig.worst_path_bends, in.worst_bends + outs.worst_bends);
    fig.heaters += ti.heaters;
    fig.mzis += ti.mzis;
    y = y0 + bot_rel - kTileGap;
  }
  out.io = io.figures();
  // Alignment marks and the test structures (bare MZI, cut-back set) below the circuit.
  const Box die = place_chip_furniture(lib, top, p, Box{0, y, col.die_w, 0}, out.furniture);
  top.add_box(p.layers.floorplan, die);
  f.add_label(top, label, {col.x_gc_in, -kTileGap / 2});
  fig.tiles = static_cast<int64_t>(tiles.size());
  fig.die_width_um = static_cast<double>(die.width()) / 1000.0;
  fig.die_height_um = static_cast<double>(die.height()) / 1000.0;
  fig.die_area_mm2 = fig.die_width_um * fig.die_height_um * 1e-6;
  return out;
}

}  // namespace holo::layout
