#include "holo/layout/nets.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <tuple>

#include "holo/support/error.h"

namespace holo::layout {
namespace {

// Rectangles bucketed on a square grid: a rectangle sits in every bucket it touches, so two rectangles that
// overlap or touch share a bucket (the one holding a common point).
class Grid {
 public:
  Grid(const std::vector<Box>& boxes, Coord bucket) : boxes_(boxes), bucket_(bucket) {
    for (uint32_t i = 0; i < boxes.size(); ++i) {
      const Box& b = boxes[i];
      for (int64_t cx = cell(b.x0); cx <= cell(b.x1); ++cx)
        for (int64_t cy = cell(b.y0); cy <= cell(b.y1); ++cy) entries_.push_back({key(cx, cy), i});
    }
    std::sort(entries_.begin(), entries_.end());
  }

  // Connected components (overlapping or touching): a representative index per rectangle.
  std::vector<uint32_t> components() const {
    std::vector<uint32_t> parent(boxes_.size());
    std::iota(parent.begin(), parent.end(), 0u);
    auto find = [&](uint32_t i) {
      while (parent[i] != i) i = parent[i] = parent[parent[i]];
      return i;
    };
    for (size_t a = 0; a < entries_.size();) {
      size_t b = a;
      while (b < entries_.size() && entries_[b].first == entries_[a].first) ++b;
      for (size_t i = a; i < b; ++i)
        for (size_t j = i + 1; j < b; ++j) {
          const uint32_t u = entries_[i].second, v = entries_[j].second;
          if (boxes_[u].overlaps(boxes_[v])) {
            const uint32_t ru = find(u), rv = find(v);
            if (ru != rv) parent[std::max(ru, rv)] = std::min(ru, rv);
          }
        }
      a = b;
    }
    for (uint32_t i = 0; i < parent.size(); ++i) parent[i] = find(i);
    return parent;
  }

  // The rectangles holding point p (smallest index first).
  std::vector<uint32_t> at(Point p) const {
    std::vector<uint32_t> out;
    const uint64_t k = key(cell(p.x), cell(p.y));
    auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(k, uint32_t{0}));
    for (; it != entries_.end() && it->first == k; ++it) {
      const Box& b = boxes_[it->second];
      if (b.x0 <= p.x && p.x <= b.x1 && b.y0 <= p.y && p.y <= b.y1) out.push_back(it->second);
    }
    return out;
  }

