// Netlist verifier. Checks run in a fixed order (names, top, components, hierarchy, ports, stages) and
// the first problem found is thrown, naming the cell, instance and port (or stage and tile) it concerns.
#include "holo/circuit/verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "holo/support/error.h"

namespace holo::circuit {
namespace {

// Names end up as YAML keys, SPICE tokens and "inst,port" references: keep them to a safe set.
bool valid_name(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
          c == '-' || c == '/' || c == ':'))
      return false;
  return true;
}

// `where` is called only on failure: the verifier runs over millions of instances.
template <class Where>
void check_name(const std::string& s, Where where) {
  if (!valid_name(s))
    fail("CIRCUIT-BAD-NAME",
         fmt::format("{}: name '{}' is empty or has a character outside A-Z a-z 0-9 _ . - / :", where(), s));
}

std::string port_list(const std::vector<pdk::Port>& ports) {
  std::string s;
  for (const pdk::Port& p : ports) s += (s.empty() ? "" : ", ") + p.name;
  return s.empty() ? "none" : s;
}

class Verifier {
 public:
  Verifier(const Netlist& n, const pdk::Pdk& pdk) : n_(n), pdk_(pdk) {}

  void run() {
    names();
    top();
    components();
    hierarchy();
    for (size_t ci = 0; ci < n_.cells.size(); ++ci) ports(n_.cells[ci]);
    for (size_t si = 0; si < n_.stages.size(); ++si) stage(n_.stages[si], si);
  }

 private:
  void names() {
    std::unordered_set<std::string> cell_names;
    for (const Cell& c : n_.cells) {
      check_name(c.name, [] { return std::string("cell"); });
      if (!cell_names.insert(c.name).second)
        fail("CIRCUIT-DUPLICATE", fmt::format("netlist '{}': two cells are named '{}'", n_.name, c.name));
      if (pdk_.templates.count(c.name))
        fail("CIRCUIT-DUPLICATE",
             fmt::format("cell '{}' has the name of a template of PDK '{}': instances would be ambiguous", c.name,
                         pdk_.name));
      std::unordered_set<std::string> inst_names, port_names;
      for (const Instance& inst : c.instances) {
        check_name(inst.name, [&] { return fmt::format("cell '{}' instance", c.name); });
        if (!inst_names.insert(inst.name).second)
          fail("CIRCUIT-DUPLICATE", fmt::format("cell '{}': two instances are named '{}'", c.name, inst.name));
        for (const auto& [key, value] : inst.settings) {
          check_name(key, [&] { return fmt::format("cell '{}' instance '{}' setting", c.name, inst.name); });
          if (!std::isfinite(value))
            fail("CIRCUIT-BAD-SETTING", fmt::format("cell '{}' instance '{}': setting '{}' is {}, expected a finite "
                                                    "number",
                                                    c.name, inst.name, key, value));
        }
        if (inst.column < -1 || inst.mode < -1)
          fail("CIRCUIT-BAD-SETTING",
               fmt::format("cell '{}' instance '{}': placement column {} mode {}; expected -1 (unplaced) or >= 0",
                           c.name, inst.name, inst.column, inst.mode));
      }
      for (const CellPort& p : c.ports) {
        check_name(p.name, [&] { return fmt::format("cell '{}' port", c.name); });
        if (!port_names.insert(p.name).second)
          fail("CIRCUIT-DUPLICATE", fmt::format("cell '{}': two ports are named '{}'", c.name, p.name));
        if (p.kind != "optical" && p.kind != "electrical")
          fail("CIRCUIT-BAD-KIND",
               fmt::format("cell '{}' port '{}': kind '{}', expected optical or electrical", c.name, p.name, p.kind));
      }
    }
  }

  void top() {
    if (n_.top.empty()) fail("CIRCUIT-NO-TOP", fmt::format("netlist '{}' names no top cell", n_.name));
    if (!n_.find_cell(n_.top))
      fail("CIRCUIT-NO-TOP", fmt::format("netlist '{}': the top cell '{}' is not one of its cells", n_.name, n_.top));
  }

