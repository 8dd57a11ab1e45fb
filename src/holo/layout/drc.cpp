#include "holo/layout/drc.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numbers>

#include "holo/support/error.h"

namespace holo::layout {

DrcDeck drc_deck(const pdk::Pdk& p) {
  DrcDeck d;
  d.pdk_name = p.name;
  auto wg = p.templates.find("waveguide");
  if (wg != p.templates.end() && wg->second.has("width_um")) d.wg_width_nm = um_to_nm(wg->second.number("width_um"));
  for (const pdk::Rule& r : p.rules) {
    DrcRule x;
    x.name = r.name;
    x.kind = r.kind;
    x.layer_name = r.layer;
    const pdk::Layer& l = p.layer(r.layer);
    x.layer = {l.layer, l.datatype};
    if (r.kind == "enclosure") {
      x.other_name = r.of_layer;
      const pdk::Layer& o = p.layer(r.of_layer);
      x.other = {o.layer, o.datatype};
    }
    x.min_nm = um_to_nm(r.min_um);
    x.source = r.source;
    d.rules.push_back(std::move(x));
  }
  return d;
}

namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kEps = 1e-6;  // nm: below the grid, above double rounding of nm-scale coordinates

struct Seg {
  double ax, ay, bx, by;
  int poly = -1;      // polygon the segment came from (merged boundaries)
  double length = 0;  // set by merged_boundary (not updated by clip)
  double minx() const { return std::min(ax, bx); }
  double maxx() const { return std::max(ax, bx); }
  double miny() const { return std::min(ay, by); }
  double maxy() const { return std::max(ay, by); }
  double dx() const { return bx - ax; }
  double dy() const { return by - ay; }
  double len() const { return std::hypot(dx(), dy()); }
};

struct BoxD {
  double x0, y0, x1, y1;
};

// Uniform grid over bounding boxes in compressed-row form (one array of ids, one of cell offsets), built
// once; query() reports each id once per call. The cell size grows when the area would need more than
// 16 cells per item, or the items more than 16 entries each on average (long diagonal edges each cover many
// cells: thousands of them crossing a layout would otherwise fill gigabytes).
class Grid {
 public:
  Grid(double cell, const std::vector<BoxD>& boxes) : cell_(cell), stamp_(boxes.size(), 0) {
    if (boxes.empty()) return;
    x0_ = boxes[0].x0;
    y0_ = boxes[0].y0;
    double x1 = boxes[0].x1, y1 = boxes[0].y1;
    for (const BoxD& b : boxes) {
      x0_ = std::min(x0_, b.x0);
      y0_ = std::min(y0_, b.y0);
      x1 = std::max(x1, b.x1);
      y1 = std::max(y1, b.y1);
    }
    // Offsets are 32-bit: at most 4e9 entries (a layout within the flat budget needs far fewer).
    const double limit = std::min(4e9, std::max(4096.0, 16.0 * static_cast<double>(boxes.size())));
    for (;;) {
      nx_ = static_cast<int64_t>((x1 - x0_) / cell_) + 1;
      ny_ = static_cast<int64_t>((y1 - y0_) / cell_) + 1;
      if (static_cast<double>(nx_) * static_cast<double>(ny_) <= limit) {
        double entries = 0;
        for (const BoxD& b : boxes)
          entries += static_cast<double>(kx(b.x1) - kx(b.x0) + 1) * static_cast<double>(ky(b.y1) - ky(b.y0) + 1);
        if (entries <= limit) break;
      }
      cell_ *= 2;
    }
    start_.assign(static_cast<size_t>(nx_ * ny_ + 1), 0);
    for (const BoxD& b : boxes)
      for (int64_t ix = kx(b.x0); ix <= kx(b.x1); ++ix)
        for (int64_t iy = ky(b.y0); iy <= ky(b.y1); ++iy) ++start_[static_cast<size_t>(ix * ny_ + iy + 1)];
    for (size_t k = 1; k < start_.size(); ++k) start_[k] += start_[k - 1];
    ids_.resize(start_.back());
    std::vector<uint32_t> fill(start_.begin(), start_.end() - 1);
    for (size_t id = 0; id < boxes.size(); ++id) {
      const BoxD& b = boxes[id];
      for (int64_t ix = kx(b.x0); ix <= kx(b.x1); ++ix)
        for (int64_t iy = ky(b.y0); iy <= ky(b.y1); ++iy)
          ids_[fill[static_cast<size_t>(ix * ny_ + iy)]++] = static_cast<int>(id);
    }
  }

  template <class F>
  void query(double x0, double y0, double x1, double y1, F&& f) {
    if (ids_.empty()) return;
    ++epoch_;
    for (int64_t ix = kx(x0); ix <= kx(x1); ++ix)
      for (int64_t iy = ky(y0); iy <= ky(y1); ++iy) {
        size_t c = static_cast<size_t>(ix * ny_ + iy);
        for (uint32_t k = start_[c]; k < start_[c + 1]; ++k) {
          int id = ids_[k];
          if (stamp_[static_cast<size_t>(id)] == epoch_) continue;
          stamp_[static_cast<size_t>(id)] = epoch_;
          f(id);
        }
      }
  }

