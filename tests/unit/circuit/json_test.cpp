// circuit.json: golden layout of a tiny netlist, byte-identical round trips, exact doubles, and the
// reader's errors naming the JSON path of the bad field.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "demo_netlist.h"
#include "holo/circuit/io.h"
#include "holo/support/file_io.h"
#include "test_support.h"

namespace circuit = holo::circuit;
using holo::test::demo_netlist;
using holo::test::message_of;

namespace {

// Replaces the only occurrence of `from` (the test fails if there is not exactly one).
std::string replace_once(const std::string& text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' not in the text";
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + 1), std::string::npos) << "'" << from << "' occurs more than once";
  return text.substr(0, at) + to + text.substr(at + from.size());
}

void expect_same(const circuit::Netlist& a, const circuit::Netlist& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.pdk, b.pdk);
  EXPECT_EQ(a.top, b.top);
  EXPECT_EQ(a.info, b.info);
  ASSERT_EQ(a.cells.size(), b.cells.size());
  for (size_t i = 0; i < a.cells.size(); ++i) {
    const circuit::Cell &x = a.cells[i], &y = b.cells[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.kind, y.kind);
    EXPECT_EQ(x.info, y.info);
    ASSERT_EQ(x.ports.size(), y.ports.size());
    for (size_t k = 0; k < x.ports.size(); ++k) {
      EXPECT_EQ(x.ports[k].name, y.ports[k].name);
      EXPECT_EQ(x.ports[k].kind, y.ports[k].kind);
      EXPECT_EQ(x.ports[k].inner, y.ports[k].inner);
    }
    ASSERT_EQ(x.instances.size(), y.instances.size());
    for (size_t k = 0; k < x.instances.size(); ++k) {
      EXPECT_EQ(x.instances[k].name, y.instances[k].name);
      EXPECT_EQ(x.instances[k].component, y.instances[k].component);
      EXPECT_EQ(x.instances[k].column, y.instances[k].column);
      EXPECT_EQ(x.instances[k].mode, y.instances[k].mode);
      EXPECT_EQ(x.instances[k].settings, y.instances[k].settings);  // exact: doubles must read back bit for bit
    }
    ASSERT_EQ(x.connections.size(), y.connections.size());
    for (size_t k = 0; k < x.connections.size(); ++k) {
      EXPECT_EQ(x.connections[k].a, y.connections[k].a);
      EXPECT_EQ(x.connections[k].b, y.connections[k].b);
    }
  }
  ASSERT_EQ(a.stages.size(), b.stages.size());
  for (size_t i = 0; i < a.stages.size(); ++i) {
    const circuit::Stage &x = a.stages[i], &y = b.stages[i];
    EXPECT_EQ(x.node, y.node);
    EXPECT_EQ(x.op, y.op);
    EXPECT_EQ(x.domain, y.domain);
    EXPECT_EQ(x.reason, y.reason);
    EXPECT_EQ(x.layer_cell, y.layer_cell);
    EXPECT_EQ(x.out_features, y.out_features);
    EXPECT_EQ(x.in_features, y.in_features);
    EXPECT_EQ(x.positions, y.positions);
    ASSERT_EQ(x.tiles.size(), y.tiles.size());
    for (size_t k = 0; k < x.tiles.size(); ++k) {
      EXPECT_EQ(x.tiles[k].cell, y.tiles[k].cell);
      EXPECT_EQ(x.tiles[k].row0, y.tiles[k].row0);
      EXPECT_EQ(x.tiles[k].rows, y.tiles[k].rows);
      EXPECT_EQ(x.tiles[k].col0, y.tiles[k].col0);
      EXPECT_EQ(x.tiles[k].cols, y.tiles[k].cols);
      EXPECT_EQ(x.tiles[k].gain, y.tiles[k].gain);
    }
  }
}

circuit::Netlist tiny() {
  circuit::Netlist n;
  n.name = "tiny";
  n.pdk = "generic_soi220";
  n.top = "top";
  circuit::Cell c;
  c.name = "top";
  c.kind = "top";
  c.info["note"] = "one MZI";
  c.instances.push_back({"m", "mzi", {{"theta_rad", 0.5}, {"phi_rad", 1.0}}, 0, 0});
  c.instances.push_back({"w", "waveguide", {{"length_um", 1e-05}}, -1, -1});
  c.connections.push_back({{"m", "o3"}, {"w", "o1"}});
  c.ports = {{"in0", "optical", {"m", "o2"}},
             {"in1", "optical", {"m", "o1"}},
             {"out0", "optical", {"w", "o2"}},
             {"out1", "optical", {"m", "o4"}}};
  n.cells.push_back(c);
  n.stages.push_back({"fc", "MatMul", "optical", "", "top", 2, 2, 1, {{"top", 0, 2, 0, 2, 0.25}}});
  return n;
}

}  // namespace