  // Every instance's component resolves; the port lists are cached per component.
  void components() {
    for (const Cell& c : n_.cells)
      for (const Instance& inst : c.instances) {
        if (ports_.count(inst.component)) continue;
        if (!n_.find_cell(inst.component) && !pdk_.templates.count(inst.component))
          fail("CIRCUIT-UNKNOWN-COMPONENT",
               fmt::format("cell '{}' instance '{}': component '{}' is neither a template of PDK '{}' nor a cell",
                           c.name, inst.name, inst.component, pdk_.name));
        ports_.emplace(inst.component, component_ports(n_, pdk_, inst.component));
      }
  }

  // No cell contains itself (directly or through sub-cells); sub-cells come before the cells using them
  // and the top cell is last (the documented netlist order).
  void hierarchy() {
    std::unordered_map<std::string, size_t> index;
    for (size_t i = 0; i < n_.cells.size(); ++i) index.emplace(n_.cells[i].name, i);
    std::vector<int> state(n_.cells.size(), 0);  // 0 new, 1 on the stack, 2 done
    std::vector<std::string> stack;
    std::function<void(size_t)> visit = [&](size_t i) {
      state[i] = 1;
      stack.push_back(n_.cells[i].name);
      for (const Instance& inst : n_.cells[i].instances) {
        auto it = index.find(inst.component);
        if (it == index.end()) continue;
        if (state[it->second] == 1) {
          auto from = std::find(stack.begin(), stack.end(), inst.component);
          std::string cycle;
          for (auto s = from; s != stack.end(); ++s) cycle += *s + " -> ";
          fail("CIRCUIT-RECURSION",
               fmt::format("cell '{}' contains itself: {}{}", inst.component, cycle, inst.component));
        }
        if (state[it->second] == 0) visit(it->second);
      }
      stack.pop_back();
      state[i] = 2;
    };
    for (size_t i = 0; i < n_.cells.size(); ++i)
      if (state[i] == 0) visit(i);

    for (size_t i = 0; i < n_.cells.size(); ++i)
      for (const Instance& inst : n_.cells[i].instances) {
        auto it = index.find(inst.component);
        if (it != index.end() && it->second > i)
          fail("CIRCUIT-ORDER", fmt::format("cell '{}' (cells[{}]) instantiates cell '{}' (cells[{}]), which must "
                                            "come before it (leaves first)",
                                            n_.cells[i].name, i, inst.component, it->second));
      }
    if (n_.cells.back().name != n_.top)
      fail("CIRCUIT-ORDER", fmt::format("netlist '{}': the top cell '{}' must be the last cell, found '{}'", n_.name,
                                        n_.top, n_.cells.back().name));
  }

