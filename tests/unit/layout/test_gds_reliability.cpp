// Hostile GDSII input ("trustworthy outputs"): deep and cyclic hierarchies, arrays that expand to billions of
// shapes, malformed and out-of-order records. Each must end in a coded holo::Error for bad input -- quickly,
// before anything large is allocated -- never in a crash, a hang or an out-of-memory.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <numbers>
#include <string>

#include "gds_records.h"
#include "holo/layout/cell.h"
#include "holo/layout/drc.h"
#include "holo/layout/gds.h"
#include "holo/layout/nets.h"
#include "holo/layout/params.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "layout_test_util.h"
#include "test_support.h"

namespace holo::layout {
namespace {

struct Caught {
  std::string code, message;
  ErrorKind kind = ErrorKind::Internal;
};

Caught caught(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return {e.code(), e.what(), e.kind()};
  }
  return {};
}

std::string code_of(const std::function<void()>& f) {
  return caught(f).code;
}

std::string code_of_read(const Rec& g) {
  return code_of([&] { read_gds(g.b, "t.gds"); });
}

// A chain c0 -> c1 -> ... -> c{n-1} of single references, the last holding one square; c0 is the top.
Rec chain_gds(int n) {
  Rec g;
  g.head();
  for (int i = n - 1; i >= 0; --i) {
    g.cell(fmt::format("c{}", i));
    if (i == n - 1)
      g.square(1);
    else
      g.sref(fmt::format("c{}", i + 1), 1, 0);
    g.endcell();
  }
  g.endlib();
  return g;
}

Library chain_library(int n) {
  Library lib("chain");
  for (int i = n - 1; i >= 0; --i) {
    Cell& c = lib.add_cell(fmt::format("c{}", i));
    if (i == n - 1)
      c.add_box({1, 0}, Box{0, 0, 10, 10});
    else
      c.add_ref(fmt::format("c{}", i + 1), Trans::translate({1, 0}));
  }
  return lib;
}

// --- hierarchy depth -----------------------------------------------------------------------------------------

TEST(GdsReliability, FortyThousandDeepChainIsRefusedByTheReader) {
  const Rec g = chain_gds(40000);  // ~1.4 MB, as the 2.9 MB file of the hostile-user campaign
  const Caught c = caught([&] { read_gds(g.b, "chain.gds"); });
  EXPECT_EQ(c.code, "GDS-TOO-DEEP") << c.message;
  EXPECT_EQ(c.kind, ErrorKind::BadInput);
  EXPECT_NE(c.message.find("chain.gds"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("'c0'"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("39999 levels"), std::string::npos) << c.message;
  // At the budget it is read.
  GdsReadOptions o;
  o.max_depth = 39999;
  EXPECT_EQ(read_gds(g.b, "chain.gds", o).size(), 40000u);
  o.max_depth = 39998;
  EXPECT_EQ(code_of([&] { read_gds(g.b, "chain.gds", o); }), "GDS-TOO-DEEP");
}

TEST(GdsReliability, EveryHierarchyWalkSurvivesAFortyThousandDeepChain) {
  // A library built in memory has no reader to stop it: the walks themselves must not recurse.
  const Library lib = chain_library(40000);
  EXPECT_EQ(lib.top_cell(), "c0");
  const HierarchyDepth d = deepest_hierarchy(lib);
  EXPECT_EQ(d.levels, 39999);
  EXPECT_EQ(d.cell, "c0");
  const FlatLayout flat = flatten(lib, "c0");
  ASSERT_EQ(flat.polygon_count(), 1u);
  EXPECT_EQ(bbox(flat.polygons.at({1, 0})[0]), (Box{39999, 0, 40009, 10}));
  EXPECT_EQ(lib.bbox("c0"), (Box{39999, 0, 40009, 10}));
  EXPECT_EQ(flat_shape_counts(lib, "c0").at({1, 0}), 1);
  EXPECT_EQ(placement_counts(lib, "c0").at("c39999"), 1);
  const FlatSize s = flat_size(lib, "c0");
  EXPECT_EQ(s.levels, 39999);
  EXPECT_EQ(s.placements, 39999);
  EXPECT_EQ(extract_heater_nets(lib, "c0", soi_params()).heaters, 0);
  // And the same file, read with a budget large enough, flattens too.
  GdsReadOptions o;
  o.max_depth = 100000;
  const Library back = read_gds(chain_gds(40000).b, "chain.gds", o);
  EXPECT_EQ(flatten(back, "c0").polygon_count(), 1u);
}

TEST(GdsReliability, ReferenceCyclesAreNamedNotFollowed) {
  Rec g;  // top -> a -> b -> a
  g.head().cell("a").sref("b").endcell().cell("b").sref("a").endcell().cell("top").sref("a").endcell().endlib();
  const Caught c = caught([&] { read_gds(g.b, "loop.gds"); });
  EXPECT_EQ(c.code, "LAYOUT-CYCLE");
  EXPECT_NE(c.message.find("loop.gds"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("a -> b -> a"), std::string::npos) << c.message;
  Rec self;  // a cell placing itself
  self.head().cell("a").square(1).sref("a", 5, 5).endcell().endlib();
  EXPECT_EQ(code_of_read(self), "LAYOUT-CYCLE");
  // In memory: every walk reports the loop instead of following it.
  Library lib("x");
  lib.add_cell("top").add_ref("a", Trans{});
  lib.add_cell("a").add_ref("b", Trans{});
  lib.add_cell("b").add_array("a", Trans{}, 2, 2, {10, 0}, {0, 10});
  EXPECT_EQ(code_of([&] { flatten(lib, "top"); }), "LAYOUT-CYCLE");
  EXPECT_EQ(code_of([&] { lib.bbox("top"); }), "LAYOUT-CYCLE");
  EXPECT_EQ(code_of([&] { flat_shape_counts(lib, "top"); }), "LAYOUT-CYCLE");
  EXPECT_EQ(code_of([&] { flat_size(lib, "top"); }), "LAYOUT-CYCLE");
  EXPECT_EQ(code_of([&] { deepest_hierarchy(lib); }), "LAYOUT-CYCLE");
  EXPECT_EQ(code_of([&] { extract_heater_nets(lib, "top", soi_params()); }), "LAYOUT-CYCLE");
}

TEST(GdsReliability, MissingReferencedCell) {
  Rec g;
  g.head().cell("top").square(1).sref("nowhere").endcell().endlib();
  const Caught c = caught([&] { read_gds(g.b, "m.gds"); });
  EXPECT_EQ(c.code, "GDS-CORRUPT");
  EXPECT_NE(c.message.find("'nowhere'"), std::string::npos) << c.message;
  Library lib("x");
  lib.add_cell("top").add_ref("nowhere", Trans{});
  EXPECT_EQ(code_of([&] { flatten(lib, "top"); }), "LAYOUT-MISSING-CELL");
  EXPECT_EQ(code_of([&] { flat_size(lib, "top"); }), "LAYOUT-MISSING-CELL");
}

// --- flat size budget ----------------------------------------------------------------------------------------

TEST(GdsReliability, HugeArrayIsRefusedBeforeFlattening) {
  // The 258-byte shape of the campaign's file: one 32767 x 32767 AREF of a cell holding one square.
  Rec g;
  g.head().cell("leaf").square(1).endcell().cell("top").aref("leaf", 32767, 32767, 20, 20).endcell().endlib();
  EXPECT_LT(g.b.size(), 300u);
  const Library lib = read_gds(g.b, "aref.gds");
  const FlatSize s = flat_size(lib, "top");
  EXPECT_EQ(s.polygons, int64_t{32767} * 32767);
  EXPECT_EQ(s.vertices, int64_t{32767} * 32767 * 4);
  const Caught c = caught([&] { flatten(lib, "top"); });
  EXPECT_EQ(c.code, "LAYOUT-TOO-LARGE") << c.message;
  EXPECT_EQ(c.kind, ErrorKind::BadInput);
  EXPECT_NE(c.message.find("1073676289"), std::string::npos) << c.message;
  // The budget is a parameter: a small one refuses a small array, and within it the array flattens.
  Rec small;
  small.head().cell("leaf").square(1).endcell().cell("top").aref("leaf", 3, 2, 20, 20).endcell().endlib();
  const Library sl = read_gds(small.b, "small.gds");
  EXPECT_EQ(code_of([&] { flatten(sl, "top", {}, FlatLimits{5, 1000}); }), "LAYOUT-TOO-LARGE");
  EXPECT_EQ(code_of([&] { flatten(sl, "top", {}, FlatLimits{100, 23}); }), "LAYOUT-TOO-LARGE");  // 24 vertices
  EXPECT_EQ(flatten(sl, "top", {}, FlatLimits{6, 24}).polygon_count(), 6u);  // 6 shapes, 6 placements
}

TEST(GdsReliability, NestedArraysSaturateInsteadOfOverflowing) {
  // Four levels of 32767 x 32767 arrays: 32767^8 ~ 1.3e36 placements, far beyond int64.
  Library lib("x");
  lib.add_cell("l4").add_box({1, 0}, Box{0, 0, 10, 10});
  for (int k = 3; k >= 0; --k)
    lib.add_cell(fmt::format("l{}", k)).add_array(fmt::format("l{}", k + 1), Trans{}, 32767, 32767, {1, 0}, {0, 1});
  const FlatSize s = flat_size(lib, "l0");
  EXPECT_EQ(s.polygons, INT64_MAX);
  EXPECT_EQ(s.vertices, INT64_MAX);
  EXPECT_EQ(s.placements, INT64_MAX);
  EXPECT_EQ(flat_shape_counts(lib, "l0").at({1, 0}), INT64_MAX);
  EXPECT_EQ(placement_counts(lib, "l0").at("l4"), INT64_MAX);
  const Caught c = caught([&] { flatten(lib, "l0"); });
  EXPECT_EQ(c.code, "LAYOUT-TOO-LARGE");
  EXPECT_NE(c.message.find("more than 9.2e18"), std::string::npos) << c.message;
  EXPECT_EQ(code_of([&] { flatten(lib, "l0", {}, FlatLimits::unlimited()); }), "LAYOUT-TOO-LARGE");
}

TEST(GdsReliability, ArraysOfEmptyCellsCostNothing) {
  // Placements of cells with nothing in them are not walked: a billion of them flatten at once to nothing.
  Rec g;
  g.head().cell("empty").endcell().cell("top").square(1).aref("empty", 32767, 32767, 20, 20).endcell().endlib();
  const Library lib = read_gds(g.b, "e.gds");
  EXPECT_EQ(flat_size(lib, "top").placements, 0);
  EXPECT_EQ(flatten(lib, "top").polygon_count(), 1u);
}

TEST(GdsReliability, FlattenedCoordinatesStayInRange) {
  // A 1 mm database unit and references at the largest GDSII coordinate, six levels deep: 6 x 2.1e15 nm, beyond
  // the 2^53 nm (9.0e15) that doubles hold exactly.
  constexpr int32_t kFar = INT32_MAX;
  Rec g;
  g.head(1e-3).cell("l6").square(1).endcell();
  for (int k = 5; k >= 0; --k) g.cell(fmt::format("l{}", k)).sref(fmt::format("l{}", k + 1), kFar, kFar).endcell();
  g.endlib();
  const Library lib = read_gds(g.b, "far.gds");
  EXPECT_GT(flat_size(lib, "l0").extent_nm, kMaxFlatExtentNm);
  EXPECT_EQ(code_of([&] { flatten(lib, "l0", {}, FlatLimits::unlimited()); }), "LAYOUT-RANGE");
  EXPECT_EQ(flatten(lib, "l2", {}, FlatLimits::unlimited()).polygon_count(), 1u);  // four levels: 8.6e15 nm
  // A database unit beyond 1 mm is refused outright.
  Rec u;
  u.head(1e-2).endlib();
  EXPECT_EQ(code_of_read(u), "GDS-UNSUPPORTED");
}

// --- DRC work --------------------------------------------------------------------------------------------------

TEST(GdsReliability, DrcWorkIsBoundedOnPiledAndSelfIntersectingShapes) {
  // 19,600 copies of one square: every edge meets every other one (this ran for minutes before the budget).
  Library pile("x");
  pile.add_cell("b").add_box({1, 0}, Box{0, 0, 1000, 1000});
  pile.add_cell("t").add_array("b", Trans{}, 140, 140, {0, 0}, {0, 0});
  const FlatLayout flat = flatten(pile, "t");
  const Caught c = caught([&] { run_drc(flat, drc_deck(soi())); });
  EXPECT_EQ(c.code, "DRC-TOO-COMPLEX") << c.message;
  EXPECT_EQ(c.kind, ErrorKind::BadInput);
  // A small pile is checked, and its work is what the budget counts: quadratic in the copies.
  Library small("y");
  small.add_cell("b").add_box({1, 0}, Box{0, 0, 1000, 1000});
  small.add_cell("t").add_array("b", Trans{}, 10, 10, {0, 0}, {0, 0});
  DrcOptions none;
  none.max_work_per_vertex = 0;
  const DrcReport r = run_drc(flatten(small, "t"), drc_deck(soi()), none);
  EXPECT_TRUE(r.clean());
  EXPECT_GT(r.work, 100.0 * 400);  // > 100 comparisons per vertex for 100 piled squares
  // A self-intersecting star: all its edges cross near the centre.
  Library star("s");
  Polygon p;
  const int n = 2001;
  for (int i = 0; i < n; ++i) {
    const double a = 2 * std::numbers::pi * i * (n / 2) / n;
    p.push_back(
        {static_cast<Coord>(std::lround(1e6 * std::cos(a))), static_cast<Coord>(std::lround(1e6 * std::sin(a)))});
  }
  star.add_cell("t").polygons[{1, 0}].push_back(p);
  DrcOptions tight;
  tight.min_work = 1e6;
  EXPECT_EQ(code_of([&] { run_drc(flatten(star, "t"), drc_deck(soi()), tight); }), "DRC-TOO-COMPLEX");
}

// --- malformed records ---------------------------------------------------------------------------------------

TEST(GdsReliability, BoundaryNeedsFourPointsClosed) {
  Rec two;  // a 2-point "polygon"
  two.head().cell("c").boundary(1, {{0, 0}, {100, 0}}).endcell().endlib();
  const Caught c = caught([&] { read_gds(two.b, "two.gds"); });
  EXPECT_EQ(c.code, "GDS-CORRUPT");
  EXPECT_NE(c.message.find("2 point(s)"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("structure 'c'"), std::string::npos) << c.message;
  Rec open;  // four corners, not closed
  open.head().cell("c").boundary(1, {{0, 0}, {10, 0}, {10, 10}, {0, 10}}).endcell().endlib();
  EXPECT_EQ(code_of_read(open), "GDS-CORRUPT");
  Rec flat;  // closed, but all on a line: no area
  flat.head().cell("c").boundary(1, {{0, 0}, {10, 0}, {20, 0}, {0, 0}}).endcell().endlib();
  EXPECT_EQ(code_of_read(flat), "LAYOUT-POLYGON");
  Rec tri;  // the smallest valid one: a closed triangle
  tri.head().cell("c").boundary(1, {{0, 0}, {10, 0}, {0, 10}, {0, 0}}).endcell().endlib();
  EXPECT_EQ(read_gds(tri.b, "t").cell("c").polygons.at({1, 0})[0].size(), 3u);
}

TEST(GdsReliability, ElementsNeedTheirRecords) {
  Rec noxy;  // BOUNDARY without XY
  noxy.head().cell("c").r(0x0800).r(0x0D02, Rec::i16(1)).r(0x0E02, Rec::i16(0)).r(0x1100).endcell().endlib();
  const Caught c = caught([&] { read_gds(noxy.b, "noxy.gds"); });
  EXPECT_EQ(c.code, "GDS-CORRUPT");
  EXPECT_NE(c.message.find("no XY"), std::string::npos) << c.message;
  Rec nolayer;
  nolayer.head().cell("c").r(0x0800).r(0x1003, Rec::xy({{0, 0}, {1, 0}, {1, 1}, {0, 0}})).r(0x1100);
  nolayer.endcell().endlib();
  EXPECT_EQ(code_of_read(nolayer), "GDS-CORRUPT");
  Rec path1;  // PATH with one point
  path1.head().cell("c").r(0x0900).r(0x0D02, Rec::i16(1)).r(0x0E02, Rec::i16(0)).r(0x0F03, Rec::i32(10));
  path1.r(0x1003, Rec::xy({{0, 0}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(path1), "GDS-CORRUPT");
  Rec pathtype;  // pathtype 3 does not exist
  pathtype.head().cell("c").r(0x0900).r(0x0D02, Rec::i16(1)).r(0x0E02, Rec::i16(0)).r(0x2102, Rec::i16(3));
  pathtype.r(0x0F03, Rec::i32(10)).r(0x1003, Rec::xy({{0, 0}, {10, 0}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(pathtype), "GDS-CORRUPT");
  // AREF: COLROW required, exactly 3 points, at least one column and row.
  Rec leaf;
  leaf.head().cell("a").square(1).endcell().cell("top");
  Rec nocolrow = leaf;
  nocolrow.r(0x0B00).r(0x1206, "a").r(0x1003, Rec::xy({{0, 0}, {20, 0}, {0, 20}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(nocolrow), "GDS-CORRUPT");
  Rec twopts = leaf;
  twopts.r(0x0B00).r(0x1206, "a").r(0x1302, Rec::i16(2) + Rec::i16(2)).r(0x1003, Rec::xy({{0, 0}, {20, 0}}));
  twopts.r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(twopts), "GDS-CORRUPT");
  Rec zero = leaf;
  zero.r(0x0B00).r(0x1206, "a").r(0x1302, Rec::i16(0) + Rec::i16(2));
  zero.r(0x1003, Rec::xy({{0, 0}, {0, 0}, {0, 20}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(zero), "GDS-CORRUPT");
  Rec negative = leaf;
  negative.r(0x0B00).r(0x1206, "a").r(0x1302, Rec::i16(-2) + Rec::i16(2));
  negative.r(0x1003, Rec::xy({{0, 0}, {20, 0}, {0, 20}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(negative), "GDS-CORRUPT");
  Rec sref2 = leaf;  // SREF with two points
  sref2.r(0x0A00).r(0x1206, "a").r(0x1003, Rec::xy({{0, 0}, {1, 1}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(sref2), "GDS-CORRUPT");
  Rec text;  // TEXT without STRING
  text.head().cell("c").r(0x0C00).r(0x0D02, Rec::i16(1)).r(0x1602, Rec::i16(0)).r(0x1003, Rec::xy({{0, 0}}));
  text.r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(text), "GDS-CORRUPT");
}

TEST(GdsReliability, UnknownAndReservedRecordsNameTypeAndOffset) {
  Rec g;
  g.head().cell("c");
  const size_t at = g.b.size();
  g.r(0x6003, Rec::i32(7)).endcell().endlib();
  const Caught c = caught([&] { read_gds(g.b, "u.gds"); });
  EXPECT_EQ(c.code, "GDS-CORRUPT");
  EXPECT_NE(c.message.find("0x60"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("byte offset " + std::to_string(at)), std::string::npos) << c.message;
  Rec textnode;  // defined by the manual, never released
  textnode.head().cell("c").r(0x1400).endcell().endlib();
  const Caught t = caught([&] { read_gds(textnode.b, "tn.gds"); });
  EXPECT_EQ(t.code, "GDS-UNSUPPORTED");
  EXPECT_NE(t.message.find("TEXTNODE"), std::string::npos) << t.message;
}

TEST(GdsReliability, RecordsOutOfOrderOrMisshapen) {
  Rec swapped;  // DATATYPE before LAYER
  swapped.head().cell("c").r(0x0800).r(0x0E02, Rec::i16(0)).r(0x0D02, Rec::i16(1));
  swapped.r(0x1003, Rec::xy({{0, 0}, {1, 0}, {1, 1}, {0, 0}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(swapped), "GDS-CORRUPT");
  Rec twice;  // two XY records
  twice.head().cell("c").r(0x0800).r(0x0D02, Rec::i16(1)).r(0x0E02, Rec::i16(0));
  twice.r(0x1003, Rec::xy({{0, 0}, {1, 0}, {1, 1}, {0, 0}})).r(0x1003, Rec::xy({{0, 0}, {1, 0}, {1, 1}, {0, 0}}));
  twice.r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(twice), "GDS-CORRUPT");
  Rec outside;  // an element outside a structure
  outside.head().square(1).endlib();
  EXPECT_EQ(code_of_read(outside), "GDS-CORRUPT");
  Rec nounits;  // a structure before UNITS
  nounits.r(0x0002, Rec::i16(600)).r(0x0102, std::string(24, '\0')).r(0x0206, "LB").cell("c").endcell().endlib();
  EXPECT_EQ(code_of_read(nounits), "GDS-CORRUPT");
  Rec noheader;
  noheader.r(0x0102, std::string(24, '\0')).r(0x0206, "LB").endlib();
  EXPECT_EQ(code_of_read(noheader), "GDS-CORRUPT");
  Rec nostrname;
  nostrname.head().r(0x0502, std::string(24, '\0')).square(1).endcell().endlib();
  EXPECT_EQ(code_of_read(nostrname), "GDS-CORRUPT");
  Rec after;  // a record after ENDLIB (zero padding is fine)
  after.head().cell("c").square(1).endcell().endlib();
  Rec padded = after;
  padded.b += std::string(2048 - padded.b.size() % 2048, '\0');
  EXPECT_EQ(read_gds(padded.b, "p").size(), 1u);
  after.cell("d").endcell();
  EXPECT_EQ(code_of_read(after), "GDS-CORRUPT");
  Rec dup;  // one structure name twice
  dup.head().cell("c").square(1).endcell().cell("c").endcell().endlib();
  EXPECT_EQ(code_of_read(dup), "GDS-CORRUPT");
  Rec dtype;  // XY declared as int16
  dtype.head().cell("c").r(0x0800).r(0x0D02, Rec::i16(1)).r(0x0E02, Rec::i16(0));
  dtype.r(0x1002, Rec::xy({{0, 0}, {1, 0}, {1, 1}, {0, 0}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(dtype), "GDS-CORRUPT");
  Rec size;  // a 4-byte LAYER
  size.head().cell("c").r(0x0800).r(0x0D02, Rec::i32(1)).r(0x0E02, Rec::i16(0));
  size.r(0x1003, Rec::xy({{0, 0}, {1, 0}, {1, 1}, {0, 0}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(size), "GDS-CORRUPT");
  Rec odd = after;  // an odd record length
  odd.b = std::string("\x00\x05\x00\x02\x02", 5);
  EXPECT_EQ(code_of_read(odd), "GDS-CORRUPT");
  Rec nostrans;  // MAG without STRANS
  nostrans.head().cell("a").square(1).endcell().cell("top").r(0x0A00).r(0x1206, "a").r(0x1B05, Rec::real(1.0));
  nostrans.r(0x1003, Rec::xy({{0, 0}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(nostrans), "GDS-CORRUPT");
  Rec dangling_prop;  // PROPATTR without PROPVALUE
  dangling_prop.head().cell("c").r(0x0800).r(0x0D02, Rec::i16(1)).r(0x0E02, Rec::i16(0));
  dangling_prop.r(0x1003, Rec::xy({{0, 0}, {1, 0}, {1, 1}, {0, 0}})).r(0x2B02, Rec::i16(1)).r(0x1100);
  dangling_prop.endcell().endlib();
  EXPECT_EQ(code_of_read(dangling_prop), "GDS-CORRUPT");
}

TEST(GdsReliability, AbsoluteTransformationsAreRefused) {
  Rec g;
  g.head().cell("a").square(1).endcell().cell("top").r(0x0A00).r(0x1206, "a").r(0x1A01, Rec::i16(0x0002));
  g.r(0x1C05, Rec::real(90.0)).r(0x1003, Rec::xy({{0, 0}})).r(0x1100).endcell().endlib();
  EXPECT_EQ(code_of_read(g), "GDS-UNSUPPORTED");
}

TEST(GdsReliability, OptionalRecordsAreSkippedOnPurpose) {
  // Records the manual allows that carry nothing holo uses: library-header extras, STRCLASS, ELFLAGS, PLEX,
  // properties, PRESENTATION and text transformations, NODE elements. The geometry is read as without them.
  Rec g;
  g.r(0x0002, Rec::i16(600)).r(0x0102, std::string(24, '\0'));
  g.r(0x3902, Rec::i16(10)).r(0x3A06, "srf").r(0x0206, "LB").r(0x1F06, std::string(44, '\0'));
  g.r(0x2006, std::string(176, '\0')).r(0x2306, "attr").r(0x2202, Rec::i16(3));
  g.r(0x3602, Rec::i16(1)).r(0x3706, "1 2").r(0x3800).r(0x0305, Rec::real(1e-3) + Rec::real(1e-9));
  g.cell("a").r(0x3401, Rec::i16(0));
  g.r(0x0800).r(0x2601, Rec::i16(0)).r(0x2F03, Rec::i32(0)).r(0x0D02, Rec::i16(1)).r(0x0E02, Rec::i16(0));
  g.r(0x1003, Rec::xy({{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}));
  g.r(0x2B02, Rec::i16(5)).r(0x2C06, "note").r(0x1100);
  g.r(0x1500).r(0x0D02, Rec::i16(1)).r(0x2A02, Rec::i16(0)).r(0x1003, Rec::xy({{0, 0}, {5, 5}})).r(0x1100);
  g.r(0x0C00).r(0x0D02, Rec::i16(66)).r(0x1602, Rec::i16(0)).r(0x1701, Rec::i16(5)).r(0x1A01, Rec::i16(0));
  g.r(0x1B05, Rec::real(2.0)).r(0x1C05, Rec::real(33.0)).r(0x1003, Rec::xy({{3, 4}})).r(0x1906, "hi").r(0x1100);
  g.endcell().cell("top");
  g.r(0x0A00).r(0x1206, "a").r(0x1A01, Rec::i16(int16_t(0x8000))).r(0x1C05, Rec::real(450.0));
  g.r(0x1003, Rec::xy({{100, 0}})).r(0x2B02, Rec::i16(1)).r(0x2C06, "inst").r(0x1100).endcell().endlib();
  const Library lib = read_gds(g.b, "opt.gds");
  EXPECT_EQ(lib.cell("a").polygons.at({1, 0}).size(), 1u);
  ASSERT_EQ(lib.cell("a").texts.size(), 1u);
  EXPECT_EQ(lib.cell("a").texts[0].text, "hi");
  const Ref& r = lib.cell("top").refs.at(0);
  EXPECT_EQ(r.name, "inst");
  EXPECT_EQ(r.trans.rot, 1);  // 450 degrees = 90
  EXPECT_TRUE(r.trans.mirror);
}

// --- fuzz regressions ----------------------------------------------------------------------------------------

// What tests/fuzz/fuzz_gds.cpp runs on each input, with the same budgets.
void drc_pipeline(const std::string& bytes, const std::string& what) {
  GdsReadOptions o;
  o.port_layer = LayerSpec{1, 10};
  const Library lib = read_gds(bytes, what, o);
  try {
    (void)gds_bytes(lib);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.code() << ": " << e.what();
  }
  const std::string top = lib.top_cell();
  const FlatLayout flat = flatten(lib, top, {}, FlatLimits{20000, 200000});
  DrcOptions dopt;
  dopt.max_work_per_vertex = 200;
  dopt.min_work = 1e7;
  (void)run_drc(flat, drc_deck(soi()), dopt);
}

TEST(GdsReliability, FuzzRegressionsEndInBadInputOrACleanRun) {
  // tests/fuzz/regressions/gds/: inputs that once crashed, hung or ran out of memory under the fuzzer. Each must
  // now be read and checked, or refused with a coded error for bad input. What bounds their time is the flatten
  // size limits and the DRC work budget of drc_pipeline (DRC-TOO-COMPLEX), counted in operations, not seconds:
  // no wall-clock bound here (it failed under ASan on a loaded machine).
  std::vector<std::string> files;
  const std::filesystem::path dir = test::source_path("tests/fuzz/regressions/gds");
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  EXPECT_FALSE(files.empty());
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    try {
      drc_pipeline(read_file(f), f);
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.code() << ": " << e.what();
    }
  }
}

}  // namespace
}  // namespace holo::layout
