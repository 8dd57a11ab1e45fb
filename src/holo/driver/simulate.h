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
  sim::SimOptions sim;
  int monte_carlo = 1;  // independent impairment draws (seeds seed, seed+1, ...); statistics over draws
  bool progress = false;
};

Result simulate(const std::string& out_dir, const SimulateOptions& opts);

}  // namespace holo::driver
