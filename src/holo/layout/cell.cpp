#include "holo/layout/cell.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "holo/support/error.h"

namespace holo::layout {

const char* to_string(PortKind k) {
  return k == PortKind::Optical ? "optical" : "electrical";
}

namespace {

int64_t sat_add(int64_t a, int64_t b) {  // a, b >= 0
  int64_t r;
  return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

int64_t sat_mul(int64_t a, int64_t b) {  // a, b >= 0
  int64_t r;
  return __builtin_mul_overflow(a, b, &r) ? INT64_MAX : r;
}

Coord magnitude(Coord v) {
  return v >= 0 ? v : (v == INT64_MIN ? INT64_MAX : -v);
}

Coord magnitude(Point p) {
  return std::max(magnitude(p.x), magnitude(p.y));
}

const Cell* child_of(const Library& lib, const Cell& parent, const Ref& r) {
  const Cell* c = lib.find(r.cell);
  if (!c)
    fail("LAYOUT-MISSING-CELL",
         fmt::format("library '{}': cell '{}' references '{}', which does not exist", lib.name(), parent.name, r.cell));
  return c;
}

// A loop found on a depth-first stack: the frames from `again` on, then `again`.
template <typename Frame>
[[noreturn]] void cycle(const std::vector<Frame>& stack, const Cell* again) {
  std::vector<std::string> names;
  bool on = false;
  for (const Frame& f : stack) {
    on = on || f.cell == again;
    if (on) names.push_back(f.cell->name);
  }
  names.push_back(again->name);
  if (names.size() > 12) {  // a long loop: its first and last six cells
    names.erase(names.begin() + 6, names.end() - 6);
    names.insert(names.begin() + 6, "...");
  }
  fail("LAYOUT-CYCLE",
       fmt::format("cell '{}' references itself through its children: {}", again->name, fmt::join(names, " -> ")));
}

// The cells under a top cell, resolved once: `cells` parents before children (top first), `children[k][m]` the
// position in `cells` of the cell that reference m of cells[k] places.
struct Hierarchy {
  std::vector<const Cell*> cells;
  std::vector<std::vector<size_t>> children;
};

Hierarchy resolve(const Library& lib, const std::string& top) {
  const Cell* root = &lib.cell(top);
  // Depth-first post-order (children before parents) with an explicit stack; reversed, parents come first.
  struct Frame {
    const Cell* cell;
    size_t next = 0;
  };
  std::map<const Cell*, int> state;  // 1 on the stack, 2 finished
  std::vector<const Cell*> post;
  std::vector<Frame> stack{{root}};
  state[root] = 1;
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next < f.cell->refs.size()) {
      const Cell* child = child_of(lib, *f.cell, f.cell->refs[f.next++]);
      int& st = state[child];
      if (st == 1) cycle(stack, child);
      if (st == 0) {
        st = 1;
        stack.push_back({child});
      }
      continue;
    }
    state[f.cell] = 2;
    post.push_back(f.cell);
    stack.pop_back();
  }
  Hierarchy h;
  h.cells.assign(post.rbegin(), post.rend());
  std::map<const Cell*, size_t> pos;
  for (size_t k = 0; k < h.cells.size(); ++k) pos[h.cells[k]] = k;
  h.children.resize(h.cells.size());
  for (size_t k = 0; k < h.cells.size(); ++k)
    for (const Ref& r : h.cells[k]->refs) h.children[k].push_back(pos.at(lib.find(r.cell)));
  return h;
}

// Placements of each cell of `h` in the flattened top (saturating).
std::vector<int64_t> multiplicities(const Hierarchy& h) {
  std::vector<int64_t> times(h.cells.size(), 0);
  times[0] = 1;
  for (size_t k = 0; k < h.cells.size(); ++k) {  // parents first: times[k] is final here
    const Cell& c = *h.cells[k];
    for (size_t m = 0; m < c.refs.size(); ++m) {
      const int64_t per = sat_mul(std::max<int64_t>(c.refs[m].cols, 0), std::max<int64_t>(c.refs[m].rows, 0));
      int64_t& t = times[h.children[k][m]];
      t = sat_add(t, sat_mul(times[k], per));
    }
  }
  return times;
}

}  // namespace

