#include "holo/layout/demo.h"

#include <fmt/format.h>

#include <algorithm>

#include "holo/layout/cells.h"
#include "holo/layout/params.h"
#include "holo/support/error.h"

namespace holo::layout {

Library demo_chip(const pdk::Pdk& pdk) {
  const LayoutParams lp = layout_params(pdk);
  Library lib("holo_demo");
  CellFactory f(lib, lp);
  const std::string gc = f.grating_coupler(), mzi = f.mzi(), att = f.mzi_attenuator(), pd = f.photodetector();
  const std::string pad = f.bond_pad(), euler = f.bend_euler(lp.bend_radius, 90);
  const std::string w_in = f.straight(50000), w_mid = f.straight(100000), w_out = f.straight(20000);
  const std::vector<std::string> solo = {f.straight(20000),
                                         f.bend_circular(lp.bend_radius, 90),
                                         f.bend_circular(lp.bend_radius, 180),
                                         f.bend_euler(lp.bend_radius, 90),
                                         f.bend_euler(lp.bend_radius, 180),
                                         f.bend_circular(lp.min_bend_radius, 180),  // at the rule's minimum
                                         f.bend_euler(lp.min_bend_radius, 90),
                                         f.directional_coupler(),
                                         f.phase_shifter(),
                                         f.mzi(false),
                                         gc,
                                         pd,
                                         pad};
  Cell& top = lib.add_cell("holo_demo");

  // The optical chain: every placement puts one port onto the previous cell's port.
  auto place = [&](const std::string& cell, const std::string& port, const Port& target, const std::string& name,
                   bool mirror = false) {
    Trans t = connect(lib.cell(cell).port(port), target, mirror);
    top.add_ref(cell, t, name);
    return t;
  };
  auto at = [&](const std::string& cell, const Trans& t, const std::string& port) {
    return lib.cell(cell).port(port).transformed(t);
  };
  Trans t_gc{};
  top.add_ref(gc, t_gc, "gc_in");
  Trans t_w1 = place(w_in, "o1", at(gc, t_gc, "o1"), "wg_in");
  Trans t_mzi = place(mzi, "o2", at(w_in, t_w1, "o2"), "mzi");
  Trans t_w2 = place(w_mid, "o1", at(mzi, t_mzi, "o3"), "wg_mid");
  Trans t_att = place(att, "o1", at(w_mid, t_w2, "o2"), "attenuator");
  Trans t_w3 = place(w_out, "o1", at(att, t_att, "o2"), "wg_out");
  place(pd, "o1", at(w_out, t_w3, "o2"), "pd_bar");
  Trans t_b1 = place(euler, "o1", at(mzi, t_mzi, "o4"), "bend_down", true);
  Trans t_b2 = place(euler, "o1", at(euler, t_b1, "o2"), "bend_east");
  place(pd, "o1", at(euler, t_b2, "o2"), "pd_cross");

  // Heater wiring: the MZI's four contacts to a 1 x 4 pad array on the right, on nested L-shaped M2 tracks
  // (leftmost contact on the highest track), so no two wires cross.
  std::vector<Port> contacts;
  for (const char* e : {"phi_e1", "phi_e2", "theta_e1", "theta_e2"}) contacts.push_back(at(mzi, t_mzi, e));
  std::sort(contacts.begin(), contacts.end(), [](const Port& a, const Port& b) { return a.position.x < b.position.x; });
  const Coord ww = 5000, track0 = 30000, track_pitch = 12000;
  const Coord pad_y = track0 + 4 * track_pitch + 40000 + lp.pad_size / 2;
  const Coord pad_x0 = contacts.back().position.x + 150000;
  top.add_array(pad, Trans::translate({pad_x0, pad_y}), 4, 1, {lp.pad_pitch, 0}, {0, 0}, "pads");
  for (size_t i = 0; i < contacts.size(); ++i) {
    const Point p = contacts[i].position;
    const Coord track = track0 + static_cast<Coord>(contacts.size() - 1 - i) * track_pitch;
    const Coord px = pad_x0 + static_cast<Coord>(i) * lp.pad_pitch;
    top.add_box(lp.metals.contact().layer, Box{p.x - ww / 2, p.y - ww / 2, p.x + ww / 2, track + ww / 2});
    top.add_box(lp.metals.contact().layer, Box{p.x - ww / 2, track - ww / 2, px + ww / 2, track + ww / 2});
    top.add_box(lp.metals.contact().layer,
                Box{px - ww / 2, track - ww / 2, px + ww / 2, pad_y - lp.pad_size / 2 + ww / 2});
    f.add_label(top, contacts[i].name, {p.x, track + ww});
  }

  // One standalone copy of every generator in a row above, each with its name.
  const Coord row_y = pad_y + lp.pad_size / 2 + 150000;
  Coord x = -lp.gc_taper_length - lp.gc_period * lp.gc_teeth;
  for (const std::string& c : solo) {
    Box b = lib.bbox(c);
    Trans t = Trans::translate({x - b.x0, row_y - b.y0});
    top.add_ref(c, t, "solo_" + c);
    f.add_label(top, c, {x + b.width() / 2, row_y + b.height() + 10000});
    x += b.width() + 60000;
  }
  f.add_label(top, "holo_demo " + pdk.name, {0, row_y + 150000});

  // Die outline around everything, on whole micrometres.
  Box all = lib.bbox("holo_demo").enlarged(100000);
  auto down = [](Coord v) { return (v >= 0 ? v / 1000 : -((-v + 999) / 1000)) * 1000; };
  auto up = [&](Coord v) { return -down(-v); };
  top.add_box(lp.layers.floorplan, Box{down(all.x0), down(all.y0), up(all.x1), up(all.y1)});
  return lib;
}

namespace {

const pdk::Rule* find_rule(const pdk::Pdk& p, const std::string& kind, const std::string& layer,
                           const std::string& of = "") {
  for (const pdk::Rule& r : p.rules)
    if (r.kind == kind && r.layer == layer && (of.empty() || r.of_layer == of)) return &r;
  return nullptr;
}

Coord even(Coord v) {
  return v + (v & 1);
}

}  // namespace

std::vector<BrokenLayout> broken_layouts(const pdk::Pdk& pdk) {
  const LayoutParams lp = layout_params(pdk);
  std::vector<BrokenLayout> out;
  auto make = [&](const std::string& name, const std::string& what, const pdk::Rule* rule) -> Cell* {
    if (!rule) return nullptr;
    BrokenLayout b{name, what, {rule->name}, Library(name)};
    out.push_back(std::move(b));
    return &out.back().lib.add_cell(name);
  };
  auto layer = [&](const std::string& n) {
    const pdk::Layer& l = pdk.layer(n);
    return LayerSpec{l.layer, l.datatype};
  };
  // Width: a box 100 nm (or 10%) narrower than the rule.
  for (const char* lname : {"WG", "HEATER", "M2", "PAD"}) {
    const pdk::Rule* r = find_rule(pdk, "width", lname);
    if (!r) continue;
    Coord w = um_to_nm(r->min_um);
    Coord bad = even(std::max<Coord>(2, std::min(w - 100, w * 9 / 10)));
    Cell* c = make(fmt::format("narrow_{}", lname), fmt::format("{} shape {} nm wide (rule {} nm)", lname, bad, w), r);
    if (c) c->add_box(layer(lname), Box{0, 0, std::max<Coord>(20 * w, 20000), bad});
  }
  // Space: two boxes wider than the width rule, closer than the space rule; for WG the second one is a
  // rotated reference of a sub-cell (exercises flattening).
  for (const char* lname : {"WG", "HEATER", "M2", "PAD"}) {
    const pdk::Rule* r = find_rule(pdk, "space", lname);
    if (!r) continue;
    const pdk::Rule* wr = find_rule(pdk, "width", lname);
    Coord s = um_to_nm(r->min_um);
    Coord gap = std::max<Coord>(2, std::min(s - 50, s * 2 / 3));
    Coord w = even(wr ? um_to_nm(wr->min_um) + 100 : 1000);
    if (std::string(lname) == "WG") w = lp.wg_width;
    Coord len = std::max<Coord>(20 * w, 20000);
    std::string name = fmt::format("close_{}", lname);
    BrokenLayout b{
        name, fmt::format("two {} shapes {} nm apart (rule {} nm)", lname, gap, s), {r->name}, Library(name)};
    Cell& piece = b.lib.add_cell(name + "_piece");
    piece.add_box(layer(lname), Box{0, -w / 2, len, w / 2});
    Cell& top = b.lib.add_cell(name);
    top.add_ref(piece.name, Trans{}, "a");
    top.add_ref(piece.name, Trans{2, false, {len, w + gap}}, "b");
    out.push_back(std::move(b));
  }
  // Enclosure: a via enclosed by too little metal, a via without metal, a via half outside its metal.
  if (const pdk::Rule* r = find_rule(pdk, "enclosure", "M2", "VIA")) {
    Coord e = um_to_nm(r->min_um), v = lp.metals.contact().via_below.size;
    Coord small = std::max<Coord>(2, e * 2 / 5);
    LayerSpec m2 = layer(r->layer), via = layer(r->of_layer);
    if (Cell* c = make("via_enclosure", fmt::format("via enclosed by {} nm of metal (rule {} nm)", small, e), r)) {
      c->add_box(via, Box::centered({0, 0}, v, v));
      // Grow the metal to the lower left when the width rule needs it; the upper and right sides keep `small`.
      const pdk::Rule* mw = find_rule(pdk, "width", r->layer);
      Coord extra = std::max<Coord>(0, (mw ? um_to_nm(mw->min_um) : 0) - (v + 2 * small));
      c->add_box(m2, Box{-v / 2 - small - extra, -v / 2 - small - extra, v / 2 + small, v / 2 + small});
    }
    if (Cell* c = make("via_uncovered", "via with no metal over it", r)) c->add_box(via, Box::centered({0, 0}, v, v));
    if (Cell* c = make("via_offset", "via half outside its metal", r)) {
      c->add_box(via, Box::centered({0, 0}, v, v));
      c->add_box(m2, Box{0, -5 * v, 10 * v, 5 * v});
    }
  }
  // Bend radius: a 90-degree arc of 40% of the minimum radius (with end stubs, so only the radius is wrong).
  if (const pdk::Rule* r = find_rule(pdk, "bend_radius", "WG")) {
    Coord rmin = um_to_nm(r->min_um);
    Coord rad = std::max<Coord>(lp.wg_width, rmin * 2 / 5);
    if (Cell* c = make("sharp_bend", fmt::format("waveguide bend of radius {} nm (rule {} nm)", rad, rmin), r)) {
      Centerline cl({0, 0}, 0, static_cast<double>(lp.wg_width), lp.arc_tolerance_nm);
      cl.straight(static_cast<double>(lp.end_stub));
      cl.arc(static_cast<double>(rad), 90);
      cl.straight(static_cast<double>(lp.end_stub));
      c->add_polygon(lp.layers.wg, cl.polygon());
    }
  }
  for (BrokenLayout& b : out) std::sort(b.rules.begin(), b.rules.end());
  return out;
}

}  // namespace holo::layout
