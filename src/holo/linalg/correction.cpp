#include "holo/linalg/correction.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "holo/support/error.h"

namespace holo::linalg {

namespace {

// Tolerance on the arccos argument before an MZI counts as out of range: the ideal cross power is computed in
// double precision, so targets exactly at the edge of the range may land a few ulps outside.
constexpr double kRangeSlack = 1e-12;

}  // namespace

CorrectionResult correct_couplers(const Mesh& ideal, std::span<const CouplerError> errors) {
  if (errors.size() != ideal.mzis.size()) {
    fail("LINALG-BAD-ERRORS",
         fmt::format("{} coupler errors given for a mesh of {} MZIs", errors.size(), ideal.mzis.size()));
  }
  for (size_t k = 0; k < errors.size(); ++k) {
    if (!std::isfinite(errors[k].a_rad) || !std::isfinite(errors[k].b_rad)) {
      fail("LINALG-BAD-ERRORS", fmt::format("coupler error of MZI {} is not finite", k));
    }
  }
  CorrectionResult res;
  res.mesh = ideal;
  // delta: hardware so far = diag(delta) * ideal so far.
  std::vector<cdouble> delta(static_cast<size_t>(ideal.n), cdouble(1.0, 0.0));
  for (size_t k = 0; k < ideal.mzis.size(); ++k) {
    MziSetting& z = res.mesh.mzis[k];
    const int m = z.mode;
    // Target for the hardware element, up to output phases: X = M(theta, phi) diag(conj delta).
    Mat2 x = mzi_matrix(z.theta_rad, z.phi_rad);
    x.col(0) *= std::conj(delta[m]);
    x.col(1) *= std::conj(delta[m + 1]);
    const double s1 = 0.25 * kPi + errors[k].a_rad, s2 = 0.25 * kPi + errors[k].b_rad;
    const double a = std::pow(std::sin(s2) * std::cos(s1), 2) + std::pow(std::cos(s2) * std::sin(s1), 2);
    const double b = 0.5 * std::sin(2.0 * s1) * std::sin(2.0 * s2);
    const double p_cross = std::norm(x(1, 0));
    double arg = b != 0.0 ? (p_cross - a) / b : 2.0;
    const bool out_of_range = arg > 1.0 + kRangeSlack || arg < -1.0 - kRangeSlack || !std::isfinite(arg);
    if (out_of_range) res.out_of_range.push_back(static_cast<int64_t>(k));
    arg = std::isfinite(arg) ? std::clamp(arg, -1.0, 1.0) : 1.0;
    const double theta_new = std::acos(arg);
    const Mat2 e = mzi_matrix(theta_new, 0.0, errors[k]);
    // Solve X = diag(e^{i psi1}, e^{i psi2}) E P(phi'), taking each phase from the larger entries. An MZI out
    // of range sits at (or near) full cross or full bar, where one pair of entries (nearly) vanishes and
    // cannot fix phi'. There phi' keeps the nominal relation instead, phi' = phi - arg delta_m +
    // arg delta_{m+1} (X = conj(delta_{m+1}) M(theta, phi')): the MZI then acts like the uncorrected one up to
    // the carried phases, and its leakage keeps the uncorrected MZI's phase, in quadrature with the signal
    // (which homodyne detection rejects), instead of a phase taken from rounding noise.
    const bool cross = std::norm(e(0, 1)) * std::norm(x(0, 1)) >= std::norm(e(0, 0)) * std::norm(x(0, 0));
    cdouble u1, u2, uphi;  // e^{i psi1}, e^{i psi2}, e^{i phi'}
    if (out_of_range) uphi = unit_phase(std::exp(cdouble(0.0, z.phi_rad)) * std::conj(delta[m]) * delta[m + 1]);
    if (cross) {
      u1 = unit_phase(x(0, 1) * std::conj(e(0, 1)));
      if (!out_of_range) uphi = unit_phase(x(0, 0) * std::conj(e(0, 0))) * std::conj(u1);
      u2 = unit_phase(x(1, 0) * std::conj(e(1, 0))) * std::conj(uphi);
    } else {
      u2 = unit_phase(x(1, 1) * std::conj(e(1, 1)));
      if (!out_of_range) uphi = unit_phase(x(1, 0) * std::conj(e(1, 0))) * std::conj(u2);
      u1 = unit_phase(x(0, 0) * std::conj(e(0, 0))) * std::conj(uphi);
    }
    z.theta_rad = theta_new;
    z.phi_rad = wrap_phase(std::arg(uphi));
    // Hardware element = diag(conj u) X: the ideal element followed by phases conj(u1), conj(u2).
    delta[m] = std::conj(u1);
    delta[m + 1] = std::conj(u2);
  }
  // Output screen D' = D conj(delta) (a mesh without a screen gets one).
  std::vector<double> screen(static_cast<size_t>(ideal.n), 0.0);
  for (int m = 0; m < ideal.n; ++m) {
    const double d = ideal.output_phase_rad.empty() ? 0.0 : ideal.output_phase_rad[m];
    screen[m] = wrap_phase(d - std::arg(delta[m]));
  }
  res.mesh.output_phase_rad = std::move(screen);

  const Eigen::MatrixXcd target = reconstruct(ideal);
  res.fidelity_before = fidelity(target, reconstruct(ideal, errors));
  res.fidelity_after = fidelity(target, reconstruct(res.mesh, errors));
  return res;
}

std::vector<CouplerError> random_coupler_errors(size_t count, double sigma_rad, Rng& rng) {
  std::vector<CouplerError> e(count);
  for (CouplerError& c : e) {
    c.a_rad = sigma_rad * rng.normal();
    c.b_rad = sigma_rad * rng.normal();
  }
  return e;
}

}  // namespace holo::linalg
