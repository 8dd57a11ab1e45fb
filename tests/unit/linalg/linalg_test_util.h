// Helpers for the linalg tests: metrics as in docs/physics.md#verification-metrics and a byte image of a mesh for
// determinism checks.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstring>
#include <string>

#include "holo/linalg/mesh.h"

namespace holo::linalg::testutil {

// eps_F = ||U - U_hat||_F / sqrt(N) (the CLI's reconstruction_error).
inline double eps_f(const Eigen::MatrixXcd& u, const Eigen::MatrixXcd& u_hat) {
  return (u - u_hat).norm() / std::sqrt(static_cast<double>(u.rows()));
}

// All numbers of a mesh as raw bytes: equal strings mean bit-identical phases.
inline std::string mesh_bytes(const Mesh& m) {
  std::string s;
  auto put = [&](const void* p, size_t n) { s.append(static_cast<const char*>(p), n); };
  put(&m.n, sizeof m.n);
  put(&m.columns, sizeof m.columns);
  for (const MziSetting& z : m.mzis) {
    put(&z.mode, sizeof z.mode);
    put(&z.column, sizeof z.column);
    put(&z.theta_rad, sizeof z.theta_rad);
    put(&z.phi_rad, sizeof z.phi_rad);
  }
  for (double p : m.output_phase_rad) put(&p, sizeof p);
  return s;
}

// Permutation matrix P with P(perm[i], i) = 1.
template <class Vec>
Eigen::MatrixXcd permutation(const Vec& perm) {
  const Eigen::Index n = static_cast<Eigen::Index>(perm.size());
  Eigen::MatrixXcd p = Eigen::MatrixXcd::Zero(n, n);
  for (Eigen::Index i = 0; i < n; ++i) p(perm[i], i) = 1.0;
  return p;
}

}  // namespace holo::linalg::testutil