 private:
  int64_t kx(double v) const {
    return std::clamp<int64_t>(static_cast<int64_t>(std::floor((v - x0_) / cell_)), 0, nx_ - 1);
  }
  int64_t ky(double v) const {
    return std::clamp<int64_t>(static_cast<int64_t>(std::floor((v - y0_) / cell_)), 0, ny_ - 1);
  }
  double cell_;
  double x0_ = 0, y0_ = 0;
  int64_t nx_ = 1, ny_ = 1;
  std::vector<uint32_t> start_;
  std::vector<int> ids_;
  std::vector<uint32_t> stamp_;
  uint32_t epoch_ = 0;
};

// The edge comparisons a check makes, against a budget proportional to the geometry (DrcOptions): shapes that
// all overlap one another, or a polygon whose thousands of edges all cross near one point, make the checks
// quadratic; they are refused (DRC-TOO-COMPLEX) instead of running for hours.
class Work {
 public:
  explicit Work(double limit) : limit_(limit) {}
  void add(size_t n) {
    done_ += static_cast<double>(n);
    if (done_ > limit_)
      fail("DRC-TOO-COMPLEX",
           fmt::format("the geometry{} needs more than {:.3g} edge comparisons ({} per vertex; holo drc "
                       "--drc-work-per-vertex): shapes piled on one another, or self-intersecting polygons?",
                       where_, limit_, per_vertex_));
  }
  void describe(double per_vertex, std::string where) {
    per_vertex_ = per_vertex;
    where_ = std::move(where);
  }
  double done() const { return done_; }

 private:
  double limit_;
  double done_ = 0;
  double per_vertex_ = 0;
  std::string where_;
};

// Polygons of one layer prepared for boolean queries: CCW, compressed, with bounding boxes and a grid.
struct PolySet {
  std::vector<Polygon> polys;
  std::vector<Box> boxes;
  Grid grid;

  explicit PolySet(const std::vector<Polygon>& in) : grid(prepare(in, polys, boxes)) {}

