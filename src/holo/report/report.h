// Rendering compile results: the programming table (program.csv), report.json for machines and report.md
// for people. Only formatting here; every number comes from analysis/ or the netlist.
#pragma once

#include <string>
#include <vector>

#include "holo/analysis/metrics.h"
#include "holo/circuit/netlist.h"
#include "holo/pdk/pdk.h"
#include "holo/support/diagnostics.h"
#include "holo/support/file_io.h"

namespace holo::report {

// One row per phase shifter of the chip's mesh and attenuator cells (read through circuit/compiled.h; a cell
// that breaks the contract is CIRCUIT-CONTRACT): cell, instance, parameter (theta/phi), phase (rad, wrapped to
// [0, 2 pi)), heater power (mW, from the PDK's P_pi) and DAC code at `dac_bits` (linear in phase over [0, 2 pi)).
std::string program_csv(const circuit::Netlist& n, const pdk::Pdk& pdk, int dac_bits);
// The same, streamed cell by cell (a large chip's table is written without holding it whole).
void write_program_csv(const circuit::Netlist& n, const pdk::Pdk& pdk, int dac_bits, TextSink& sink);

struct CompileInfo {
  std::string model;  // model file name
  std::string pdk_path;
  int mesh_size = 0;
  std::string method;
  std::string activation;
  int dac_bits = 0;
  double rank_energy = 1.0;
  std::vector<Warning> warnings;  // what compile chose for the user (support/diagnostics.h)
};

std::string report_json(const circuit::Netlist& n, const analysis::ChipMetrics& m, const CompileInfo& info);
std::string report_markdown(const circuit::Netlist& n, const analysis::ChipMetrics& m, const CompileInfo& info);

}  // namespace holo::report
