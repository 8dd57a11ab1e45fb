// The loss model of a compiled chip's optical paths: one set of per-element losses (dB), from the PDK's figures
// and, when the chip was laid out, from what the layout drew (circuit::DrawnPaths). The simulator builds its lossy
// optical path from these numbers (sim/realize.h) and the report sums them along each stage's worst path
// (analysis), so the two cannot disagree about what loses light (docs/simulation.md, "Losses").
//
// Per tile, a path from input j to output i crosses, in order:
//   in_db[j]   the input grating coupler, the modulator, and the drawn fan-in waveguide (length, bends);
//   the V^H mesh: per column an MZI (mzi_db) or an idle slot (idle_slot_db);
//   the attenuator on its mode (attenuator_db), modes >= rank dropped;
//   the U mesh likewise, then its output phase screen (screen_db per mode);
//   fill_db    the straight every mode runs through inside the tile (wiring channels, end fillers) and the
//              path's crossings;
//   out_db[i]  the drawn fan-out waveguide (length, bends), the output grating coupler the layout draws, and the
//              homodyne receiver.
// MZIs, attenuators (the same MZI) and screen shifters lose their insertion_loss_db plus the waveguide's
// loss_db_per_cm over their length_um (the MZI's for an attenuator); the modulator's, grating couplers' and
// receiver's figures are whole-device losses. Straights the layout adds lose loss_db_per_cm over their length,
// bends bend_loss_db_per_90 each, crossings crossing_loss_db.
#pragma once

#include <cstdint>
#include <vector>

#include "holo/circuit/compiled.h"
#include "holo/circuit/netlist.h"
#include "holo/pdk/pdk.h"

namespace holo::circuit {

struct LossOptions {
  bool use_pdk_loss = true;  // false: every element lossless (all figures 0 dB)
  bool use_drawn = true;     // use the tile's drawn paths when it has them; false: the schematic's paths only
  // Idle mesh slots lose as much as an MZI (loss-matched dummy sections, which the layout does not draw): a
  // hypothetical chip, for comparison. false: an idle slot is what the layout drew (a straight), or nothing.
  bool balanced = false;
};

struct TileLoss {
  std::vector<double> in_db;   // per tile input (cols)
  std::vector<double> out_db;  // per tile output (rows)
  double mzi_db = 0, attenuator_db = 0, screen_db = 0;
  double idle_slot_db = 0;  // one idle slot of a mesh column
  double fill_db = 0;       // uniform, every mode
  bool drawn = false;       // the drawn paths were used
};

// PDK-* errors for a missing figure (grating_coupler is optional: without it the I/O has no coupler loss).
TileLoss tile_loss(const Tile& tile, const pdk::Pdk& pdk, const LossOptions& o);

// The largest total loss (dB) of any input -> output path of the tile: elements summed along each path, the
// maximum over paths by dynamic programming over the meshes' MZIs in optical order (every path crosses one
// element per mesh column). A tile with no live path (rank 0) gives 0.
double worst_path_loss_db(const TileView& tile, const TileLoss& loss);

// That worst path, element by element (report.html draws its contributions): which input and output it joins
// and how many of each element it crosses. loss_db is worst_path_loss_db's value (the same sums in the same
// order); in_db[input] + mzis * mzi_db + idle_slots * idle_slot_db + screens * screen_db + attenuators *
// attenuator_db + fill_db + out_db[output] adds up to it (to rounding). Of equally lossy paths, the one through
// the lower mode. A tile with no live path: input = output = -1, loss 0.
struct WorstPath {
  double loss_db = 0;
  int64_t input = -1, output = -1;
  int64_t vh_mzis = 0, vh_idle_slots = 0, vh_screens = 0;  // the V^H mesh and its output screen (0 or 1)
  int64_t attenuators = 0;                                 // 0 or 1
  int64_t u_mzis = 0, u_idle_slots = 0, u_screens = 0;     // the U mesh likewise
};
WorstPath worst_path(const TileView& tile, const TileLoss& loss);

}  // namespace holo::circuit
