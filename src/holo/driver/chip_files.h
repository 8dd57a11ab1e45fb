// The files of a compiled chip (holo compile's OUT) read back as one bound unit: the netlist, the model it was
// lowered from and the platform it was compiled for, each checked against the hashes circuit.json records and
// the pairing of stages with model nodes checked (runtime/binding.h). What `holo simulate` runs on.
#pragma once

#include <string>

#include "holo/circuit/netlist.h"
#include "holo/graph/graph.h"
#include "holo/pdk/pdk.h"
#include "holo/support/diagnostics.h"

namespace holo::driver {

struct BoundChip {
  circuit::Netlist net;
  graph::Graph graph;
  pdk::Pdk pdk;
  std::string circuit_path, model_path, pdk_path;
  // The laser power per input channel holo compile charged the chip's figures at (circuit.json info
  // laser_power_per_channel_mw; docs/simulation.md#laser-power), which holo simulate runs at by default; 0 when
  // the chip records none (compiled by an earlier holo).
  double laser_power_per_channel_mw = 0;
};

// Reads OUT/circuit.json, OUT/model.onnx and the PDK (OUT/pdk.json, or `pdk_override` when not empty).
// Errors: CHIP-UNBOUND (circuit.json records no model or PDK hash), CHIP-MODEL-MISMATCH (model.onnx is not the
// model compiled), CHIP-PDK-MISMATCH (OUT/pdk.json changed), CHIP-STAGE-MISMATCH, CIRCUIT-*, and the readers'
// errors, CHIP-LASER-POWER (info laser_power_per_channel_mw is not a power in (0, 10000] mW). Warnings: PDK-DIFFERS (an
// explicit --pdk other than the compiled one), OUT-MODIFIED (circuit.json differs from the manifest compile wrote: an
// edited chip is simulated as edited), OUT-NO-MANIFEST.
BoundChip load_bound_chip(const std::string& out_dir, const std::string& pdk_override, Diagnostics& diag);

}  // namespace holo::driver
