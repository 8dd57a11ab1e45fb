// A programmed MZI mesh: the hardware MZIs (mzi.h convention) in optical order plus an output phase screen.
// The realized matrix is U = D * M_K * ... * M_1 with M_k = M(theta_k, phi_k) acting on modes
// (mode_k, mode_k + 1) and D = diag(exp(i output_phase_rad)).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "holo/linalg/mzi.h"

namespace holo::linalg {

enum class MeshMethod { Clements, Reck };
std::string method_name(MeshMethod m);          // "clements" / "reck"
MeshMethod parse_method(const std::string& s);  // throws LINALG-BAD-METHOD

struct MziSetting {
  int32_t mode = 0;    // upper mode; the MZI acts on (mode, mode + 1)
  int32_t column = 0;  // physical column (ASAP schedule in optical order), 0-based
  double theta_rad = 0.0;
  double phi_rad = 0.0;
};

struct Mesh {
  int32_t n = 0;
  MeshMethod method = MeshMethod::Clements;
  std::vector<MziSetting> mzis;          // optical order (the first one meets the light first)
  std::vector<double> output_phase_rad;  // size n, or empty when the screen was pushed into a later stage
  int32_t columns = 0;                   // number of physical MZI columns (optical depth)

  // Tunable phase shifters: theta and phi of every MZI plus the output screen.
  int64_t phase_shifters() const {
    return 2 * static_cast<int64_t>(mzis.size()) + static_cast<int64_t>(output_phase_rad.size());
  }
};

// Assigns MziSetting::column with the ASAP schedule (col = max(depth[m], depth[m+1])) and sets Mesh::columns.
void assign_columns(Mesh& mesh);

// Rebuilds the N x N matrix of the mesh from the hardware 2x2 model (mzi_matrix), MZI by MZI.
Eigen::MatrixXcd reconstruct(const Mesh& mesh);

// The same with imperfect couplers: errors[k] belongs to mesh.mzis[k] (size must match).
Eigen::MatrixXcd reconstruct(const Mesh& mesh, std::span<const CouplerError> errors);

// Left-multiplies the rows of x (n x cols, any cols) by the mesh: x <- U x.
void apply_mesh(const Mesh& mesh, Eigen::MatrixXcd& x);

// Verification metrics (docs/physics.md#verification-metrics).
double frobenius_error(const Eigen::MatrixXcd& u, const Eigen::MatrixXcd& u_hat);  // ||U - Uhat||_F
double unitarity_error(const Eigen::MatrixXcd& u);                                 // ||U^H U - I||_F
// F = |Tr(U^H Uhat)|^2 / (N Tr(Uhat^H Uhat)); 1 for a perfect (possibly lossy-free) match.
double fidelity(const Eigen::MatrixXcd& u, const Eigen::MatrixXcd& u_hat);

}  // namespace holo::linalg
