// Reading a compiled chip back through the contract's views (compiled.h), checking every cell completely: the
// structured simulator trusts modes and optical order, the S-matrix solver and the layout trust connections, so
// both must describe the same circuit. Every violation is CIRCUIT-CONTRACT, naming cell, instance and field.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>
#include <utility>

#include "holo/circuit/compiled.h"
#include "holo/linalg/mzi.h"
#include "holo/support/error.h"

namespace holo::circuit {
namespace {

constexpr int64_t kMaxModes = int64_t{1} << 20;

[[noreturn]] void bad(std::string_view cell, const std::string& msg) {
  fail("CIRCUIT-CONTRACT", fmt::format("cell '{}': {}", cell, msg));
}

// Cells by name: a linear find for single reads, an index for verify_compiled (thousands of cells).
class Cells {
 public:
  explicit Cells(const Netlist& n, bool indexed = false) : n_(n) {
    if (!indexed) return;
    index_.reserve(n.cells.size());
    for (const Cell& c : n.cells) index_.emplace(c.name, &c);
  }
  const Netlist& netlist() const { return n_; }
  // The cell `name` of kind `kind`; `who` says who refers to it (for the message).
  const Cell& get(std::string_view name, CellKind kind, const std::string& who) const {
    const Cell* c = nullptr;
    if (!index_.empty()) {
      auto it = index_.find(name);
      c = it == index_.end() ? nullptr : it->second;
    } else {
      c = n_.find_cell(std::string(name));
    }
    if (!c)
      fail("CIRCUIT-CONTRACT",
           fmt::format("{}: netlist '{}' has no cell '{}' (expected a {} cell)", who, n_.name, name, to_string(kind)));
    if (!has_kind(*c, kind)) bad(name, fmt::format("kind is '{}', expected '{}' ({})", c->kind, to_string(kind), who));
    return *c;
  }

 private:
  const Netlist& n_;
  std::unordered_map<std::string_view, const Cell*> index_;
};

void expect_kind(const Cell& c, CellKind k) {
  if (!has_kind(c, k)) bad(c.name, fmt::format("kind is '{}', expected '{}'", c.kind, to_string(k)));
}

int64_t info_int(const Cell& c, const std::string& key, int64_t min_value, int64_t max_value) {
  auto it = c.info.find(key);
  if (it == c.info.end()) bad(c.name, fmt::format("info '{}' is missing", key));
  int64_t v = 0;
  const std::string& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < min_value || v > max_value)
    bad(c.name, fmt::format("info '{}' is '{}', expected an integer in {}..{}", key, s, min_value, max_value));
  return v;
}

const std::string& info_str(const Cell& c, const std::string& key) {
  auto it = c.info.find(key);
  if (it == c.info.end()) bad(c.name, fmt::format("info '{}' is missing", key));
  return it->second;
}

// "mzi12" with prefix "mzi" -> 12; -1 when the name does not have the form prefix<digits> (no leading zeros: one
// spelling per index).
int64_t indexed(std::string_view name, std::string_view prefix) {
  if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix) return -1;
  const char* b = name.data() + prefix.size();
  const char* e = name.data() + name.size();
  if (*b == '0' && e - b > 1) return -1;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(b, e, v);
  if (ec != std::errc() || ptr != e || v < 0) return -1;
  return v;
}

double setting(const Cell& c, const Instance& inst, std::string_view key) {
  auto it = inst.settings.find(key);
  if (it == inst.settings.end()) bad(c.name, fmt::format("instance '{}' lacks the setting '{}'", inst.name, key));
  if (!std::isfinite(it->second)) bad(c.name, fmt::format("instance '{}': setting '{}' is not finite", inst.name, key));
  return it->second;
}

void expect_component(const Cell& c, const Instance& inst, std::string_view component) {
  if (inst.component != component)
    bad(c.name, fmt::format("instance '{}' is a '{}', expected '{}'", inst.name, inst.component, component));
}

// ---- Wiring: the connections and cell ports the contract implies, compared with the cell's ------------------

// A port of an instance as a number, so that connections compare without strings: "o3" -> (O, 3).
enum class Prefix : uint32_t { O = 1, E, In, Out, Drop, Dark };
constexpr std::pair<Prefix, std::string_view> kPrefixes[] = {{Prefix::O, "o"},       {Prefix::E, "e"},
                                                             {Prefix::In, "in"},     {Prefix::Out, "out"},
                                                             {Prefix::Drop, "drop"}, {Prefix::Dark, "dark"}};
