#include "holo/report/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <numbers>
#include <string_view>
#include <tuple>
#include <variant>

#include "holo/circuit/compiled.h"

namespace holo::report {
namespace {

double wrap(double p) {
  double w = std::fmod(p, 2 * std::numbers::pi);
  if (w < 0) w += 2 * std::numbers::pi;
  return w;
}

nlohmann::ordered_json laser_json(const analysis::ChipMetrics& m, const LaserReport& l) {
  nlohmann::ordered_json j = {{"charged_per_channel_mw", m.laser.per_channel_mw},
                              {"basis", analysis::laser_basis_name(m.laser.basis)},
                              {"cap_per_channel_mw", nullptr},
                              {"waveguide_max_power_mw", nullptr},
                              {"cap_method", nullptr}};
  if (l.waveguide_max_mw > 0.0) {  // the PDK gives the waveguide power limit (optional without --calibrate)
    j["cap_per_channel_mw"] = l.cap_per_channel_mw;
    j["waveguide_max_power_mw"] = l.waveguide_max_mw;
    j["cap_method"] = l.cap_method;
  }
  if (!l.calibrated) {
    j["calibration"] = nullptr;
    return j;
  }
  nlohmann::ordered_json c = {
      {"batch", l.batch},
      {"labels", l.labels.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(l.labels)},
      {"samples", l.samples},
      {"criterion", l.criterion},
      {"outcome", l.outcome}};
  if (l.labelled) {
    c["reference_accuracy"] = l.reference_accuracy;
    c["accuracy"] = l.accuracy;
  }
  c["agreement"] = l.agreement;
  c["highest_failing_mw"] = l.outcome == "found" ? nlohmann::ordered_json(l.below_mw) : nlohmann::ordered_json();
  c["floor_mw"] = l.floor_mw;
  c["tolerance"] = l.tolerance;
  c["seed"] = l.seed;
  c["draws"] = l.draws;
  c["evaluations"] = l.evaluations;
  c["simulator"] = l.simulator;
  j["calibration"] = c;
  return j;
}

// report.md's paragraph on throughput and energy (docs/physics.md#throughput-and-energy); empty when the figures
// are not there.
std::string energy_markdown(const analysis::ChipMetrics& m) {
  const char* keys[] = {"symbol_rate_gbaud",
                        "symbols_per_sample",
                        "throughput_samples_per_s",
                        "throughput_tops",
                        "energy_per_mac_pj",
                        "tops_per_w",
                        "energy_per_mac_no_heaters_pj",
                        "tops_per_w_no_heaters",
                        "energy_per_mac_unpipelined_pj",
                        "tops_per_w_unpipelined"};
  for (const char* k : keys)
    if (std::none_of(m.figures.begin(), m.figures.end(), [&](const analysis::Figure& f) { return f.key == k; }))
      return "";
  auto v = [&](const char* k) { return m.figure(k).value; };
  return fmt::format(
      "\n## Throughput and energy\n\nPipelined at {:.6g} GBd, a new sample every {:.6g} symbol(s): {:.6g} samples/s, "
      "{:.6g} TOPS. Energy per MAC **{:.6g} pJ** ({:.6g} TOPS/W); without the static phase-shifter (heater) power "
      "{:.6g} pJ ({:.6g} TOPS/W); with one sample in flight at a time (latency-bound) {:.6g} pJ ({:.6g} TOPS/W). "
      "What is pipelined and what is assumed: the figures' methods above.\n",
      v("symbol_rate_gbaud"), v("symbols_per_sample"), v("throughput_samples_per_s"), v("throughput_tops"),
      v("energy_per_mac_pj"), v("tops_per_w"), v("energy_per_mac_no_heaters_pj"), v("tops_per_w_no_heaters"),
      v("energy_per_mac_unpipelined_pj"), v("tops_per_w_unpipelined"));
}

// report.md's paragraph on the laser power.
std::string laser_markdown(const analysis::ChipMetrics& m, const LaserReport& l) {
  std::string s = "\n## Laser power\n\n";
  if (!l.calibrated) {
    s += fmt::format(
        "Not calibrated: the figures charge the PDK's {:.6g} mW per channel, a power at which the chip's accuracy "
        "is unknown (`laser_power_required_mw` is null). Give `holo compile --calibrate X.npy [--calibrate-labels "
        "y.npy]` to find the power the chip needs.\n",
        m.laser.per_channel_mw);
  } else if (l.required_found) {
    s += fmt::format(
        "Required: **{:.6g} mW per channel** (`laser_power_required_mw`), found by simulation; the "
        "figures are charged at it.\n",
        l.required_mw);
  } else {
    s += fmt::format(
        "Not reachable below the cap: the figures are charged at the cap, {:.6g} mW per channel, where the "
        "chip reaches {}agreement {:.4f} with the reference executor (`laser_power_required_mw` is null; "
        "warning `LASER-POWER-CAP`).\n",
        l.cap_per_channel_mw,
        l.labelled ? fmt::format("accuracy {:.4f} (reference {:.4f}) and ", l.accuracy, l.reference_accuracy) : "",
        l.agreement);
  }
  if (l.waveguide_max_mw > 0.0)
    s += fmt::format("\n- cap: {:.6g} mW per channel = {}\n", l.cap_per_channel_mw, l.cap_method);
  else
    s += "\n- cap: none computed (the PDK gives no waveguide.max_power_mw)\n";
  if (!l.calibrated) return s;
  s += fmt::format("- criterion: {}\n", l.criterion);
  s += fmt::format("- calibration batch: {} ({} samples{}), seed {}, {} draw(s) per power\n", l.batch, l.samples,
                   l.labels.empty() ? ", no labels" : ", labels " + l.labels, l.seed, l.draws);
  s += fmt::format(
      "- search: bisection in log power between {:g} mW and the cap, {} evaluations, tolerance {:g} "
      "(outcome: {}{})\n",
      l.floor_mw, l.evaluations, l.tolerance, l.outcome,
      l.outcome == "found" ? fmt::format("; {:.6g} mW fails", l.below_mw) : "");
  if (l.labelled)
    s += fmt::format("- at the charged power: accuracy {:.4f} (reference {:.4f}), agreement {:.4f}\n", l.accuracy,
                     l.reference_accuracy, l.agreement);
  else
    s += fmt::format("- at the charged power: agreement {:.4f}\n", l.agreement);
  s += fmt::format("- simulator: {}\n", l.simulator);
  return s;
}

}  // namespace

std::string program_csv(const circuit::Netlist& n, const pdk::Pdk& pdk, int dac_bits) {
  TextSink sink;
  write_program_csv(n, pdk, dac_bits, sink);
  return std::move(sink.text);
}

void write_program_csv(const circuit::Netlist& n, const pdk::Pdk& pdk, int dac_bits, TextSink& sink) {
  const double p_pi = pdk.tmpl("phase_shifter").number("p_pi_mw");
  const double levels = std::ldexp(1.0, dac_bits);
  std::string& s = sink.text;
  s += "cell,instance,component,parameter,phase_rad,heater_power_mw,dac_code\n";
  // The compensated heater powers compile solved where the layout placed heaters (circuit.json thermal_sites,
  // docs/simulation.md#thermal-crosstalk), by (cell, instance, parameter); elsewhere P_pi * phase / pi.
  std::map<std::tuple<std::string, std::string, std::string>, double> compensated;
  for (const auto& entry : n.thermal_sites) {
    // Named, not a structured binding: the lambda below captures it (clang before 16 cannot capture bindings).
    const std::vector<circuit::ThermalSite>& sites = entry.second;
    const circuit::TileView t = circuit::read_tile(n, entry.first);
    std::visit(
        circuit::Overloaded{[&](const circuit::CoherentTile& ct) {
          for (const circuit::ThermalSite& st : sites) {
            if (st.power_mw < 0) continue;
            const std::string& cell = st.part == circuit::kTileVh    ? ct.vh.cell
                                      : st.part == circuit::kTileAtt ? ct.att.cell
                                                                     : ct.u.cell;
            const std::string path = circuit::site_instance(st);
            compensated[{cell, path.substr(path.find('/') + 1), std::string(circuit::site_setting(st))}] = st.power_mw;
          }
        }},
        t.body);
  }
  auto row = [&](const circuit::Cell& c, const std::string& inst, std::string_view component, const char* key,
                 double phase) {
    double ph = wrap(phase);
    auto code = static_cast<int64_t>(std::llround(ph / (2 * std::numbers::pi) * levels)) % static_cast<int64_t>(levels);
    const auto it = compensated.find({c.name, inst, key});
    s += fmt::format("{},{},{},{},{:.17g},{:.6f},{}\n", c.name, inst, component, key, ph,
                     it != compensated.end() ? it->second : analysis::heater_power_mw(ph, p_pi), code);
  };
  // Every programmed phase, cell by cell in netlist order: mesh MZIs (theta, phi) in optical order and their
  // screen shifters (phi), attenuators (theta, phi).
  for (const auto& c : n.cells) {
    switch (circuit::kind_of(c)) {
      case circuit::CellKind::Mesh: {
        const circuit::MeshView m = circuit::read_mesh(c);
        for (size_t k = 0; k < m.mesh.mzis.size(); ++k) {
          const std::string inst = circuit::mesh_mzi_name(static_cast<int64_t>(k));
          row(c, inst, circuit::kMziTemplate, "theta_rad", m.mesh.mzis[k].theta_rad);
          row(c, inst, circuit::kMziTemplate, "phi_rad", m.mesh.mzis[k].phi_rad);
        }
        for (size_t i = 0; i < m.mesh.output_phase_rad.size(); ++i)
          row(c, circuit::mesh_screen_name(static_cast<int64_t>(i)), circuit::kPhaseShifterTemplate, "phi_rad",
              m.mesh.output_phase_rad[i]);
        break;
      }
      case circuit::CellKind::Attenuators: {
        const circuit::AttenuatorColumn a = circuit::read_attenuators(c);
        for (size_t k = 0; k < a.attenuators.size(); ++k) {
          const std::string inst = circuit::attenuator_name(static_cast<int64_t>(k));
          row(c, inst, circuit::kAttenuatorTemplate, "theta_rad", a.attenuators[k].theta_rad);
          row(c, inst, circuit::kAttenuatorTemplate, "phi_rad", a.attenuators[k].phi_rad);
        }
        break;
      }
      case circuit::CellKind::Tile:
      case circuit::CellKind::Layer:
      case circuit::CellKind::Top:
        break;
    }
    sink.flush();
  }
  sink.drain();
}

std::string report_json(const circuit::Netlist& n, const analysis::ChipMetrics& m, const CompileInfo& info) {
  nlohmann::ordered_json j;
  j["model"] = info.model;
  j["pdk"] = n.pdk;
  j["options"] = {{"mesh_size", info.mesh_size},
                  {"method", info.method},
                  {"activation", info.activation},
                  {"dac_bits", info.dac_bits},
                  {"rank_energy", info.rank_energy}};
  if (!info.pdk_variants.empty()) j["options"]["pdk_variants"] = info.pdk_variants;
  j["counts"] = nlohmann::ordered_json::object();
  for (const auto& [k, v] : m.counts) j["counts"][k] = v;
  j["macs_per_sample"] = m.macs_per_sample;
  j["figures"] = nlohmann::ordered_json::object();
  for (const auto& f : m.figures) j["figures"][f.key] = {{"value", f.value}, {"label", f.label}, {"method", f.method}};
  j["power_breakdown_mw"] = nlohmann::ordered_json::object();
  for (const auto& [part, mw] : m.power_breakdown_mw) j["power_breakdown_mw"][part] = mw;
  j["laser_power_required_mw"] =
      info.laser.required_found ? nlohmann::ordered_json(info.laser.required_mw) : nlohmann::ordered_json();
  j["laser_power"] = info.laser.decided ? laser_json(m, info.laser) : nlohmann::ordered_json();
  j["stages"] = nlohmann::ordered_json::array();
  for (const auto& st : n.stages) {
    nlohmann::ordered_json s = {{"node", st.node}, {"op", st.op}, {"domain", st.domain}};
    if (!st.reason.empty()) s["reason"] = st.reason;
    if (st.domain == "optical") {
      s["matrix"] = {st.out_features, st.in_features};
      s["tiles"] = st.tiles.size();
      s["positions"] = st.positions;
      auto it = m.stage_loss.find(st.node);
      if (it != m.stage_loss.end()) {
        s["loss_db"] = it->second.loss_db;
        s["loss_paths"] = it->second.drawn ? "drawn" : "schematic";
      }
    }
    j["stages"].push_back(s);
  }
  j["warnings"] = nlohmann::ordered_json::array();
  for (const Warning& w : info.warnings) j["warnings"].push_back({{"code", w.code}, {"message", w.message}});
  return j.dump(2) + "\n";
}

std::string report_markdown(const circuit::Netlist& n, const analysis::ChipMetrics& m, const CompileInfo& info) {
  std::string s = fmt::format("# Compile report: {}\n\n", info.model);
  s += fmt::format("PDK `{}` ({}), mesh size {} ({}), activations `{}`, {}-bit phase DACs.\n\n", n.pdk, info.pdk_path,
                   info.mesh_size, info.method, info.activation, info.dac_bits);
  s += "## Figures\n\n| figure | value | how it was computed |\n|---|---|---|\n";
  for (const auto& f : m.figures) s += fmt::format("| {} (`{}`) | {:.6g} | {} |\n", f.label, f.key, f.value, f.method);
  if (info.laser.decided) s += laser_markdown(m, info.laser);
  s += energy_markdown(m);
  if (!m.power_breakdown_mw.empty()) {
    double total = 0;
    for (const auto& [part, mw] : m.power_breakdown_mw) total += mw;
    s += "\n## Power breakdown\n\nEvery contributor of `total_power_mw` at the pipelined throughput "
         "(docs/physics.md#throughput-and-energy).\n\n| part | power (mW) | share |\n|---|---|---|\n";
    for (const auto& [part, mw] : m.power_breakdown_mw)
      s += fmt::format("| {} | {:.6g} | {:.1f}% |\n", part, mw, total > 0 ? 100.0 * mw / total : 0.0);
  }
  s += fmt::format("\nMACs per sample: {}\n\n## Counts\n\n| item | count |\n|---|---|\n", m.macs_per_sample);
  for (const auto& [k, v] : m.counts) s += fmt::format("| {} | {} |\n", k, v);
  s += "\n## Stages\n\n| node | op | domain | detail |\n|---|---|---|---|\n";
  for (const auto& st : n.stages) {
    std::string detail = st.domain == "optical"
                             ? fmt::format("{} x {} matrix, {} tile(s), {} position(s) per sample", st.out_features,
                                           st.in_features, st.tiles.size(), st.positions)
                             : st.reason;
    auto it = m.stage_loss.find(st.node);
    if (it != m.stage_loss.end())
      detail += fmt::format("; worst-path loss {:.2f} dB ({} paths)", it->second.loss_db,
                            it->second.drawn ? "drawn" : "schematic");
    s += fmt::format("| {} | {} | {} | {} |\n", st.node, st.op, st.domain, detail);
  }
  // Only when there are some: a compile without warnings gives the same report as before warnings existed.
  if (!info.warnings.empty()) {
    s += "\n## Warnings\n\n| code | message |\n|---|---|\n";
    for (const Warning& w : info.warnings) s += fmt::format("| `{}` | {} |\n", w.code, w.message);
  }
  return s;
}

}  // namespace holo::report
