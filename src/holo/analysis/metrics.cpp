#include "holo/analysis/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>

#include "holo/circuit/compiled.h"
#include "holo/circuit/path_loss.h"
#include "holo/support/error.h"

namespace holo::analysis {
namespace {

constexpr double kC_um_per_ps = 299.792458;  // speed of light in vacuum

using CellIndex = std::unordered_map<std::string_view, const circuit::Cell*>;

// Counts of the templates placed under `cell`, multiplied out through the hierarchy. Cells are looked up
// in an index (a chip has thousands of cells and millions of instances: a linear find_cell per instance
// took a quarter of a 50-layer compile).
void add_counts(const CellIndex& index, const std::string& cell, int64_t mult, std::map<std::string, int64_t>& out,
                int depth) {
  if (depth > 64) internal_error("flattened_counts: hierarchy deeper than 64 (recursion?)");
  auto c = index.find(cell);
  if (c == index.end()) internal_error("flattened_counts: no cell " + cell);
  for (const auto& inst : c->second->instances) {
    if (index.count(inst.component))
      add_counts(index, inst.component, mult, out, depth + 1);
    else
      out[inst.component] += mult;
  }
}

// Replaces the figure of the same key, or appends it.
void set_figure(ChipMetrics& m, Figure f) {
  for (Figure& g : m.figures)
    if (g.key == f.key) {
      g = std::move(f);
      return;
    }
  m.figures.push_back(std::move(f));
}

// ---- Pipelined throughput and energy (docs/physics.md#throughput-and-energy) ---------------------------------

// The symbol rate every optical stage runs at: the slowest of the DAC and ADC sample rates and the modulator and
// receiver bandwidths (a bandwidth of B GHz taken as B GBd). `limit` names the parts at the minimum.
struct SymbolRate {
  double gbaud = 0;
  std::string limit, candidates;
};

SymbolRate symbol_rate(const pdk::Pdk& pdk) {
  std::vector<std::pair<std::string, double>> c;
  c.emplace_back("DAC sample rate", pdk.tmpl("dac").number("sample_rate_gsps"));
  c.emplace_back("ADC sample rate", pdk.tmpl("adc").number("sample_rate_gsps"));
  if (pdk.tmpl("modulator").has("bandwidth_ghz"))
    c.emplace_back("modulator bandwidth", pdk.tmpl("modulator").number("bandwidth_ghz"));
  if (pdk.tmpl("homodyne_receiver").has("bandwidth_ghz"))
    c.emplace_back("homodyne receiver bandwidth", pdk.tmpl("homodyne_receiver").number("bandwidth_ghz"));
  SymbolRate r;
  r.gbaud = c.front().second;
  for (const auto& [name, v] : c) r.gbaud = std::min(r.gbaud, v);
  for (const auto& [name, v] : c) {
    r.candidates += fmt::format("{}{} {:g}", r.candidates.empty() ? "" : ", ", name, v);
    if (v <= r.gbaud * (1 + 1e-12)) r.limit += (r.limit.empty() ? "" : " and ") + name;
  }
  return r;
}

// Appends the pipelined throughput figures (analyze calls it once the latency is known).
void add_throughput_figures(ChipMetrics& m, const circuit::Netlist& n, const pdk::Pdk& pdk) {
  const SymbolRate rate = symbol_rate(pdk);
  // Every tile has its own meshes, modulators and receivers (mapping places each tile of a stage in its own slot of
  // the stage's layer cell), so a stage's tiles run in parallel: a stage needs one symbol per output position.
  int64_t symbols = 0;
  std::string slowest;
  for (const auto& st : n.stages)
    if (st.domain == "optical" && st.positions > symbols) symbols = st.positions, slowest = st.node;
  const bool any_optical = symbols > 0;
  symbols = std::max<int64_t>(symbols, 1);
  const double samples_per_s = rate.gbaud * 1e9 / static_cast<double>(symbols);
  const double macs_per_s = samples_per_s * static_cast<double>(m.macs_per_sample);
  m.figures.push_back(
      {"symbol_rate_gbaud", "pipelined symbol rate", rate.gbaud,
       fmt::format("the slowest of ({}; GS/s and GHz, PDK), a bandwidth of B GHz taken as B GBd (an analog level "
                   "must settle within its symbol; binary links get by with less); limited by the {}",
                   rate.candidates, rate.limit)});
  m.figures.push_back(
      {"bandwidth_ghz", "signal bandwidth", rate.gbaud / 2,
       fmt::format("the highest signal frequency the chip carries at its symbol rate: symbol_rate_gbaud / 2 (Nyquist; "
                   "the simulator's noise bandwidth is min(receiver bandwidth, this)); the symbol rate is the "
                   "slowest of ({}), limited by the {}",
                   rate.candidates, rate.limit)});
  m.figures.push_back(
      {"symbols_per_sample", "symbols per sample (pipelined)", static_cast<double>(symbols),
       any_optical ? fmt::format("the most symbols any optical stage needs per sample: one per output position (a "
                                 "Conv's positions are time-multiplexed on its tiles); a stage's tiles are separate "
                                 "hardware and run in parallel; slowest stage: {} ({} positions)",
                                 slowest, symbols)
                   : std::string("no optical stage: one symbol")});
  m.figures.push_back(
      {"throughput_samples_per_s", "pipelined throughput", samples_per_s,
       fmt::format(
           "symbol rate / symbols per sample. Pipelined: the optical stages (each its DACs, modulators, meshes, "
           "receivers and ADCs) and the electronics between them work on different samples at once, a new sample "
           "entering every {} symbol(s); electronic stages (activations, pooling, partial-sum adds) are assumed to "
           "keep up at the symbol rate, one result per output per symbol (the PDK gives their latency, not their "
           "rate). Not pipelined: a Conv's positions follow one another on the same tiles. Latencies (time of "
           "flight, converters, activations) set latency_ps, not throughput; weights are static (no "
           "reprogramming)",
           symbols)});
  m.figures.push_back({"throughput_macs_per_s", "pipelined MAC rate", macs_per_s,
                       fmt::format("pipelined throughput x {} MACs per sample", m.macs_per_sample)});
  m.figures.push_back({"throughput_tops", "pipelined throughput (TOPS)", 2.0 * macs_per_s * 1e-12,
                       "2 operations per MAC x pipelined MAC rate / 1e12"});
}

// The energy figures from the electronic energy, heater and laser power, throughput and latency (charge_laser calls
// it; a change of heater_power_mw or laser_power_mw needs it again).
void charge_energy(ChipMetrics& m) {
  const double heater_mw = m.figure("heater_power_mw").value, laser_mw = m.figure("laser_power_mw").value;
  const double latency_ps = m.figure("latency_ps").value, rate = m.figure("throughput_samples_per_s").value;
  const auto macs = static_cast<double>(m.macs_per_sample);
  const double el_pj = m.electronic_energy_pj;
  // Static power over the time one sample occupies the pipeline: mW / (samples/s) = 1e-3 J / sample = 1e9 pJ.
  const double pipe_heater_pj = rate > 0 ? heater_mw * 1e9 / rate : 0.0;
  const double pipe_laser_pj = rate > 0 ? laser_mw * 1e9 / rate : 0.0;
  const double rx_mw = m.receiver_power_mw;
  const double pipe_rx_pj = rate > 0 ? rx_mw * 1e9 / rate : 0.0;
  const double total_pj = el_pj + pipe_heater_pj + pipe_laser_pj + pipe_rx_pj;
  const double no_heaters_pj = el_pj + pipe_laser_pj + pipe_rx_pj;
  const double unpiped_pj = el_pj + (heater_mw + laser_mw + rx_mw) * latency_ps * 1e-3;  // mW * ps = 1e-15 J = 1e-3 pJ
  auto per_mac = [&](double pj) { return macs > 0 ? pj / macs : 0.0; };
  auto tops_w = [&](double pj) { return per_mac(pj) > 0 ? 2.0 / per_mac(pj) : 0.0; };
  const std::string electronic =
      "DAC + modulator energy per input symbol, ADC energy per output sample, accumulator adds for tile partial sums, "
      "electronic nonlinearities (one op per output of the optical stage before them)";
  // Total power at the pipelined throughput: pJ per sample x samples/s = 1e-9 mW.
  m.power_breakdown_mw = {{"heaters", heater_mw}, {"laser", laser_mw}, {"receivers", m.receiver_power_mw}};
  double total_mw = heater_mw + laser_mw + m.receiver_power_mw;
  for (const auto& [part, pj] : m.electronic_parts_pj) {
    m.power_breakdown_mw[part] = pj * rate * 1e-9;
    total_mw += pj * rate * 1e-9;
  }
  set_figure(m, {"total_power_mw", "total chip power", total_mw,
                 fmt::format("heaters {:.6g} mW (heater_power_mw) + laser {:.6g} mW (wall-plug, laser_power_mw) + "
                             "receiver amplifiers {:.6g} mW (PDK homodyne_receiver tia_power_mw) + the electronic "
                             "energy per sample ({:.6g} pJ: DACs, modulator drivers, ADCs, accumulators, "
                             "nonlinearities) x the pipelined throughput ({:.6g} samples/s); report.json "
                             "power_breakdown_mw splits it. Not counted: control and clocking, the electro-optic "
                             "activation's drive (no PDK figure), cooling",
                             heater_mw, laser_mw, m.receiver_power_mw, el_pj, rate)});
  set_figure(m, {"energy_per_sample_pj", "energy per sample (pipelined)", total_pj,
                 fmt::format("{} ({:.6g} pJ) + static power (heaters {:.6g} mW + laser {:.6g} mW + receiver "
                             "amplifiers {:.6g} mW) / pipelined throughput ({:.6g} samples/s): a chip in steady use, "
                             "the static power shared by the samples in flight",
                             electronic, el_pj, heater_mw, laser_mw, rx_mw, rate)});
  set_figure(m, {"energy_per_mac_pj", "energy per MAC (pipelined)", per_mac(total_pj),
                 fmt::format("pipelined energy per sample / {} MACs per sample", m.macs_per_sample)});
  set_figure(m, {"tops_per_w", "throughput per watt (pipelined)", tops_w(total_pj),
                 "2 operations per MAC / pipelined energy per MAC (TOPS/W = ops/pJ)"});
  set_figure(m, {"energy_per_mac_no_heaters_pj", "energy per MAC without static phase-shifter power (pipelined)",
                 per_mac(no_heaters_pj),
                 fmt::format("(electronic {:.6g} pJ + (laser {:.6g} mW + receiver amplifiers {:.6g} mW) / "
                             "throughput) / {} MACs: the pipelined energy per MAC without the heaters' static power "
                             "(as with non-volatile phase shifters)",
                             el_pj, laser_mw, rx_mw, m.macs_per_sample)});
  set_figure(m, {"tops_per_w_no_heaters", "throughput per watt without static phase-shifter power (pipelined)",
                 tops_w(no_heaters_pj), "2 operations per MAC / energy_per_mac_no_heaters_pj"});
  set_figure(
      m,
      {"energy_per_mac_unpipelined_pj", "energy per MAC, one sample in flight (latency-bound)", per_mac(unpiped_pj),
       fmt::format("(electronic {:.6g} pJ + (heaters + laser + receivers) power x latency ({:.6g} ps)) / {} MACs: the "
                   "static power charged for the whole latency of one sample, as if the chip handled one "
                   "sample at a time",
                   el_pj, latency_ps, m.macs_per_sample)});
  set_figure(m, {"tops_per_w_unpipelined", "throughput per watt, one sample in flight (latency-bound)",
                 tops_w(unpiped_pj), "2 operations per MAC / energy_per_mac_unpipelined_pj"});
}

}  // namespace

const char* laser_basis_name(LaserBasis b) {
  switch (b) {
    case LaserBasis::pdk:
      return "pdk";
    case LaserBasis::calibrated:
      return "calibrated";
    case LaserBasis::cap:
      return "cap";
  }
  return "pdk";
}

const Figure& ChipMetrics::figure(const std::string& key) const {
  for (const auto& f : figures)
    if (f.key == key) return f;
  internal_error("no figure " + key);
}

std::map<std::string, int64_t> flattened_counts(const circuit::Netlist& n, const std::string& cell) {
  std::map<std::string, int64_t> out;
  CellIndex index;
  index.reserve(n.cells.size());
  for (const circuit::Cell& c : n.cells) index.emplace(c.name, &c);
  add_counts(index, cell, 1, out, 0);
  return out;
}

double heater_power_mw(double phase_rad, double p_pi_mw) {
  double w = std::fmod(phase_rad, 2 * std::numbers::pi);
  if (w < 0) w += 2 * std::numbers::pi;
  return p_pi_mw * w / std::numbers::pi;
}

double nulled_heater_power_mw(double phase_rad, double p_pi_mw, double spread_rad) {
  if (!(spread_rad > 0.0)) return heater_power_mw(phase_rad, p_pi_mw);
  constexpr double kTwoPi = 2 * std::numbers::pi;
  // F(x) = integral_0^x wrap(u) du = k 2 pi^2 + (x - 2 pi k)^2 / 2 with k = floor(x / 2 pi): the mean of wrap over
  // [phase - spread / 2, phase + spread / 2] is (F(b) - F(a)) / spread (wrap(phase - d) for d uniform there).
  auto f = [&](double x) {
    const double k = std::floor(x / kTwoPi), r = x - kTwoPi * k;
    return k * kTwoPi * std::numbers::pi + 0.5 * r * r;
  };
  const double a = phase_rad - 0.5 * spread_rad, b = phase_rad + 0.5 * spread_rad;
  return p_pi_mw / std::numbers::pi * (f(b) - f(a)) / spread_rad;
}

int64_t worst_path_mzis(const linalg::Mesh& mesh) {
  std::vector<int64_t> depth(static_cast<size_t>(std::max(mesh.n, 1)), 0);
  for (const linalg::MziSetting& z : mesh.mzis) {
    auto m = static_cast<size_t>(z.mode);
    int64_t d = std::max(depth[m], depth[m + 1]) + 1;
    depth[m] = depth[m + 1] = d;
  }
  return *std::max_element(depth.begin(), depth.end());
}

ChipMetrics analyze(const circuit::Netlist& n, const pdk::Pdk& pdk, int64_t macs_per_sample) {
  ChipMetrics m;
  m.macs_per_sample = macs_per_sample;
  auto counts = flattened_counts(n, n.top);
  int64_t tiles = 0, optical = 0, electronic = 0;
  for (const auto& st : n.stages) {
    tiles += static_cast<int64_t>(st.tiles.size());
    (st.domain == "optical" ? optical : electronic) += 1;
  }
  m.counts["mzis"] = counts["mzi"] + counts["attenuator"];
  m.counts["mesh_mzis"] = counts["mzi"];
  m.counts["attenuators"] = counts["attenuator"];
  m.counts["phase_shifters"] = 2 * counts["mzi"] + 2 * counts["attenuator"] + counts["phase_shifter"];
  m.counts["modulators"] = counts["modulator"];
  m.counts["homodyne_receivers"] = counts["homodyne_receiver"];
  m.counts["photodetectors"] = 2 * counts["homodyne_receiver"];  // balanced pair per receiver
  m.counts["dacs"] = counts["dac"];
  m.counts["adcs"] = counts["adc"];
  m.counts["tiles"] = tiles;
  m.counts["optical_stages"] = optical;
  m.counts["electronic_stages"] = electronic;

  const auto& mzi = pdk.tmpl("mzi");
  const auto& ps = pdk.tmpl("phase_shifter");
  const auto& mod = pdk.tmpl("modulator");
  const auto& wg = pdk.tmpl("waveguide");
  const auto& dac = pdk.tmpl("dac");
  const auto& adc = pdk.tmpl("adc");

  // Static heater power: every programmed phase of every tile (MZIs, attenuators, screen shifters), summed tile by
  // tile in netlist order (compiled chips: each cell belongs to one tile, so this is the flattened chip's sum).
  // With the PDK's fabrication phase spread, each drawn heater also nulls its arm's unknown static offset: the
  // expected power over the offsets (nulled_heater_power_mw). The attenuators' phi has no heater on the chip.
  const double p_pi = ps.number("p_pi_mw");
  const double spread = ps.has("fab_phase_spread_rad") ? ps.number("fab_phase_spread_rad") : 0.0;
  m.heater_fab_spread_rad = spread;
  double heater_mw = 0;
  auto heater = [&](double phase) { return nulled_heater_power_mw(phase, p_pi, spread); };
  auto mesh_heaters = [&](const linalg::Mesh& mesh) {
    for (const linalg::MziSetting& z : mesh.mzis) heater_mw += heater(z.theta_rad) + heater(z.phi_rad);
    for (double phi : mesh.output_phase_rad) heater_mw += heater(phi);
  };

  // Worst path and latency, stage by stage.
  double worst_db = 0, latency_ps = 0, energy_pj = 0;
  std::map<std::string, double> parts = {
      {"dacs", 0.0}, {"modulators", 0.0}, {"adcs", 0.0}, {"accumulators", 0.0}, {"nonlinearities", 0.0}};
  // Electronic activations: one op per output of the optical stage before them (an estimate: the activation's
  // element count is that stage's outputs times its positions).
  int64_t last_outputs = 0, activation_ops = 0;
  std::string worst_stage;
  const double sym_ps = 1e3 / dac.number("sample_rate_gsps");
  const double adc_ps = 1e3 / adc.number("sample_rate_gsps");
  for (const circuit::Stage& st : n.stages) {
    if (st.domain != "optical") {
      bool act = st.op == "Relu" || st.op == "LeakyRelu" || st.op == "Sigmoid" || st.op == "Tanh";
      if (st.domain == "optical_activation" && pdk.templates.count("eo_activation"))
        latency_ps += pdk.tmpl("eo_activation").number("latency_ps");
      else if (act) {
        latency_ps += pdk.tmpl("nonlinearity").number("latency_ps");
        activation_ops += last_outputs;
        parts["nonlinearities"] +=
            static_cast<double>(last_outputs) * pdk.tmpl("nonlinearity").number("energy_pj_per_op");
      }
      continue;
    }
    double stage_db = 0, stage_len_um = 0;
    for (const auto& t : st.tiles) {
      // The worst path through the tile and its length; its heaters.
      double db = 0, len_um = 0;
      const circuit::TileView tv = circuit::read_tile(n, t.cell);
      circuit::LossOptions schematic;
      schematic.use_drawn = false;
      db = circuit::worst_path_loss_db(tv, circuit::tile_loss(t, pdk, schematic));
      std::visit(circuit::Overloaded{[&](const circuit::CoherentTile& c) {
                   const int64_t mzis = worst_path_mzis(c.vh.mesh) + worst_path_mzis(c.u.mesh);
                   len_um = static_cast<double>(mzis) * mzi.number("length_um");
                   mesh_heaters(c.vh.mesh);
                   for (const circuit::Attenuator& a : c.att.attenuators)
                     heater_mw += heater(a.theta_rad) + (spread > 0.0 ? 0.0 : heater_power_mw(a.phi_rad, p_pi));
                   mesh_heaters(c.u.mesh);
                 }},
                 tv.body);
      if (db > stage_db) stage_db = db, stage_len_um = len_um;
    }
    if (stage_db > worst_db) worst_db = stage_db, worst_stage = st.node;
    const double flight_ps = stage_len_um * wg.number("n_g") / kC_um_per_ps;
    // One symbol per output position; positions of a Conv are time-multiplexed on the same tiles.
    latency_ps += sym_ps + flight_ps + adc_ps + static_cast<double>(st.positions - 1) * sym_ps;
    for (const auto& t : st.tiles) {
      const auto pos = static_cast<double>(st.positions);
      parts["dacs"] += pos * static_cast<double>(t.cols) * dac.number("energy_pj_per_sample");
      parts["modulators"] += pos * static_cast<double>(t.cols) * mod.number("energy_pj_per_symbol");
      parts["adcs"] += pos * static_cast<double>(t.rows) * adc.number("energy_pj_per_sample");
    }
    // Electronic accumulation: each output sums the partial results of the column blocks of its row block.
    int64_t col_blocks = 0;
    for (const auto& t : st.tiles) col_blocks += t.row0 == 0;
    parts["accumulators"] +=
        static_cast<double>(st.positions * st.out_features * std::max<int64_t>(0, col_blocks - 1)) *
        pdk.tmpl("accumulator").number("energy_pj_per_op");
    last_outputs = st.positions * st.out_features;
  }
  for (const auto& [part, pj] : parts) energy_pj += pj;
  m.electronic_energy_pj = energy_pj;
  m.electronic_parts_pj = parts;
  m.counts["electronic_activation_ops"] = activation_ops;
  if (pdk.tmpl("homodyne_receiver").has("tia_power_mw"))
    m.receiver_power_mw =
        static_cast<double>(m.counts["homodyne_receivers"]) * pdk.tmpl("homodyne_receiver").number("tia_power_mw");

  m.figures.push_back(
      {"worst_path_loss_db", "worst-path insertion loss (schematic)", worst_db,
       fmt::format("max over optical stages, tiles and input -> output paths of the schematic's losses (the loss "
                   "model of docs/simulation.md#losses without the layout): grating coupler + modulator + MZIs "
                   "and idle slots column by column + attenuator + screen shifters + receiver, MZIs and shifters "
                   "with propagation over their length; PDK figures. Worst stage: {}. With the layout's drawn "
                   "paths: worst_path_loss_with_layout_db and report stages[].loss_db.",
                   worst_stage.empty() ? "none" : worst_stage)});
  m.figures.push_back(
      {"heater_power_mw", "static heater power", heater_mw,
       spread > 0.0
           ? fmt::format("sum over every heater on the chip (theta and phi of each MZI, theta of each attenuator, each "
                         "screen shifter) of P_pi * phase / pi, the phase being the programmed one minus the arm's "
                         "fabrication offset (nulled by calibration; uniform over a {:.3g} rad spread, PDK "
                         "phase_shifter fab_phase_spread_rad) wrapped to [0, 2 pi): its expected value over the "
                         "offsets; heaters only add phase",
                         spread)
           : "sum over every programmed phase (theta and phi of each MZI and attenuator, each screen shifter) "
             "of P_pi * phase / pi with the phase wrapped to [0, 2 pi); heaters only add phase"});
  m.figures.push_back({"laser_power_mw", "laser electrical power", 0.0, ""});
  m.figures.push_back(
      {"latency_ps", "latency per sample", latency_ps,
       "sum over stages: optical stages one DAC symbol + time of flight (worst path length x n_g / c) + one "
       "ADC sample, plus one symbol per extra Conv output position (time-multiplexed); activations add "
       "the PDK nonlinearity (or EO activation) latency; tiles of a stage run in parallel; no pipelining"});
  add_throughput_figures(m, n, pdk);
  charge_laser(m, pdk, pdk.tmpl("laser").number("power_per_channel_mw"), LaserBasis::pdk);
  add_stage_losses(m, n, pdk);
  return m;
}

void add_stage_losses(ChipMetrics& m, const circuit::Netlist& n, const pdk::Pdk& pdk) {
  m.stage_loss.clear();
  for (const circuit::Stage& st : n.stages) {
    if (st.domain != "optical") continue;
    StageLoss s;
    for (const circuit::Tile& t : st.tiles) {
      const circuit::TileLoss l = circuit::tile_loss(t, pdk, circuit::LossOptions{});
      s.loss_db = std::max(s.loss_db, circuit::worst_path_loss_db(circuit::read_tile(n, t.cell), l));
      s.drawn = s.drawn || l.drawn;
    }
    m.stage_loss[st.node] = s;
  }
  double worst_db = 0;
  std::string worst_node;
  bool drawn = false;
  for (const auto& [node, l] : m.stage_loss)
    if (worst_node.empty() || l.loss_db > worst_db) worst_db = l.loss_db, worst_node = node, drawn = l.drawn;
  set_figure(
      m, {"end_to_end_loss_db", "end-to-end optical loss (laser to detector)", worst_db,
          fmt::format("the worst optical link of the chip, from the laser's light entering the input coupler "
                      "to the receiver's photodiodes (input coupler, modulator, meshes, attenuators, output "
                      "coupler, receiver; docs/simulation.md#losses) on the {} paths; stage {}. Each optical "
                      "stage is its own link: detection and re-modulation between layers restore the "
                      "signal",
                      drawn ? "layout's drawn" : "schematic (no layout)", worst_node.empty() ? "none" : worst_node)});
}

void charge_compensated_heaters(ChipMetrics& m, double sited_nominal_mw, double sited_compensated_mw, int64_t sites,
                                int64_t raised) {
  const double before = m.figure("heater_power_mw").value;
  if (m.heater_fab_spread_rad > 0.0) {
    // The heaters also null unknown fabrication offsets: the drive each heater needs is known only in expectation.
    // The compensation's cost for the compiled targets, as a ratio, scales that expectation (an approximation: the
    // crosstalk compensation of the offset-nulled drives is not solved die by die).
    const double ratio = sited_nominal_mw > 0.0 ? sited_compensated_mw / sited_nominal_mw : 1.0;
    set_figure(m, {"heater_power_mw", "static heater power", before * ratio,
                   fmt::format("the expected drive of every heater (its programmed phase minus the arm's unknown "
                               "fabrication offset, nulled by calibration: {:.6g} mW over a {:.3g} rad spread, PDK "
                               "phase_shifter fab_phase_spread_rad), times the thermal "
                               "crosstalk compensation's cost for the compiled targets, {:.6g} ({} heaters placed by "
                               "the layout: {:.6g} mW compensated vs {:.6g} mW without; {} target(s) raised by 2 pi); "
                               "an approximation: the compensation of each die's offset-nulled drives is not solved",
                               before, m.heater_fab_spread_rad, ratio, sites, sited_compensated_mw, sited_nominal_mw,
                               raised)});
    set_figure(
        m, {"heater_power_programmed_mw", "heater power as programmed (no fabrication offsets)", sited_compensated_mw,
            fmt::format("the compensated programming of the compiled targets, program.csv's heater_power_mw "
                        "summed: the {} heaters the layout placed at the powers that give their target phases "
                        "through the thermal crosstalk matrix, on a die whose arms have no fabrication offset",
                        sites)});
    charge_energy(m);  // the energy and total power figures follow the heaters
    return;
  }
  set_figure(m, {"heater_power_mw", "static heater power", before - sited_nominal_mw + sited_compensated_mw,
                 fmt::format("the compensated programming: the {} heaters the layout placed at the powers that give "
                             "their target phases through the thermal crosstalk matrix ({:.6g} mW; {:.6g} mW "
                             "without compensation; {} target(s) raised by 2 pi to keep every power >= 0), plus "
                             "P_pi * phase / pi (phase wrapped to [0, 2 pi)) for each programmed phase without a "
                             "heater site ({:.6g} mW)",
                             sites, sited_compensated_mw, sited_nominal_mw, raised, before - sited_nominal_mw)});
  charge_energy(m);
}

void charge_laser(ChipMetrics& m, const pdk::Pdk& pdk, double per_channel_mw, LaserBasis basis) {
  m.laser = {per_channel_mw, basis};
  const double wpe = pdk.tmpl("laser").number("wall_plug_efficiency");
  const int64_t channels = m.counts.count("modulators") ? m.counts.at("modulators") : 0;
  // Each homodyne receiver's local oscillator is light from the same laser (docs/simulation.md#laser-power).
  const int64_t receivers = m.counts.count("homodyne_receivers") ? m.counts.at("homodyne_receivers") : 0;
  const double lo_mw = receivers > 0 ? pdk.tmpl("homodyne_receiver").number("lo_power_mw") : 0.0;
  // The local oscillator reaches the receivers through an input coupler like the signal light (docs/simulation.md#
  // laser-power): the laser supplies lo_mw / coupler transmission per receiver.
  const double lo_coupler_db =
      pdk.templates.count("grating_coupler") ? pdk.tmpl("grating_coupler").number("insertion_loss_db") : 0.0;
  const double lo_at_laser_mw = lo_mw * std::pow(10.0, lo_coupler_db / 10.0);
  const double laser_mw =
      (static_cast<double>(channels) * per_channel_mw + static_cast<double>(receivers) * lo_at_laser_mw) / wpe;
  const char* where = basis == LaserBasis::calibrated ? "found by simulation on the calibration batch"
                      : basis == LaserBasis::cap      ? "the cap: the calibration target is not reachable below it"
                                                      : "the PDK's laser power_per_channel_mw (no calibration batch)";
  set_figure(m, {"laser_power_mw", "laser electrical power", laser_mw,
                 fmt::format("(modulator inputs ({}) x optical power per channel ({:.6g} mW, {}) + homodyne receivers "
                             "({}) x local-oscillator power at the laser ({:g} mW at the receiver, PDK "
                             "'homodyne_receiver', through one input coupler of {:g} dB: {:.6g} mW; the on-chip LO "
                             "distribution is not drawn and its splitting loss not counted)) / wall-plug efficiency "
                             "({:g}; PDK 'laser')",
                             channels, per_channel_mw, where, receivers, lo_mw, lo_coupler_db, lo_at_laser_mw, wpe)});
  charge_energy(m);
}

}  // namespace holo::analysis
