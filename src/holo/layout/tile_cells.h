// The layout cells of the netlist's optical cells (docs/layout.md, "Chip layout of a compiled netlist"):
//   - mesh: ONE wired MZI cell referenced at every (column, mode) slot the netlist fills (a run of MZIs at modes
//     m0, m0 + 2, ... of a column is one array), straight fillers where a mode has no MZI in a column, the
//     output phase screen (or plain waveguides) after the last column; mode m runs along y = -m * port_pitch;
//   - attenuator column: one MZI attenuator per mode (arms half a mode pitch apart, so they fit at the pitch);
//   - tile: vh, att and u side by side.
// Each column of a mesh or attenuator cell is preceded by a heater-wiring channel (routing.h) and every
// channel carries a straight filler on every mode, so every path through a cell has the same length.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "holo/circuit/compiled.h"
#include "holo/circuit/thermal_sites.h"
#include "holo/layout/cells.h"
#include "holo/layout/routing.h"

namespace holo::layout {

// What the layout of one netlist cell holds, for the cells that contain it and for the chip's figures.
struct CellFacts {
  Coord length = 0;      // x extent: inputs at x = 0, outputs at x = length
  int64_t modes = 0;     // optical tracks (ports in<m> / out<m> at y = -m * port_pitch)
  Coord worst_fill = 0;  // the longest filler length on any mode (what the layout adds to a path)
  // Straight length every mode runs through outside the netlist's components and idle slots (wiring channels,
  // end fillers), and the length of the straight filling an idle mesh slot (circuit::DrawnPaths).
  Coord uniform_fill = 0, slot_length = 0;
  int64_t heaters = 0, mzis = 0;
  double track_length = 0;  // x extent of the optical elements summed over the tracks, nm
  Coord y_bot = 0;          // bottom edge of the cell's tracks (the wiring's pad fields reach below it)
  WiringFacts wiring;
  // The heater sites of the cell's phase shifters in its own coordinates (um); a tile's carry its parts' sites
  // moved to the tile's coordinates, with `part` set (circuit/thermal_sites.h).
  std::vector<circuit::ThermalSite> sites;
};

class TileCells {
 public:
  // Creates the unit cells every tile uses (the MZI, the phase shifter, the wired MZI, the attenuator) in
  // f's library, in that order.
  TileCells(CellFactory& f, HeaterRouter& router);

  // Each lays out one cell of the compiled chip, read through the contract's views (circuit/compiled.h), under
  // the netlist cell's name and returns that name.
  std::string mesh(const circuit::MeshView& m);
  std::string attenuators(const circuit::AttenuatorColumn& a);
  // `cell_of`: netlist cell -> layout cell of the meshes and attenuator columns laid out so far; the tile's
  // parts must be among them (internal error otherwise: layout_chip lays out the leaves first).
  std::string tile(const circuit::TileView& t, const std::map<std::string, std::string>& cell_of);

  const CellFacts& facts(const std::string& layout_cell) const { return facts_.at(layout_cell); }

 private:
  std::string attenuator_cell();
  std::string coherent_tile(const circuit::TileView& t, const circuit::CoherentTile& ct,
                            const std::map<std::string, std::string>& cell_of);
  void channel_fill(Cell& c, Coord x0, Coord W, int64_t n, const std::string& tag, std::vector<Coord>& fill);
  void add_mode_ports(Cell& c, int64_t n, Coord length) const;

  CellFactory& f_;
  HeaterRouter& router_;
  const LayoutParams& p_;
  std::string mzi_, ps_, mzi_w_, att_;
  Coord lm_ = 0, lps_ = 0, latt_ = 0;             // x length of the MZI, the phase shifter, the attenuator
  Coord dy_phi_ = 0, dy_theta_ = 0, dy_gnd_ = 0;  // wired MZI's drive / ground wires relative to its upper arm
  // x of the heater contacts' centres (e1, e2) of the MZI's phi and theta shifters, the screen shifter and the
  // attenuator's theta, in their cells' coordinates; the attenuator's arms are half a pitch apart.
  Coord phi_e_[2] = {0, 0}, theta_e_[2] = {0, 0}, ps_e_[2] = {0, 0}, att_e_[2] = {0, 0};
  circuit::ThermalSite site(circuit::Shifter k, int64_t index, const Coord e[2], Coord x, Coord y,
                            Coord other_dy) const;
  std::map<std::string, CellFacts> facts_;
};

}  // namespace holo::layout
