// holo explore MODEL -o DIR: the design-space explorer (docs/explore.md). It screens every combination of the
// design knobs (tile size, mesh method, SVD rank, PDK variants) on the schematic figures, evaluates the most
// promising ones as real compiles (layout, thermal crosstalk, the laser power the realistic simulator needs on the
// calibration batch), and writes the Pareto front of what it evaluated: DIR/pareto.csv, pareto.json, pareto.svg,
// and DIR/best/, an ordinary compile output of the chosen point (with its design.json).
#pragma once

#include <string>
#include <vector>

#include "holo/driver/design.h"
#include "holo/driver/result.h"

namespace holo::driver {

// The photonic targets (defaults: the performance guide's) a design point should meet.
struct ExploreTargets {
  double loss_db = 10;          // end_to_end_loss_db at most
  double power_w = 1;           // total_power_mw / 1000 at most
  double latency_ns = 1;        // latency_ps / 1000 at most
  double bandwidth_ghz = 10;    // bandwidth_ghz at least
  double accuracy_drop_pp = 1;  // accuracy (or agreement) at most this many points below the reference
};

struct ExploreOptions {
  std::string out_dir;
  std::string pdk_path;                      // empty: the bundled platform
  std::vector<std::string> calibrate_paths;  // required: the batch the accuracy estimate runs on
  std::string calibrate_labels_path;         // optional: labels (accuracy; else agreement with the reference)
  ExploreTargets targets;
  // Knob values searched; empty: the defaults (mesh sizes 4..64 in powers of two up to the widest layer, both
  // methods, rank energy 1 and 0.99, every shipped variant of each PDK knob plus none).
  std::vector<int> mesh_sizes;
  std::vector<std::string> methods;
  std::vector<double> rank_energies;
  std::vector<std::string> variants;  // variant names to consider (grouped by their knob)
  int budget = 24;                    // designs evaluated as full compiles
  int jobs = 0;                       // parallel evaluations (0: the hardware's threads)
  bool progress = false;
};

// Errors: CLI-MISSING-OPTION (no -o or --calibrate), CLI-BAD-OPTION (a knob value or budget out of range), the
// model and calibration readers' errors, FILE-WRITE. A design whose compile fails is kept in pareto.json with its
// error and left out of the front.
Result explore(const std::string& model_path, const ExploreOptions& opts);

}  // namespace holo::driver
