// holo compile: model -> simplified graph -> photonic netlist -> files in OUT/.
#pragma once

#include <string>

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
};

// Writes OUT/circuit.json, netlist.pic.yml, netlist.spi, program.csv, report.json, report.md,
// chip.gds (+ chip.lyp, chip.layermap, chip.drc KLayout deck, chip.svg preview) and model.onnx (the simplified graph,
// float64 weights, which `holo simulate` runs the electronic stages and the reference from).
Result compile(const std::string& model_path, const std::string& out_dir, const CompileOptions& opts);

}  // namespace holo::driver
