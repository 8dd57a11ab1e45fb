// The chip layout of a compiled netlist (issue 5; docs/layout.md). layout_chip only orchestrates; each part has
// a file of its own:
//   tile_cells.h  the layout cells of the netlist's meshes, attenuator columns and tiles
//   routing.h     heater wiring: channels, tracks, pad fields and their fan-outs, on the metal stack
//   io_fanout.h   grating couplers at the fibre pitch fanned out to the mode pitch
//   floorplan.h   the top cell: tiles stacked, I/O columns, furniture, die outline and die figures
//   lvs.h         layout-versus-netlist of the optical connectivity
//   nets.h        the heater wiring checked from the geometry
// All of them read one LayoutParams (params.h), built once by the caller.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/layout/cell.h"
#include "holo/layout/params.h"
#include "holo/layout/routing.h"

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
  double wire_length_um = 0;  // heater wiring in channels, tile extensions and fan-outs (MZI-local wires not counted)
  int64_t alignment_marks = 0;
  int64_t test_structures = 0;            // bare MZI + cut-back waveguides (test_structures.h)
  std::vector<double> cutback_length_um;  // the cut-back set's waveguide lengths
  int64_t layout_cells = 0;               // distinct cells in the library
  int64_t tiles = 0;
};

struct ChipLayout {
  Library lib{"holo_chip"};
  std::string top;
  std::vector<WiredPad> pads;                  // in placement order
  std::map<std::string, std::string> cell_of;  // netlist cell name -> layout cell name (mesh, attenuators, tile)
  // Netlist tile cell name -> what the layout drew on its paths (compile records it in the stages' tiles).
  std::map<std::string, circuit::DrawnPaths> drawn;
  ChipFigures figures;
  // The tiles' heater sites (circuit/thermal_sites.h), by netlist tile cell, in the tile cell's coordinates.
  circuit::ThermalSites thermal_sites;
};

// Lays out the compiled netlist with the parameters `params` (layout_params of the netlist's PDK), reading it only
// through the compiled-chip contract's views (circuit/compiled.h). Errors: LAYOUT-RANGE (a chip beyond GDSII's
// coordinates, checked first from the tiles' shapes), CIRCUIT-CONTRACT (a netlist that is not a compiled chip:
// circuit::verify_compiled), plus the generators' errors.
ChipLayout layout_chip(const circuit::Netlist& netlist, const LayoutParams& params);

}  // namespace holo::layout