// The documented layout (docs/circuit-json.md): fixed key order, settings sorted by key, one instance /
// connection / port / tile per line, integral doubles with ".0".
TEST(CircuitJson, GoldenLayoutOfATinyNetlist) {
  const char* expected = R"({
  "format": "holo-circuit",
  "version": 1,
  "name": "tiny",
  "pdk": "generic_soi220",
  "top": "top",
  "info": {},
  "cells": [
    {
      "name": "top",
      "kind": "top",
      "info": {"note": "one MZI"},
      "ports": [
        {"name": "in0", "kind": "optical", "inner": ["m", "o2"]},
        {"name": "in1", "kind": "optical", "inner": ["m", "o1"]},
        {"name": "out0", "kind": "optical", "inner": ["w", "o2"]},
        {"name": "out1", "kind": "optical", "inner": ["m", "o4"]}
      ],
      "instances": [
        {"name": "m", "component": "mzi", "column": 0, "mode": 0, "settings": {"phi_rad": 1.0, "theta_rad": 0.5}},
        {"name": "w", "component": "waveguide", "column": -1, "mode": -1, "settings": {"length_um": 1e-05}}
      ],
      "connections": [
        {"a": ["m", "o3"], "b": ["w", "o1"]}
      ]
    }
  ],
  "stages": [
    {
      "node": "fc",
      "op": "MatMul",
      "domain": "optical",
      "reason": "",
      "layer_cell": "top",
      "out_features": 2,
      "in_features": 2,
      "positions": 1,
      "tiles": [
        {"cell": "top", "row0": 0, "rows": 2, "col0": 0, "cols": 2, "gain": 0.25}
      ]
    }
  ]
}
)";
  EXPECT_EQ(circuit::to_json(tiny()), expected);
}

TEST(CircuitJson, RoundTripIsByteIdentical) {
  circuit::Netlist n = demo_netlist();
  std::string text = circuit::to_json(n);
  circuit::Netlist back = circuit::from_json(text, "demo.json");
  expect_same(n, back);
  EXPECT_EQ(circuit::to_json(back), text);
  EXPECT_EQ(circuit::to_json(n), text);  // the writer is a pure function of the netlist
}

TEST(CircuitJson, EmptyNetlistRoundTrips) {
  circuit::Netlist n;
  std::string text = circuit::to_json(n);
  EXPECT_EQ(circuit::to_json(circuit::from_json(text, "empty.json")), text);
}

TEST(CircuitJson, DoublesReadBackBitForBit) {
  circuit::Netlist n = tiny();
  const double values[] = {0.1,
                           1.0 / 3.0,
                           M_PI,
                           -0.0,
                           5e-324,  // smallest denormal
                           2.2250738585072014e-308,
                           std::numeric_limits<double>::max(),
                           -std::numeric_limits<double>::max(),
                           1e21,
                           123456789012345678.0,
                           std::nextafter(1.0, 2.0),
                           -1e-300};
  auto key = [](size_t i) { return std::string("v").append(std::to_string(i)); };
  auto& settings = n.cells[0].instances[0].settings;
  for (size_t i = 0; i < std::size(values); ++i) settings[key(i)] = values[i];
  n.stages[0].tiles[0].gain = 1.0 / 7.0;
  std::string text = circuit::to_json(n);
  circuit::Netlist back = circuit::from_json(text, "doubles.json");
  const auto& got = back.cells[0].instances[0].settings;
  for (size_t i = 0; i < std::size(values); ++i) {
    double g = got.at(key(i));
    EXPECT_EQ(std::memcmp(&g, &values[i], sizeof g), 0) << "v" << i << ": wrote " << values[i] << " read " << g;
  }
  EXPECT_EQ(back.stages[0].tiles[0].gain, 1.0 / 7.0);
  EXPECT_EQ(circuit::to_json(back), text);
}

TEST(CircuitJson, NonFiniteCannotBeWritten) {
  circuit::Netlist n = tiny();
  n.cells[0].instances[0].settings["theta_rad"] = std::nan("");
  std::string msg = message_of([&] { circuit::to_json(n); });
  EXPECT_EQ(holo::test::error_code([&] { circuit::to_json(n); }), "CIRCUIT-BAD-SETTING");
  EXPECT_NE(msg.find("theta_rad"), std::string::npos) << msg;
  n = tiny();
  n.stages[0].tiles[0].gain = INFINITY;
  EXPECT_EQ(holo::test::error_code([&] { circuit::to_json(n); }), "CIRCUIT-BAD-SETTING");
}

