// A compiled chip that runs its model: a graph whose optical stages (circuit::Stage, domain "optical") execute
// on the simulated chip (sim/stage.h) and whose electro-optic activations (domain "optical_activation") go
// through the EO activation model (sim/eo_activation.h); every other node runs on the reference executor's
// double-precision kernels (graph/executor.h). One Chip is one physical draw of the impairments
// (SimOptions::seed); runtime/evaluate.h runs several for Monte-Carlo statistics.
//
// The glue between graph layouts and the stage's column batches:
//  Gemm    A [batch, k] (or A^T with transA) is the k x batch column batch; alpha * result, + beta * C broadcast.
//  MatMul  A [..., k]: every row of the flattened leading dims is one column.
//  Conv    im2col of every sample (graph/ops.h): each output position of each sample is one column (the
//          positions share the mesh in time); + bias per output channel.
//  EO      per sample, values scaled so the largest is the laser power per channel, detected by homodyne at
//          the small-signal phase of f, and scaled back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/graph/graph.h"
#include "holo/pdk/pdk.h"
#include "holo/sim/options.h"
#include "holo/support/array.h"

namespace holo::runtime {

// What preparing the chip's stages found (sim::PreparedStage), for one draw.
// The loss and SNR an optical stage was simulated with (sim::PreparedStage).
struct StageFigures {
  std::string node;
  double loss_db = 0;  // the worst input -> output path of its tiles, every loss included
  double snr_db = 0;   // a full-scale output on that path at the simulated laser power; NaN without noise
  bool drawn = false;  // the losses follow the layout's drawn paths
};

struct ChipStats {
  std::vector<StageFigures> stages;       // optical stages in execution order
  int64_t out_of_range = 0;               // MZIs / attenuators whose corrected target was out of reach, all stages
  int64_t tiles_tried = 0;                // tiles where coupler correction was tried
  int64_t tiles_corrected = 0;            // ... and its programming kept
  double worst_calibration_residual = 0;  // largest gain-calibration residual of any tile
};

class Chip {
 public:
  // Prepares every optical stage of `net` (one impairment draw from options.seed). `g` is the model the chip
  // was compiled from (runtime/binding.h checks the pairing) and must outlive the Chip. Errors: sim's
  // (SIM-BAD-OPTION, SIM-BAD-STAGE, SIM-MISSING-CELL, SIM-BAD-CELL), PDK-* for missing figures.
  Chip(const graph::Graph& g, const circuit::Netlist& net, const pdk::Pdk& pdk, const sim::SimOptions& options);
  ~Chip();
  Chip(Chip&&) noexcept;
  Chip& operator=(Chip&&) noexcept;

  const ChipStats& stats() const;

  // Sets the laser power per input channel of every optical stage (SimOptions::laser_power_mw) without
  // re-preparing them: the draw (phases, losses, calibration) does not depend on it, and the detector noise of
  // each sample is drawn from streams that do not either, so the result equals a Chip prepared at that power.
  // SIM-BAD-OPTION for a power that is not finite and > 0 while detector noise is on.
  void set_laser_power_mw(double per_channel_mw);

  // The graph outputs (g.outputs order) for inputs in g.inputs order (checked by the caller:
  // graph::check_inputs).
  std::vector<Array> run(const std::vector<Array>& inputs) const;

  // The graph::NodeOverride of run: computes `n` on the chip when it is an optical stage or an EO activation
  // (true), else leaves it to the reference kernel (false).
  bool compute(const graph::Node& n, const std::vector<const Array*>& in, std::vector<Array>& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace holo::runtime
