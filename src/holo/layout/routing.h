// Heater wiring of the chip layout (docs/layout.md, "Heater wiring"): every heater gets a bond pad of its own,
// the heaters of one column share a ground track with a pad of its own, and no two wires cross.
//
// A wiring unit is a channel (a ground track at its west side collecting the previous column's ground wires,
// one track per drive wire of the next column, half of them running up and half down) followed by the column
// it serves, with a field of pads above and below. Units alike share one cell ("wires_<k>").
//
// The wires are drawn on the metal stack (params.h, MetalStack) as data: x-running wires on
// MetalStack::horizontal(), y-running ones on MetalStack::vertical(), with a via of the upper metal wherever
// two wires on different metals meet (a jog too short to keep two vertical pieces a space apart stays on the
// vertical metal). With one metal (the bundled PDK: M2) both are the same layer and no vias are drawn.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "holo/layout/cell.h"
#include "holo/layout/cells.h"
#include "holo/layout/params.h"

namespace holo::layout {

// A bond pad of the heater wiring and what it drives, named as program.csv names it: the netlist tile, the mesh
// or attenuator cell in it, the instance and the parameter (theta_rad or phi_rad of a mesh MZI, phi_rad of a
// phase-screen shifter, theta_rad of an attenuator); for the common terminals of a column's heaters the
// instance is "gnd<k>" and the parameter "ground".
struct WiredPad {
  Point center;
  std::string tile, cell, instance, parameter;
  bool ground() const { return parameter == "ground"; }
};

// A heater wire arriving at a channel from the east: its y and the heater it drives (netlist instance,
// program.csv parameter).
struct Drive {
  Coord y = 0;
  std::string instance, parameter;
};

// The wiring of one layout cell: its pads (centres in the cell's coordinates; tile and cell left for the caller
// to name), how far the pad fields reach above the cell's top edge and below its bottom edge, the wire length
// and the number of ground pads.
struct WiringFacts {
  std::vector<WiredPad> pads;
  Coord up_height = 0, down_height = 0;
  double wire_nm = 0;  // wire in channels and pad fan-outs (the wires inside MZI cells are not counted)
  int64_t ground_pads = 0;
};

class HeaterRouter {
 public:
  // Wires and pads go into `f`'s library, drawn with f.params().metals. Cells of `n` modes span y from
  // y_top() (one mode pitch above mode 0) down to y_bot(n).
  explicit HeaterRouter(CellFactory& f);

  Coord y_top() const { return p_.port_pitch; }
  Coord y_bot(int64_t modes) const { return -modes * p_.port_pitch; }
  Coord wire_width() const { return ww_; }
  Coord wire_pitch() const { return g_; }

  // Width of a wiring channel holding a ground track (when `grounds`) and the tracks of `drives` drive wires,
  // half of them going up and half down on shared x positions (0: no channel).
  Coord channel_width(bool grounds, size_t drives) const;

  // One wiring unit of cell `c` at x: a channel, then (unless `column` is 0) the column of length `column` east
  // of it, with the pads of the channel's wires above the cell's top edge and below y_bot. In the channel, the
  // ground wires arriving from the west edge at the heights `grounds` join one track at its west side that runs
  // up; each drive wire arriving from the east edge gets its own track. Drives sorted by y: the upper half go
  // up, the lower half down; the highest up-going drive takes the eastmost track, the next one the track west
  // of it, and so on (each stub then passes under the tracks east of it, which start higher: no crossing),
  // mirrored for the down-going ones, which share the x positions (their tracks lie below every up track). The
  // channel is widened when the pads need more width than the unit has. Returns the channel width; the unit's
  // pads, labelled by instance and parameter, their heights and the wire length are added to `out`.
  Coord unit(Cell& c, Coord x, const std::vector<Coord>& grounds, std::vector<Drive> drives, Coord column, Coord y_bot,
             WiringFacts& out);

 private:
  // A unit's geometry, shared by units alike, and its pads (per wire, west to east as the wires' tracks).
  struct UnitCell {
    std::string name;
    Coord up_height = 0, down_height = 0;
    std::vector<Point> up_pads, down_pads;
    double wire_nm = 0;
  };

  Coord pad_column_pitch(int64_t rows) const;
  int64_t pad_rows(size_t wires, Coord width) const;
  Coord width_for_pads(size_t wires) const;
  Coord pad_group(Cell& c, const std::vector<Coord>& src, Coord width, Coord y_edge, int dir, int64_t rows,
                  std::vector<Point>& pads, double& wire_nm);
  UnitCell make_unit(Coord W, Coord column, int64_t rows, Coord y_bot, const std::vector<Coord>& grounds,
                     const std::vector<Drive>& drives, size_t n_up);

  CellFactory& f_;
  const LayoutParams& p_;
  const MetalStack& metals_;
  Coord ww_ = 0, ws_ = 0, g_ = 0;  // wire width, space, pitch
  std::map<std::string, UnitCell> units_;
};

}  // namespace holo::layout
