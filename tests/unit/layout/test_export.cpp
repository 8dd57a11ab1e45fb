// Layer map, .lyp and SVG preview writers.
#include <gtest/gtest.h>

#include "holo/layout/cells.h"
#include "holo/layout/export.h"
#include "layout_test_util.h"
#include "test_support.h"

namespace holo::layout {
namespace {

size_t count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t k = s.find(what); k != std::string::npos; k = s.find(what, k + 1)) ++n;
  return n;
}

TEST(Export, LayerMapHasOneLinePerLayer) {
  std::string m = layer_map_text(soi());
  EXPECT_NE(m.find("1/0 : WG (1/0)\n"), std::string::npos);
  EXPECT_NE(m.find("47/0 : HEATER (47/0)\n"), std::string::npos);
  size_t lines = 0;
  for (size_t k = 0; k < m.size(); k = m.find('\n', k) + 1)
    if (m[k] != '#') ++lines;
  EXPECT_EQ(lines, soi().layers.size());
}

TEST(Export, LypNamesEveryLayer) {
  std::string l = lyp_text(soi());
  EXPECT_EQ(count(l, "<properties>"), soi().layers.size());
  EXPECT_NE(l.find("<source>1/0@1</source>"), std::string::npos);
  EXPECT_NE(l.find("<name>WG 1/0</name>"), std::string::npos);
  EXPECT_EQ(l.rfind("</layer-properties>\n"), l.size() - 20);
}

TEST(Export, SvgDrawsEveryPolygon) {
  Library lib("t");
  CellFactory f(lib, layout_params(soi()));
  std::string m = f.mzi();
  FlatLayout flat = flatten(lib, m);
  std::string svg = svg_preview(flat, soi());
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_EQ(count(svg, "<path "), flat.polygon_count());
  EXPECT_NE(svg.find("id=\"WG\""), std::string::npos);
  EXPECT_NE(svg.find("id=\"HEATER\""), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
  SvgOptions few;
  few.max_polygons = 3;
  std::string cut = svg_preview(flat, soi(), few);
  EXPECT_EQ(count(cut, "<path "), 3u);
  EXPECT_NE(cut.find("were left out"), std::string::npos);
}

}  // namespace
}  // namespace holo::layout
