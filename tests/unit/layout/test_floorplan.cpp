// The chip floorplan (floorplan.h): N tiles stacked in one column inside the die, blocks apart, the die growing
// with N in height only; the I/O couplers at the die's west and east columns.
#include <gtest/gtest.h>

#include "chip_test_util.h"
#include "holo/layout/chip.h"
#include "holo/layout/floorplan.h"
#include "layout_test_util.h"

namespace holo::layout {
namespace {

struct Placed {
  Box die;
  std::vector<Box> tiles;  // each tile's bounding box (with its pad fields), top to bottom
  std::vector<Coord> coupler_x;
};

Placed placed(const ChipLayout& chip) {
  Placed out;
  const Cell& top = chip.lib.cell(chip.top);
  const auto& fp = top.polygons.at(soi_params().layers.floorplan);
  EXPECT_EQ(fp.size(), 1u);
  out.die = bbox(fp[0]);
  for (const Ref& r : top.refs) {
    if (r.cell.size() > 5 && r.cell.substr(r.cell.size() - 5) == "_tile")
      out.tiles.push_back(transformed(chip.lib.bbox(r.cell), r.trans));
    if (r.cell == "grating_coupler") out.coupler_x.push_back(r.trans.disp.x);
  }
  return out;
}

TEST(Floorplan, StacksNTilesInsideTheDie) {
  Coord last_height = 0, width = 0;
  for (int n = 1; n <= 3; ++n) {
    const ChipLayout chip = layout_chip(make_netlist(std::vector<std::pair<int, int>>(n, {4, 4})), soi_params());
    const Placed p = placed(chip);
    ASSERT_EQ(p.tiles.size(), static_cast<size_t>(n));
    EXPECT_EQ(chip.figures.tiles, n);
    // Die figures as drawn, the die's top edge at y = 0.
    EXPECT_EQ(p.die.y1, 0);
    EXPECT_DOUBLE_EQ(chip.figures.die_width_um, static_cast<double>(p.die.width()) / 1000.0);
    EXPECT_DOUBLE_EQ(chip.figures.die_height_um, static_cast<double>(p.die.height()) / 1000.0);
    // Everything inside the die; tiles top to bottom, apart, in one column at one x.
    const Box all = chip.lib.bbox(chip.top);
    EXPECT_EQ(all, p.die);
    for (int k = 0; k < n; ++k) {
      EXPECT_TRUE(p.die.x0 <= p.tiles[k].x0 && p.tiles[k].x1 <= p.die.x1 && p.die.y0 <= p.tiles[k].y0 &&
                  p.tiles[k].y1 <= p.die.y1);
      if (k > 0) {
        EXPECT_LT(p.tiles[k].y1, p.tiles[k - 1].y0) << "tile " << k << " overlaps the one above";
        EXPECT_EQ(p.tiles[k].x0, p.tiles[0].x0);
      }
    }
    // Input couplers west of every tile, output couplers east of it, two columns.
    for (Coord x : p.coupler_x) EXPECT_TRUE(x < p.tiles[0].x0 || x > p.tiles[0].x1);
    std::set<Coord> columns(p.coupler_x.begin(), p.coupler_x.end());
    EXPECT_EQ(columns.size(), 2u);
    EXPECT_EQ(static_cast<int64_t>(p.coupler_x.size()), 8 * n);
    // A tile more: the same width, a taller die.
    if (n > 1) {
      EXPECT_EQ(p.die.width(), width);
      EXPECT_GT(p.die.height(), last_height);
    }
    width = p.die.width();
    last_height = p.die.height();
  }
}

TEST(Floorplan, FiguresSumTheTiles) {
  const ChipLayout one = layout_chip(make_netlist({{4, 4}}), soi_params());
  const ChipLayout two = layout_chip(make_netlist({{4, 4}, {4, 4}}), soi_params());
  // Heaters, MZIs and wired pads add up per tile; the furniture (the test MZI's four pads) is there once.
  EXPECT_EQ(two.figures.heaters, 2 * one.figures.heaters);
  EXPECT_EQ(two.figures.mzi_instances, 2 * one.figures.mzi_instances);
  EXPECT_EQ(two.figures.bond_pads - 4, 2 * (one.figures.bond_pads - 4));
  EXPECT_EQ(two.figures.io_couplers, 2 * one.figures.io_couplers);
  EXPECT_EQ(two.figures.alignment_marks, one.figures.alignment_marks);
}

}  // namespace
}  // namespace holo::layout
