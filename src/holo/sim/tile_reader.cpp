#include "holo/sim/tile_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "holo/linalg/mzi.h"
#include "holo/support/error.h"

namespace holo::sim {

namespace {

[[noreturn]] void bad(const std::string& cell, const std::string& msg) {
  fail("SIM-BAD-CELL", fmt::format("cell '{}': {}", cell, msg));
}

const circuit::Cell& find(const circuit::Netlist& n, const std::string& name, const std::string& kind) {
  const circuit::Cell* c = n.find_cell(name);
  if (!c)
    fail("SIM-MISSING-CELL", fmt::format("netlist '{}' has no cell '{}' (expected a {} cell)", n.name, name, kind));
  if (c->kind != kind) bad(name, fmt::format("kind is '{}', expected '{}'", c->kind, kind));
  return *c;
}

int64_t info_int(const circuit::Cell& c, const std::string& key, int64_t min_value) {
  auto it = c.info.find(key);
  if (it == c.info.end()) bad(c.name, fmt::format("info '{}' is missing", key));
  int64_t v = 0;
  const std::string& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < min_value) {
    bad(c.name, fmt::format("info '{}' is '{}', expected an integer >= {}", key, s, min_value));
  }
  return v;
}

// "mzi12" with prefix "mzi" -> 12; -1 when the name does not have the form prefix<digits>.
int64_t indexed(const std::string& name, const std::string& prefix) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return -1;
  int64_t v = 0;
  const char* b = name.data() + prefix.size();
  const char* e = name.data() + name.size();
  if (*b == '0' && e - b > 1) return -1;  // no leading zeros: one spelling per index
  auto [ptr, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || ptr != e || v < 0) return -1;
  return v;
}

double setting(const circuit::Cell& c, const circuit::Instance& inst, const std::string& key) {
  auto it = inst.settings.find(key);
  if (it == inst.settings.end()) bad(c.name, fmt::format("instance '{}' lacks the setting '{}'", inst.name, key));
  if (!std::isfinite(it->second)) bad(c.name, fmt::format("instance '{}': setting '{}' is not finite", inst.name, key));
  return it->second;
}

// The wiring of a cell as sets, to compare with the wiring the contract implies.
using Ref = std::pair<std::string, std::string>;  // (instance, port)
struct Wiring {
  std::set<std::pair<Ref, Ref>> connections;  // each pair ordered (smaller first)
  std::map<std::string, Ref> ports;           // external name -> inner
  void connect(const Ref& a, const Ref& b) { connections.insert(a < b ? std::make_pair(a, b) : std::make_pair(b, a)); }
};

Wiring wiring_of(const circuit::Cell& c) {
  Wiring w;
  for (const circuit::Connection& k : c.connections) w.connect({k.a.instance, k.a.port}, {k.b.instance, k.b.port});
  for (const circuit::CellPort& p : c.ports) {
    if (w.ports.count(p.name)) bad(c.name, fmt::format("port '{}' appears twice", p.name));
    w.ports[p.name] = {p.inner.instance, p.inner.port};
  }
  return w;
}

void compare_wiring(const circuit::Cell& c, const Wiring& expected) {
  const Wiring actual = wiring_of(c);
  for (const auto& [a, b] : expected.connections) {
    if (!actual.connections.count({a, b})) {
      bad(c.name, fmt::format("missing connection {}.{} -- {}.{}", a.first, a.second, b.first, b.second));
    }
  }
  for (const auto& [a, b] : actual.connections) {
    if (!expected.connections.count({a, b})) {
      bad(c.name, fmt::format("unexpected connection {}.{} -- {}.{}", a.first, a.second, b.first, b.second));
    }
  }
  for (const auto& [name, inner] : expected.ports) {
    auto it = actual.ports.find(name);
    if (it == actual.ports.end())
      bad(c.name, fmt::format("missing port '{}' ({}.{})", name, inner.first, inner.second));
    if (it->second != inner) {
      bad(c.name, fmt::format("port '{}' exposes {}.{}, expected {}.{}", name, it->second.first, it->second.second,
                              inner.first, inner.second));
    }
  }
  for (const auto& [name, inner] : actual.ports) {
    if (!expected.ports.count(name)) bad(c.name, fmt::format("unexpected port '{}'", name));
  }
}

}  // namespace

