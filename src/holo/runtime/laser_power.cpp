#include "holo/runtime/laser_power.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "holo/runtime/chip.h"
#include "holo/support/error.h"

namespace holo::runtime {
namespace {

// Power transmission of a PDK template's insertion loss; 1 when the PDK has no such template.
double transmission(const pdk::Pdk& pdk, const char* name) {
  if (!pdk.templates.count(name)) return 1.0;
  return std::pow(10.0, -pdk.tmpl(name).number("insertion_loss_db") / 10.0);
}

int64_t widest_tile_cols(const circuit::Netlist& net) {
  int64_t w = 0;
  for (const circuit::Stage& st : net.stages)
    if (st.domain == "optical")
      for (const circuit::Tile& t : st.tiles) w = std::max(w, t.cols);
  return w;
}

// Scores within this of the target count as reaching it (accuracies are ratios of sample counts; the target is
// a difference of such ratios and rounds).
constexpr double kScoreSlack = 1e-12;

}  // namespace

const char* outcome_name(PowerOutcome o) {
  switch (o) {
    case PowerOutcome::found:
      return "found";
    case PowerOutcome::at_floor:
      return "at_floor";
    case PowerOutcome::unreachable:
      return "unreachable";
  }
  return "unreachable";
}

const PowerProbe& PowerSearch::probe_at(double power_mw) const {
  for (const PowerProbe& p : probes)
    if (p.power_mw == power_mw) return p;
  internal_error(fmt::format("laser power search: no probe at {} mW", power_mw));
}

PowerSearch search_power(const std::function<PowerProbe(double power_mw)>& probe, const PowerSearchOptions& o) {
  auto bad = [](const std::string& m) { fail("RUNTIME-BAD-OPTION", m); };
  if (!(o.floor_mw > 0.0) || !std::isfinite(o.floor_mw))
    bad(fmt::format("laser power search: the floor is {} mW, expected a finite power > 0", o.floor_mw));
  if (!(o.cap_mw > o.floor_mw) || !std::isfinite(o.cap_mw))
    bad(fmt::format("laser power search: the cap is {} mW, expected a finite power above the floor ({} mW)", o.cap_mw,
                    o.floor_mw));
  if (!(o.tolerance > 0.0 && o.tolerance <= 1.0))
    bad(fmt::format("laser power search: the tolerance is {}, expected a number in (0, 1]", o.tolerance));
  // Bisection in log power halves ln(hi / lo) per probe, from ln(cap / floor) down to ln(1 + tolerance).
  const double halvings = std::ceil(std::log2(std::log(o.cap_mw / o.floor_mw) / std::log1p(o.tolerance)));
  const int needed = 2 + static_cast<int>(std::max(0.0, halvings));
  if (o.max_evaluations < needed)
    bad(fmt::format("laser power search: {} evaluations cannot bisect {} .. {} mW to {}; it needs {}",
                    o.max_evaluations, o.floor_mw, o.cap_mw, o.tolerance, needed));

  PowerSearch s;
  auto eval = [&](double p) {
    PowerProbe r = probe(p);
    if (r.power_mw != p)
      fail("RUNTIME-SEARCH",
           fmt::format("laser power search: asked for {} mW, the probe reports {} mW", p, r.power_mw));
    s.probes.push_back(r);
    return r.pass;
  };
  if (!eval(o.cap_mw)) {
    s.outcome = PowerOutcome::unreachable;
    s.power_mw = s.below_mw = o.cap_mw;
    return s;
  }
  if (eval(o.floor_mw)) {
    s.outcome = PowerOutcome::at_floor;
    s.power_mw = o.floor_mw;
    s.below_mw = 0.0;
    return s;
  }
  double lo = o.floor_mw, hi = o.cap_mw;  // lo fails, hi passes
  while (hi / lo > 1.0 + o.tolerance) {
    const double mid = std::sqrt(lo * hi);
    if (mid <= lo || mid >= hi) break;  // the bracket is at the resolution of doubles
    (eval(mid) ? hi : lo) = mid;
  }
  s.outcome = PowerOutcome::found;
  s.power_mw = hi;
  s.below_mw = lo;
  return s;
}

ChannelPowerCap channel_power_cap(const circuit::Netlist& net, const pdk::Pdk& pdk) {
  ChannelPowerCap c;
  c.waveguide_max_mw = pdk.tmpl("waveguide").number("max_power_mw");
  c.widest_tile_cols = widest_tile_cols(net);
  c.coupler_factor = transmission(pdk, "grating_coupler");
  c.modulator_factor = transmission(pdk, "modulator");
  const double load = std::max(1.0, static_cast<double>(c.widest_tile_cols) * c.modulator_factor);
  c.per_channel_mw = c.waveguide_max_mw / (c.coupler_factor * load);
  const bool clamped = c.per_channel_mw > kMaxLaserPowerPerChannelMw;
  c.per_channel_mw = std::min(c.per_channel_mw, kMaxLaserPowerPerChannelMw);
  c.method = fmt::format(
      "waveguide.max_power_mw {:.6g} mW / (grating coupler transmission {:.4g} x max(1, widest tile's {} inputs x "
      "modulator transmission {:.4g})): a channel's waveguide carries P x {:.4g} after the input coupler, and no "
      "waveguide of a passive mesh carries more than all the light entering it",
      c.waveguide_max_mw, c.coupler_factor, c.widest_tile_cols, c.modulator_factor, c.coupler_factor);
  if (clamped) c.method += fmt::format(", limited to {:g} mW per channel (holo's bound)", kMaxLaserPowerPerChannelMw);
  return c;
}

LaserCalibration calibrate_laser_power(const graph::Graph& g, const circuit::Netlist& net, const pdk::Pdk& pdk,
                                       const std::vector<Array>& inputs, const Reference& ref,
                                       const std::vector<int64_t>& labels, const LaserCalibrationOptions& o) {
  if (o.draws < 1)
    fail("RUNTIME-BAD-OPTION", fmt::format("laser calibration needs at least one draw, got {}", o.draws));
  if (!(o.accuracy_margin >= 0.0 && o.accuracy_margin <= 1.0))
    fail("RUNTIME-BAD-OPTION", fmt::format("accuracy margin {} is outside [0, 1]", o.accuracy_margin));
  if (!(o.agreement_target >= 0.0 && o.agreement_target <= 1.0))
    fail("RUNTIME-BAD-OPTION", fmt::format("agreement target {} is outside [0, 1]", o.agreement_target));

  LaserCalibration cal;
  cal.labelled = !labels.empty();
  cal.samples = ref.samples();
  cal.draws = o.draws;
  cal.sim = o.sim;
  cal.sim.shot_noise = true;
  cal.sim.thermal_noise = true;
  if (cal.labelled) {
    int64_t correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) correct += ref.predictions[i] == labels[i];
    cal.reference_accuracy = static_cast<double>(correct) / static_cast<double>(cal.samples);
    cal.target = std::max(0.0, cal.reference_accuracy - o.accuracy_margin);
    cal.criterion = fmt::format(
        "accuracy on the calibration batch >= reference accuracy {:.4f} - {:g} = {:.4f} (mean over {} noise draws)",
        cal.reference_accuracy, o.accuracy_margin, cal.target, o.draws);
  } else {
    cal.target = o.agreement_target;
    cal.criterion = fmt::format(
        "agreement of the predicted class with the reference executor on the calibration batch >= {:g} (mean over {} "
        "noise draws)",
        o.agreement_target, o.draws);
  }

