#include "holo/layout/tile_cells.h"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

#include "holo/support/error.h"

namespace holo::layout {
namespace {

// The MZIs of a mesh by their (column, mode) slot, each with its index k (instance circuit::mesh_mzi_name(k)).
// The contract's reader guarantees the MZIs do not overlap and lie on the grid (a mode and the one below it).
std::map<std::pair<int64_t, int64_t>, int64_t> mzi_slots(const circuit::MeshView& m) {
  std::map<std::pair<int64_t, int64_t>, int64_t> at;
  for (size_t k = 0; k < m.mesh.mzis.size(); ++k) {
    const linalg::MziSetting& z = m.mesh.mzis[k];
    if (z.column >= m.mesh.columns || !at.emplace(std::make_pair(z.column, z.mode), k).second)
      internal_error(fmt::format("mesh '{}': {} at column {} mode {} is off the {}-column grid or shares a slot",
                                 m.cell, circuit::mesh_mzi_name(static_cast<int64_t>(k)), z.column, z.mode,
                                 m.mesh.columns));
  }
  return at;
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
  const Cell& mc = lib.cell(mzi_);
  const Cell& pc = lib.cell(ps_);
  for (int k = 0; k < 2; ++k) {
    const std::string e = k ? "e2" : "e1";
    phi_e_[k] = mc.port("phi_" + e).position.x;
    theta_e_[k] = mc.port("theta_" + e).position.x;
    ps_e_[k] = pc.port(e).position.x;
  }
  att_ = attenuator_cell();
}

// A heater site of a shifter whose contacts' centres sit at e[0], e[1] (x, in the unit cell placed at (x, y)):
// the heater is the part between the contacts, the arm under it the shifter's waveguide (contact to contact),
// the other arm (other_dy != 0) the waveguide other_dy below it over the same x.
circuit::ThermalSite TileCells::site(circuit::Shifter k, int64_t index, const Coord e[2], Coord x, Coord y,
                                     Coord other_dy) const {
  const Coord s = p_.contact_size;
  auto um = [](Coord v) { return static_cast<double>(v) / 1000.0; };
  circuit::ThermalSite t;
  t.index = index;
  t.shifter = k;
  t.heater = {um(x + e[0] + s / 2), um(x + e[1] - s / 2), um(y)};
  t.arm = {um(x + e[0] - s / 2), um(x + e[1] + s / 2), um(y)};
  if (other_dy != 0) {
    t.has_other_arm = true;
    t.other_arm = {t.arm.x0_um, t.arm.x1_um, um(y - other_dy)};
  }
  return t;
}

void TileCells::add_mode_ports(Cell& c, int64_t n, Coord length) const {
  for (int64_t m = 0; m < n; ++m) {
    const Coord y = -m * p_.port_pitch;
    c.add_port(Port{circuit::in_port(m), {0, y}, 180, p_.wg_width, p_.layers.wg, PortKind::Optical});
    c.add_port(Port{circuit::out_port(m), {length, y}, 0, p_.wg_width, p_.layers.wg, PortKind::Optical});
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
  att_e_[0] = mc.port("theta_e1").position.x;
  att_e_[1] = mc.port("theta_e2").position.x;
  if (lib.has(name)) return name;
  Cell& c = lib.add_cell(name);
  c.role = CellRole::Attenuator;
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

std::string TileCells::mesh(const circuit::MeshView& mv) {
  const linalg::Mesh& mesh = mv.mesh;
  const int64_t n = mesh.n, cols = mesh.columns;
  const Coord P = p_.port_pitch;
  const std::map<std::pair<int64_t, int64_t>, int64_t> mzis = mzi_slots(mv);
  // After the last column each mode ends in the output screen's shifter ps<i> (on every mode, when the mesh has
  // a screen) or, on a mode no MZI touches, in the pass-through waveguide wg<i>.
  const bool screen = !mesh.output_phase_rad.empty();
  const bool has_last = screen || !mv.pass_modes.empty();
  const Coord l_last = !has_last ? 0 : (screen ? lps_ : lm_);
  CellFacts inf;
  inf.modes = n;
  inf.y_bot = router_.y_bot(n);
  std::vector<Coord> fill(static_cast<size_t>(n), 0);
  std::vector<bool> busy(static_cast<size_t>(n));
  Cell& c = f_.library().add_cell(mv.cell);
  c.role = CellRole::Mesh;
  const std::string wg_m = f_.straight(lm_);
  // Columns west to east, each preceded by a wiring channel for its drive wires and the previous column's
  // ground wires; a last channel takes the final column's ground wires.
  Coord x = 0;
  std::vector<Coord> grounds;
  int64_t channels = 0;
  auto add_unit = [&](std::vector<Drive> drives, Coord column) {
    const Coord W = router_.unit(c, x, grounds, std::move(drives), column, inf.y_bot, inf.wiring);
    channel_fill(c, x, W, n, fmt::format("ch{}", channels), fill);
    inf.uniform_fill += W;
    ++channels;
    x += W;
    grounds.clear();
  };
  for (int64_t col = 0; col < cols; ++col) {
    std::vector<Drive> drives;
    for (auto it = mzis.lower_bound({col, 0}); it != mzis.end() && it->first.first == col; ++it) {
      const Coord y0 = -it->first.second * P;
      const std::string name = circuit::mesh_mzi_name(it->second);
      drives.push_back({y0 + dy_phi_, name, "phi_rad"});
      drives.push_back({y0 + dy_theta_, name, "theta_rad"});
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
      for (int64_t r = 0; r < count; ++r) {
        const int64_t mode = m0 + 2 * r, k = mzis.at({col, mode});
        inf.sites.push_back(site(circuit::Shifter::Phi, k, phi_e_, x, -mode * P, P));
        inf.sites.push_back(site(circuit::Shifter::Theta, k, theta_e_, x, -mode * P, P));
      }
      const Trans t = Trans::translate({x, -m0 * P});
      if (count == 1)
        c.add_ref(mzi_w_, t, circuit::mesh_mzi_name(mzis.at({col, m0})));
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
  if (has_last) {
    std::vector<Drive> drives;
    if (screen)
      for (int64_t m = 0; m < n; ++m) drives.push_back({-m * P, circuit::mesh_screen_name(m), "phi_rad"});
    add_unit(std::move(drives), l_last);
    const std::string wg_last = f_.straight(l_last);
    std::vector<bool> pass(static_cast<size_t>(n), false);
    for (int32_t m : mv.pass_modes) pass[static_cast<size_t>(m)] = true;
    for (int64_t m = 0; m < n; ++m) {
      const Trans t = Trans::translate({x, -m * P});
      if (screen) {
        c.add_ref(ps_, t, circuit::mesh_screen_name(m));
        inf.sites.push_back(site(circuit::Shifter::Screen, m, ps_e_, x, -m * P, 0));
        grounds.push_back(-m * P);
        ++inf.heaters;
      } else if (pass[static_cast<size_t>(m)]) {
        c.add_ref(wg_last, t, circuit::mesh_pass_name(m));
      } else {
        c.add_ref(wg_last, t, fmt::format("fill_c{}_m{}", cols, m));
        fill[static_cast<size_t>(m)] += l_last;
      }
    }
    x += l_last;
    if (!screen) inf.uniform_fill += l_last;  // every mode ends in a pass-through waveguide or a filler
  }
  add_unit({}, 0);
  inf.slot_length = lm_;
  inf.length = x;
  inf.heaters += 2 * inf.mzis;
  inf.worst_fill = fill.empty() ? 0 : *std::max_element(fill.begin(), fill.end());
  inf.track_length = static_cast<double>(inf.length) * static_cast<double>(n);
  add_mode_ports(c, n, inf.length);
  facts_[mv.cell] = std::move(inf);
  return mv.cell;
}

std::string TileCells::attenuators(const circuit::AttenuatorColumn& a) {
  const auto n = static_cast<int64_t>(a.attenuators.size());
  const Coord P = p_.port_pitch;
  Cell& c = f_.library().add_cell(a.cell);
  c.role = CellRole::AttenuatorColumn;
  CellFacts inf;
  inf.modes = n;
  inf.y_bot = router_.y_bot(n);
  std::vector<Drive> drives;
  std::vector<Coord> grounds, fill(static_cast<size_t>(n), 0);
  // Attenuator k (instance circuit::attenuator_name(k)) sits on mode k.
  for (int64_t k = 0; k < n; ++k) {
    drives.push_back({-k * P, circuit::attenuator_name(k), "theta_rad"});
    grounds.push_back(-k * P);
  }
  // A channel before the column takes the drives, one after it the grounds.
  const Coord w_in = router_.unit(c, 0, {}, std::move(drives), latt_, inf.y_bot, inf.wiring);
  channel_fill(c, 0, w_in, n, "ch0", fill);
  for (int64_t k = 0; k < n; ++k) {
    c.add_ref(att_, Trans::translate({w_in, -k * P}), circuit::attenuator_name(k));
    inf.sites.push_back(site(circuit::Shifter::Theta, k, att_e_, w_in, -k * P, P / 2));
  }
  const Coord w_out = router_.unit(c, w_in + latt_, grounds, {}, 0, inf.y_bot, inf.wiring);
  channel_fill(c, w_in + latt_, w_out, n, "ch1", fill);
  inf.length = w_in + latt_ + w_out;
  inf.mzis = inf.heaters = n;
  inf.worst_fill = w_in + w_out;
  inf.uniform_fill = w_in + w_out;
  inf.track_length = static_cast<double>(inf.length) * static_cast<double>(n);
  add_mode_ports(c, n, inf.length);
  facts_[a.cell] = std::move(inf);
  return a.cell;
}

std::string TileCells::tile(const circuit::TileView& t, const std::map<std::string, std::string>& cell_of) {
  // One lambda per tile kind (no generic one): a new TileKind fails to compile here until it is laid out.
  return std::visit(circuit::Overloaded{[&](const circuit::CoherentTile& ct) { return coherent_tile(t, ct, cell_of); }},
                    t.body);
}

// vh at x = 0, att after it, u after that; the tile's ports at the parts' edges.
std::string TileCells::coherent_tile(const circuit::TileView& t, const circuit::CoherentTile& ct,
                                     const std::map<std::string, std::string>& cell_of) {
  auto laid_out = [&](const std::string& cell) -> const std::string& {
    auto it = cell_of.find(cell);
    if (it == cell_of.end()) internal_error(fmt::format("tile '{}': its part '{}' is not laid out", t.cell, cell));
    return it->second;
  };
  const std::string& vh_cell = laid_out(ct.vh.cell);
  const std::string& att_cell = laid_out(ct.att.cell);
  const std::string& u_cell = laid_out(ct.u.cell);
  const CellFacts& vh = facts_.at(vh_cell);
  const CellFacts& at = facts_.at(att_cell);
  const CellFacts& u = facts_.at(u_cell);
  const std::string inst[3] = {std::string(circuit::kTileVh), std::string(circuit::kTileAtt),
                               std::string(circuit::kTileU)};
  Cell& c = f_.library().add_cell(t.cell);
  c.role = CellRole::Tile;
  c.add_ref(vh_cell, Trans{}, inst[0]);
  c.add_ref(att_cell, Trans::translate({vh.length, 0}), inst[1]);
  c.add_ref(u_cell, Trans::translate({vh.length + at.length, 0}), inst[2]);
  const Coord P = p_.port_pitch, len = vh.length + at.length + u.length;
  auto port = [&](const std::string& name, Coord x, int64_t m, int angle) {
    c.add_port(Port{name, {x, -m * P}, angle, p_.wg_width, p_.layers.wg, PortKind::Optical});
  };
  for (int64_t j = 0; j < t.cols; ++j) port(circuit::in_port(j), 0, j, 180);
  for (int64_t i = 0; i < t.rows; ++i) port(circuit::out_port(i), len, i, 0);
  for (int64_t k = ct.rank; k < t.cols; ++k) port(circuit::drop_port(k), vh.length, k, 0);
  for (int64_t k = ct.rank; k < t.rows; ++k) port(circuit::dark_port(k), vh.length + at.length, k, 180);
  CellFacts inf;
  inf.modes = std::max(t.rows, t.cols);
  inf.y_bot = std::min({vh.y_bot, at.y_bot, u.y_bot});
  // The cells' pads (named by tile and cell here) and how far their pad fields reach beyond the tile's edges.
  const Coord offset[3] = {0, vh.length, vh.length + at.length};
  const std::string* part[3] = {&ct.vh.cell, &ct.att.cell, &ct.u.cell};
  const CellFacts* sub[3] = {&vh, &at, &u};
  WiringFacts& w = inf.wiring;
  for (int k = 0; k < 3; ++k) {
    const WiringFacts& sw = sub[k]->wiring;
    for (WiredPad pd : sw.pads) {
      pd.center.x += offset[k];
      pd.tile = t.cell;
      pd.cell = *part[k];
      w.pads.push_back(std::move(pd));
    }
    w.up_height = std::max(w.up_height, sw.up_height);
    w.down_height = std::max(w.down_height, sw.down_height - (sub[k]->y_bot - inf.y_bot));
    w.wire_nm += sw.wire_nm;
    w.ground_pads += sw.ground_pads;
    const double dx_um = static_cast<double>(offset[k]) / 1000.0;
    for (circuit::ThermalSite st : sub[k]->sites) {
      st.part = inst[k];
      for (circuit::SegmentUm* g : {&st.heater, &st.arm, &st.other_arm}) {
        g->x0_um += dx_um;
        g->x1_um += dx_um;
      }
      inf.sites.push_back(std::move(st));
    }
  }
  inf.length = len;
  inf.worst_fill = vh.worst_fill + at.worst_fill + u.worst_fill;
  inf.uniform_fill = vh.uniform_fill + at.uniform_fill + u.uniform_fill;
  inf.slot_length = lm_;
  inf.heaters = vh.heaters + at.heaters + u.heaters;
  inf.mzis = vh.mzis + at.mzis + u.mzis;
  inf.track_length = vh.track_length + at.track_length + u.track_length;
  facts_[t.cell] = inf;
  return t.cell;
}

}  // namespace holo::layout