constexpr int64_t kMaxPortIndex = (int64_t{1} << 24) - 1;

uint32_t port_key(Prefix p, int64_t index) {
  return (static_cast<uint32_t>(p) << 24) | static_cast<uint32_t>(index);
}
std::optional<uint32_t> parse_port(std::string_view port) {
  if (port.empty()) return std::nullopt;
  // By first letter: a mesh cell has millions of "o<d>" ends.
  for (const auto& [p, s] : kPrefixes)
    if (s[0] == port[0])
      if (int64_t i = indexed(port, s); i >= 0 && i <= kMaxPortIndex) return port_key(p, i);
  return std::nullopt;
}
std::string port_text(uint32_t key) {
  const auto p = static_cast<Prefix>(key >> 24);
  for (const auto& [q, s] : kPrefixes)
    if (q == p) return fmt::format("{}{}", s, key & 0xFFFFFF);
  return "?";
}

using End = uint64_t;  // (instance position << 32) | port key
End end(int64_t inst, uint32_t key) {
  return (static_cast<uint64_t>(inst) << 32) | key;
}

class Wiring {
 public:
  explicit Wiring(const Cell& c) : c_(c) {}

  void connect(End a, End b) { conns_.push_back(a < b ? std::make_pair(a, b) : std::make_pair(b, a)); }
  void port(std::string name, int64_t inst, std::string port) {
    ports_.push_back({std::move(name), static_cast<int32_t>(inst), std::move(port)});
  }

  // `resolve(name)`: the position of the instance named so, or -1.
  template <class Resolve>
  void check(Resolve resolve) {
    check_connections(resolve);
    check_ports(resolve);
  }

 private:
  struct Expected {
    std::string name;
    int32_t inst;
    std::string port;
  };

  std::string text(End e) const {
    return fmt::format("{}.{}", c_.instances[static_cast<size_t>(e >> 32)].name, port_text(e & 0xFFFFFFFF));
  }

  template <class Resolve>
  void check_connections(Resolve resolve) {
    std::vector<std::pair<End, End>> actual;
    actual.reserve(c_.connections.size());
    for (const Connection& k : c_.connections) {
      const int64_t ia = resolve(k.a.instance.view()), ib = resolve(k.b.instance.view());
      const std::optional<uint32_t> pa = parse_port(k.a.port), pb = parse_port(k.b.port);
      if (ia < 0 || ib < 0 || !pa || !pb)
        bad(c_.name,
            fmt::format("unexpected connection {}.{} -- {}.{}", k.a.instance, k.a.port, k.b.instance, k.b.port));
      const End a = end(ia, *pa), b = end(ib, *pb);
      actual.push_back(a < b ? std::make_pair(a, b) : std::make_pair(b, a));
    }
    // The writers list connections in the order the readers expect them: equal in order is equal as sets.
    if (actual == conns_) return;
    std::sort(actual.begin(), actual.end());
    std::sort(conns_.begin(), conns_.end());
    // The first expected connection the cell lacks, else the first it has beyond the expected ones.
    size_t i = 0, j = 0;
    const std::pair<End, End>* extra = nullptr;
    while (i < conns_.size()) {
      if (j < actual.size() && actual[j] < conns_[i]) {
        if (!extra) extra = &actual[j];
        ++j;
      } else if (j < actual.size() && actual[j] == conns_[i]) {
        ++i, ++j;
      } else {
        bad(c_.name, fmt::format("missing connection {} -- {}", text(conns_[i].first), text(conns_[i].second)));
      }
    }
    if (!extra && j < actual.size()) extra = &actual[j];
    if (extra) bad(c_.name, fmt::format("unexpected connection {} -- {}", text(extra->first), text(extra->second)));
  }

