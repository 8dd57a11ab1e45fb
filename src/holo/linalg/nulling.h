// Internal to holo::linalg (decompose, svd_map, correction): the raw result of nulling a unitary with
// complex Givens rotations, and the phase bookkeeping that turns it into hardware MZIs (mzi.h).
// Other modules use decompose.h.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "holo/linalg/mesh.h"

namespace holo::linalg::detail {

// One 2x2 unitary element on modes (mode, mode+1): E = [[c, w], [-conj(w), c]], c real >= 0, c^2 + |w|^2 = 1.
struct RawElement {
  int32_t mode = 0;
  double c = 1.0;
  cdouble w{0.0, 0.0};
};

// U = (output elements, optical order) * diag(diag) * (input elements, optical order), exactly as nulled.
struct RawMesh {
  int32_t n = 0;
  MeshMethod method = MeshMethod::Clements;
  std::vector<RawElement> input;   // optical order
  std::vector<cdouble> diag;       // the diagonal left after nulling, normalized to unit modulus
  std::vector<RawElement> output;  // optical order
  double residual = 0.0;           // ||T - diag||_F of the triangular remainder T (0 for an exact unitary)
};

// Nulls a square matrix (no unitarity check here). Deterministic: depends only on the input bits.
RawMesh null_clements(const Eigen::MatrixXcd& u);
RawMesh null_reck(const Eigen::MatrixXcd& u);

// Converts raw elements into hardware MZIs M(theta, phi) by pushing every output-side phase forward in
// optical order. `phase` holds one unit complex number per mode: on entry a diagonal applied before the mesh
// (all 1 for none), on exit the diagonal left at the output (the phase screen). Columns are not assigned.
Mesh build_mesh(const RawMesh& raw, std::vector<cdouble>& phase);

}  // namespace holo::linalg::detail