TEST(CircuitJson, EscapesStringsAndRejectsInvalidUtf8) {
  circuit::Netlist n = tiny();
  n.info["quote \"and\" backslash \\"] = "line\nbreak\ttab \x01 and \xc2\xb5m";
  std::string text = circuit::to_json(n);
  circuit::Netlist back = circuit::from_json(text, "esc.json");
  EXPECT_EQ(back.info, n.info);
  EXPECT_EQ(circuit::to_json(back), text);
  n.info["bad"] = "\xff\xfe";
  EXPECT_EQ(holo::test::error_code([&] { circuit::to_json(n); }), "CIRCUIT-BAD-NAME");
}

TEST(CircuitJson, ReaderDecodesEscapesAndUnderflow) {
  const std::string text = circuit::to_json(tiny());
  // \u escapes (with a surrogate pair), "\/", and a number below the smallest denormal, which reads as 0.
  std::string edited = replace_once(text, "\"one MZI\"", "\"\\u00b5m \\ud83d\\ude00 a\\/b\"");
  edited = replace_once(edited, "\"theta_rad\": 0.5", "\"theta_rad\": -1e-400");
  circuit::Netlist n = circuit::from_json(edited, "esc.json");
  EXPECT_EQ(n.cells[0].info.at("note"), "\xc2\xb5m \xf0\x9f\x98\x80 a/b");
  double theta = n.cells[0].instances[0].settings.at("theta_rad");
  EXPECT_EQ(theta, 0.0);
  EXPECT_TRUE(std::signbit(theta));
  // Whitespace and field order do not matter to the reader.
  circuit::Netlist m = circuit::from_json(
      " {\"cells\":[{\"kind\":\"top\",\"name\":\"t\"}],\r\n\t\"top\":\"t\",\"pdk\":\"p\",\"name\":\"x\",\"version\":1,"
      "\"format\":\"holo-circuit\"} ",
      "order.json");
  EXPECT_EQ(m.cells.at(0).name, "t");
}

TEST(CircuitJson, OptionalFieldsTakeTheirDefaults) {
  circuit::Netlist n = circuit::from_json(R"({"format": "holo-circuit", "version": 1, "name": "m", "pdk": "p",
      "top": "t", "cells": [{"name": "t", "kind": "top", "instances": [{"name": "a", "component": "mzi"}]}],
      "stages": [{"node": "r", "op": "Relu", "domain": "electronic"}]})",
                                          "min.json");
  ASSERT_EQ(n.cells.size(), 1u);
  EXPECT_TRUE(n.info.empty());
  EXPECT_TRUE(n.cells[0].ports.empty());
  EXPECT_TRUE(n.cells[0].connections.empty());
  EXPECT_EQ(n.cells[0].instances[0].column, -1);
  EXPECT_EQ(n.cells[0].instances[0].mode, -1);
  EXPECT_TRUE(n.cells[0].instances[0].settings.empty());
  EXPECT_EQ(n.stages[0].positions, 1);
  EXPECT_TRUE(n.stages[0].tiles.empty());
}

TEST(CircuitJson, InvalidJsonIsParseError) {
  std::string text = circuit::to_json(demo_netlist());
  EXPECT_EQ(holo::test::error_code([&] { circuit::from_json(text.substr(0, text.size() / 2), "cut.json"); }),
            "CIRCUIT-PARSE");
  EXPECT_EQ(holo::test::error_code([&] { circuit::from_json("", "empty.json"); }), "CIRCUIT-PARSE");
  std::string msg = message_of([&] { circuit::from_json("{\"format\": }", "bad.json"); });
  EXPECT_NE(msg.find("bad.json"), std::string::npos) << msg;
  // Syntax the reader must reject: trailing text, leading zeros, a raw control character or invalid UTF-8
  // in a string, a lone UTF-16 surrogate, a missing comma.
  const std::string tiny_text = circuit::to_json(tiny());
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"stages\"", "\"stages\""},  // unchanged text plus trailing garbage, below
           {"\"column\": 0", "\"column\": 00"},
           {"\"one MZI\"", "\"one\tMZI\""},
           {"\"one MZI\"", "\"one \xff MZI\""},
           {"\"one MZI\"", "\"one \\ud800 MZI\""},
           {"\"one MZI\"", "\"one \\q MZI\""},
           {"\"mode\": 0, ", "\"mode\": 0 "},
           {"\"gain\": 0.25", "\"gain\": 0.25e"},
           {"\"gain\": 0.25", "\"gain\": .25"}}) {
    std::string bad = replace_once(tiny_text, from, to);
    if (from == to) bad += "x";
    EXPECT_EQ(holo::test::error_code([&] { circuit::from_json(bad, "bad.json"); }), "CIRCUIT-PARSE") << to;
  }
  std::string where = message_of([&] { circuit::from_json(tiny_text + "}", "bad.json"); });
  std::string line = "line " + std::to_string(std::count(tiny_text.begin(), tiny_text.end(), '\n') + 1) + ", column 1";
  EXPECT_NE(where.find(line), std::string::npos) << "syntax errors give line and column: " << where;
}

