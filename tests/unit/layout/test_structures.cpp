// Chip furniture (test_structures.h): alignment marks and the test-structure block are DRC-clean in place,
// the cut-back waveguides are continuous from die edge to die edge (ports that meet, layout extraction)
// with lengths that grow by exactly one detour each, and the same input gives the same GDS bytes.
#include "holo/layout/test_structures.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "holo/layout/drc.h"
#include "holo/layout/extract.h"
#include "holo/layout/gds.h"
#include "holo/pdk/pdk.h"
#include "layout_test_util.h"
#include "test_support.h"

namespace holo::layout {
namespace {

struct Placed {
  Library lib{"furniture"};
  Box die;
  FurnitureFigures fig;
};

Placed place(Coord width) {
  Placed r;
  const LayoutParams p = layout_params(soi());
  Cell& top = r.lib.add_cell("top");
  r.die = place_chip_furniture(r.lib, top, p, Box{0, -300000, width, 0}, r.fig);
  top.add_box(p.layers.floorplan, r.die);
  return r;
}

TEST(Furniture, CleanUnderTheDrcAndInsideTheDie) {
  const Placed r = place(furniture_min_width(layout_params(soi())));
  const FlatLayout flat = flatten(r.lib, "top");
  const DrcReport rep = run_drc(flat, drc_deck(soi()));
  EXPECT_EQ(rep.total, 0) << (rep.violations.empty() ? "" : rep.violations.front().detail);
  const Box bb = r.lib.bbox("top");
  EXPECT_EQ(bb.x0, r.die.x0);
  EXPECT_EQ(bb.x1, r.die.x1);
  EXPECT_EQ(bb.y1, 0);  // the circuit's box is left to the circuit: nothing placed above it
  EXPECT_LT(r.die.y0, -300000);
  EXPECT_EQ(r.fig.alignment_marks, 4);
  EXPECT_EQ(r.fig.test_structures, 1 + static_cast<int64_t>(r.fig.cutback_length_um.size()));
  EXPECT_EQ(r.fig.bond_pads, 4);  // the bare MZI's heater contacts
}

TEST(Furniture, CutbackWaveguidesRunEdgeToEdgeWithKnownLengths) {
  const LayoutParams p = layout_params(soi());
  const Coord width = furniture_min_width(p) + 1234000;
  const Placed r = place(width);
  // Every optical port of the top's instances meets another one, except those on the west / east die edge.
  const Connectivity con = extract_connectivity(r.lib, "top", PortKind::Optical);
  EXPECT_TRUE(con.mismatches.empty());
  int edge_ports = 0;
  for (const PlacedPort& pp : con.open) {
    const bool on_edge = pp.port.position.x == r.die.x0 || pp.port.position.x == r.die.x1;
    EXPECT_TRUE(on_edge) << pp.instance << "." << pp.port.name << " open inside the die";
    edge_ports += on_edge ? 1 : 0;
  }
  const auto n = static_cast<int>(r.fig.cutback_length_um.size());
  EXPECT_EQ(edge_ports, 2 * n + 4);  // each cut-back waveguide's two ends, the bare MZI's four
  ASSERT_GE(n, 3);
  // Waveguide k = 0 is straight across the die; each further detour adds 4 quarter circles and two risers
  // (bends carry a straight end stub at both ends) minus the x extent it replaces.
  EXPECT_DOUBLE_EQ(r.fig.cutback_length_um[0], static_cast<double>(width) / 1000.0);
  const double bend_nm = 2.0 * p.end_stub + 0.5 * std::numbers::pi * p.bend_radius;
  // A 90-degree bend advances R + stub along x (and along y): the detour's x extent is 4 (R + stub).
  const double dx_nm = 4.0 * (p.bend_radius + p.end_stub);
  for (int k = 1; k < n; ++k) {
    const double step_nm = (r.fig.cutback_length_um[k] - r.fig.cutback_length_um[k - 1]) * 1000.0;
    EXPECT_NEAR(step_nm, 4.0 * bend_nm + 2.0 * 100000 - dx_nm, 1e-6) << k;
  }
}

TEST(Furniture, SameBytesTwiceAndNarrowDiesRefused) {
  const Coord w = furniture_min_width(layout_params(soi()));
  EXPECT_EQ(gds_bytes(place(w).lib), gds_bytes(place(w).lib));
  EXPECT_EQ(test::error_code([&] { place(w - 1); }), "LAYOUT-PARAM");
}

}  // namespace
}  // namespace holo::layout
