#include "holo/layout/tile_cells.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "holo/support/error.h"

namespace holo::layout {
namespace {

[[noreturn]] void bad(const std::string& cell, const std::string& what) {
  fail("LAYOUT-NETLIST", fmt::format("netlist cell '{}': {}", cell, what));
}

int64_t info_int(const circuit::Cell& c, const std::string& key) {
  auto it = c.info.find(key);
  if (it == c.info.end()) bad(c.name, fmt::format("info '{}' missing", key));
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    bad(c.name, fmt::format("info '{}' = '{}' is not an integer", key, it->second));
  }
}

// The slots of a mesh cell: which (column, mode) the netlist's MZIs fill, and what ends each mode after the
// last column (an output phase-screen shifter or a plain waveguide).
struct MeshSlots {
  std::map<std::pair<int64_t, int64_t>, const circuit::Instance*> mzis;
  std::map<int64_t, const circuit::Instance*> last;
  bool screen = false;
};

MeshSlots mesh_slots(const circuit::Cell& nc, int64_t n, int64_t cols) {
  MeshSlots s;
  for (const circuit::Instance& in : nc.instances) {
    if (in.component == "mzi") {
      if (in.column < 0 || in.column >= cols || in.mode < 0 || in.mode + 1 >= n)
        bad(nc.name, fmt::format("{} at column {} mode {} is outside the {}-mode, {}-column mesh", in.name, in.column,
                                 in.mode, n, cols));
      if (!s.mzis.emplace(std::make_pair(int64_t{in.column}, int64_t{in.mode}), &in).second)
        bad(nc.name, fmt::format("two MZIs at column {} mode {}", in.column, in.mode));
    } else if (in.component == "phase_shifter" || in.component == "waveguide") {
      if (in.mode < 0 || in.mode >= n) bad(nc.name, fmt::format("{} on mode {} of {}", in.name, in.mode, n));
      s.last[in.mode] = &in;
    } else {
      bad(nc.name, fmt::format("instance {} of '{}' does not belong in a mesh", in.name, in.component));
    }
  }
  s.screen =
      std::any_of(s.last.begin(), s.last.end(), [](const auto& kv) { return kv.second->component == "phase_shifter"; });
  return s;
}

}  // namespace

TileCells::TileCells(CellFactory& f, HeaterRouter& router) : f_(f), router_(router), p_(f.params()) {
  Library& lib = f_.library();
  mzi_ = f_.mzi(true);
  ps_ = f_.phase_shifter();
  lm_ = lib.cell(mzi_).port("o3").position.x;
  lps_ = lib.cell(ps_).port("o2").position.x;
  mzi_w_ = f_.mzi_wired();
  const Cell& mw = lib.cell(mzi_w_);
  dy_phi_ = mw.port("phi").position.y;
  dy_theta_ = mw.port("theta").position.y;
  dy_gnd_ = mw.port("gnd").position.y;
  att_ = attenuator_cell();
}

void TileCells::add_mode_ports(Cell& c, int64_t n, Coord length) const {
  for (int64_t m = 0; m < n; ++m) {
    const Coord y = -m * p_.port_pitch;
    c.add_port(Port{fmt::format("in{}", m), {0, y}, 180, p_.wg_width, p_.layers.wg, PortKind::Optical});
    c.add_port(Port{fmt::format("out{}", m), {length, y}, 0, p_.wg_width, p_.layers.wg, PortKind::Optical});
  }
}

// Straight fillers over a channel on every mode (paths stay equal in length).
void TileCells::channel_fill(Cell& c, Coord x0, Coord W, int64_t n, const std::string& tag, std::vector<Coord>& fill) {
  if (W == 0) return;
  c.add_array(f_.straight(W), Trans::translate({x0, 0}), 1, static_cast<int32_t>(n), {W, 0}, {0, -p_.port_pitch},
              "fill_" + tag);
  for (Coord& v : fill) v += W;
}

