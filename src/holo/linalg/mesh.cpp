#include "holo/linalg/mesh.h"

#include <fmt/format.h>

#include <algorithm>

#include "holo/linalg/serial_eigen.h"
#include "holo/support/error.h"

namespace holo::linalg {

namespace {

using RowMat = Eigen::Matrix<cdouble, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// rows a, b <- m * [a; b] over columns [lo, hi).
void rotate_rows(RowMat& x, int a, int b, const Mat2& m, Eigen::Index lo, Eigen::Index hi) {
  cdouble* __restrict ra = x.row(a).data();
  cdouble* __restrict rb = x.row(b).data();
  const cdouble m11 = m(0, 0), m12 = m(0, 1), m21 = m(1, 0), m22 = m(1, 1);
  for (Eigen::Index j = lo; j < hi; ++j) {
    const cdouble u = ra[j], v = rb[j];
    ra[j] = m11 * u + m12 * v;
    rb[j] = m21 * u + m22 * v;
  }
}

void check_mesh(const Mesh& mesh) {
  for (const MziSetting& z : mesh.mzis) {
    if (z.mode < 0 || z.mode + 1 >= mesh.n) {
      fail("LINALG-BAD-MESH", fmt::format("MZI on modes ({}, {}) outside a {}-mode mesh", z.mode, z.mode + 1, mesh.n));
    }
  }
  if (!mesh.output_phase_rad.empty() && static_cast<int32_t>(mesh.output_phase_rad.size()) != mesh.n) {
    fail("LINALG-BAD-MESH",
         fmt::format("output phase screen has {} entries for a {}-mode mesh", mesh.output_phase_rad.size(), mesh.n));
  }
}

template <class MatrixOf>
Eigen::MatrixXcd reconstruct_impl(const Mesh& mesh, MatrixOf matrix_of) {
  check_mesh(mesh);
  const int n = mesh.n;
  RowMat x = RowMat::Identity(n, n);
  // Starting from the identity, row m is non-zero only on a column interval containing m; an MZI on (m, m+1)
  // makes both rows non-zero on the union of their intervals. Work only there.
  std::vector<Eigen::Index> lo(n), hi(n);
  for (int m = 0; m < n; ++m) lo[m] = m, hi[m] = m + 1;
  for (size_t k = 0; k < mesh.mzis.size(); ++k) {
    const int m = mesh.mzis[k].mode;
    const Eigen::Index l = std::min(lo[m], lo[m + 1]), h = std::max(hi[m], hi[m + 1]);
    rotate_rows(x, m, m + 1, matrix_of(k), l, h);
    lo[m] = lo[m + 1] = l;
    hi[m] = hi[m + 1] = h;
  }
  if (!mesh.output_phase_rad.empty()) {
    for (int m = 0; m < n; ++m) x.row(m) *= std::polar(1.0, mesh.output_phase_rad[m]);
  }
  return x;
}

}  // namespace

std::string method_name(MeshMethod m) {
  return m == MeshMethod::Clements ? "clements" : "reck";
}

MeshMethod parse_method(const std::string& s) {
  if (s == "clements") return MeshMethod::Clements;
  if (s == "reck") return MeshMethod::Reck;
  fail("LINALG-BAD-METHOD", fmt::format("unknown decomposition method '{}': expected 'clements' or 'reck'", s));
}

void assign_columns(Mesh& mesh) {
  std::vector<int32_t> depth(static_cast<size_t>(std::max(mesh.n, 0)), 0);
  int32_t columns = 0;
  for (MziSetting& z : mesh.mzis) {
    const int32_t col = std::max(depth[z.mode], depth[z.mode + 1]);
    z.column = col;
    depth[z.mode] = depth[z.mode + 1] = col + 1;
    columns = std::max(columns, col + 1);
  }
  mesh.columns = columns;
}

Eigen::MatrixXcd reconstruct(const Mesh& mesh) {
  return reconstruct_impl(mesh, [&](size_t k) { return mzi_matrix(mesh.mzis[k].theta_rad, mesh.mzis[k].phi_rad); });
}

Eigen::MatrixXcd reconstruct(const Mesh& mesh, std::span<const CouplerError> errors) {
  if (errors.size() != mesh.mzis.size()) {
    fail("LINALG-BAD-ERRORS",
         fmt::format("{} coupler errors given for a mesh of {} MZIs", errors.size(), mesh.mzis.size()));
  }
  return reconstruct_impl(
      mesh, [&](size_t k) { return mzi_matrix(mesh.mzis[k].theta_rad, mesh.mzis[k].phi_rad, errors[k]); });
}

void apply_mesh(const Mesh& mesh, Eigen::MatrixXcd& x) {
  check_mesh(mesh);
  if (x.rows() != mesh.n) {
    fail("LINALG-BAD-SHAPE", fmt::format("cannot apply a {}-mode mesh to {} rows", mesh.n, x.rows()));
  }
  RowMat r = x;
  for (const MziSetting& z : mesh.mzis)
    rotate_rows(r, z.mode, z.mode + 1, mzi_matrix(z.theta_rad, z.phi_rad), 0, r.cols());
  if (!mesh.output_phase_rad.empty()) {
    for (int m = 0; m < mesh.n; ++m) r.row(m) *= std::polar(1.0, mesh.output_phase_rad[m]);
  }
  x = r;
}

double frobenius_error(const Eigen::MatrixXcd& u, const Eigen::MatrixXcd& u_hat) {
  return (u - u_hat).norm();
}

double unitarity_error(const Eigen::MatrixXcd& u) {
  SerialEigen serial;  // same bits for any thread count
  const Eigen::MatrixXcd g = u.adjoint() * u;
  return (g - Eigen::MatrixXcd::Identity(u.cols(), u.cols())).norm();
}

double fidelity(const Eigen::MatrixXcd& u, const Eigen::MatrixXcd& u_hat) {
  const double n = static_cast<double>(u.rows());
  const double denom = n * u_hat.squaredNorm();
  if (!(denom > 0.0)) return 0.0;
  return std::norm(u.conjugate().cwiseProduct(u_hat).sum()) / denom;  // Tr(U^H Uhat) without a product
}

}  // namespace holo::linalg