 private:
  static Grid prepare(const std::vector<Polygon>& in, std::vector<Polygon>& polys, std::vector<Box>& boxes) {
    std::vector<BoxD> bd;
    for (const Polygon& p0 : in) {
      Polygon p = p0;
      compress(p);
      if (p.size() < 3) continue;
      make_ccw(p);
      boxes.push_back(bbox(p));
      const Box& b = boxes.back();
      bd.push_back(
          {static_cast<double>(b.x0), static_cast<double>(b.y0), static_cast<double>(b.x1), static_cast<double>(b.y1)});
      polys.push_back(std::move(p));
    }
    return Grid(20000.0, bd);
  }
};

// Where a point lies relative to a polygon: 0 outside, 1 strictly inside, 2 on an edge running the same
// way as `dir`, 3 on an edge running the opposite way (or on a vertex / crossing edge: treated as 2).
int classify(const Polygon& q, double px, double py, double dirx, double diry) {
  const size_t n = q.size();
  bool inside = false;
  for (size_t i = 0; i < n; ++i) {
    double ax = static_cast<double>(q[i].x), ay = static_cast<double>(q[i].y);
    double bx = static_cast<double>(q[(i + 1) % n].x), by = static_cast<double>(q[(i + 1) % n].y);
    double ex = bx - ax, ey = by - ay;
    double l2 = ex * ex + ey * ey;
    double t = ((px - ax) * ex + (py - ay) * ey) / l2;
    if (t >= -kEps && t <= 1 + kEps) {
      double cx = ax + std::clamp(t, 0.0, 1.0) * ex - px, cy = ay + std::clamp(t, 0.0, 1.0) * ey - py;
      if (cx * cx + cy * cy < kEps * kEps) return (ex * dirx + ey * diry) >= 0 ? 2 : 3;
    }
    if ((ay > py) != (by > py)) {
      double x = ax + (py - ay) * ex / ey;
      if (x > px) inside = !inside;
    }
  }
  return inside ? 1 : 0;
}

// Parameters in (0, 1) where segment (a, b) meets the edges of polygon q.
void cut_params(Point a, Point b, const Polygon& q, std::vector<double>& ts) {
  __extension__ typedef __int128 Wide;
  const Wide rx = b.x - a.x, ry = b.y - a.y;
  const size_t n = q.size();
  for (size_t i = 0; i < n; ++i) {
    Point c = q[i], d = q[(i + 1) % n];
    const Wide sx = d.x - c.x, sy = d.y - c.y;
    const Wide qx = c.x - a.x, qy = c.y - a.y;
    Wide den = rx * sy - ry * sx;
    if (den != 0) {
      Wide tn = qx * sy - qy * sx, un = qx * ry - qy * rx;
      if (den < 0) {
        den = -den;
        tn = -tn;
        un = -un;
      }
      if (tn > 0 && tn < den && un >= 0 && un <= den) ts.push_back(static_cast<double>(tn) / static_cast<double>(den));
    } else if (qx * ry - qy * rx == 0) {  // collinear
      const double rr = static_cast<double>(rx * rx + ry * ry);
      for (Point e : {c, d}) {
        double t = static_cast<double>((e.x - a.x) * rx + (e.y - a.y) * ry) / rr;
        if (t > 0 && t < 1) ts.push_back(t);
      }
    }
  }
}

// The boundary of the union of a layer's polygons as directed segments (inside on the left).
std::vector<Seg> merged_boundary_raw(PolySet& set, Work& work) {
  std::vector<Seg> out;
  std::vector<int> cand;
  std::vector<double> ts;
  for (size_t pi = 0; pi < set.polys.size(); ++pi) {
    const Polygon& p = set.polys[pi];
    const size_t n = p.size();
    for (size_t i = 0; i < n; ++i) {
      Point a = p[i], b = p[(i + 1) % n];
      cand.clear();
      set.grid.query(static_cast<double>(std::min(a.x, b.x)), static_cast<double>(std::min(a.y, b.y)),
                     static_cast<double>(std::max(a.x, b.x)), static_cast<double>(std::max(a.y, b.y)), [&](int id) {
                       if (static_cast<size_t>(id) == pi) return;
                       const Box& bb = set.boxes[static_cast<size_t>(id)];
                       if (bb.overlaps(Box::of(a.x, a.y, b.x, b.y))) cand.push_back(id);
                     });
      const double ax = static_cast<double>(a.x), ay = static_cast<double>(a.y);
      const double ex = static_cast<double>(b.x - a.x), ey = static_cast<double>(b.y - a.y);
      if (cand.empty()) {
        out.push_back({ax, ay, ax + ex, ay + ey, static_cast<int>(pi)});
        continue;
      }
      std::sort(cand.begin(), cand.end());
      ts.assign({0.0, 1.0});
      for (int id : cand) {
        work.add(set.polys[static_cast<size_t>(id)].size());
        cut_params(a, b, set.polys[static_cast<size_t>(id)], ts);
      }
      std::sort(ts.begin(), ts.end());
      ts.erase(std::unique(ts.begin(), ts.end(), [](double u, double v) { return v - u < 1e-12; }), ts.end());
      for (size_t k = 0; k + 1 < ts.size(); ++k) {
        double tm = (ts[k] + ts[k + 1]) / 2;
        double mx = ax + tm * ex, my = ay + tm * ey;
        bool keep = true;
        for (int id : cand) {
          work.add(set.polys[static_cast<size_t>(id)].size());
          int c = classify(set.polys[static_cast<size_t>(id)], mx, my, ex, ey);
          if (c == 1 || c == 3 || (c == 2 && static_cast<size_t>(id) < pi)) {
            keep = false;
            break;
          }
        }
        if (keep)
          out.push_back(
              {ax + ts[k] * ex, ay + ts[k] * ey, ax + ts[k + 1] * ex, ay + ts[k + 1] * ey, static_cast<int>(pi)});
      }
    }
  }
  return out;
}

std::vector<Seg> merged_boundary(PolySet& set, Work& work) {
  std::vector<Seg> out = merged_boundary_raw(set, work);
  for (Seg& sg : out) sg.length = sg.len();
  return out;
}

// Part of segment s on the strict `side` (+1 left, -1 right) of the line through a; false when empty.
bool clip(const Seg& s, const Seg& a, int side, Seg& out) {
  const double ux = a.dx(), uy = a.dy();
  const double l = std::hypot(ux, uy);
  auto f = [&](double x, double y) { return side * (ux * (y - a.ay) - uy * (x - a.ax)) / l; };
  double f0 = f(s.ax, s.ay), f1 = f(s.bx, s.by);
  if (f0 <= kEps && f1 <= kEps) return false;
  out = s;
  if (f0 < 0) {
    double t = f0 / (f0 - f1);
    out.ax = s.ax + t * (s.bx - s.ax);
    out.ay = s.ay + t * (s.by - s.ay);
  } else if (f1 < 0) {
    double t = f0 / (f0 - f1);
    out.bx = s.ax + t * (s.bx - s.ax);
    out.by = s.ay + t * (s.by - s.ay);
  }
  return true;
}

// The point of segment s nearest to (px, py).
std::pair<double, double> nearest_on(double px, double py, const Seg& s) {
  double ex = s.dx(), ey = s.dy(), l2 = ex * ex + ey * ey;
  double t = l2 > 0 ? std::clamp(((px - s.ax) * ex + (py - s.ay) * ey) / l2, 0.0, 1.0) : 0.0;
  return {s.ax + t * ex, s.ay + t * ey};
}

double point_seg(double px, double py, const Seg& s) {
  const auto [qx, qy] = nearest_on(px, py, s);
  return std::hypot(qx - px, qy - py);
}

double seg_dist(const Seg& a, const Seg& b) {
  auto orient = [](double ax, double ay, double bx, double by, double cx, double cy) {
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
  };
  double o1 = orient(a.ax, a.ay, a.bx, a.by, b.ax, b.ay), o2 = orient(a.ax, a.ay, a.bx, a.by, b.bx, b.by);
  double o3 = orient(b.ax, b.ay, b.bx, b.by, a.ax, a.ay), o4 = orient(b.ax, b.ay, b.bx, b.by, a.bx, a.by);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return 0.0;
  return std::min(
      {point_seg(a.ax, a.ay, b), point_seg(a.bx, a.by, b), point_seg(b.ax, b.ay, a), point_seg(b.bx, b.by, a)});
}

// Midpoint of the shortest segment between a and b (non-crossing segments: the closest pair involves an
// endpoint of one of them).
std::pair<double, double> closest_midpoint(const Seg& a, const Seg& b) {
  double best = std::numeric_limits<double>::infinity(), mx = 0, my = 0;
  auto consider = [&](double px, double py, const Seg& s) {
    const auto [qx, qy] = nearest_on(px, py, s);
    const double dd = std::hypot(qx - px, qy - py);
    if (dd < best) {
      best = dd;
      mx = (px + qx) / 2;
      my = (py + qy) / 2;
    }
  };
  consider(a.ax, a.ay, b);
  consider(a.bx, a.by, b);
  consider(b.ax, b.ay, a);
  consider(b.bx, b.by, a);
  return {mx, my};
}

Box seg_box(const Seg& a, const Seg& b) {
  Box box;
  for (double x : {a.ax, a.bx, b.ax, b.bx})
    for (double y : {a.ay, a.by, b.ay, b.by}) {
      box.add(Point{static_cast<Coord>(std::floor(x)), static_cast<Coord>(std::floor(y))});
      box.add(Point{static_cast<Coord>(std::ceil(x)), static_cast<Coord>(std::ceil(y))});
    }
  return box;
}

double cos_angle(const Seg& a, const Seg& b) {
  return (a.dx() * b.dx() + a.dy() * b.dy()) / (a.length * b.length);
}

class Checker {
 public:
  Checker(const FlatLayout& flat, const DrcDeck& deck, const DrcOptions& opts)
      : flat_(flat), deck_(deck), opts_(opts), work_(budget(flat, opts)) {}

