// Verifier: the demo netlist passes; each deliberately broken copy fails with its own code, and the
// message names the cell / instance / port or stage / tile it concerns.
#include "holo/circuit/verify.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "demo_netlist.h"
#include "test_support.h"

namespace circuit = holo::circuit;
using holo::test::cell;
using holo::test::default_pdk;
using holo::test::demo_netlist;
using holo::test::message_of;

namespace {

// Applies `edit` to a fresh demo netlist and returns the verifier's error code; the message must
// contain every string of `mentions`.
std::string broken(const std::function<void(circuit::Netlist&)>& edit, std::vector<std::string> mentions = {}) {
  circuit::Netlist n = demo_netlist();
  edit(n);
  std::string msg = message_of([&] { circuit::verify(n, default_pdk()); });
  for (const std::string& m : mentions) EXPECT_NE(msg.find(m), std::string::npos) << "'" << m << "' not in: " << msg;
  return holo::test::error_code([&] { circuit::verify(n, default_pdk()); });
}

circuit::Instance* find_instance(circuit::Cell& c, const std::string& name) {
  for (circuit::Instance& i : c.instances)
    if (i.name == name) return &i;
  throw std::runtime_error("no instance " + name);
}

}  // namespace

TEST(CircuitVerify, DemoNetlistPasses) {
  circuit::Netlist n = demo_netlist();
  EXPECT_NO_THROW(circuit::verify(n, default_pdk()));
  // The demo leaves the phase shifters' heater ports (electrical) open: that is allowed.
  EXPECT_EQ(circuit::component_ports(n, default_pdk(), "phase_shifter").size(), 4u);
  EXPECT_EQ(n.cells[0].instances.size(), 10u);  // 6 MZIs (4 x 3 / 2) + 4 phase shifters
}

TEST(CircuitVerify, ComponentPorts) {
  circuit::Netlist n = demo_netlist();
  auto mzi = circuit::component_ports(n, default_pdk(), "mzi");
  ASSERT_EQ(mzi.size(), 4u);
  EXPECT_EQ(mzi[0].name, "o1");
  EXPECT_EQ(mzi[3].name, "o4");
  auto layer = circuit::component_ports(n, default_pdk(), "layer0");
  ASSERT_EQ(layer.size(), 16u);
  EXPECT_EQ(layer[0].name, "laser0");
  EXPECT_EQ(layer[0].kind, "optical");
  EXPECT_EQ(layer[2].name, "x0");
  EXPECT_EQ(layer[2].kind, "electrical");
  EXPECT_EQ(holo::test::error_code([&] { circuit::component_ports(n, default_pdk(), "flux_capacitor"); }),
            "CIRCUIT-UNKNOWN-COMPONENT");
}

TEST(CircuitVerify, UnknownComponent) {
  EXPECT_EQ(broken([](auto& n) { find_instance(cell(n, "mesh_v"), "mzi_c1_m1")->component = "mzi_typo"; },
                   {"mesh_v", "mzi_c1_m1", "mzi_typo"}),
            "CIRCUIT-UNKNOWN-COMPONENT");
}

TEST(CircuitVerify, Recursion) {
  // Directly: the top cell contains itself.
  EXPECT_EQ(broken(
                [](auto& n) {
                  cell(n, "top").instances.push_back({"again", "top", {}, -1, -1});
                },
                {"top -> top"}),
            "CIRCUIT-RECURSION");
  // Through the hierarchy: mesh_v -> tile_0_0 -> mesh_v.
  EXPECT_EQ(broken(
                [](auto& n) {
                  cell(n, "mesh_v").instances.push_back({"t", "tile_0_0", {}, -1, -1});
                },
                {"mesh_v -> tile_0_0 -> mesh_v"}),
            "CIRCUIT-RECURSION");
}

TEST(CircuitVerify, Order) {
  // A sub-cell after the cell that uses it.
  EXPECT_EQ(broken([](auto& n) { std::swap(n.cells[0], n.cells[3]); }, {"tile_0_0", "mesh_v"}), "CIRCUIT-ORDER");
  // The top cell not last.
  EXPECT_EQ(broken([](auto& n) { n.cells.push_back(demo_netlist().cells[0]), n.cells.back().name = "spare"; },
                   {"last", "spare"}),
            "CIRCUIT-ORDER");
}

TEST(CircuitVerify, UnknownInstanceAndPort) {
  EXPECT_EQ(broken([](auto& n) { cell(n, "mesh_v").connections[0].b.instance = "ghost"; }, {"mesh_v", "ghost"}),
            "CIRCUIT-UNKNOWN-INSTANCE");
  EXPECT_EQ(broken([](auto& n) { cell(n, "tile_0_0").ports[0].inner.instance = "ghost"; }, {"tile_0_0", "ghost"}),
            "CIRCUIT-UNKNOWN-INSTANCE");
  EXPECT_EQ(broken([](auto& n) { cell(n, "mesh_v").connections[0].a.port = "o9"; }, {"mesh_v", "o9", "o1, o2, o3, o4"}),
            "CIRCUIT-UNKNOWN-PORT");
  // A sub-cell's ports are its cell ports.
  EXPECT_EQ(broken([](auto& n) { cell(n, "tile_0_0").connections[0].a.port = "out7"; }, {"tile_0_0", "out7"}),
            "CIRCUIT-UNKNOWN-PORT");
}

