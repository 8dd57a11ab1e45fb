// The laser power a compiled chip needs, found by simulation (docs/simulation.md, "Laser power"): the lowest
// optical power per input channel at which the chip, simulated with detector noise, classifies a calibration
// batch as well as the reference executor (within a margin), searched by bisection in log power between a
// floor and the per-channel cap that keeps every waveguide below the platform's power limit.
//
//   runtime::LaserCalibrationOptions o;
//   o.search.cap_mw = runtime::channel_power_cap(net, pdk).per_channel_mw;
//   runtime::LaserCalibration cal = runtime::calibrate_laser_power(g, net, pdk, inputs, ref, labels, o);
//   if (cal.search.outcome != runtime::PowerOutcome::unreachable) use(cal.search.power_mw);
//
// The search itself (search_power) takes any pass/fail function of the power, so it is tested on synthetic
// curves.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/graph/graph.h"
#include "holo/pdk/pdk.h"
#include "holo/runtime/evaluate.h"
#include "holo/sim/options.h"
#include "holo/support/array.h"

namespace holo::runtime {

// ---- The search, on any pass/fail function of the power ----

struct PowerSearchOptions {
  double floor_mw = 1e-3;    // lowest power tried: 1 uW per channel
  double cap_mw = 0.0;       // highest power allowed (> floor_mw)
  double tolerance = 0.05;   // relative: the search stops when the bracket's ends are within a factor 1 + tolerance
  int max_evaluations = 64;  // a bound on the probes (bisection needs ~log2(ln(cap/floor) / ln(1 + tolerance)) + 2)
};

// One evaluation of the chip at one power.
struct PowerProbe {
  double power_mw = 0.0;
  bool pass = false;
  double accuracy = 0.0;   // what the evaluation measured (mean over the draws; 0 without labels)
  double agreement = 0.0;  // share of predictions equal to the reference executor's (mean over the draws)
};

enum class PowerOutcome {
  found,        // floor < power_mw <= cap: the lowest passing power, within the tolerance
  at_floor,     // the floor already passes (power_mw = floor)
  unreachable,  // the cap fails (power_mw = cap, the probe there says what the chip reaches)
};
const char* outcome_name(PowerOutcome o);  // "found", "at_floor", "unreachable"

struct PowerSearch {
  PowerOutcome outcome = PowerOutcome::unreachable;
  // found / at_floor: the lowest power known to pass; unreachable: the cap.
  double power_mw = 0.0;
  // found: the highest power known to fail (power_mw / below_mw <= 1 + tolerance); at_floor: 0; unreachable: the cap.
  double below_mw = 0.0;
  std::vector<PowerProbe> probes;  // every evaluation, in order

  const PowerProbe& probe_at(double power_mw) const;  // the probe made at exactly that power (internal error if none)
};

// Probes the cap first (fails: unreachable), then the floor (passes: at_floor), then bisects the bracket
// [floor, cap] at its geometric mean until hi / lo <= 1 + tolerance. Every failed probe then lies at or below
// below_mw and every passed one at or above power_mw, whatever the function does between probes (a noisy,
// locally non-monotone score gives a consistent answer). RUNTIME-BAD-OPTION for a floor <= 0, a cap <= floor, a
// tolerance outside (0, 1] or too few evaluations to bisect to it; RUNTIME-SEARCH when the probe gives a power
// other than the one asked.
PowerSearch search_power(const std::function<PowerProbe(double power_mw)>& probe, const PowerSearchOptions& o);

// ---- The per-channel laser power and the waveguide power limit ----

// The per-channel laser power at which the most loaded waveguide of the chip carries the platform's limit
// (waveguide max_power_mw): a channel's waveguide after the input coupler carries P eta_gc; a tile's mesh is
// passive, so none of its waveguides carries more than all light entering it, cols P eta_gc eta_mod (reached
// when the block's leading singular vector collects every input). So P_max = max_power / (eta_gc max(1, cols
// eta_mod)) with cols the widest tile's. eta_gc, eta_mod: the power transmissions of the grating coupler (1 when
// the PDK has none) and the modulator, from their insertion losses.
struct ChannelPowerCap {
  double waveguide_max_mw = 0.0;  // PDK waveguide.max_power_mw
  double per_channel_mw = 0.0;    // the cap on the per-channel laser power
  int64_t widest_tile_cols = 0;   // inputs of the widest tile (0 without optical stages)
  double coupler_factor = 1.0;    // eta_gc
  double modulator_factor = 1.0;  // eta_mod
  std::string method;             // how it was computed, with the numbers
};
// The cap is at most kMaxLaserPowerPerChannelMw, the largest per-channel power holo simulate accepts.
ChannelPowerCap channel_power_cap(const circuit::Netlist& net, const pdk::Pdk& pdk);

// 10 W per channel: ten times the power at which a silicon waveguide's nonlinear loss dominates
// (docs/physics.md#waveguide-power-limit); the bound of `holo simulate --laser-power-mw` and of the power a
// compiled chip records.
inline constexpr double kMaxLaserPowerPerChannelMw = 1e4;

// ---- Calibrating a chip ----

struct LaserCalibrationOptions {
  // The simulator's options at every probe (the search sets the laser power; shot and thermal detector noise are
  // forced on, RIN and the rest as given: the defaults are the realistic chip). Draw d of a probe uses seed sim.seed +
  // d at every power (common random numbers: the same noise realisations, scaled, so the score is nearly monotone in
  // the power).
  sim::SimOptions sim;
  int draws = 2;                   // independent noise draws averaged per probe (>= 1)
  double accuracy_margin = 0.01;   // with labels: pass when accuracy >= reference accuracy - margin
  double agreement_target = 0.99;  // without labels: pass when agreement with the reference >= target
  PowerSearchOptions search;       // floor, cap, tolerance
  std::string chip_name;           // prefixed to bad-input errors of preparing the chip (e.g. the circuit file)
  std::function<void(const PowerProbe&)> on_probe;  // after each probe (progress); may be empty
};

struct LaserCalibration {
  PowerSearch search;
  bool labelled = false;
  int64_t samples = 0;
  double reference_accuracy = 0.0;  // the reference executor on the batch (labelled only)
  double target = 0.0;              // the score a probe must reach: accuracy (labelled) or agreement
  std::string criterion;            // the rule, in words with its numbers
  sim::SimOptions sim;              // the options used (laser power aside)
  int draws = 0;
};

// Searches the per-channel laser power at which the chip (net, running g's electronic stages) passes the
// criterion on the batch. Errors: RUNTIME-BAD-OPTION (draws < 1, a margin or target outside [0, 1], the search's),
// and those of Chip and evaluate.
LaserCalibration calibrate_laser_power(const graph::Graph& g, const circuit::Netlist& net, const pdk::Pdk& pdk,
                                       const std::vector<Array>& inputs, const Reference& ref,
                                       const std::vector<int64_t>& labels, const LaserCalibrationOptions& o);

}  // namespace holo::runtime
