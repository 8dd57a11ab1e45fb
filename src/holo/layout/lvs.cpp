#include "holo/layout/lvs.h"

#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <set>
#include <variant>

#include "holo/circuit/compiled.h"
#include "holo/layout/extract.h"

namespace holo::layout {
namespace {

// A walk through fillers gives up after this many (a path crosses one filler per column and channel, far fewer;
// more means the fillers form a loop).
constexpr int kMaxFillerWalk = 100000;

using Key = std::pair<std::string, std::string>;  // (instance, port); instance "" = the cell's own port

std::string show(const Key& k) {
  return k.first.empty() ? "<cell>." + k.second : k.first + "." + k.second;
}

// The netlist instance an extracted instance name stands for ("" for a filler).
std::string canonical(const std::string& inst, const std::map<std::pair<int64_t, int64_t>, std::string>& at) {
  if (inst.rfind("fill_", 0) == 0) return "";
  // "zc<col>m<m0><0.j>"
  if (inst.rfind("zc", 0) == 0) {
    unsigned long long col = 0, m0 = 0, i = 0, j = 0;
    if (std::sscanf(inst.c_str(), "zc%llum%llu<%llu.%llu>", &col, &m0, &i, &j) == 4) {
      auto it = at.find({static_cast<int64_t>(col), static_cast<int64_t>(m0 + 2 * j)});
      return it == at.end() ? inst : it->second;
    }
  }
  return inst;
}

// `at`: the netlist instance at each (column, mode) of an MZI grid (array elements are named by it).
void check_cell(const Library& lib, const std::string& lcell, const circuit::Cell& nc,
                const std::map<std::pair<int64_t, int64_t>, std::string>& at, std::vector<LvsMismatch>& out) {
  auto report = [&](const std::string& kind, const std::string& detail) { out.push_back({nc.name, kind, detail}); };
  const Connectivity con = extract_connectivity(lib, lcell, PortKind::Optical);
  // Graph of extracted links, in canonical names; fillers keep their own names to be walked through.
  std::map<Key, Key> adj;
  auto name_of = [&](const PlacedPort& pp) {
    std::string c = canonical(pp.instance, at);
    return Key{c.empty() ? pp.instance : c, pp.port.name};
  };
  std::set<std::string> placed;
  auto note = [&](const PlacedPort& pp) {
    std::string c = canonical(pp.instance, at);
    if (!c.empty()) placed.insert(c);
  };
  for (const PortLink& l : con.links) {
    adj[name_of(l.a)] = name_of(l.b);
    adj[name_of(l.b)] = name_of(l.a);
    note(l.a);
    note(l.b);
  }
  for (const auto& [cp, pp] : con.exposed) {
    adj[name_of(pp)] = Key{"", cp};
    adj[Key{"", cp}] = name_of(pp);
    note(pp);
  }
  for (const PlacedPort& pp : con.open) note(pp);
  for (const PortMismatch& m : con.mismatches)
    report("bad_meet",
           fmt::format("{}.{} / {}.{}: {}", m.a.instance, m.a.port.name, m.b.instance, m.b.port.name, m.reason));
  for (const std::string& cp : con.unexposed_cell_ports)
    report("port", fmt::format("cell port {} has nothing under it", cp));
  // Follow a port through fillers (straights o1 <-> o2) to the next netlist port or cell port.
  auto resolve = [&](Key k) -> std::optional<Key> {
    for (int guard = 0; guard < kMaxFillerWalk; ++guard) {
      auto it = adj.find(k);
      if (it == adj.end()) return std::nullopt;
      Key nxt = it->second;
      if (nxt.first.rfind("fill_", 0) != 0) return nxt;
      k = Key{nxt.first, nxt.second == "o1" ? "o2" : "o1"};
    }
    return std::nullopt;
  };
  std::set<std::string> expected_inst;
  for (const circuit::Instance& in : nc.instances) {
    expected_inst.insert(in.name);
    if (!placed.count(in.name)) report("missing_instance", in.name);
  }
  for (const std::string& s : placed)
    if (!expected_inst.count(s)) report("extra_instance", s);
  // Expected: every connection and every cell port, as unordered pairs of keys.
  std::set<std::pair<Key, Key>> want, got;
  auto pair_of = [](Key a, Key b) { return a < b ? std::make_pair(a, b) : std::make_pair(b, a); };
  std::set<Key> ends;
  for (const circuit::Connection& c : nc.connections) {
    want.insert(pair_of({c.a.instance, c.a.port}, {c.b.instance, c.b.port}));
    ends.insert({c.a.instance, c.a.port});
    ends.insert({c.b.instance, c.b.port});
  }
  for (const circuit::CellPort& cp : nc.ports) {
    if (cp.kind != "optical") continue;
    want.insert(pair_of({"", cp.name}, {cp.inner.instance, cp.inner.port}));
    ends.insert({cp.inner.instance, cp.inner.port});
    ends.insert({"", cp.name});
  }
  for (const auto& [k, v] : adj) {
    if (k.first.rfind("fill_", 0) == 0) continue;
    std::optional<Key> r = resolve(k);
    if (r) got.insert(pair_of(k, *r));
  }
  for (const auto& w : want)
    if (!got.count(w)) report("missing_connection", show(w.first) + " -- " + show(w.second));
  for (const auto& g : got)
    if (!want.count(g)) report("extra_connection", show(g.first) + " -- " + show(g.second));
}

}  // namespace

std::vector<LvsMismatch> check_layout_vs_netlist(const Library& lib, const std::map<std::string, std::string>& cell_of,
                                                 const circuit::Netlist& netlist) {
  std::vector<LvsMismatch> out;
  for (const circuit::Cell& nc : netlist.cells) {
    // Each cell is read through the contract's view first (so its instances, connections and ports, which the
    // layout is compared with, are the contract's); a mesh's view names its MZIs by grid slot (mzis[k] is
    // instance mesh_mzi_name(k)).
    std::map<std::pair<int64_t, int64_t>, std::string> at;
    switch (circuit::kind_of(nc)) {
      case circuit::CellKind::Mesh: {
        const circuit::MeshView m = circuit::read_mesh(nc);
        for (size_t k = 0; k < m.mesh.mzis.size(); ++k)
          at[{m.mesh.mzis[k].column, m.mesh.mzis[k].mode}] = circuit::mesh_mzi_name(static_cast<int64_t>(k));
        break;
      }
      case circuit::CellKind::Attenuators:
        circuit::read_attenuators(nc);
        break;
      case circuit::CellKind::Tile: {
        // One lambda per tile kind (no generic one): a new TileKind fails to compile here until it says how its
        // layout is compared. A coherent tile is compared by its instances (vh, att, u) and their wiring alone.
        const circuit::TileView t = circuit::read_tile(netlist, nc);
        std::visit(circuit::Overloaded{[](const circuit::CoherentTile&) {}}, t.body);
        break;
      }
      case circuit::CellKind::Layer:  // not laid out (docs/layout.md)
      case circuit::CellKind::Top:
        continue;
    }
    auto it = cell_of.find(nc.name);
    if (it == cell_of.end() || !lib.has(it->second)) {
      out.push_back({nc.name, "missing_cell", "no layout cell"});
      continue;
    }
    check_cell(lib, it->second, nc, at, out);
  }
  return out;
}

}  // namespace holo::layout