TEST(CircuitVerify, PortReused) {
  // Connected twice.
  EXPECT_EQ(broken([](auto& n) {
              auto& c = cell(n, "mesh_v");
              c.connections.push_back(c.connections[0]);
            }),
            "CIRCUIT-PORT-REUSED");
  // Connected and also exposed.
  EXPECT_EQ(broken(
                [](auto& n) {
                  auto& c = cell(n, "mesh_v");
                  c.ports.push_back({"extra", "optical", c.connections[0].a});
                },
                {"mesh_v"}),
            "CIRCUIT-PORT-REUSED");
  // Connected to itself.
  EXPECT_EQ(broken([](auto& n) {
              auto& c = cell(n, "atten");
              c.ports.pop_back();
              c.connections.push_back({{"att3", "o2"}, {"att3", "o2"}});
            }),
            "CIRCUIT-PORT-REUSED");
}

TEST(CircuitVerify, OpticalPortOpen) {
  EXPECT_EQ(broken([](auto& n) { cell(n, "mesh_u").connections.pop_back(); }, {"mesh_u", "optical port"}),
            "CIRCUIT-PORT-OPEN");
  // An unexposed cell port of a sub-cell instance counts as well.
  EXPECT_EQ(
      broken([](auto& n) { cell(n, "top").ports.erase(cell(n, "top").ports.begin()); }, {"top", "chip", "laser0"}),
      "CIRCUIT-PORT-OPEN");
  // An electrical port may stay open: drop the exposure of a modulator's drive input all the way up.
  circuit::Netlist n = demo_netlist();
  auto drop = [](circuit::Cell& c, const std::string& port) {
    for (size_t i = 0; i < c.ports.size(); ++i)
      if (c.ports[i].name == port) c.ports.erase(c.ports.begin() + static_cast<long>(i));
  };
  drop(cell(n, "layer0"), "x0");
  drop(cell(n, "top"), "x0");
  EXPECT_NO_THROW(circuit::verify(n, default_pdk()));
}

TEST(CircuitVerify, KindMismatch) {
  // A connection from an electrical port to an optical one.
  EXPECT_EQ(broken(
                [](auto& n) {
                  auto& c = cell(n, "layer0");
                  c.instances.push_back({"wg", "waveguide", {}, -1, -1});
                  c.instances.push_back({"dac", "dac", {}, -1, -1});
                  c.connections.push_back({{"dac", "e1"}, {"wg", "o1"}});
                },
                {"layer0", "electrical", "optical"}),
            "CIRCUIT-KIND-MISMATCH");
  // A cell port that says optical but exposes an electrical port.
  EXPECT_EQ(broken([](auto& n) { cell(n, "layer0").ports[2].kind = "optical"; }, {"layer0", "x0"}),
            "CIRCUIT-KIND-MISMATCH");
  // Not a kind at all.
  EXPECT_EQ(broken([](auto& n) { cell(n, "layer0").ports[0].kind = "light"; }, {"layer0", "light"}),
            "CIRCUIT-BAD-KIND");
}

TEST(CircuitVerify, Duplicates) {
  EXPECT_EQ(broken([](auto& n) { cell(n, "atten").instances[1].name = "att0"; }, {"atten", "att0"}),
            "CIRCUIT-DUPLICATE");
  EXPECT_EQ(broken([](auto& n) { cell(n, "atten").ports[1].name = "in0"; }, {"atten", "in0"}), "CIRCUIT-DUPLICATE");
  EXPECT_EQ(broken([](auto& n) { n.cells[1].name = "mesh_v"; }, {"mesh_v"}), "CIRCUIT-DUPLICATE");
  // A cell may not take a template's name: the component of an instance would be ambiguous.
  EXPECT_EQ(broken([](auto& n) { n.cells[0].name = "mzi"; }, {"mzi", "template"}), "CIRCUIT-DUPLICATE");
}

TEST(CircuitVerify, BadSettingAndName) {
  EXPECT_EQ(
      broken([](auto& n) { n.cells[0].instances[2].settings["theta_rad"] = std::nan(""); }, {"mesh_v", "theta_rad"}),
      "CIRCUIT-BAD-SETTING");
  EXPECT_EQ(broken([](auto& n) { n.cells[0].instances[2].settings["phi_rad"] = -INFINITY; }), "CIRCUIT-BAD-SETTING");
  EXPECT_EQ(broken([](auto& n) { n.cells[0].instances[0].column = -2; }, {"mzi_c0_m0"}), "CIRCUIT-BAD-SETTING");
  EXPECT_EQ(broken([](auto& n) { n.cells[0].instances[0].settings["theta rad"] = 1.0; }, {"theta rad"}),
            "CIRCUIT-BAD-NAME");
  EXPECT_EQ(broken([](auto& n) { n.cells[0].instances[0].name = "mzi,0"; }, {"mzi,0"}), "CIRCUIT-BAD-NAME");
  EXPECT_EQ(broken([](auto& n) { n.cells[0].ports[0].name = ""; }, {"mesh_v"}), "CIRCUIT-BAD-NAME");
  EXPECT_EQ(broken([](auto& n) { n.cells[0].name = "N$0"; }), "CIRCUIT-BAD-NAME");
}

