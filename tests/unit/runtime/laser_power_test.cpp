// runtime/laser_power: the bisection in log power on synthetic pass/fail curves (a step, a noisy non-monotone
// score, always/never passing), its option checks, the per-channel power adapter and cap, and the calibration on
// a small chip: more light never makes the detected answer worse, and the power found passes while the one below
// it fails.
#include "holo/runtime/laser_power.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "holo/graph/verify.h"
#include "holo/mapping/lower.h"
#include "holo/pdk/pdk.h"
#include "test_support.h"

namespace holo::runtime {
namespace {

PowerSearchOptions options(double floor_mw, double cap_mw, double tolerance) {
  PowerSearchOptions o;
  o.floor_mw = floor_mw;
  o.cap_mw = cap_mw;
  o.tolerance = tolerance;
  return o;
}

// A step: passes at and above `threshold`.
std::function<PowerProbe(double)> step(double threshold, int* calls = nullptr) {
  return [threshold, calls](double p) {
    if (calls) ++*calls;
    PowerProbe r;
    r.power_mw = p;
    r.pass = p >= threshold;
    r.accuracy = r.pass ? 1.0 : 0.5;
    return r;
  };
}

TEST(LaserPowerSearch, FindsTheThresholdOfAStepWithinTheTolerance) {
  for (double threshold : {0.0123, 0.5, 1.0, 7.77, 99.0}) {
    for (double tol : {0.01, 0.05, 0.5}) {
      int calls = 0;
      const PowerSearch s = search_power(step(threshold, &calls), options(1e-3, 100.0, tol));
      EXPECT_EQ(s.outcome, PowerOutcome::found) << threshold;
      // The bracket holds the threshold and is as narrow as asked.
      EXPECT_GE(s.power_mw, threshold);
      EXPECT_LT(s.below_mw, threshold);
      EXPECT_LE(s.power_mw / s.below_mw, 1.0 + tol);
      // Bisection in log power: the cap, the floor, then ceil(log2(ln(cap / floor) / ln(1 + tol))) halvings.
      const int bound = 2 + static_cast<int>(std::ceil(std::log2(std::log(1e5) / std::log1p(tol))));
      EXPECT_LE(calls, bound) << threshold << " " << tol;
      EXPECT_EQ(static_cast<int>(s.probes.size()), calls);
      EXPECT_TRUE(s.probe_at(s.power_mw).pass);
      EXPECT_FALSE(s.probe_at(s.below_mw).pass);
    }
  }
}

TEST(LaserPowerSearch, CapFailingIsUnreachableAndFloorPassingIsAtFloor) {
  int calls = 0;
  const PowerSearch never = search_power(step(1e9, &calls), options(1e-3, 100.0, 0.05));
  EXPECT_EQ(never.outcome, PowerOutcome::unreachable);
  EXPECT_EQ(never.power_mw, 100.0);
  EXPECT_EQ(calls, 1);  // only the cap is probed
  EXPECT_FALSE(never.probe_at(100.0).pass);
  EXPECT_EQ(never.probe_at(100.0).accuracy, 0.5);  // what the chip reaches at the cap, for the warning

  calls = 0;
  const PowerSearch always = search_power(step(0.0, &calls), options(1e-3, 100.0, 0.05));
  EXPECT_EQ(always.outcome, PowerOutcome::at_floor);
  EXPECT_EQ(always.power_mw, 1e-3);
  EXPECT_EQ(always.below_mw, 0.0);
  EXPECT_EQ(calls, 2);  // the cap, then the floor
  EXPECT_STREQ(outcome_name(PowerOutcome::found), "found");
  EXPECT_STREQ(outcome_name(PowerOutcome::at_floor), "at_floor");
  EXPECT_STREQ(outcome_name(PowerOutcome::unreachable), "unreachable");
}

TEST(LaserPowerSearch, ANoisyNonMonotoneScoreGivesAConsistentBracket) {
  // A sigmoid accuracy in log power plus seeded noise: not monotone near the threshold. Whatever the probes see,
  // every failed probe lies at or below below_mw and every passed one at or above power_mw.
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> noise(0.0, 0.005);
    auto probe = [&](double p) {
      PowerProbe r;
      r.power_mw = p;
      r.accuracy = 1.0 / (1.0 + std::exp(-4.0 * std::log(p / 0.3))) + noise(rng);
      r.pass = r.accuracy >= 0.95;
      return r;
    };
    const PowerSearch s = search_power(probe, options(1e-3, 100.0, 0.05));
    ASSERT_EQ(s.outcome, PowerOutcome::found);
    EXPECT_LE(s.power_mw / s.below_mw, 1.05);
    for (const PowerProbe& p : s.probes) {
      if (p.pass)
        EXPECT_GE(p.power_mw, s.power_mw) << seed;
      else
        EXPECT_LE(p.power_mw, s.below_mw) << seed;
    }
    // The noise-free curve crosses 0.95 at 0.3 x 19^(1/4) = 0.627 mW. Within 4 sigma (+-0.02) of noise a probe
    // passes only above 0.573 mW (curve 0.93) and fails only below 0.715 mW (curve 0.97).
    EXPECT_GT(s.power_mw, 0.627 / 1.15) << seed;
    EXPECT_LT(s.power_mw, 0.627 * 1.25) << seed;
  }
}

TEST(LaserPowerSearch, RejectsImpossibleOptionsAndAWrongProbe) {
  auto code = [](PowerSearchOptions o) { return test::error_code([&] { search_power(step(1.0), o); }); };
  EXPECT_EQ(code(options(0.0, 100.0, 0.05)), "RUNTIME-BAD-OPTION");
  EXPECT_EQ(code(options(-1.0, 100.0, 0.05)), "RUNTIME-BAD-OPTION");
  EXPECT_EQ(code(options(1.0, 1.0, 0.05)), "RUNTIME-BAD-OPTION");
  EXPECT_EQ(code(options(1.0, std::nan(""), 0.05)), "RUNTIME-BAD-OPTION");
  EXPECT_EQ(code(options(1.0, INFINITY, 0.05)), "RUNTIME-BAD-OPTION");
  EXPECT_EQ(code(options(1e-3, 100.0, 0.0)), "RUNTIME-BAD-OPTION");
  EXPECT_EQ(code(options(1e-3, 100.0, 1.5)), "RUNTIME-BAD-OPTION");
  PowerSearchOptions few = options(1e-3, 100.0, 1e-6);
  few.max_evaluations = 10;  // 1e-6 over five decades needs 26
  EXPECT_EQ(code(few), "RUNTIME-BAD-OPTION");
  auto liar = [](double p) {
    PowerProbe r;
    r.power_mw = 2.0 * p;
    return r;
  };
  EXPECT_EQ(test::error_code([&] { search_power(liar, options(1e-3, 100.0, 0.05)); }), "RUNTIME-SEARCH");
}

// x[N,6] -> Gemm(transB, W [4, 6]) -> [N,4]: a small chip whose 4 classes are well separated.
graph::Graph small_classifier() {
  graph::Graph g;
  g.name = "small";
  const auto x = g.intern("x");
  g.tensor(x).shape = {-1, 6};
  g.tensor(x).shape_known = true;
  g.inputs.push_back(x);
  std::vector<double> w(24, 0.0);
  for (int i = 0; i < 4; ++i) w[static_cast<size_t>(i * 6 + i)] = 1.0, w[static_cast<size_t>(i * 6 + 4)] = 0.3;
  g.add_constant("w", Array({4, 6}, w));
  graph::Node n;
  n.name = "fc";
  n.op = "Gemm";
  n.attrs = {{"transB", int64_t{1}}};
  n.inputs = {x, g.intern("w")};
  n.outputs = {g.intern("y")};
  g.nodes.push_back(n);
  g.outputs.push_back(g.intern("y"));
  graph::verify(g);
  return g;
}

// One-hot-ish inputs of class k = sample % 4 with a small random background.
std::vector<Array> small_batch(int64_t n) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0.0, 0.4);
  Array x({n, 6});
  for (int64_t s = 0; s < n; ++s) {
    for (int64_t j = 0; j < 6; ++j) x[s * 6 + j] = u(rng);
    x[s * 6 + s % 4] = 1.0;
  }
  return {x};
}

