// A small hand-built netlist with every level of the hierarchy the compiler emits: two 4-mode Clements
// meshes of MZIs with an output phase screen, a column of attenuators, a tile (V^H mesh -> attenuators ->
// U mesh), a layer with modulators and homodyne receivers, a top cell; one optical stage and one
// electronic stage. Settings are awkward doubles so that round trips are tested on real bits.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "holo/circuit/netlist.h"
#include "holo/pdk/pdk.h"
#include "holo/support/error.h"
#include "test_support.h"

namespace holo::test {

namespace circuit = holo::circuit;

inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const holo::Error& e) {
    return e.what();
  }
  return "no error";
}

inline const holo::pdk::Pdk& default_pdk() {
  static const holo::pdk::Pdk p = holo::pdk::load_pdk(holo::pdk::default_pdk_path());
  return p;
}

inline std::string mode_port(const char* prefix, int k) {
  return prefix + std::to_string(k);
}

// Clements layout: column c holds MZIs on modes m = c mod 2, c mod 2 + 2, ...; then a phase screen.
// An MZI on (m, m+1) takes mode m on o2 and m+1 on o1 and gives mode m on o3 and m+1 on o4.
inline circuit::Cell make_mesh(const std::string& name, int n, double seed) {
  circuit::Cell c;
  c.name = name;
  c.kind = "mesh";
  c.info["modes"] = std::to_string(n);
  std::vector<circuit::PortRef> frontier(n);
  std::vector<bool> started(n, false);
  std::vector<circuit::CellPort> inputs(n);
  auto feed = [&](int k, const circuit::PortRef& to) {
    if (!started[k]) {
      inputs[k] = circuit::CellPort{mode_port("in", k), "optical", to};
      started[k] = true;
    } else {
      c.connections.push_back(circuit::Connection{frontier[k], to});
    }
  };
  int count = 0;
  for (int col = 0; col < n; ++col)
    for (int m = col % 2; m + 1 < n; m += 2) {
      circuit::Instance mzi;
      mzi.name = "mzi_c" + std::to_string(col) + "_m" + std::to_string(m);
      mzi.component = "mzi";
      mzi.column = col;
      mzi.mode = m;
      mzi.settings["theta_rad"] = std::fmod(seed + 0.7 * ++count, M_PI);
      mzi.settings["phi_rad"] = std::fmod(seed * 1.3 + count / 3.0, 2 * M_PI);
      c.instances.push_back(mzi);
      feed(m, {mzi.name, "o2"});
      feed(m + 1, {mzi.name, "o1"});
      frontier[m] = {mzi.name, "o3"};
      frontier[m + 1] = {mzi.name, "o4"};
    }
  for (int k = 0; k < n; ++k) {
    circuit::Instance ps;
    ps.name = mode_port("ps", k);
    ps.component = "phase_shifter";  // its heater ports e1, e2 stay open: electrical ports may
    ps.column = n;
    ps.mode = k;
    ps.settings["phi_rad"] = std::fmod(seed + k / 7.0, 2 * M_PI);
    c.instances.push_back(ps);
    feed(k, {ps.name, "o1"});
    frontier[k] = {ps.name, "o2"};
  }
  for (int k = 0; k < n; ++k) c.ports.push_back(inputs[k]);
  for (int k = 0; k < n; ++k) c.ports.push_back(circuit::CellPort{mode_port("out", k), "optical", frontier[k]});
  return c;
}