  template <class Resolve>
  void check_ports(Resolve resolve) {
    std::sort(ports_.begin(), ports_.end(), [](const Expected& a, const Expected& b) { return a.name < b.name; });
    std::vector<bool> seen(ports_.size(), false);
    for (const CellPort& p : c_.ports) {
      auto it = std::lower_bound(ports_.begin(), ports_.end(), p.name,
                                 [](const Expected& e, const std::string& n) { return e.name < n; });
      if (it == ports_.end() || it->name != p.name) bad(c_.name, fmt::format("unexpected port '{}'", p.name));
      const auto k = static_cast<size_t>(it - ports_.begin());
      if (seen[k]) bad(c_.name, fmt::format("port '{}' appears twice", p.name));
      seen[k] = true;
      if (resolve(p.inner.instance.view()) != it->inst || p.inner.port != it->port)
        bad(c_.name, fmt::format("port '{}' exposes {}.{}, expected {}.{}", p.name, p.inner.instance, p.inner.port,
                                 c_.instances[static_cast<size_t>(it->inst)].name, it->port));
    }
    for (size_t k = 0; k < ports_.size(); ++k)
      if (!seen[k])
        bad(c_.name, fmt::format("missing port '{}' ({}.{})", ports_[k].name,
                                 c_.instances[static_cast<size_t>(ports_[k].inst)].name, ports_[k].port));
  }

  const Cell& c_;
  std::vector<std::pair<End, End>> conns_;
  std::vector<Expected> ports_;
};

// ---- Mesh --------------------------------------------------------------------------------------------------

// The instances of a mesh cell: mzi0..mzi(K-1) in optical order, then the screen ps0..ps(n-1) or the
// pass-through waveguides wg<i>.
struct MeshInstances {
  int64_t mzis = 0, screen = 0;
  std::vector<int32_t> pass_at;  // per mode: the position of wg<mode>, or -1
};

MeshInstances mesh_instances(const Cell& c, int64_t modes) {
  MeshInstances mi;
  mi.pass_at.assign(static_cast<size_t>(modes), -1);
  bool tail = false, passes = false;
  auto order = [&](size_t p) {
    bad(c.name, fmt::format("instance {} is '{}': a mesh cell lists mzi0, mzi1, ... in optical order, then the "
                            "output screen ps0..ps{} or the pass-through waveguides wg<i>",
                            p, c.instances[p].name, modes - 1));
  };
  for (size_t p = 0; p < c.instances.size(); ++p) {
    const Instance& inst = c.instances[p];
    if (int64_t k = indexed(inst.name, kMziPrefix); k >= 0) {
      expect_component(c, inst, kMziTemplate);
      if (tail || k != static_cast<int64_t>(p)) order(p);
      ++mi.mzis;
    } else if (int64_t i = indexed(inst.name, kScreenPrefix); i >= 0) {
      expect_component(c, inst, kPhaseShifterTemplate);
      if (i != static_cast<int64_t>(p) - mi.mzis) order(p);
      tail = true;
      ++mi.screen;
    } else if (int64_t j = indexed(inst.name, kPassPrefix); j >= 0) {
      expect_component(c, inst, kWaveguideTemplate);
      if (inst.mode != j || j >= modes)
        bad(c.name, fmt::format("instance '{}': mode is {}, expected {} (< n = {})", inst.name, inst.mode, j, modes));
      if (mi.pass_at[static_cast<size_t>(j)] >= 0) bad(c.name, fmt::format("two instances '{}'", inst.name));
      mi.pass_at[static_cast<size_t>(j)] = static_cast<int32_t>(p);
      tail = passes = true;
    } else {
      bad(c.name, fmt::format("unexpected instance '{}' (a mesh cell holds mzi<k>, ps<i> and wg<i>)", inst.name));
    }
  }
  if (mi.screen > 0 && passes)
    bad(c.name, "a mesh cell has either an output screen (ps<i>) or pass-through waveguides (wg<i>), not both");
  // The screen is optional (linalg::map_svd pushes the V^H mesh's screen into the U mesh), but when present it
  // covers every mode.
  if (mi.screen > 0 && mi.screen != modes)
    bad(c.name, fmt::format("the output screen must be ps0..ps{} ({} found)", modes - 1, mi.screen));
  return mi;
}

