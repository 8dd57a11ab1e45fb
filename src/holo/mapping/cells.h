// Writing programmed meshes into netlist cells, per the compiled-chip contract of circuit/netlist.h.
#pragma once

#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/linalg/mesh.h"

namespace holo::mapping {

// A mesh cell ("mzi<k>" in optical order, then the output screen "ps<i>" when the mesh has one) with ports
// in<i>/out<i>.
circuit::Cell mesh_cell(const std::string& name, const linalg::Mesh& mesh);

// A column of MZI attenuators programmed as linalg::map_svd does: theta_k, phi = 0, realizing the bar factor
// M(theta_k, 0)[0][0] = i e^{i theta_k/2} sin(theta_k/2) (its phase is absorbed by the following U mesh).
circuit::Cell attenuator_cell(const std::string& name, const std::vector<double>& theta_rad);

// A tile cell wiring vh (cols modes) -> att (rank) -> u (rows modes); the three cells must exist already.
circuit::Cell tile_cell(const std::string& name, const std::string& vh_cell, const std::string& att_cell,
                        const std::string& u_cell, int64_t rows, int64_t cols, int64_t rank);

}  // namespace holo::mapping
