#include "holo/layout/test_structures.h"

#include <fmt/format.h>

#include <algorithm>
#include <numbers>
#include <string>

#include "holo/layout/cells.h"
#include "holo/support/error.h"

namespace holo::layout {
namespace {

constexpr Coord kEdgeIo = 200000;        // die edge to the first component (as the circuit's I/O)
constexpr Coord kMarkMargin = 100000;    // die corner to an alignment mark's centre
constexpr Coord kStrip = 200000;         // free strip along the bottom edge for the lower marks
constexpr Coord kMarkArm = 60000;        // alignment cross: arm length (each side of the centre)
constexpr Coord kMarkWidth = 6000;       // WG cross width; the M2 cross is half as wide and long
constexpr Coord kDetourHeight = 100000;  // cut-back detour: straight rise between the bends
constexpr Coord kDetourGap = 20000;      // straight between two detours
constexpr int kCutbacks = 4;             // waveguides with 0, 1, 2, 3 detours
// Bare-MZI heater wiring: 5 um wires (wider than any routing rule, easy to probe), the first track 30 um above
// the contacts, tracks 12 um apart (wire + 7 um space).
constexpr Coord kWire = 5000, kTrack0 = 30000, kTrackPitch = 12000;
constexpr Coord kPadRise = 40000;     // from the n tracks' extent (n pitches above kTrack0) to the pads' lower edge
constexpr Coord kPadsEast = 150000;   // last contact to the first pad (room for the wires to fan out)
constexpr Coord kCutbackGap = 60000;  // free space between two cut-back waveguides' detours
constexpr Coord kLabelBelow = 30000;  // the bare MZI's label below its lower arm
constexpr Coord kLabelAbove = 10000;  // a cut-back waveguide's label above it

// A cross on WG with a smaller cross on M2 at its centre (layer-to-layer alignment), centred at (0, 0).
std::string alignment_mark(Library& lib, const LayoutParams& p) {
  const std::string name = "align_cross";
  if (lib.has(name)) return name;
  Cell& c = lib.add_cell(name);
  c.add_box(p.layers.wg, Box{-kMarkArm, -kMarkWidth / 2, kMarkArm, kMarkWidth / 2});
  c.add_box(p.layers.wg, Box{-kMarkWidth / 2, -kMarkArm, kMarkWidth / 2, -kMarkWidth / 2});
  c.add_box(p.layers.wg, Box{-kMarkWidth / 2, kMarkWidth / 2, kMarkWidth / 2, kMarkArm});
  const Coord a = kMarkArm / 2, w = kMarkWidth / 4;
  const LayerSpec metal = p.metals.contact().layer;
  c.add_box(metal, Box{-a, -w, a, w});
  c.add_box(metal, Box{-w, -a, w, -w});
  c.add_box(metal, Box{-w, w, w, a});
  return name;
}

// One U-shaped detour heading east: left, up kDetourHeight, right, right, down, left. Returns the cell
// name, its length and its x extent; o1 at (0, 0) west, o2 east at the same y.
struct Detour {
  std::string cell;
  Coord dx = 0;
  double length_nm = 0;
};

Detour detour(Library& lib, CellFactory& f, const LayoutParams& p) {
  Detour d;
  d.cell = "cutback_detour";
  const std::string bend = f.bend_circular(p.bend_radius, 90);
  const std::string rise = f.straight(kDetourHeight);
  const double bend_nm =
      2.0 * static_cast<double>(p.end_stub) + 0.5 * std::numbers::pi * static_cast<double>(p.bend_radius);
  d.length_nm = 4.0 * bend_nm + 2.0 * static_cast<double>(kDetourHeight);
  if (lib.has(d.cell)) {
    d.dx = lib.cell(d.cell).port("o2").position.x;
    return d;
  }
  Cell& c = lib.add_cell(d.cell);
  const Cell& b = lib.cell(bend);
  const Cell& s = lib.cell(rise);
  Port at{"start", {0, 0}, 0, p.wg_width, p.layers.wg, PortKind::Optical};
  c.add_port(Port{"o1", {0, 0}, 180, p.wg_width, p.layers.wg, PortKind::Optical});
  int k = 0;
  auto place = [&](const Cell& cell, bool mirror) {
    const Trans t = connect(cell.port("o1"), at, mirror);
    c.add_ref(cell.name, t, fmt::format("d{}", k++));
    at = cell.port("o2").transformed(t);
  };
  place(b, false);  // east -> north
  place(s, false);
  place(b, true);  // north -> east
  place(b, true);  // east -> south
  place(s, false);
  place(b, false);  // south -> east
  at.name = "o2";
  c.add_port(at);
  d.dx = at.position.x;
  if (at.position.y != 0 || at.angle_deg != 0) internal_error("cut-back detour does not end east on its axis");
  return d;
}

// Nested L-shaped M2 tracks from each contact (sorted by x) to a 1 x n row of pads to the east of the
// last contact: the leftmost contact takes the highest track, so no two wires cross (the pattern of the
// demo chip). Returns the pads' bounding box.
Box wire_contacts(Cell& top, const LayoutParams& p, const std::string& pad, std::vector<Port> contacts,
                  const std::string& name) {
  std::sort(contacts.begin(), contacts.end(), [](const Port& a, const Port& b) { return a.position.x < b.position.x; });
  const auto n = static_cast<Coord>(contacts.size());
  const Coord base = contacts.front().position.y;
  const Coord pad_y = base + kTrack0 + n * kTrackPitch + kPadRise + p.pad_size / 2;
  const Coord pad_x0 = contacts.back().position.x + kPadsEast;
  const LayerSpec metal = p.metals.contact().layer;
  top.add_array(pad, Trans::translate({pad_x0, pad_y}), static_cast<int32_t>(n), 1, {p.pad_pitch, 0}, {0, 0},
                name + "_pads");
  for (Coord i = 0; i < n; ++i) {
    const Point c = contacts[static_cast<size_t>(i)].position;
    const Coord track = base + kTrack0 + (n - 1 - i) * kTrackPitch;
    const Coord px = pad_x0 + i * p.pad_pitch;
    top.add_box(metal, Box{c.x - kWire / 2, c.y - kWire / 2, c.x + kWire / 2, track + kWire / 2});
    top.add_box(metal, Box{c.x - kWire / 2, track - kWire / 2, px + kWire / 2, track + kWire / 2});
    top.add_box(metal, Box{px - kWire / 2, track - kWire / 2, px + kWire / 2, pad_y - p.pad_size / 2 + kWire / 2});
  }
  return Box{pad_x0 - p.pad_size / 2, pad_y - p.pad_size / 2, pad_x0 + (n - 1) * p.pad_pitch + p.pad_size / 2,
             pad_y + p.pad_size / 2};
}

}  // namespace

Coord furniture_min_width(const LayoutParams& p) {
  // Bare MZI: edge waveguide, the MZI, 150 um to the first of four pads, the pads, edge waveguide.
  Library scratch;
  CellFactory f(scratch, p);
  const Coord mzi_len = scratch.cell(f.mzi(true)).port("o3").position.x;
  const Coord mzi_block = kEdgeIo + mzi_len + kPadsEast + 4 * p.pad_pitch + kEdgeIo;
  // Cut-back: edge straights around the detours of the longest waveguide.
  const Detour d = detour(scratch, f, p);
  const Coord cutback = 2 * kEdgeIo + (kCutbacks - 1) * (d.dx + kDetourGap);
  return std::max(mzi_block, cutback);
}

Box place_chip_furniture(Library& lib, Cell& top, const LayoutParams& p, const Box& die, FurnitureFigures& out) {
  CellFactory f(lib, p);
  const Coord width = die.x1 - die.x0;
  if (width < furniture_min_width(p))
    fail("LAYOUT-PARAM", fmt::format("die {} nm wide, the test structures need {} nm", width, furniture_min_width(p)));
  const Coord P = p.port_pitch;
  const std::string mzi = f.mzi(true), pad = f.bond_pad();
  const Cell& mc = lib.cell(mzi);
  const Coord mzi_len = mc.port("o3").position.x;

  // Bare MZI: upper arm at y_m; its wiring and pads rise above it (tracks from 30 um above the contacts).
  Coord y = die.y0 - kStrip;  // below the circuit (which ends at die.y0)
  const Coord pads_top = kTrack0 + 4 * kTrackPitch + kPadRise + p.pad_size;
  const Coord y_m = y - pads_top - p.contact_size;
  const Trans tm = Trans::translate({die.x0 + kEdgeIo, y_m});
  top.add_ref(mzi, tm, "test_mzi");
  const Coord out_len = die.x1 - (die.x0 + kEdgeIo + mzi_len);
  const std::string w_in = f.straight(kEdgeIo), w_out = f.straight(out_len);
  top.add_array(w_in, Trans::translate({die.x0, y_m - P}), 1, 2, {kEdgeIo, 0}, {0, P}, "test_mzi_in");
  top.add_array(w_out, Trans::translate({die.x0 + kEdgeIo + mzi_len, y_m - P}), 1, 2, {out_len, 0}, {0, P},
                "test_mzi_out");
  std::vector<Port> contacts;
  for (const char* e : {"phi_e1", "phi_e2", "theta_e1", "theta_e2"}) contacts.push_back(mc.port(e).transformed(tm));
  wire_contacts(top, p, pad, contacts, "test_mzi");
  f.add_label(top, "test: bare MZI (heaters phi, theta to pads)", {die.x0 + kEdgeIo, y_m - P - kLabelBelow});
  out.test_structures += 1;
  out.bond_pads += 4;
  y = y_m - P - kStrip;

  // Cut-back set: waveguide k carries k detours in the middle of the die.
  const Detour d = detour(lib, f, p);
  const Coord pitch = kDetourHeight + 4 * p.bend_radius + 4 * p.end_stub + kCutbackGap;
  for (int k = 0; k < kCutbacks; ++k) {
    const Coord yk = y - (kDetourHeight + 2 * p.bend_radius + 2 * p.end_stub) - k * pitch;
    const Coord run = k * d.dx + (k > 0 ? (k - 1) * kDetourGap : 0);
    const Coord x_start = die.x0 + (width - run) / 2;
    // Straights cover the width minus the detours' x extent; each detour adds its own centreline length.
    const double length = static_cast<double>(width - k * d.dx) + k * d.length_nm;
    Coord x = die.x0;
    auto straight_to = [&](Coord x_end, const std::string& nm) {
      if (x_end > x) top.add_ref(f.straight(x_end - x), Trans::translate({x, yk}), nm);
      x = x_end;
    };
    straight_to(x_start, fmt::format("cutback{}_in", k));
    for (int j = 0; j < k; ++j) {
      if (j > 0) straight_to(x + kDetourGap, fmt::format("cutback{}_gap{}", k, j));
      top.add_ref(d.cell, Trans::translate({x, yk}), fmt::format("cutback{}_detour{}", k, j));
      x += d.dx;
    }
    straight_to(die.x1, fmt::format("cutback{}_out", k));
    out.cutback_length_um.push_back(length / 1000.0);
    f.add_label(top, fmt::format("test: cut-back {} ({:.1f} um)", k, length / 1000.0),
                {die.x0 + kEdgeIo, yk + kLabelAbove});
    out.test_structures += 1;
  }
  y -= kCutbacks * pitch + kStrip;

  Box grown{die.x0, y, die.x1, die.y1};
  const std::string mark = alignment_mark(lib, p);
  const Point corners[] = {{grown.x0 + kMarkMargin, grown.y1 - kMarkMargin},
                           {grown.x1 - kMarkMargin, grown.y1 - kMarkMargin},
                           {grown.x0 + kMarkMargin, grown.y0 + kMarkMargin},
                           {grown.x1 - kMarkMargin, grown.y0 + kMarkMargin}};
  int i = 0;
  for (const Point& c : corners) top.add_ref(mark, Trans::translate(c), fmt::format("align{}", i++));
  out.alignment_marks += 4;
  return grown;
}

}  // namespace holo::layout