// The MZIs' placement and phases into view.mesh; the light's path mode by mode into the expected wiring.
void mesh_body(const Cell& c, const MeshInstances& mi, MeshView& v, Wiring& w) {
  linalg::Mesh& mesh = v.mesh;
  const auto modes = static_cast<size_t>(mesh.n);
  std::vector<int32_t> depth(modes, 0);
  std::vector<End> cur(modes);
  std::vector<bool> seen(modes, false);
  auto link = [&](int32_t mode, End next) {
    const auto m = static_cast<size_t>(mode);
    if (!seen[m]) {
      w.port(in_port(mode), static_cast<int64_t>(next >> 32), port_text(next & 0xFFFFFFFF));
      seen[m] = true;
    } else {
      w.connect(cur[m], next);
    }
  };
  mesh.mzis.reserve(static_cast<size_t>(mi.mzis));
  for (int64_t k = 0; k < mi.mzis; ++k) {
    const Instance& inst = c.instances[static_cast<size_t>(k)];
    if (inst.mode < 0 || inst.mode + 1 >= mesh.n)
      bad(c.name, fmt::format("instance '{}': mode {} does not leave room for mode + 1 in {} modes", inst.name,
                              inst.mode, mesh.n));
    if (inst.column < 0 || inst.column >= std::max(mesh.columns, 1))
      bad(c.name, fmt::format("instance '{}': column {} outside 0..{}", inst.name, inst.column, mesh.columns - 1));
    const auto m = static_cast<size_t>(inst.mode);
    if (inst.column < std::max(depth[m], depth[m + 1]))
      bad(c.name, fmt::format("instance '{}': column {} is not after the MZIs before it on modes {} and {}", inst.name,
                              inst.column, inst.mode, inst.mode + 1));
    depth[m] = depth[m + 1] = inst.column + 1;
    mesh.mzis.push_back({inst.mode, inst.column, setting(c, inst, "theta_rad"), setting(c, inst, "phi_rad")});
    link(inst.mode, end(k, port_key(Prefix::O, 2)));
    link(inst.mode + 1, end(k, port_key(Prefix::O, 1)));
    cur[m] = end(k, port_key(Prefix::O, 3));
    cur[m + 1] = end(k, port_key(Prefix::O, 4));
  }
  for (int32_t i = 0; i < mesh.n; ++i) {
    const auto m = static_cast<size_t>(i);
    int64_t via = -1;  // the screen shifter or pass-through waveguide ending mode i
    if (mi.screen > 0) {
      via = mi.mzis + i;
      const Instance& inst = c.instances[static_cast<size_t>(via)];
      if (inst.mode != i) bad(c.name, fmt::format("instance '{}': mode is {}, expected {}", inst.name, inst.mode, i));
      mesh.output_phase_rad.push_back(setting(c, inst, "phi_rad"));
    } else if (!seen[m]) {  // no MZI touches this mode: a pass-through waveguide carries it
      via = mi.pass_at[m];
      if (via < 0) bad(c.name, fmt::format("mode {} has no MZI, screen or pass-through waveguide 'wg{}'", i, i));
      v.pass_modes.push_back(i);
    } else if (mi.pass_at[m] >= 0) {
      bad(c.name, fmt::format("'wg{}' on mode {}, which MZIs already carry", i, i));
    }
    if (via >= 0) {
      link(i, end(via, port_key(Prefix::O, 1)));
      cur[m] = end(via, port_key(Prefix::O, 2));
    }
    w.port(out_port(i), static_cast<int64_t>(cur[m] >> 32), port_text(cur[m] & 0xFFFFFFFF));
  }
}

}  // namespace

MeshView read_mesh(const Cell& c) {
  expect_kind(c, CellKind::Mesh);
  MeshView v;
  v.cell = c.name;
  const int64_t modes = info_int(c, "n", 1, kMaxModes);
  v.mesh.n = static_cast<int32_t>(modes);
  try {
    v.mesh.method = linalg::parse_method(info_str(c, "method"));
  } catch (const Error& e) {
    if (e.code() == "CIRCUIT-CONTRACT") throw;
    bad(c.name, fmt::format("info 'method': {}", e.what()));
  }
  v.mesh.columns = static_cast<int32_t>(info_int(c, "columns", 0, std::numeric_limits<int32_t>::max()));
  if (c.ports.size() != static_cast<size_t>(2 * modes))
    bad(c.name, fmt::format("{} ports, expected in0..in{} and out0..out{}", c.ports.size(), modes - 1, modes - 1));
  const MeshInstances mi = mesh_instances(c, modes);
  Wiring w(c);
  mesh_body(c, mi, v, w);
  w.check([&](std::string_view name) -> int64_t {
    if (int64_t k = indexed(name, kMziPrefix); k >= 0) return k < mi.mzis ? k : -1;
    if (int64_t i = indexed(name, kScreenPrefix); i >= 0) return i < mi.screen ? mi.mzis + i : -1;
    if (int64_t j = indexed(name, kPassPrefix); j >= 0) return j < modes ? mi.pass_at[static_cast<size_t>(j)] : -1;
    return -1;
  });
  return v;
}

