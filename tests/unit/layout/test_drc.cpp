// DRC: the broken layouts are flagged with exactly their rules, clean layouts pass, and the edge cases of
// merged-polygon, KLayout-style checks behave as documented.
#include <gtest/gtest.h>

#include <set>

#include "holo/layout/demo.h"
#include "holo/layout/drc.h"
#include "holo/layout/params.h"
#include "layout_test_util.h"
#include "test_support.h"

namespace holo::layout {
namespace {

const DrcDeck& deck() {
  static const DrcDeck d = drc_deck(soi());
  return d;
}

constexpr LayerSpec kWg{1, 0}, kM2{45, 0}, kVia{44, 0};

std::set<std::string> flagged(const FlatLayout& flat) {
  std::set<std::string> s;
  for (const auto& [rule, n] : run_drc(flat, deck()).counts)
    if (n) s.insert(rule);
  return s;
}

FlatLayout boxes(LayerSpec l, const std::vector<Box>& bs) {
  FlatLayout f;
  for (const Box& b : bs) f.polygons[l].push_back(box_polygon(b));
  return f;
}

TEST(Drc, DeckHasEveryPdkRule) {
  EXPECT_EQ(deck().rules.size(), soi().rules.size());
  std::set<std::string> kinds;
  for (const DrcRule& r : deck().rules) kinds.insert(r.kind);
  EXPECT_EQ(kinds, (std::set<std::string>{"width", "space", "enclosure", "bend_radius"}));
}

TEST(Drc, BrokenLayoutsAreFlaggedWithExactlyTheirRules) {
  auto broken = broken_layouts(soi());
  // Every rule of the PDK is exercised by at least one broken layout.
  std::set<std::string> covered;
  for (const BrokenLayout& b : broken) covered.insert(b.rules.begin(), b.rules.end());
  for (const DrcRule& r : deck().rules) EXPECT_TRUE(covered.count(r.name)) << r.name;
  for (const BrokenLayout& b : broken) {
    std::set<std::string> got = flagged(flatten(b.lib, b.lib.top_cell()));
    EXPECT_EQ(got, std::set<std::string>(b.rules.begin(), b.rules.end())) << b.name << ": " << b.description;
  }
}

TEST(Drc, DemoChipIsClean) {
  Library lib = demo_chip(soi());
  DrcReport rep = run_drc(flatten(lib, lib.top_cell()), deck());
  for (const Violation& v : rep.violations)
    ADD_FAILURE() << v.rule << " at " << v.where.x0 << "," << v.where.y0 << " measured " << v.measured_nm;
  EXPECT_TRUE(rep.clean());
}

TEST(Drc, WidthAtTheMinimumPassesOneNanometreLessFails) {
  EXPECT_TRUE(flagged(boxes(kWg, {Box{0, 0, 10000, 400}})).empty());
  EXPECT_EQ(flagged(boxes(kWg, {Box{0, 0, 10000, 399}})), (std::set<std::string>{"WG.W.1"}));
  EXPECT_TRUE(flagged(boxes(kWg, {Box{0, 0, 10000, 500}, Box{0, 650, 10000, 1150}})).empty());  // 150 nm apart
  EXPECT_EQ(flagged(boxes(kWg, {Box{0, 0, 10000, 500}, Box{0, 649, 10000, 1149}})), (std::set<std::string>{"WG.S.1"}));
}

TEST(Drc, CornersOfSeparateShapesAreNotAWidth) {
  // Two 500 nm squares side by side, 200 nm apart, the second 200 nm higher: the first's top edge and the
  // second's bottom edge face each other (each lies on the other's inner side) with the corners 283 nm apart,
  // but the material is not between them, so it is no width violation (KLayout's width check pairs edges of
  // one polygon only), and the 200 nm gap passes WG.S.1 (150 nm).
  EXPECT_TRUE(flagged(boxes(kWg, {Box{0, 0, 500, 500}, Box{700, 300, 1200, 800}})).empty());
  // The same squares joined by a 300 nm bar: the bar is a real width violation.
  EXPECT_EQ(flagged(boxes(kWg, {Box{0, 0, 500, 500}, Box{700, 300, 1200, 800}, Box{400, 350, 800, 650}})),
            (std::set<std::string>{"WG.W.1"}));
}

TEST(Drc, ChecksMergedPolygons) {
  // Two 300 nm strips side by side (abutting) and overlapping make one 600 nm wire: no width violation,
  // and no space violation between pieces of the same shape.
  EXPECT_TRUE(flagged(boxes(kWg, {Box{0, 0, 10000, 300}, Box{0, 300, 10000, 600}})).empty());
  EXPECT_TRUE(flagged(boxes(kWg, {Box{0, 0, 10000, 300}, Box{0, 200, 10000, 600}})).empty());
  // Pieces end to end along a wire.
  EXPECT_TRUE(flagged(boxes(kWg, {Box{0, 0, 5000, 500}, Box{5000, 0, 10000, 500}, Box{10000, 0, 20000, 500}})).empty());
  // A duplicate shape changes nothing.
  EXPECT_TRUE(flagged(boxes(kWg, {Box{0, 0, 5000, 500}, Box{0, 0, 5000, 500}})).empty());
}

TEST(Drc, NotchInsideOneShapeIsASpaceViolation) {
  // A U shape whose arms are 100 nm apart.
  FlatLayout f;
  f.polygons[kWg].push_back(
      {{0, 0}, {5000, 0}, {5000, 3000}, {2550, 3000}, {2550, 1000}, {2450, 1000}, {2450, 3000}, {0, 3000}});
  EXPECT_EQ(flagged(f), (std::set<std::string>{"WG.S.1"}));
}

TEST(Drc, AcuteCornersAreFlaggedRightAnglesAreNot) {
  FlatLayout tri;
  tri.polygons[kWg].push_back({{0, 0}, {10000, 0}, {0, 3000}});  // 16.7-degree corner
  EXPECT_EQ(flagged(tri), (std::set<std::string>{"WG.W.1"}));
  EXPECT_TRUE(flagged(boxes(kWg, {Box{0, 0, 2000, 2000}})).empty());
}

TEST(Drc, ViaEnclosure) {
  FlatLayout ok = boxes(kM2, {Box{-1500, -1500, 1500, 1500}});
  ok.polygons[kVia].push_back(box_polygon(Box{-1000, -1000, 1000, 1000}));  // exactly 0.5 um all round
  EXPECT_TRUE(flagged(ok).empty());
  FlatLayout tight = boxes(kM2, {Box{-1499, -1500, 1500, 1500}});
  tight.polygons[kVia].push_back(box_polygon(Box{-1000, -1000, 1000, 1000}));
  EXPECT_EQ(flagged(tight), (std::set<std::string>{"VIA.EN.1"}));
  // Covered by two abutting metal pieces: still enclosed.
  FlatLayout split = boxes(kM2, {Box{-3000, -3000, 0, 3000}, Box{0, -3000, 3000, 3000}});
  split.polygons[kVia].push_back(box_polygon(Box{-1000, -1000, 1000, 1000}));
  EXPECT_TRUE(flagged(split).empty());
}

TEST(Drc, BendRadiusFromTheOutline) {
  LayoutParams lp = layout_params(soi());
  auto bend = [&](double r) {
    Centerline cl({0, 0}, 0, 500, 1);
    cl.straight(500);
    cl.arc(r, 90);
    cl.straight(500);
    FlatLayout f;
    f.polygons[kWg].push_back(cl.polygon());
    return flagged(f);
  };
  EXPECT_TRUE(bend(5000).empty());  // exactly the minimum
  EXPECT_TRUE(bend(40000).empty());
  EXPECT_EQ(bend(4900), (std::set<std::string>{"WG.R.1"}));  // 2% below: beyond the 1% slack
  EXPECT_EQ(bend(2000), (std::set<std::string>{"WG.R.1"}));
  // A square and a taper (ending on a wide box, so its corners are not acute) are not bends.
  FlatLayout f = boxes(kWg, {Box{0, 0, 3000, 3000}, Box{30000, -5000, 40000, 5000}});
  f.polygons[kWg].push_back({{10000, -250}, {30000, -5000}, {30000, 5000}, {10000, 250}});
  EXPECT_TRUE(flagged(f).empty());
  // The generators' bends at the minimum radius pass.
  EXPECT_EQ(lp.min_bend_radius, 5000);
}

TEST(Drc, ViolationsNameRuleLayerAndPlace) {
  DrcReport rep = run_drc(boxes(kWg, {Box{1000, 2000, 11000, 2300}}), deck());
  ASSERT_EQ(rep.violations.size(), 1u);
  const Violation& v = rep.violations[0];
  EXPECT_EQ(v.rule, "WG.W.1");
  EXPECT_EQ(v.kind, "width");
  EXPECT_EQ(v.layer, "WG");
  EXPECT_EQ(v.where, (Box{1000, 2000, 11000, 2300}));
  EXPECT_DOUBLE_EQ(v.measured_nm, 300.0);
  EXPECT_EQ(v.min_nm, 400);
  EXPECT_EQ(rep.total, 1);
  EXPECT_EQ(rep.counts.size(), deck().rules.size());
}

TEST(Drc, KlayoutDeckNamesEveryRule) {
  std::string d = klayout_deck(deck());
  EXPECT_NE(d.find("source($input)"), std::string::npos);
  EXPECT_NE(d.find("report("), std::string::npos);
  EXPECT_NE(d.find("l_wg = input(1, 0)"), std::string::npos);
  EXPECT_NE(d.find("l_wg.width(0.4.um).output(\"WG.W.1\""), std::string::npos);
  EXPECT_NE(d.find("l_m2.enclosing(l_via, 0.5.um).output(\"VIA.EN.1\""), std::string::npos);
  EXPECT_NE(d.find("holo_bend_radius(1, 0, 5000, \"WG.R.1\""), std::string::npos);
  // The helper is defined before the first use.
  EXPECT_LT(d.find("def holo_bend_radius"), d.find("holo_bend_radius(1, 0"));
  for (const DrcRule& r : deck().rules) EXPECT_NE(d.find("\"" + r.name + "\""), std::string::npos) << r.name;
}

// Whole compiled chips need the hierarchical mode (tests/e2e/test_chip_layout.py runs it): the bend-radius pass
// reads the source layout cell by cell before `deep`, the rule checks follow `deep`, and the pass keeps the
// markers of mirrored outlines apart (exact flat-pass markers: tests/e2e/test_layout_klayout.py).
TEST(Drc, KlayoutDeckIsHierarchicalWithTheBendPassFirst) {
  std::string d = klayout_deck(deck());
  const size_t bend = d.find("\nholo_bend_radius(1, 0"), deep = d.find("\ndeep\n"), width = d.find(".width(");
  ASSERT_NE(bend, std::string::npos);
  ASSERT_NE(deep, std::string::npos);
  ASSERT_NE(width, std::string::npos);
  EXPECT_LT(bend, deep);
  EXPECT_LT(deep, width);
  EXPECT_EQ(d.find("\ndeep\n", deep + 1), std::string::npos) << "one mode switch";
  EXPECT_EQ(d.find("flat\n"), std::string::npos);
  EXPECT_NE(d.find("ly.each_cell"), std::string::npos);         // each cell's own shapes once
  EXPECT_NE(d.find("it.trans.is_mirror?"), std::string::npos);  // mirrored placements use mirrored markers
}

}  // namespace
}  // namespace holo::layout
