// Pipelined throughput and energy figures (analysis/metrics.cpp, docs/physics.md#throughput-and-energy) against
// numbers computed by hand for a two-stage chip: a Gemm on one 2x2 tile and a Conv with 4 output positions on
// another.
#include "holo/analysis/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "holo/circuit/compiled.h"
#include "holo/circuit/netlist.h"
#include "holo/pdk/pdk.h"
#include "test_support.h"

namespace holo::analysis {
namespace {

constexpr double kPi = std::numbers::pi;

// A 2-mode mesh of one MZI at theta = pi/2, phi = 0 and a zero output screen: P_pi / 2 of heater power.
linalg::Mesh half_mesh() {
  linalg::Mesh m;
  m.n = 2;
  m.mzis = {{0, 0, kPi / 2, 0.0}};
  m.output_phase_rad = {0.0, 0.0};
  m.columns = 1;
  return m;
}

// Stage "fc" (Gemm, 1 position) and stage "conv" (Conv, 4 positions), one 2x2 tile each. Each tile: two MZIs and
// two attenuators at theta = pi/2, phi = 0, so 4 x P_pi / 2 = 2 P_pi of heater power.
circuit::Netlist two_stage_chip() {
  circuit::Netlist nl;
  nl.name = "e";
  nl.pdk = "generic_soi220";
  std::vector<std::string> layers;
  const std::vector<std::pair<std::string, std::string>> stages = {{"fc", "Gemm"}, {"conv", "Conv"}};
  for (const auto& [node, op] : stages) {
    nl.cells.push_back(circuit::mesh_cell(node + "_vh", half_mesh()));
    nl.cells.push_back(circuit::attenuator_cell(
        node + "_att", {circuit::make_attenuator(kPi / 2), circuit::make_attenuator(kPi / 2)}));
    nl.cells.push_back(circuit::mesh_cell(node + "_u", half_mesh()));
    circuit::Cell tile = circuit::coherent_tile_cell(node + "_tile", 2, 2, 2, node + "_vh", node + "_att", node + "_u");
    circuit::Cell layer = circuit::layer_cell(node + "_layer", node, op);
    circuit::add_layer_slot(layer, 0, 0, tile);
    const int64_t positions = op == "Conv" ? 4 : 1;
    nl.stages.push_back({node, op, "optical", "", layer.name, 2, 2, positions, {{tile.name, 0, 2, 0, 2, 1.0}}});
    layers.push_back(layer.name);
    nl.cells.push_back(std::move(tile));
    nl.cells.push_back(std::move(layer));
  }
  circuit::Cell top = circuit::top_cell("e_top", nl, layers);
  nl.top = top.name;
  nl.cells.push_back(std::move(top));
  return nl;
}

// The generic PDK with round numbers for the figures the energy depends on.
pdk::Pdk test_pdk() {
  pdk::Pdk p = pdk::load_pdk(test::source_path("pdk/generic_soi220.json"));
  auto set = [&](const std::string& t, const std::string& k, double v) { p.templates.at(t).figures[k].value = v; };
  set("phase_shifter", "p_pi_mw", 10.0);
  set("dac", "sample_rate_gsps", 10.0);
  set("dac", "energy_pj_per_sample", 1.0);
  set("adc", "sample_rate_gsps", 20.0);
  set("adc", "energy_pj_per_sample", 2.0);
  set("modulator", "bandwidth_ghz", 50.0);
  set("modulator", "energy_pj_per_symbol", 1.0);
  set("homodyne_receiver", "bandwidth_ghz", 50.0);
  set("homodyne_receiver", "lo_power_mw", 1.0);
  set("laser", "power_per_channel_mw", 1.0);
  set("laser", "wall_plug_efficiency", 0.2);
  // Heater power as programmed (no fabrication offsets to null: NulledHeaterPower checks that model).
  p.templates.at("phase_shifter").figures.erase("fab_phase_spread_rad");
  // No receiver amplifier power (TotalPower adds it), a lossless input coupler for the local oscillator
  // (LaserPower.TheLocalOscillatorCrossesAnInputCoupler adds its loss).
  p.templates.at("homodyne_receiver").figures.erase("tia_power_mw");
  set("grating_coupler", "insertion_loss_db", 0.0);
  return p;
}

// MACs per sample: the Gemm 2 x 2 = 4, the Conv 4 positions x 2 x 2 = 16.
constexpr int64_t kMacs = 20;

double value(const ChipMetrics& m, const std::string& key) {
  return m.figure(key).value;
}

TEST(Throughput, PipelinedAtTheSymbolRate) {
  const pdk::Pdk p = test_pdk();
  const ChipMetrics m = analyze(two_stage_chip(), p, kMacs);
  // DAC 10 GS/s, ADC 20 GS/s, modulator and receiver 50 GHz: the DAC limits.
  HOLO_EXPECT_CLOSE(value(m, "symbol_rate_gbaud"), 10.0, test::Tol::Exact);
  EXPECT_NE(m.figure("symbol_rate_gbaud").method.find("limited by the DAC sample rate"), std::string::npos)
      << m.figure("symbol_rate_gbaud").method;
  // The Conv's 4 positions on its one tile: 4 symbols per sample; 10 GBd / 4 = 2.5e9 samples/s.
  HOLO_EXPECT_CLOSE(value(m, "symbols_per_sample"), 4.0, test::Tol::Exact);
  EXPECT_NE(m.figure("symbols_per_sample").method.find("conv (4 positions)"), std::string::npos);
  HOLO_EXPECT_CLOSE(value(m, "throughput_samples_per_s"), 2.5e9, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "throughput_macs_per_s"), 5e10, test::Tol::Double);  // 2.5e9 x 20
  HOLO_EXPECT_CLOSE(value(m, "throughput_tops"), 0.1, test::Tol::Double);         // 2 x 5e10 / 1e12
}

TEST(Throughput, TheSlowestPartLimits) {
  pdk::Pdk p = test_pdk();
  p.templates.at("adc").figures["sample_rate_gsps"].value = 5.0;
  ChipMetrics m = analyze(two_stage_chip(), p, kMacs);
  HOLO_EXPECT_CLOSE(value(m, "symbol_rate_gbaud"), 5.0, test::Tol::Exact);
  EXPECT_NE(m.figure("symbol_rate_gbaud").method.find("limited by the ADC sample rate"), std::string::npos);
  HOLO_EXPECT_CLOSE(value(m, "throughput_samples_per_s"), 1.25e9, test::Tol::Double);

  p.templates.at("modulator").figures["bandwidth_ghz"].value = 2.0;
  m = analyze(two_stage_chip(), p, kMacs);
  HOLO_EXPECT_CLOSE(value(m, "symbol_rate_gbaud"), 2.0, test::Tol::Exact);
  EXPECT_NE(m.figure("symbol_rate_gbaud").method.find("limited by the modulator bandwidth"), std::string::npos);

  // Without the optional modulator bandwidth the converters and the receiver decide.
  p.templates.at("modulator").figures.erase("bandwidth_ghz");
  m = analyze(two_stage_chip(), p, kMacs);
  HOLO_EXPECT_CLOSE(value(m, "symbol_rate_gbaud"), 5.0, test::Tol::Exact);
}

// Electronic energy per sample: Gemm 1 x 2 inputs x (DAC 1 + modulator 1) + 1 x 2 outputs x ADC 2 = 8 pJ; Conv
// 4 x that = 32 pJ; one column block, no accumulator adds: 40 pJ. Heaters: 2 tiles x 2 P_pi = 40 mW. Laser at
// P mW per channel: (4 modulators x P + 4 receivers x 1 mW LO) / 0.2.
TEST(Energy, PipelinedWithAndWithoutHeaters) {
  const pdk::Pdk p = test_pdk();
  ChipMetrics m = analyze(two_stage_chip(), p, kMacs);
  HOLO_EXPECT_CLOSE(m.electronic_energy_pj, 40.0, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "heater_power_mw"), 40.0, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "laser_power_mw"), 40.0, test::Tol::Double);  // (4 + 4) / 0.2
  // Static 80 mW over 2.5e9 samples/s = 32 pJ per sample (heaters 16, laser 16).
  HOLO_EXPECT_CLOSE(value(m, "energy_per_sample_pj"), 72.0, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "energy_per_mac_pj"), 3.6, test::Tol::Double);  // 72 / 20
  HOLO_EXPECT_CLOSE(value(m, "tops_per_w"), 2.0 / 3.6, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "energy_per_mac_no_heaters_pj"), 2.8, test::Tol::Double);  // (40 + 16) / 20
  HOLO_EXPECT_CLOSE(value(m, "tops_per_w_no_heaters"), 2.0 / 2.8, test::Tol::Double);

  // Latency-bound: the Gemm one DAC symbol (100 ps) + flight + one ADC sample (50 ps), the Conv the same + 3
  // symbols; flight over the worst path of 2 MZIs.
  const double flight_ps = 2 * p.tmpl("mzi").number("length_um") * p.tmpl("waveguide").number("n_g") / 299.792458;
  const double latency_ps = 150 + flight_ps + 450 + flight_ps;
  HOLO_EXPECT_CLOSE(value(m, "latency_ps"), latency_ps, test::Tol::Double);
  const double unpiped_pj = 40.0 + 80.0 * latency_ps * 1e-3;  // mW x ps = 1e-3 pJ
  HOLO_EXPECT_CLOSE(value(m, "energy_per_mac_unpipelined_pj"), unpiped_pj / 20, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "tops_per_w_unpipelined"), 2.0 / (unpiped_pj / 20), test::Tol::Double);
}