TEST(LaserPowerCalibration, ChannelPowerCap) {
  const pdk::Pdk p = pdk::load_pdk(pdk::default_pdk_path());
  const graph::Graph g = small_classifier();
  mapping::MappingOptions mo;
  mo.mesh_size = 64;
  const circuit::Netlist net = mapping::lower(g, p, mo);
  // One 4 x 6 tile.
  const ChannelPowerCap cap = channel_power_cap(net, p);
  EXPECT_EQ(cap.widest_tile_cols, 6);
  EXPECT_DOUBLE_EQ(cap.waveguide_max_mw, p.tmpl("waveguide").number("max_power_mw"));
  const double eta_gc = std::pow(10.0, -p.tmpl("grating_coupler").number("insertion_loss_db") / 10.0);
  const double eta_mod = std::pow(10.0, -p.tmpl("modulator").number("insertion_loss_db") / 10.0);
  EXPECT_NEAR(cap.per_channel_mw, cap.waveguide_max_mw / (eta_gc * std::max(1.0, 6.0 * eta_mod)),
              1e-12 * cap.per_channel_mw);
  // At the cap, all light entering the tile's mesh is the waveguide limit (or one channel's waveguide is).
  EXPECT_NEAR(cap.per_channel_mw * eta_gc * std::max(1.0, 6.0 * eta_mod), cap.waveguide_max_mw, 1e-9);
  // A platform whose limit would allow more than holo simulate accepts is held at that bound, and says so.
  pdk::Pdk high = p;
  high.templates.at("waveguide").figures.at("max_power_mw").value = 1e4;
  const ChannelPowerCap held = channel_power_cap(net, high);
  EXPECT_EQ(held.per_channel_mw, kMaxLaserPowerPerChannelMw);
  EXPECT_NE(held.method.find("limited to 10000 mW"), std::string::npos) << held.method;
}

