// The photonic circuit IR: a hierarchical netlist of cells whose instances are PDK templates (with their
// programmed settings) or other cells, connected port to port, plus the compute program that says which
// optical cells realize which network layer and which operations stay electronic.
//
// Port conventions (gdsfactory style, counter-clockwise from the west-bottom): a 2x2 template (mzi,
// directional_coupler) acting on modes (m, m+1), where mode m is the upper waveguide:
//   o1 = west, mode m+1 (in)   o2 = west, mode m (in)   o3 = east, mode m (out)   o4 = east, mode m+1 (out)
// 2-port templates (waveguide, phase_shifter, attenuator, modulator, eo_activation): o1 = in, o2 = out.
// Mesh cells expose optical ports "in<k>" and "out<k>" for modes k = 0..n-1.
// Settings carry units in their names: theta_rad, phi_rad, transmission (field amplitude), length_um.
//
// The compiled-chip contract (written by mapping/, read by sim/ and layout/):
//   mesh cell (kind "mesh", info "n", "method", "columns"): instances "mzi<k>" (component "mzi", settings
//     theta_rad, phi_rad; column, mode = upper mode) in optical order (k = 0 meets the light first), then
//     an optional output phase screen "ps<i>" (component "phase_shifter", setting phi_rad; mode = i, column =
//     number of MZI columns). A mode no component touches (n = 1 without a screen) passes a "wg<i>"
//     (component "waveguide"). Ports in<i>, out<i>. The realized matrix is linalg's
//     U = diag(e^{i phi_ps}) * M_K ... M_1 (linalg/mesh.h; no screen = identity screen).
//   attenuator cell (kind "attenuators", info "n"): instances "a<k>" (component "attenuator", settings
//     theta_rad, phi_rad, transmission; mode = k): an MZI used through its bar path, realizing the complex
//     field factor M(theta, phi)[0][0] = i e^{i(theta/2 + phi)} sin(theta/2); `transmission` is its magnitude
//     sin(theta/2). (linalg::map_svd programs phi = 0 and pushes the phase i e^{i theta/2} into the U mesh.)
//     Ports in<k>, out<k>.
//   tile cell (kind "tile", info "rows", "cols", "rank"): instances "vh" (a mesh cell on cols modes), "att"
//     (an attenuator cell on rank = min(rows, cols) modes), "u" (a mesh cell on rows modes); vh.out<k> ->
//     att.in<k> -> att.out<k> -> u.in<k> for k < rank. Ports in<j> (= vh.in<j>), out<i> (= u.out<i>); the
//     unused vh outputs / u inputs (k >= rank) are exposed as "drop<k>" / "dark<k>". Realizes
//     T = U A V^H (rows x cols), A = the attenuators' factors on the diagonal; W_block = Tile::gain * T.
//   layer cell (kind "layer"): the tiles of one stage with their input modulators and homodyne receivers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "holo/circuit/name.h"
#include "holo/circuit/settings.h"

namespace holo::circuit {

struct PortRef {
  Name instance;  // instance name inside the cell
  Name port;      // port of that instance's component
  bool operator==(const PortRef&) const = default;
};

struct Instance {
  std::string name;
  std::string component;  // a PDK template name, or the name of another cell of the netlist
  Settings settings;
  // Logical placement inside a mesh (layout and the structured simulator read it): the physical column
  // and the upper mode the instance acts on; -1 when not part of a mesh grid.
  int32_t column = -1;
  int32_t mode = -1;
};

struct Connection {
  PortRef a;
  PortRef b;
};

struct CellPort {
  std::string name;  // external name, e.g. "in3"
  std::string kind;  // "optical" or "electrical"
  PortRef inner;     // the instance port it exposes
};

struct Cell {
  std::string name;
  // What the cell is: "mesh" (programmed MZI mesh with output phase screen), "attenuators" (a column of
  // MZI attenuators), "tile" (V^H mesh -> attenuators -> U mesh), "layer" (the tiles of one network
  // layer with I/O modulators and receivers), "top".
  std::string kind;
  std::vector<CellPort> ports;
  std::vector<Instance> instances;
  std::vector<Connection> connections;
  std::map<std::string, std::string> info;  // free-form, deterministic (sorted) metadata
};

// One K x K (or smaller edge) block of a tiled weight matrix W (out x in) realized optically:
// W[row0:row0+rows, col0:col0+cols] ~= gain * U diag(transmission) V^H, with the meshes of `cell`.
struct Tile {
  std::string cell;  // tile cell name
  int64_t row0 = 0, rows = 0;
  int64_t col0 = 0, cols = 0;
  double gain = 1.0;  // electronic gain sigma_max restoring the scale after detection
};

// A network layer and how the chip computes it.
struct Stage {
  std::string node;  // graph node name (from the simplified model)
  std::string op;    // graph op (Gemm, MatMul, Conv, Relu, Softmax, ...)
  // "optical": a linear layer on tiled meshes; "electronic": computed after detection;
  // "optical_activation": the electro-optic activation (Williamson) on the optical path.
  std::string domain;
  std::string reason;                         // for electronic stages: why light does not do it
  std::string layer_cell;                     // optical stages: the layer cell holding the tiles
  int64_t out_features = 0, in_features = 0;  // the weight matrix (out x in) of an optical stage
  int64_t positions = 1;                      // Conv: output positions time-multiplexed on the same mesh per sample
  std::vector<Tile> tiles;
};

struct Netlist {
  std::string name;
  std::string pdk;            // PDK name the templates come from
  std::string top;            // name of the top cell
  std::vector<Cell> cells;    // deterministic order: leaves first, top last
  std::vector<Stage> stages;  // the compute program, in execution order
  std::map<std::string, std::string> info;

  const Cell* find_cell(const std::string& name) const;
  Cell* find_cell(const std::string& name);
};

}  // namespace holo::circuit