Port Port::transformed(const Trans& t) const {
  Port p = *this;
  p.position = t.apply(position);
  p.angle_deg = t.apply_angle(angle_deg);
  return p;
}

Trans connect(const Port& port, const Port& target, bool mirror) {
  int a = mirror ? -port.angle_deg : port.angle_deg;
  int want = target.angle_deg + 180;
  int r = (((want - a) / 90) % 4 + 4) % 4;
  Trans t{r, mirror, {0, 0}};
  t.disp = target.position - t.apply(port.position);
  return t;
}

Trans Ref::element(int32_t i, int32_t j) const {
  Trans t = trans;
  t.disp = t.disp + static_cast<Coord>(i) * col_step + static_cast<Coord>(j) * row_step;
  return t;
}

void Cell::add_polygon(LayerSpec l, Polygon p) {
  compress(p);
  if (p.size() < 3)
    fail("LAYOUT-POLYGON",
         fmt::format("cell '{}': polygon on layer {} has fewer than 3 distinct corners", name, to_string(l)));
  polygons[l].push_back(std::move(p));
}

void Cell::add_box(LayerSpec l, const Box& b) {
  if (b.width() <= 0 || b.height() <= 0)
    fail("LAYOUT-POLYGON", fmt::format("cell '{}': box on layer {} has zero area", name, to_string(l)));
  polygons[l].push_back(box_polygon(b));
}

void Cell::add_text(LayerSpec l, std::string text, Point at) {
  texts.push_back({std::move(text), at, l});
}

Ref& Cell::add_ref(const std::string& c, const Trans& t, std::string n) {
  Ref r;
  r.cell = c;
  r.trans = t;
  r.name = std::move(n);
  refs.push_back(std::move(r));
  return refs.back();
}

Ref& Cell::add_array(const std::string& c, const Trans& t, int32_t cols, int32_t rows, Point col_step, Point row_step,
                     std::string n) {
  if (cols < 1 || rows < 1 || cols > 32767 || rows > 32767)
    fail("LAYOUT-ARRAY",
         fmt::format("cell '{}': array of '{}' needs 1..32767 columns and rows, got {} x {}", name, c, cols, rows));
  Ref& r = add_ref(c, t, std::move(n));
  r.cols = cols;
  r.rows = rows;
  r.col_step = col_step;
  r.row_step = row_step;
  return r;
}

void Cell::add_port(Port p) {
  if (find_port(p.name)) fail("LAYOUT-DUPLICATE-PORT", fmt::format("cell '{}' already has a port '{}'", name, p.name));
  if (p.angle_deg % 90 != 0)
    fail("LAYOUT-ANGLE",
         fmt::format("cell '{}': port '{}' direction {} is not a multiple of 90", name, p.name, p.angle_deg));
  p.angle_deg = ((p.angle_deg % 360) + 360) % 360;
  ports.push_back(std::move(p));
}

const Port* Cell::find_port(const std::string& n) const {
  for (const Port& p : ports)
    if (p.name == n) return &p;
  return nullptr;
}

const Port& Cell::port(const std::string& n) const {
  const Port* p = find_port(n);
  if (!p) fail("LAYOUT-MISSING-PORT", fmt::format("cell '{}' has no port '{}'", name, n));
  return *p;
}

size_t Cell::polygon_count() const {
  size_t n = 0;
  for (const auto& [l, v] : polygons) n += v.size();
  return n;
}

// ---------------------------------------------------------------------------------------------
Cell& Library::add_cell(const std::string& n) {
  bool ok = !n.empty() && n.size() <= 64;
  for (char c : n)
    ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
                c == '.' || c == '?' || c == '-');
  if (!ok) fail("LAYOUT-CELL-NAME", fmt::format("cell name '{}' must be 1..64 characters of A-Z a-z 0-9 _ $ . ? -", n));
  if (index_.count(n)) fail("LAYOUT-DUPLICATE-CELL", fmt::format("library '{}' already has a cell '{}'", name_, n));
  index_[n] = cells_.size();
  cells_.emplace_back();
  cells_.back().name = n;
  return cells_.back();
}

const Cell* Library::find(const std::string& n) const {
  auto it = index_.find(n);
  return it == index_.end() ? nullptr : &cells_[it->second];
}

