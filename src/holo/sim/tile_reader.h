// Reading compiled tiles back from the netlist, per the compiled-chip contract of circuit/netlist.h:
//   mesh cell        -> linalg::Mesh (MZIs in optical order with mode / column / theta / phi, output screen)
//   attenuator cell  -> per mode theta, phi and the declared field transmission
//   tile cell        -> (vh mesh, attenuators, u mesh) with rows / cols / rank
// The reader checks the cell against the contract, including its wiring (every connection and port the
// contract implies, and no other), so the structured simulator, which trusts modes and optical order, and
// the S-matrix solver, which trusts connections, see the same circuit. Errors: SIM-MISSING-CELL (no such
// cell), SIM-BAD-CELL (the cell breaks the contract; the message names the cell, instance and field).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/linalg/mesh.h"

namespace holo::sim {

struct AttenuatorSetting {
  double theta_rad = 0.0;
  double phi_rad = 0.0;
  double transmission = 0.0;  // declared magnitude of the bar factor M(theta, phi)[0][0] (checked)
};

struct TileModel {
  std::string cell;
  int64_t rows = 0, cols = 0, rank = 0;
  linalg::Mesh vh;                     // cols modes, with output screen
  std::vector<AttenuatorSetting> att;  // rank entries
  linalg::Mesh u;                      // rows modes, with output screen
};

linalg::Mesh read_mesh_cell(const circuit::Netlist& n, const std::string& cell);
std::vector<AttenuatorSetting> read_attenuator_cell(const circuit::Netlist& n, const std::string& cell);
TileModel read_tile_cell(const circuit::Netlist& n, const std::string& cell);

// The ideal transfer matrix of a tile (rows x cols), T = U[:, :rank] diag(M(theta_k, phi_k)[0][0]) V^H[:rank, :],
// rebuilt from the hardware MZI model (linalg::reconstruct).
Eigen::MatrixXcd tile_matrix(const TileModel& t);

// Tolerance of the attenuator check |M(theta, phi)[0][0] - transmission|: the mapping computes theta, phi from
// the transmission with asin and a wrap, a few ulp of error.
inline constexpr double kAttenuatorCheckTolerance = 1e-9;

}  // namespace holo::sim
