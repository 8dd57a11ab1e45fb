#include "holo/layout/routing.h"

#include <fmt/format.h>

#include <algorithm>

#include "holo/support/error.h"

namespace holo::layout {
namespace {

// Pad fields are at most this many rows deep; a unit whose wires need more gets a wider channel instead (at
// 12 rows of 100 um pads a field is ~1.3 mm tall, about the height of a 64-mode tile).
constexpr int64_t kMaxPadRows = 12;
// Pad columns are spaced on this grid (1 um), so pad centres fall on whole micrometres.
constexpr Coord kPadColumnGrid = 1000;

Coord round_up(Coord v, Coord grid) {
  return (v + grid - 1) / grid * grid;
}

// Draws the router's wires into one cell on the metal stack and counts their length: x-running wires on the
// horizontal metal, y-running ones on the vertical metal, a via where wires on two metals meet.
class WireWriter {
 public:
  WireWriter(Cell& c, const MetalStack& m, Coord ww, Coord ws, double& wire_nm)
      : c_(c), m_(m), ww_(ww), ws_(ws), wire_nm_(wire_nm), v_(m.split() ? 1 : 0) {}

  size_t x_wire(const Box& b) { return put(b, 0); }
  size_t y_wire(const Box& b) { return put(b, v_); }
  // An x-running jog of `length` (centre to centre) between two y-running pieces. On the horizontal metal the
  // two pieces are separate shapes of the vertical metal, which must then be a space apart; a shorter jog stays
  // on the vertical metal (as the one-metal layout draws it).
  size_t jog(const Box& b, Coord length) { return put(b, length < ww_ + ws_ ? v_ : 0); }
  // Where wires on metals a and b meet at `at`, the via of the upper one (none on one metal).
  void join(Point at, size_t a, size_t b) {
    if (a == b) return;
    const ViaSpec& v = m_.layers[std::max(a, b)].via_below;
    c_.add_box(v.layer, Box::centered(at, v.size, v.size));
  }

 private:
  size_t put(const Box& b, size_t metal) {
    wire_nm_ += static_cast<double>(std::max(b.width(), b.height()));
    c_.add_box(m_.layers[metal].layer, b);
    return metal;
  }

