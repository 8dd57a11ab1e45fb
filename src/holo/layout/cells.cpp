#include "holo/layout/cells.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "holo/support/error.h"

namespace holo::layout {
namespace {

// At most this many vias per side of a heater contact (a 32 x 32 array): more adds no conductance worth the
// shapes.
constexpr Coord kMaxContactVias = 32;

}  // namespace

Port CellFactory::optical(const std::string& name, Point at, int angle) const {
  return Port{name, at, angle, p_.wg_width, p_.layers.wg, PortKind::Optical};
}

Cell* CellFactory::existing(const std::string& name) {
  return lib_.has(name) ? &lib_.cell(name) : nullptr;
}

void CellFactory::add_label(Cell& cell, const std::string& text, Point at) const {
  cell.add_text(p_.layers.text, text, at);
}

std::string CellFactory::straight(Coord length) {
  if (length <= 0) fail("LAYOUT-PARAM", fmt::format("straight waveguide length {} nm must be positive", length));
  std::string name = fmt::format("wg_L{}", length);
  lengths_[name] = static_cast<double>(length);
  if (existing(name)) return name;
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Straight;
  c.add_box(p_.layers.wg, Box{0, -p_.wg_width / 2, length, p_.wg_width / 2});
  c.add_port(optical("o1", {0, 0}, 180));
  c.add_port(optical("o2", {length, 0}, 0));
  return name;
}

double CellFactory::centerline_length_nm(const std::string& cell) const {
  auto it = lengths_.find(cell);
  if (it == lengths_.end())
    fail("LAYOUT-MISSING-CELL",
         fmt::format("no centreline length for cell '{}' (not a straight or bend made here)", cell));
  return it->second;
}

void add_attenuator_ports(Cell& c, const Cell& mzi) {
  Port in = mzi.port("o2"), out = mzi.port("o3");
  in.name = "o1";
  out.name = "o2";
  c.add_port(in);
  c.add_port(out);
  Port e1 = mzi.port("theta_e1"), e2 = mzi.port("theta_e2");
  e1.name = "e1";
  e2.name = "e2";
  c.add_port(e1);
  c.add_port(e2);
}

namespace {

// The photodetector's metal contact overlaps the germanium by 1 um (or half its width, if narrower).
constexpr Coord kPdContactOverlap = 1000;

void check_angle(int a) {
  if (a != 90 && a != 180)
    fail("LAYOUT-PARAM", fmt::format("bend angle {} degrees: only 90 and 180 keep ports on the grid", a));
}
}  // namespace

std::string CellFactory::bend_circular(Coord radius, int angle) {
  check_angle(angle);
  if (radius < p_.min_bend_radius)
    fail("LAYOUT-BEND-RADIUS",
         fmt::format("bend radius {} nm is below the PDK minimum {} nm", radius, p_.min_bend_radius));
  std::string name = fmt::format("bend_R{}_A{}", radius, angle);
  if (existing(name)) return name;
  Centerline cl({0, 0}, 0, static_cast<double>(p_.wg_width), p_.arc_tolerance_nm);
  cl.straight(static_cast<double>(p_.end_stub));
  cl.arc(static_cast<double>(radius), angle);
  cl.snap_end();
  cl.straight(static_cast<double>(p_.end_stub));
  cl.snap_end();
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Bend;
  c.add_polygon(p_.layers.wg, cl.polygon());
  c.add_port(optical("o1", {0, 0}, 180));
  c.add_port(optical("o2", cl.end(), angle));
  lengths_[name] = cl.length_nm();
  return name;
}

std::string CellFactory::bend_euler(Coord radius, int angle) {
  check_angle(angle);
  if (radius < p_.min_bend_radius)
    fail("LAYOUT-BEND-RADIUS",
         fmt::format("Euler bend radius {} nm is below the PDK minimum {} nm", radius, p_.min_bend_radius));
  std::string name = fmt::format("euler_R{}_A{}_P{}", radius, angle, static_cast<int>(std::lround(p_.euler_p * 100)));
  if (existing(name)) return name;
  Centerline cl({0, 0}, 0, static_cast<double>(p_.wg_width), p_.arc_tolerance_nm);
  cl.straight(static_cast<double>(p_.end_stub));
  cl.euler(static_cast<double>(radius), angle, p_.euler_p);
  cl.snap_end();
  cl.straight(static_cast<double>(p_.end_stub));
  cl.snap_end();
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Bend;
  c.add_polygon(p_.layers.wg, cl.polygon());
  c.add_port(optical("o1", {0, 0}, 180));
  c.add_port(optical("o2", cl.end(), angle));
  lengths_[name] = cl.length_nm();
  return name;
}

std::string CellFactory::directional_coupler() {
  const Coord P = p_.port_pitch, w = p_.wg_width, g = p_.dc_gap;
  std::string name = fmt::format("dc_G{}_L{}_P{}", g, p_.dc_length, P);
  if (existing(name)) return name;
  const Coord h = (P - g - w) / 2;  // lateral move of each waveguide
  if (h < 0) fail("LAYOUT-PARAM", fmt::format("port pitch {} nm is smaller than gap + width {} nm", P, g + w));
  const Coord ls = h > 0 ? sbend_min_length(static_cast<double>(h), static_cast<double>(p_.bend_radius)) : 0;
  const Coord stub = h > 0 ? p_.end_stub : 0;
  const Coord total = 2 * (ls + stub) + p_.dc_length;
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Coupler;
  for (int arm = 0; arm < 2; ++arm) {
    const Coord y0 = arm == 0 ? 0 : -P;
    const double dir = arm == 0 ? -1.0 : 1.0;  // upper arm moves down, lower arm up
    Centerline cl({0, y0}, 0, static_cast<double>(w), p_.arc_tolerance_nm);
    if (h > 0) {
      cl.straight(static_cast<double>(stub));
      cl.sbend(static_cast<double>(ls), dir * static_cast<double>(h));
    }
    cl.straight(static_cast<double>(p_.dc_length));
    if (h > 0) {
      cl.sbend(static_cast<double>(ls), -dir * static_cast<double>(h));
      cl.straight(static_cast<double>(stub));
    }
    c.add_polygon(p_.layers.wg, cl.polygon());
  }
  c.add_port(optical("o1", {0, -P}, 180));
  c.add_port(optical("o2", {0, 0}, 180));
  c.add_port(optical("o3", {total, 0}, 0));
  c.add_port(optical("o4", {total, -P}, 0));
  return name;
}

std::string CellFactory::via() {
  const ViaSpec& v = p_.metals.contact().via_below;
  std::string name = fmt::format("via_{}", v.size);
  if (existing(name)) return name;
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Via;
  c.add_box(v.layer, Box::centered({0, 0}, v.size, v.size));
  return name;
}

std::string CellFactory::heater_contact() {
  const RoutingLayer& metal = p_.metals.contact();
  const Coord s = p_.contact_size, v = metal.via_below.size, pitch = p_.via_pitch, enc = metal.via_below.enclosure;
  std::string name = fmt::format("htr_contact_{}", s);
  if (existing(name)) return name;
  if (s - 2 * enc < v)
    fail("LAYOUT-PARAM", fmt::format("heater contact {} nm cannot hold a {} nm via with {} nm enclosure", s, v, enc));
  if (pitch < v) fail("LAYOUT-PARAM", fmt::format("via pitch {} nm is smaller than the via size {} nm", pitch, v));
  const Coord k = std::min<Coord>(kMaxContactVias, (s - 2 * enc - v) / pitch + 1);  // vias per side
  std::string via_cell = via();
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Via;
  c.add_box(p_.layers.heater, Box::centered({0, 0}, s, s));
  c.add_box(metal.layer, Box::centered({0, 0}, s, s));
  const Coord first = -(k - 1) * pitch / 2;
  if (k == 1)
    c.add_ref(via_cell, Trans{}, "via");
  else
    c.add_array(via_cell, Trans::translate({first, first}), static_cast<int32_t>(k), static_cast<int32_t>(k),
                {pitch, 0}, {0, pitch}, "vias");
  c.add_port(Port{"e1", {0, s / 2}, 90, s, metal.layer, PortKind::Electrical});
  return name;
}

std::string CellFactory::phase_shifter() {
  const Coord s = p_.contact_size, lh = p_.heater_length, w = p_.wg_width;
  std::string name = fmt::format("ps_L{}", lh);
  if (existing(name)) return name;
  const Coord len = 2 * s + lh;
  std::string contact = heater_contact();
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::PhaseShifter;
  c.add_box(p_.layers.wg, Box{0, -w / 2, len, w / 2});
  c.add_box(p_.layers.heater, Box{s / 2, -p_.heater_width / 2, len - s / 2, p_.heater_width / 2});
  c.add_ref(contact, Trans::translate({s / 2, 0}), "contact_1");
  c.add_ref(contact, Trans::translate({len - s / 2, 0}), "contact_2");
  c.add_port(optical("o1", {0, 0}, 180));
  c.add_port(optical("o2", {len, 0}, 0));
  const LayerSpec metal = p_.metals.contact().layer;
  c.add_port(Port{"e1", {s / 2, s / 2}, 90, s, metal, PortKind::Electrical});
  c.add_port(Port{"e2", {len - s / 2, s / 2}, 90, s, metal, PortKind::Electrical});
  return name;
}

std::string CellFactory::mzi(bool with_phi) {
  const Coord P = p_.port_pitch;
  std::string name = fmt::format("{}_P{}", with_phi ? "mzi" : "mzi_theta", P);
  if (existing(name)) return name;
  std::string dc = directional_coupler();
  std::string ps = phase_shifter();
  const Coord lps = lib_.cell(ps).port("o2").position.x;
  const Coord ldc = lib_.cell(dc).port("o3").position.x;
  std::string wg = straight(lps);
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Mzi;
  Coord x = 0;
  auto shifter = [&](const std::string& tag) {
    const Cell& psc = lib_.cell(ps);
    Trans t = Trans::translate({x, 0});
    c.add_ref(ps, t, "ps_" + tag);
    c.add_ref(wg, Trans::translate({x, -P}), "wg_" + tag);
    for (const char* e : {"e1", "e2"}) {
      Port port = psc.port(e).transformed(t);
      port.name = tag + "_" + e;
      c.add_port(port);
    }
    x += lps;
  };
  if (with_phi) shifter("phi");
  c.add_ref(dc, Trans::translate({x, 0}), "dc_1");
  x += ldc;
  shifter("theta");
  c.add_ref(dc, Trans::translate({x, 0}), "dc_2");
  x += ldc;
  c.add_port(optical("o1", {0, -P}, 180));
  c.add_port(optical("o2", {0, 0}, 180));
  c.add_port(optical("o3", {x, 0}, 0));
  c.add_port(optical("o4", {x, -P}, 0));
  // Electrical ports after the optical ones, in a fixed order.
  std::stable_partition(c.ports.begin(), c.ports.end(), [](const Port& p) { return p.kind == PortKind::Optical; });
  return name;
}

std::string CellFactory::mzi_wired() {
  const RoutingLayer& metal = p_.metals.contact();
  const Coord P = p_.port_pitch, ww = metal.wire_width, ws = metal.wire_space, off = wire_offset();
  std::string name = fmt::format("mzi_w_P{}", P);
  if (existing(name)) return name;
  // Between the contacts of MZIs two modes apart (2P - contact) run this MZI's theta wire and the lower MZI's
  // ground wire, each a space away from the contacts and from each other.
  if (2 * P - p_.contact_size < 2 * ww + 3 * ws)
    fail("LAYOUT-PARAM", fmt::format("mode pitch {} nm leaves {} nm between heater contacts two modes apart; the "
                                     "heater wiring needs {} nm (two {} nm wires, three {} nm spaces)",
                                     P, 2 * P - p_.contact_size, 2 * ww + 3 * ws, ww, ws));
  const std::string m = mzi(true);
  const Cell& mc = lib_.cell(m);
  const Coord L = mc.port("o3").position.x;
  const Coord cy = mc.port("phi_e1").position.y - p_.contact_size / 2;  // contact centre (the arm)
  const Coord phi1 = mc.port("phi_e1").position.x, phi2 = mc.port("phi_e2").position.x;
  const Coord th1 = mc.port("theta_e1").position.x, th2 = mc.port("theta_e2").position.x;
  const Coord xg = (phi2 + th1) / 2;  // the ground riser, over the first coupler
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Mzi;
  c.add_ref(m, Trans{}, "mzi");
  const LayerSpec m2 = metal.layer;
  auto hw = ww / 2;
  c.add_box(m2, Box{phi2, cy - hw, th1, cy + hw});                // common terminal: phi_e2 -- theta_e1
  c.add_box(m2, Box{xg - hw, cy - hw, xg + hw, cy + off + hw});   // riser
  c.add_box(m2, Box{xg - hw, cy + off - hw, L, cy + off + hw});   // to the east edge
  c.add_box(m2, Box{th2 - hw, cy - off - hw, th2 + hw, cy});      // theta drop
  c.add_box(m2, Box{0, cy - off - hw, th2 + hw, cy - off + hw});  // to the west edge
  if (phi1 - p_.contact_size / 2 != 0) c.add_box(m2, Box{0, cy - hw, phi1, cy + hw});
  for (const Port& pt : mc.ports)
    if (pt.kind == PortKind::Optical) c.add_port(pt);
  c.add_port(Port{"phi", {0, cy}, 180, ww, m2, PortKind::Electrical});
  c.add_port(Port{"theta", {0, cy - off}, 180, ww, m2, PortKind::Electrical});
  c.add_port(Port{"gnd", {L, cy + off}, 0, ww, m2, PortKind::Electrical});
  return name;
}

std::string CellFactory::mzi_attenuator() {
  std::string name = "mzi_attenuator";
  if (existing(name)) return name;
  std::string m = mzi(false);
  std::string bend = bend_euler(p_.bend_radius, 90);
  const Cell& mc = lib_.cell(m);
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Attenuator;
  c.add_ref(m, Trans{}, "mzi");
  // The cross output o4 turns right (south) and ends: mirror the left-turning bend about its axis.
  c.add_ref(bend, Trans{0, true, mc.port("o4").position}, "dump");
  add_attenuator_ports(c, mc);
  return name;
}

std::string CellFactory::grating_coupler() {
  std::string name = "grating_coupler";
  if (existing(name)) return name;
  const Coord W = p_.gc_width, w = p_.wg_width, lt = p_.gc_taper_length, per = p_.gc_period;
  const Coord lg = per * p_.gc_teeth;
  const Coord tooth = std::llround(static_cast<double>(per) * p_.gc_fill);
  if (tooth <= 0 || tooth >= per) fail("LAYOUT-PARAM", "grating fill factor leaves no tooth or no trench");
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::GratingCoupler;
  c.add_polygon(p_.layers.wg, Polygon{{-lt, -W / 2}, {0, -w / 2}, {0, w / 2}, {-lt, W / 2}});
  c.add_box(p_.layers.wg, Box{-lt - lg, -W / 2, -lt, W / 2});
  for (int k = 0; k < p_.gc_teeth; ++k) {  // shallow-etched trenches between the teeth
    Coord x0 = -lt - lg + k * per;
    c.add_box(p_.layers.slab, Box{x0 + tooth, -W / 2, x0 + per, W / 2});
  }
  c.add_port(optical("o1", {0, 0}, 0));
  return name;
}

std::string CellFactory::photodetector() {
  std::string name = "photodetector";
  if (existing(name)) return name;
  const Coord lt = p_.pd_taper_length, lpd = p_.pd_length, ws = p_.pd_si_width, wg = p_.pd_width, w = p_.wg_width;
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::Photodetector;
  c.add_polygon(p_.layers.wg, Polygon{{0, -w / 2}, {lt, -ws / 2}, {lt, ws / 2}, {0, w / 2}});
  c.add_box(p_.layers.wg, Box{lt, -ws / 2, lt + lpd, ws / 2});
  c.add_box(p_.layers.pd, Box{lt, -wg / 2, lt + lpd, wg / 2});
  const Coord overlap = std::min<Coord>(kPdContactOverlap, wg / 2);
  const LayerSpec metal = p_.metals.contact().layer;
  c.add_box(metal, Box{lt, wg / 2 - overlap, lt + lpd, wg / 2 + p_.pd_contact_length});
  c.add_port(optical("o1", {0, 0}, 180));
  c.add_port(Port{"e1", {lt + lpd / 2, wg / 2 + p_.pd_contact_length}, 90, lpd, metal, PortKind::Electrical});
  return name;
}

std::string CellFactory::bond_pad() {
  std::string name = "bond_pad";
  if (existing(name)) return name;
  const Coord s = p_.pad_size, m = p_.pad_opening_margin;
  if (s <= 2 * m) fail("LAYOUT-PARAM", "bond pad opening margin leaves no opening");
  const LayerSpec metal = p_.metals.contact().layer;
  Cell& c = lib_.add_cell(name);
  c.role = CellRole::BondPad;
  c.add_box(metal, Box::centered({0, 0}, s, s));
  c.add_box(p_.layers.pad, Box{-s / 2 + m, -s / 2 + m, s / 2 - m, s / 2 - m});
  c.add_port(Port{"e1", {0, -s / 2}, 270, s, metal, PortKind::Electrical});
  return name;
}

}  // namespace holo::layout