 private:
  int64_t cell(Coord v) const { return v >= 0 ? v / bucket_ : -((-v + bucket_ - 1) / bucket_); }
  static uint64_t key(int64_t cx, int64_t cy) {
    return (static_cast<uint64_t>(cx + (int64_t{1} << 31)) << 32) | static_cast<uint64_t>(cy + (int64_t{1} << 31));
  }
  const std::vector<Box>& boxes_;
  Coord bucket_;
  std::vector<std::pair<uint64_t, uint32_t>> entries_;
};

bool is_rectangle(const Polygon& poly, const Box& b) {
  // A rectangle: every vertex on a corner of its bounding box, and the area of that box (collinear extra
  // vertices allowed).
  for (const Point& pt : poly)
    if ((pt.x != b.x0 && pt.x != b.x1) || (pt.y != b.y0 && pt.y != b.y1)) return false;
  return std::abs(signed_area2(poly)) == 2.0 * static_cast<double>(b.width()) * static_cast<double>(b.height());
}

// The layers the check reads, in one list: the metals bottom up, then HEATER, the contact via, the vias between
// metals (the via under metal k at first_via + k - 1), PAD.
struct WiringLayers {
  std::vector<LayerSpec> all;
  size_t metals = 0, heater = 0, contact_via = 0, first_via = 0, pad = 0;
};

WiringLayers wiring_layers(const LayoutParams& p) {
  WiringLayers w;
  for (const RoutingLayer& m : p.metals.layers) w.all.push_back(m.layer);
  w.metals = w.all.size();
  w.heater = w.all.size();
  w.all.push_back(p.layers.heater);
  w.contact_via = w.all.size();
  w.all.push_back(p.metals.contact().via_below.layer);
  w.first_via = w.all.size();
  for (size_t k = 1; k < p.metals.layers.size(); ++k) w.all.push_back(p.metals.layers[k].via_below.layer);
  w.pad = w.all.size();
  w.all.push_back(p.layers.pad);
  return w;
}

// The rectangles of the wiring layers of `top` with everything it references, in top's coordinates (bounding
// boxes for shapes that are not rectangles, counted in non_rect). Per cell once, then placed.
struct FlatBoxes {
  std::vector<std::vector<Box>> boxes;  // per layer of WiringLayers::all
  int64_t non_rect = 0;
};

FlatBoxes flat_boxes(const Library& lib, const std::string& top, const std::vector<LayerSpec>& layers) {
  const size_t n = layers.size();
  struct Local {
    std::vector<std::vector<Box>> boxes;
    int64_t non_rect = 0;
  };
  std::map<std::string, Local> memo;
  auto local = [&](const Cell& c) -> const Local& {
    auto it = memo.find(c.name);
    if (it != memo.end()) return it->second;
    Local loc;
    loc.boxes.resize(n);
    for (size_t k = 0; k < n; ++k) {
      auto pl = c.polygons.find(layers[k]);
      if (pl == c.polygons.end()) continue;
      for (const Polygon& poly : pl->second) {
        const Box b = bbox(poly);
        if (!is_rectangle(poly, b)) ++loc.non_rect;
        loc.boxes[k].push_back(b);
      }
    }
    return memo.emplace(c.name, std::move(loc)).first->second;
  };
  FlatBoxes out;
  out.boxes.resize(n);
  for_each_placement(
      lib, top,
      [&](const Cell& c) {
        for (const LayerSpec& l : layers) {
          auto pl = c.polygons.find(l);
          if (pl != c.polygons.end() && !pl->second.empty()) return true;
        }
        return false;
      },
      [&](const Cell& c, const Trans& t) {
        const Local& loc = local(c);
        for (size_t k = 0; k < n; ++k)
          for (const Box& b : loc.boxes[k]) out.boxes[k].push_back(transformed(b, t));
        out.non_rect += loc.non_rect;
      });
  return out;
}

Point centre(const Box& b) {
  return {b.x0 + (b.x1 - b.x0) / 2, b.y0 + (b.y1 - b.y0) / 2};
}

std::string at_um(Point p) {
  return fmt::format("({:.3f}, {:.3f}) um", static_cast<double>(p.x) / 1000.0, static_cast<double>(p.y) / 1000.0);
}

constexpr uint32_t kNone = UINT32_MAX;
constexpr Coord kBucket = 50000;  // 50 um: a few wires, contacts or one pad per bucket

// The nets of the metal stack: the rectangles of all metals numbered one after the other (metal k's from
// offset[k]), each rectangle's net the number of a representative rectangle; rectangles of one metal that touch
// share a net, and a via between two metals joins the nets under its centre.
class MetalNets {
 public:
  MetalNets(const FlatBoxes& fb, const WiringLayers& wl) {
    size_t total = 0;
    grids_.reserve(wl.metals);
    for (size_t k = 0; k < wl.metals; ++k) {
      offset_.push_back(static_cast<uint32_t>(total));
      grids_.emplace_back(fb.boxes[k], kBucket);
      total += fb.boxes[k].size();
    }
    net_.resize(total);
    for (size_t k = 0; k < wl.metals; ++k) {
      const std::vector<uint32_t> comp = grids_[k].components();
      for (size_t i = 0; i < comp.size(); ++i) net_[offset_[k] + i] = offset_[k] + comp[i];
    }
    if (wl.metals < 2) return;
    auto find = [&](uint32_t i) {
      while (net_[i] != i) i = net_[i] = net_[net_[i]];
      return i;
    };
    for (size_t k = 1; k < wl.metals; ++k)
      for (const Box& v : fb.boxes[wl.first_via + k - 1]) {
        const uint32_t a = at(k - 1, centre(v)), b = at(k, centre(v));
        if (a == kNone || b == kNone) continue;  // a via without metal on both sides joins nothing
        const uint32_t ra = find(a), rb = find(b);
        if (ra != rb) net_[std::max(ra, rb)] = std::min(ra, rb);
      }
    for (uint32_t i = 0; i < net_.size(); ++i) net_[i] = find(i);
  }

  size_t size() const { return net_.size(); }  // net numbers are below it
  // The net of metal k under p (kNone when there is no metal k there).
  uint32_t at(size_t k, Point p) const {
    const std::vector<uint32_t> m = grids_[k].at(p);
    return m.empty() ? kNone : net_[offset_[k] + m.front()];
  }
  // The net under p on the lowest metal there.
  uint32_t lowest_at(Point p) const {
    for (size_t k = 0; k < grids_.size(); ++k)
      if (const uint32_t n = at(k, p); n != kNone) return n;
    return kNone;
  }

 private:
  std::vector<Grid> grids_;
  std::vector<uint32_t> offset_, net_;
};

}  // namespace