  Cell& c_;
  const MetalStack& m_;
  Coord ww_, ws_;
  double& wire_nm_;
  size_t v_;
};

}  // namespace

HeaterRouter::HeaterRouter(CellFactory& f) : f_(f), p_(f.params()), metals_(f.params().metals) {
  ww_ = metals_.wire_width();
  ws_ = metals_.wire_space();
  g_ = ww_ + ws_;
}

Coord HeaterRouter::channel_width(bool grounds, size_t drives) const {
  const Coord k = static_cast<Coord>((drives + 1) / 2);
  if (!grounds && k == 0) return 0;
  return k * g_ + ws_ + (grounds ? g_ : 0);
}

// Pitch of pad columns whose west gaps hold `rows` wires each.
Coord HeaterRouter::pad_column_pitch(int64_t rows) const {
  return std::max(p_.pad_pitch, round_up(p_.pad_size + rows * g_ + ws_, kPadColumnGrid));
}

// Rows of pads for `wires` wires across `width` (at most kMaxPadRows; 0 when even that needs more width).
int64_t HeaterRouter::pad_rows(size_t wires, Coord width) const {
  if (wires == 0) return 1;
  for (int64_t r = 1; r <= kMaxPadRows; ++r)
    if (width / pad_column_pitch(r) * r >= static_cast<int64_t>(wires)) return r;
  return 0;
}

Coord HeaterRouter::width_for_pads(size_t wires) const {
  const int64_t cols = (static_cast<int64_t>(wires) + kMaxPadRows - 1) / kMaxPadRows;
  return cols * pad_column_pitch(kMaxPadRows);
}

// The pads of wires leaving a unit's edge at x positions `src` (sorted, unit coordinates) and the fan-out to
// them, going up (dir +1) or down (-1) from y_edge, in `width`: `rows` rows of pads (row 0 nearest the edge),
// each pad entered from the gap to its west, which holds the wires of that pad column (the farthest row's wire
// westmost, so each wire turns into its pad without crossing the ones going further); between the edge and the
// pads each wire moves from its track to its gap position on its own level, ordered so no two wires cross
// (west-moving: a wire turns above every earlier west-moving wire whose span it comes near; east-moving:
// mirrored). Returns the height used; the pad centres go to `pads`.
Coord HeaterRouter::pad_group(Cell& c, const std::vector<Coord>& src, Coord width, Coord y_edge, int dir, int64_t rows,
                              std::vector<Point>& pads, double& wire_nm) {
  const int64_t M = static_cast<int64_t>(src.size());
  if (M == 0) return 0;
  const Coord hw = ww_ / 2, ws = ws_, g = g_, pad = p_.pad_size;
  const int64_t cols = (M + rows - 1) / rows;
  const Coord pitch = std::max(pad_column_pitch(rows), width / cols / kPadColumnGrid * kPadColumnGrid);
  const Coord first = pitch - pad / 2;  // pad right-aligned in its slot, its gap to the west
  std::vector<Coord> tgt(static_cast<size_t>(M));
  std::vector<int64_t> col(static_cast<size_t>(M)), row(static_cast<size_t>(M)), level(static_cast<size_t>(M));
  for (int64_t k = 0; k < M; ++k) {
    col[k] = k / rows;
    row[k] = rows - 1 - k % rows;
    tgt[k] = first + col[k] * pitch - pad / 2 - ws - hw - row[k] * g;
  }
  // A wire whose jog ends within two track pitches of an earlier wire's riser passes that riser's jog level:
  // it turns one level higher.
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
  WireWriter w(c, metals_, ww_, ws_, wire_nm);
  // A box in the group's coordinates: x as the cell's, a and b measured from the edge in the direction `dir`.
  auto box = [&](Coord x0, Coord a, Coord x1, Coord b) { return Box::of(x0, y_edge + dir * a, x1, y_edge + dir * b); };
  auto at = [&](Coord x, Coord a) { return Point{x, y_edge + dir * a}; };
  for (int64_t k = 0; k < M; ++k) {
    const Coord s = src[k], t = tgt[k], L = ws + hw + level[k] * g, R = fan + pad / 2 + row[k] * p_.pad_pitch;
    const Coord xc = first + col[k] * pitch;
    size_t up_to_pad = 0;
    if (s == t) {
      up_to_pad = w.y_wire(box(s - hw, -hw, s + hw, R + hw));
    } else {
      const size_t rise = w.y_wire(box(s - hw, -hw, s + hw, L + hw));
      const size_t jog = w.jog(box(std::min(s, t) - hw, L - hw, std::max(s, t) + hw, L + hw), std::abs(t - s));
      up_to_pad = w.y_wire(box(t - hw, L - hw, t + hw, R + hw));
      w.join(at(s, L), rise, jog);
      w.join(at(t, L), jog, up_to_pad);
    }
    const size_t entry = w.x_wire(box(t - hw, R - hw, xc - pad / 2 + ww_, R + hw));
    w.join(at(t, R), up_to_pad, entry);
    pads.push_back({xc, y_edge + dir * R});
  }
  // One array reference per pad row (the last column may lack its nearest rows).
  const std::string pad_cell = f_.bond_pad();
  const int64_t in_last = M - (cols - 1) * rows;
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t count = cols - 1 + (rows - 1 - r < in_last ? 1 : 0);
    if (count <= 0) continue;
    const Trans t = Trans::translate({first, y_edge + dir * (fan + pad / 2 + r * p_.pad_pitch)});
    if (count == 1)
      c.add_ref(pad_cell, t, fmt::format("pad_{}{}", dir > 0 ? "n" : "s", r));
    else
      c.add_array(pad_cell, t, static_cast<int32_t>(count), 1, {pitch, 0}, {0, 0},
                  fmt::format("pads_{}{}", dir > 0 ? "n" : "s", r));
  }
  return fan + pad + (rows - 1) * p_.pad_pitch;
}