MeshView read_mesh(const Netlist& n, const std::string& cell) {
  return read_mesh(Cells(n).get(cell, CellKind::Mesh, "read_mesh"));
}

// ---- Attenuators -------------------------------------------------------------------------------------------

AttenuatorColumn read_attenuators(const Cell& c) {
  expect_kind(c, CellKind::Attenuators);
  const int64_t modes = info_int(c, "n", 0, kMaxModes);
  if (static_cast<int64_t>(c.instances.size()) != modes)
    bad(c.name, fmt::format("{} instances for info 'n' = {}", c.instances.size(), modes));
  AttenuatorColumn v;
  v.cell = c.name;
  v.attenuators.reserve(static_cast<size_t>(modes));
  Wiring w(c);
  for (int64_t k = 0; k < modes; ++k) {
    const Instance& inst = c.instances[static_cast<size_t>(k)];
    if (indexed(inst.name, kAttenuatorPrefix) != k)
      bad(c.name, fmt::format("instance {} is '{}', expected '{}'", k, inst.name, attenuator_name(k)));
    expect_component(c, inst, kAttenuatorTemplate);
    if (inst.mode != k) bad(c.name, fmt::format("instance '{}': mode is {}, expected {}", inst.name, inst.mode, k));
    Attenuator a{setting(c, inst, "theta_rad"), setting(c, inst, "phi_rad"), setting(c, inst, "transmission")};
    if (a.transmission < 0.0 || a.transmission > 1.0 + kAttenuatorTolerance)
      bad(c.name, fmt::format("instance '{}': transmission {} outside [0, 1]", inst.name, a.transmission));
    // The bar factor M(theta, phi)[0][0] is complex (its phase is absorbed downstream); `transmission` declares
    // its magnitude.
    const linalg::cdouble t = a.bar();
    if (std::abs(std::abs(t) - a.transmission) > kAttenuatorTolerance)
      bad(c.name, fmt::format("instance '{}': theta_rad/phi_rad realize the bar transmission {}{:+}i of magnitude "
                              "{}, but transmission is {}",
                              inst.name, t.real(), t.imag(), std::abs(t), a.transmission));
    v.attenuators.push_back(a);
    w.port(in_port(k), k, "o1");
    w.port(out_port(k), k, "o2");
  }
  w.check([&](std::string_view name) -> int64_t {
    const int64_t k = indexed(name, kAttenuatorPrefix);
    return k < modes ? k : -1;
  });
  return v;
}

AttenuatorColumn read_attenuators(const Netlist& n, const std::string& cell) {
  return read_attenuators(Cells(n).get(cell, CellKind::Attenuators, "read_attenuators"));
}

// ---- Tiles -------------------------------------------------------------------------------------------------

TileShape read_tile_shape(const Cell& c) {
  expect_kind(c, CellKind::Tile);
  TileShape s;
  s.rows = info_int(c, "rows", 1, kMaxModes);
  s.cols = info_int(c, "cols", 1, kMaxModes);
  if (auto it = c.info.find("tile_kind"); it != c.info.end()) {
    const std::optional<TileKind> k = parse_tile_kind(it->second);
    if (!k) bad(c.name, fmt::format("info 'tile_kind' is '{}', not a known tile kind", it->second));
    s.kind = *k;
  }
  return s;
}