const Cell& Library::cell(const std::string& n) const {
  const Cell* c = find(n);
  if (!c) fail("LAYOUT-MISSING-CELL", fmt::format("library '{}' has no cell '{}'", name_, n));
  return *c;
}

Cell& Library::cell(const std::string& n) {
  return const_cast<Cell&>(static_cast<const Library&>(*this).cell(n));
}

std::vector<std::string> Library::top_cells() const {
  std::set<std::string> referenced;
  for (const Cell& c : cells_)
    for (const Ref& r : c.refs) referenced.insert(r.cell);
  std::vector<std::string> tops;
  for (const Cell& c : cells_)
    if (!referenced.count(c.name)) tops.push_back(c.name);
  return tops;
}

std::string Library::top_cell() const {
  auto tops = top_cells();
  if (tops.size() != 1) {
    const size_t n = tops.size();
    if (n > 10) {  // a file of thousands of unconnected cells: name the first ten
      tops.resize(10);
      tops.push_back("...");
    }
    fail("LAYOUT-TOP",
         fmt::format("library '{}' has {} top cells ({}); expected exactly one", name_, n, fmt::join(tops, ", ")));
  }
  return tops.front();
}

size_t Library::remove_unreachable(const std::string& top) {
  std::set<std::string> reached{cell(top).name};
  std::vector<const Cell*> todo{&cell(top)};
  while (!todo.empty()) {  // iterative: the depth of a hierarchy is not bounded here
    const Cell* c = todo.back();
    todo.pop_back();
    for (const Ref& r : c->refs)
      if (reached.insert(r.cell).second) todo.push_back(&cell(r.cell));
  }
  const size_t before = cells_.size();
  std::deque<Cell> kept;
  for (Cell& c : cells_)
    if (reached.count(c.name)) kept.push_back(std::move(c));
  cells_ = std::move(kept);
  index_.clear();
  for (size_t i = 0; i < cells_.size(); ++i) index_[cells_[i].name] = i;
  return before - cells_.size();
}

Box Library::bbox(const std::string& top) const {
  const Hierarchy h = resolve(*this, top);
  std::vector<Box> box(h.cells.size());
  for (size_t k = h.cells.size(); k-- > 0;) {  // children before parents
    const Cell& c = *h.cells[k];
    Box b;
    for (const auto& [l, v] : c.polygons)
      for (const Polygon& p : v) b.add(layout::bbox(p));
    for (const Text& t : c.texts) b.add(t.position);
    for (size_t m = 0; m < c.refs.size(); ++m) {
      const Ref& r = c.refs[m];
      const Box& cb = box[h.children[k][m]];
      if (cb.empty()) continue;
      b.add(transformed(cb, r.element(0, 0)));
      b.add(transformed(cb, r.element(r.cols - 1, r.rows - 1)));
      b.add(transformed(cb, r.element(r.cols - 1, 0)));
      b.add(transformed(cb, r.element(0, r.rows - 1)));
    }
    box[k] = b;
  }
  return box[0];
}

HierarchyDepth deepest_hierarchy(const Library& lib) {
  // Every cell as a root in turn; a cell's depth is known once all its children's are.
  std::map<const Cell*, int64_t> depth;  // finished cells
  std::set<const Cell*> open;            // on the stack
  HierarchyDepth best;
  struct Frame {
    const Cell* cell;
    size_t next = 0;
    int64_t levels = 0;
  };
  std::vector<Frame> stack;
  for (const Cell& root : lib.cells()) {
    if (depth.count(&root)) continue;
    stack.push_back({&root});
    open.insert(&root);
    while (!stack.empty()) {
      Frame& f = stack.back();
      if (f.next < f.cell->refs.size()) {
        const Cell* child = child_of(lib, *f.cell, f.cell->refs[f.next++]);
        auto it = depth.find(child);
        if (it != depth.end()) {
          f.levels = std::max(f.levels, it->second + 1);
          continue;
        }
        if (open.count(child)) cycle(stack, child);
        open.insert(child);
        stack.push_back({child});
        continue;
      }
      const Frame done = f;
      stack.pop_back();
      open.erase(done.cell);
      depth[done.cell] = done.levels;
      if (!stack.empty()) stack.back().levels = std::max(stack.back().levels, done.levels + 1);
    }
  }
  for (const Cell& c : lib.cells())  // the first cell (library order) of the longest chain
    if (depth[&c] > best.levels || best.cell.empty()) best = {depth[&c], c.name};
  return best;
}