TEST(CircuitVerify, NoTop) {
  EXPECT_EQ(broken([](auto& n) { n.top = "chip"; }, {"chip"}), "CIRCUIT-NO-TOP");
  EXPECT_EQ(broken([](auto& n) { n.top.clear(); }), "CIRCUIT-NO-TOP");
  EXPECT_EQ(broken([](auto& n) { n.cells.clear(); }), "CIRCUIT-NO-TOP");
}

TEST(CircuitVerify, TilesCoverTheMatrixExactlyOnce) {
  // Valid: two column blocks of a 4 x 8 matrix; and an irregular cover of 5 x 7.
  circuit::Netlist n = demo_netlist();
  n.stages[0].in_features = 8;
  n.stages[0].tiles.push_back({"tile_0_0", 0, 4, 4, 4, 1.0});
  EXPECT_NO_THROW(circuit::verify(n, default_pdk()));
  n.stages[0].out_features = 5;
  n.stages[0].in_features = 7;
  n.stages[0].tiles = {{"tile_0_0", 3, 2, 0, 7, 1.0}, {"tile_0_0", 0, 3, 4, 3, 1.0}, {"tile_0_0", 0, 3, 0, 4, 1.0}};
  EXPECT_NO_THROW(circuit::verify(n, default_pdk()));

  // Overlap (the same block twice), gap (area short), out of bounds, empty block.
  EXPECT_EQ(broken([](auto& n) { n.stages[0].tiles.push_back(n.stages[0].tiles[0]); }, {"fc1", "overlap"}),
            "CIRCUIT-TILING");
  EXPECT_EQ(broken([](auto& n) { n.stages[0].out_features = 8; }, {"fc1", "cover 16 of the 8 x 4 = 32"}),
            "CIRCUIT-TILING");
  EXPECT_EQ(broken([](auto& n) { n.stages[0].tiles[0].row0 = 2; }, {"fc1", "tiles[0]"}), "CIRCUIT-TILING");
  EXPECT_EQ(broken([](auto& n) { n.stages[0].tiles[0].cols = 0; }), "CIRCUIT-TILING");
  // Overlap with the right total area: [0,2) x [0,1) twice has area 4 = 2 x 2 but leaves column 1 uncovered.
  EXPECT_EQ(broken(
                [](auto& n) {
                  n.stages[0].out_features = 2;
                  n.stages[0].in_features = 2;
                  n.stages[0].tiles = {{"tile_0_0", 0, 2, 0, 1, 1.0}, {"tile_0_0", 0, 2, 0, 1, 1.0}};
                },
                {"overlap"}),
            "CIRCUIT-TILING");
}

TEST(CircuitVerify, StageReferences) {
  EXPECT_EQ(broken([](auto& n) { n.stages[0].layer_cell = "ghost"; }, {"fc1", "ghost"}), "CIRCUIT-UNKNOWN-CELL");
  EXPECT_EQ(broken([](auto& n) { n.stages[0].tiles[0].cell = "ghost"; }, {"fc1", "ghost"}), "CIRCUIT-UNKNOWN-CELL");
  // The tile's cell exists but the layer cell does not hold it.
  EXPECT_EQ(broken([](auto& n) { n.stages[0].tiles[0].cell = "mesh_v"; }, {"mesh_v", "layer0"}), "CIRCUIT-BAD-STAGE");
  EXPECT_EQ(broken([](auto& n) { n.stages[0].layer_cell.clear(); }), "CIRCUIT-BAD-STAGE");
  EXPECT_EQ(broken([](auto& n) { n.stages[0].tiles.clear(); }), "CIRCUIT-BAD-STAGE");
  EXPECT_EQ(broken([](auto& n) { n.stages[0].in_features = 0; }), "CIRCUIT-BAD-STAGE");
  EXPECT_EQ(broken([](auto& n) { n.stages[0].tiles[0].gain = NAN; }), "CIRCUIT-BAD-STAGE");
  EXPECT_EQ(broken([](auto& n) { n.stages[1].domain = "quantum"; }, {"relu1", "quantum"}), "CIRCUIT-BAD-STAGE");
  EXPECT_EQ(broken([](auto& n) { n.stages[1].reason.clear(); }, {"relu1"}), "CIRCUIT-BAD-STAGE");
  EXPECT_EQ(broken([](auto& n) { n.stages[1].tiles = n.stages[0].tiles; }, {"relu1"}), "CIRCUIT-BAD-STAGE");
  EXPECT_EQ(broken([](auto& n) { n.stages[1].positions = 0; }), "CIRCUIT-BAD-STAGE");
  EXPECT_EQ(broken([](auto& n) { n.stages[0].op.clear(); }), "CIRCUIT-BAD-STAGE");
}
