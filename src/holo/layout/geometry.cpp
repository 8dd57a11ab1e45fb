#include "holo/layout/geometry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "holo/support/error.h"

namespace holo::layout {
namespace {
__extension__ typedef __int128 Wide;  // exact products of two 64-bit coordinates
}  // namespace

std::string to_string(LayerSpec l) {
  return fmt::format("{}/{}", l.layer, l.datatype);
}

Box Box::of(Coord ax, Coord ay, Coord bx, Coord by) {
  return Box{std::min(ax, bx), std::min(ay, by), std::max(ax, bx), std::max(ay, by)};
}

Box Box::centered(Point c, Coord w, Coord h) {
  return Box{c.x - w / 2, c.y - h / 2, c.x - w / 2 + w, c.y - h / 2 + h};
}

void Box::add(Point p) {
  if (empty()) {
    *this = Box{p.x, p.y, p.x, p.y};
    return;
  }
  x0 = std::min(x0, p.x);
  y0 = std::min(y0, p.y);
  x1 = std::max(x1, p.x);
  y1 = std::max(y1, p.y);
}

void Box::add(const Box& b) {
  if (b.empty()) return;
  add(Point{b.x0, b.y0});
  add(Point{b.x1, b.y1});
}

Box bbox(const Polygon& p) {
  Box b;
  for (const Point& q : p) b.add(q);
  return b;
}

double signed_area2(const Polygon& p) {
  Wide s = 0;
  const size_t n = p.size();
  for (size_t i = 0; i < n; ++i) {
    const Point& a = p[i];
    const Point& b = p[(i + 1) % n];
    s += static_cast<Wide>(a.x) * b.y - static_cast<Wide>(b.x) * a.y;
  }
  return static_cast<double>(s);
}

Polygon box_polygon(const Box& b) {
  return {{b.x0, b.y0}, {b.x1, b.y0}, {b.x1, b.y1}, {b.x0, b.y1}};
}

void compress(Polygon& p) {
  // Repeat until stable: removing one point can make its neighbours collinear.
  bool changed = true;
  while (changed && p.size() >= 3) {
    changed = false;
    Polygon out;
    out.reserve(p.size());
    const size_t n = p.size();
    for (size_t i = 0; i < n; ++i) {
      const Point& prev = out.empty() ? p[(i + n - 1) % n] : out.back();
      const Point& cur = p[i];
      const Point& next = p[(i + 1) % n];
      if (cur == prev) {
        changed = true;
        continue;
      }
      Wide cross =
          static_cast<Wide>(cur.x - prev.x) * (next.y - cur.y) - static_cast<Wide>(cur.y - prev.y) * (next.x - cur.x);
      if (cross == 0) {
        changed = true;
        continue;
      }
      out.push_back(cur);
    }
    p.swap(out);
  }
  if (p.size() < 3) p.clear();
}

void make_ccw(Polygon& p) {
  if (signed_area2(p) < 0) std::reverse(p.begin(), p.end());
}

Polygon path_polygon(const std::vector<Point>& in, Coord width, Coord begin_ext, Coord end_ext) {
  std::vector<Point> pts;
  for (const Point& p : in)
    if (pts.empty() || !(pts.back() == p)) pts.push_back(p);
  if (pts.size() < 2 || width <= 0) return {};
  const size_t n = pts.size();
  std::vector<double> dx(n - 1), dy(n - 1);
  for (size_t i = 0; i + 1 < n; ++i) {
    double ex = static_cast<double>(pts[i + 1].x - pts[i].x), ey = static_cast<double>(pts[i + 1].y - pts[i].y);
    double len = std::hypot(ex, ey);
    dx[i] = ex / len;
    dy[i] = ey / len;
  }
  const double hw = static_cast<double>(width) / 2;
  std::vector<std::pair<double, double>> left, right;
  for (size_t i = 0; i < n; ++i) {
    double px = static_cast<double>(pts[i].x), py = static_cast<double>(pts[i].y);
    if (i == 0) {
      px -= dx[0] * static_cast<double>(begin_ext);
      py -= dy[0] * static_cast<double>(begin_ext);
    }
    if (i == n - 1) {
      px += dx[n - 2] * static_cast<double>(end_ext);
      py += dy[n - 2] * static_cast<double>(end_ext);
    }
    double ox, oy;  // offset vector to the left
    if (i == 0 || i == n - 1) {
      size_t s = i == 0 ? 0 : n - 2;
      ox = -dy[s] * hw;
      oy = dx[s] * hw;
    } else {
      double n1x = -dy[i - 1], n1y = dx[i - 1], n2x = -dy[i], n2y = dx[i];
      double c = 1 + n1x * n2x + n1y * n2y;
      if (c < 1e-9) fail("LAYOUT-PARAM", "a path turns back on itself (180-degree corner)");
      ox = (n1x + n2x) * hw / c;
      oy = (n1y + n2y) * hw / c;
    }
    left.push_back({px + ox, py + oy});
    right.push_back({px - ox, py - oy});
  }
  Polygon poly;
  for (auto& [x, y] : right) poly.push_back({round_nm(x), round_nm(y)});
  for (size_t i = n; i-- > 0;) poly.push_back({round_nm(left[i].first), round_nm(left[i].second)});
  compress(poly);
  make_ccw(poly);
  return poly;
}

Coord round_nm(double v) {
  if (!std::isfinite(v) || std::fabs(v) >= 4.6e18)
    fail("LAYOUT-RANGE", fmt::format("coordinate {} nm is out of range", v));
  return static_cast<Coord>(std::llround(v));
}

Coord um_to_nm(double um) {
  return round_nm(um * 1000.0);
}

// ---------------------------------------------------------------------------------------------
Trans Trans::make(int angle_deg, bool mirror, Point d) {
  if (angle_deg % 90 != 0)
    fail("LAYOUT-ANGLE",
         fmt::format("rotation {} degrees is not a multiple of 90 (only Manhattan placement)", angle_deg));
  int r = ((angle_deg / 90) % 4 + 4) % 4;
  return Trans{r, mirror, d};
}

Point Trans::apply_vector(Point v) const {
  if (mirror) v.y = -v.y;
  switch (rot & 3) {
    case 0:
      return v;
    case 1:
      return {-v.y, v.x};
    case 2:
      return {-v.x, -v.y};
    default:
      return {v.y, -v.x};
  }
}

Point Trans::apply(Point p) const {
  return apply_vector(p) + disp;
}

int Trans::apply_angle(int a) const {
  if (mirror) a = -a;
  a += rot * 90;
  return ((a % 360) + 360) % 360;
}

Trans Trans::operator*(const Trans& in) const {
  // this(in(p)) = R_o M_o (R_i M_i p + d_i) + d_o.  M R_i = R_i^{-1} M, so
  // R_o M_o R_i M_i = R_o R_i^{+-1} M_o M_i.
  Trans t;
  int r_in = mirror ? (4 - in.rot) % 4 : in.rot;
  t.rot = (rot + r_in) % 4;
  t.mirror = mirror != in.mirror;
  t.disp = apply(in.disp);
  return t;
}

Trans Trans::inverted() const {
  // p' = R M p + d  =>  p = M^-1 R^-1 (p' - d) = M R^-1 (p' - d) = R^{+-1} M (p' - d)
  Trans t;
  t.mirror = mirror;
  t.rot = mirror ? rot : (4 - rot) % 4;
  Trans lin{t.rot, t.mirror, {0, 0}};
  Point md = lin.apply_vector(disp);
  t.disp = {-md.x, -md.y};
  return t;
}

Polygon transformed(const Polygon& p, const Trans& t) {
  Polygon out;
  out.reserve(p.size());
  for (const Point& q : p) out.push_back(t.apply(q));
  return out;
}

Box transformed(const Box& b, const Trans& t) {
  if (b.empty()) return b;
  Box out;
  out.add(t.apply({b.x0, b.y0}));
  out.add(t.apply({b.x1, b.y1}));
  return out;
}

// ---------------------------------------------------------------------------------------------
namespace {
constexpr double kPi = std::numbers::pi;
double rad(double deg) {
  return deg * kPi / 180.0;
}
}  // namespace

int arc_segments(double radius_nm, double angle_rad, double tolerance_nm) {
  double a = std::fabs(angle_rad);
  if (a == 0) return 0;
  double tol = std::max(tolerance_nm, 1e-3);
  double step = radius_nm > tol ? 2.0 * std::acos(1.0 - tol / radius_nm) : kPi / 2;
  step = std::min(step, kPi / 8);  // at least 4 segments per quarter turn
  return std::max(1, static_cast<int>(std::ceil(a / step - 1e-9)));
}

double sbend_radius(double length_nm, double offset_nm) {
  double h = std::fabs(offset_nm);
  if (h == 0) return std::numeric_limits<double>::infinity();
  return (length_nm * length_nm / 4 + h * h / 4) / h;
}

Coord sbend_min_length(double offset_nm, double radius_nm) {
  double h = std::fabs(offset_nm);
  if (h > 2 * radius_nm)
    fail("LAYOUT-PARAM", fmt::format("S-bend offset {} nm exceeds twice the radius {} nm", h, radius_nm));
  // (L/2)^2 = R h - h^2/4
  double half = std::sqrt(std::max(0.0, radius_nm * h - h * h / 4));
  Coord half_nm = static_cast<Coord>(std::ceil(half - 1e-9));
  while (sbend_radius(2.0 * half_nm, h) < radius_nm) ++half_nm;
  return 2 * std::max<Coord>(half_nm, static_cast<Coord>(std::ceil(h / 2)));
}

Centerline::Centerline(Point start, double angle_deg, double width_nm, double tolerance_nm)
    : width_(width_nm), tolerance_(tolerance_nm), min_radius_(std::numeric_limits<double>::infinity()) {
  if (!(width_nm > 0)) fail("LAYOUT-PARAM", fmt::format("path width {} nm must be positive", width_nm));
  push(static_cast<double>(start.x), static_cast<double>(start.y), rad(angle_deg), width_nm);
}

void Centerline::push(double x, double y, double angle, double width) {
  samples_.push_back({x, y, angle, width});
}

void Centerline::straight(double len) {
  if (len < 0) fail("LAYOUT-PARAM", fmt::format("straight length {} nm is negative", len));
  if (len == 0) return;
  const CurveSample& s = samples_.back();
  push(s.x + len * std::cos(s.angle), s.y + len * std::sin(s.angle), s.angle, width_);
  length_ += len;
}

void Centerline::taper(double len, double end_width) {
  if (!(len > 0) || !(end_width > 0))
    fail("LAYOUT-PARAM", fmt::format("taper length {} nm and width {} nm must be positive", len, end_width));
  const CurveSample& s = samples_.back();
  push(s.x + len * std::cos(s.angle), s.y + len * std::sin(s.angle), s.angle, end_width);
  width_ = end_width;
  length_ += len;
}

void Centerline::arc(double radius, double angle_deg) {
  if (!(radius > 0)) fail("LAYOUT-PARAM", fmt::format("arc radius {} nm must be positive", radius));
  if (angle_deg == 0) return;
  const CurveSample s = samples_.back();
  const double sign = angle_deg > 0 ? 1.0 : -1.0;
  const double total = rad(std::fabs(angle_deg));
  // Centre on the side the arc turns to.
  const double cx = s.x - sign * radius * std::sin(s.angle);
  const double cy = s.y + sign * radius * std::cos(s.angle);
  const int n = arc_segments(radius + width_ / 2, total, tolerance_);
  for (int k = 1; k <= n; ++k) {
    double a = s.angle + sign * total * k / n;  // tangent direction
    push(cx + sign * radius * std::sin(a), cy - sign * radius * std::cos(a), a, width_);
  }
  length_ += radius * total;
  min_radius_ = std::min(min_radius_, radius);
}

void Centerline::euler(double r0, double angle_deg, double p) {
  if (!(r0 > 0)) fail("LAYOUT-PARAM", fmt::format("Euler bend radius {} nm must be positive", r0));
  if (!(p >= 0 && p <= 1)) fail("LAYOUT-PARAM", fmt::format("Euler fraction p = {} must lie in [0, 1]", p));
  if (p == 0) return arc(r0, angle_deg);
  if (angle_deg == 0) return;
  const CurveSample s = samples_.back();
  const double sign = angle_deg > 0 ? 1.0 : -1.0;
  const double total = rad(std::fabs(angle_deg));
  const double k0 = 1.0 / r0;
  const double te = total * p / 2;         // angle of each clothoid part
  const double se = 2 * te * r0;           // its length
  const double sc = total * (1 - p) * r0;  // circular part length
  const double s1 = se + sc, stot = 2 * se + sc;
  auto psi = [&](double t) {  // turned angle after arc length t
    if (t <= se) return k0 * t * t / (2 * se);
    if (t <= s1) return te + k0 * (t - se);
    double u = t - s1;
    return te + total * (1 - p) + k0 * u - k0 * u * u / (2 * se);
  };
  const double r_out = r0 + width_ / 2;
  const double ds_max = std::sqrt(8 * std::max(tolerance_, 1e-3) * r0 * r0 / r_out);
  const int n = std::max(4, static_cast<int>(std::ceil(stot / ds_max)));
  double x = s.x, y = s.y;
  constexpr int kSub = 16;  // Simpson sub-intervals per sample: position error << 1e-3 nm
  for (int k = 1; k <= n; ++k) {
    double ta = stot * (k - 1) / n, tb = stot * k / n, h = (tb - ta) / kSub;
    double ix = 0, iy = 0;
    for (int j = 0; j <= kSub; ++j) {
      double w = (j == 0 || j == kSub) ? 1 : (j % 2 ? 4 : 2);
      double a = s.angle + sign * psi(ta + j * h);
      ix += w * std::cos(a);
      iy += w * std::sin(a);
    }
    x += ix * h / 3;
    y += iy * h / 3;
    push(x, y, s.angle + sign * psi(tb), width_);
  }
  length_ += stot;
  min_radius_ = std::min(min_radius_, r0);
}

void Centerline::sbend(double len, double offset) {
  double h = std::fabs(offset);
  if (!(h > 0) || !(len >= h))
    fail("LAYOUT-PARAM",
         fmt::format("S-bend offset {} nm must be non-zero and not exceed its length {} nm", offset, len));
  const CurveSample s = samples_.back();
  const double r = sbend_radius(len, h);
  const double a = std::atan2(len / 2, r - h / 2) * 180.0 / kPi;
  const double sign = offset > 0 ? 1.0 : -1.0;
  arc(r, sign * a);
  arc(r, -sign * a);
  // Land exactly on the intended end point and direction (removes rounding of the two arcs).
  CurveSample& e = samples_.back();
  e.x = s.x + len * std::cos(s.angle) - offset * std::sin(s.angle);
  e.y = s.y + len * std::sin(s.angle) + offset * std::cos(s.angle);
  e.angle = s.angle;
}

void Centerline::snap_end() {
  CurveSample& e = samples_.back();
  e.x = std::round(e.x);
  e.y = std::round(e.y);
}

Point Centerline::end() const {
  return {round_nm(samples_.back().x), round_nm(samples_.back().y)};
}

double Centerline::end_angle_deg() const {
  return samples_.back().angle * 180.0 / kPi;
}

Polygon Centerline::polygon() const {
  const size_t n = samples_.size();
  if (n < 2) fail("LAYOUT-PARAM", "a path needs at least two points");
  struct P2 {
    double x, y;
  };
  std::vector<P2> left(n), right(n);
  for (size_t i = 0; i < n; ++i) {
    const CurveSample& s = samples_[i];
    // Exact normals for Manhattan tangents (cos/sin of multiples of pi/2 are not exact in double).
    double deg = s.angle * 180.0 / kPi;
    double r90 = std::round(deg / 90.0);
    double nx, ny;
    if (std::fabs(deg - r90 * 90.0) < 1e-9) {
      int q = ((static_cast<int>(r90) % 4) + 4) % 4;
      static const double cs[4][2] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
      nx = -cs[q][1];
      ny = cs[q][0];
    } else {
      nx = -std::sin(s.angle);
      ny = std::cos(s.angle);
    }
    double hw = s.width / 2;
    left[i] = {s.x + nx * hw, s.y + ny * hw};
    right[i] = {s.x - nx * hw, s.y - ny * hw};
  }
  // Make the first and last boundary edges collinear with the end tangents (right-angle end corners).
  auto project = [](std::vector<P2>& side, size_t from, size_t onto, double angle) {
    double tx = std::cos(angle), ty = std::sin(angle);
    double d = (side[from].x - side[onto].x) * tx + (side[from].y - side[onto].y) * ty;
    side[from] = {side[onto].x + d * tx, side[onto].y + d * ty};
  };
  if (n >= 3) {
    for (auto* side : {&left, &right}) {
      project(*side, 1, 0, samples_[0].angle);
      project(*side, n - 2, n - 1, samples_[n - 1].angle);
    }
  }
  auto snap = [](const P2& p) {
    double x = std::fabs(p.x - std::round(p.x)) < 1e-6 ? std::round(p.x) : p.x;
    double y = std::fabs(p.y - std::round(p.y)) < 1e-6 ? std::round(p.y) : p.y;
    return Point{round_nm(x), round_nm(y)};
  };
  Polygon poly;
  poly.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) poly.push_back(snap(right[i]));
  for (size_t i = n; i-- > 0;) poly.push_back(snap(left[i]));
  compress(poly);
  make_ccw(poly);
  return poly;
}

}  // namespace holo::layout
