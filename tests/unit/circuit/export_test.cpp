// Interop exporters: the gdsfactory YAML is read back by PyYAML (an independent parser) and must hold every
// instance, setting, placement, connection and port; the SPICE netlist has one .subckt per cell with every
// instance's nets in its component's port order and one net per connection.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "demo_netlist.h"
#include "holo/circuit/io.h"
#include "holo/circuit/verify.h"
#include "holo/support/file_io.h"
#include "test_support.h"

namespace circuit = holo::circuit;
using holo::test::cell;
using holo::test::demo_netlist;
using nlohmann::json;

namespace {

std::string temp_path(const std::string& name) {
  std::filesystem::path dir = std::filesystem::path(holo::test::binary_dir()) / "circuit_test_tmp";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// Parses YAML with PyYAML (Debian's python3-yaml) and returns the documents as JSON.
json python_yaml_load_all(const std::string& yaml, const std::string& name) {
  std::string path = temp_path(name);
  holo::write_file_atomic(path, yaml);
  std::string cmd =
      "/usr/bin/python3 -c 'import sys, yaml, json; "
      "print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1], encoding=\"utf-8\")))))' '" +
      path + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run python3");
  std::string out;
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, got);
  int rc = pclose(p);
  if (rc != 0) throw std::runtime_error("PyYAML could not read " + path + ": " + out);
  return json::parse(out);
}

std::vector<std::string> split_ws(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The SPICE text of one .subckt: its header tokens and its instance lines by instance name.
struct Subckt {
  std::vector<std::string> header;
  std::map<std::string, std::vector<std::string>> x;  // "name" (without X) -> tokens after it
  std::vector<std::string> order;
};

std::vector<Subckt> parse_spice(const std::string& text, std::vector<std::string>* trailer) {
  std::vector<Subckt> out;
  bool inside = false;
  for (const std::string& l : lines_of(text)) {
    if (l.empty() || l[0] == '*') continue;
    auto tok = split_ws(l);
    if (tok[0] == ".subckt") {
      EXPECT_FALSE(inside) << "nested .subckt";
      inside = true;
      out.push_back({std::vector<std::string>(tok.begin() + 1, tok.end()), {}, {}});
    } else if (tok[0] == ".ends") {
      EXPECT_TRUE(inside);
      EXPECT_EQ(tok.size(), 2u);
      EXPECT_EQ(tok[1], out.back().header[0]) << ".ends names its .subckt";
      inside = false;
    } else if (tok[0][0] == 'X' && inside) {
      std::string name = tok[0].substr(1);
      EXPECT_FALSE(out.back().x.count(name)) << "instance line twice: " << name;
      out.back().x[name] = std::vector<std::string>(tok.begin() + 1, tok.end());
      out.back().order.push_back(name);
    } else {
      trailer->push_back(l);
    }
  }
  EXPECT_FALSE(inside) << "unterminated .subckt";
  return out;
}

}  // namespace

TEST(CircuitYaml, PyYamlReadsEveryInstanceConnectionAndPort) {
  circuit::Netlist n = demo_netlist();
  std::string yml = circuit::to_pic_yml(n);
  json docs = python_yaml_load_all(yml, "demo.pic.yml");
  ASSERT_TRUE(docs.is_array());
  ASSERT_EQ(docs.size(), n.cells.size()) << "one document per cell";
  const circuit::PicYmlOptions pitch;
  for (size_t i = 0; i < n.cells.size(); ++i) {
    const circuit::Cell& c = n.cells[i];
    const json& d = docs[i];
    SCOPED_TRACE(c.name);
    EXPECT_EQ(d.at("name"), c.name) << "cells in netlist order, top last";
    EXPECT_EQ(d.at("info").at("kind"), c.kind);
    EXPECT_EQ(d.at("info").at("pdk"), n.pdk);
    for (const auto& [k, v] : c.info) EXPECT_EQ(d.at("info").at("metadata").at(k), v);
    // Every key is one gdsfactory knows.
    static const std::set<std::string> valid{"name",     "instances", "placements",    "connections", "nets",
                                             "ports",    "routes",    "settings",      "info",        "pdk",
                                             "warnings", "schema",    "schema_version"};
    for (auto it = d.begin(); it != d.end(); ++it) EXPECT_TRUE(valid.count(it.key())) << it.key();

    ASSERT_EQ(d.at("instances").size(), c.instances.size());
    size_t placed = 0;
    for (const circuit::Instance& inst : c.instances) {
      const json& di = d.at("instances").at(inst.name);
      EXPECT_EQ(di.at("component"), inst.component);
      EXPECT_EQ(di.contains("settings"), !inst.settings.empty());
      for (const auto& [k, v] : inst.settings)
        EXPECT_EQ(di.at("settings").at(k).get<double>(), v) << k;  // exact: shortest round-trip digits
      if (inst.column >= 0 && inst.mode >= 0) {
        ++placed;
        const json& pl = d.at("placements").at(inst.name);
        EXPECT_EQ(pl.at("x").get<double>(), inst.column * pitch.column_pitch_um);
        EXPECT_EQ(pl.at("y").get<double>(), -inst.mode * pitch.mode_pitch_um);
      }
    }
    EXPECT_EQ(d.contains("placements") ? d.at("placements").size() : 0u, placed);
    ASSERT_EQ(d.contains("connections") ? d.at("connections").size() : 0u, c.connections.size());
    for (const circuit::Connection& con : c.connections)
      EXPECT_EQ(d.at("connections").at(con.a.instance + "," + con.a.port), con.b.instance + "," + con.b.port);
    ASSERT_EQ(d.at("ports").size(), c.ports.size());
    for (const circuit::CellPort& p : c.ports)
      EXPECT_EQ(d.at("ports").at(p.name), p.inner.instance + "," + p.inner.port);
  }
  // The mesh cells are placed on the logical grid (MZIs and the phase screen): 6 MZIs + 4 shifters each.
  EXPECT_EQ(docs[0].at("placements").size(), 10u);
  EXPECT_EQ(circuit::to_pic_yml(n), yml) << "deterministic";
}

TEST(CircuitYaml, PitchOptionMovesPlacements) {
  circuit::Netlist n = demo_netlist();
  json docs = python_yaml_load_all(circuit::to_pic_yml(n, {127.0, 2.5}), "pitch.pic.yml");
  const json& pl = docs[0].at("placements").at("mzi_c3_m1");
  EXPECT_EQ(pl.at("x").get<double>(), 3 * 127.0);
  EXPECT_EQ(pl.at("y").get<double>(), -2.5);
}

// Strings that YAML would misread unquoted (booleans, numbers, ':' and '#', quotes, control characters,
// non-ASCII) come back from PyYAML unchanged; numbers keep their type and exact value.
TEST(CircuitYaml, QuotesWhatYamlWouldMisread) {
  circuit::Netlist n;
  n.name = "quoting";
  n.pdk = "p";
  n.top = "yes";
  circuit::Cell c;
  c.name = "yes";
  c.kind = "top";
  c.info = {{"colon", "a: b # c"},
            {"quote", "say \"hi\" \\ 'x'"},
            {"newline", "l1\nl2\ttab\x01"},
            {"number", "1e3"},
            {"bool", "off"},
            {"null", "~"},
            {"unicode", "\xc2\xb5m"},
            {"empty", ""},
            {"lead", " space"},
            {"dash", "- item"}};
  c.instances.push_back({"1st", "Null", {{"tiny", 1e-05}, {"int", 3.0}, {"big", 1e300}, {"neg", -0.5}}, 0, 0});
  c.instances.push_back({"on", "True", {}, 2, 1});
  c.connections.push_back({{"1st", "o:1"}, {"on", "#2"}});
  c.ports.push_back({"No", "optical", {"on", "o1"}});
  n.cells.push_back(c);
  json d = python_yaml_load_all(circuit::to_pic_yml(n), "quoting.pic.yml").at(0);
  EXPECT_EQ(d.at("name"), "yes");
  for (const auto& [k, v] : c.info) EXPECT_EQ(d.at("info").at("metadata").at(k), v) << k;
  EXPECT_EQ(d.at("instances").at("1st").at("component"), "Null");
  EXPECT_EQ(d.at("instances").at("on").at("component"), "True");
  const json& s = d.at("instances").at("1st").at("settings");
  EXPECT_TRUE(s.at("tiny").is_number_float());
  EXPECT_EQ(s.at("tiny").get<double>(), 1e-05);
  EXPECT_TRUE(s.at("int").is_number_float());
  EXPECT_EQ(s.at("int").get<double>(), 3.0);
  EXPECT_EQ(s.at("big").get<double>(), 1e300);
  EXPECT_EQ(s.at("neg").get<double>(), -0.5);
  EXPECT_EQ(d.at("connections").at("1st,o:1"), "on,#2");
  EXPECT_EQ(d.at("ports").at("No"), "on,o1");
  EXPECT_EQ(d.at("placements").at("on").at("x").get<double>(), 400.0);
}

TEST(CircuitSpice, OneSubcktPerCellWithNetsInPdkPortOrder) {
  circuit::Netlist n = demo_netlist();
  const holo::pdk::Pdk& pdk = holo::test::default_pdk();
  std::string text = circuit::to_spice(n, pdk);
  std::vector<std::string> trailer;
  std::vector<Subckt> subs = parse_spice(text, &trailer);
  ASSERT_EQ(subs.size(), n.cells.size());
  for (size_t i = 0; i < n.cells.size(); ++i) {
    const circuit::Cell& c = n.cells[i];
    const Subckt& s = subs[i];
    SCOPED_TRACE(c.name);
    ASSERT_FALSE(s.header.empty());
    EXPECT_EQ(s.header[0], c.name) << "cells in netlist order, top last";
    ASSERT_EQ(s.header.size(), c.ports.size() + 1);
    for (size_t k = 0; k < c.ports.size(); ++k) EXPECT_EQ(s.header[k + 1], c.ports[k].name);

    // Each instance: nets in its component's port order, then the component, then settings.
    std::map<std::pair<std::string, std::string>, std::string> net_of;  // (instance, port) -> net
    std::map<std::string, int> uses;
    ASSERT_EQ(s.order.size(), c.instances.size());
    for (size_t k = 0; k < c.instances.size(); ++k) {
      const circuit::Instance& inst = c.instances[k];
      EXPECT_EQ(s.order[k], inst.name) << "instances in order";
      auto ports = circuit::component_ports(n, pdk, inst.component);
      const std::vector<std::string>& tok = s.x.at(inst.name);
      ASSERT_EQ(tok.size(), ports.size() + 1 + inst.settings.size()) << inst.name;
      for (size_t p = 0; p < ports.size(); ++p) {
        net_of[{inst.name, ports[p].name}] = tok[p];
        ++uses[tok[p]];
      }
      EXPECT_EQ(tok[ports.size()], inst.component);
      size_t p = ports.size() + 1;
      for (const auto& [key, value] : inst.settings) {
        std::string kv = tok[p++];
        ASSERT_EQ(kv.substr(0, key.size() + 1), key + "=");
        EXPECT_EQ(std::stod(kv.substr(key.size() + 1)), value) << kv;  // exact: shortest round-trip digits
      }
    }
    // A cell port is the net of the port it exposes; each connection is one net N$<k> joining exactly
    // its two ends; everything else is its own NC$ net.
    for (const circuit::CellPort& cp : c.ports) {
      EXPECT_EQ(net_of.at({cp.inner.instance, cp.inner.port}), cp.name);
      EXPECT_EQ(uses[cp.name], 1);
    }
    for (size_t k = 0; k < c.connections.size(); ++k) {
      const circuit::Connection& con = c.connections[k];
      std::string want = "N$" + std::to_string(k);
      EXPECT_EQ(net_of.at({con.a.instance, con.a.port}), want);
      EXPECT_EQ(net_of.at({con.b.instance, con.b.port}), want);
      EXPECT_EQ(uses[want], 2);
    }
    for (const auto& [net, count] : uses) {
      if (net.rfind("NC$", 0) == 0) {
        EXPECT_EQ(count, 1) << net;
      }
    }
  }
  // The first MZI of the V mesh: o1 = mode 1 in, o2 = mode 0 in (netlist.h port convention).
  const auto& mzi = subs[0].x.at("mzi_c0_m0");
  EXPECT_EQ(mzi[0], "in1");
  EXPECT_EQ(mzi[1], "in0");
  EXPECT_EQ(mzi[4], "mzi");
  // A phase shifter's heater ports are open: NC nets after the optical ones.
  const auto& ps = subs[0].x.at("ps0");
  EXPECT_EQ(ps[2].rfind("NC$", 0), 0u);
  EXPECT_EQ(ps[3].rfind("NC$", 0), 0u);
  EXPECT_EQ(ps[4], "phase_shifter");
  // After the cells: the top cell instantiated once on its own ports, and .end.
  ASSERT_EQ(trailer.size(), 2u);
  auto top = split_ws(trailer[0]);
  EXPECT_EQ(top.front(), "Xtop");
  EXPECT_EQ(top.back(), "top");
  EXPECT_EQ(top.size(), n.cells.back().ports.size() + 2);
  EXPECT_EQ(trailer[1], ".end");
  EXPECT_EQ(circuit::to_spice(n, pdk), text) << "deterministic";
}

TEST(CircuitSpice, WithoutPdkListsTheUsedPortsInNaturalOrder) {
  circuit::Netlist n = demo_netlist();
  std::vector<std::string> trailer;
  std::vector<Subckt> subs = parse_spice(circuit::to_spice(n), &trailer);
  ASSERT_EQ(subs.size(), n.cells.size());
  // The MZI's four ports are all used, in o1..o4 order; the phase shifter's heater ports never appear.
  EXPECT_EQ(subs[0].x.at("mzi_c0_m0")[0], "in1");
  EXPECT_EQ(subs[0].x.at("mzi_c0_m0")[4], "mzi");
  EXPECT_EQ(subs[0].x.at("ps0")[2], "phase_shifter");
  // Electrical ports (e*) come before optical ones (o*), as in INTERCONNECT's convention.
  const auto& mod = subs[4].x.at("mod0");
  ASSERT_GE(mod.size(), 4u);
  EXPECT_EQ(mod[0], "x0");
  EXPECT_EQ(mod[1], "laser0");
  EXPECT_EQ(mod[3], "modulator");
  // Sub-cells list their ports in the cell's order.
  EXPECT_EQ(subs[3].x.at("v").size(), 8u + 1u);
}