TEST(Energy, ChargeLaserRecomputesEveryEnergyFigure) {
  const pdk::Pdk p = test_pdk();
  ChipMetrics m = analyze(two_stage_chip(), p, kMacs);
  const double latency_ps = value(m, "latency_ps");
  charge_laser(m, p, 2.0, LaserBasis::calibrated);
  HOLO_EXPECT_CLOSE(value(m, "laser_power_mw"), 60.0, test::Tol::Double);  // (4 x 2 + 4) / 0.2
  // Throughput does not depend on the laser.
  HOLO_EXPECT_CLOSE(value(m, "throughput_samples_per_s"), 2.5e9, test::Tol::Double);
  // Static 100 mW / 2.5e9 = 40 pJ per sample: 80 pJ, 4 pJ per MAC; without heaters 40 + 24 = 64 pJ.
  HOLO_EXPECT_CLOSE(value(m, "energy_per_sample_pj"), 80.0, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "energy_per_mac_pj"), 4.0, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "tops_per_w"), 0.5, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "energy_per_mac_no_heaters_pj"), 3.2, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "tops_per_w_no_heaters"), 0.625, test::Tol::Double);
  const double unpiped_pj = 40.0 + 100.0 * latency_ps * 1e-3;
  HOLO_EXPECT_CLOSE(value(m, "energy_per_mac_unpipelined_pj"), unpiped_pj / 20, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "tops_per_w_unpipelined"), 40.0 / unpiped_pj, test::Tol::Double);
  // Each energy figure once, however often the laser is charged.
  charge_laser(m, p, 1.0, LaserBasis::pdk);
  HOLO_EXPECT_CLOSE(value(m, "energy_per_mac_pj"), 3.6, test::Tol::Double);
  int n = 0;
  for (const Figure& f : m.figures) n += f.key == "energy_per_mac_pj";
  EXPECT_EQ(n, 1);
}