// The geometry of a unit (see unit()): the channel's tracks, then the pad fields above and below.
HeaterRouter::UnitCell HeaterRouter::make_unit(Coord W, Coord column, int64_t rows, Coord y_bot,
                                               const std::vector<Coord>& grounds, const std::vector<Drive>& drives,
                                               size_t n_up) {
  UnitCell u;
  u.name = fmt::format("wires_{}", units_.size());
  Cell& wc = f_.library().add_cell(u.name);
  wc.role = CellRole::WiringUnit;
  const Coord hw = ww_ / 2;
  WireWriter w(wc, metals_, ww_, ws_, u.wire_nm);
  std::vector<std::pair<Coord, int>> up, down;  // (x, drive index or -1 for ground)
  if (!grounds.empty()) {
    const Coord xg = ws_ + hw;
    const Coord lo = *std::min_element(grounds.begin(), grounds.end());
    std::vector<size_t> arms;
    for (Coord y : grounds) arms.push_back(w.x_wire(Box{-hw, y - hw, xg + hw, y + hw}));
    const size_t track = w.y_wire(Box{xg - hw, lo - hw, xg + hw, y_top()});
    for (size_t i = 0; i < grounds.size(); ++i) w.join({xg, grounds[i]}, arms[i], track);
    up.push_back({xg, -1});
  }
  for (size_t i = 0; i < drives.size(); ++i) {
    const bool going_up = i < n_up;
    const size_t k = going_up ? i : drives.size() - 1 - i;  // rank from the far end of its direction
    const Coord xt = W - ws_ - hw - static_cast<Coord>(k) * g_, y = drives[i].y;
    const size_t arm = w.x_wire(Box{xt - hw, y - hw, W + hw, y + hw});
    const size_t track =
        going_up ? w.y_wire(Box{xt - hw, y - hw, xt + hw, y_top()}) : w.y_wire(Box{xt - hw, y_bot, xt + hw, y + hw});
    w.join({xt, y}, arm, track);
    (going_up ? up : down).push_back({xt, static_cast<int>(i)});
  }
  std::sort(up.begin(), up.end());
  std::sort(down.begin(), down.end());
  std::vector<Coord> sx;
  for (const auto& e : up) sx.push_back(e.first);
  u.up_height = pad_group(wc, sx, W + column, y_top(), +1, rows, u.up_pads, u.wire_nm);
  sx.clear();
  for (const auto& e : down) sx.push_back(e.first);
  u.down_height = pad_group(wc, sx, W + column, y_bot, -1, rows, u.down_pads, u.wire_nm);
  return u;
}

Coord HeaterRouter::unit(Cell& c, Coord x, const std::vector<Coord>& grounds, std::vector<Drive> drives, Coord column,
                         Coord y_bot, WiringFacts& out) {
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
  const Coord hw = ww_ / 2;
  std::string key = fmt::format("{}:{}:{}:{}:{}:", W, column, rows, y_bot, n_up);
  for (Coord y : grounds) key += fmt::format("g{}", y);
  for (const Drive& d : drives) key += fmt::format("d{}", d.y);
  auto it = units_.find(key);
  if (it == units_.end()) it = units_.emplace(key, make_unit(W, column, rows, y_bot, grounds, drives, n_up)).first;
  const UnitCell& u = it->second;
  c.add_ref(u.name, Trans::translate({x, 0}), fmt::format("wires_{}", out.pads.size()));
  // What each pad drives, in the order the unit cell laid the pads (west to east by track).
  std::vector<std::pair<Coord, Drive>> up, down;
  if (!grounds.empty()) {
    up.push_back({ws_ + hw, Drive{0, fmt::format("gnd{}", out.ground_pads), "ground"}});
    ++out.ground_pads;
  }
  for (size_t i = 0; i < drives.size(); ++i) {
    const bool going_up = i < n_up;
    const size_t k = going_up ? i : drives.size() - 1 - i;
    (going_up ? up : down).push_back({W - ws_ - hw - static_cast<Coord>(k) * g_, drives[i]});
  }
  auto by_x = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::sort(up.begin(), up.end(), by_x);
  std::sort(down.begin(), down.end(), by_x);
  auto add = [&](const Point& at, const Drive& d) {
    out.pads.push_back({{at.x + x, at.y}, "", "", d.instance, d.parameter});
  };
  for (size_t k = 0; k < up.size(); ++k) add(u.up_pads[k], up[k].second);
  for (size_t k = 0; k < down.size(); ++k) add(u.down_pads[k], down[k].second);
  out.up_height = std::max(out.up_height, u.up_height);
  out.down_height = std::max(out.down_height, u.down_height);
  out.wire_nm += u.wire_nm;
  return W;
}

}  // namespace holo::layout
