// General S-matrix netlist solver: any netlist of PDK templates (meshes or not, feed-forward or with loops
// and reflections), hierarchical cells flattened, connections port to port; solves for the S-matrix between
// a cell's external optical ports.
//
// Method: every leaf instance contributes its port-level S-matrix (components.h) to a block-diagonal S over
// all leaf optical ports, b = S a (b outgoing, a incoming waves). A connection between ports p and q means
// a_p = b_q and a_q = b_p: a_I = C b_I with C the connection permutation on the internal ports I. Then
//   b_I = (I - S_II C)^-1 S_IE a_E,   S_ext = S_EE + S_EI C (I - S_II C)^-1 S_IE,
// solved with a sparse LU (each row of I - S_II C has at most a port count of non-zeros). Independent of the
// structured simulator: it never reads mesh modes, columns or optical order, only ports and connections.
// Electrical ports and connections are ignored (they carry no light).
//
// Errors: SIM-MISSING-CELL, SIM-UNKNOWN-COMPONENT (neither a cell nor a template), SIM-RECURSIVE-CELL,
// SIM-BAD-CONNECTION (an unknown port, a port used twice, optical to electrical), SIM-UNCONNECTED-PORT (a
// leaf optical port neither connected nor exposed), SIM-SINGULAR (the network has no unique steady state,
// e.g. a lossless resonance), plus the compact-model errors of components.h.
#pragma once

#include <Eigen/Core>
#include <map>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/linalg/mzi.h"
#include "holo/pdk/pdk.h"

namespace holo::sim {

// Replaces the physical state of one leaf instance (a Monte-Carlo realization, a test).
struct InstanceOverride {
  circuit::Settings settings;  // these settings replace the netlist's (others are kept)
  bool has_coupler_error = false;
  linalg::CouplerError coupler_error;  // mzi / attenuator
};

struct SolverOptions {
  bool use_pdk_loss = false;
  // Keyed by the hierarchical instance path below the solved cell: instance names joined by '/', e.g.
  // "vh/mzi3" inside a tile cell.
  std::map<std::string, InstanceOverride> overrides;
};

struct NetworkSMatrix {
  std::vector<std::string> ports;  // the cell's optical ports, in the cell's port order
  Eigen::MatrixXcd s;              // s(i, j): wave out of ports[i] per unit wave into ports[j]
  int64_t leaf_instances = 0;
  int64_t internal_ports = 0;

  Eigen::Index index(const std::string& port) const;  // SIM-BAD-CONNECTION for an unknown name
};

NetworkSMatrix solve_cell(const circuit::Netlist& n, const pdk::Pdk& pdk, const std::string& cell,
                          const SolverOptions& options = {});

}  // namespace holo::sim
