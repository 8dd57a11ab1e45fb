#include "holo/layout/chip.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

#include "holo/layout/cells.h"
#include "holo/layout/extract.h"
#include "holo/layout/params.h"
#include "holo/layout/test_structures.h"
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

// A heater wire leaving a column: its y and the heater it drives (netlist instance, program.csv parameter).
struct Drive {
  Coord y = 0;
  std::string instance, parameter;
};

Port optical_port(const LayoutParams& p, const std::string& name, Point at, int angle) {
  return Port{name, at, angle, p.wg_width, p.layers.wg, PortKind::Optical};
}

struct Builder {
  const pdk::Pdk& pdk;
  LayoutParams p;
  ChipLayout& chip;
  CellFactory f;
  std::string mzi, ps, att;
  Coord lm = 0, lps = 0, latt = 0;
  // Per layout cell: its x length, number of modes, worst filler length on any mode, heaters, and its heater
  // wiring: bond pads (centres in the cell) and how far the pad fields reach above y_top and below y_bot.
  struct Info {
    Coord length = 0;
    int64_t modes = 0;
    Coord worst_fill = 0;
    int64_t heaters = 0, mzis = 0;
    double track_length = 0;  // summed x extent of the optical elements, nm
    Coord y_bot = 0;
    Coord up_height = 0, down_height = 0;
    std::vector<WiredPad> pads;
    double wire_nm = 0;
    int64_t ground_pads = 0;
  };
  std::map<std::string, Info> info;
  Coord ww = 0, ws = 0, g = 0;  // wire width, space, pitch
  std::string mzi_w;
  Coord dy_phi = 0, dy_theta = 0, dy_gnd = 0;  // wired MZI's drive / ground wires relative to its upper arm
  std::string io_bend;                         // the I/O fan-out's 90-degree Euler bend
  Point io_bend_end;                           // its o2 (o1 at the origin heading east: advance x, lateral y)
  // Wiring unit cells by geometry (same-parity mesh columns share one), and their pads and wire length.
  struct UnitCell {
    std::string name;
    Coord up_height = 0, down_height = 0;
    std::vector<Point> up_pads, down_pads;  // per wire, west to east as the wires' tracks
    double wire_nm = 0;
  };
  std::map<std::string, UnitCell> units;
  static constexpr int64_t kMaxPadRows = 12;

  Coord y_top() const { return p.port_pitch; }
  Coord y_bot(int64_t n) const { return -n * p.port_pitch; }

  // Width of a wiring channel holding a ground track (when `grounds`) and the tracks of `drives` drive wires,
  // half of them going up and half down on shared x positions.
  Coord channel_width(bool grounds, size_t drives) const {
    const Coord k = static_cast<Coord>((drives + 1) / 2);
    if (!grounds && k == 0) return 0;
    return k * g + ws + (grounds ? g : 0);
  }

  // Pitch of pad columns whose west gaps hold `rows` wires each.
  Coord pad_column_pitch(int64_t rows) const {
    return std::max(p.pad_pitch, (p.pad_size + rows * g + ws + 999) / 1000 * 1000);
  }

  // Rows of pads for `m` wires across `width` (at most kMaxPadRows; 0 when even that needs more width).
  int64_t pad_rows(size_t m, Coord width) const {
    if (m == 0) return 1;
    for (int64_t r = 1; r <= kMaxPadRows; ++r)
      if (width / pad_column_pitch(r) * r >= static_cast<int64_t>(m)) return r;
    return 0;
  }
  Coord width_for_pads(size_t m) const {
    const int64_t cols = (static_cast<int64_t>(m) + kMaxPadRows - 1) / kMaxPadRows;
    return cols * pad_column_pitch(kMaxPadRows);
  }