// An MZI attenuator whose two arms sit at half the mode pitch, so attenuators on neighbouring modes fit one
// column at the mode pitch; the cross output ends open inside the cell (the dump), at half a pitch below the
// mode's track, where no other waveguide runs.
std::string TileCells::attenuator_cell() {
  if (p_.port_pitch % 4 != 0)
    fail("LAYOUT-PARAM", fmt::format("port pitch {} nm is not a multiple of 4", p_.port_pitch));
  LayoutParams half = p_;
  half.port_pitch = p_.port_pitch / 2;
  Library& lib = f_.library();
  CellFactory hf(lib, half);
  std::string m = hf.mzi(false);
  std::string name = fmt::format("att_P{}", half.port_pitch);
  const Cell& mc = lib.cell(m);
  latt_ = mc.port("o3").position.x;
  if (lib.has(name)) return name;
  Cell& c = lib.add_cell(name);
  c.add_ref(m, Trans{}, "mzi");
  add_attenuator_ports(c, mc);
  // Heater wiring: the drive contact e1 to the west edge, the ground contact e2 to the east edge, on the arm.
  const RoutingLayer& metal = p_.metals.contact();
  const Coord hw = metal.wire_width / 2;
  const Coord e1 = mc.port("theta_e1").position.x, e2 = mc.port("theta_e2").position.x;
  c.add_box(metal.layer, Box{0, -hw, e1, hw});
  c.add_box(metal.layer, Box{e2, -hw, latt_, hw});
  return name;
}

