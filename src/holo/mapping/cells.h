// Writing programmed meshes into netlist cells, per the compiled-chip contract of circuit/netlist.h.
#pragma once

#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/linalg/mesh.h"

namespace holo::mapping {

// A mesh cell ("mzi<k>" in optical order, then the output screen "ps<i>") with ports in<i>/out<i>.
circuit::Cell mesh_cell(const std::string& name, const linalg::Mesh& mesh);

// A column of MZI attenuators with real, non-negative field transmissions in [0, 1].
circuit::Cell attenuator_cell(const std::string& name, const std::vector<double>& transmissions);

// The MZI settings (theta, phi) whose bar (upper -> upper) field transmission is exactly t >= 0 (real):
// |M11| = sin(theta/2) = t and the phase of M11 = i e^{i(theta/2 + phi)} is cancelled.
void attenuator_phases(double t, double& theta_rad, double& phi_rad);

// A tile cell wiring vh (cols modes) -> att (rank) -> u (rows modes); the three cells must exist already.
circuit::Cell tile_cell(const std::string& name, const std::string& vh_cell, const std::string& att_cell,
                        const std::string& u_cell, int64_t rows, int64_t cols, int64_t rank);

}  // namespace holo::mapping
