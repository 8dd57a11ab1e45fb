// holo simulate OUT --input X.npy [--labels y.npy]: runs a compiled chip on a batch. Linear layers go
// through the simulated optics (sim/), every other op through the same double-precision kernels as the
// reference executor; the reference executor runs alongside for agreement and error statistics.
#pragma once

#include <string>
#include <vector>

#include "holo/driver/result.h"
#include "holo/sim/options.h"

namespace holo::driver {

struct SimulateOptions {
  std::vector<std::string> input_paths;
  std::string labels_path;  // optional
  std::string pdk_path;     // empty: the PDK the chip was compiled with
  sim::SimOptions sim;      // sim.laser_power_mw is set from the per-channel power below
  // Laser power per input channel (mW, at the laser; docs/simulation.md#laser-power). 0: the power holo compile
  // charged (circuit.json info laser_power_per_channel_mw), or the PDK's laser power_per_channel_mw for a chip
  // that records none.
  double laser_power_per_channel_mw = 0;
  int monte_carlo = 1;  // independent impairment draws (seeds seed, seed+1, ...); statistics over draws
  bool progress = false;
};

Result simulate(const std::string& out_dir, const SimulateOptions& opts);

}  // namespace holo::driver
