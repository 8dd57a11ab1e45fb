// Internal to holo::linalg (decompose, svd_map, correction): the raw result of nulling a unitary with
// complex Givens rotations, and the phase bookkeeping that turns it into hardware MZIs (mzi.h).
// Other modules use decompose.h.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "holo/linalg/mesh.h"

namespace holo::linalg::detail {

// 2x2 unitary elements on modes (mode, mode+1): E = [[c, w], [-conj(w), c]], c real >= 0, c^2 + |w|^2 = 1.
// Stored as columns (structure of arrays) so the phase extraction vectorizes.
struct RawElements {
  std::vector<int32_t> mode;
  std::vector<double> c, wr, wi;
  size_t size() const { return mode.size(); }
  void reserve(size_t n) { mode.reserve(n), c.reserve(n), wr.reserve(n), wi.reserve(n); }
  void push(int32_t m, double cc, cdouble w) {
    mode.push_back(m), c.push_back(cc), wr.push_back(w.real()), wi.push_back(w.imag());
  }
  void reverse();
};

// U = (output elements, optical order) * diag(diag) * (input elements, optical order), exactly as nulled.
struct RawMesh {
  int32_t n = 0;
  MeshMethod method = MeshMethod::Clements;
  RawElements input;          // optical order
  std::vector<cdouble> diag;  // the diagonal left after nulling, normalized to unit modulus
  RawElements output;         // optical order
  double residual = 0.0;      // ||T - diag||_F of the triangular remainder T (0 for an exact unitary)
};

// Nulls a square matrix (no unitarity check here). Deterministic: depends only on the input bits.
RawMesh null_clements(const Eigen::MatrixXcd& u);
RawMesh null_reck(const Eigen::MatrixXcd& u);

// Converts raw elements into hardware MZIs M(theta, phi) by pushing every output-side phase forward in
// optical order. `phase` holds one unit complex number per mode: on entry a diagonal applied before the mesh
// (all 1 for none), on exit the diagonal left at the output (the phase screen). Columns are not assigned.
Mesh build_mesh(const RawMesh& raw, std::vector<cdouble>& phase);

}  // namespace holo::linalg::detail
