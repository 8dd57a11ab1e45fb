#include "holo/linalg/mzi.h"

#include <cmath>

namespace holo::linalg {

Mat2 coupler_matrix(double s_rad) {
  const double c = std::cos(s_rad), s = std::sin(s_rad);
  Mat2 b;
  b << cdouble(c, 0.0), cdouble(0.0, s), cdouble(0.0, s), cdouble(c, 0.0);
  return b;
}

Mat2 mzi_matrix(double theta_rad, double phi_rad) {
  const double s = std::sin(0.5 * theta_rad), c = std::cos(0.5 * theta_rad);
  const cdouble g = cdouble(0.0, 1.0) * std::polar(1.0, 0.5 * theta_rad);  // i e^{i theta/2}
  const cdouble ep = std::polar(1.0, phi_rad);
  Mat2 m;
  m << g * ep * s, g * c, g * ep * c, -g * s;
  return m;
}

Mat2 mzi_matrix(double theta_rad, double phi_rad, const CouplerError& err) {
  const Mat2 p_theta = Eigen::DiagonalMatrix<cdouble, 2>(std::polar(1.0, theta_rad), cdouble(1.0, 0.0));
  const Mat2 p_phi = Eigen::DiagonalMatrix<cdouble, 2>(std::polar(1.0, phi_rad), cdouble(1.0, 0.0));
  return coupler_matrix(0.25 * kPi + err.b_rad) * p_theta * coupler_matrix(0.25 * kPi + err.a_rad) * p_phi;
}

double wrap_phase(double phase_rad) {
  if (phase_rad >= 0.0 && phase_rad < kTwoPi) return phase_rad;
  double w = std::fmod(phase_rad, kTwoPi);
  if (w < 0.0) w += kTwoPi;
  if (w >= kTwoPi) w = 0.0;  // -tiny + 2 pi rounds to 2 pi
  return w;
}

MziFactor factor_mzi(const cdouble& e11, const cdouble& e12, const cdouble& e21, const cdouble& e22) {
  const MziFactorUnit u = factor_mzi_unit(e11, e12, e21, e22);
  return {2.0 * std::atan2(u.sin_half, u.cos_half), wrap_phase(std::atan2(u.e_phi.imag(), u.e_phi.real())), u.u_alpha,
          u.u_beta};
}

}  // namespace holo::linalg