// Each edit of valid text must fail with CIRCUIT-SCHEMA and a message naming the JSON path.
TEST(CircuitJson, SchemaErrorsNameTheJsonPath) {
  const std::string text = circuit::to_json(tiny());
  struct Case {
    std::string from, to, path;
  };
  const Case cases[] = {
      {"\"format\": \"holo-circuit\"", "\"format\": \"holo-pdk\"", "$.format"},
      {"\"version\": 1", "\"version\": 2", "$.version"},
      {"\"version\": 1", "\"version\": \"1\"", "$.version"},
      {"\"top\": \"top\",", "", "$.top"},
      {"\"info\": {}", "\"info\": {\"x\": 3}", "$.info.x"},
      {"\"column\": 0", "\"column\": \"0\"", "$.cells[0].instances[0].column"},
      {"\"column\": 0", "\"column\": 0.5", "$.cells[0].instances[0].column"},
      {"\"mode\": 0", "\"mode\": 4294967296", "$.cells[0].instances[0].mode"},
      {"\"component\": \"mzi\", ", "", "$.cells[0].instances[0].component"},
      {"\"component\": \"mzi\", ", "\"colour\": 1, \"component\": \"mzi\", ", "$.cells[0].instances[0].colour"},
      {"\"phi_rad\": 1.0", "\"phi rad\": \"one\"", "$.cells[0].instances[0].settings[\"phi rad\"]"},
      {"\"phi_rad\": 1.0", "\"phi_rad\": 1e999", "$.cells[0].instances[0].settings.phi_rad"},
      {"\"phi_rad\": 1.0", "\"phi_rad\": 1.0, \"phi_rad\": 2.0", "$.cells[0].instances[0].settings.phi_rad"},
      {"\"name\": \"tiny\",", "\"name\": \"tiny\", \"name\": \"again\",", "$.name"},
      {"\"inner\": [\"m\", \"o2\"]", "\"inner\": [\"m\"]", "$.cells[0].ports[0].inner"},
      {"\"inner\": [\"m\", \"o2\"]", "\"inner\": [\"m\", \"o2\", \"o3\"]", "$.cells[0].ports[0].inner"},
      {"\"gain\": 0.25", "\"gain\": true", "$.stages[0].tiles[0].gain"},
      {"\"inner\": [\"m\", \"o2\"]", "\"inner\": \"m,o2\"", "$.cells[0].ports[0].inner"},
      {"\"inner\": [\"m\", \"o2\"]", "\"inner\": [\"m\", 2]", "$.cells[0].ports[0].inner[1]"},
      {"{\"a\": [\"m\", \"o3\"], ", "{\"z\": [\"m\", \"o3\"], ", "$.cells[0].connections[0].z"},
      {"\"settings\": {\"length_um\": 1e-05}", "\"settings\": [1e-05]", "$.cells[0].instances[1].settings"},
      {"\"row0\": 0", "\"row0\": -1", "$.stages[0].tiles[0].row0"},
      {"\"gain\": 0.25", "\"gain\": null", "$.stages[0].tiles[0].gain"},
      {"\"positions\": 1", "\"positions\": 0", "$.stages[0].positions"},
      {"\"domain\": \"optical\",", "\"domain\": [],", "$.stages[0].domain"},
  };
  for (const Case& c : cases) {
    std::string bad = replace_once(text, c.from, c.to);
    std::string msg = message_of([&] { circuit::from_json(bad, "edited.json"); });
    EXPECT_EQ(holo::test::error_code([&] { circuit::from_json(bad, "edited.json"); }), "CIRCUIT-SCHEMA")
        << c.to << ": " << msg;
    EXPECT_NE(msg.find("edited.json: " + c.path + ":"), std::string::npos)
        << "expected path " << c.path << " in: " << msg;
  }
}