inline circuit::Netlist demo_netlist() {
  const int n = 4;
  circuit::Netlist net;
  net.name = "demo";
  net.pdk = "generic_soi220";
  net.top = "top";
  net.info["model"] = "hand-built test netlist";
  net.cells.push_back(make_mesh("mesh_v", n, 0.1));
  net.cells.push_back(make_mesh("mesh_u", n, 1.0 / 3.0));

  circuit::Cell att;
  att.name = "atten";
  att.kind = "attenuators";
  for (int k = 0; k < n; ++k) {
    circuit::Instance a;
    a.name = mode_port("att", k);
    a.component = "attenuator";
    a.column = 0;
    a.mode = k;
    a.settings["transmission"] = 1.0 / (k + 1.5);
    att.instances.push_back(a);
  }
  for (int k = 0; k < n; ++k) att.ports.push_back({mode_port("in", k), "optical", {mode_port("att", k), "o1"}});
  for (int k = 0; k < n; ++k) att.ports.push_back({mode_port("out", k), "optical", {mode_port("att", k), "o2"}});
  net.cells.push_back(att);

  circuit::Cell tile;
  tile.name = "tile_0_0";
  tile.kind = "tile";
  tile.instances = {{"v", "mesh_v", {}, -1, -1}, {"a", "atten", {}, -1, -1}, {"u", "mesh_u", {}, -1, -1}};
  for (int k = 0; k < n; ++k) {
    tile.connections.push_back({{"v", mode_port("out", k)}, {"a", mode_port("in", k)}});
    tile.connections.push_back({{"a", mode_port("out", k)}, {"u", mode_port("in", k)}});
  }
  for (int k = 0; k < n; ++k) tile.ports.push_back({mode_port("in", k), "optical", {"v", mode_port("in", k)}});
  for (int k = 0; k < n; ++k) tile.ports.push_back({mode_port("out", k), "optical", {"u", mode_port("out", k)}});
  net.cells.push_back(tile);

  circuit::Cell layer;
  layer.name = "layer0";
  layer.kind = "layer";
  layer.info["node"] = "fc1";
  for (int k = 0; k < n; ++k) layer.instances.push_back({mode_port("mod", k), "modulator", {}, -1, k});
  layer.instances.push_back({"tile", "tile_0_0", {}, -1, -1});
  for (int k = 0; k < n; ++k) layer.instances.push_back({mode_port("rx", k), "homodyne_receiver", {}, -1, k});
  for (int k = 0; k < n; ++k) {
    layer.connections.push_back({{mode_port("mod", k), "o2"}, {"tile", mode_port("in", k)}});
    layer.connections.push_back({{"tile", mode_port("out", k)}, {mode_port("rx", k), "o1"}});
  }
  for (int k = 0; k < n; ++k) {
    layer.ports.push_back({mode_port("laser", k), "optical", {mode_port("mod", k), "o1"}});
    layer.ports.push_back({mode_port("lo", k), "optical", {mode_port("rx", k), "o2"}});
    layer.ports.push_back({mode_port("x", k), "electrical", {mode_port("mod", k), "e1"}});
    layer.ports.push_back({mode_port("y", k), "electrical", {mode_port("rx", k), "e1"}});
  }
  net.cells.push_back(layer);

  circuit::Cell top;
  top.name = "top";
  top.kind = "top";
  top.instances.push_back({"chip", "layer0", {}, -1, -1});
  for (const circuit::CellPort& p : net.cells.back().ports) top.ports.push_back({p.name, p.kind, {"chip", p.name}});
  net.cells.push_back(top);

  circuit::Stage fc;
  fc.node = "fc1";
  fc.op = "Gemm";
  fc.domain = "optical";
  fc.layer_cell = "layer0";
  fc.out_features = n;
  fc.in_features = n;
  fc.tiles.push_back({"tile_0_0", 0, n, 0, n, 2.718281828459045});
  net.stages.push_back(fc);
  circuit::Stage relu;
  relu.node = "relu1";
  relu.op = "Relu";
  relu.domain = "electronic";
  relu.reason = "nonlinearity: detect, apply electronically, re-modulate";
  net.stages.push_back(relu);
  return net;
}

inline circuit::Cell& cell(circuit::Netlist& n, const std::string& name) {
  circuit::Cell* c = n.find_cell(name);
  if (!c) throw std::runtime_error("test fixture has no cell " + name);
  return *c;
}

}  // namespace holo::test
