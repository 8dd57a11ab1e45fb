// Decomposition of an N x N unitary into a hardware MZI mesh (mzi.h convention): Clements (rectangular,
// N columns, balanced depth) or Reck (triangular, 2N-3 columns). Closed-form nulling, no root finding.
//
// Input check: the input is rejected with LINALG-NOT-UNITARY when ||U^H U - I||_F > unitarity_tolerance
// (message carries the measured value). The check costs O(N^2) for a unitary input: after nulling, the
// triangular remainder T must equal its unit-modulus diagonal D, and ||U^H U - I|| <= 2 r + r^2 with
// r = ||T - D||_F; only when that bound exceeds the tolerance is ||U^H U - I||_F measured (one product).
// `reorthonormalize` replaces U by its polar factor (nearest unitary, SVD in double) before decomposing.
#pragma once

#include <Eigen/Core>

#include "holo/linalg/mesh.h"

namespace holo::linalg {

inline constexpr double kDefaultUnitarityTolerance = 1e-10;

struct DecomposeOptions {
  MeshMethod method = MeshMethod::Clements;
  double unitarity_tolerance = kDefaultUnitarityTolerance;  // on ||U^H U - I||_F
  bool reorthonormalize = false;
};

struct DecomposeInfo {
  double residual = 0.0;  // ||T - D||_F after nulling: the reconstruction error in exact arithmetic
  bool reorthonormalized = false;
  double input_unitarity_error = -1.0;  // measured ||U^H U - I||_F, or -1 when the cheap bound sufficed
};

// Errors: LINALG-BAD-SHAPE (not square or empty), LINALG-NOT-FINITE, LINALG-BAD-OPTION (negative tolerance),
// LINALG-NOT-UNITARY.
Mesh decompose(const Eigen::MatrixXcd& u, const DecomposeOptions& options = {}, DecomposeInfo* info = nullptr);

// Nearest unitary in the Frobenius norm: W V^H from the SVD U = W S V^H (double precision).
Eigen::MatrixXcd polar_unitary(const Eigen::MatrixXcd& a);

// Checks shape and finiteness of a matrix given to the decomposition; `what` names it in messages.
void check_square_finite(const Eigen::MatrixXcd& u, const char* what);

}  // namespace holo::linalg
