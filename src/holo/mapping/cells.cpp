#include "holo/mapping/cells.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "holo/linalg/mzi.h"
#include "holo/support/error.h"

namespace holo::mapping {
namespace {
std::string in_port(int64_t i) {
  return fmt::format("in{}", i);
}
std::string out_port(int64_t i) {
  return fmt::format("out{}", i);
}
}  // namespace

circuit::Cell mesh_cell(const std::string& name, const linalg::Mesh& mesh) {
  circuit::Cell c;
  c.name = name;
  c.kind = "mesh";
  const int32_t n = mesh.n;
  c.info["n"] = std::to_string(n);
  c.info["method"] = linalg::method_name(mesh.method);
  c.info["columns"] = std::to_string(mesh.columns);
  // The port each mode's light currently sits at, walking in optical order.
  std::vector<circuit::PortRef> cur(static_cast<size_t>(n));
  std::vector<bool> exposed_in(static_cast<size_t>(n), false);
  // Exact capacities: a 50-layer chip holds millions of these, and growth by doubling wastes up to half.
  c.instances.reserve(mesh.mzis.size() + static_cast<size_t>(n));
  c.connections.reserve(2 * mesh.mzis.size() + static_cast<size_t>(n));
  c.ports.reserve(2 * static_cast<size_t>(n));
  auto link = [&](int32_t mode, const circuit::PortRef& next_in) {
    auto m = static_cast<size_t>(mode);
    if (!exposed_in[m]) {
      c.ports.push_back({in_port(mode), "optical", next_in});
      exposed_in[m] = true;
    } else {
      c.connections.push_back({cur[m], next_in});
    }
  };
  for (size_t k = 0; k < mesh.mzis.size(); ++k) {
    const auto& z = mesh.mzis[k];
    std::string inst = fmt::format("mzi{}", k);
    c.instances.push_back({inst, "mzi", {{"theta_rad", z.theta_rad}, {"phi_rad", z.phi_rad}}, z.column, z.mode});
    link(z.mode, {inst, "o2"});      // upper mode enters at west-top
    link(z.mode + 1, {inst, "o1"});  // lower mode enters at west-bottom
    cur[static_cast<size_t>(z.mode)] = {inst, "o3"};
    cur[static_cast<size_t>(z.mode + 1)] = {inst, "o4"};
  }
  const bool screen = !mesh.output_phase_rad.empty();
  if (screen && static_cast<int32_t>(mesh.output_phase_rad.size()) != n)
    internal_error(
        fmt::format("mesh_cell {}: output screen of {} phases for {} modes", name, mesh.output_phase_rad.size(), n));
  for (int32_t i = 0; i < n; ++i) {
    auto m = static_cast<size_t>(i);
    if (screen) {
      std::string inst = fmt::format("ps{}", i);
      c.instances.push_back(
          {inst, "phase_shifter", {{"phi_rad", linalg::wrap_phase(mesh.output_phase_rad[m])}}, mesh.columns, i});
      link(i, {inst, "o1"});
      cur[m] = {inst, "o2"};
    } else if (!exposed_in[m]) {  // untouched mode: a plain waveguide carries it through
      std::string inst = fmt::format("wg{}", i);
      c.instances.push_back({inst, "waveguide", {}, mesh.columns, i});
      link(i, {inst, "o1"});
      cur[m] = {inst, "o2"};
    }
    c.ports.push_back({out_port(i), "optical", cur[m]});
  }
  // Ports in mode order: in0..in(n-1), out0..out(n-1).
  std::stable_sort(c.ports.begin(), c.ports.end(), [](const circuit::CellPort& a, const circuit::CellPort& b) {
    auto key = [](const circuit::CellPort& p) {
      bool out = p.name.rfind("out", 0) == 0;
      return std::make_pair(out ? 1 : 0, std::stol(p.name.substr(out ? 3 : 2)));
    };
    return key(a) < key(b);
  });
  return c;
}

circuit::Cell attenuator_cell(const std::string& name, const std::vector<double>& theta_rad) {
  circuit::Cell c;
  c.name = name;
  c.kind = "attenuators";
  c.info["n"] = std::to_string(theta_rad.size());
  for (size_t k = 0; k < theta_rad.size(); ++k) {
    std::string inst = fmt::format("a{}", k);
    c.instances.push_back(
        {inst,
         "attenuator",
         {{"theta_rad", theta_rad[k]}, {"phi_rad", 0.0}, {"transmission", std::sin(0.5 * theta_rad[k])}},
         0,
         static_cast<int32_t>(k)});
  }
  for (size_t k = 0; k < theta_rad.size(); ++k)
    c.ports.push_back({in_port(static_cast<int64_t>(k)), "optical", {fmt::format("a{}", k), "o1"}});
  for (size_t k = 0; k < theta_rad.size(); ++k)
    c.ports.push_back({out_port(static_cast<int64_t>(k)), "optical", {fmt::format("a{}", k), "o2"}});
  return c;
}

circuit::Cell tile_cell(const std::string& name, const std::string& vh_cell, const std::string& att_cell,
                        const std::string& u_cell, int64_t rows, int64_t cols, int64_t rank) {
  circuit::Cell c;
  c.name = name;
  c.kind = "tile";
  c.info["rows"] = std::to_string(rows);
  c.info["cols"] = std::to_string(cols);
  c.info["rank"] = std::to_string(rank);
  c.instances.push_back({"vh", vh_cell, {}, -1, -1});
  c.instances.push_back({"att", att_cell, {}, -1, -1});
  c.instances.push_back({"u", u_cell, {}, -1, -1});
  for (int64_t j = 0; j < cols; ++j) c.ports.push_back({in_port(j), "optical", {"vh", in_port(j)}});
  for (int64_t i = 0; i < rows; ++i) c.ports.push_back({out_port(i), "optical", {"u", out_port(i)}});
  for (int64_t k = 0; k < rank; ++k) {
    c.connections.push_back({{"vh", out_port(k)}, {"att", in_port(k)}});
    c.connections.push_back({{"att", out_port(k)}, {"u", in_port(k)}});
  }
  for (int64_t k = rank; k < cols; ++k) c.ports.push_back({fmt::format("drop{}", k), "optical", {"vh", out_port(k)}});
  for (int64_t k = rank; k < rows; ++k) c.ports.push_back({fmt::format("dark{}", k), "optical", {"u", in_port(k)}});
  return c;
}

}  // namespace holo::mapping
