#include "holo/linalg/decompose.h"

#include <fmt/format.h>

#include <Eigen/SVD>
#include <cmath>

#include "holo/linalg/nulling.h"
#include "holo/linalg/serial_eigen.h"
#include "holo/support/error.h"

namespace holo::linalg {

void check_square_finite(const Eigen::MatrixXcd& u, const char* what) {
  if (u.rows() == 0 || u.rows() != u.cols()) {
    fail("LINALG-BAD-SHAPE", fmt::format("{} must be a non-empty square matrix, got {}x{}", what, u.rows(), u.cols()));
  }
  for (Eigen::Index c = 0; c < u.cols(); ++c) {
    for (Eigen::Index r = 0; r < u.rows(); ++r) {
      if (!std::isfinite(u(r, c).real()) || !std::isfinite(u(r, c).imag())) {
        fail("LINALG-NOT-FINITE", fmt::format("{} has a non-finite entry at ({}, {})", what, r, c));
      }
    }
  }
}

Eigen::MatrixXcd polar_unitary(const Eigen::MatrixXcd& a) {
  SerialEigen serial;
  Eigen::BDCSVD<Eigen::MatrixXcd> svd(a, Eigen::ComputeFullU | Eigen::ComputeFullV);
  return svd.matrixU() * svd.matrixV().adjoint();
}

Mesh decompose(const Eigen::MatrixXcd& u_in, const DecomposeOptions& options, DecomposeInfo* info) {
  check_square_finite(u_in, "unitary");
  if (!(options.unitarity_tolerance >= 0.0)) {
    fail("LINALG-BAD-OPTION", fmt::format("unitarity tolerance must be >= 0, got {}", options.unitarity_tolerance));
  }
  DecomposeInfo local;
  Eigen::MatrixXcd polar;
  const Eigen::MatrixXcd* u = &u_in;
  if (options.reorthonormalize) {
    local.input_unitarity_error = unitarity_error(u_in);
    polar = polar_unitary(u_in);
    u = &polar;
    local.reorthonormalized = true;
  }
  const detail::RawMesh raw =
      options.method == MeshMethod::Clements ? detail::null_clements(*u) : detail::null_reck(*u);
  local.residual = raw.residual;
  const double bound = 2.0 * raw.residual + raw.residual * raw.residual;
  if (!(bound <= options.unitarity_tolerance)) {
    const double measured = unitarity_error(*u);
    if (!options.reorthonormalize) local.input_unitarity_error = measured;
    if (!(measured <= options.unitarity_tolerance)) {
      fail("LINALG-NOT-UNITARY", fmt::format("{}x{} matrix is not unitary: ||U^H U - I||_F = {:.3e} exceeds the "
                                             "tolerance {:.3e}",
                                             u->rows(), u->cols(), measured, options.unitarity_tolerance));
    }
  }
  std::vector<cdouble> phase(static_cast<size_t>(raw.n), cdouble(1.0, 0.0));
  Mesh mesh = detail::build_mesh(raw, phase);
  mesh.output_phase_rad.resize(raw.n);
  for (int m = 0; m < raw.n; ++m) mesh.output_phase_rad[m] = wrap_phase(std::arg(phase[m]));
  assign_columns(mesh);
  if (info) *info = local;
  return mesh;
}

}  // namespace holo::linalg
