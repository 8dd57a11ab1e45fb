// Compact models: the port-level S-matrix of one instance of a PDK template, from its compact-model kind
// (pdk Template::model), its programmed settings and its figures. Both simulators take their numbers from
// here or from linalg/mzi.h (the one MZI convention), so a PDK figure means the same thing everywhere.
//
// Port conventions (circuit/netlist.h): a 2x2 (mzi, coupler) on modes (m, m+1) has o1 = west m+1, o2 = west m,
// o3 = east m, o4 = east m+1; with the 2x2 transfer matrix M (out = M in, index 0 = mode m):
//   S[o3][o2] = M00, S[o3][o1] = M01, S[o4][o2] = M10, S[o4][o1] = M11, and S = S^T (reciprocal), no
//   reflections. Two-port templates: S = [[0, t], [t, 0]] with o1 = in, o2 = out.
// Models (figures in parentheses):
//   mzi            M = M(theta_rad, phi_rad) (linalg::mzi_matrix, with coupler errors when given) x loss
//   attenuator     t = M(theta_rad, phi_rad)[0][0] x loss (upper -> upper bar path; the cross output is dumped)
//   phase_shifter  t = exp(i phi_rad) x loss
//   coupler        M = B(s), s = asin(sqrt(coupling_power)) + coupling_error_rad (setting, default 0), x excess loss
//   waveguide      t = 10^(-loss_db_per_cm L / 20) exp(i 2 pi n_eff L / lambda), L = length_um (default 0)
//   modulator      t = amplitude (setting, default 1) x loss
//   photodetector, homodyne_receiver, coupler_io (grating coupler): absorbing terminations, S = 0
//   electronic     no optical ports
//   eo_activation  nonlinear: SIM-UNSUPPORTED-MODEL (the solver is linear)
// loss = 10^(-insertion_loss_db / 20) (the coupler: excess_loss_db) when losses are on, else 1; a template
// without the figure has no loss. Errors: SIM-BAD-SETTING (a required setting missing or not finite),
// SIM-UNSUPPORTED-MODEL; `where` names the instance in messages.
#pragma once

#include <Eigen/Core>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/linalg/mzi.h"
#include "holo/pdk/pdk.h"

namespace holo::sim {

// Field factor of a template's insertion loss (10^(-dB/20)); 1 when `use_loss` is false or the template has
// no loss figure. Throws PDK-MISSING-TEMPLATE for an unknown template.
double loss_factor(const pdk::Pdk& pdk, const std::string& tmpl, bool use_loss);

// Names of the template's optical ports, in PDK order (the row/column order of component_smatrix).
std::vector<std::string> optical_ports(const pdk::Template& t);

struct ComponentOptions {
  bool use_loss = false;
  const linalg::CouplerError* coupler_error = nullptr;  // mzi / attenuator: imperfect couplers
};

Eigen::MatrixXcd component_smatrix(const pdk::Pdk& pdk, const pdk::Template& t, const circuit::Settings& settings,
                                   const ComponentOptions& options, const std::string& where);

}  // namespace holo::sim