  // Every instance port is used exactly once (connected or exposed), optical ports at least once,
  // the ends of a connection and an exposed port and its inner port have the same kind.
  void ports(const Cell& c) {
    std::unordered_map<std::string, size_t> inst_index;
    for (size_t i = 0; i < c.instances.size(); ++i) inst_index.emplace(c.instances[i].name, i);
    std::vector<std::vector<int>> uses(c.instances.size());
    for (size_t i = 0; i < c.instances.size(); ++i) uses[i].assign(ports_.at(c.instances[i].component).size(), 0);

    // Resolves a reference; returns the port and counts one use of it. `where` describes the reference
    // (only called to build an error message).
    auto use = [&](const PortRef& r, auto where) -> const pdk::Port& {
      auto it = inst_index.find(r.instance);
      if (it == inst_index.end())
        fail("CIRCUIT-UNKNOWN-INSTANCE", fmt::format("cell '{}' {}: no instance '{}'", c.name, where(), r.instance));
      const Instance& inst = c.instances[it->second];
      const std::vector<pdk::Port>& ports = ports_.at(inst.component);
      for (size_t k = 0; k < ports.size(); ++k)
        if (ports[k].name == r.port) {
          if (++uses[it->second][k] > 1)
            fail("CIRCUIT-PORT-REUSED",
                 fmt::format("cell '{}' {}: port '{}' of instance '{}' is already connected or exposed", c.name,
                             where(), r.port, r.instance));
          return ports[k];
        }
      fail("CIRCUIT-UNKNOWN-PORT", fmt::format("cell '{}' {}: instance '{}' ({}) has no port '{}' (its ports: {})",
                                               c.name, where(), r.instance, inst.component, r.port, port_list(ports)));
    };

    for (const CellPort& p : c.ports) {
      const pdk::Port& inner = use(p.inner, [&] { return fmt::format("port '{}'", p.name); });
      if (inner.kind != p.kind)
        fail("CIRCUIT-KIND-MISMATCH",
             fmt::format("cell '{}' port '{}' is {} but exposes the {} port '{}' of instance '{}'", c.name, p.name,
                         p.kind, inner.kind, p.inner.port, p.inner.instance));
    }
    for (size_t k = 0; k < c.connections.size(); ++k) {
      const Connection& con = c.connections[k];
      auto where = [&] {
        return fmt::format("connection {} ({},{} - {},{})", k, con.a.instance, con.a.port, con.b.instance, con.b.port);
      };
      const pdk::Port& a = use(con.a, where);
      const pdk::Port& b = use(con.b, where);
      if (a.kind != b.kind)
        fail("CIRCUIT-KIND-MISMATCH",
             fmt::format("cell '{}' {}: connects an {} port to an {} port", c.name, where(), a.kind, b.kind));
    }
    for (size_t i = 0; i < c.instances.size(); ++i) {
      const std::vector<pdk::Port>& ports = ports_.at(c.instances[i].component);
      for (size_t k = 0; k < ports.size(); ++k)
        if (uses[i][k] == 0 && ports[k].kind == "optical")
          fail("CIRCUIT-PORT-OPEN",
               fmt::format("cell '{}' instance '{}' ({}): optical port '{}' is neither connected nor exposed", c.name,
                           c.instances[i].name, c.instances[i].component, ports[k].name));
    }
  }

