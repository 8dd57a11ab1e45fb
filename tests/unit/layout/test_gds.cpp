// GDSII writer and reader: record encoding, round trips, determinism, malformed input.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <numbers>

#include "gds_records.h"
#include "holo/layout/demo.h"
#include "holo/layout/gds.h"
#include "holo/layout/params.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "test_support.h"

namespace holo::layout {
namespace {

std::string hex(const std::array<uint8_t, 8>& b) {
  std::string s;
  for (uint8_t c : b) s += fmt::format("{:02X}", c);
  return s;
}

TEST(Real8, CheckedValues) {
  // Values checked against gdspy's output (docs/layout.md#gdsii).
  EXPECT_EQ(hex(encode_real8(1e-3)), "3E4189374BC6A7F0");
  EXPECT_EQ(hex(encode_real8(1e-9)), "3944B82FA09B5A54");
  EXPECT_EQ(hex(encode_real8(90.0)), "425A000000000000");
  EXPECT_EQ(hex(encode_real8(0.0)), "0000000000000000");
  EXPECT_EQ(hex(encode_real8(-1.0)), "C110000000000000");
  EXPECT_EQ(hex(encode_real8(1.0)), "4110000000000000");
}

TEST(Real8, RoundTrip) {
  for (double v : {1e-3, 1e-9, 90.0, 180.0, 270.0, -0.5, 1.0 / 3.0, 12345.678, 1e-30, 1e30}) {
    auto b = encode_real8(v);
    // 56-bit mantissa vs double's 53: decoding gives v back to within one double ulp.
    EXPECT_NEAR(decode_real8(b.data()), v, std::fabs(v) * 2.3e-16) << v;
  }
  EXPECT_EQ(decode_real8(encode_real8(90.0).data()), 90.0);
}

Library sample_library() {
  Library lib("sample");
  Cell& leaf = lib.add_cell("leaf");
  leaf.add_box({1, 0}, Box{0, -250, 1000, 250});
  leaf.add_polygon({47, 0}, {{0, 0}, {300, 0}, {150, 400}});
  leaf.add_text({66, 0}, "hello", {5, 7});
  leaf.add_port({"o1", {0, 0}, 180, 500, {1, 0}, PortKind::Optical});
  leaf.add_port({"e1", {150, 400}, 90, 300, {45, 0}, PortKind::Electrical});
  Cell& mid = lib.add_cell("mid");
  int k = 0;
  for (int r = 0; r < 4; ++r)
    for (bool m : {false, true}) mid.add_ref("leaf", Trans{r, m, {k * 5000, -k * 7}}, fmt::format("i{}", k++));
  Cell& top = lib.add_cell("top");
  top.add_array("mid", Trans{1, false, {-100, 200}}, 3, 2, {0, 60000}, {-9000, 0}, "grid");
  top.add_ref("leaf", Trans{2, true, {1, 2}});
  top.add_box({99, 0}, Box{-500000, -500000, 500000, 500000});
  return lib;
}

void expect_same(const Library& a, const Library& b) {
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a.name(), b.name());
  for (size_t i = 0; i < a.size(); ++i) {
    const Cell& x = a.cells()[i];
    const Cell& y = b.cells()[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.polygons, y.polygons) << x.name;
    EXPECT_EQ(x.texts, y.texts) << x.name;
    EXPECT_EQ(x.refs, y.refs) << x.name;
    EXPECT_EQ(x.ports, y.ports) << x.name;
  }
}

TEST(Gds, RoundTripKeepsCellsPolygonsRefsAndPorts) {
  Library lib = sample_library();
  GdsWriteOptions w;
  w.port_layer = LayerSpec{1, 10};
  std::string bytes = gds_bytes(lib, w);
  Library back = read_gds(bytes, "memory", {w.port_layer});
  expect_same(lib, back);
  // Without the port layer option, port labels stay texts.
  Library plain = read_gds(bytes, "memory");
  EXPECT_TRUE(plain.cell("leaf").ports.empty());
  EXPECT_EQ(plain.cell("leaf").texts.size(), 3u);
}

TEST(Gds, FileStartsWithHeaderAndUnits) {
  std::string b = gds_bytes(sample_library());
  ASSERT_GE(b.size(), 6u);
  EXPECT_EQ(static_cast<uint8_t>(b[0]), 0x00);
  EXPECT_EQ(static_cast<uint8_t>(b[1]), 0x06);
  EXPECT_EQ(static_cast<uint8_t>(b[2]), 0x00);
  EXPECT_EQ(static_cast<uint8_t>(b[3]), 0x02);
  EXPECT_EQ((static_cast<uint8_t>(b[4]) << 8) | static_cast<uint8_t>(b[5]), 600);
  // The last record is ENDLIB.
  EXPECT_EQ(b.substr(b.size() - 4), std::string("\x00\x04\x04\x00", 4));
}

TEST(Gds, SameLibrarySameBytes) {
  std::string a = gds_bytes(sample_library());
  std::string b = gds_bytes(sample_library());
  EXPECT_EQ(a, b);
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / fmt::format("holo_gds_{}", ::getpid());
  fs::create_directories(dir);
  write_gds_file(sample_library(), (dir / "a.gds").string());
  write_gds_file(sample_library(), (dir / "b.gds").string());
  EXPECT_EQ(read_file((dir / "a.gds").string()), read_file((dir / "b.gds").string()));
  EXPECT_EQ(read_file((dir / "a.gds").string()), a);
  fs::remove_all(dir);
}

TEST(Gds, TopCellsAndFlatCounts) {
  Library lib = sample_library();
  EXPECT_EQ(lib.top_cell(), "top");
  auto counts = flat_shape_counts(lib, "top");
  // top: 6 mids x 8 leaves + 1 leaf = 49 leaves, each 1 WG box, 1 heater triangle, 1 text; plus the outline.
  EXPECT_EQ(counts[(LayerSpec{1, 0})], 49);
  EXPECT_EQ(counts[(LayerSpec{47, 0})], 49);
  EXPECT_EQ(counts[(LayerSpec{66, 0})], 49);
  EXPECT_EQ(counts[(LayerSpec{99, 0})], 1);
  FlatLayout flat = flatten(lib, "top");
  EXPECT_EQ(flat.polygon_count(), 49u * 2 + 1);
}

TEST(Gds, FlattenAppliesArrayAndOrientation) {
  Library lib("t");
  lib.add_cell("a").add_box({1, 0}, Box{0, 0, 10, 20});
  lib.add_cell("top").add_array("a", Trans{1, true, {100, 0}}, 2, 1, {0, 1000}, {0, 0});
  FlatLayout flat = flatten(lib, "top");
  auto& ps = flat.polygons[(LayerSpec{1, 0})];
  ASSERT_EQ(ps.size(), 2u);
  // mirror (y -> -y) then rotate 90: (x, y) -> (y, x); box [0,10]x[0,20] -> [0,20]x[0,10], shifted.
  EXPECT_EQ(bbox(ps[0]), (Box{100, 0, 120, 10}));
  EXPECT_EQ(bbox(ps[1]), (Box{100, 1000, 120, 1010}));
}

TEST(Gds, ReadsPathsBoxesAndScalesTheDatabaseUnit) {
  Rec g;
  g.head(5e-9).cell("C");
  // PATH, pathtype 2 (extended by half the width), width 4 units = 20 nm, from (0,0) to (10,0) units.
  g.r(0x0900).r(0x0D02, Rec::i16(1)).r(0x0E02, Rec::i16(0)).r(0x2102, Rec::i16(2)).r(0x0F03, Rec::i32(4));
  g.r(0x1003, Rec::i32(0) + Rec::i32(0) + Rec::i32(10) + Rec::i32(0)).r(0x1100);
  // BOX as five points.
  g.r(0x2D00).r(0x0D02, Rec::i16(2)).r(0x2E02, Rec::i16(0));
  g.r(0x1003, Rec::i32(0) + Rec::i32(0) + Rec::i32(2) + Rec::i32(0) + Rec::i32(2) + Rec::i32(2) + Rec::i32(0) +
                  Rec::i32(2) + Rec::i32(0) + Rec::i32(0))
      .r(0x1100);
  g.r(0x0700).r(0x0400);
  Library lib = read_gds(g.b, "hand");
  const Cell& c = lib.cell("C");
  EXPECT_EQ(bbox(c.polygons.at({1, 0})[0]), (Box{-10, -10, 60, 10}));  // scaled by 5 nm per unit
  EXPECT_EQ(bbox(c.polygons.at({2, 0})[0]), (Box{0, 0, 10, 10}));
}

std::string code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "";
}

