#include "holo/sim/thermal.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>

#include "holo/support/error.h"

namespace holo::sim {
namespace {

constexpr double kPi = std::numbers::pi;

// 3-point Gauss-Legendre on [-1, 1].
constexpr double kGlNode = 0.7745966692414834;  // sqrt(3/5)
constexpr double kGlWeightOuter = 5.0 / 9.0, kGlWeightInner = 8.0 / 9.0;
constexpr int kWidthPanels = 16;

void check_segment(const Segment& s, const char* what, size_t i) {
  if (!std::isfinite(s.x0_um) || !std::isfinite(s.x1_um) || !std::isfinite(s.y_um) || !(s.x1_um > s.x0_um))
    fail("SIM-BAD-THERMAL", fmt::format("thermal crosstalk: {} {} is not a finite segment with x0 < x1 "
                                        "(x0 {} um, x1 {} um, y {} um)",
                                        what, i, s.x0_um, s.x1_um, s.y_um));
}

}  // namespace

ThermalStack thermal_stack(const pdk::Pdk& pdk) {
  const pdk::Template& wg = pdk.tmpl("waveguide");
  const pdk::Template& ps = pdk.tmpl("phase_shifter");
  ThermalStack s;
  const double box = wg.number("box_thickness_um");
  const double core = wg.number("thickness_um");
  const double cladding = wg.number("cladding_thickness_um");
  const double heater = ps.number("heater_height_um");
  if (heater > cladding)
    fail("PDK-RANGE", fmt::format("{}: $.templates.phase_shifter.figures.heater_height_um: {} um puts the heater "
                                  "above the die surface (waveguide.cladding_thickness_um {} um)",
                                  pdk.path, heater, cladding));
  s.waveguide_y_um = box + core / 2;
  s.heater_y_um = box + core + heater;
  s.top_y_um = box + core + cladding;
  s.adiabatic_top = true;
  s.heater_width_um = ps.number("heater_width_um");
  s.k_w_per_m_k = wg.number("oxide_thermal_conductivity_w_per_m_k");
  s.dn_dt_per_k = wg.number("dn_dt_per_k");
  s.wavelength_nm = pdk.wavelength_nm.value;
  s.p_pi_mw = ps.number("p_pi_mw");
  return s;
}

double line_source_rise(const ThermalStack& s, double x_um, double y_um, double h_um) {
  if (!s.adiabatic_top) {
    // One image pair: the source at h and its negative image at -h (substrate at y = 0).
    const double d2 = x_um * x_um + (y_um - h_um) * (y_um - h_um);
    return std::log1p(4 * y_um * h_um / d2) / (4 * kPi);
  }
  // Substrate at 0 (T = 0) and adiabatic top at D: images of sign + at h + 4nD and 2D - h + 4nD, - at -h + 4nD and
  // h - 2D + 4nD. Each periodic row sums to ln(cosh(kappa x) - cos(kappa (y - c))), kappa = pi / 2D, and
  // cosh u - cos v = 2 (sinh^2(u/2) + sin^2(v/2)), cosh u + cos v = 2 (sinh^2(u/2) + cos^2(v/2)), giving
  //   T k / P' = (1 / 4 pi) [ln((S + sin^2 a+) / (S + sin^2 a-)) + ln((S + cos^2 a-) / (S + cos^2 a+))]
  // with S = sinh^2(kappa x / 2), a+- = kappa (y +- h) / 2; both numerators exceed their denominators by
  // sin^2 a+ - sin^2 a- = sin(kappa y) sin(kappa h), which keeps the far field (S large) free of cancellation.
  const double kappa = kPi / (2 * s.top_y_um);
  const double half = kappa * std::fabs(x_um) / 2;
  if (half > 300) return 0;  // below e^-600
  const double sh = std::sinh(half);
  const double big_s = sh * sh;
  const double am = kappa * (y_um - h_um) / 2, ap = kappa * (y_um + h_um) / 2;
  const double d = std::sin(kappa * y_um) * std::sin(kappa * h_um);
  const double sm = std::sin(am), cp = std::cos(ap);
  return (std::log1p(d / (big_s + sm * sm)) + std::log1p(d / (big_s + cp * cp))) / (4 * kPi);
}

double heater_rise(const ThermalStack& s, double x_um) {
  const double w = s.heater_width_um;
  const double panel = w / kWidthPanels;
  double sum = 0;
  for (int p = 0; p < kWidthPanels; ++p) {
    const double mid = -w / 2 + (p + 0.5) * panel;
    const double off = kGlNode * panel / 2;
    sum += kGlWeightOuter * line_source_rise(s, x_um - mid + off, s.waveguide_y_um, s.heater_y_um);
    sum += kGlWeightInner * line_source_rise(s, x_um - mid, s.waveguide_y_um, s.heater_y_um);
    sum += kGlWeightOuter * line_source_rise(s, x_um - mid - off, s.waveguide_y_um, s.heater_y_um);
  }
  return sum / (2 * kWidthPanels);  // each panel's weights sum to 2
}

double model_phase_per_mw(const ThermalStack& s) {
  // phase = (2 pi / lambda) dn/dT L T with T = rise P' / k and P' = P / L: L cancels.
  const double lambda_m = s.wavelength_nm * 1e-9;
  return 2 * kPi / lambda_m * s.dn_dt_per_k * heater_rise(s, 0.0) / s.k_w_per_m_k * 1e-3;
}

Eigen::MatrixXd crosstalk_matrix(const ThermalStack& s, const std::vector<Segment>& heaters,
                                 const std::vector<Segment>& probes) {
  for (size_t j = 0; j < heaters.size(); ++j) check_segment(heaters[j], "heater", j);
  for (size_t i = 0; i < probes.size(); ++i) check_segment(probes[i], "waveguide", i);
  const double self = heater_rise(s, 0.0);
  const double per_mw = kPi / s.p_pi_mw;
  std::map<double, double> rise;  // by |lateral offset|: meshes repeat a few offsets (multiples of the pitch)
  Eigen::MatrixXd c =
      Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(probes.size()), static_cast<Eigen::Index>(heaters.size()));
  for (size_t j = 0; j < heaters.size(); ++j) {
    const Segment& h = heaters[j];
    const double len = h.x1_um - h.x0_um;
    for (size_t i = 0; i < probes.size(); ++i) {
      const Segment& p = probes[i];
      const double overlap = std::min(h.x1_um, p.x1_um) - std::max(h.x0_um, p.x0_um);
      if (overlap <= 0) continue;
      const double dy = std::fabs(p.y_um - h.y_um);
      auto it = rise.find(dy);
      if (it == rise.end()) it = rise.emplace(dy, heater_rise(s, dy) / self).first;
      c(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = per_mw * overlap / len * it->second;
    }
  }
  return c;
}

Compensation compensate(const Eigen::MatrixXd& c, const Eigen::VectorXd& target_rad, int32_t max_turns) {
  const Eigen::Index n = target_rad.size();
  if (c.rows() != n || c.cols() != n)
    fail("SIM-BAD-THERMAL",
         fmt::format("thermal compensation: crosstalk matrix {} x {} for {} target phases", c.rows(), c.cols(), n));
  for (Eigen::Index i = 0; i < n; ++i)
    if (!std::isfinite(target_rad(i)) || target_rad(i) < 0)
      fail("SIM-BAD-THERMAL", fmt::format("thermal compensation: target phase {} is {} rad (must be finite and "
                                          ">= 0: a heater only adds phase)",
                                          i, target_rad(i)));
  Compensation r;
  r.raised.assign(static_cast<size_t>(n), 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(c(i, i) > 0))
      fail("SIM-BAD-THERMAL", fmt::format("thermal compensation: heater {} does not shift its own phase", i));
    r.power_uncompensated_mw += target_rad(i) / c(i, i);
  }
  if (n == 0) {
    r.power_mw = r.phase_rad = Eigen::VectorXd::Zero(0);
    return r;
  }
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu(c);
  if (!(lu.rcond() > 1e-13))
    fail("SIM-BAD-THERMAL",
         fmt::format("thermal compensation: crosstalk matrix is singular (rcond {:.3g})", lu.rcond()));
  Eigen::VectorXd phase = target_rad;
  int64_t turns = 0;
  for (;;) {
    r.power_mw = lu.solve(phase);
    // Rounding leaves powers of ~1e-16 of the largest where the exact answer is 0: those are 0, not a turn.
    const double floor_mw = 1e-12 * std::max(1.0, r.power_mw.cwiseAbs().maxCoeff());
    bool any = false;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (r.power_mw(i) >= -floor_mw) continue;
      phase(i) += 2 * kPi;
      ++r.raised[static_cast<size_t>(i)];
      any = true;
      if (++turns > max_turns)
        fail("SIM-BAD-THERMAL", fmt::format("thermal compensation: more than {} turns of 2 pi added to the targets "
                                            "without reaching non-negative heater powers",
                                            max_turns));
    }
    if (!any) break;
  }
  r.power_mw = r.power_mw.cwiseMax(0.0);
  r.phase_rad = c * r.power_mw;
  r.power_compensated_mw = r.power_mw.sum();
  r.max_residual_rad = (r.phase_rad - phase).cwiseAbs().maxCoeff();
  return r;
}

}  // namespace holo::sim