  void stage(const Stage& s, size_t si) {
    std::string at = fmt::format("stage {} ('{}', {})", si, s.node, s.op);
    auto bad = [&](const std::string& msg) { fail("CIRCUIT-BAD-STAGE", at + ": " + msg); };
    if (s.op.empty()) bad("no op");
    if (s.domain != "optical" && s.domain != "electronic" && s.domain != "optical_activation")
      bad(fmt::format("domain '{}', expected optical, electronic or optical_activation", s.domain));
    if (s.positions < 1) bad(fmt::format("positions {}, expected >= 1", s.positions));
    if (!s.layer_cell.empty() && !n_.find_cell(s.layer_cell))
      fail("CIRCUIT-UNKNOWN-CELL", fmt::format("{}: layer cell '{}' is not a cell of the netlist", at, s.layer_cell));
    if (s.domain != "optical") {
      if (!s.tiles.empty()) bad("only optical stages have tiles");
      if (s.domain == "electronic" && s.reason.empty()) bad("an electronic stage says why light does not do it");
      return;
    }
    if (s.layer_cell.empty()) bad("an optical stage names its layer cell");
    if (s.out_features < 1 || s.in_features < 1)
      bad(fmt::format("weight matrix {} x {}, expected positive sizes", s.out_features, s.in_features));
    if (s.tiles.empty()) bad("an optical stage has at least one tile");

    const Cell& layer = *n_.find_cell(s.layer_cell);
    std::unordered_set<std::string> held;
    for (const Instance& inst : layer.instances) held.insert(inst.component);
    // Exact cover: every tile inside the matrix, no two overlapping, areas summing to out x in. Disjoint
    // tiles inside the matrix cannot sum past out x in, so only that product needs an overflow check.
    int64_t full = 0;
    if (__builtin_mul_overflow(s.out_features, s.in_features, &full))
      bad(fmt::format("weight matrix {} x {} is too large", s.out_features, s.in_features));
    for (size_t t = 0; t < s.tiles.size(); ++t) {
      const Tile& tile = s.tiles[t];
      std::string tat =
          fmt::format("{}: tiles[{}] (rows {}+{}, cols {}+{})", at, t, tile.row0, tile.rows, tile.col0, tile.cols);
      if (!n_.find_cell(tile.cell))
        fail("CIRCUIT-UNKNOWN-CELL", fmt::format("{}: cell '{}' is not a cell of the netlist", tat, tile.cell));
      if (!held.count(tile.cell))
        fail("CIRCUIT-BAD-STAGE",
             fmt::format("{}: cell '{}' is not instantiated in the layer cell '{}'", tat, tile.cell, s.layer_cell));
      if (!std::isfinite(tile.gain) || tile.gain < 0)
        fail("CIRCUIT-BAD-STAGE", fmt::format("{}: gain is {}, expected a finite number >= 0", tat, tile.gain));
      if (tile.rows < 1 || tile.cols < 1 || tile.row0 < 0 || tile.col0 < 0 || tile.row0 > s.out_features - tile.rows ||
          tile.col0 > s.in_features - tile.cols)
        fail("CIRCUIT-TILING", fmt::format("{}: not a non-empty block inside the {} x {} weight matrix", tat,
                                           s.out_features, s.in_features));
    }
    std::vector<size_t> order(s.tiles.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return std::tie(s.tiles[a].row0, s.tiles[a].col0, a) < std::tie(s.tiles[b].row0, s.tiles[b].col0, b);
    });
    for (size_t i = 0; i < order.size(); ++i) {
      const Tile& a = s.tiles[order[i]];
      for (size_t j = i + 1; j < order.size() && s.tiles[order[j]].row0 < a.row0 + a.rows; ++j) {
        const Tile& b = s.tiles[order[j]];
        if (b.col0 < a.col0 + a.cols && a.col0 < b.col0 + b.cols)
          fail("CIRCUIT-TILING",
               fmt::format("{}: tiles[{}] (rows {}+{}, cols {}+{}) and tiles[{}] (rows {}+{}, cols "
                           "{}+{}) overlap",
                           at, order[i], a.row0, a.rows, a.col0, a.cols, order[j], b.row0, b.rows, b.col0, b.cols));
      }
    }
    int64_t area = 0;
    for (const Tile& tile : s.tiles) area += tile.rows * tile.cols;
    if (area != full)
      fail("CIRCUIT-TILING", fmt::format("{}: the tiles cover {} of the {} x {} = {} weights", at, area, s.out_features,
                                         s.in_features, full));
  }

  const Netlist& n_;
  const pdk::Pdk& pdk_;
  std::unordered_map<std::string, std::vector<pdk::Port>> ports_;
};

}  // namespace

void verify(const Netlist& n, const pdk::Pdk& pdk) {
  Verifier(n, pdk).run();
}

std::vector<pdk::Port> component_ports(const Netlist& n, const pdk::Pdk& pdk, const std::string& component) {
  if (const Cell* c = n.find_cell(component)) {
    std::vector<pdk::Port> ports;
    ports.reserve(c->ports.size());
    for (const CellPort& p : c->ports) ports.push_back(pdk::Port{p.name, p.kind});
    return ports;
  }
  auto it = pdk.templates.find(component);
  if (it == pdk.templates.end())
    fail("CIRCUIT-UNKNOWN-COMPONENT",
         fmt::format("component '{}' is neither a cell of netlist '{}' nor a template of PDK '{}'", component, n.name,
                     pdk.name));
  return it->second.ports;
}

}  // namespace holo::circuit
