// holo compile: model -> simplified graph -> photonic netlist -> files in OUT/, as a named stage pipeline
// (driver/pipeline.h): import, simplify, map, verify, analyse, layout, checks, laser_power, write.
#pragma once

#include <string>
#include <vector>

#include "holo/driver/design.h"
#include "holo/driver/pipeline.h"
#include "holo/driver/result.h"

namespace holo::driver {

struct CompileOptions {
  std::string pdk_path;  // empty: the bundled default PDK
  int mesh_size = 64;
  std::string method = "clements";
  std::string activation = "oeo";
  int dac_bits = 8;
  double rank_energy = 1.0;
  // PDK variants applied over the platform, in order (pdk/variants/NAME.json; docs/pdk.md#variants).
  std::vector<std::string> pdk_variants;
  bool progress = false;  // show progress on a terminal
  bool layout = true;     // write chip.gds/.lyp/.drc/.svg and add layout figures to the report
  bool drc = false;       // also run holo's (flat) DRC on the chip during compile (seconds for large chips)
  bool stats = false;     // append the per-stage table (seconds, growth of the peak memory) to the text
  // Stages whose intermediate form is written when they finish (compile_stages() lists them with their forms),
  // as <dump_dir>/<OUT name>.after-<stage>.<form>; never inside OUT (OUT holds what its manifest lists).
  std::vector<std::string> dump_after;
  std::string dump_dir;  // empty: OUT's parent directory (beside OUT)
  // The calibration batch of the laser_power stage (docs/simulation.md#laser-power): one .npy per model input;
  // empty: no search, the PDK's laser power is charged (warning LASER-POWER-UNCALIBRATED).
  std::vector<std::string> calibrate_paths;
  std::string calibrate_labels_path;  // optional: class labels (criterion: accuracy; else agreement)
  // The calibration criterion: accuracy at most this many points below the reference (with labels), else agreement
  // at least 1 - this / 100.
  double accuracy_drop_pp = 1.0;
};

// The design point of the options (OUT/design.json), and the options set from one (holo compile --design).
Design design_of(const CompileOptions& opts);
void apply_design(CompileOptions& opts, const Design& d);

// The stages of holo compile, in order, with what they do and the form --dump-after writes.
const std::vector<StageInfo>& compile_stages();

// Writes OUT/circuit.json, netlist.pic.yml, netlist.spi, program.csv, report.json, report.md,
// chip.gds (+ chip.lyp, chip.layermap, chip.drc KLayout deck, chip.svg preview) and model.onnx (the simplified graph,
// float64 weights, which `holo simulate` runs the electronic stages and the reference from).
// json: out, model, pdk, counts, figures, macs_per_sample, stages [{name, seconds, peak_rss_mb}] (the stages that
// ran), warnings [{code, message}] (also in report.json and Result::warnings), dumps (paths, when asked),
// layout_skipped (why, when the chip is too large for GDSII), laser_power_required_mw (null unless found) and
// laser_power (as in report.json). Warnings: LAYOUT-FALLBACK (a layout figure the PDK lacks, holo's default used),
// LAYOUT-SKIPPED, LASER-POWER-CAP (the calibration target is not reachable below the waveguide power cap: the cap
// is charged), LASER-POWER-UNCALIBRATED (no --calibrate: the PDK's laser power is charged).
Result compile(const std::string& model_path, const std::string& out_dir, const CompileOptions& opts);

}  // namespace holo::driver
