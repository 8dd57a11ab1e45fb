// Simulating one optical stage of a compiled chip (circuit::Stage: a weight matrix W, out x in, tiled onto
// K x K SVD tiles) on a real input batch: modulators, every tile's optical path (fast_path.h) with the
// impairments of SimOptions, homodyne detection with shot and thermal noise, electronic gain and tile
// accumulation. docs/simulation.md states the models; the short version:
//
//  Layout: x is in_features x batch, one sample per column (column-major), so a row-major [batch, in]
//  array (holo::Array, .npy) maps onto it without a copy; the result is out_features x batch, i.e. a
//  row-major [batch, out] array.
//
//  Per tile pass and sample: the modulators carry E_j = sqrt(P_mode) x_j / max_j |x_j| over the tile's
//  input block, P_mode = P_laser * eta_in / cols (the laser shared by the tile's inputs; eta_in = grating
//  coupler and modulator power transmission when losses are on); an all-zero block contributes nothing.
//  The receiver sees y = sqrt(eta_rx) T E (T the tile's realized transfer matrix, eta_rx the homodyne
//  receiver's power transmission), measures I = 2 R Re(y LO*) with a phase-locked LO of power P_LO (phase
//  calibrated on the nominal chip: 0 for the real weights the compiler maps), plus Gaussian noise of
//  variance 2 q (R (|y|^2 + P_LO) + 2 I_dark) B (shot, balanced pair) + i_n^2 B (TIA); B the receiver
//  bandwidth. Electronics rescales I back to W-units: out += gain * c * max|x| * I / (2 R sqrt(P_LO
//  P_mode eta_rx)), where gain = Tile::gain (sigma_max) and c the loss calibration below.
//
//  Gain calibration: c is the least-squares scalar that maps the NOMINAL lossy tile (programmed phases,
//  PDK losses, no other impairment) onto the lossless tile, c = Re<T_lossy, T>/||T_lossy||^2, so an ideal
//  chip with losses computes W x; when the loss is not the same on every path (an MZI mesh whose edge modes
//  skip MZIs in alternate columns) a residual remains, reported as calibration_residual.
//
//  Determinism: static draws come from (seed, stage, tile), detector noise from (seed, stage, tile,
//  sample_offset + column); results are bit-identical for any thread count.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/pdk/pdk.h"
#include "holo/sim/fast_path.h"
#include "holo/sim/options.h"
#include "holo/sim/realize.h"

namespace holo::sim {

// Detection constants of a stage (SI units), from the PDK: responsivity, LO power and bandwidth of
// homodyne_receiver; dark current and TIA noise of photodetector; the I/O losses of grating_coupler (if the
// PDK has one), modulator and homodyne_receiver.
struct DetectorModel {
  double responsivity_a_per_w = 0.0;
  double lo_power_w = 0.0;
  double bandwidth_hz = 0.0;
  double dark_current_a = 0.0;
  double tia_noise_a_per_rthz = 0.0;
  double input_power_factor = 1.0;     // eta_in
  double receiver_power_factor = 1.0;  // eta_rx
};
DetectorModel detector_model(const pdk::Pdk& pdk, bool use_pdk_loss);

struct PreparedTile {
  circuit::Tile tile;
  TileState state;  // the physical draw
  FastProgram program;
  double loss_calibration = 1.0;      // c
  double electronic_gain = 1.0;       // tile.gain * c
  double calibration_residual = 0.0;  // ||c T_lossy - T||_F / ||T||_F on the nominal chip
};

struct PreparedStage {
  std::string node;
  int64_t stage_index = 0;
  int64_t in_features = 0, out_features = 0;
  SimOptions options;  // effective options
  DetectorModel detector;
  std::vector<PreparedTile> tiles;

  int64_t out_of_range() const;  // MZIs / attenuators whose corrected target was out of reach, all tiles
};

// Reads the stage's tiles from the netlist (circuit::read_tile), draws the impairments and compiles the tiles.
// Call once per Monte-Carlo draw (vary options.seed), then run_stage on any number of batches.
// Errors: SIM-BAD-OPTION, SIM-BAD-STAGE (not an optical stage, tiles outside the weight matrix or not
// matching their cells), the reader's CIRCUIT-CONTRACT, PDK-* for missing figures.
PreparedStage prepare_stage(const circuit::Netlist& n, const circuit::Stage& stage, const pdk::Pdk& pdk,
                            const SimOptions& options, int64_t stage_index);

// out (out_features x batch) for x (in_features x batch). sample_offset is added to the column index to
// name samples in the noise streams, so a batch split over several calls gives the same result.
// Errors: SIM-BAD-SHAPE, SIM-NOT-FINITE.
Eigen::MatrixXd run_stage(const PreparedStage& stage, const Eigen::Ref<const Eigen::MatrixXd>& x,
                          int64_t sample_offset = 0);

// prepare_stage + run_stage.
Eigen::MatrixXd simulate_stage(const circuit::Netlist& n, const circuit::Stage& stage, const pdk::Pdk& pdk,
                               const SimOptions& options, int64_t stage_index,
                               const Eigen::Ref<const Eigen::MatrixXd>& x);

}  // namespace holo::sim