  DrcReport run() {
    for (const DrcRule& r : deck_.rules) {
      report_.counts[r.name] += 0;
      work_.describe(opts_.max_work_per_vertex, fmt::format(" of rule {} (layer {})", r.name, r.layer_name));
      if (r.kind == "width" || r.kind == "space")
        pair_check(r);
      else if (r.kind == "enclosure")
        enclosure_check(r);
      else if (r.kind == "bend_radius")
        bend_check(r);
    }
    report_.work = work_.done();
    return std::move(report_);
  }

 private:
  static double budget(const FlatLayout& flat, const DrcOptions& o) {
    if (o.max_work_per_vertex <= 0) return std::numeric_limits<double>::infinity();
    double vertices = 0;
    for (const auto& [l, v] : flat.polygons)
      for (const Polygon& p : v) vertices += static_cast<double>(p.size());
    return o.min_work + o.max_work_per_vertex * vertices;
  }

  const std::vector<Polygon>& polys(LayerSpec l) {
    static const std::vector<Polygon> none;
    auto it = flat_.polygons.find(l);
    return it == flat_.polygons.end() ? none : it->second;
  }

  PolySet& set(LayerSpec l) {
    auto it = sets_.find(l);
    if (it == sets_.end()) it = sets_.emplace(l, std::make_unique<PolySet>(polys(l))).first;
    return *it->second;
  }

  const std::vector<Seg>& boundary(LayerSpec l) {
    auto it = bounds_.find(l);
    if (it == bounds_.end()) it = bounds_.emplace(l, merged_boundary(set(l), work_)).first;
    return it->second;
  }

  void add(const DrcRule& r, Box where, double measured, bool uncovered = false) {
    report_.counts[r.name] += 1;
    report_.total += 1;
    if (++stored_[r.name] > opts_.max_per_rule) return;
    std::string what = r.kind == "bend_radius" ? "bend radius"
                       : r.kind == "enclosure" ? r.layer_name + " enclosure of " + r.other_name
                                               : r.kind;
    std::string detail = uncovered ? fmt::format("{} not covered by {}", r.other_name, r.layer_name)
                                   : fmt::format("{} {:.3f} um < {:.3f} um", what, measured / 1000,
                                                 static_cast<double>(r.min_nm) / 1000);
    report_.violations.push_back({r.name, r.kind, r.layer_name, where, measured, r.min_nm, std::move(detail)});
  }

  // Segment grid of a layer's merged boundary, built once per layer and cell size. Cells of at least
  // 4 um keep long straight edges in few cells; a bounding-box test drops far candidates cheaply.
  Grid& index(LayerSpec l, double d) {
    const double cell = std::max(4000.0, 2 * d);
    auto key = std::make_pair(l, cell);
    auto it = grids_.find(key);
    if (it != grids_.end()) return *it->second;
    const std::vector<Seg>& segs = boundary(l);
    std::vector<BoxD> bd;
    bd.reserve(segs.size());
    for (const Seg& sg : segs) bd.push_back({sg.minx(), sg.miny(), sg.maxx(), sg.maxy()});
    return *grids_.emplace(key, std::make_unique<Grid>(cell, bd)).first->second;
  }

