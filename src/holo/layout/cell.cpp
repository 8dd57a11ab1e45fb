#include "holo/layout/cell.h"

#include <fmt/format.h>

#include <functional>
#include <set>

#include "holo/support/error.h"

namespace holo::layout {

const char* to_string(PortKind k) {
  return k == PortKind::Optical ? "optical" : "electrical";
}

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
  if (tops.size() != 1)
    fail("LAYOUT-TOP", fmt::format("library '{}' has {} top cells ({}); expected exactly one", name_, tops.size(),
                                   fmt::join(tops, ", ")));
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
  std::map<std::string, Box> memo;
  std::set<std::string> active;
  std::function<Box(const std::string&)> rec = [&](const std::string& n) -> Box {
    auto it = memo.find(n);
    if (it != memo.end()) return it->second;
    if (!active.insert(n).second) fail("LAYOUT-CYCLE", fmt::format("cell '{}' references itself", n));
    const Cell& c = cell(n);
    Box b;
    for (const auto& [l, v] : c.polygons)
      for (const Polygon& p : v) b.add(layout::bbox(p));
    for (const Text& t : c.texts) b.add(t.position);
    for (const Ref& r : c.refs) {
      Box cb = rec(r.cell);
      if (cb.empty()) continue;
      b.add(transformed(cb, r.element(0, 0)));
      b.add(transformed(cb, r.element(r.cols - 1, r.rows - 1)));
      b.add(transformed(cb, r.element(r.cols - 1, 0)));
      b.add(transformed(cb, r.element(0, r.rows - 1)));
    }
    active.erase(n);
    memo[n] = b;
    return b;
  };
  return rec(top);
}

size_t FlatLayout::polygon_count() const {
  size_t n = 0;
  for (const auto& [l, v] : polygons) n += v.size();
  return n;
}

FlatLayout flatten(const Library& lib, const std::string& top, const std::vector<LayerSpec>& layers) {
  std::set<LayerSpec> want(layers.begin(), layers.end());
  FlatLayout out;
  std::vector<std::string> stack;
  std::function<void(const Cell&, const Trans&)> rec = [&](const Cell& c, const Trans& t) {
    for (const std::string& s : stack)
      if (s == c.name) fail("LAYOUT-CYCLE", fmt::format("cell '{}' references itself through its children", c.name));
    stack.push_back(c.name);
    for (const auto& [l, v] : c.polygons) {
      if (!want.empty() && !want.count(l)) continue;
      auto& dst = out.polygons[l];
      for (const Polygon& p : v) dst.push_back(transformed(p, t));
    }
    for (const Text& tx : c.texts) {
      if (!want.empty() && !want.count(tx.layer)) continue;
      out.texts.push_back({tx.text, t.apply(tx.position), tx.layer});
    }
    for (const Ref& r : c.refs) {
      const Cell& child = lib.cell(r.cell);
      for (int32_t j = 0; j < r.rows; ++j)
        for (int32_t i = 0; i < r.cols; ++i) rec(child, t * r.element(i, j));
    }
    stack.pop_back();
  };
  rec(lib.cell(top), Trans{});
  return out;
}

std::map<LayerSpec, int64_t> flat_shape_counts(const Library& lib, const std::string& top) {
  // Count per cell once, then multiply by placements (no geometry copies).
  std::map<std::string, std::map<LayerSpec, int64_t>> memo;
  std::set<std::string> active;
  std::function<const std::map<LayerSpec, int64_t>&(const std::string&)> rec =
      [&](const std::string& n) -> const std::map<LayerSpec, int64_t>& {
    auto it = memo.find(n);
    if (it != memo.end()) return it->second;
    if (!active.insert(n).second) fail("LAYOUT-CYCLE", fmt::format("cell '{}' references itself", n));
    const Cell& c = lib.cell(n);
    std::map<LayerSpec, int64_t> counts;
    for (const auto& [l, v] : c.polygons) counts[l] += static_cast<int64_t>(v.size());
    for (const Text& t : c.texts) counts[t.layer] += 1;
    for (const Ref& r : c.refs) {
      const auto& child = rec(r.cell);
      for (const auto& [l, k] : child) counts[l] += k * r.cols * r.rows;
    }
    active.erase(n);
    return memo[n] = std::move(counts);
  };
  return rec(top);
}

}  // namespace holo::layout