TEST(Gds, MalformedStreamsAreRejectedWithCodes) {
  std::string good = gds_bytes(sample_library());
  EXPECT_EQ(code_of([&] { read_gds(good.substr(0, good.size() - 4), "t"); }), "GDS-CORRUPT");  // no ENDLIB
  EXPECT_EQ(code_of([&] { read_gds(good.substr(0, 37), "t"); }), "GDS-CORRUPT");               // cut mid-record
  EXPECT_EQ(code_of([&] { read_gds(std::string("\x00\x02\x00\x02", 4), "t"); }), "GDS-CORRUPT");
  // A 45-degree reference.
  Rec g;
  g.head().cell("A").r(0x0700).cell("B");
  g.r(0x0A00).r(0x1206, "A").r(0x1A01, Rec::i16(0)).r(0x1C05, Rec::real(45.0)).r(0x1003, Rec::i32(0) + Rec::i32(0));
  g.r(0x1100).r(0x0700).r(0x0400);
  EXPECT_EQ(code_of([&] { read_gds(g.b, "t"); }), "GDS-UNSUPPORTED");
  // A reference to a structure that does not exist.
  Rec m;
  m.head().cell("B").r(0x0A00).r(0x1206, "nowhere").r(0x1003, Rec::i32(0) + Rec::i32(0)).r(0x1100).r(0x0700).r(0x0400);
  EXPECT_EQ(code_of([&] { read_gds(m.b, "t"); }), "GDS-CORRUPT");
  // A database unit that is not a whole number of nm.
  Rec u;
  u.head(2.5e-10).r(0x0400);
  EXPECT_EQ(code_of([&] { read_gds(u.b, "t"); }), "GDS-UNSUPPORTED");
}