  void pair_check(const DrcRule& r) {
    const std::vector<Seg>& segs = boundary(r.layer);
    const int side = r.kind == "width" ? 1 : -1;
    const double d = static_cast<double>(r.min_nm);
    Grid& g = index(r.layer, d);
    for (size_t i = 0; i < segs.size(); ++i) {
      const Seg& a = segs[i];
      g.query(a.minx() - d, a.miny() - d, a.maxx() + d, a.maxy() + d, [&](int jd) {
        work_.add(1);
        size_t j = static_cast<size_t>(jd);
        if (j <= i) return;
        const Seg& b = segs[j];
        if (b.minx() > a.maxx() + d || b.maxx() < a.minx() - d || b.miny() > a.maxy() + d || b.maxy() < a.miny() - d)
          return;
        if (cos_angle(a, b) >= -1e-9) return;  // enclose 90 degrees or more: not a facing pair
        Seg ca, cb;
        if (!clip(a, b, side, ca) || !clip(b, a, side, cb)) return;
        double dist = seg_dist(ca, cb);
        if (dist >= d - kEps) return;
        // Width: the material must lie between the two edges (two separate shapes whose corners come near
        // each other face outward, as KLayout's width check, which pairs edges of one polygon, sees them).
        if (side == 1 && dist > kEps && !inside(r.layer, closest_midpoint(ca, cb))) return;
        add(r, seg_box(ca, cb), dist);
      });
    }
  }

  bool inside(LayerSpec l, std::pair<double, double> pt) {
    PolySet& ps = set(l);
    bool in = false;
    ps.grid.query(pt.first, pt.second, pt.first, pt.second, [&](int id) {
      if (in) return;
      work_.add(ps.polys[static_cast<size_t>(id)].size());
      if (classify(ps.polys[static_cast<size_t>(id)], pt.first, pt.second, 1.0, 0.0) != 0) in = true;
    });
    return in;
  }

  void enclosure_check(const DrcRule& r) {
    const std::vector<Seg>& inner = boundary(r.other);
    const std::vector<Seg>& outer = boundary(r.layer);
    const double d = static_cast<double>(r.min_nm);
    Grid& g = index(r.layer, d);
    for (const Seg& a : inner) {
      g.query(a.minx() - d, a.miny() - d, a.maxx() + d, a.maxy() + d, [&](int jd) {
        work_.add(1);
        const Seg& b = outer[static_cast<size_t>(jd)];
        if (b.minx() > a.maxx() + d || b.maxx() < a.minx() - d || b.miny() > a.maxy() + d || b.maxy() < a.miny() - d)
          return;
        if (cos_angle(a, b) <= 1e-9) return;  // only edges running the same way face each other here
        Seg ca, cb;
        if (!clip(b, a, -1, cb) || !clip(a, b, 1, ca)) return;
        double dist = seg_dist(ca, cb);
        if (dist < d - kEps) add(r, seg_box(ca, cb), dist);
      });
    }
    // Parts of the enclosed layer outside the enclosing one: one violation per enclosed polygon.
    PolySet& os = set(r.layer);
    std::map<int, Box> uncovered;
    std::vector<int> cand;
    std::vector<double> ts;
    for (const Seg& a : inner) {
      cand.clear();
      os.grid.query(a.minx(), a.miny(), a.maxx(), a.maxy(), [&](int id) { cand.push_back(id); });
      ts.assign({0.0, 1.0});
      // Fragment ends are not integers in general: cut against the outer polygons in double precision.
      for (int id : cand) {
        const Polygon& q = os.polys[static_cast<size_t>(id)];
        work_.add(q.size());
        for (size_t k = 0; k < q.size(); ++k) {
          Seg f{static_cast<double>(q[k].x), static_cast<double>(q[k].y), static_cast<double>(q[(k + 1) % q.size()].x),
                static_cast<double>(q[(k + 1) % q.size()].y)};
          double den = a.dx() * f.dy() - a.dy() * f.dx();
          if (std::fabs(den) < 1e-12) continue;
          double t = ((f.ax - a.ax) * f.dy() - (f.ay - a.ay) * f.dx()) / den;
          double u = ((f.ax - a.ax) * a.dy() - (f.ay - a.ay) * a.dx()) / den;
          if (t > 0 && t < 1 && u >= 0 && u <= 1) ts.push_back(t);
        }
      }
      std::sort(ts.begin(), ts.end());
      for (size_t k = 0; k + 1 < ts.size(); ++k) {
        if (ts[k + 1] - ts[k] < 1e-12) continue;
        double tm = (ts[k] + ts[k + 1]) / 2;
        double mx = a.ax + tm * a.dx(), my = a.ay + tm * a.dy();
        bool covered = false;
        for (int id : cand) {
          work_.add(os.polys[static_cast<size_t>(id)].size());
          if (classify(os.polys[static_cast<size_t>(id)], mx, my, a.dx(), a.dy()) != 0) {
            covered = true;
            break;
          }
        }
        if (!covered) {
          Seg part{a.ax + ts[k] * a.dx(), a.ay + ts[k] * a.dy(), a.ax + ts[k + 1] * a.dx(), a.ay + ts[k + 1] * a.dy()};
          uncovered[a.poly].add(seg_box(part, part));
        }
      }
    }
    for (const auto& [poly, box] : uncovered) add(r, box, 0.0, true);
  }