  // One chip per draw, prepared at the first probe and re-powered for the others (Chip::set_laser_power_mw: the
  // same result as preparing it at that power, without redoing the draw, the calibration and the thermal model).
  std::vector<Chip> chips;
  auto probe = [&](double power_mw) {
    PowerProbe p;
    p.power_mw = power_mw;
    double accuracy = 0.0, agreement = 0.0;
    for (int d = 0; d < o.draws; ++d) {
      if (static_cast<size_t>(d) == chips.size()) {
        sim::SimOptions so = cal.sim;
        so.laser_power_mw = power_mw;  // per input channel
        so.seed = cal.sim.seed + static_cast<uint64_t>(d);
        chips.push_back(o.chip_name.empty() ? Chip(g, net, pdk, so)
                                            : in_file(o.chip_name, [&] { return Chip(g, net, pdk, so); }));
      }
      Chip& chip = chips[static_cast<size_t>(d)];
      chip.set_laser_power_mw(power_mw);
      const DrawStats s = evaluate(chip, inputs, ref, labels);
      accuracy += s.accuracy;
      agreement += s.agreement;
    }
    p.accuracy = accuracy / o.draws;
    p.agreement = agreement / o.draws;
    p.pass = (cal.labelled ? p.accuracy : p.agreement) >= cal.target - kScoreSlack;
    if (o.on_probe) o.on_probe(p);
    return p;
  };
  cal.search = search_power(probe, o.search);
  return cal;
}

}  // namespace holo::runtime
