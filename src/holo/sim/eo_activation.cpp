#include "holo/sim/eo_activation.h"

#include <cmath>
#include <numbers>

namespace holo::sim {

std::complex<double> EoActivation::operator()(std::complex<double> z) const {
  const double arg = g_rad_per_w * std::norm(z) + phi_b_rad;
  const std::complex<double> i(0.0, 1.0);
  return i * std::sqrt(1.0 - alpha) * std::exp(-i * (0.5 * arg)) * std::cos(0.5 * arg) * z;
}

EoActivation eo_activation(const pdk::Pdk& pdk) {
  const pdk::Template& t = pdk.tmpl("eo_activation");
  EoActivation a;
  a.alpha = t.number("alpha");
  a.g_rad_per_w =
      std::numbers::pi * a.alpha * t.number("responsivity_a_per_w") * t.number("tia_gain_ohm") / t.number("v_pi_v");
  a.phi_b_rad = t.number("phi_b_rad");
  return a;
}

}  // namespace holo::sim
