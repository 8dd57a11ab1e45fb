// Rendering compile results: the programming table (program.csv), report.json for machines, report.md and
// report.html (html.cpp) for people. Only formatting here; every number comes from analysis/ or the netlist.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "holo/analysis/metrics.h"
#include "holo/circuit/netlist.h"
#include "holo/circuit/path_loss.h"
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

// How compile chose the laser power its figures are charged at (metrics.laser; docs/simulation.md#laser-power).
struct LaserReport {
  bool decided = false;           // the laser_power stage has run (before it, report dumps say laser_power: null)
  bool required_found = false;    // the calibration found a power (else laser_power_required_mw is null)
  double required_mw = 0;         // per channel, when found
  double cap_per_channel_mw = 0;  // the per-channel cap the search was bounded by
  std::string cap_method;         // how the cap follows from the waveguide limit
  double waveguide_max_mw = 0;    // PDK waveguide.max_power_mw
  bool calibrated = false;        // a calibration batch was given; the fields below describe the search
  std::string batch, labels;      // file names (labels empty: agreement criterion)
  int64_t samples = 0;
  std::string criterion;
  std::string outcome;  // runtime::outcome_name: found, at_floor, unreachable
  bool labelled = false;
  double reference_accuracy = 0;       // labelled only
  double accuracy = 0, agreement = 0;  // at the charged power (the required one, or the cap)
  double below_mw = 0;                 // found: the highest power that failed
  double floor_mw = 0, tolerance = 0;
  uint64_t seed = 0;
  int draws = 0;
  int64_t evaluations = 0;
  std::string simulator;  // the simulator options the search ran with, in words
};

// The chip's lossiest optical path, element by element (report.html's loss section).
struct WorstPathReport {
  std::string stage;        // the optical stage (graph node) it belongs to
  std::string tile;         // its tile's cell
  circuit::WorstPath path;  // what it crosses
  circuit::TileLoss loss;   // that tile's per-element losses (dB)
};

// Over every optical stage's tiles, the loss model's worst path (on the drawn paths where the tiles carry them,
// as analysis::add_stage_losses); of equal ones the first in stage order. nullopt without optical stages.
std::optional<WorstPathReport> worst_path_report(const circuit::Netlist& n, const pdk::Pdk& pdk);

struct CompileInfo {
  std::string model;  // model file name
  std::string pdk_path;
  int mesh_size = 0;
  std::string method;
  std::string activation;
  int dac_bits = 0;
  double rank_energy = 1.0;
  std::vector<Warning> warnings;  // what compile chose for the user (support/diagnostics.h)
  LaserReport laser;
  std::vector<std::string> pdk_variants;      // --pdk-variant, in order (report.json options.pdk_variants when given)
  std::optional<WorstPathReport> worst_path;  // report.html's loss breakdown (absent: per stage only)
};

std::string report_json(const circuit::Netlist& n, const analysis::ChipMetrics& m, const CompileInfo& info);
std::string report_markdown(const circuit::Netlist& n, const analysis::ChipMetrics& m, const CompileInfo& info);

// report.html's view of the layout preview (chip.svg).
struct ChipPreview {
  std::string svg;    // chip.svg's text, embedded in the report (empty: not embedded)
  int64_t bytes = 0;  // chip.svg's size; > 0 with `svg` empty: too large to embed, linked by relative path
};
// chip.svg above this size is linked from report.html, not embedded.
inline constexpr int64_t kEmbedChipSvgMaxBytes = int64_t{5} << 20;

// The power report.html's breakdown draws (mW by contributor, at the pipelined throughput): the metrics'
// power_breakdown_mw (heaters, laser, receivers, dacs, modulators, adcs, accumulators, nonlinearities), which sums to
// total_power_mw. Empty metrics give no entry.
std::map<std::string, double> power_parts(const analysis::ChipMetrics& m);

// report.html: the report for people, one self-contained page (inline style and SVG, no script, no external
// resource; docs/outputs.md). Every string of the model or platform is HTML-escaped; same input, same bytes.
std::string report_html(const circuit::Netlist& n, const analysis::ChipMetrics& m, const CompileInfo& info,
                        const ChipPreview& chip);

}  // namespace holo::report