  void bend_check(const DrcRule& r) {
    const double half_w = static_cast<double>(deck_.wg_width_nm) / 2;
    const double max_turn = kBendMaxTurnDeg * kPi / 180;
    const double win = static_cast<double>(kBendWindowNm);
    for (const Polygon& p0 : polys(r.layer)) {
      Polygon p = p0;
      compress(p);
      make_ccw(p);
      const size_t n = p.size();
      if (n < 4) continue;
      std::vector<double> turn(n), len(n);  // len[i]: edge from vertex i to i+1
      for (size_t i = 0; i < n; ++i) {
        const Point& a = p[(i + n - 1) % n];
        const Point& b = p[i];
        const Point& c = p[(i + 1) % n];
        double ux = static_cast<double>(b.x - a.x), uy = static_cast<double>(b.y - a.y);
        double vx = static_cast<double>(c.x - b.x), vy = static_cast<double>(c.y - b.y);
        turn[i] = std::atan2(ux * vy - uy * vx, ux * vx + uy * vy);
        len[i] = std::hypot(vx, vy);
      }
      std::vector<int> sign(n, 0);  // +1 / -1 on curve-like vertices
      for (size_t i = 0; i < n; ++i) {
        double lin = len[(i + n - 1) % n];
        if (std::fabs(turn[i]) > 0 && std::fabs(turn[i]) <= max_turn && lin <= kBendMaxEdgeNm &&
            len[i] <= kBendMaxEdgeNm)
          sign[i] = turn[i] > 0 ? 1 : -1;
      }
      double best = std::numeric_limits<double>::infinity();
      Box best_box;
      // Circumradius of the window's first, middle (by length) and last vertex.
      auto window = [&](size_t f, size_t e, double total, int sg) {
        work_.add(e - f);
        size_t mid = f + 1;
        double acc = len[f % n], best_gap = std::fabs(acc - total / 2);
        for (size_t k = f + 2; k < e; ++k) {
          acc += len[(k - 1) % n];
          if (std::fabs(acc - total / 2) < best_gap) {
            best_gap = std::fabs(acc - total / 2);
            mid = k;
          }
        }
        const Point& A = p[f % n];
        const Point& B = p[mid % n];
        const Point& C = p[e % n];
        double abx = static_cast<double>(B.x - A.x), aby = static_cast<double>(B.y - A.y);
        double acx = static_cast<double>(C.x - A.x), acy = static_cast<double>(C.y - A.y);
        double cross = std::fabs(abx * acy - aby * acx);
        if (cross == 0) return;
        double R = std::hypot(abx, aby) * std::hypot(acx - abx, acy - aby) * std::hypot(acx, acy) / (2 * cross);
        double rc = R + (sg > 0 ? -half_w : half_w);
        if (rc < best) {
          best = rc;
          best_box = Box{};
          for (size_t k = f; k <= e; ++k) best_box.add(p[k % n]);
        }
      };
      // Windows start at each vertex of a run and end at the first vertex >= win further along it.
      auto run = [&](size_t start, size_t m, bool closed, int sg) {
        size_t limit = closed ? n - 1 : m - 1;  // furthest end offset
        for (size_t f = 0; f < (closed ? n : m); ++f) {
          double acc = 0;
          size_t e = 0;
          for (size_t k = f + 1; k <= (closed ? f + limit : limit); ++k) {
            work_.add(1);
            acc += len[(start + k - 1) % n];
            if (acc >= win) {
              e = k;
              break;
            }
          }
          if (e == 0) {
            if (!closed && f == 0 && m >= 3) window(start, start + m - 1, acc, sg);  // run shorter than a window
            if (!closed) break;
            continue;
          }
          window(start + f, start + e, acc, sg);
        }
      };
      size_t start = n;
      for (size_t i = 0; i < n; ++i)
        if (sign[i] == 0 || sign[i] != sign[(i + n - 1) % n]) {
          start = i;
          break;
        }
      if (start == n) {  // every vertex turns the same way: one closed run
        if (sign[0] != 0) run(0, n, true, sign[0]);
      } else {
        size_t i = 0;
        while (i < n) {
          size_t v = (start + i) % n;
          if (sign[v] == 0) {
            ++i;
            continue;
          }
          size_t m = 1;
          while (i + m < n && sign[(start + i + m) % n] == sign[v]) ++m;
          if (m >= 3) run(v, m, false, sign[v]);
          i += m;
        }
      }
      if (best < static_cast<double>(r.min_nm) * (1 - kBendSlack)) add(r, best_box, best);
    }
  }

  const FlatLayout& flat_;
  const DrcDeck& deck_;
  DrcOptions opts_;
  DrcReport report_;
  std::map<LayerSpec, std::unique_ptr<PolySet>> sets_;
  std::map<LayerSpec, std::vector<Seg>> bounds_;
  std::map<std::pair<LayerSpec, double>, std::unique_ptr<Grid>> grids_;
  std::map<std::string, size_t> stored_;
  Work work_;
};

std::string um(Coord nm) {
  return fmt::format("{:g}", static_cast<double>(nm) / 1000.0);
}

std::string ruby_string(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\' || c == '#') o += '\\';
    o += c;
  }
  return o + "\"";
}

