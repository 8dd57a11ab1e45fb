#include "holo/analysis/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "holo/circuit/compiled.h"
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
  const auto& att = pdk.tmpl("attenuator");
  const auto& mod = pdk.tmpl("modulator");
  const auto& rx = pdk.tmpl("homodyne_receiver");
  const auto& wg = pdk.tmpl("waveguide");
  const auto& dac = pdk.tmpl("dac");
  const auto& adc = pdk.tmpl("adc");
  const double gc_db =
      pdk.templates.count("grating_coupler") ? pdk.tmpl("grating_coupler").number("insertion_loss_db") : 0.0;

  // Static heater power: every programmed phase of every tile (MZIs, attenuators, screen shifters), summed tile by
  // tile in netlist order (compiled chips: each cell belongs to one tile, so this is the flattened chip's sum).
  const double p_pi = ps.number("p_pi_mw");
  double heater_mw = 0;
  auto mesh_heaters = [&](const linalg::Mesh& mesh) {
    for (const linalg::MziSetting& z : mesh.mzis)
      heater_mw += heater_power_mw(z.theta_rad, p_pi) + heater_power_mw(z.phi_rad, p_pi);
    for (double phi : mesh.output_phase_rad) heater_mw += heater_power_mw(phi, p_pi);
  };

  // Worst path and latency, stage by stage.
  double worst_db = 0, latency_ps = 0, energy_pj = 0;
  std::string worst_stage;
  const double sym_ps = 1e3 / dac.number("sample_rate_gsps");
  const double adc_ps = 1e3 / adc.number("sample_rate_gsps");
  for (const auto& st : n.stages) {
    if (st.domain != "optical") {
      bool act = st.op == "Relu" || st.op == "LeakyRelu" || st.op == "Sigmoid" || st.op == "Tanh";
      if (st.domain == "optical_activation" && pdk.templates.count("eo_activation"))
        latency_ps += pdk.tmpl("eo_activation").number("latency_ps");
      else if (act)
        latency_ps += pdk.tmpl("nonlinearity").number("latency_ps");
      continue;
    }
    double stage_db = 0, stage_len_um = 0;
    for (const auto& t : st.tiles) {
      // The worst path through the tile and its length; its heaters.
      double db = 0, len_um = 0;
      const circuit::TileView tv = circuit::read_tile(n, t.cell);
      std::visit(circuit::Overloaded{[&](const circuit::CoherentTile& c) {
                   const int64_t mzis = worst_path_mzis(c.vh.mesh) + worst_path_mzis(c.u.mesh);
                   len_um = static_cast<double>(mzis) * mzi.number("length_um");
                   db = gc_db + mod.number("insertion_loss_db") +
                        static_cast<double>(mzis) * mzi.number("insertion_loss_db") +
                        2 * ps.number("insertion_loss_db") + att.number("insertion_loss_db") +
                        rx.number("insertion_loss_db") + wg.number("loss_db_per_cm") * len_um * 1e-4;
                   mesh_heaters(c.vh.mesh);
                   for (const circuit::Attenuator& a : c.att.attenuators)
                     heater_mw += heater_power_mw(a.theta_rad, p_pi) + heater_power_mw(a.phi_rad, p_pi);
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
      energy_pj +=
          pos * static_cast<double>(t.cols) * (dac.number("energy_pj_per_sample") + mod.number("energy_pj_per_symbol"));
      energy_pj += pos * static_cast<double>(t.rows) * adc.number("energy_pj_per_sample");
    }
    // Electronic accumulation: each output sums the partial results of the column blocks of its row block.
    int64_t col_blocks = 0;
    for (const auto& t : st.tiles) col_blocks += t.row0 == 0;
    energy_pj += static_cast<double>(st.positions * st.out_features * std::max<int64_t>(0, col_blocks - 1)) *
                 pdk.tmpl("accumulator").number("energy_pj_per_op");
  }
  m.electronic_energy_pj = energy_pj;

  m.figures.push_back(
      {"worst_path_loss_db", "worst-path insertion loss", worst_db,
       fmt::format("max over optical stages and tiles of: grating coupler + modulator + (MZIs on the worst "
                   "path of the V^H and U meshes, counted column by column) x MZI loss + 2 screen phase "
                   "shifters + attenuator + receiver + waveguide loss over the MZI lengths; PDK figures. "
                   "Worst stage: {}. What the layout adds is layout_added_loss_db.",
                   worst_stage.empty() ? "none" : worst_stage)});
  m.figures.push_back(
      {"heater_power_mw", "static heater power", heater_mw,
       "sum over every programmed phase (theta and phi of each MZI and attenuator, each screen shifter) "
       "of P_pi * phase / pi with the phase wrapped to [0, 2 pi); heaters only add phase"});
  m.figures.push_back({"laser_power_mw", "laser electrical power", 0.0, ""});
  m.figures.push_back(
      {"latency_ps", "latency per sample", latency_ps,
       "sum over stages: optical stages one DAC symbol + time of flight (worst path length x n_g / c) + one "
       "ADC sample, plus one symbol per extra Conv output position (time-multiplexed); activations add "
       "the PDK nonlinearity (or EO activation) latency; tiles of a stage run in parallel; no pipelining"});
  charge_laser(m, pdk, pdk.tmpl("laser").number("power_per_channel_mw"), LaserBasis::pdk);
  return m;
}

void charge_compensated_heaters(ChipMetrics& m, double sited_nominal_mw, double sited_compensated_mw, int64_t sites,
                                int64_t raised) {
  const double before = m.figure("heater_power_mw").value;
  set_figure(m, {"heater_power_mw", "static heater power", before - sited_nominal_mw + sited_compensated_mw,
                 fmt::format("the compensated programming: the {} heaters the layout placed at the powers that give "
                             "their target phases through the thermal crosstalk matrix ({:.6g} mW; {:.6g} mW "
                             "without compensation; {} target(s) raised by 2 pi to keep every power >= 0), plus "
                             "P_pi * phase / pi (phase wrapped to [0, 2 pi)) for each programmed phase without a "
                             "heater site ({:.6g} mW)",
                             sites, sited_compensated_mw, sited_nominal_mw, raised, before - sited_nominal_mw)});
}

void charge_laser(ChipMetrics& m, const pdk::Pdk& pdk, double per_channel_mw, LaserBasis basis) {
  m.laser = {per_channel_mw, basis};
  const double wpe = pdk.tmpl("laser").number("wall_plug_efficiency");
  const int64_t channels = m.counts.count("modulators") ? m.counts.at("modulators") : 0;
  // Each homodyne receiver's local oscillator is light from the same laser (docs/simulation.md#laser-power).
  const int64_t receivers = m.counts.count("homodyne_receivers") ? m.counts.at("homodyne_receivers") : 0;
  const double lo_mw = receivers > 0 ? pdk.tmpl("homodyne_receiver").number("lo_power_mw") : 0.0;
  const double laser_mw =
      (static_cast<double>(channels) * per_channel_mw + static_cast<double>(receivers) * lo_mw) / wpe;
  const char* where = basis == LaserBasis::calibrated ? "found by simulation on the calibration batch"
                      : basis == LaserBasis::cap      ? "the cap: the calibration target is not reachable below it"
                                                      : "the PDK's laser power_per_channel_mw (no calibration batch)";
  set_figure(m, {"laser_power_mw", "laser electrical power", laser_mw,
                 fmt::format("(modulator inputs ({}) x optical power per channel ({:.6g} mW, {}) + homodyne receivers "
                             "({}) x local-oscillator power ({:g} mW, PDK 'homodyne_receiver'; as delivered, the LO "
                             "path's losses not counted)) / wall-plug efficiency ({:g}; PDK 'laser')",
                             channels, per_channel_mw, where, receivers, lo_mw, wpe)});
  const double heater_mw = m.figure("heater_power_mw").value, latency_ps = m.figure("latency_ps").value;
  const double static_pj = (heater_mw + laser_mw) * latency_ps * 1e-3;  // mW * ps = 1e-15 J = 1e-3 pJ
  const double total_pj = m.electronic_energy_pj + static_pj;
  const double per_mac = m.macs_per_sample > 0 ? total_pj / static_cast<double>(m.macs_per_sample) : 0.0;
  set_figure(m, {"energy_per_sample_pj", "energy per sample", total_pj,
                 "DAC + modulator energy per input symbol, ADC energy per output sample, accumulator adds for tile "
                 "partial sums, plus (heater + laser) power x latency; electronic nonlinearity energy not included"});
  set_figure(m, {"energy_per_mac_pj", "energy per MAC", per_mac,
                 fmt::format("energy per sample / {} MACs per sample", m.macs_per_sample)});
  set_figure(m, {"tops_per_w", "throughput per watt", per_mac > 0 ? 2.0 / per_mac : 0.0,
                 "2 operations per MAC / energy per MAC (TOPS/W = ops/pJ)"});
}

}  // namespace holo::analysis