namespace {

// A coherent tile's own cell: instances vh, att, u (cells of the right kinds and sizes) wired vh -> att -> u.
// `sub(instance, kind)` reads the sub-cell an instance names and returns its modes (attenuators: its count).
template <class Sub>
int64_t check_coherent(const Cell& c, const TileShape& s, Sub sub) {
  const int64_t rank = info_int(c, "rank", 0, std::min(s.rows, s.cols));
  if (c.instances.size() != 3) bad(c.name, fmt::format("{} instances, expected vh, att, u", c.instances.size()));
  const std::string_view names[3] = {kTileVh, kTileAtt, kTileU};
  for (size_t k = 0; k < 3; ++k)
    if (c.instances[k].name != names[k])
      bad(c.name, fmt::format("instance {} is '{}', expected '{}'", k, c.instances[k].name, names[k]));
  const int64_t vh = sub(c.instances[0], CellKind::Mesh), att = sub(c.instances[1], CellKind::Attenuators),
                u = sub(c.instances[2], CellKind::Mesh);
  if (vh != s.cols)
    bad(c.name, fmt::format("vh mesh '{}' has {} modes, cols is {}", c.instances[0].component, vh, s.cols));
  if (u != s.rows)
    bad(c.name, fmt::format("u mesh '{}' has {} modes, rows is {}", c.instances[2].component, u, s.rows));
  if (att != rank)
    bad(c.name, fmt::format("attenuator cell '{}' has {} modes, rank is {}", c.instances[1].component, att, rank));
  Wiring w(c);
  for (int64_t j = 0; j < s.cols; ++j) w.port(in_port(j), 0, in_port(j));
  for (int64_t i = 0; i < s.rows; ++i) w.port(out_port(i), 2, out_port(i));
  for (int64_t k = 0; k < rank; ++k) {
    w.connect(end(0, port_key(Prefix::Out, k)), end(1, port_key(Prefix::In, k)));
    w.connect(end(1, port_key(Prefix::Out, k)), end(2, port_key(Prefix::In, k)));
  }
  for (int64_t k = rank; k < s.cols; ++k) w.port(drop_port(k), 0, out_port(k));
  for (int64_t k = rank; k < s.rows; ++k) w.port(dark_port(k), 2, in_port(k));
  w.check([](std::string_view name) -> int64_t {
    return name == kTileVh ? 0 : name == kTileAtt ? 1 : name == kTileU ? 2 : -1;
  });
  return rank;
}

std::string who(const Cell& c, const Instance& inst) {
  return fmt::format("cell '{}' instance '{}'", c.name, inst.name);
}

TileView read_tile(const Cells& cells, const Cell& c) {
  const TileShape s = read_tile_shape(c);
  TileView v;
  v.cell = c.name;
  v.rows = s.rows;
  v.cols = s.cols;
  switch (s.kind) {
    case TileKind::CoherentSvd: {
      CoherentTile t;
      t.rank = check_coherent(c, s, [&](const Instance& inst, CellKind kind) -> int64_t {
        const Cell& sub = cells.get(inst.component, kind, who(c, inst));
        if (kind == CellKind::Attenuators) {
          t.att = read_attenuators(sub);
          return static_cast<int64_t>(t.att.attenuators.size());
        }
        MeshView& m = inst.name == kTileVh ? t.vh : t.u;
        m = read_mesh(sub);
        return m.mesh.n;
      });
      v.body = std::move(t);
      break;
    }
  }
  return v;
}

}  // namespace

TileView read_tile(const Netlist& n, const Cell& c) {
  return read_tile(Cells(n), c);
}

TileView read_tile(const Netlist& n, const std::string& cell) {
  const Cells cells(n);
  return read_tile(cells, cells.get(cell, CellKind::Tile, "read_tile"));
}

// ---- Layers and the top cell -------------------------------------------------------------------------------