// The Ruby functions the deck's bend-radius checks call (KLayout's twin of Checker::bend_check). Over 150 lines:
// one Ruby source text, kept whole so it reads as the script it is.
std::string bend_radius_ruby(const DrcDeck& deck) {
  return fmt::format(
      R"RB(
# Bend radius, estimated on the drawn (unmerged) outlines exactly as `holo drc` does: along runs of
# boundary vertices turning the same way by at most {max_turn} degrees between edges of at most {max_edge} nm,
# windows of {win} nm of outline give the radius of the circle through their first, middle and last
# vertex; the centreline radius subtracts (convex side) or adds (concave side) half the waveguide width
# ({half_w} nm); a bend is flagged below min * (1 - {slack}).
# The estimate depends on one polygon's own outline, which a Manhattan placement does not change: each
# cell's own shapes are examined once (not every placed copy), the markers go into a scratch layer of that
# cell, and the recursive iterator then places them wherever the cell is placed (in a fraction of the time
# of a flat pass on a chip with thousands of MZI placements). A mirror reverses the order the outline is
# walked in, which can move a marker along its bend, so each cell gets a second scratch layer with the
# markers found on its mirrored outline (mirrored back), used for mirrored placements: the markers are then
# exactly those of a flat pass.
def holo_bend_radius(layer, datatype, min_nm, name, desc)
  marks = RBA::Region::new
  ly = source.layout
  li = ly.find_layer(layer, datatype)
  if li
    scratch = [ly.insert_layer(RBA::LayerInfo::new), ly.insert_layer(RBA::LayerInfo::new)]
    ly.each_cell do |cell|
      cell_marks = [RBA::Region::new, RBA::Region::new]
      cell.shapes(li).each do |sh|
        next unless sh.is_polygon? || sh.is_box? || sh.is_path?
        poly = sh.polygon
        [0, 1].each do |m|
          pts = []
          (m == 0 ? poly : poly.transformed(RBA::Trans::M0)).each_point_hull {{ |p| pts << [p.x.to_f, p.y.to_f] }}
          found = RBA::Region::new
          holo_bend_poly(pts, min_nm, found)
          cell_marks[m].insert(m == 0 ? found : found.transformed(RBA::Trans::M0))
        end
      end
      [0, 1].each {{ |m| cell.shapes(scratch[m]).insert(cell_marks[m]) unless cell_marks[m].is_empty? }}
    end
    [0, 1].each do |m|
      it = source.cell_obj.begin_shapes_rec(scratch[m])
      while !it.at_end?
        marks.insert(it.shape.polygon.transformed(it.trans)) if it.trans.is_mirror? == (m == 1)
        it.next
      end
    end
    scratch.each {{ |l| ly.delete_layer(l) }}
  end
  DRC::DRCLayer::new(self, marks).output(name, desc)
end

def holo_bend_poly(pts, min_nm, marks)
  n = pts.size
  return if n < 4
  area = 0.0
  n.times {{ |i| a = pts[i]; b = pts[(i + 1) % n]; area += a[0] * b[1] - b[0] * a[1] }}
  pts = pts.reverse if area < 0
  turn = []
  len = []
  n.times do |i|
    a = pts[(i - 1) % n]; b = pts[i]; c = pts[(i + 1) % n]
    ux = b[0] - a[0]; uy = b[1] - a[1]; vx = c[0] - b[0]; vy = c[1] - b[1]
    turn << Math.atan2(ux * vy - uy * vx, ux * vx + uy * vy)
    len << Math.hypot(vx, vy)
  end
  max_turn = {max_turn} * Math::PI / 180.0
  sign = []
  n.times do |i|
    lin = len[(i - 1) % n]
    t = turn[i].abs
    sign << ((t > 0 && t <= max_turn && lin <= {max_edge} && len[i] <= {max_edge}) ? (turn[i] > 0 ? 1 : -1) : 0)
  end
  best = Float::INFINITY
  best_f = nil
  best_e = nil
  window = lambda do |f, e, total, sg|
    mid = f + 1
    acc = len[f % n]
    gap = (acc - total / 2.0).abs
    ((f + 2)...e).each do |k|
      acc += len[(k - 1) % n]
      if (acc - total / 2.0).abs < gap
        gap = (acc - total / 2.0).abs
        mid = k
      end
    end
    pa = pts[f % n]; pb = pts[mid % n]; pc = pts[e % n]
    abx = pb[0] - pa[0]; aby = pb[1] - pa[1]; acx = pc[0] - pa[0]; acy = pc[1] - pa[1]
    cross = (abx * acy - aby * acx).abs
    return if cross == 0
    r = Math.hypot(abx, aby) * Math.hypot(acx - abx, acy - aby) * Math.hypot(acx, acy) / (2.0 * cross)
    rc = r + (sg > 0 ? -{half_w} : {half_w})
    if rc < best
      best = rc
      best_f = f
      best_e = e
    end
  end
  run = lambda do |start, m, closed, sg|
    limit = closed ? n - 1 : m - 1
    (closed ? n : m).times do |f|
      acc = 0.0
      e = 0
      ((f + 1)..(closed ? f + limit : limit)).each do |k|
        acc += len[(start + k - 1) % n]
        if acc >= {win}
          e = k
          break
        end
      end
      if e == 0
        window.call(start, start + m - 1, acc, sg) if !closed && f == 0 && m >= 3
        break unless closed
        next
      end
      window.call(start + f, start + e, acc, sg)
    end
  end
  start = nil
  n.times do |i|
    if sign[i] == 0 || sign[i] != sign[(i - 1) % n]
      start = i
      break
    end
  end
  if start.nil?
    run.call(0, n, true, sign[0]) if sign[0] != 0
  else
    i = 0
    while i < n
      v = (start + i) % n
      if sign[v] == 0
        i += 1
        next
      end
      m = 1
      m += 1 while i + m < n && sign[(start + i + m) % n] == sign[v]
      run.call(v, m, false, sign[v]) if m >= 3
      i += m
    end
  end
  if best < min_nm * (1.0 - {slack})
    box = RBA::Box::new
    (best_f..best_e).each {{ |k| box += RBA::Point::new(pts[k % n][0].round, pts[k % n][1].round) }}
    marks.insert(box)
  end
end
)RB",
      fmt::arg("max_turn", kBendMaxTurnDeg), fmt::arg("max_edge", kBendMaxEdgeNm), fmt::arg("win", kBendWindowNm),
      fmt::arg("half_w", static_cast<double>(deck.wg_width_nm) / 2), fmt::arg("slack", kBendSlack));
}

}  // namespace