linalg::Mesh read_mesh_cell(const circuit::Netlist& n, const std::string& cell) {
  const circuit::Cell& c = find(n, cell, "mesh");
  linalg::Mesh mesh;
  const int64_t modes = info_int(c, "n", 1);
  if (modes > (int64_t{1} << 20)) bad(cell, fmt::format("info 'n' = {} is too large", modes));
  mesh.n = static_cast<int32_t>(modes);
  auto method = c.info.find("method");
  if (method == c.info.end()) bad(cell, "info 'method' is missing");
  try {
    mesh.method = linalg::parse_method(method->second);
  } catch (const Error& e) {
    bad(cell, fmt::format("info 'method': {}", e.what()));
  }
  const int64_t columns = info_int(c, "columns", 0);

  std::map<int64_t, const circuit::Instance*> mzis, screen, passes;
  for (const circuit::Instance& inst : c.instances) {
    if (int64_t k = indexed(inst.name, "mzi"); k >= 0) {
      if (inst.component != "mzi")
        bad(cell, fmt::format("instance '{}' is a '{}', expected 'mzi'", inst.name, inst.component));
      mzis[k] = &inst;
    } else if (int64_t i = indexed(inst.name, "ps"); i >= 0) {
      if (inst.component != "phase_shifter") {
        bad(cell, fmt::format("instance '{}' is a '{}', expected 'phase_shifter'", inst.name, inst.component));
      }
      screen[i] = &inst;
    } else if (int64_t j = indexed(inst.name, "wg"); j >= 0) {
      if (inst.component != "waveguide")
        bad(cell, fmt::format("instance '{}' is a '{}', expected 'waveguide'", inst.name, inst.component));
      if (inst.mode != j) bad(cell, fmt::format("instance '{}': mode is {}, expected {}", inst.name, inst.mode, j));
      passes[j] = &inst;
    } else {
      bad(cell, fmt::format("unexpected instance '{}' (a mesh cell holds mzi<k>, ps<i> and wg<i>)", inst.name));
    }
  }
  if (!screen.empty() && !passes.empty())
    bad(cell, "a mesh cell has either an output screen (ps<i>) or pass-through waveguides (wg<i>), not both");
  // Optical order is the index order; indices are 0..K-1 without gaps, instances listed in that order.
  int64_t expect = 0;
  for (const auto& [k, inst] : mzis) {
    if (k != expect) bad(cell, fmt::format("MZI indices have a gap: no 'mzi{}'", expect));
    ++expect;
  }
  // The screen is optional (linalg::map_svd pushes the V^H mesh's screen into the U mesh), but when present
  // it covers every mode.
  if (!screen.empty() && (static_cast<int64_t>(screen.size()) != modes || screen.rbegin()->first != modes - 1)) {
    bad(cell, fmt::format("the output screen must be ps0..ps{} ({} found)", modes - 1, screen.size()));
  }
  for (size_t k = 0; k < mzis.size() + screen.size(); ++k) {
    const circuit::Instance& inst = c.instances[k];
    const int64_t idx = k < mzis.size() ? indexed(inst.name, "mzi") : indexed(inst.name, "ps");
    const int64_t want = k < mzis.size() ? static_cast<int64_t>(k) : static_cast<int64_t>(k - mzis.size());
    if (idx != want) {
      bad(cell, fmt::format("instance {} is '{}': instances must list mzi0..mzi{} then ps0..ps{}", k, inst.name,
                            static_cast<int64_t>(mzis.size()) - 1, modes - 1));
    }
  }

  std::vector<int32_t> depth(static_cast<size_t>(modes), 0);
  for (const auto& [k, inst] : mzis) {
    if (inst->mode < 0 || inst->mode + 1 >= modes) {
      bad(cell, fmt::format("instance '{}': mode {} does not leave room for mode + 1 in {} modes", inst->name,
                            inst->mode, modes));
    }
    if (inst->column < 0 || inst->column >= std::max<int64_t>(columns, 1)) {
      bad(cell, fmt::format("instance '{}': column {} outside 0..{}", inst->name, inst->column, columns - 1));
    }
    const auto m = static_cast<size_t>(inst->mode);
    if (inst->column < std::max(depth[m], depth[m + 1])) {
      bad(cell, fmt::format("instance '{}': column {} is not after the MZIs before it on modes {} and {}", inst->name,
                            inst->column, inst->mode, inst->mode + 1));
    }
    depth[m] = depth[m + 1] = inst->column + 1;
    linalg::MziSetting z;
    z.mode = inst->mode;
    z.column = inst->column;
    z.theta_rad = setting(c, *inst, "theta_rad");
    z.phi_rad = setting(c, *inst, "phi_rad");
    mesh.mzis.push_back(z);
  }
  mesh.columns = static_cast<int32_t>(columns);
  for (const auto& [i, inst] : screen) {
    if (inst->mode != i) bad(cell, fmt::format("instance '{}': mode is {}, expected {}", inst->name, inst->mode, i));
    mesh.output_phase_rad.push_back(setting(c, *inst, "phi_rad"));
  }

  // The wiring the contract implies: each mode's light goes from port to port in optical order.
  Wiring w;
  std::vector<Ref> cur(static_cast<size_t>(modes));
  std::vector<bool> seen(static_cast<size_t>(modes), false);
  auto link = [&](int32_t mode, const Ref& next) {
    const auto m = static_cast<size_t>(mode);
    if (!seen[m]) {
      w.ports[fmt::format("in{}", mode)] = next;
      seen[m] = true;
    } else {
      w.connect(cur[m], next);
    }
  };
  for (size_t k = 0; k < mesh.mzis.size(); ++k) {
    const std::string inst = fmt::format("mzi{}", k);
    const int32_t m = mesh.mzis[k].mode;
    link(m, {inst, "o2"});
    link(m + 1, {inst, "o1"});
    cur[static_cast<size_t>(m)] = {inst, "o3"};
    cur[static_cast<size_t>(m + 1)] = {inst, "o4"};
  }
  for (int32_t i = 0; i < mesh.n; ++i) {
    const auto m = static_cast<size_t>(i);
    if (!screen.empty()) {
      const std::string inst = fmt::format("ps{}", i);
      link(i, {inst, "o1"});
      w.ports[fmt::format("out{}", i)] = {inst, "o2"};
    } else if (!seen[m]) {  // no MZI touches this mode: a pass-through waveguide carries it
      if (!passes.count(i)) bad(cell, fmt::format("mode {} has no MZI, screen or pass-through waveguide 'wg{}'", i, i));
      const std::string inst = fmt::format("wg{}", i);
      link(i, {inst, "o1"});
      w.ports[fmt::format("out{}", i)] = {inst, "o2"};
    } else {
      if (passes.count(i)) bad(cell, fmt::format("'wg{}' on mode {}, which MZIs already carry", i, i));
      w.ports[fmt::format("out{}", i)] = cur[m];
    }
  }
  compare_wiring(c, w);
  return mesh;
}

