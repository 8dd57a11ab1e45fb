// Heater wiring on the metal stack (routing.h): one wiring unit on its own, and a second routing metal added as
// PDK data only (layers M3 and VIA2 with their rules), which the router then uses: DRC-clean, every heater on a
// pad of its own, the optical layout unchanged.
#include <gtest/gtest.h>

#include <set>

#include "chip_test_util.h"
#include "holo/layout/chip.h"
#include "holo/layout/drc.h"
#include "holo/layout/lvs.h"
#include "holo/layout/nets.h"
#include "holo/layout/routing.h"
#include "holo/support/error.h"
#include "layout_test_util.h"

namespace holo::layout {
namespace {

// The bundled PDK plus a second routing metal: M3 over VIA2, with width / space / enclosure rules. M3's space
// rule (4 um) is above the M2 wires' 3 um space, so the router's track pitch grows to 7 um.
pdk::Pdk two_metal_pdk(double via2_um = 1.0) {
  pdk::Pdk p = soi();
  p.layers.push_back({"M3", 49, 0, "second routing metal"});
  p.layers.push_back({"VIA2", 50, 0, "via M2 -> M3"});
  p.rules.push_back({"M3.W.1", "M3", "width", "", 2.0, "test"});
  p.rules.push_back({"M3.S.1", "M3", "space", "", 4.0, "test"});
  p.rules.push_back({"VIA2.W.1", "VIA2", "width", "", via2_um, "test"});
  p.rules.push_back({"VIA2.EN.1", "M2", "enclosure", "VIA2", 0.5, "test"});
  p.rules.push_back({"VIA2.EN.2", "M3", "enclosure", "VIA2", 0.5, "test"});
  return p;
}

int64_t shapes_on(const FlatLayout& flat, LayerSpec l) {
  auto it = flat.polygons.find(l);
  return it == flat.polygons.end() ? 0 : static_cast<int64_t>(it->second.size());
}

TEST(Routing, OneUnitPadsEveryWireAndIsClean) {
  // A channel for a column of 300 um with three drives (two up, one down) and two ground wires from the west.
  Library lib("unit");
  CellFactory f(lib, soi_params());
  HeaterRouter r(f);
  Cell& c = lib.add_cell("cell");
  WiringFacts w;
  const std::vector<Drive> drives = {{-20000, "a", "phi_rad"}, {-50000, "b", "theta_rad"}, {-90000, "c", "phi_rad"}};
  const Coord W = r.unit(c, 0, {-30000, -70000}, drives, 300000, r.y_bot(5), w);
  // Two tracks (ceil(3 / 2)) plus the ground track plus a space: 3 x 6 + 3 um.
  EXPECT_EQ(W, r.channel_width(true, 3));
  EXPECT_EQ(W, 3 * r.wire_pitch() + soi_params().metals.wire_space());
  ASSERT_EQ(w.pads.size(), 4u);
  EXPECT_EQ(w.ground_pads, 1);
  std::set<std::string> driven;
  for (const WiredPad& pd : w.pads) {
    driven.insert(pd.instance + "." + pd.parameter);
    // Up-going wires end in pads above the top edge, down-going ones below the bottom edge.
    EXPECT_TRUE(pd.center.y > r.y_top() || pd.center.y < r.y_bot(5)) << pd.instance;
  }
  EXPECT_EQ(driven, (std::set<std::string>{"gnd0.ground", "a.phi_rad", "b.theta_rad", "c.phi_rad"}));
  EXPECT_GT(w.up_height, 0);
  EXPECT_GT(w.down_height, 0);
  EXPECT_GT(w.wire_nm, 0);
  // One metal: every wire on M2, no via between metals; the unit alone is clean under the PDK's rules.
  const FlatLayout flat = flatten(lib, "cell");
  EXPECT_GT(shapes_on(flat, soi_params().metals.contact().layer), 0);
  const DrcReport rep = run_drc(flat, drc_deck(soi()));
  EXPECT_TRUE(rep.clean()) << rep.violations[0].rule << " " << rep.violations[0].detail;
  // Each pad reaches the wire stub it serves at the channel's edge (ground: west edge, drives: east edge).
  std::vector<Point> pts;
  for (const WiredPad& pd : w.pads) pts.push_back(pd.center);
  pts.push_back({0, -30000});  // ground stub, west edge
  pts.push_back({W, -20000});  // drive a, east edge
  const std::vector<int64_t> nets = metal_nets_at(lib, "cell", soi_params(), pts);
  EXPECT_EQ(w.pads[0].instance, "gnd0");  // the ground track is westmost: its pad comes first
  EXPECT_EQ(nets[4], nets[0]);
  size_t pad_a = 4;
  for (size_t k = 0; k < 4; ++k)
    if (w.pads[k].instance == "a") pad_a = k;
  ASSERT_LT(pad_a, 4u);
  EXPECT_EQ(nets[5], nets[pad_a]);
  std::set<int64_t> distinct(nets.begin(), nets.begin() + 4);
  EXPECT_EQ(distinct.size(), 4u);  // four pads, four nets
}

TEST(Routing, SecondMetalIsPdkData) {
  const pdk::Pdk two = two_metal_pdk();
  const LayoutParams lp = layout_params(two);
  ASSERT_EQ(lp.metals.layers.size(), 2u);
  EXPECT_EQ(lp.metals.vertical().name, "M3");
  EXPECT_EQ(lp.metals.vertical().via_below.name, "VIA2");
  EXPECT_EQ(lp.metals.vertical().via_below.size, 1000);  // VIA2.W.1
  EXPECT_EQ(lp.metals.vertical().wire_width, 3000);      // the M2 wire width (above M3.W.1)
  EXPECT_EQ(lp.metals.wire_space(), 4000);               // M3.S.1
  EXPECT_TRUE(lp.fallbacks.empty());

  for (bool screen : {true, false}) {
    const circuit::Netlist nl = make_netlist({{4, 4}, {3, 5}}, screen);
    const ChipLayout one = layout_chip(nl, soi_params());
    const ChipLayout chip = layout_chip(nl, lp);
    const FlatLayout flat = flatten(chip.lib, chip.top);
    // The router uses the second metal: its y-running wires on M3, a VIA2 where they meet M2.
    EXPECT_GT(shapes_on(flat, lp.metals.vertical().layer), 0);
    EXPECT_GT(shapes_on(flat, lp.metals.vertical().via_below.layer), 0);
    EXPECT_EQ(shapes_on(flatten(one.lib, one.top), lp.metals.vertical().layer), 0);
    // DRC-clean under the PDK's rules, M3 and VIA2 included.
    const DrcReport rep = run_drc(flat, drc_deck(two));
    EXPECT_TRUE(rep.clean()) << rep.total << " " << rep.violations[0].rule << " " << rep.violations[0].detail;
    // Every heater on a pad of its own (nets joined across the two metals by the vias), no shorts, no opens.
    const HeaterNets hn = extract_heater_nets(chip.lib, chip.top, lp);
    EXPECT_TRUE(hn.clean()) << (hn.problems.empty() ? "" : hn.problems[0]);
    EXPECT_EQ(hn.heaters, chip.figures.heaters + 2);
    EXPECT_EQ(hn.drive_nets, chip.figures.heaters + 4);
    EXPECT_EQ(hn.common_nets, chip.figures.ground_pads);
    // The same heaters, pads and optics as with one metal; only the wiring's pitch differs.
    EXPECT_EQ(chip.figures.heaters, one.figures.heaters);
    EXPECT_EQ(chip.pads.size(), one.pads.size());
    EXPECT_EQ(chip.figures.mzi_instances, one.figures.mzi_instances);
    EXPECT_TRUE(check_layout_vs_netlist(chip.lib, chip.cell_of, nl).empty());
  }
}

TEST(Routing, TheCheckSeesTheViasBetweenMetals) {
  const LayoutParams lp = layout_params(two_metal_pdk());
  ChipLayout chip = layout_chip(make_netlist({{4, 4}}), lp);
  // Without its VIA2 cuts a wiring unit's M3 tracks no longer reach the M2 wires: opens.
  Cell& unit = chip.lib.cell("wires_0");
  ASSERT_TRUE(unit.polygons.count(lp.metals.vertical().via_below.layer));
  unit.polygons.erase(lp.metals.vertical().via_below.layer);
  const HeaterNets hn = extract_heater_nets(chip.lib, chip.top, lp);
  EXPECT_FALSE(hn.clean());
  EXPECT_GE(hn.open_terminals, 1);
  EXPECT_GE(hn.dangling_pads, 1);
}

TEST(Routing, ViaWiderThanTheWiresEncloseIsRefused) {
  // VIA2 of 2.5 um with 0.5 um enclosure needs 3.5 um wires; the M2 wires are 3 um.
  try {
    layout_params(two_metal_pdk(2.5));
    FAIL() << "no error";
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.code(), "LAYOUT-PARAM");
    EXPECT_NE(std::string(e.what()).find("VIA2"), std::string::npos) << e.what();
  }
}

TEST(Routing, MissingRulesOfASecondMetalAreReported) {
  pdk::Pdk p = soi();
  p.layers.push_back({"M3", 49, 0, ""});
  p.layers.push_back({"VIA2", 50, 0, ""});
  const LayoutParams lp = layout_params(p);
  ASSERT_EQ(lp.metals.layers.size(), 2u);
  EXPECT_EQ(lp.metals.vertical().wire_width, 3000);  // as on M2
  EXPECT_EQ(lp.metals.vertical().via_below.size, lp.metals.contact().via_below.size);
  std::vector<std::string> figures;
  for (const ParamFallback& f : lp.fallbacks) figures.push_back(f.figure);
  EXPECT_EQ(figures, (std::vector<std::string>{"rule width on M3", "rule space on M3", "rule width on VIA2",
                                               "rule enclosure of VIA2"}));
}

}  // namespace
}  // namespace holo::layout
