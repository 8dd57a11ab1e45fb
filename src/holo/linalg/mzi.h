// The one Mach-Zehnder convention of holo (docs/linalg.md section 1). Every module converts through this file.
//
//   coupler       B(s)   = [[cos s, i sin s], [i sin s, cos s]],  50:50 at s = pi/4
//   phase shifter P(x)   = diag(exp(i x), 1)                        (on the upper arm / upper mode)
//   hardware MZI  M(theta, phi) = B(pi/4) P(theta) B(pi/4) P(phi)
//                 = i e^{i theta/2} [[e^{i phi} sin(theta/2),  cos(theta/2)],
//                                    [e^{i phi} cos(theta/2), -sin(theta/2)]]
//
// phi is the external phase on the upper *input*, theta the internal phase on the upper arm between the two
// couplers; theta = 0 is the full cross state, theta = pi the bar state. Matrices act on column vectors of
// field amplitudes (out = M * in); "mode m" is the upper and m+1 the lower waveguide of an MZI.
//
// An imperfect MZI has couplers B(pi/4 + a) (first, at the input) and B(pi/4 + b) (second, at the output):
//   M_err(theta, phi; a, b) = B(pi/4 + b) P(theta) B(pi/4 + a) P(phi).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <complex>

namespace holo::linalg {

using cdouble = std::complex<double>;
using Mat2 = Eigen::Matrix2cd;

inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kTwoPi = 2.0 * kPi;

// Per-MZI coupler errors (radians of coupling angle): s1 = pi/4 + a_rad (input), s2 = pi/4 + b_rad (output).
struct CouplerError {
  double a_rad = 0.0;
  double b_rad = 0.0;
};

// B(s): lossless symmetric directional coupler with coupling angle s (radians).
Mat2 coupler_matrix(double s_rad);

// M(theta, phi): the ideal hardware MZI, computed from the closed form above.
Mat2 mzi_matrix(double theta_rad, double phi_rad);

// M_err(theta, phi; a, b): the MZI with imperfect couplers, computed as the product of its four parts.
Mat2 mzi_matrix(double theta_rad, double phi_rad, const CouplerError& err);

// Wraps a phase into [0, 2 pi) (thermal shifters only add phase). Exact 2 pi after rounding maps to 0.
double wrap_phase(double phase_rad);

// Unit complex number with the phase of z; 1 for z == 0 (the deterministic choice for an undefined phase).
inline cdouble unit_phase(const cdouble& z) {
  const double r2 = std::norm(z);
  return r2 > 0.0 ? z / std::sqrt(r2) : cdouble(1.0, 0.0);
}

// Any 2x2 unitary E factored as E = diag(e^{i alpha}, e^{i beta}) * M(theta, phi), theta in [0, pi],
// phi in [0, 2 pi). Phases are kept as unit complex numbers (u_alpha = e^{i alpha}, e_phi = e^{i phi}) so that
// phase bookkeeping needs no exp/log; sin_half / cos_half are sin(theta/2), cos(theta/2) >= 0.
// Deterministic for degenerate inputs: when theta = 0 or pi the free phase phi is taken from the larger
// entries (exact zeros give phi = 0). |E11|, |E22| and |E12|, |E21| are used in pairs, so a slightly
// non-unitary E is treated symmetrically.
struct MziFactorUnit {
  double sin_half = 0.0, cos_half = 1.0;
  cdouble e_phi{1.0, 0.0}, u_alpha{1.0, 0.0}, u_beta{1.0, 0.0};
};
inline MziFactorUnit factor_mzi_unit(const cdouble& e11, const cdouble& e12, const cdouble& e21, const cdouble& e22) {
  MziFactorUnit f;
  const double s2 = std::norm(e11) + std::norm(e22);
  const double c2 = std::norm(e12) + std::norm(e21);
  if (!(s2 + c2 > 0.0)) return f;  // zero matrix: not unitary; identity-like factors keep callers deterministic
  const double inv = 1.0 / std::sqrt(s2 + c2);
  const double s = std::sqrt(s2) * inv, c = std::sqrt(c2) * inv;
  f.sin_half = s, f.cos_half = c;
  // M = g [[e^{i phi} s, c], [e^{i phi} c, -s]] with g = i e^{i theta/2} = i (c + i s) = -s + i c.
  const cdouble g_conj(-s, -c);
  if (c >= s) {
    // E12 = e^{i alpha} g c, E11 conj(E12) = e^{i phi} s c, E21 = e^{i beta} g e^{i phi} c.
    f.e_phi = unit_phase(e11 * std::conj(e12));
    f.u_alpha = unit_phase(e12) * g_conj;
    f.u_beta = unit_phase(e21) * g_conj * std::conj(f.e_phi);
  } else {
    // -E22 = e^{i beta} g s, E21 conj(-E22) = e^{i phi} c s, E11 = e^{i alpha} g e^{i phi} s.
    f.e_phi = unit_phase(-e21 * std::conj(e22));
    f.u_beta = unit_phase(-e22) * g_conj;
    f.u_alpha = unit_phase(e11) * g_conj * std::conj(f.e_phi);
  }
  return f;
}

// The same with the angles: theta = 2 atan2(sin_half, cos_half), phi = arg(e_phi) wrapped to [0, 2 pi).
struct MziFactor {
  double theta_rad = 0.0;
  double phi_rad = 0.0;
  cdouble u_alpha{1.0, 0.0};
  cdouble u_beta{1.0, 0.0};
};
MziFactor factor_mzi(const cdouble& e11, const cdouble& e12, const cdouble& e21, const cdouble& e22);
inline MziFactor factor_mzi(const Mat2& e) {
  return factor_mzi(e(0, 0), e(0, 1), e(1, 0), e(1, 1));
}

}  // namespace holo::linalg