  // The pads of wires leaving a unit's edge at x positions `src` (sorted, unit coordinates) and the fan-out to
  // them, going up (dir +1) or down (-1) from y_edge, in `width`: `rows` rows of pads (row 0 nearest the
  // edge), each pad entered from the gap to its west, which holds the wires of that pad column (the farthest
  // row's wire westmost, so each wire turns into its pad without crossing the ones going further); between
  // the edge and the pads each wire moves from its track to its gap position on its own level, ordered so no
  // two wires cross (west-moving: a wire turns above every earlier west-moving wire whose span it comes near;
  // east-moving: mirrored). Returns the height used; the pad centres go to `pads`.
  Coord pad_group(Cell& c, const std::vector<Coord>& src, Coord width, Coord y_edge, int dir, int64_t rows,
                  std::vector<Point>& pads, double& wire_nm) {
    const int64_t M = static_cast<int64_t>(src.size());
    if (M == 0) return 0;
    const Coord hw = ww / 2, pad = p.pad_size;
    const int64_t cols = (M + rows - 1) / rows;
    const Coord pitch = std::max(pad_column_pitch(rows), width / cols / 1000 * 1000);
    const Coord first = pitch - pad / 2;  // pad right-aligned in its slot, its gap to the west
    std::vector<Coord> tgt(static_cast<size_t>(M));
    std::vector<int64_t> col(static_cast<size_t>(M)), row(static_cast<size_t>(M)), level(static_cast<size_t>(M));
    for (int64_t k = 0; k < M; ++k) {
      col[k] = k / rows;
      row[k] = rows - 1 - k % rows;
      tgt[k] = first + col[k] * pitch - pad / 2 - ws - hw - row[k] * g;
    }
    std::vector<int64_t> moved;
    for (int64_t k = 0; k < M; ++k)
      if (tgt[k] < src[k]) {
        for (auto it = moved.rbegin(); it != moved.rend() && src[*it] + 2 * g > tgt[k]; ++it)
          level[k] = std::max(level[k], level[*it] + 1);
        moved.push_back(k);
      }
    moved.clear();
    for (int64_t k = M - 1; k >= 0; --k)
      if (tgt[k] > src[k]) {
        for (auto it = moved.rbegin(); it != moved.rend() && src[*it] - 2 * g < tgt[k]; ++it)
          level[k] = std::max(level[k], level[*it] + 1);
        moved.push_back(k);
      }
    const Coord fan = (1 + *std::max_element(level.begin(), level.end())) * g + ws;
    const LayerSpec m2 = p.layers.m2;
    auto box = [&](Coord x0, Coord a, Coord x1, Coord b) {
      wire_nm += static_cast<double>(std::max(x1 - x0, b - a));
      c.add_box(m2, Box::of(x0, y_edge + dir * a, x1, y_edge + dir * b));
    };
    for (int64_t k = 0; k < M; ++k) {
      const Coord s = src[k], t = tgt[k], L = ws + hw + level[k] * g, R = fan + pad / 2 + row[k] * p.pad_pitch;
      const Coord xc = first + col[k] * pitch;
      if (s == t) {
        box(s - hw, -hw, s + hw, R + hw);
      } else {
        box(s - hw, -hw, s + hw, L + hw);
        box(std::min(s, t) - hw, L - hw, std::max(s, t) + hw, L + hw);
        box(t - hw, L - hw, t + hw, R + hw);
      }
      box(t - hw, R - hw, xc - pad / 2 + ww, R + hw);
      pads.push_back({xc, y_edge + dir * R});
    }
    // One array reference per pad row (the last column may lack its nearest rows).
    const std::string pad_cell = f.bond_pad();
    const int64_t in_last = M - (cols - 1) * rows;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t count = cols - 1 + (rows - 1 - r < in_last ? 1 : 0);
      if (count <= 0) continue;
      const Trans t = Trans::translate({first, y_edge + dir * (fan + pad / 2 + r * p.pad_pitch)});
      if (count == 1)
        c.add_ref(pad_cell, t, fmt::format("pad_{}{}", dir > 0 ? "n" : "s", r));
      else
        c.add_array(pad_cell, t, static_cast<int32_t>(count), 1, {pitch, 0}, {0, 0},
                    fmt::format("pads_{}{}", dir > 0 ? "n" : "s", r));
    }
    return fan + pad + (rows - 1) * p.pad_pitch;
  }

  // One wiring unit of a cell at x: a channel, then (unless `column` is 0) the column of length `column` east
  // of it, with the pads of the channel's wires above and below the unit. In the channel, the ground wires
  // arriving from the west edge at y in `grounds` join one track at its west side that runs up; each drive
  // wire arriving from the east edge gets its own track. Drives sorted by y: the upper half go up, the lower
  // half down; the highest up-going drive takes the eastmost track, the next one the track west of it, and
  // so on (each stub then passes under the tracks east of it, which start higher: no crossing), mirrored for
  // the down-going ones, which share the x positions (their tracks lie below every up track). The channel
  // is widened when the pads need more width than the unit has (at most kMaxPadRows rows). The geometry is
  // a cell shared by units alike. Returns the channel width; the unit's pads, labelled, go to inf.pads.
  Coord wiring_unit(Cell& c, Coord x, const std::vector<Coord>& grounds, std::vector<Drive> drives, Coord column,
                    Info& inf) {
    Coord W = channel_width(!grounds.empty(), drives.size());
    if (W == 0) return 0;
    std::sort(drives.begin(), drives.end(), [](const Drive& a, const Drive& b) { return a.y > b.y; });
    const size_t n_up = (drives.size() + 1) / 2, n_down = drives.size() - n_up;
    const size_t m_up = n_up + (grounds.empty() ? 0 : 1), m_max = std::max(m_up, n_down);
    int64_t rows = pad_rows(m_max, W + column);
    if (rows == 0) {
      W = std::max(W, width_for_pads(m_max) - column);
      rows = pad_rows(m_max, W + column);
      if (rows == 0) internal_error("wiring unit: widened channel still too narrow for its pads");
    }
    const Coord hw = ww / 2;
    std::string key = fmt::format("{}:{}:{}:{}:{}:", W, column, rows, inf.y_bot, n_up);
    for (Coord y : grounds) key += fmt::format("g{}", y);
    for (const Drive& d : drives) key += fmt::format("d{}", d.y);
    auto it = units.find(key);
    if (it == units.end()) {
      UnitCell u;
      u.name = fmt::format("wires_{}", units.size());
      Cell& wc = chip.lib.add_cell(u.name);
      const LayerSpec m2 = p.layers.m2;
      auto box = [&](Box b) {
        u.wire_nm += static_cast<double>(std::max(b.width(), b.height()));
        wc.add_box(m2, b);
      };
      std::vector<std::pair<Coord, int>> up, down;  // (x, drive index or -1 for ground)
      if (!grounds.empty()) {
        const Coord xg = ws + hw;
        const Coord lo = *std::min_element(grounds.begin(), grounds.end());
        for (Coord y : grounds) box(Box{-hw, y - hw, xg + hw, y + hw});
        box(Box{xg - hw, lo - hw, xg + hw, y_top()});
        up.push_back({xg, -1});
      }
      for (size_t i = 0; i < drives.size(); ++i) {
        const bool going_up = i < n_up;
        const size_t k = going_up ? i : drives.size() - 1 - i;  // rank from the far end of its direction
        const Coord xt = W - ws - hw - static_cast<Coord>(k) * g, y = drives[i].y;
        box(Box{xt - hw, y - hw, W + hw, y + hw});
        if (going_up)
          box(Box{xt - hw, y - hw, xt + hw, y_top()});
        else
          box(Box{xt - hw, inf.y_bot, xt + hw, y + hw});
        (going_up ? up : down).push_back({xt, static_cast<int>(i)});
      }
      std::sort(up.begin(), up.end());
      std::sort(down.begin(), down.end());
      std::vector<Coord> sx;
      for (const auto& e : up) sx.push_back(e.first);
      u.up_height = pad_group(wc, sx, W + column, y_top(), +1, rows, u.up_pads, u.wire_nm);
      sx.clear();
      for (const auto& e : down) sx.push_back(e.first);
      u.down_height = pad_group(wc, sx, W + column, inf.y_bot, -1, rows, u.down_pads, u.wire_nm);
      it = units.emplace(key, std::move(u)).first;
    }
    const UnitCell& u = it->second;
    c.add_ref(u.name, Trans::translate({x, 0}), fmt::format("wires_{}", inf.pads.size()));
    // What each pad drives, in the order the unit cell laid the pads (west to east by track).
    std::vector<std::pair<Coord, Drive>> up, down;
    if (!grounds.empty()) {
      up.push_back({ws + hw, Drive{0, fmt::format("gnd{}", inf.ground_pads), "ground"}});
      ++inf.ground_pads;
    }
    for (size_t i = 0; i < drives.size(); ++i) {
      const bool going_up = i < n_up;
      const size_t k = going_up ? i : drives.size() - 1 - i;
      (going_up ? up : down).push_back({W - ws - hw - static_cast<Coord>(k) * g, drives[i]});
    }
    auto by_x = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::sort(up.begin(), up.end(), by_x);
    std::sort(down.begin(), down.end(), by_x);
    auto add = [&](const Point& at, const Drive& d) {
      inf.pads.push_back({{at.x + x, at.y}, "", "", d.instance, d.parameter});
    };
    for (size_t k = 0; k < up.size(); ++k) add(u.up_pads[k], up[k].second);
    for (size_t k = 0; k < down.size(); ++k) add(u.down_pads[k], down[k].second);
    inf.up_height = std::max(inf.up_height, u.up_height);
    inf.down_height = std::max(inf.down_height, u.down_height);
    inf.wire_nm += u.wire_nm;
    return W;
  }

  Builder(const pdk::Pdk& pk, ChipLayout& c) : pdk(pk), p(layout_params(pk)), chip(c), f(c.lib, p) {
    mzi = f.mzi(true);
    ps = f.phase_shifter();
    lm = chip.lib.cell(mzi).port("o3").position.x;
    lps = chip.lib.cell(ps).port("o2").position.x;
    ww = p.wire_width;
    ws = p.wire_space;
    g = ww + ws;
    mzi_w = f.mzi_wired();
    const Cell& mw = chip.lib.cell(mzi_w);
    dy_phi = mw.port("phi").position.y;
    dy_theta = mw.port("theta").position.y;
    dy_gnd = mw.port("gnd").position.y;
    att = attenuator_cell();
  }

  // Straight fillers over a channel on every mode (paths stay equal in length).
  void channel_fill(Cell& c, Coord x0, Coord W, int64_t n, const std::string& tag, std::vector<Coord>& fill) {
    if (W == 0) return;
    c.add_array(f.straight(W), Trans::translate({x0, 0}), 1, static_cast<int32_t>(n), {W, 0}, {0, -p.port_pitch},
                "fill_" + tag);
    for (Coord& v : fill) v += W;
  }

  // An MZI attenuator whose two arms sit at half the mode pitch, so attenuators on neighbouring modes fit
  // one column at the mode pitch; the cross output ends open inside the cell (the dump), at half a pitch
  // below the mode's track, where no other waveguide runs.
  std::string attenuator_cell() {
    if (p.port_pitch % 4 != 0)
      fail("LAYOUT-PARAM", fmt::format("port pitch {} nm is not a multiple of 4", p.port_pitch));
    LayoutParams half = p;
    half.port_pitch = p.port_pitch / 2;
    CellFactory hf(chip.lib, half);
    std::string m = hf.mzi(false);
    std::string name = fmt::format("att_P{}", half.port_pitch);
    const Cell& mc = chip.lib.cell(m);
    latt = mc.port("o3").position.x;
    if (chip.lib.has(name)) return name;
    Cell& c = chip.lib.add_cell(name);
    c.add_ref(m, Trans{}, "mzi");
    add_attenuator_ports(c, mc);
    // Heater wiring: the drive contact e1 to the west edge, the ground contact e2 to the east edge, on the arm.
    const Coord hw = p.wire_width / 2;
    const Coord e1 = mc.port("theta_e1").position.x, e2 = mc.port("theta_e2").position.x;
    c.add_box(p.layers.m2, Box{0, -hw, e1, hw});
    c.add_box(p.layers.m2, Box{e2, -hw, latt, hw});
    return name;
  }

  std::string mesh(const circuit::Cell& nc) {
    const int64_t n = info_int(nc, "n");
    const int64_t cols = info_int(nc, "columns");
    if (n < 1 || cols < 0) bad(nc.name, "n must be >= 1 and columns >= 0");
    const Coord P = p.port_pitch;
    // Which (column, mode) slots the netlist fills, and the final column (screen or plain waveguides).
    std::map<std::pair<int64_t, int64_t>, const circuit::Instance*> mzis;
    std::map<int64_t, const circuit::Instance*> last;
    for (const circuit::Instance& in : nc.instances) {
      if (in.component == "mzi") {
        if (in.column < 0 || in.column >= cols || in.mode < 0 || in.mode + 1 >= n)
          bad(nc.name, fmt::format("{} at column {} mode {} is outside the {}-mode, {}-column mesh", in.name, in.column,
                                   in.mode, n, cols));
        if (!mzis.emplace(std::make_pair(int64_t{in.column}, int64_t{in.mode}), &in).second)
          bad(nc.name, fmt::format("two MZIs at column {} mode {}", in.column, in.mode));
      } else if (in.component == "phase_shifter" || in.component == "waveguide") {
        if (in.mode < 0 || in.mode >= n) bad(nc.name, fmt::format("{} on mode {} of {}", in.name, in.mode, n));
        last[in.mode] = &in;
      } else {
        bad(nc.name, fmt::format("instance {} of '{}' does not belong in a mesh", in.name, in.component));
      }
    }
    const bool screen =
        std::any_of(last.begin(), last.end(), [](const auto& kv) { return kv.second->component == "phase_shifter"; });
    const Coord l_last = last.empty() ? 0 : (screen ? lps : lm);
    Info inf;
    inf.modes = n;
    inf.y_bot = y_bot(n);
    std::vector<Coord> fill(static_cast<size_t>(n), 0);
    std::vector<bool> busy(static_cast<size_t>(n));
    Cell& c = chip.lib.add_cell(nc.name);
    const std::string wg_m = f.straight(lm);
    // Columns west to east, each preceded by a wiring channel for its drive wires and the previous column's
    // ground wires; a last channel takes the final column's ground wires.
    Coord x = 0;
    std::vector<Coord> grounds;
    int64_t channels = 0;
    auto add_unit = [&](std::vector<Drive> drives, Coord column) {
      const Coord W = wiring_unit(c, x, grounds, std::move(drives), column, inf);
      channel_fill(c, x, W, n, fmt::format("ch{}", channels), fill);
      ++channels;
      x += W;
      grounds.clear();
    };
    for (int64_t col = 0; col < cols; ++col) {
      std::vector<Drive> drives;
      for (auto it = mzis.lower_bound({col, 0}); it != mzis.end() && it->first.first == col; ++it) {
        const Coord y0 = -it->first.second * P;
        drives.push_back({y0 + dy_phi, it->second->name, "phi_rad"});
        drives.push_back({y0 + dy_theta, it->second->name, "theta_rad"});
      }
      add_unit(std::move(drives), lm);
      std::fill(busy.begin(), busy.end(), false);
      for (auto it = mzis.lower_bound({col, 0}); it != mzis.end() && it->first.first == col;) {
        // A run of MZIs at modes m0, m0 + 2, ... becomes one array reference.
        const int64_t m0 = it->first.second;
        int64_t count = 0;
        while (it != mzis.end() && it->first.first == col && it->first.second == m0 + 2 * count) {
          busy[static_cast<size_t>(it->first.second)] = busy[static_cast<size_t>(it->first.second + 1)] = true;
          grounds.push_back(-it->first.second * P + dy_gnd);
          ++count;
          ++it;
        }
        if (count == 0) internal_error("mesh layout: empty MZI run");
        const Trans t = Trans::translate({x, -m0 * P});
        if (count == 1)
          c.add_ref(mzi_w, t, mzis.at({col, m0})->name);
        else
          c.add_array(mzi_w, t, 1, static_cast<int32_t>(count), {lm, 0}, {0, -2 * P}, fmt::format("zc{}m{}", col, m0));
        inf.mzis += count;
      }
      for (int64_t m = 0; m < n; ++m)
        if (!busy[static_cast<size_t>(m)]) {
          c.add_ref(wg_m, Trans::translate({x, -m * P}), fmt::format("fill_c{}_m{}", col, m));
          fill[static_cast<size_t>(m)] += lm;
        }
      x += lm;
    }
    if (!last.empty()) {
      std::vector<Drive> drives;
      for (const auto& [m, in] : last)
        if (in->component == "phase_shifter") drives.push_back({-m * P, in->name, "phi_rad"});
      add_unit(std::move(drives), l_last);
      const std::string wg_last = f.straight(l_last);
      for (int64_t m = 0; m < n; ++m) {
        const Trans t = Trans::translate({x, -m * P});
        auto it = last.find(m);
        if (it == last.end()) {
          c.add_ref(wg_last, t, fmt::format("fill_c{}_m{}", cols, m));
          fill[static_cast<size_t>(m)] += l_last;
        } else if (it->second->component == "phase_shifter") {
          c.add_ref(ps, t, it->second->name);
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
    for (int64_t m = 0; m < n; ++m) {
      c.add_port(optical_port(p, fmt::format("in{}", m), {0, -m * P}, 180));
      c.add_port(optical_port(p, fmt::format("out{}", m), {inf.length, -m * P}, 0));
    }
    info[nc.name] = std::move(inf);
    return nc.name;
  }

  std::string attenuators(const circuit::Cell& nc) {
    const int64_t n = info_int(nc, "n");
    const Coord P = p.port_pitch;
    Cell& c = chip.lib.add_cell(nc.name);
    std::set<int64_t> seen;
    Info inf;
    inf.modes = n;
    inf.y_bot = y_bot(n);
    std::vector<Drive> drives;
    std::vector<Coord> grounds, fill(static_cast<size_t>(n), 0);
    for (const circuit::Instance& in : nc.instances) {
      if (in.component != "attenuator" || in.mode < 0 || in.mode >= n || !seen.insert(in.mode).second)
        bad(nc.name,
            fmt::format("instance {} ({} on mode {}) is not one attenuator per mode", in.name, in.component, in.mode));
      drives.push_back({-in.mode * P, in.name, "theta_rad"});
      grounds.push_back(-in.mode * P);
    }
    const Coord w_in = wiring_unit(c, 0, {}, std::move(drives), latt, inf);
    channel_fill(c, 0, w_in, n, "ch0", fill);
    for (const circuit::Instance& in : nc.instances) c.add_ref(att, Trans::translate({w_in, -in.mode * P}), in.name);
    const Coord w_out = wiring_unit(c, w_in + latt, grounds, {}, 0, inf);
    channel_fill(c, w_in + latt, w_out, n, "ch1", fill);
    inf.length = w_in + latt + w_out;
    inf.mzis = inf.heaters = static_cast<int64_t>(nc.instances.size());
    inf.worst_fill = w_in + w_out;
    inf.track_length = static_cast<double>(inf.length) * static_cast<double>(n);
    for (int64_t m = 0; m < n; ++m) {
      c.add_port(optical_port(p, fmt::format("in{}", m), {0, -m * P}, 180));
      c.add_port(optical_port(p, fmt::format("out{}", m), {inf.length, -m * P}, 0));
    }
    info[nc.name] = std::move(inf);
    return nc.name;
  }

  std::string tile(const circuit::Cell& nc) {
    std::map<std::string, const circuit::Instance*> by;
    for (const circuit::Instance& in : nc.instances) by[in.name] = &in;
    for (const char* k : {"vh", "att", "u"})
      if (!by.count(k) || !chip.cell_of.count(by[k]->component))
        bad(nc.name, fmt::format("instance '{}' missing or not a laid-out cell", k));
    const Info& vh = info.at(chip.cell_of.at(by["vh"]->component));
    const Info& at = info.at(chip.cell_of.at(by["att"]->component));
    const Info& u = info.at(chip.cell_of.at(by["u"]->component));
    Cell& c = chip.lib.add_cell(nc.name);
    c.add_ref(chip.cell_of.at(by["vh"]->component), Trans{}, "vh");
    c.add_ref(chip.cell_of.at(by["att"]->component), Trans::translate({vh.length, 0}), "att");
    c.add_ref(chip.cell_of.at(by["u"]->component), Trans::translate({vh.length + at.length, 0}), "u");
    const Coord P = p.port_pitch, len = vh.length + at.length + u.length;
    for (int64_t j = 0; j < vh.modes; ++j) c.add_port(optical_port(p, fmt::format("in{}", j), {0, -j * P}, 180));
    for (int64_t i = 0; i < u.modes; ++i) c.add_port(optical_port(p, fmt::format("out{}", i), {len, -i * P}, 0));
    for (int64_t k = at.modes; k < vh.modes; ++k)
      c.add_port(optical_port(p, fmt::format("drop{}", k), {vh.length, -k * P}, 0));
    for (int64_t k = at.modes; k < u.modes; ++k)
      c.add_port(optical_port(p, fmt::format("dark{}", k), {vh.length + at.length, -k * P}, 180));
    Info inf;
    inf.modes = std::max(vh.modes, u.modes);
    inf.y_bot = std::min({vh.y_bot, at.y_bot, u.y_bot});
    // The cells' pads (named by tile and cell here) and how far their pad fields reach beyond the tile's edges.
    const Coord offset[3] = {0, vh.length, vh.length + at.length};
    const char* part[3] = {"vh", "att", "u"};
    const Info* sub[3] = {&vh, &at, &u};
    for (int k = 0; k < 3; ++k) {
      const std::string& cell = by[part[k]]->component;
      for (WiredPad pd : sub[k]->pads) {
        pd.center.x += offset[k];
        pd.tile = nc.name;
        pd.cell = cell;
        inf.pads.push_back(std::move(pd));
      }
      inf.up_height = std::max(inf.up_height, sub[k]->up_height);
      inf.down_height = std::max(inf.down_height, sub[k]->down_height - (sub[k]->y_bot - inf.y_bot));
      inf.wire_nm += sub[k]->wire_nm;
      inf.ground_pads += sub[k]->ground_pads;
    }
    inf.length = len;
    inf.worst_fill = vh.worst_fill + at.worst_fill + u.worst_fill;
    inf.heaters = vh.heaters + at.heaters + u.heaters;
    inf.mzis = vh.mzis + at.mzis + u.mzis;
    inf.track_length = vh.track_length + at.track_length + u.track_length;
    info[nc.name] = inf;
    return nc.name;
  }

  // One I/O waveguide from `at` (a port heading east) to `end` (east of it; the next port there faces west):
  // a straight to x_turn, a 90-degree Euler bend towards end's height, a vertical straight, a bend back east
  // and a straight to `end` (one straight when the heights agree). Returns the centreline length in nm.
  double io_path(Cell& top, Port at, Point end, Coord x_turn, const std::string& tag, int64_t& bends) {
    double len = 0;
    int piece = 0;
    auto place = [&](const std::string& cell, bool mirror) {
      const Cell& cc = chip.lib.cell(cell);
      const Trans t = connect(cc.port("o1"), at, mirror);
      top.add_ref(cell, t, fmt::format("{}_{}", tag, piece++));
      at = cc.port("o2").transformed(t);
      len += f.centerline_length_nm(cell);
    };
    auto straight = [&](Coord d) {
      if (d < 0) internal_error(fmt::format("I/O route {}: negative straight {} nm", tag, d));
      if (d > 0) place(f.straight(d), false);
    };
    const Coord dy = end.y - at.position.y;
    if (dy == 0) {
      straight(end.x - at.position.x);
    } else {
      const bool up = dy > 0;
      straight(x_turn - at.position.x);
      place(io_bend, !up);  // the bend cell turns left; mirrored it turns right
      straight(std::abs(dy) - io_bend_end.x - io_bend_end.y);
      place(io_bend, up);
      bends += 2;
      straight(end.x - at.position.x);
    }
    if (at.position != end)
      internal_error(fmt::format("I/O route {} ends at ({}, {}), not at ({}, {})", tag, at.position.x, at.position.y,
                                 end.x, end.y));
    return len;
  }

  // Turning x of each path of a fan-out from heights `from` to heights `to` (same count, same order): the
  // paths moving up and those moving down each turn in order of their offset, `step` apart from `base`,
  // the smallest offset first when `inner_first` (input side: the outer paths turn nearest the tile) or last.
  static std::vector<Coord> turn_x(const std::vector<Coord>& from, const std::vector<Coord>& to, Coord base, Coord step,
                                   int64_t group_max, bool inner_first) {
    std::vector<Coord> x(from.size(), base);
    for (int dir : {+1, -1}) {
      std::vector<std::pair<Coord, size_t>> g;
      for (size_t k = 0; k < from.size(); ++k)
        if ((to[k] - from[k]) * dir > 0) g.push_back({std::abs(to[k] - from[k]), k});
      std::sort(g.begin(), g.end());
      for (size_t r = 0; r < g.size(); ++r) {
        const int64_t rank = inner_first ? static_cast<int64_t>(r) : group_max - 1 - static_cast<int64_t>(r);
        x[g[r].second] = base + rank * step;
      }
    }
    return x;
  }

  void top(const circuit::Netlist& nl) {
    std::vector<std::string> tiles;
    for (const circuit::Cell& nc : nl.cells)
      if (nc.kind == "tile") tiles.push_back(chip.cell_of.at(nc.name));
    const Coord P = p.port_pitch, gap = 200000, edge = 50000, pitch = p.gc_pitch;
    const std::string gc = f.grating_coupler();
    io_bend = f.bend_euler(p.bend_radius, 90);
    io_bend_end = chip.lib.cell(io_bend).port("o2").position;
    const Coord gc_len = p.gc_taper_length + p.gc_period * p.gc_teeth;  // west of the coupler's port
    // Fan-outs: couplers at the fibre pitch centred on the tile's ports at the mode pitch. The smallest
    // offset, (pitch - P) / 2, must hold two bends.
    if (pitch - P < 2 * (io_bend_end.x + io_bend_end.y))
      fail("LAYOUT-PARAM", fmt::format("coupler pitch {} nm minus mode pitch {} nm leaves no room for the fan-out's "
                                       "two bends ({} nm each way)",
                                       pitch, P, io_bend_end.x + io_bend_end.y));
    auto ports_of = [&](const Cell& tc, const char* prefix) {
      int64_t n = 0;
      while (tc.find_port(fmt::format("{}{}", prefix, n))) ++n;
      return n;
    };
    int64_t half_in = 0, half_out = 0;
    Coord max_len = 0;
    for (const std::string& t : tiles) {
      const Cell& tc = chip.lib.cell(t);
      half_in = std::max(half_in, ports_of(tc, "in") / 2);
      half_out = std::max(half_out, ports_of(tc, "out") / 2);
      max_len = std::max(max_len, info.at(t).length);
    }
    const Coord bend_span = io_bend_end.x + io_bend_end.y;
    const Coord x_gc_in = edge + gc_len;
    const Coord x_tile = x_gc_in + P + std::max<Coord>(half_in - 1, 0) * P + bend_span + P;
    const Coord x_out_base = x_tile + max_len + P;
    const Coord x_gc_out = x_out_base + std::max<Coord>(half_out - 1, 0) * P + bend_span + P;
    const Coord die_w = std::max(x_gc_out + gc_len + edge, furniture_min_width(p));
    std::string top_name = nl.top.empty() ? "chip" : nl.top;
    if (chip.lib.has(top_name)) top_name += "_chip";
    Cell& top = chip.lib.add_cell(top_name);
    ChipFigures& fig = chip.figures;
    Coord y = -gap;  // top edge of the next tile's block
    double track_nm = 0;
    Coord worst_added = 0;
    for (const std::string& t : tiles) {
      const Info& ti = info.at(t);
      const Cell& tc = chip.lib.cell(t);
      const int64_t nin = ports_of(tc, "in"), nout = ports_of(tc, "out");
      // The block: pad fields up_height above the tile's top edge and down_height below its bottom, the
      // coupler columns centred on the tile's inputs and outputs.
      const Coord half_gc = p.gc_width / 2;
      const Coord top_rel = std::max(
          {y_top() + ti.up_height, (nin - 1) * (pitch - P) / 2 + half_gc, (nout - 1) * (pitch - P) / 2 + half_gc});
      const Coord bot_rel = std::min(
          {ti.y_bot - ti.down_height, -(nin - 1) * (P + pitch) / 2 - half_gc, -(nout - 1) * (P + pitch) / 2 - half_gc});
      const Coord y0 = y - top_rel;  // mode 0 of the tile
      top.add_ref(t, Trans::translate({x_tile, y0}), t);
      f.add_label(top, t, {x_tile, y0 + y_top() + ws});
      for (WiredPad pd : ti.pads) {
        pd.center = {pd.center.x + x_tile, pd.center.y + y0};
        chip.pads.push_back(std::move(pd));
      }
      fig.bond_pads += static_cast<int64_t>(ti.pads.size());
      fig.wire_length_um += ti.wire_nm / 1000.0;
      fig.ground_pads += ti.ground_pads;
      // Inputs: couplers at the west edge -> tile; outputs: tile -> couplers at the east edge.
      auto side = [&](int64_t n, bool input) {
        std::vector<Coord> ys_tile, ys_gc;
        const Coord mid = y0 - (n - 1) * P / 2;  // exact: P is even
        for (int64_t k = 0; k < n; ++k) {
          ys_tile.push_back(y0 - k * P);
          ys_gc.push_back(mid + (n - 1 - 2 * k) * pitch / 2);
        }
        const std::vector<Coord>& from = input ? ys_gc : ys_tile;
        const std::vector<Coord>& to = input ? ys_tile : ys_gc;
        // Input side: paths turn in order of their offset, the smallest first, so an inner path's run from its
        // coupler ends before the verticals of the outer paths (which lie above or below it); the output side
        // mirrors it (the outermost turns first, nearest the tile). No two paths cross.
        const std::vector<Coord> xt =
            input ? turn_x(from, to, x_gc_in + P, P, half_in, true) : turn_x(from, to, x_out_base, P, half_out, false);
        double lo = 0, hi = 0;
        int64_t worst_bends = 0;
        for (int64_t k = 0; k < n; ++k) {
          const std::string tag = fmt::format("{}_{}{}", t, input ? "in" : "out", k);
          Port start;
          Point end;
          if (input) {
            const Trans gt = Trans::translate({x_gc_in, ys_gc[k]});
            top.add_ref(gc, gt, tag + "_gc");
            start = chip.lib.cell(gc).port("o1").transformed(gt);
            end = {x_tile, ys_tile[k]};
          } else {
            const Trans gt = Trans::make(180, false, {x_gc_out, ys_gc[k]});
            top.add_ref(gc, gt, tag + "_gc");
            start = tc.port(fmt::format("out{}", k)).transformed(Trans::translate({x_tile, y0}));
            end = {x_gc_out, ys_gc[k]};
          }
          int64_t b = 0;
          const double len = io_path(top, start, end, xt[static_cast<size_t>(k)], tag, b);
          fig.bends += b;
          worst_bends = std::max(worst_bends, b);
          lo = k == 0 ? len : std::min(lo, len);
          hi = k == 0 ? len : std::max(hi, len);
          track_nm += len;
        }
        fig.io_couplers += n;
        fig.io_length_spread_um = std::max(fig.io_length_spread_um, (hi - lo) / 1000.0);
        return std::make_pair(hi, worst_bends);
      };
      const auto [in_len, in_bends] = side(nin, true);
      const auto [out_len, out_bends] = side(nout, false);
      track_nm += ti.track_length;
      worst_added = std::max(worst_added, ti.worst_fill + static_cast<Coord>(std::llround(in_len + out_len)));
      fig.worst_path_bends = std::max(fig.worst_path_bends, in_bends + out_bends);
      fig.heaters += ti.heaters;
      fig.mzi_instances += ti.mzis;
      y = y0 + bot_rel - gap;
    }
    // Alignment marks and the test structures (bare MZI, cut-back set) below the circuit.
    FurnitureFigures furniture;
    const Box die = place_chip_furniture(chip.lib, top, p, Box{0, y, die_w, 0}, furniture);
    y = die.y0;
    fig.alignment_marks = furniture.alignment_marks;
    fig.test_structures = furniture.test_structures;
    fig.bond_pads += furniture.bond_pads;
    fig.cutback_length_um = furniture.cutback_length_um;
    const Coord die_h = -y;
    top.add_box(p.layers.floorplan, Box{0, y, die_w, 0});
    f.add_label(top, fmt::format("{} {}", nl.name.empty() ? "holo" : nl.name, pdk.name), {x_gc_in, -gap / 2});
    chip.top = top_name;
    fig.tiles = static_cast<int64_t>(tiles.size());
    fig.die_width_um = static_cast<double>(die_w) / 1000.0;
    fig.die_height_um = static_cast<double>(die_h) / 1000.0;
    fig.die_area_mm2 = fig.die_width_um * fig.die_height_um * 1e-6;
    fig.waveguide_length_um = track_nm / 1000.0;
    fig.worst_path_added_length_um = static_cast<double>(worst_added) / 1000.0;
    const pdk::Template* wg = pdk.templates.count("waveguide") ? &pdk.templates.at("waveguide") : nullptr;
    auto fig_of = [&](const char* key) { return wg && wg->has(key) ? wg->number(key) : 0.0; };
    fig.worst_path_added_loss_db = fig.worst_path_added_length_um * 1e-4 * fig_of("loss_db_per_cm") +
                                   static_cast<double>(fig.worst_path_bends) * fig_of("bend_loss_db_per_90") +
                                   static_cast<double>(fig.crossings) * fig_of("crossing_loss_db");
    fig.layout_cells = static_cast<int64_t>(chip.lib.size());
  }
};

}  // namespace

ChipLayout layout_chip(const circuit::Netlist& netlist, const pdk::Pdk& pdk) {
  // A chip beyond GDSII's 32-bit nm coordinates is refused before anything is built: the tiles stack in one
  // column and each tile's block is at least as tall as its column of I/O couplers.
  {
    const Coord pitch = layout_params(pdk).gc_pitch;
    double min_height_nm = 0;
    int64_t tiles = 0;
    for (const circuit::Cell& nc : netlist.cells) {
      if (nc.kind != "tile") continue;
      int64_t nin = 0, nout = 0;
      for (const circuit::CellPort& cp : nc.ports) {
        if (cp.kind != "optical") continue;
        if (cp.name.rfind("in", 0) == 0) ++nin;
        if (cp.name.rfind("out", 0) == 0) ++nout;
      }
      ++tiles;
      min_height_nm += static_cast<double>(std::max<int64_t>(std::max(nin, nout) - 1, 0)) * static_cast<double>(pitch);
    }
    constexpr double kGdsMaxNm = 2147483647.0;
    if (min_height_nm > kGdsMaxNm)
      fail("LAYOUT-RANGE", fmt::format("the chip would be at least {:.2f} m tall ({} tiles stacked, each at least "
                                       "as tall as its column of couplers at a {:.0f} um pitch): beyond GDSII's "
                                       "32-bit nm coordinates (2.147 m)",
                                       min_height_nm * 1e-9, tiles, static_cast<double>(pitch) / 1000.0));
  }
  ChipLayout chip;
  Builder b(pdk, chip);
  // Leaves first (the netlist's order), so a tile's meshes exist when the tile is laid out.
  for (const circuit::Cell& nc : netlist.cells) {
    if (nc.kind == "mesh")
      chip.cell_of[nc.name] = b.mesh(nc);
    else if (nc.kind == "attenuators")
      chip.cell_of[nc.name] = b.attenuators(nc);
  }
  for (const circuit::Cell& nc : netlist.cells)
    if (nc.kind == "tile") chip.cell_of[nc.name] = b.tile(nc);
  b.top(netlist);
  // Unit cells a degenerate chip never places (the wired MZI of a mesh without MZIs, a bend no fan-out uses)
  // would be extra top cells in chip.gds.
  chip.lib.remove_unreachable(chip.top);
  chip.figures.layout_cells = static_cast<int64_t>(chip.lib.size());
  return chip;
}

// ---------------------------------------------------------------------------------------------------------
namespace {

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

void check_cell(const Library& lib, const std::string& lcell, const circuit::Cell& nc, std::vector<LvsMismatch>& out) {
  auto report = [&](const std::string& kind, const std::string& detail) { out.push_back({nc.name, kind, detail}); };
  std::map<std::pair<int64_t, int64_t>, std::string> at;
  for (const circuit::Instance& in : nc.instances)
    if (in.component == "mzi") at[{in.column, in.mode}] = in.name;
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
    for (int guard = 0; guard < 100000; ++guard) {
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
    if (nc.kind != "mesh" && nc.kind != "attenuators" && nc.kind != "tile") continue;
    auto it = cell_of.find(nc.name);
    if (it == cell_of.end() || !lib.has(it->second)) {
      out.push_back({nc.name, "missing_cell", "no layout cell"});
      continue;
    }
    check_cell(lib, it->second, nc, out);
  }
  return out;
}

}  // namespace holo::layout
