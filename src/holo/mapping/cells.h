// The cells of a coherent SVD tile as mapping programs them (linalg::map_svd: attenuators with phi = 0), written
// through the one writer of the compiled-chip contract (circuit/compiled.h).
#pragma once

#include <string>
#include <vector>

#include "holo/circuit/compiled.h"
#include "holo/linalg/mesh.h"

namespace holo::mapping {

inline circuit::Cell mesh_cell(const std::string& name, const linalg::Mesh& mesh) {
  return circuit::mesh_cell(name, mesh);
}

// A column of MZI attenuators programmed as linalg::map_svd does: theta_k, phi = 0, realizing the bar factor
// M(theta_k, 0)[0][0] = i e^{i theta_k/2} sin(theta_k/2) (its phase is absorbed by the following U mesh).
inline circuit::Cell attenuator_cell(const std::string& name, const std::vector<double>& theta_rad) {
  std::vector<circuit::Attenuator> a;
  a.reserve(theta_rad.size());
  for (double t : theta_rad) a.push_back(circuit::make_attenuator(t, 0.0));
  return circuit::attenuator_cell(name, a);
}

// A coherent tile cell wiring vh (cols modes) -> att (rank) -> u (rows modes); the three cells must exist already.
inline circuit::Cell tile_cell(const std::string& name, const std::string& vh_cell, const std::string& att_cell,
                               const std::string& u_cell, int64_t rows, int64_t cols, int64_t rank,
                               int64_t rank_kept = -1) {
  return circuit::coherent_tile_cell(name, rows, cols, rank, vh_cell, att_cell, u_cell, rank_kept);
}

}  // namespace holo::mapping
