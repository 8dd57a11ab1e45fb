#include "holo/driver/simulate.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "holo/driver/chip_files.h"
#include "holo/driver/model.h"
#include "holo/runtime/evaluate.h"
#include "holo/runtime/laser_power.h"
#include "holo/sim/realize.h"
#include "holo/sim/stage.h"
#include "holo/sim/thermal_sites_model.h"
#include "holo/support/error.h"
#include "holo/support/npy.h"
#include "holo/support/progress.h"

namespace holo::driver {

namespace {

// The laser power per channel the chip runs at and where it comes from: "option" (--laser-power-mw), "chip" (what
// compile charged, recorded in circuit.json) or "pdk" (the platform's laser power_per_channel_mw).
struct ChannelPower {
  double mw = 0;
  std::string source;
};

ChannelPower channel_power(const SimulateOptions& opts, const BoundChip& bound) {
  if (opts.laser_power_per_channel_mw > 0) return {opts.laser_power_per_channel_mw, "option"};
  if (bound.laser_power_per_channel_mw > 0) return {bound.laser_power_per_channel_mw, "chip"};
  return {bound.pdk.tmpl("laser").number("power_per_channel_mw"), "pdk"};
}

// Thermal crosstalk as simulated (docs/simulation.md#thermal-crosstalk): whether the chip records heater sites,
// and per optical stage the largest error crosstalk leaves on a programmed phase and the largest common phase of
// an MZI (the same step 5 of the draw the simulation made: it depends on no random draw).
nlohmann::json thermal_report(const circuit::Netlist& net, const pdk::Pdk& pdk, const sim::SimOptions& eff,
                              Diagnostics& diag, std::string& text) {
  nlohmann::json j = {{"sites_recorded", !net.thermal_sites.empty()},
                      {"on", eff.thermal_crosstalk && !net.thermal_sites.empty()},
                      {"compensated", eff.compensated_crosstalk}};
  if (!eff.thermal_crosstalk) {
    text += "  thermal crosstalk: off\n";
    return j;
  }
  if (net.thermal_sites.empty()) {
    diag.warn("THERMAL-NOT-MODELLED",
              "the chip records no heater sites (compiled with --no-layout, or by a holo "
              "from before them): thermal crosstalk between the heaters is not simulated");
    text += "  thermal crosstalk: not modelled (no heater sites)\n";
    return j;
  }
  nlohmann::json stages = nlohmann::json::array();
  double worst = 0;
  for (size_t si = 0; si < net.stages.size(); ++si) {
    const circuit::Stage& st = net.stages[si];
    if (st.domain != "optical") continue;
    double residual = 0, common = 0;
    for (size_t k = 0; k < st.tiles.size(); ++k) {
      const auto sites = net.thermal_sites.find(st.tiles[k].cell);
      if (sites == net.thermal_sites.end()) continue;
      const sim::TileState s = sim::realize_tile(circuit::read_tile(net, st.tiles[k].cell), pdk, eff,
                                                 static_cast<int64_t>(si), static_cast<int64_t>(k), &sites->second);
      residual = std::max(residual, s.thermal_residual_rad);
      common = std::max(common, s.thermal_common_rad);
    }
    worst = std::max(worst, residual);
    stages.push_back({{"node", st.node}, {"max_residual_rad", residual}, {"max_common_rad", common}});
  }
  j["cutoff_um"] = sim::crosstalk_cutoff_um(sim::thermal_stack(pdk));
  j["stages"] = stages;
  j["residual_note"] =
      "max |realized - target| of a programmed phase (rad, wrapped), and the largest phase an MZI's "
      "two arms share";
  text += fmt::format("  thermal crosstalk: {}, max phase residual {:.3g} rad\n",
                      eff.compensated_crosstalk ? "compensated (compile's heater powers)" : "uncompensated", worst);
  return j;
}

// The command's JSON and text from the statistics (formatting only).
Result simulate_result(const std::string& out_dir, const SimulateOptions& opts, const sim::SimOptions& sim_options,
                       const ChannelPower& power, const runtime::Statistics& st, const pdk::Pdk& pdk,
                       const Diagnostics& diag) {
  const std::string& pdk_name = pdk.name;
  Result r;
  auto& j = r.json;
  const sim::SimOptions eff = sim::effective(sim_options);
  j["samples"] = st.samples;
  j["agreement"] = st.agreement_mean;
  if (st.labelled) {
    j["accuracy"] = st.accuracy_mean;
    j["reference_accuracy"] = st.reference_accuracy;
  }
  j["output_error"] = {{"max_abs", st.max_abs_error},
                       {"rms", st.rms_error_mean},
                       {"max_abs_over_output_scale", st.output_scale > 0 ? st.max_abs_error / st.output_scale : 0.0},
                       {"output_scale", st.output_scale},
                       {"note", "chip output minus reference executor output over all samples and outputs"}};
  if (st.draws > 1) {
    j["monte_carlo"] = {{"draws", st.draws},
                        {"accuracy_mean", st.accuracy_mean},
                        {"accuracy_std", st.accuracy_std},
                        {"accuracy_min", st.accuracy_min},
                        {"agreement_mean", st.agreement_mean},
                        {"agreement_std", st.agreement_std}};
  }
  j["impairments"] = {{"ideal", opts.sim.ideal},
                      {"dac_bits", eff.dac_bits},
                      {"pdk_loss", eff.use_pdk_loss},
                      {"coupler_sigma_rad", eff.coupler_sigma_rad},
                      {"correct_couplers", eff.correct_couplers},
                      {"phase_noise_rad", eff.phase_noise_rad},
                      {"laser_power_per_channel_mw", power.mw},
                      {"laser_power_source", power.source},
                      {"shot_noise", eff.shot_noise},
                      {"thermal_noise", eff.thermal_noise},
                      {"rin", eff.rin},
                      {"signal_quantization", eff.signal_quantization},
                      {"attenuator_extinction", eff.attenuator_extinction},
                      {"drawn_paths", eff.use_drawn_paths},
                      {"balanced_mesh_loss", eff.balanced_mesh_loss},
                      {"delta_t_k", eff.delta_t_k},
                      {"seed", opts.sim.seed}};
  // Per optical stage, the loss and SNR the simulation used (report.json stages[].loss_db is the same model).
  j["stages"] = nlohmann::json::array();
  for (const runtime::StageFigures& s : st.stages) {
    nlohmann::json e = {{"node", s.node}, {"loss_db", s.loss_db}, {"paths", s.drawn ? "drawn" : "schematic"}};
    e["snr_db"] = std::isfinite(s.snr_db) ? nlohmann::json(s.snr_db) : nlohmann::json(nullptr);
    j["stages"].push_back(std::move(e));
  }
  j["mzis_out_of_range"] = st.out_of_range;
  if (eff.correct_couplers && eff.coupler_sigma_rad > 0.0)
    j["coupler_correction"] = {
        {"tile_draws", st.tiles_tried},
        {"kept", st.tiles_corrected},
        {"method",
         "per tile and draw, the corrected programming is kept when the real part of its matrix (what the "
         "homodyne receivers detect) is closer to the target than the uncorrected one's; otherwise the tile "
         "keeps its nominal phases"}};
  j["gain_calibration_residual"] = st.calibration_residual;
  if (sim::has_detector_noise(eff) || eff.signal_quantization) {
    const sim::DetectorModel d = sim::detector_model(pdk);
    j["detection"] = {{"symbol_rate_gbaud", d.symbol_rate_hz * 1e-9},
                      {"receiver_bandwidth_ghz", d.receiver_bandwidth_hz * 1e-9},
                      {"noise_bandwidth_ghz", d.bandwidth_hz * 1e-9},
                      {"rin_db_per_hz", d.has_rin ? nlohmann::json(10.0 * std::log10(d.rin_per_hz)) : nlohmann::json()},
                      {"dac_bits", d.dac_bits},
                      {"adc_bits", d.adc_bits},
                      {"note",
                       "noise bandwidth = min(receiver bandwidth, symbol rate / 2), the symbol rate the slowest of the "
                       "DAC and ADC sample rates and the modulator and receiver bandwidths (report.json "
                       "symbol_rate_gbaud); snr_db per stage: a full-scale output on the stage's worst path"}};
  }
  j["pdk"] = pdk_name;
  j["warnings"] = nlohmann::json::array();
  for (const Warning& w : diag.warnings()) j["warnings"].push_back({{"code", w.code}, {"message", w.message}});
  r.warnings = diag.warnings();

  r.text = fmt::format("simulated {} samples on the compiled chip in {}\n", st.samples, out_dir);
  if (st.labelled)
    r.text += fmt::format("  accuracy {:.4f} (reference executor {:.4f})\n", j["accuracy"].get<double>(),
                          j["reference_accuracy"].get<double>());
  r.text += fmt::format("  agreement with the reference executor {:.4f}\n", st.agreement_mean);
  r.text += fmt::format("  laser power {:.6g} mW per channel ({}){}\n", power.mw,
                        power.source == "option" ? "--laser-power-mw"
                        : power.source == "chip" ? "charged by holo compile"
                                                 : "the PDK's; the chip records none",
                        sim::has_detector_noise(eff) ? "" : "; without detector noise it does not change the result");
  for (const runtime::StageFigures& s : st.stages)
    r.text += fmt::format("  stage {}: worst-path loss {:.2f} dB ({} paths){}\n", s.node, s.loss_db,
                          s.drawn ? "drawn" : "schematic",
                          std::isfinite(s.snr_db) ? fmt::format(", full-scale SNR {:.1f} dB", s.snr_db) : "");
  r.text += fmt::format("  output error: max {:.3g} ({:.3g} of the output scale), rms {:.3g}\n",
                        j["output_error"]["max_abs"].get<double>(),
                        j["output_error"]["max_abs_over_output_scale"].get<double>(), st.rms_error_mean);
  if (st.draws > 1)
    r.text += fmt::format("  monte carlo over {} draws: accuracy {:.4f} +- {:.4f} (min {:.4f})\n", st.draws,
                          st.accuracy_mean, st.accuracy_std, st.accuracy_min);
  if (st.out_of_range) r.text += fmt::format("  {} MZI(s) could not reach their corrected target\n", st.out_of_range);
  if (st.tiles_tried > 0)
    r.text += fmt::format(
        "  coupler correction kept on {} of {} tile draws (elsewhere the uncorrected phases detect closer to the "
        "target)\n",
        st.tiles_corrected, st.tiles_tried);
  return r;
}

}  // namespace

Result simulate(const std::string& out_dir, const SimulateOptions& opts) {
  namespace fs = std::filesystem;
  sim::validate(opts.sim);
  if (!std::isfinite(opts.laser_power_per_channel_mw) || opts.laser_power_per_channel_mw < 0)
    fail("CLI-BAD-OPTION",
         fmt::format("--laser-power-mw {} is not a power > 0 (0: the chip's)", opts.laser_power_per_channel_mw));
  if (opts.monte_carlo < 1 || opts.monte_carlo > 100000)
    fail("CLI-BAD-OPTION", fmt::format("--monte-carlo {} is outside 1..100000", opts.monte_carlo));
  std::error_code ec;
  if (!fs::exists(out_dir, ec))
    fail("FILE-NOT-FOUND", fmt::format("{}: no such directory; give the output directory of holo compile", out_dir));
  if (!fs::is_directory(out_dir, ec))
    fail("OUT-NOT-DIRECTORY",
         fmt::format("{}: is a file, not a directory; give the output directory of holo compile", out_dir));
  Diagnostics diag;
  const BoundChip bound = load_bound_chip(out_dir, opts.pdk_path, diag);
  const graph::Graph& g = bound.graph;

  // Inputs: same checks as holo run.
  const std::vector<Array> inputs = read_inputs(g, opts.input_paths, bound.model_path);
  Array labels_array;
  if (!opts.labels_path.empty()) labels_array = read_npy(opts.labels_path);
  const runtime::Reference ref = runtime::reference(g, inputs, fmt::format("{}", fmt::join(opts.input_paths, ", ")));
  std::vector<int64_t> labels;
  if (!opts.labels_path.empty()) labels = runtime::class_labels(labels_array, ref, opts.labels_path);

  // The laser power per input channel: the chip's (compile's) unless --laser-power-mw sets it (docs/simulation.md).
  const ChannelPower power = channel_power(opts, bound);
  const sim::SimOptions eff = sim::effective(opts.sim);
  if ((eff.use_pdk_loss && eff.use_drawn_paths) || eff.delta_t_k != 0.0) {
    int64_t schematic = 0;
    for (const circuit::Stage& s : bound.net.stages)
      for (const circuit::Tile& t : s.tiles) schematic += t.drawn ? 0 : 1;
    if (schematic > 0)
      diag.warn("SIM-SCHEMATIC-PATHS",
                fmt::format("{}: {} tile(s) carry no drawn paths (compiled with --no-layout, too large to lay out, or "
                            "by an earlier holo): their losses are the schematic's, without the layout's fan-outs, "
                            "output couplers and fillers{}",
                            bound.circuit_path, schematic,
                            eff.delta_t_k != 0.0 ? ", and --delta-t-k moves no I/O phase on them" : ""));
  }
  if (eff.delta_t_k != 0.0 && !eff.use_drawn_paths)
    diag.warn("SIM-SCHEMATIC-PATHS",
              "--delta-t-k with --schematic-paths: the drift acts on the drawn I/O paths, which "
              "the schematic's paths leave out, so it moves no phase");
  sim::SimOptions sim_options = opts.sim;
  sim_options.laser_power_mw = power.mw;
  sim::validate(sim_options);

  std::unique_ptr<Progress> bar;
  if (opts.progress && opts.monte_carlo > 1) bar = std::make_unique<Progress>("monte carlo", opts.monte_carlo, true);
  runtime::MonteCarloOptions mc;
  mc.draws = opts.monte_carlo;
  mc.chip_name = bound.circuit_path;
  if (bar) mc.on_draw = [&bar] { bar->advance(); };
  const runtime::Statistics st = runtime::monte_carlo(g, bound.net, bound.pdk, sim_options, inputs, ref, labels, mc);
  if (bar) bar->done();
  std::string thermal_text;
  const nlohmann::json thermal = thermal_report(bound.net, bound.pdk, sim::effective(sim_options), diag, thermal_text);
  Result r = simulate_result(out_dir, opts, sim_options, power, st, bound.pdk, diag);
  r.json["thermal_crosstalk"] = thermal;
  r.text += thermal_text;
  return r;
}

}  // namespace holo::driver
