// The thermal crosstalk of a laid-out tile (docs/simulation.md#thermal-crosstalk): the heater sites the layout
// recorded (circuit/thermal_sites.h) through the image-method model of sim/thermal.h, as sparse matrices (a 64-mode
// tile has ~8,200 heaters: a dense C would be 540 MB), and the compensated programming solved on them.
//
// Site i's programmed phase is the phase of its arm minus that of its other arm (an MZI's theta and phi are
// differences between its two arms; a screen shifter has no other arm), so the matrix the compensation inverts is
//   D(i, j) = C(arm_i, j) - C(other_arm_i, j)      (rad per mW in heater j)
// and the phase both arms of site i share is the common phase
//   K(i, j) = C(other_arm_i, j)                     (0 for screen sites)
// which multiplies the MZI by e^{i c} (the phase of the MZI's outputs relative to the other modes).
//
// Sparsity: C(p, j) is kept where the lateral offset of waveguide p from heater j is within cutoff_um, the offset at
// which the rise under a long heater falls to `kCrosstalkRelCutoff` (1e-4) of its self term; beyond it the entries
// are dropped (each dropped entry is below 1e-4 of the self term and the rise decays as e^{-pi x / 2 D}, D the
// oxide thickness, so a row's dropped sum is below ~2e-4 of the self term).
#pragma once

#include <Eigen/Sparse>
#include <cstdint>
#include <vector>

#include "holo/circuit/compiled.h"
#include "holo/circuit/thermal_sites.h"
#include "holo/sim/thermal.h"

namespace holo::sim {

inline constexpr double kCrosstalkRelCutoff = 1e-4;

// The lateral offset (um) beyond which a heater's rise at the waveguide height is below `rel` of its self term.
double crosstalk_cutoff_um(const ThermalStack& s, double rel = kCrosstalkRelCutoff);

using SparseMatrixD = Eigen::SparseMatrix<double>;  // column-major

struct SiteCrosstalk {
  SparseMatrixD effective;  // D: n x n
  SparseMatrixD common;     // K: n x n
  double cutoff_um = 0;
  double self_rad_per_mw = 0;  // pi / p_pi_mw: the phase a heater gives the waveguide under it per mW
};

// D and K of the sites (same order). SIM-BAD-THERMAL for an empty or non-finite segment.
SiteCrosstalk site_crosstalk(const ThermalStack& s, const std::vector<circuit::ThermalSite>& sites,
                             double rel_cutoff = kCrosstalkRelCutoff);

// The raw C (probes x heaters) of sparse_crosstalk's truncation: the same entries as crosstalk_matrix within the
// cutoff, 0 beyond. Probes: the sites' arms then their other arms (2n rows, a missing other arm a zero row).
SparseMatrixD sparse_crosstalk_matrix(const ThermalStack& s, const std::vector<Segment>& heaters,
                                      const std::vector<Segment>& probes, double cutoff_um);

// The programmed phase of each site (the tile's setting, wrapped to [0, 2 pi)). SIM-BAD-THERMAL for a site the
// tile does not have.
Eigen::VectorXd site_targets_rad(const circuit::TileView& t, const std::vector<circuit::ThermalSite>& sites);

// compensate() on a sparse D (one sparse LU, reused across the 2 pi raises): the same semantics and errors.
Compensation compensate_sparse(const SparseMatrixD& d, const Eigen::VectorXd& target_rad, int32_t max_turns = 100000);

// The compensated programming of a tile (compile's thermal stage): heater powers P >= 0 with D P equal to the
// targets modulo 2 pi, where the targets are the settings' phases with the common phases carried forward. An MZI
// whose two arms share a phase c (K P) passes e^{i c} on to both its outputs; such phases on the inputs of a later
// MZI on modes (m, m + 1), d_m and d_{m+1}, are e^{i d_{m+1}} M(theta, phi + d_m - d_{m+1}), so that MZI's phi target
// is lowered by d_m - d_{m+1} and e^{i (c + d_{m+1})} goes on; the output screen takes what reaches it. The V^H mesh
// (no screen) and the attenuators (no phi heater on the chip) pass their modes' phases, each attenuator's own
// common phase added, into the U mesh, whose phi heaters and screen absorb them (phi_offset_rad stays 0).
// New targets change P and so K P: repeated until the targets move by less than 1e-13 rad (a few rounds: K is
// ~4e-3 of D at the 20 um pitch). Without a U screen, the phases reaching U's outputs stay (none in compiled chips).
struct TileCompensation {
  std::vector<circuit::ThermalSite> sites;  // the input sites with power_mw, turns, target_rad, phi_offset_rad
  int64_t nonzeros = 0;                     // of D and K
  int32_t rounds = 0;
  int64_t raised = 0;               // turns of 2 pi added
  double max_residual_rad = 0;      // max |D P - target - 2 pi turns|
  double power_mw = 0;              // sum P
  double nominal_power_mw = 0;      // sum P_pi target / pi over the settings' own phases (no crosstalk)
  double build_s = 0, solve_s = 0;  // wall time of building D, K and of the solves
};
TileCompensation compensate_tile(const ThermalStack& s, const circuit::TileView& t,
                                 std::vector<circuit::ThermalSite> sites);

}  // namespace holo::sim
