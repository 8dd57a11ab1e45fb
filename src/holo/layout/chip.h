// The chip layout of a compiled netlist (issue 5): per mesh cell of the netlist a layout cell with ONE wired
// MZI cell referenced at every (column, mode) position (straight fillers where a mode has no MZI in a column,
// so every path through a mesh has the same length), the output phase screen as phase-shifter cells, a
// column of MZI attenuators, tile cells chaining vh -> att -> u, and a top cell stacking the tiles with
// grating couplers at the fibre-array pitch near the west (inputs) and east (outputs) die edges fanned out to
// the mode pitch, a die outline (FLOORPLAN), labels (TEXT) and the test structures (test_structures.h).
// Heater wiring on M2 (docs/layout.md): before each column a channel takes the previous column's ground wires
// to one track and each drive wire of the column to a track of its own, half up and half down; above and
// below each channel + column a field of bond pads, one per heater and one per ground track, reached by a
// fan-out without crossings. The wiring is checked from the geometry by layout/nets.h.
// Layout-versus-netlist: check_layout_vs_netlist extracts the optical connectivity of each mesh, attenuator
// and tile cell from the placed geometry (ports that meet, extract.h) and compares it with the netlist.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/layout/cell.h"
#include "holo/pdk/pdk.h"

namespace holo::layout {

struct ChipFigures {
  double die_width_um = 0, die_height_um = 0, die_area_mm2 = 0;
  // Waveguide length along the mode tracks (x extent of every placed optical element, summed over tracks):
  // mesh components, fillers and I/O waveguides.
  double waveguide_length_um = 0;
  int64_t bends = 0;             // I/O fan-out bends placed (the couplers' S-bends belong to the MZIs)
  int64_t worst_path_bends = 0;  // fan-out bends on one path (two on the input side, two on the output)
  int64_t crossings = 0;         // waveguide crossings (planar Clements meshes and fan-outs: 0)
  int64_t io_couplers = 0;       // grating couplers of the chip's inputs and outputs
  // Longest minus shortest coupler-to-tile waveguide among one tile's inputs or outputs (a static phase per
  // channel, calibrated through the input modulators and the receivers' local oscillator).
  double io_length_spread_um = 0;
  // Worst (upper-bound) length a path gains from the layout: fillers plus the longest input and output
  // fan-out waveguides, and the loss that length, the worst path's bends and crossings add (PDK waveguide
  // loss_db_per_cm, bend_loss_db_per_90, crossing_loss_db).
  double worst_path_added_length_um = 0;
  double worst_path_added_loss_db = 0;
  int64_t mzi_instances = 0;  // MZIs placed (mesh and attenuators)
  int64_t heaters = 0;        // thermal phase shifters
  int64_t bond_pads = 0;      // pads placed: one per heater drive wire and per ground track, the test MZI's
  int64_t ground_pads = 0;    // pads of the ground tracks (one per wiring channel holding grounds)
  double wire_length_um =
      0;  // M2 heater wiring in channels, tile extensions and fan-outs (MZI-local wires not counted)
  int64_t alignment_marks = 0;
  int64_t test_structures = 0;            // bare MZI + cut-back waveguides (test_structures.h)
  std::vector<double> cutback_length_um;  // the cut-back set's waveguide lengths
  int64_t layout_cells = 0;               // distinct cells in the library
  int64_t tiles = 0;
};

// A bond pad of the heater wiring and what it drives, named as program.csv names it: the netlist tile, the mesh
// or attenuator cell in it, the instance and the parameter (theta_rad or phi_rad of a mesh MZI, phi_rad of a
// phase-screen shifter, theta_rad of an attenuator); for the common terminals of a column's heaters the
// instance is "gnd<k>" and the parameter "ground".
struct WiredPad {
  Point center;
  std::string tile, cell, instance, parameter;
  bool ground() const { return parameter == "ground"; }
};

struct ChipLayout {
  Library lib{"holo_chip"};
  std::string top;
  std::vector<WiredPad> pads;                  // in placement order
  std::map<std::string, std::string> cell_of;  // netlist cell name -> layout cell name (mesh, attenuators, tile)
  ChipFigures figures;
};

// Errors: LAYOUT-NETLIST (a mesh / attenuator / tile cell that breaks the compiled-chip contract of
// circuit/netlist.h), plus the generators' errors.
ChipLayout layout_chip(const circuit::Netlist& netlist, const pdk::Pdk& pdk);

struct LvsMismatch {
  std::string cell;    // netlist / layout cell
  std::string kind;    // missing_instance, extra_instance, missing_connection, extra_connection, port, open, bad_meet
  std::string detail;  // e.g. "mzi3.o3 -- mzi7.o2"
};

// Compares the optical connectivity extracted from the layout cells with the netlist's connections and
// ports, for every netlist cell of kind mesh, attenuators or tile that has a layout cell. Straight fillers
// (instances named "fill_*") are transparent. Array elements of an MZI column ("zc<column>m<mode>" AREFs,
// element <0.j>) stand for the netlist MZI at (column, mode + 2j). Empty when they agree.
std::vector<LvsMismatch> check_layout_vs_netlist(const Library& lib, const std::map<std::string, std::string>& cell_of,
                                                 const circuit::Netlist& netlist);

}  // namespace holo::layout
