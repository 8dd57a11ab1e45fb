#include "holo/layout/extract.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace holo::layout {

Connectivity extract_connectivity(const Library& lib, const std::string& cell_name, std::optional<PortKind> kind) {
  const Cell& cell = lib.cell(cell_name);
  std::vector<PlacedPort> placed;
  for (size_t k = 0; k < cell.refs.size(); ++k) {
    const Ref& r = cell.refs[k];
    const Cell& child = lib.cell(r.cell);
    std::string base = r.name.empty() ? fmt::format("{}#{}", r.cell, k) : r.name;
    for (int32_t j = 0; j < r.rows; ++j)
      for (int32_t i = 0; i < r.cols; ++i) {
        Trans t = r.element(i, j);
        std::string inst = r.is_array() ? fmt::format("{}<{}.{}>", base, i, j) : base;
        for (const Port& p : child.ports)
          if (!kind || p.kind == *kind) placed.push_back({inst, r.cell, p.transformed(t)});
      }
  }
  // (instance, port name) order, compared in place (no string copies).
  auto key = [](const PlacedPort& p) { return std::tie(p.instance, p.port.name); };
  std::sort(placed.begin(), placed.end(), [&](const PlacedPort& a, const PlacedPort& b) { return key(a) < key(b); });

  std::map<Point, std::vector<size_t>> at;
  for (size_t i = 0; i < placed.size(); ++i) at[placed[i].port.position].push_back(i);

  Connectivity out;
  std::vector<bool> used(placed.size(), false);
  // Cell ports: an instance port at the same position pointing the same way.
  for (const Port& cp : cell.ports) {
    if (kind && cp.kind != *kind) continue;
    bool found = false;
    auto it = at.find(cp.position);
    if (it != at.end())
      for (size_t i : it->second)
        if (!used[i] && placed[i].port.angle_deg == cp.angle_deg) {
          out.exposed.push_back({cp.name, placed[i]});
          used[i] = true;
          found = true;
          break;
        }
    if (!found) out.unexposed_cell_ports.push_back(cp.name);
  }
  for (auto& [pos, ids] : at) {
    std::vector<size_t> rest;
    for (size_t i : ids)
      if (!used[i]) rest.push_back(i);
    if (rest.size() == 1) {
      out.open.push_back(placed[rest[0]]);
      continue;
    }
    if (rest.size() == 2) {
      const PlacedPort& a = placed[rest[0]];
      const PlacedPort& b = placed[rest[1]];
      std::string reason;
      if ((a.port.angle_deg - b.port.angle_deg + 360) % 360 != 180)
        reason = "direction";
      else if (a.port.width != b.port.width)
        reason = "width";
      else if (a.port.layer != b.port.layer)
        reason = "layer";
      if (reason.empty())
        out.links.push_back({a, b});
      else
        out.mismatches.push_back({a, b, reason});
      continue;
    }
    for (size_t k = 0; k + 1 < rest.size(); ++k)  // three or more ports on one spot
      out.mismatches.push_back({placed[rest[k]], placed[rest[k + 1]], "crowded"});
  }
  std::sort(out.links.begin(), out.links.end(),
            [&](const PortLink& x, const PortLink& y) { return key(x.a) < key(y.a); });
  std::sort(out.open.begin(), out.open.end(),
            [&](const PlacedPort& x, const PlacedPort& y) { return key(x) < key(y); });
  return out;
}

}  // namespace holo::layout