std::vector<AttenuatorSetting> read_attenuator_cell(const circuit::Netlist& n, const std::string& cell) {
  const circuit::Cell& c = find(n, cell, "attenuators");
  const int64_t modes = info_int(c, "n", 0);
  if (static_cast<int64_t>(c.instances.size()) != modes) {
    bad(cell, fmt::format("{} instances for info 'n' = {}", c.instances.size(), modes));
  }
  std::vector<AttenuatorSetting> out;
  Wiring w;
  for (int64_t k = 0; k < modes; ++k) {
    const circuit::Instance& inst = c.instances[static_cast<size_t>(k)];
    if (inst.name != fmt::format("a{}", k))
      bad(cell, fmt::format("instance {} is '{}', expected 'a{}'", k, inst.name, k));
    if (inst.component != "attenuator") {
      bad(cell, fmt::format("instance '{}' is a '{}', expected 'attenuator'", inst.name, inst.component));
    }
    if (inst.mode != k) bad(cell, fmt::format("instance '{}': mode is {}, expected {}", inst.name, inst.mode, k));
    AttenuatorSetting a;
    a.theta_rad = setting(c, inst, "theta_rad");
    a.phi_rad = setting(c, inst, "phi_rad");
    a.transmission = setting(c, inst, "transmission");
    if (a.transmission < 0.0 || a.transmission > 1.0 + kAttenuatorCheckTolerance) {
      bad(cell, fmt::format("instance '{}': transmission {} outside [0, 1]", inst.name, a.transmission));
    }
    // The bar factor M(theta, phi)[0][0] is complex (its phase is absorbed downstream); `transmission` declares
    // its magnitude.
    const linalg::cdouble t = linalg::mzi_matrix(a.theta_rad, a.phi_rad)(0, 0);
    if (std::abs(std::abs(t) - a.transmission) > kAttenuatorCheckTolerance) {
      bad(cell, fmt::format("instance '{}': theta_rad/phi_rad realize the bar transmission {}{:+}i of magnitude {}, "
                            "but transmission is {}",
                            inst.name, t.real(), t.imag(), std::abs(t), a.transmission));
    }
    out.push_back(a);
    w.ports[fmt::format("in{}", k)] = {inst.name, "o1"};
    w.ports[fmt::format("out{}", k)] = {inst.name, "o2"};
  }
  compare_wiring(c, w);
  return out;
}