std::string TileCells::mesh(const circuit::Cell& nc) {
  const int64_t n = info_int(nc, "n");
  const int64_t cols = info_int(nc, "columns");
  if (n < 1 || cols < 0) bad(nc.name, "n must be >= 1 and columns >= 0");
  const Coord P = p_.port_pitch;
  const MeshSlots slots = mesh_slots(nc, n, cols);
  const auto& mzis = slots.mzis;
  const auto& last = slots.last;
  const Coord l_last = last.empty() ? 0 : (slots.screen ? lps_ : lm_);
  CellFacts inf;
  inf.modes = n;
  inf.y_bot = router_.y_bot(n);
  std::vector<Coord> fill(static_cast<size_t>(n), 0);
  std::vector<bool> busy(static_cast<size_t>(n));
  Cell& c = f_.library().add_cell(nc.name);
  const std::string wg_m = f_.straight(lm_);
  // Columns west to east, each preceded by a wiring channel for its drive wires and the previous column's
  // ground wires; a last channel takes the final column's ground wires.
  Coord x = 0;
  std::vector<Coord> grounds;
  int64_t channels = 0;
  auto add_unit = [&](std::vector<Drive> drives, Coord column) {
    const Coord W = router_.unit(c, x, grounds, std::move(drives), column, inf.y_bot, inf.wiring);
    channel_fill(c, x, W, n, fmt::format("ch{}", channels), fill);
    ++channels;
    x += W;
    grounds.clear();
  };
  for (int64_t col = 0; col < cols; ++col) {
    std::vector<Drive> drives;
    for (auto it = mzis.lower_bound({col, 0}); it != mzis.end() && it->first.first == col; ++it) {
      const Coord y0 = -it->first.second * P;
      drives.push_back({y0 + dy_phi_, it->second->name, "phi_rad"});
      drives.push_back({y0 + dy_theta_, it->second->name, "theta_rad"});
    }
    add_unit(std::move(drives), lm_);
    std::fill(busy.begin(), busy.end(), false);
    for (auto it = mzis.lower_bound({col, 0}); it != mzis.end() && it->first.first == col;) {
      // A run of MZIs at modes m0, m0 + 2, ... becomes one array reference.
      const int64_t m0 = it->first.second;
      int64_t count = 0;
      while (it != mzis.end() && it->first.first == col && it->first.second == m0 + 2 * count) {
        busy[static_cast<size_t>(it->first.second)] = busy[static_cast<size_t>(it->first.second + 1)] = true;
        grounds.push_back(-it->first.second * P + dy_gnd_);
        ++count;
        ++it;
      }
      if (count == 0) internal_error("mesh layout: empty MZI run");
      const Trans t = Trans::translate({x, -m0 * P});
      if (count == 1)
        c.add_ref(mzi_w_, t, mzis.at({col, m0})->name);
      else
        c.add_array(mzi_w_, t, 1, static_cast<int32_t>(count), {lm_, 0}, {0, -2 * P}, fmt::format("zc{}m{}", col, m0));
      inf.mzis += count;
    }
    for (int64_t m = 0; m < n; ++m)
      if (!busy[static_cast<size_t>(m)]) {
        c.add_ref(wg_m, Trans::translate({x, -m * P}), fmt::format("fill_c{}_m{}", col, m));
        fill[static_cast<size_t>(m)] += lm_;
      }
    x += lm_;
  }
  if (!last.empty()) {
    std::vector<Drive> drives;
    for (const auto& [m, in] : last)
      if (in->component == "phase_shifter") drives.push_back({-m * P, in->name, "phi_rad"});
    add_unit(std::move(drives), l_last);
    const std::string wg_last = f_.straight(l_last);
    for (int64_t m = 0; m < n; ++m) {
      const Trans t = Trans::translate({x, -m * P});
      auto it = last.find(m);
      if (it == last.end()) {
        c.add_ref(wg_last, t, fmt::format("fill_c{}_m{}", cols, m));
        fill[static_cast<size_t>(m)] += l_last;
      } else if (it->second->component == "phase_shifter") {
        c.add_ref(ps_, t, it->second->name);
        grounds.push_back(-m * P);
        ++inf.heaters;
      } else {
        c.add_ref(wg_last, t, it->second->name);
      }
    }
    x += l_last;
  }
  add_unit({}, 0);
  inf.length = x;
  inf.heaters += 2 * inf.mzis;
  inf.worst_fill = fill.empty() ? 0 : *std::max_element(fill.begin(), fill.end());
  inf.track_length = static_cast<double>(inf.length) * static_cast<double>(n);
  add_mode_ports(c, n, inf.length);
  facts_[nc.name] = std::move(inf);
  return nc.name;
}

std::string TileCells::attenuators(const circuit::Cell& nc) {
  const int64_t n = info_int(nc, "n");
  const Coord P = p_.port_pitch;
  Cell& c = f_.library().add_cell(nc.name);
  std::set<int64_t> seen;
  CellFacts inf;
  inf.modes = n;
  inf.y_bot = router_.y_bot(n);
  std::vector<Drive> drives;
  std::vector<Coord> grounds, fill(static_cast<size_t>(n), 0);
  for (const circuit::Instance& in : nc.instances) {
    if (in.component != "attenuator" || in.mode < 0 || in.mode >= n || !seen.insert(in.mode).second)
      bad(nc.name,
          fmt::format("instance {} ({} on mode {}) is not one attenuator per mode", in.name, in.component, in.mode));
    drives.push_back({-in.mode * P, in.name, "theta_rad"});
    grounds.push_back(-in.mode * P);
  }
  // A channel before the column takes the drives, one after it the grounds.
  const Coord w_in = router_.unit(c, 0, {}, std::move(drives), latt_, inf.y_bot, inf.wiring);
  channel_fill(c, 0, w_in, n, "ch0", fill);
  for (const circuit::Instance& in : nc.instances) c.add_ref(att_, Trans::translate({w_in, -in.mode * P}), in.name);
  const Coord w_out = router_.unit(c, w_in + latt_, grounds, {}, 0, inf.y_bot, inf.wiring);
  channel_fill(c, w_in + latt_, w_out, n, "ch1", fill);
  inf.length = w_in + latt_ + w_out;
  inf.mzis = inf.heaters = static_cast<int64_t>(nc.instances.size());
  inf.worst_fill = w_in + w_out;
  inf.track_length = static_cast<double>(inf.length) * static_cast<double>(n);
  add_mode_ports(c, n, inf.length);
  facts_[nc.name] = std::move(inf);
  return nc.name;
}