// Total power: heaters 40 + laser 40 + receivers 4 x 3 mW + electronics 40 pJ x 2.5e9 samples/s = 100 mW, 192 mW;
// the breakdown sums to it; the receivers' static power enters the energy per sample too (12 mW / 2.5e9 = 4.8 pJ).
TEST(TotalPower, EveryContributorAtThePipelinedThroughput) {
  pdk::Pdk p = test_pdk();
  p.templates.at("homodyne_receiver").figures["tia_power_mw"] = {3.0, "test"};
  ChipMetrics m = analyze(two_stage_chip(), p, kMacs);
  HOLO_EXPECT_CLOSE(m.receiver_power_mw, 12.0, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "total_power_mw"), 192.0, test::Tol::Double);
  double sum = 0;
  for (const auto& [part, mw] : m.power_breakdown_mw) sum += mw;
  HOLO_EXPECT_CLOSE(sum, 192.0, test::Tol::Double);
  HOLO_EXPECT_CLOSE(m.power_breakdown_mw.at("dacs"), 20.0 * 2.5e9 * 1e-9 * 0.5, test::Tol::Double);  // 10 pJ
  HOLO_EXPECT_CLOSE(m.power_breakdown_mw.at("adcs"), 20.0 * 2.5e9 * 1e-9, test::Tol::Double);        // 20 pJ
  HOLO_EXPECT_CLOSE(value(m, "energy_per_sample_pj"), 72.0 + 4.8, test::Tol::Double);
  // The laser recharged: the total follows.
  charge_laser(m, p, 2.0, LaserBasis::calibrated);
  HOLO_EXPECT_CLOSE(value(m, "total_power_mw"), 212.0, test::Tol::Double);
  HOLO_EXPECT_CLOSE(value(m, "bandwidth_ghz"), value(m, "symbol_rate_gbaud") / 2, test::Tol::Exact);  // Nyquist
}

