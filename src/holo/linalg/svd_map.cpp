#include "holo/linalg/svd_map.h"

#include <fmt/format.h>

#include <Eigen/SVD>
#include <algorithm>
#include <cmath>

#include "holo/linalg/nulling.h"
#include "holo/linalg/serial_eigen.h"
#include "holo/support/error.h"

namespace holo::linalg {

namespace {

// The SVD factors are unitary to rounding; anything far from it is a bug, not bad input.
constexpr double kFactorTolerance = 1e-9;

template <class Mat>
void check_weight(const Mat& w, const SvdOptions& o) {
  if (w.rows() == 0 || w.cols() == 0) {
    fail("LINALG-BAD-SHAPE", fmt::format("weight matrix must be non-empty, got {}x{}", w.rows(), w.cols()));
  }
  if (!w.allFinite()) fail("LINALG-NOT-FINITE", "weight matrix has a non-finite entry");
  if (!(o.retained_energy > 0.0 && o.retained_energy <= 1.0)) {
    fail("LINALG-BAD-OPTION", fmt::format("retained energy must be in (0, 1], got {}", o.retained_energy));
  }
}

// Multiplies column i of a (and of b, if given) by the phase making the first largest-magnitude entry of
// a's column real and positive.
void normalize_column(Eigen::MatrixXcd& a, Eigen::MatrixXcd* b, Eigen::Index i) {
  Eigen::Index best = 0;
  double best_mag = -1.0;
  for (Eigen::Index r = 0; r < a.rows(); ++r) {
    const double m = std::norm(a(r, i));
    if (m > best_mag) best_mag = m, best = r;
  }
  const cdouble ph = std::conj(unit_phase(a(best, i)));
  a.col(i) *= ph;
  a(best, i) = cdouble(a(best, i).real(), 0.0);  // exactly real (the product leaves ~1e-17 imaginary dust)
  if (b) b->col(i) *= ph;
}

detail::RawMesh null_factor(const Eigen::MatrixXcd& u, MeshMethod method, const char* what) {
  detail::RawMesh raw = method == MeshMethod::Clements ? detail::null_clements(u) : detail::null_reck(u);
  if (!(2.0 * raw.residual + raw.residual * raw.residual <= kFactorTolerance)) {
    internal_error(fmt::format("SVD factor {} is not unitary (residual {:.3e})", what, raw.residual));
  }
  return raw;
}

SvdLayer map_factors(Eigen::MatrixXcd u, const Eigen::VectorXd& s, Eigen::MatrixXcd v, const SvdOptions& o) {
  SvdLayer layer;
  layer.rows = static_cast<int32_t>(u.rows());
  layer.cols = static_cast<int32_t>(v.rows());
  const Eigen::Index r = std::min(u.rows(), v.rows());
  for (Eigen::Index i = 0; i < r; ++i) normalize_column(v, &u, i);
  for (Eigen::Index i = r; i < v.cols(); ++i) normalize_column(v, nullptr, i);
  for (Eigen::Index i = r; i < u.cols(); ++i) normalize_column(u, nullptr, i);

  layer.singular_values.assign(s.data(), s.data() + r);
  const double smax = r > 0 ? s(0) : 0.0;
  layer.gain = smax;
  // Rank kept: smallest prefix reaching the retained energy (all of them at 1).
  Eigen::Index keep = r;
  if (o.retained_energy < 1.0) {
    const double total = s.head(r).squaredNorm();
    double acc = 0.0;
    keep = 0;
    while (keep < r && acc < o.retained_energy * total) acc += s(keep) * s(keep), ++keep;
  }
  layer.rank = static_cast<int32_t>(keep);
  layer.attenuator_theta_rad.assign(static_cast<size_t>(r), 0.0);
  for (Eigen::Index i = 0; i < keep; ++i) {
    const double t = smax > 0.0 ? std::min(1.0, s(i) / smax) : 0.0;
    layer.attenuator_theta_rad[i] = 2.0 * std::asin(t);
  }

  // V^H mesh; its output phases stay pending (no screen).
  const detail::RawMesh raw_v = null_factor(v.adjoint(), o.method, "V^H");
  std::vector<cdouble> phase_v(static_cast<size_t>(layer.cols), cdouble(1.0, 0.0));
  layer.v_mesh = detail::build_mesh(raw_v, phase_v);
  assign_columns(layer.v_mesh);

  // U mesh fed with the pending phases: Mesh_U(with screen) = U diag(p), p_i = conj(q_i) d_i with
  // q_i = i e^{i theta_i/2} the attenuator's phase, so that Mesh_U diag(q t) Mesh_V = U diag(t) V^H.
  const detail::RawMesh raw_u = null_factor(u, o.method, "U");
  std::vector<cdouble> phase_u(static_cast<size_t>(layer.rows), cdouble(1.0, 0.0));
  for (Eigen::Index i = 0; i < r; ++i) {
    const cdouble q = cdouble(0.0, 1.0) * std::polar(1.0, 0.5 * layer.attenuator_theta_rad[i]);
    phase_u[i] = std::conj(q) * phase_v[i];
  }
  layer.u_mesh = detail::build_mesh(raw_u, phase_u);
  layer.u_mesh.output_phase_rad.resize(layer.rows);
  for (int32_t m = 0; m < layer.rows; ++m) layer.u_mesh.output_phase_rad[m] = wrap_phase(std::arg(phase_u[m]));
  assign_columns(layer.u_mesh);
  return layer;
}

}  // namespace

SvdLayer map_svd(const Eigen::MatrixXd& w, const SvdOptions& options) {
  check_weight(w, options);
  SerialEigen serial;
  Eigen::BDCSVD<Eigen::MatrixXd> svd(w, Eigen::ComputeFullU | Eigen::ComputeFullV);
  return map_factors(svd.matrixU().cast<cdouble>(), svd.singularValues(), svd.matrixV().cast<cdouble>(), options);
}

SvdLayer map_svd(const Eigen::MatrixXcd& w, const SvdOptions& options) {
  check_weight(w, options);
  SerialEigen serial;
  Eigen::BDCSVD<Eigen::MatrixXcd> svd(w, Eigen::ComputeFullU | Eigen::ComputeFullV);
  return map_factors(svd.matrixU(), svd.singularValues(), svd.matrixV(), options);
}

Eigen::MatrixXcd reconstruct(const SvdLayer& layer) {
  const Eigen::MatrixXcd u = reconstruct(layer.u_mesh);
  const Eigen::MatrixXcd v = reconstruct(layer.v_mesh);
  const Eigen::Index r = static_cast<Eigen::Index>(layer.attenuator_theta_rad.size());
  // W_hat = gain * U_mesh[:, :r] * diag(a) * V_mesh[:r, :], a_i = M(theta_i, 0)[0, 0].
  Eigen::MatrixXcd scaled = v.topRows(r);
  for (Eigen::Index i = 0; i < r; ++i) scaled.row(i) *= mzi_matrix(layer.attenuator_theta_rad[i], 0.0)(0, 0);
  SerialEigen serial;
  Eigen::MatrixXcd w = u.leftCols(r) * scaled;
  return w * layer.gain;
}

double relative_error(const Eigen::MatrixXcd& w, const Eigen::MatrixXcd& w_hat) {
  const double norm = w.norm();
  const double diff = (w - w_hat).norm();
  if (norm == 0.0) return diff == 0.0 ? 0.0 : INFINITY;
  return diff / norm;
}

}  // namespace holo::linalg