TEST(LaserPowerCalibration, FindsAPowerThatPassesAboveOneThatFails) {
  const pdk::Pdk p = pdk::load_pdk(pdk::default_pdk_path());
  const graph::Graph g = small_classifier();
  mapping::MappingOptions mo;
  mo.mesh_size = 64;
  const circuit::Netlist net = mapping::lower(g, p, mo);
  const std::vector<Array> in = small_batch(200);
  const Reference ref = reference(g, in, "x.npy");
  std::vector<int64_t> labels(200);
  for (int64_t s = 0; s < 200; ++s) labels[static_cast<size_t>(s)] = s % 4;

  LaserCalibrationOptions o;
  o.search.floor_mw = 1e-9;  // far below any usable power: the floor fails
  o.search.cap_mw = channel_power_cap(net, p).per_channel_mw;
  int probes = 0;
  o.on_probe = [&probes](const PowerProbe&) { ++probes; };
  const LaserCalibration cal = calibrate_laser_power(g, net, p, in, ref, labels, o);
  ASSERT_EQ(cal.search.outcome, PowerOutcome::found) << cal.criterion;
  EXPECT_TRUE(cal.labelled);
  EXPECT_EQ(cal.samples, 200);
  EXPECT_EQ(cal.reference_accuracy, 1.0);  // the classes are separated by construction
  EXPECT_DOUBLE_EQ(cal.target, 0.99);
  EXPECT_EQ(probes, static_cast<int>(cal.search.probes.size()));
  const PowerProbe& at = cal.search.probe_at(cal.search.power_mw);
  const PowerProbe& below = cal.search.probe_at(cal.search.below_mw);
  EXPECT_GE(at.accuracy, 0.99);
  EXPECT_LT(below.accuracy, 0.99);
  EXPECT_LT(cal.search.probe_at(1e-9).accuracy, 0.5);  // the floor: no signal above the noise
  // The probe is the chip simulated on its own at that power (draws seed, seed + 1); a tenth of the power is
  // clearly worse (the detector noise relative to the signal grows as 1 / sqrt(P): x3.2).
  auto accuracy_at = [&](double mw) {
    double acc = 0;
    for (int d = 0; d < cal.draws; ++d) {
      sim::SimOptions so = cal.sim;
      so.laser_power_mw = mw;
      so.seed = cal.sim.seed + static_cast<uint64_t>(d);
      acc += evaluate(Chip(g, net, p, so), in, ref, labels).accuracy;
    }
    return acc / cal.draws;
  };
  EXPECT_DOUBLE_EQ(accuracy_at(cal.search.power_mw), at.accuracy);
  EXPECT_LT(accuracy_at(0.1 * cal.search.power_mw), at.accuracy - 0.05);
  // Deterministic: the same search again gives the same power.
  o.on_probe = nullptr;
  EXPECT_EQ(calibrate_laser_power(g, net, p, in, ref, labels, o).search.power_mw, cal.search.power_mw);
  // Without labels the criterion is agreement with the reference.
  const LaserCalibration unl = calibrate_laser_power(g, net, p, in, ref, {}, o);
  EXPECT_FALSE(unl.labelled);
  ASSERT_NE(unl.search.outcome, PowerOutcome::unreachable);
  EXPECT_GE(unl.search.probe_at(unl.search.power_mw).agreement, 0.99);

  LaserCalibrationOptions bad = o;
  bad.draws = 0;
  EXPECT_EQ(test::error_code([&] { calibrate_laser_power(g, net, p, in, ref, labels, bad); }), "RUNTIME-BAD-OPTION");
  bad = o;
  bad.accuracy_margin = 1.5;
  EXPECT_EQ(test::error_code([&] { calibrate_laser_power(g, net, p, in, ref, labels, bad); }), "RUNTIME-BAD-OPTION");
}

}  // namespace
}  // namespace holo::runtime