TEST(Gds, WriterRejectsWhatGdsCannotHold) {
  Library big("big");
  big.add_cell("c").add_box({1, 0}, Box{0, 0, int64_t{3} << 31, 10});
  EXPECT_EQ(code_of([&] { gds_bytes(big); }), "GDS-WRITE");
  Library many("many");
  Polygon p;
  for (int i = 0; i < 9000; ++i)
    p.push_back({static_cast<Coord>(std::lround(1e6 * std::cos(i * 2 * std::numbers::pi / 9000))),
                 static_cast<Coord>(std::lround(1e6 * std::sin(i * 2 * std::numbers::pi / 9000)))});
  many.add_cell("c").polygons[{1, 0}].push_back(p);
  EXPECT_EQ(code_of([&] { gds_bytes(many); }), "GDS-WRITE");
  Library dangling("d");
  dangling.add_cell("c").add_ref("missing", Trans{});
  EXPECT_EQ(code_of([&] { gds_bytes(dangling); }), "LAYOUT-MISSING-CELL");
}

TEST(Gds, PortLabelFormat) {
  Port p{"o3", {7, 8}, 270, 500, {1, 0}, PortKind::Optical};
  EXPECT_EQ(port_label(p), "o3:optical:270:500:1/0");
  auto back = parse_port_label(port_label(p), {7, 8});
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, p);
  EXPECT_FALSE(parse_port_label("just a label", {0, 0}));
  EXPECT_FALSE(parse_port_label("o1:optical:45:500:1/0", {0, 0}));
}

TEST(Library, NamesAndCycles) {
  Library lib("x");
  lib.add_cell("a");
  EXPECT_EQ(code_of([&] { lib.add_cell("a"); }), "LAYOUT-DUPLICATE-CELL");
  EXPECT_EQ(code_of([&] { lib.add_cell("bad name"); }), "LAYOUT-CELL-NAME");
  lib.add_cell("b").add_ref("a", Trans{});
  lib.cell("a").add_ref("b", Trans{});
  EXPECT_EQ(code_of([&] { flatten(lib, "a"); }), "LAYOUT-CYCLE");
  EXPECT_EQ(code_of([&] { lib.top_cell(); }), "LAYOUT-TOP");  // no top cell at all
}

}  // namespace
}  // namespace holo::layout

namespace holo::layout {
namespace {

TEST(Gds, DemoChipRoundTripsAndIsDeterministic) {
  const pdk::Pdk p = pdk::load_pdk(test::source_path("pdk/generic_soi220.json"));
  LayoutParams lp = layout_params(p);
  GdsWriteOptions w;
  w.port_layer = lp.layers.port;
  std::string a = gds_bytes(demo_chip(p), w);
  EXPECT_EQ(a, gds_bytes(demo_chip(p), w));  // built twice from scratch: same bytes
  Library back = read_gds(a, "demo", {lp.layers.port});
  expect_same(demo_chip(p), back);
  EXPECT_EQ(back.top_cell(), "holo_demo");
}

}  // namespace
}  // namespace holo::layout