namespace {

// "t3_12" -> (3, 12); false when the name is not a layer slot's.
bool parse_slot(std::string_view name, int64_t& row, int64_t& col) {
  const size_t us = name.find('_');
  if (us == std::string_view::npos) return false;
  row = indexed(name.substr(0, us), "t");
  col = indexed(name.substr(us), "_");
  return row >= 0 && col >= 0;
}

LayerView read_layer(const Cells& cells, const Cell& c) {
  expect_kind(c, CellKind::Layer);
  LayerView v;
  v.cell = c.name;
  v.node = info_str(c, "node");
  v.op = info_str(c, "op");
  std::unordered_map<std::string_view, int64_t> at;
  at.reserve(c.instances.size());
  for (size_t p = 0; p < c.instances.size(); ++p)
    if (!at.emplace(std::string_view(c.instances[p].name), static_cast<int64_t>(p)).second)
      bad(c.name, fmt::format("two instances are named '{}'", c.instances[p].name));
  std::vector<bool> used(c.instances.size(), false);
  Wiring w(c);
  size_t members = 0;
  // The member `name` of a slot: a `component` on mode `mode`; its position.
  auto member = [&](const std::string& name, std::string_view component, int64_t mode) -> int64_t {
    auto it = at.find(name);
    if (it == at.end()) bad(c.name, fmt::format("missing instance '{}' ({})", name, component));
    const Instance& inst = c.instances[static_cast<size_t>(it->second)];
    expect_component(c, inst, component);
    if (inst.mode != mode) bad(c.name, fmt::format("instance '{}': mode is {}, expected {}", name, inst.mode, mode));
    used[static_cast<size_t>(it->second)] = true;
    return it->second;
  };
  for (size_t p = 0; p < c.instances.size(); ++p) {
    const Instance& inst = c.instances[p];
    LayerSlot s;
    if (!parse_slot(inst.name, s.block_row, s.block_col)) continue;
    const Cell& tile = cells.get(inst.component, CellKind::Tile, who(c, inst));
    const TileShape shape = read_tile_shape(tile);
    s.instance = inst.name;
    s.tile_cell = tile.name;
    s.rows = shape.rows;
    s.cols = shape.cols;
    used[p] = true;
    members += static_cast<size_t>(1 + 2 * s.rows + 2 * s.cols);
    if (members > c.instances.size())
      bad(c.name,
          fmt::format("{} instances, fewer than its slots' tiles, modulators and receivers need", c.instances.size()));
    const auto slot = static_cast<int64_t>(p);
    for (int64_t j = 0; j < s.cols; ++j) {
      const int64_t mod = member(modulator_name(s.instance, j), kModulatorTemplate, j);
      const int64_t dac = member(dac_name(s.instance, j), kDacTemplate, j);
      w.connect(end(mod, port_key(Prefix::O, 2)), end(slot, port_key(Prefix::In, j)));
      w.connect(end(dac, port_key(Prefix::E, 1)), end(mod, port_key(Prefix::E, 1)));
      w.port(laser_port(s.instance, j), mod, "o1");
    }
    for (int64_t i = 0; i < s.rows; ++i) {
      const int64_t rx = member(receiver_name(s.instance, i), kReceiverTemplate, i);
      const int64_t adc = member(adc_name(s.instance, i), kAdcTemplate, i);
      w.connect(end(slot, port_key(Prefix::Out, i)), end(rx, port_key(Prefix::O, 1)));
      w.connect(end(rx, port_key(Prefix::E, 1)), end(adc, port_key(Prefix::E, 1)));
      w.port(lo_port(s.instance, i), rx, "o2");
    }
    for (const CellPort& tp : tile.ports) {
      const int64_t i = indexed(tp.name, "out"), j = indexed(tp.name, "in");
      if ((i >= 0 && i < s.rows) || (j >= 0 && j < s.cols)) continue;
      s.exposed.push_back(tp.name);
      w.port(exposed_port(s.instance, tp.name), slot, tp.name);
    }
    v.slots.push_back(std::move(s));
  }
  for (size_t p = 0; p < c.instances.size(); ++p)
    if (!used[p])
      bad(c.name, fmt::format("unexpected instance '{}' (a layer holds slots t<r>_<c> with their modulators, DACs, "
                              "receivers and ADCs)",
                              c.instances[p].name));
  w.check([&](std::string_view name) -> int64_t {
    auto it = at.find(name);
    return it == at.end() ? -1 : it->second;
  });
  return v;
}

TopView read_top(const Cells& cells, const Cell& c) {
  expect_kind(c, CellKind::Top);
  TopView v;
  v.cell = c.name;
  Wiring w(c);
  size_t ports = 0;
  for (size_t i = 0; i < c.instances.size(); ++i) {
    const Instance& inst = c.instances[i];
    if (indexed(inst.name, kTopLayerPrefix) != static_cast<int64_t>(i))
      bad(c.name,
          fmt::format("instance {} is '{}', expected '{}'", i, inst.name, top_layer_name(static_cast<int64_t>(i))));
    const Cell& layer = cells.get(inst.component, CellKind::Layer, who(c, inst));
    v.layers.push_back(layer.name);
    ports += layer.ports.size();
    if (ports > c.ports.size()) bad(c.name, fmt::format("{} ports, fewer than its layers expose", c.ports.size()));
    for (const CellPort& p : layer.ports) w.port(exposed_port(inst.name, p.name), static_cast<int64_t>(i), p.name);
  }
  w.check([&](std::string_view name) -> int64_t {
    const int64_t i = indexed(name, kTopLayerPrefix);
    return i < static_cast<int64_t>(c.instances.size()) ? i : -1;
  });
  return v;
}

}  // namespace

LayerView read_layer(const Netlist& n, const Cell& c) {
  return read_layer(Cells(n), c);
}

TopView read_top(const Netlist& n, const Cell& c) {
  return read_top(Cells(n), c);
}