TEST(CircuitJson, ReadNetlistFromFile) {
  std::filesystem::path dir = std::filesystem::path(holo::test::binary_dir()) / "circuit_test_tmp";
  std::filesystem::create_directories(dir);
  std::string path = (dir / "demo.json").string();
  circuit::Netlist n = demo_netlist();
  holo::write_file_atomic(path, circuit::to_json(n));
  expect_same(n, circuit::read_netlist(path));
  EXPECT_EQ(holo::test::error_code([&] { circuit::read_netlist((dir / "missing.json").string()); }), "FILE-NOT-FOUND");
  std::string msg = message_of([&] {
    holo::write_file_atomic(path, "{\"format\": \"holo-circuit\"}");
    circuit::read_netlist(path);
  });
  EXPECT_NE(msg.find(path), std::string::npos) << "the message names the file: " << msg;
}

namespace {

circuit::Netlist with_thermal_sites() {
  circuit::Netlist n = demo_netlist();
  circuit::ThermalSite theta;
  theta.part = "vh";
  theta.index = 3;
  theta.shifter = circuit::Shifter::Theta;
  theta.heater = {10.0, 71.6, -20.0};
  theta.arm = {5.0, 76.6, -20.0};
  theta.has_other_arm = true;
  theta.other_arm = {5.0, 76.6, -40.0};
  theta.power_mw = 12.5;
  theta.turns = 1;
  theta.target_rad = 0.1;
  circuit::ThermalSite screen;
  screen.part = "u";
  screen.index = 0;
  screen.shifter = circuit::Shifter::Screen;
  screen.heater = {1.0, 2.0, 0.0};
  screen.arm = {0.5, 2.5, 0.0};
  circuit::ThermalSite att = theta;
  att.part = "att";
  att.index = 0;
  att.phi_offset_rad = -0.25;
  n.thermal_sites["t0"] = {theta, screen, att};
  return n;
}

}  // namespace

// The heater sites the layout records (circuit/thermal_sites.h, docs/circuit-json.md "Thermal sites").
TEST(CircuitJson, ThermalSitesRoundTrip) {
  const circuit::Netlist n = with_thermal_sites();
  const std::string text = circuit::to_json(n);
  const circuit::Netlist back = circuit::from_json(text, "sites.json");
  EXPECT_EQ(back.thermal_sites, n.thermal_sites);
  EXPECT_EQ(circuit::to_json(back), text);
  EXPECT_EQ(circuit::site_instance(n.thermal_sites.at("t0")[0]), "vh/mzi3");
  EXPECT_EQ(circuit::site_instance(n.thermal_sites.at("t0")[1]), "u/ps0");
  EXPECT_EQ(circuit::site_instance(n.thermal_sites.at("t0")[2]), "att/a0");
  EXPECT_EQ(circuit::to_json(demo_netlist()).find("thermal_sites"), std::string::npos);  // none: not written
}

TEST(CircuitJson, BadThermalSitesAreSchemaErrors) {
  const std::string text = circuit::to_json(with_thermal_sites());
  auto bad = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    const size_t at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    t.replace(at, from.size(), to);
    return holo::test::error_code([&] { circuit::from_json(t, "bad.json"); });
  };
  EXPECT_EQ(bad("\"shifter\": \"theta\"", "\"shifter\": \"gamma\""), "CIRCUIT-SCHEMA");
  EXPECT_EQ(bad("\"part\": \"vh\"", "\"part\": \"vx\""), "CIRCUIT-SCHEMA");
  EXPECT_EQ(bad("\"heater_um\": [10.0, 71.6, -20.0]", "\"heater_um\": [71.6, 10.0, -20.0]"), "CIRCUIT-SCHEMA");
  EXPECT_EQ(bad("\"heater_um\": [10.0, 71.6, -20.0]", "\"heater_um\": [10.0, 71.6]"), "CIRCUIT-SCHEMA");
  EXPECT_EQ(bad("\"power_mw\": 12.5", "\"power_mw\": -1"), "CIRCUIT-SCHEMA");
  EXPECT_EQ(bad("\"index\": 3", "\"index\": -3"), "CIRCUIT-SCHEMA");
  EXPECT_EQ(bad("{\"tile\": \"t0\", ", "{\"tile\": \"t0\", \"extra\": 1, "), "CIRCUIT-SCHEMA");
}
