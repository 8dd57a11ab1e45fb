// Mapping a weight matrix W (M x N, real or complex) onto meshes (docs/physics.md#mapping-a-weight-matrix):
//   W = U S V^H  ->  light passes a V^H mesh (N modes), a column of min(M, N) attenuator MZIs with field
//   transmission t_i = sigma_i / sigma_max, a U mesh (M modes); the electronic gain sigma_max restores scale.
//
// Phase bookkeeping: the V^H mesh has no output screen of its own; its output phases and the phase
// i e^{i theta/2} of each attenuator MZI (programmed with phi = 0) are pushed into the U mesh, which ends in
// the layer's only phase screen. The realized matrix (reconstruct) is
//   W_hat = gain * U_mesh * A * V_mesh,   A (M x N) with A_ii = M(theta_i, 0)[0, 0] = i e^{i theta_i/2} t_i.
//
// Sign/phase convention (bit-identical phases for the same W): singular values descending (Eigen's order);
// each singular pair (u_i, v_i) is multiplied by the phase that makes the first largest-magnitude entry of v_i
// real and positive (for real W: a sign flip, so U and V stay real). Remaining columns of the square U or V are
// normalized the same way on their own largest entry.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "holo/linalg/mesh.h"

namespace holo::linalg {

struct SvdOptions {
  MeshMethod method = MeshMethod::Clements;
  // Keep the smallest rank r whose sum of sigma_i^2 reaches this fraction of the total (1 keeps all).
  double retained_energy = 1.0;
};

struct SvdLayer {
  int32_t rows = 0;                          // M (outputs)
  int32_t cols = 0;                          // N (inputs)
  Mesh v_mesh;                               // N modes, output_phase_rad empty (pushed forward)
  std::vector<double> attenuator_theta_rad;  // min(M, N) entries: t_i = sin(theta_i / 2); phi = 0
  Mesh u_mesh;                               // M modes, with the output phase screen
  double gain = 0.0;                         // sigma_max
  int32_t rank = 0;                          // singular values kept (the rest have t_i = 0)
  std::vector<double> singular_values;       // all min(M, N), descending

  int64_t mzis() const {
    return static_cast<int64_t>(v_mesh.mzis.size() + u_mesh.mzis.size() + attenuator_theta_rad.size());
  }
  int64_t phase_shifters() const {
    return v_mesh.phase_shifters() + u_mesh.phase_shifters() + static_cast<int64_t>(attenuator_theta_rad.size());
  }
  int32_t depth() const { return v_mesh.columns + (attenuator_theta_rad.empty() ? 0 : 1) + u_mesh.columns; }
};

// Errors: LINALG-BAD-SHAPE (empty), LINALG-NOT-FINITE, LINALG-BAD-OPTION (retained_energy not in (0, 1]).
SvdLayer map_svd(const Eigen::MatrixXd& w, const SvdOptions& options = {});
SvdLayer map_svd(const Eigen::MatrixXcd& w, const SvdOptions& options = {});

// W_hat rebuilt from the hardware MZI model (meshes and attenuators), times the gain.
Eigen::MatrixXcd reconstruct(const SvdLayer& layer);

// ||W - W_hat||_F / ||W||_F (0 when both are zero).
double relative_error(const Eigen::MatrixXcd& w, const Eigen::MatrixXcd& w_hat);

}  // namespace holo::linalg