std::string TileCells::tile(const circuit::Cell& nc, const std::map<std::string, std::string>& cell_of) {
  std::map<std::string, const circuit::Instance*> by;
  for (const circuit::Instance& in : nc.instances) by[in.name] = &in;
  for (const char* k : {"vh", "att", "u"})
    if (!by.count(k) || !cell_of.count(by[k]->component))
      bad(nc.name, fmt::format("instance '{}' missing or not a laid-out cell", k));
  const std::string& vh_cell = cell_of.at(by["vh"]->component);
  const std::string& att_cell = cell_of.at(by["att"]->component);
  const std::string& u_cell = cell_of.at(by["u"]->component);
  const CellFacts& vh = facts_.at(vh_cell);
  const CellFacts& at = facts_.at(att_cell);
  const CellFacts& u = facts_.at(u_cell);
  Cell& c = f_.library().add_cell(nc.name);
  c.add_ref(vh_cell, Trans{}, "vh");
  c.add_ref(att_cell, Trans::translate({vh.length, 0}), "att");
  c.add_ref(u_cell, Trans::translate({vh.length + at.length, 0}), "u");
  const Coord P = p_.port_pitch, len = vh.length + at.length + u.length;
  auto port = [&](const std::string& name, Coord x, int64_t m, int angle) {
    c.add_port(Port{name, {x, -m * P}, angle, p_.wg_width, p_.layers.wg, PortKind::Optical});
  };
  for (int64_t j = 0; j < vh.modes; ++j) port(fmt::format("in{}", j), 0, j, 180);
  for (int64_t i = 0; i < u.modes; ++i) port(fmt::format("out{}", i), len, i, 0);
  for (int64_t k = at.modes; k < vh.modes; ++k) port(fmt::format("drop{}", k), vh.length, k, 0);
  for (int64_t k = at.modes; k < u.modes; ++k) port(fmt::format("dark{}", k), vh.length + at.length, k, 180);
  CellFacts inf;
  inf.modes = std::max(vh.modes, u.modes);
  inf.y_bot = std::min({vh.y_bot, at.y_bot, u.y_bot});
  // The cells' pads (named by tile and cell here) and how far their pad fields reach beyond the tile's edges.
  const Coord offset[3] = {0, vh.length, vh.length + at.length};
  const char* part[3] = {"vh", "att", "u"};
  const CellFacts* sub[3] = {&vh, &at, &u};
  WiringFacts& w = inf.wiring;
  for (int k = 0; k < 3; ++k) {
    const std::string& cell = by[part[k]]->component;
    const WiringFacts& sw = sub[k]->wiring;
    for (WiredPad pd : sw.pads) {
      pd.center.x += offset[k];
      pd.tile = nc.name;
      pd.cell = cell;
      w.pads.push_back(std::move(pd));
    }
    w.up_height = std::max(w.up_height, sw.up_height);
    w.down_height = std::max(w.down_height, sw.down_height - (sub[k]->y_bot - inf.y_bot));
    w.wire_nm += sw.wire_nm;
    w.ground_pads += sw.ground_pads;
  }
  inf.length = len;
  inf.worst_fill = vh.worst_fill + at.worst_fill + u.worst_fill;
  inf.heaters = vh.heaters + at.heaters + u.heaters;
  inf.mzis = vh.mzis + at.mzis + u.mzis;
  inf.track_length = vh.track_length + at.track_length + u.track_length;
  facts_[nc.name] = inf;
  return nc.name;
}

}  // namespace holo::layout
