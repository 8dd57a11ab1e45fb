// The chip's optical I/O (docs/layout.md, "I/O fan-out"): one grating coupler per tile input near the west die
// edge and one per output near the east edge, at the PDK's fibre-array pitch (grating_coupler.pitch_um),
// centred on the tile's ports, which sit at the mode pitch. Each path runs straight from its coupler (or port),
// turns with a 90-degree Euler bend (the PDK's bend radius) towards the other end's height, runs vertically,
// turns back and runs straight on (one straight where the heights agree). The input side turns its paths in
// order of their offset, the smallest first, one mode pitch apart, so an inner path's run ends before the
// outer paths' verticals; the output side mirrors it; no two paths cross.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "holo/layout/cells.h"

namespace holo::layout {

// Totals over every fan-out placed.
struct FanoutFigures {
  int64_t bends = 0;     // 90-degree bends placed
  int64_t couplers = 0;  // grating couplers placed
  // Longest minus shortest coupler-to-tile path among one side of one tile, the worst side (a static phase per
  // channel, calibrated through the input modulators and the receivers' local oscillator).
  double length_spread_um = 0;
};

// One side of one tile: `n` paths between the tile's ports at (x_ports, y0 - k * port_pitch), k = 0..n-1, and
// couplers (ports at x_couplers) at the fibre pitch centred on them. Inputs run from the couplers (west) to the
// ports; outputs from the ports to the couplers (east, mirrored). Paths turn in columns one mode pitch apart
// from x_turn; `group` is the most paths turning one way on this side of any tile (the output side counts its
// columns back from the last, so every tile's outputs turn in the same columns).
struct FanoutSideSpec {
  std::string tag;  // names: <tag><k>_gc for the coupler, <tag><k>_<piece> for the path's pieces
  bool input = true;
  int64_t n = 0;
  Coord y0 = 0, x_ports = 0, x_couplers = 0, x_turn = 0;
  int64_t group = 0;
};

// What one side placed: each path's centreline length (nm, in port order), the longest, and the most bends on
// one path.
struct FanoutSide {
  std::vector<double> lengths_nm;
  std::vector<int64_t> bends;  // 90-degree bends per path, in port order
  double longest_nm = 0;
  int64_t worst_bends = 0;
};

class IoFanout {
 public:
  // Creates the grating coupler and the 90-degree Euler bend in f's library (in that order). LAYOUT-PARAM when
  // the smallest offset between a coupler and its port, (coupler pitch - mode pitch) / 2, cannot hold two bends.
  explicit IoFanout(CellFactory& f);

  // x extent of a coupler west of its port (taper and grating).
  Coord coupler_length() const { return gc_len_; }
  // Clearance between a coupler's port (or a tile's last port column) and the first turn, and between the last
  // bend and the other end: one mode pitch.
  Coord clearance() const { return p_.port_pitch; }
  // x extent of a side whose paths turn in `group` columns: clearance, the columns one mode pitch apart, the
  // bends' run, clearance.
  Coord span(int64_t group) const;
  // How far the couplers of n ports centred on them reach above the first port and below it.
  Coord reach_above(int64_t n) const;
  Coord reach_below(int64_t n) const;

  FanoutSide place(Cell& top, const FanoutSideSpec& s);

  const FanoutFigures& figures() const { return fig_; }

 private:
  double path(Cell& top, Port at, Point end, Coord x_turn, const std::string& tag, int64_t& bends);

  CellFactory& f_;
  const LayoutParams& p_;
  std::string gc_, bend_;
  Point bend_end_;  // the bend's o2 (o1 at the origin heading east: advance x, lateral y)
  Coord gc_len_ = 0;
  FanoutFigures fig_;
};

// Turning x of each path of a fan-out from heights `from` to heights `to` (same count, same order): the paths
// moving up and those moving down each turn in order of their offset, `step` apart from `base`, the smallest
// offset first when `inner_first` (input side) or last, counted back from `group` columns (output side).
std::vector<Coord> fanout_turns(const std::vector<Coord>& from, const std::vector<Coord>& to, Coord base, Coord step,
                                int64_t group, bool inner_first);

}  // namespace holo::layout