DrcReport run_drc(const FlatLayout& flat, const DrcDeck& deck, const DrcOptions& opts) {
  return Checker(flat, deck, opts).run();
}

std::string klayout_deck(const DrcDeck& deck) {
  std::string s;
  s += fmt::format(
      "# KLayout DRC deck for PDK '{}', written by holo-code-gen from the PDK's rules (docs/layout.md).\n"
      "# Plain DSL: keep the .drc extension. Run:\n"
      "#   klayout -b -r chip.drc -rd input=chip.gds -rd report=report.lyrdb\n"
      "# Checks on merged polygons, Euclidean metric: the semantics of `holo drc`. Hierarchical (deep) mode\n"
      "# gives the same results as a flat run and finishes on whole compiled chips.\n\n",
      deck.pdk_name);
  s += "source($input)\n";
  s += fmt::format("report({}, $report)\n\n", ruby_string("holo DRC: " + deck.pdk_name));
  // The bend-radius estimator reads the layout itself (and adds scratch layers): run it before deep mode
  // takes over the layers.
  for (const DrcRule& r : deck.rules) {
    if (r.kind != "bend_radius") continue;
    std::string desc = fmt::format("{} {} {} um ({})", r.kind, r.layer_name, um(r.min_nm), r.source);
    s += fmt::format("holo_bend_radius({}, {}, {}, {}, {})\n", r.layer.layer, r.layer.datatype, r.min_nm,
                     ruby_string(r.name), ruby_string(desc));
  }
  s += "\ndeep\n\n";
  std::map<std::string, LayerSpec> layers;
  for (const DrcRule& r : deck.rules) {
    layers[r.layer_name] = r.layer;
    if (r.kind == "enclosure") layers[r.other_name] = r.other;
  }
  auto var = [](const std::string& name) {
    std::string v = "l_";
    for (char c : name) v += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
    return v;
  };
  for (const auto& [name, l] : layers) s += fmt::format("{} = input({}, {})\n", var(name), l.layer, l.datatype);
  s += "\n";
  bool bend = false;
  for (const DrcRule& r : deck.rules) {
    std::string desc = fmt::format("{} {} {} um ({})", r.kind, r.layer_name, um(r.min_nm), r.source);
    if (r.kind == "width") {
      s += fmt::format("{}.width({}.um).output({}, {})\n", var(r.layer_name), um(r.min_nm), ruby_string(r.name),
                       ruby_string(desc));
    } else if (r.kind == "space") {
      s += fmt::format("{}.space({}.um).output({}, {})\n", var(r.layer_name), um(r.min_nm), ruby_string(r.name),
                       ruby_string(desc));
    } else if (r.kind == "enclosure") {
      s += fmt::format("{}.enclosing({}, {}.um).output({}, {})\n", var(r.layer_name), var(r.other_name), um(r.min_nm),
                       ruby_string(r.name), ruby_string(desc));
      s += fmt::format("({} - {}).output({}, {})\n", var(r.other_name), var(r.layer_name), ruby_string(r.name),
                       ruby_string(r.other_name + " not covered by " + r.layer_name));
    } else if (r.kind == "bend_radius") {
      bend = true;  // written above, before deep mode
    }
  }
  if (bend) {
    std::string fn = bend_radius_ruby(deck);
    // Ruby needs the functions defined before they are called: put them first.
    std::string head = s.substr(0, s.find("source($input)"));
    s = head + fn + "\n" + s.substr(head.size());
  }
  return s;
}

}  // namespace holo::layout
