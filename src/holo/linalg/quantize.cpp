#include "holo/linalg/quantize.h"

#include <fmt/format.h>

#include <cmath>

#include "holo/support/error.h"

namespace holo::linalg {

namespace {

void check(const QuantizeOptions& o) {
  if (o.bits < 1 || o.bits > 24) fail("LINALG-BAD-OPTION", fmt::format("DAC bits must be in 1..24, got {}", o.bits));
}

double circular_distance(double a, double b) {
  const double d = std::fabs(a - b);
  return std::min(d, kTwoPi - d);
}

}  // namespace

std::string dac_model_name(DacModel m) {
  return m == DacModel::LinearPhase ? "linear-phase" : "linear-voltage";
}

DacModel parse_dac_model(const std::string& s) {
  if (s == "linear-phase") return DacModel::LinearPhase;
  if (s == "linear-voltage") return DacModel::LinearVoltage;
  fail("LINALG-BAD-OPTION", fmt::format("unknown DAC model '{}': expected 'linear-phase' or 'linear-voltage'", s));
}

double quantize_phase(double phase_rad, const QuantizeOptions& o) {
  check(o);
  const double levels = std::ldexp(1.0, o.bits);
  const double p = wrap_phase(phase_rad);
  if (o.model == DacModel::LinearPhase) {
    const double k = std::nearbyint(p / kTwoPi * levels);  // k == levels is 2 pi == 0
    return k >= levels ? 0.0 : kTwoPi * k / levels;
  }
  // Linear voltage: candidate codes around the exact voltage, nearest in phase (2 pi, code 2^b, wraps to 0).
  const double v = std::sqrt(p / kTwoPi) * levels;
  const double lo = std::floor(v), hi = lo + 1.0;
  auto level = [&](double k) { return k >= levels ? 0.0 : kTwoPi * (k / levels) * (k / levels); };
  const double a = level(lo), b = level(hi);
  return circular_distance(p, b) < circular_distance(p, a) ? b : a;
}

Mesh quantize(const Mesh& mesh, const QuantizeOptions& o) {
  check(o);
  Mesh q = mesh;
  for (MziSetting& z : q.mzis) {
    z.theta_rad = quantize_phase(z.theta_rad, o);
    z.phi_rad = quantize_phase(z.phi_rad, o);
  }
  for (double& p : q.output_phase_rad) p = quantize_phase(p, o);
  return q;
}

SvdLayer quantize(const SvdLayer& layer, const QuantizeOptions& o) {
  SvdLayer q = layer;
  q.v_mesh = quantize(layer.v_mesh, o);
  q.u_mesh = quantize(layer.u_mesh, o);
  for (double& t : q.attenuator_theta_rad) t = quantize_phase(t, o);
  return q;
}

TiledLayer quantize(const TiledLayer& layer, const QuantizeOptions& o) {
  TiledLayer q = layer;
  for (Tile& t : q.tiles) t.layer = quantize(t.layer, o);
  return q;
}

}  // namespace holo::linalg