HeaterNets extract_heater_nets(const Library& lib, const std::string& top, const LayoutParams& p, size_t max_problems) {
  HeaterNets r;
  const WiringLayers wl = wiring_layers(p);
  const FlatBoxes fb = flat_boxes(lib, top, wl.all);
  const std::vector<Box>&heater = fb.boxes[wl.heater], &vias = fb.boxes[wl.contact_via], &pads = fb.boxes[wl.pad];
  r.non_rectangles = fb.non_rect;
  auto problem = [&](std::string what) {
    if (r.problems.size() < max_problems) r.problems.push_back(std::move(what));
  };
  const MetalNets nets(fb, wl);
  const Grid heater_grid(heater, kBucket);
  const std::vector<uint32_t> comp = heater_grid.components();

  // Heater terminals: (heater component, net) for every via on both, located by their lowest via.
  struct Terminal {
    uint32_t heater, net;
    Point at;
  };
  std::vector<Terminal> terms;
  terms.reserve(vias.size());
  for (const Box& v : vias) {
    const Point c = centre(v);
    const std::vector<uint32_t> h = heater_grid.at(c);
    const uint32_t m = nets.at(0, c);
    if (h.empty() || m == kNone) continue;  // a via off a heater or without contact metal joins nothing
    terms.push_back({comp[h.front()], m, c});
  }
  std::sort(terms.begin(), terms.end(), [](const Terminal& a, const Terminal& b) {
    return std::tie(a.heater, a.net, a.at.y, a.at.x) < std::tie(b.heater, b.net, b.at.y, b.at.x);
  });
  terms.erase(std::unique(terms.begin(), terms.end(),
                          [](const Terminal& a, const Terminal& b) { return a.heater == b.heater && a.net == b.net; }),
              terms.end());
  // Pads and heater terminals per net (nets are indexed by their representative rectangle).
  std::vector<int64_t> pads_on(nets.size(), 0), heaters_on(nets.size(), 0);
  r.pads = static_cast<int64_t>(pads.size());
  std::vector<uint32_t> pad_net(pads.size(), kNone);
  for (size_t i = 0; i < pads.size(); ++i) {
    pad_net[i] = nets.lowest_at(centre(pads[i]));
    if (pad_net[i] == kNone) continue;
    ++pads_on[pad_net[i]];
  }
  for (const Terminal& t : terms) ++heaters_on[t.net];
  for (size_t n = 0; n < nets.size(); ++n)
    if (pads_on[n] > 0 && heaters_on[n] > 0) (heaters_on[n] == 1 ? r.drive_nets : r.common_nets) += 1;
  for (size_t a = 0; a < terms.size();) {
    size_t b = a;
    while (b < terms.size() && terms[b].heater == terms[a].heater) ++b;
    ++r.heaters;
    const Point where = terms[a].at;
    const size_t n_terms = b - a;
    if (n_terms == 1) {
      // One net under every via of the heater.
      ++r.shorted_heaters;
      problem(fmt::format("heater at {}: both terminals on one M2 net (shorted)", at_um(where)));
      a = b;
      continue;
    }
    if (n_terms > 2) {
      ++r.odd_heaters;
      problem(fmt::format("heater at {}: {} terminals", at_um(where), n_terms));
    }
    bool driven = false;
    for (size_t k = a; k < b; ++k) {
      if (pads_on[terms[k].net] == 0) {
        ++r.open_terminals;
        problem(fmt::format("heater terminal at {}: its M2 net reaches no pad (open)", at_um(terms[k].at)));
      } else if (heaters_on[terms[k].net] == 1) {
        driven = true;
      }
    }
    if (!driven) {
      ++r.undriven_heaters;
      problem(
          fmt::format("heater at {}: no terminal on a padded net of its own (its drive is shared: a short, "
                      "or open)",
                      at_um(where)));
    }
    a = b;
  }
  for (size_t i = 0; i < pads.size(); ++i)
    if (pad_net[i] == kNone || heaters_on[pad_net[i]] == 0) {
      ++r.dangling_pads;
      problem(fmt::format("pad at {}: on no heater's net", at_um(centre(pads[i]))));
    }
  if (r.non_rectangles > 0)
    problem(fmt::format("{} shapes on the metals / HEATER / vias / PAD are not rectangles (bounding boxes used)",
                        r.non_rectangles));
  return r;
}

std::vector<int64_t> metal_nets_at(const Library& lib, const std::string& top, const LayoutParams& p,
                                   const std::vector<Point>& points) {
  const WiringLayers wl = wiring_layers(p);
  const FlatBoxes fb = flat_boxes(lib, top, wl.all);
  const MetalNets nets(fb, wl);
  std::vector<int64_t> out;
  out.reserve(points.size());
  for (const Point& pt : points) {
    const uint32_t n = nets.lowest_at(pt);
    out.push_back(n == kNone ? -1 : static_cast<int64_t>(n));
  }
  return out;
}

}  // namespace holo::layout