// ---- The whole chip ----------------------------------------------------------------------------------------

namespace {

// The stage's tiles are exactly the layer's slots, with their shapes; the layer computes the stage's node.
void check_stage(const circuit::Stage& st, size_t si, const LayerView& layer) {
  auto bad_stage = [&](const std::string& msg) {
    fail("CIRCUIT-CONTRACT", fmt::format("stage {} ('{}'): {}", si, st.node, msg));
  };
  if (layer.node != st.node || layer.op != st.op)
    bad_stage(fmt::format("its layer cell '{}' computes node '{}' ({}), not '{}' ({})", layer.cell, layer.node,
                          layer.op, st.node, st.op));
  std::unordered_map<std::string_view, size_t> slot_of;
  for (size_t k = 0; k < layer.slots.size(); ++k) slot_of.emplace(layer.slots[k].tile_cell, k);
  std::vector<bool> seen(layer.slots.size(), false);
  for (size_t t = 0; t < st.tiles.size(); ++t) {
    const circuit::Tile& tile = st.tiles[t];
    auto it = slot_of.find(tile.cell);
    if (it == slot_of.end())
      bad_stage(fmt::format("tiles[{}] names cell '{}', which no slot of layer '{}' holds", t, tile.cell, layer.cell));
    const LayerSlot& s = layer.slots[it->second];
    if (seen[it->second]) bad_stage(fmt::format("tiles[{}] names cell '{}' a second time", t, tile.cell));
    seen[it->second] = true;
    if (s.rows != tile.rows || s.cols != tile.cols)
      bad_stage(fmt::format("tiles[{}] is {} x {}, its cell '{}' {} x {}", t, tile.rows, tile.cols, tile.cell, s.rows,
                            s.cols));
  }
  for (size_t k = 0; k < layer.slots.size(); ++k)
    if (!seen[k])
      bad_stage(fmt::format("slot '{}' of layer '{}' holds tile '{}', which no tile of the stage names",
                            layer.slots[k].instance, layer.cell, layer.slots[k].tile_cell));
}

}  // namespace

void verify_compiled(const Netlist& n) {
  const Cells cells(n, true);
  // Leaves first: every mesh and attenuator column once (their modes kept), then the cells holding them.
  std::unordered_map<std::string_view, int64_t> modes;
  for (const Cell& c : n.cells) {
    switch (kind_of(c)) {
      case CellKind::Mesh:
        modes[std::string_view(c.name)] = read_mesh(c).mesh.n;
        break;
      case CellKind::Attenuators:
        modes[std::string_view(c.name)] = static_cast<int64_t>(read_attenuators(c).attenuators.size());
        break;
      case CellKind::Tile:
      case CellKind::Layer:
      case CellKind::Top:
        break;
    }
  }
  std::unordered_map<std::string_view, LayerView> layers;
  for (const Cell& c : n.cells) {
    switch (kind_of(c)) {
      case CellKind::Tile: {
        const TileShape s = read_tile_shape(c);
        switch (s.kind) {
          case TileKind::CoherentSvd:
            check_coherent(c, s, [&](const Instance& inst, CellKind kind) {
              return modes.at(cells.get(inst.component, kind, who(c, inst)).name);
            });
            break;
        }
        break;
      }
      case CellKind::Layer:
        layers.emplace(std::string_view(c.name), read_layer(cells, c));
        break;
      case CellKind::Mesh:
      case CellKind::Attenuators:
      case CellKind::Top:
        break;
    }
  }
  std::vector<std::string> optical;
  for (size_t si = 0; si < n.stages.size(); ++si) {
    const circuit::Stage& st = n.stages[si];
    if (st.domain != "optical") continue;
    const Cell& lc = cells.get(st.layer_cell, CellKind::Layer, fmt::format("stage {} ('{}')", si, st.node));
    check_stage(st, si, layers.at(lc.name));
    optical.push_back(lc.name);
  }
  const TopView top = read_top(cells, cells.get(n.top, CellKind::Top, fmt::format("netlist '{}' top", n.name)));
  if (top.layers != optical)
    bad(top.cell,
        fmt::format("holds {} layer(s) ({}), but the optical stages' layer cells are {} ({})", top.layers.size(),
                    fmt::join(top.layers, ", "), optical.size(), fmt::join(optical, ", ")));
}

}  // namespace holo::circuit