TileModel read_tile_cell(const circuit::Netlist& n, const std::string& cell) {
  const circuit::Cell& c = find(n, cell, "tile");
  TileModel t;
  t.cell = cell;
  t.rows = info_int(c, "rows", 1);
  t.cols = info_int(c, "cols", 1);
  t.rank = info_int(c, "rank", 0);
  if (t.rank > std::min(t.rows, t.cols)) {
    bad(cell, fmt::format("rank {} exceeds min(rows {}, cols {})", t.rank, t.rows, t.cols));
  }
  if (c.instances.size() != 3) bad(cell, fmt::format("{} instances, expected vh, att, u", c.instances.size()));
  const char* names[3] = {"vh", "att", "u"};
  for (int k = 0; k < 3; ++k) {
    if (c.instances[static_cast<size_t>(k)].name != names[k]) {
      bad(cell,
          fmt::format("instance {} is '{}', expected '{}'", k, c.instances[static_cast<size_t>(k)].name, names[k]));
    }
  }
  t.vh = read_mesh_cell(n, c.instances[0].component);
  t.att = read_attenuator_cell(n, c.instances[1].component);
  t.u = read_mesh_cell(n, c.instances[2].component);
  if (t.vh.n != t.cols)
    bad(cell, fmt::format("vh mesh '{}' has {} modes, cols is {}", c.instances[0].component, t.vh.n, t.cols));
  if (t.u.n != t.rows)
    bad(cell, fmt::format("u mesh '{}' has {} modes, rows is {}", c.instances[2].component, t.u.n, t.rows));
  if (static_cast<int64_t>(t.att.size()) != t.rank) {
    bad(cell,
        fmt::format("attenuator cell '{}' has {} modes, rank is {}", c.instances[1].component, t.att.size(), t.rank));
  }
  Wiring w;
  for (int64_t j = 0; j < t.cols; ++j) w.ports[fmt::format("in{}", j)] = {"vh", fmt::format("in{}", j)};
  for (int64_t i = 0; i < t.rows; ++i) w.ports[fmt::format("out{}", i)] = {"u", fmt::format("out{}", i)};
  for (int64_t k = 0; k < t.rank; ++k) {
    w.connect({"vh", fmt::format("out{}", k)}, {"att", fmt::format("in{}", k)});
    w.connect({"att", fmt::format("out{}", k)}, {"u", fmt::format("in{}", k)});
  }
  for (int64_t k = t.rank; k < t.cols; ++k) w.ports[fmt::format("drop{}", k)] = {"vh", fmt::format("out{}", k)};
  for (int64_t k = t.rank; k < t.rows; ++k) w.ports[fmt::format("dark{}", k)] = {"u", fmt::format("in{}", k)};
  compare_wiring(c, w);
  return t;
}

Eigen::MatrixXcd tile_matrix(const TileModel& t) {
  const Eigen::MatrixXcd v = linalg::reconstruct(t.vh);
  const Eigen::MatrixXcd u = linalg::reconstruct(t.u);
  const auto r = static_cast<Eigen::Index>(t.rank);
  Eigen::VectorXcd mid(r);
  for (Eigen::Index k = 0; k < r; ++k) {
    const AttenuatorSetting& a = t.att[static_cast<size_t>(k)];
    mid(k) = linalg::mzi_matrix(a.theta_rad, a.phi_rad)(0, 0);
  }
  // Coefficient-wise product: no multithreaded GEMM blocking, so the bits do not depend on the thread count.
  const Eigen::MatrixXcd left = u.leftCols(r) * mid.asDiagonal();
  return left.lazyProduct(v.topRows(r));
}

}  // namespace holo::sim
