#include "holo/layout/io_fanout.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "holo/support/error.h"

namespace holo::layout {

std::vector<Coord> fanout_turns(const std::vector<Coord>& from, const std::vector<Coord>& to, Coord base, Coord step,
                                int64_t group, bool inner_first) {
  std::vector<Coord> x(from.size(), base);
  for (int dir : {+1, -1}) {
    std::vector<std::pair<Coord, size_t>> g;
    for (size_t k = 0; k < from.size(); ++k)
      if ((to[k] - from[k]) * dir > 0) g.push_back({std::abs(to[k] - from[k]), k});
    std::sort(g.begin(), g.end());
    for (size_t r = 0; r < g.size(); ++r) {
      const int64_t rank = inner_first ? static_cast<int64_t>(r) : group - 1 - static_cast<int64_t>(r);
      x[g[r].second] = base + rank * step;
    }
  }
  return x;
}

IoFanout::IoFanout(CellFactory& f) : f_(f), p_(f.params()) {
  gc_ = f_.grating_coupler();
  bend_ = f_.bend_euler(p_.bend_radius, 90);
  bend_end_ = f_.library().cell(bend_).port("o2").position;
  gc_len_ = p_.gc_taper_length + p_.gc_period * p_.gc_teeth;
  // The smallest offset between a coupler and its port, (pitch - mode pitch) / 2, must hold two bends.
  if (p_.gc_pitch - p_.port_pitch < 2 * (bend_end_.x + bend_end_.y))
    fail("LAYOUT-PARAM", fmt::format("coupler pitch {} nm minus mode pitch {} nm leaves no room for the fan-out's "
                                     "two bends ({} nm each way)",
                                     p_.gc_pitch, p_.port_pitch, bend_end_.x + bend_end_.y));
}

Coord IoFanout::span(int64_t group) const {
  return clearance() + std::max<Coord>(group - 1, 0) * p_.port_pitch + bend_end_.x + bend_end_.y + clearance();
}

Coord IoFanout::reach_above(int64_t n) const {
  return (n - 1) * (p_.gc_pitch - p_.port_pitch) / 2 + p_.gc_width / 2;
}

Coord IoFanout::reach_below(int64_t n) const {
  return (n - 1) * (p_.port_pitch + p_.gc_pitch) / 2 + p_.gc_width / 2;
}

// One I/O waveguide from `at` (a port heading east) to `end` (east of it; the next port there faces west): a
// straight to x_turn, a 90-degree Euler bend towards end's height, a vertical straight, a bend back east and a
// straight to `end` (one straight when the heights agree). Returns the centreline length in nm.
double IoFanout::path(Cell& top, Port at, Point end, Coord x_turn, const std::string& tag, int64_t& bends) {
  const Library& lib = f_.library();
  double len = 0;
  int piece = 0;
  auto place = [&](const std::string& cell, bool mirror) {
    const Cell& cc = lib.cell(cell);
    const Trans t = connect(cc.port("o1"), at, mirror);
    top.add_ref(cell, t, fmt::format("{}_{}", tag, piece++));
    at = cc.port("o2").transformed(t);
    len += f_.centerline_length_nm(cell);
  };
  auto straight = [&](Coord d) {
    if (d < 0) internal_error(fmt::format("I/O route {}: negative straight {} nm", tag, d));
    if (d > 0) place(f_.straight(d), false);
  };
  const Coord dy = end.y - at.position.y;
  if (dy == 0) {
    straight(end.x - at.position.x);
  } else {
    const bool up = dy > 0;
    straight(x_turn - at.position.x);
    place(bend_, !up);  // the bend cell turns left; mirrored it turns right
    straight(std::abs(dy) - bend_end_.x - bend_end_.y);
    place(bend_, up);
    bends += 2;
    straight(end.x - at.position.x);
  }
  if (at.position != end)
    internal_error(
        fmt::format("I/O route {} ends at ({}, {}), not at ({}, {})", tag, at.position.x, at.position.y, end.x, end.y));
  return len;
}

FanoutSide IoFanout::place(Cell& top, const FanoutSideSpec& s) {
  const Coord P = p_.port_pitch, pitch = p_.gc_pitch;
  std::vector<Coord> ys_tile, ys_gc;
  const Coord mid = s.y0 - (s.n - 1) * P / 2;  // exact: P is even
  for (int64_t k = 0; k < s.n; ++k) {
    ys_tile.push_back(s.y0 - k * P);
    ys_gc.push_back(mid + (s.n - 1 - 2 * k) * pitch / 2);
  }
  const std::vector<Coord>& from = s.input ? ys_gc : ys_tile;
  const std::vector<Coord>& to = s.input ? ys_tile : ys_gc;
  const std::vector<Coord> xt = fanout_turns(from, to, s.x_turn, P, s.group, s.input);
  const Port port{"", {}, 0, p_.wg_width, p_.layers.wg, PortKind::Optical};
  FanoutSide out;
  double lo = 0;
  for (int64_t k = 0; k < s.n; ++k) {
    const std::string tag = fmt::format("{}{}", s.tag, k);
    Port start;
    Point end;
    if (s.input) {
      const Trans gt = Trans::translate({s.x_couplers, ys_gc[k]});
      top.add_ref(gc_, gt, tag + "_gc");
      start = f_.library().cell(gc_).port("o1").transformed(gt);
      end = {s.x_ports, ys_tile[k]};
    } else {
      const Trans gt = Trans::make(180, false, {s.x_couplers, ys_gc[k]});
      top.add_ref(gc_, gt, tag + "_gc");
      start = port;
      start.position = {s.x_ports, ys_tile[k]};
      end = {s.x_couplers, ys_gc[k]};
    }
    int64_t b = 0;
    const double len = path(top, start, end, xt[static_cast<size_t>(k)], tag, b);
    fig_.bends += b;
    out.worst_bends = std::max(out.worst_bends, b);
    out.bends.push_back(b);
    lo = k == 0 ? len : std::min(lo, len);
    out.longest_nm = k == 0 ? len : std::max(out.longest_nm, len);
    out.lengths_nm.push_back(len);
  }
  fig_.couplers += s.n;
  fig_.length_spread_um = std::max(fig_.length_spread_um, (out.longest_nm - lo) / 1000.0);
  return out;
}

}  // namespace holo::layout