// The laser supplies each receiver's LO through an input coupler: at 3 dB, twice the LO power per receiver.
TEST(LaserPower, TheLocalOscillatorCrossesAnInputCoupler) {
  pdk::Pdk p = test_pdk();
  p.templates.at("grating_coupler").figures["insertion_loss_db"].value = 10 * std::log10(2.0);
  const ChipMetrics m = analyze(two_stage_chip(), p, kMacs);
  HOLO_EXPECT_CLOSE(value(m, "laser_power_mw"), (4 * 1.0 + 4 * 2.0) / 0.2, test::Tol::Double);
}

// The end-to-end loss is the worst optical stage's link loss, the same number as that stage's loss_db.
TEST(EndToEndLoss, TheWorstStageLink) {
  const ChipMetrics m = analyze(two_stage_chip(), test_pdk(), kMacs);
  double worst = 0;
  for (const auto& [node, l] : m.stage_loss) worst = std::max(worst, l.loss_db);
  EXPECT_GT(worst, 0.0);
  HOLO_EXPECT_CLOSE(value(m, "end_to_end_loss_db"), worst, test::Tol::Exact);
  EXPECT_NE(m.figure("end_to_end_loss_db").method.find("schematic"), std::string::npos);
}

// Offsets uniform over the whole circle cost P_pi per heater whatever the target (the mean wrapped phase is pi);
// no spread is the programmed phase; a partial spread against a direct quadrature of E[wrap(phase - d)].
TEST(NulledHeaterPower, ExpectedOverTheFabricationOffsets) {
  for (double phase : {0.0, 0.3, kPi, 5.9}) {
    HOLO_EXPECT_CLOSE(nulled_heater_power_mw(phase, 24.0, 2 * kPi), 24.0, test::Tol::Double);
    HOLO_EXPECT_CLOSE(nulled_heater_power_mw(phase, 24.0, 0.0), heater_power_mw(phase, 24.0), test::Tol::Exact);
    const double spread = 1.5;
    const int n = 200000;  // midpoint rule on a piecewise-linear integrand: error ~ (spread / n)^2, one kink
    double sum = 0;
    for (int k = 0; k < n; ++k) sum += heater_power_mw(phase - spread / 2 + spread * (k + 0.5) / n, 24.0);
    EXPECT_NEAR(nulled_heater_power_mw(phase, 24.0, spread), sum / n, 1e-3) << phase;
  }
}

}  // namespace
}  // namespace holo::analysis
