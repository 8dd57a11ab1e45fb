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
// The compiled-chip contract (which cells a compiled chip holds, their instances, settings, wiring and meaning:
// mesh, attenuators, tile, layer, top) is implemented as types in circuit/compiled.h: mapping/ writes it through
// its writers, sim/, layout/, analysis/ and report/ read it through its readers. docs/circuit-json.md states it
// in prose ("The compiled-chip contract").
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "holo/circuit/name.h"
#include "holo/circuit/settings.h"
#include "holo/circuit/thermal_sites.h"

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
  // What the cell is: in a compiled chip one of circuit::CellKind's spellings (compiled.h: "mesh",
  // "attenuators", "tile", "layer", "top"); read it with circuit::kind_of, not by comparing strings.
  std::string kind;
  std::vector<CellPort> ports;
  std::vector<Instance> instances;
  std::vector<Connection> connections;
  std::map<std::string, std::string> info;  // free-form, deterministic (sorted) metadata
};

// One K x K (or smaller edge) block of a tiled weight matrix W (out x in) realized optically:
// W[row0:row0+rows, col0:col0+cols] ~= gain * Re(T), T the tile cell's transfer matrix (circuit::ideal_matrix;
// for a coherent tile U diag(M(theta_k, phi_k)[0][0]) V^H: the attenuators' complex bar entries).
// What the layout drew on a tile's optical paths besides the netlist's components (written by compile's layout
// stage; docs/circuit-json.md "Drawn paths", docs/simulation.md "Losses"): the I/O waveguides between the grating
// couplers and the tile's ports, the straight waveguide every mode runs through inside the tile (wiring channels
// and end fillers), and the straight that fills an idle mesh slot. sim and analysis both read it through
// circuit/path_loss.h.
struct DrawnPaths {
  std::vector<double> in_length_um;   // per tile input j: centreline length, input grating coupler -> port in<j>
  std::vector<int64_t> in_bends;      // per tile input j: 90-degree bends on that path
  std::vector<double> out_length_um;  // per tile output i: port out<i> -> output grating coupler
  std::vector<int64_t> out_bends;     // per tile output i
  double fill_length_um = 0;          // straight length every mode crosses inside the tile outside components
  double slot_length_um = 0;          // an idle mesh slot: a straight of this length (the MZI cell's length)
  int64_t crossings = 0;              // waveguide crossings on any one path
  bool output_couplers = true;        // each output leaves the die through a grating coupler
};

struct Tile {
  std::string cell;  // tile cell name
  int64_t row0 = 0, rows = 0;
  int64_t col0 = 0, cols = 0;
  double gain = 1.0;                // electronic gain sigma_max restoring the scale after detection
  std::optional<DrawnPaths> drawn;  // absent: no layout (the schematic's paths only)
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
  // Heater sites of the laid-out tiles, by tile cell (circuit/thermal_sites.h); empty without a layout.
  ThermalSites thermal_sites;

  const Cell* find_cell(const std::string& name) const;
  Cell* find_cell(const std::string& name);
};

}  // namespace holo::circuit
