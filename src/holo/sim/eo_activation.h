// The electro-optic activation of Williamson et al. (IEEE JSTQE 26, 7700412, 2020; docs/physics.md):
// a fraction alpha of the light is tapped to a photodiode whose amplified photocurrent drives an intensity
// modulator on the remaining light:
//   f(z) = i sqrt(1 - alpha) exp(-i (g |z|^2 + phi_b) / 2) cos((g |z|^2 + phi_b) / 2) z,
//   g = pi alpha R G / V_pi   (rad per W of optical power |z|^2; R responsivity, G TIA gain).
#pragma once

#include <complex>

#include "holo/pdk/pdk.h"

namespace holo::sim {

struct EoActivation {
  double alpha = 0.1;
  double g_rad_per_w = 0.0;
  double phi_b_rad = 0.0;

  std::complex<double> operator()(std::complex<double> z_sqrt_w) const;  // field in sqrt(W)
};

// Parameters from the PDK template "eo_activation" (alpha, responsivity_a_per_w, tia_gain_ohm, v_pi_v,
// phi_b_rad).
EoActivation eo_activation(const pdk::Pdk& pdk);

}  // namespace holo::sim