std::map<std::string, int64_t> placement_counts(const Library& lib, const std::string& top) {
  const Hierarchy h = resolve(lib, top);
  const std::vector<int64_t> times = multiplicities(h);
  std::map<std::string, int64_t> out;
  for (size_t k = 0; k < h.cells.size(); ++k) out[h.cells[k]->name] = times[k];
  return out;
}

FlatSize flat_size(const Library& lib, const std::string& top, const std::vector<LayerSpec>& layers) {
  const std::set<LayerSpec> want(layers.begin(), layers.end());
  auto wanted = [&](LayerSpec l) { return want.empty() || want.count(l) != 0; };
  const Hierarchy h = resolve(lib, top);
  const std::vector<int64_t> times = multiplicities(h);
  const size_t n = h.cells.size();
  std::vector<char> content(n, 0);
  std::vector<int64_t> levels(n, 0);
  std::vector<Coord> extent(n, 0);
  FlatSize out;
  for (size_t k = n; k-- > 0;) {  // children before parents
    const Cell& c = *h.cells[k];
    int64_t polygons = 0, vertices = 0, texts = 0;
    Coord e = 0;
    for (const auto& [l, v] : c.polygons) {
      if (!wanted(l)) continue;
      polygons = sat_add(polygons, static_cast<int64_t>(v.size()));
      for (const Polygon& p : v) {
        vertices = sat_add(vertices, static_cast<int64_t>(p.size()));
        for (const Point& q : p) e = std::max({e, magnitude(q.x), magnitude(q.y)});
      }
    }
    for (const Text& t : c.texts)
      if (wanted(t.layer)) {
        ++texts;
        e = std::max({e, magnitude(t.position.x), magnitude(t.position.y)});
      }
    content[k] = polygons > 0 || texts > 0;
    for (size_t m = 0; m < c.refs.size(); ++m) {
      const Ref& r = c.refs[m];
      const size_t ch = h.children[k][m];
      levels[k] = std::max(levels[k], levels[ch] + 1);
      if (!content[ch]) continue;
      content[k] = 1;
      // Every element's origin lies within |disp| + (cols-1) |col_step| + (rows-1) |row_step| (max norm, which a
      // Manhattan transformation keeps), and the child's content within its extent of that origin.
      Coord reach = magnitude(r.trans.disp);
      reach = sat_add(reach, sat_mul(r.cols - 1, magnitude(r.col_step)));
      reach = sat_add(reach, sat_mul(r.rows - 1, magnitude(r.row_step)));
      e = std::max(e, sat_add(reach, extent[ch]));
    }
    extent[k] = e;
    out.polygons = sat_add(out.polygons, sat_mul(times[k], polygons));
    out.vertices = sat_add(out.vertices, sat_mul(times[k], vertices));
    out.texts = sat_add(out.texts, sat_mul(times[k], texts));
    if (content[k] && k > 0) out.placements = sat_add(out.placements, times[k]);
  }
  out.levels = levels[0];
  out.extent_nm = extent[0];
  return out;
}

void check_flat_size(const FlatSize& s, const FlatLimits& lim, const std::string& what) {
  auto num = [](int64_t v) { return v == INT64_MAX ? std::string("more than 9.2e18") : fmt::format("{}", v); };
  // A saturated count is over every budget, FlatLimits::unlimited() included.
  auto over = [](int64_t v, int64_t limit) { return v == INT64_MAX || v > limit; };
  if (over(s.shapes(), lim.max_shapes))
    fail("LAYOUT-TOO-LARGE", fmt::format("{}: flattened, it would hold {} shapes ({} polygons, {} texts), more than "
                                         "the budget of {} (docs/layout.md, resource budgets)",
                                         what, num(s.shapes()), num(s.polygons), num(s.texts), lim.max_shapes));
  if (over(s.vertices, lim.max_vertices))
    fail("LAYOUT-TOO-LARGE",
         fmt::format("{}: flattened, its polygons would hold {} vertices, more than the budget of {} (docs/layout.md, "
                     "resource budgets)",
                     what, num(s.vertices), lim.max_vertices));
  if (over(s.placements, lim.max_shapes))
    fail("LAYOUT-TOO-LARGE", fmt::format("{}: flattened, it would place cells {} times, more than the budget of {} "
                                         "(docs/layout.md, resource budgets)",
                                         what, num(s.placements), lim.max_shapes));
  if (s.extent_nm > kMaxFlatExtentNm)
    fail("LAYOUT-RANGE", fmt::format("{}: flattened, its coordinates would reach {} nm from the origin, beyond the "
                                     "+-2^53 nm that holo handles",
                                     what, num(s.extent_nm)));
}

