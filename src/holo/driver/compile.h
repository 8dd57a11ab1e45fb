// holo compile: model -> simplified graph -> photonic netlist -> files in OUT/, as a named stage pipeline
// (driver/pipeline.h): import, simplify, map, verify, analyse, layout, checks, write.
#pragma once

#include <string>
#include <vector>

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
  bool progress = false;  // show progress on a terminal
  bool layout = true;     // write chip.gds/.lyp/.drc/.svg and add layout figures to the report
  bool drc = false;       // also run holo's (flat) DRC on the chip during compile (seconds for large chips)
  bool stats = false;     // append the per-stage table (seconds, growth of the peak memory) to the text
  // Stages whose intermediate form is written when they finish (compile_stages() lists them with their forms),
  // as <dump_dir>/<OUT name>.after-<stage>.<form>; never inside OUT (OUT holds what its manifest lists).
  std::vector<std::string> dump_after;
  std::string dump_dir;  // empty: OUT's parent directory (beside OUT)
};

// The stages of holo compile, in order, with what they do and the form --dump-after writes.
const std::vector<StageInfo>& compile_stages();

// Writes OUT/circuit.json, netlist.pic.yml, netlist.spi, program.csv, report.json, report.md,
// chip.gds (+ chip.lyp, chip.layermap, chip.drc KLayout deck, chip.svg preview) and model.onnx (the simplified graph,
// float64 weights, which `holo simulate` runs the electronic stages and the reference from).
// json: out, model, pdk, counts, figures, macs_per_sample, stages [{name, seconds, peak_rss_mb}] (the stages that
// ran), warnings [{code, message}] (also in report.json and Result::warnings), dumps (paths, when asked),
// layout_skipped (why, when the chip is too large for GDSII). Warnings: LAYOUT-FALLBACK (a layout figure the PDK
// lacks, holo's default used), LAYOUT-SKIPPED.
Result compile(const std::string& model_path, const std::string& out_dir, const CompileOptions& opts);

}  // namespace holo::driver
