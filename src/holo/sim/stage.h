// Simulating one optical stage of a compiled chip (circuit::Stage: a weight matrix W, out x in, tiled onto
// K x K SVD tiles) on a real input batch: modulators, every tile's optical path (fast_path.h) with the
// impairments of SimOptions, homodyne detection with shot and thermal noise, electronic gain and tile
// accumulation. docs/simulation.md states the models; the short version:
//
//  Layout: x is in_features x batch, one sample per column (column-major), so a row-major [batch, in]
//  array (holo::Array, .npy) maps onto it without a copy; the result is out_features x batch, i.e. a
//  row-major [batch, out] array.
//
//  Per tile pass and sample: the DAC drives the modulators with q_dac(x_j / max_j |x_j|) over the tile's input
//  block (signed, 2^(b-1) - 1 levels per sign, b = PDK dac.bits), so the field into input j at the laser is
//  sqrt(P_laser) q_dac(...); an all-zero block contributes nothing. Every loss on the way, from the input grating
//  coupler to the receiver, is in the tile's path (circuit/path_loss.h: the drawn paths when the chip has them):
//  the receiver sees y = T' E, T' the realized lossy transfer matrix, and measures I = 2 R Re(y LO*) with a
//  phase-locked LO of power P_LO (phase calibrated on the nominal chip: 0 for the real weights the compiler maps),
//  plus Gaussian noise of variance 2 q (R (|y|^2 + P_LO) + 2 I_dark) B (shot, balanced pair) + i_n^2 B (TIA) +
//  RIN I^2 B (laser intensity noise, signal and LO from one laser); B = min(receiver bandwidth, symbol rate / 2),
//  the symbol rate the slowest of the DAC, ADC, modulator and receiver (detector_model). The ADC quantizes I over the
//  receiver's full scale (the largest |Re(T'_nominal x)| any |x_j| <= 1 can give, 2^(b-1) - 1 levels per sign,
//  clipped). Electronics rescales it: out += gain * c * max|x| * I / (2 R sqrt(P_LO P_laser)), gain = Tile::gain
//  (sigma_max), c the calibration.
//
//  Gain calibration: each receiver's electronic gain is Tile::gain times c_i, the least-squares scalar that maps
//  row i of the NOMINAL lossy tile (programmed phases, every loss, no other impairment) onto the lossless row,
//  c_i = Re<T_lossy_i, T_i>/||T_lossy_i||^2, so an ideal chip with losses computes W x; when the loss is not the
//  same on every path into a receiver (idle slots that lose less than MZIs, input fan-outs of different lengths)
//  a residual remains, reported as calibration_residual.
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
// homodyne_receiver; dark current and TIA noise of photodetector; the symbol rate (the slower of dac and adc
// sample_rate_gsps) and the noise bandwidth it sets; the laser's RIN (laser rin_db_per_hz; 0 when the PDK has
// none); the converters' bits.
struct DetectorModel {
  double responsivity_a_per_w = 0.0;
  double lo_power_w = 0.0;
  double receiver_bandwidth_hz = 0.0;
  double symbol_rate_hz = 0.0;
  double bandwidth_hz = 0.0;  // noise bandwidth: min(receiver bandwidth, symbol rate / 2)
  double dark_current_a = 0.0;
  double tia_noise_a_per_rthz = 0.0;
  double rin_per_hz = 0.0;  // linear, 10^(RIN_dB/10)
  bool has_rin = false;     // the PDK gives laser rin_db_per_hz
  int32_t dac_bits = 0, adc_bits = 0;
};
DetectorModel detector_model(const pdk::Pdk& pdk);

// Noise variance (A^2) of a balanced homodyne receiver with signal power signal_w (W) at it, the signal current
// being 2 R sqrt(P_LO signal_w), for the effects `o` turns on.
double noise_variance_a2(const DetectorModel& d, const SimOptions& o, double signal_w);

// SNR (dB) of a receiver whose signal arrives through `loss_db` from a laser of `laser_power_mw` per channel, at
// full scale (a field amplitude of sqrt(P_laser 10^(-loss/10))): signal current squared over the noise variance.
double full_scale_snr_db(const DetectorModel& d, const SimOptions& o, double laser_power_mw, double loss_db);

// Signed mid-tread quantizer of the signal path: v in units of full_scale to the nearest of (2^(bits-1) - 1)
// levels per sign, clipped to +-full_scale. bits >= 2.
double quantize_signal(double v, double full_scale, int32_t bits);

struct PreparedTile {
  circuit::Tile tile;
  TileState state;  // the physical draw
  FastProgram program;
  double loss_db = 0.0;                 // the worst input -> output path of the nominal tile, all losses
  std::vector<double> adc_full_scale;   // per output, in normalized field units (signal_quantization)
  double loss_calibration = 1.0;        // c: the least-squares scalar over the whole tile
  std::vector<double> row_calibration;  // c_i per receiver (its own electronic gain); empty without losses
  double electronic_gain = 1.0;         // tile.gain * c
  std::vector<double> output_gain;      // per receiver: tile.gain * c_i, what the electronics apply
  double calibration_residual = 0.0;    // ||diag(c_i) T_lossy - T||_F / ||T||_F on the nominal chip
};

struct PreparedStage {
  std::string node;
  int64_t stage_index = 0;
  int64_t in_features = 0, out_features = 0;
  SimOptions options;  // effective options
  DetectorModel detector;
  std::vector<PreparedTile> tiles;
  double loss_db = 0.0;      // max over tiles of PreparedTile::loss_db (what report.json's stages[].loss_db says)
  bool drawn_paths = false;  // the tiles' losses came from the layout's drawn paths
  // SNR of a full-scale output on the worst path at options.laser_power_mw (NaN without detector noise).
  double snr_db = 0.0;

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