size_t FlatLayout::polygon_count() const {
  size_t n = 0;
  for (const auto& [l, v] : polygons) n += v.size();
  return n;
}

void for_each_placement(const Library& lib, const std::string& top, const std::function<bool(const Cell&)>& has_content,
                        const std::function<void(const Cell&, const Trans&)>& visit) {
  const Hierarchy h = resolve(lib, top);
  const size_t n = h.cells.size();
  std::vector<char> content(n, 0);
  for (size_t k = n; k-- > 0;) {
    content[k] = has_content(*h.cells[k]);
    for (size_t ch : h.children[k]) content[k] = content[k] || content[ch];
  }
  if (!content[0]) return;
  struct Frame {
    size_t cell;
    Trans trans;
    size_t ref = 0;
    int32_t i = 0, j = 0;
  };
  std::vector<Frame> stack;
  visit(*h.cells[0], Trans{});
  stack.push_back({0, Trans{}});
  while (!stack.empty()) {
    Frame& f = stack.back();
    const Cell& c = *h.cells[f.cell];
    if (f.ref == c.refs.size()) {
      stack.pop_back();
      continue;
    }
    const Ref& r = c.refs[f.ref];
    const size_t ch = h.children[f.cell][f.ref];
    if (!content[ch] || f.j == r.rows) {
      ++f.ref;
      f.i = f.j = 0;
      continue;
    }
    const Trans t = f.trans * r.element(f.i, f.j);
    if (++f.i == r.cols) {
      f.i = 0;
      ++f.j;
    }
    visit(*h.cells[ch], t);
    stack.push_back({ch, t});  // f is not used after this
  }
}

FlatLayout flatten(const Library& lib, const std::string& top, const std::vector<LayerSpec>& layers,
                   const FlatLimits& limits) {
  check_flat_size(flat_size(lib, top, layers), limits, fmt::format("cell '{}'", top));
  const std::set<LayerSpec> want(layers.begin(), layers.end());
  auto wanted = [&](LayerSpec l) { return want.empty() || want.count(l) != 0; };
  FlatLayout out;
  for_each_placement(
      lib, top,
      [&](const Cell& c) {
        for (const auto& [l, v] : c.polygons)
          if (!v.empty() && wanted(l)) return true;
        for (const Text& t : c.texts)
          if (wanted(t.layer)) return true;
        return false;
      },
      [&](const Cell& c, const Trans& t) {
        for (const auto& [l, v] : c.polygons) {
          if (!wanted(l)) continue;
          auto& dst = out.polygons[l];
          for (const Polygon& p : v) dst.push_back(transformed(p, t));
        }
        for (const Text& tx : c.texts)
          if (wanted(tx.layer)) out.texts.push_back({tx.text, t.apply(tx.position), tx.layer});
      });
  return out;
}

std::map<LayerSpec, int64_t> flat_shape_counts(const Library& lib, const std::string& top) {
  // Count per cell once, then multiply by its placements (no geometry copies).
  const Hierarchy h = resolve(lib, top);
  const std::vector<int64_t> times = multiplicities(h);
  std::map<LayerSpec, int64_t> counts;
  for (size_t k = 0; k < h.cells.size(); ++k) {
    const Cell& c = *h.cells[k];
    for (const auto& [l, v] : c.polygons)
      if (!v.empty()) counts[l] = sat_add(counts[l], sat_mul(times[k], static_cast<int64_t>(v.size())));
    for (const Text& t : c.texts) counts[t.layer] = sat_add(counts[t.layer], times[k]);
  }
  return counts;
}

}  // namespace holo::layout
