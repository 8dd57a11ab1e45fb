// Chip furniture, electrically: the bare MZI's four heater contacts each reach their own bond pad on M2, with
// no two contacts shorted and no pad left without a contact (connectivity of the flattened M2 shapes; the
// geometric checks of the same block are in test_structures.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <set>

#include "holo/layout/cells.h"
#include "holo/layout/test_structures.h"
#include "holo/pdk/pdk.h"
#include "layout_test_util.h"
#include "test_support.h"

namespace holo::layout {
namespace {

struct Nets {
  std::vector<Box> boxes;
  std::vector<size_t> parent;
  size_t find(size_t i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
};

TEST(FurnitureWiring, EachBareMziHeaterContactReachesItsOwnPad) {
  const LayoutParams p = layout_params(soi());
  Library lib("furniture");
  Cell& top = lib.add_cell("top");
  const Coord width = furniture_min_width(p);
  FurnitureFigures fig;
  place_chip_furniture(lib, top, p, Box{0, -300000, width, 0}, fig);

  // The bare MZI's heater contacts in the top cell's coordinates.
  const auto ref = std::find_if(top.refs.begin(), top.refs.end(), [](const Ref& r) { return r.name == "test_mzi"; });
  ASSERT_NE(ref, top.refs.end()) << "no instance named test_mzi";
  std::vector<Port> contacts;
  for (const Port& pt : lib.cell(ref->cell).ports)
    if (pt.kind == PortKind::Electrical) contacts.push_back(pt.transformed(ref->trans));
  ASSERT_EQ(contacts.size(), 4u);  // phi_e1, phi_e2, theta_e1, theta_e2

  // M2 nets: rectangles that overlap or touch (closed boxes sharing a point) are connected. Every M2 shape of
  // the furniture is a rectangle; anything else would need real polygon connectivity.
  FlatLayout flat = flatten(lib, "top");
  Nets nets;
  for (const Polygon& poly : flat.polygons[p.metals.contact().layer]) {
    Polygon q = poly;
    compress(q);
    ASSERT_EQ(q.size(), 4u) << "an M2 shape that is not a rectangle";
    const Box b = bbox(q);
    ASSERT_EQ(signed_area2(q), 2 * b.width() * b.height()) << "an M2 shape that is not a rectangle";
    nets.boxes.push_back(b);
  }
  nets.parent.resize(nets.boxes.size());
  std::iota(nets.parent.begin(), nets.parent.end(), size_t{0});
  for (size_t i = 0; i < nets.boxes.size(); ++i)
    for (size_t j = i + 1; j < nets.boxes.size(); ++j)
      if (nets.boxes[i].overlaps(nets.boxes[j])) nets.parent[nets.find(i)] = nets.find(j);

  // The net of each contact (the M2 square holding its port), and the pad openings each net reaches.
  auto net_at = [&](Point at) {
    for (size_t i = 0; i < nets.boxes.size(); ++i) {
      const Box& b = nets.boxes[i];
      if (b.x0 <= at.x && at.x <= b.x1 && b.y0 <= at.y && at.y <= b.y1) return nets.find(i);
    }
    ADD_FAILURE() << "no M2 at " << at.x << "," << at.y;
    return nets.boxes.size();
  };
  auto pads_of = [&](size_t net) {
    int n = 0;
    for (const Polygon& opening : flat.polygons[p.layers.pad]) {
      const Box o = bbox(opening);
      bool covered = false;
      for (size_t i = 0; i < nets.boxes.size() && !covered; ++i) {
        const Box& b = nets.boxes[i];
        covered = nets.find(i) == net && b.x0 <= o.x0 && o.x1 <= b.x1 && b.y0 <= o.y0 && o.y1 <= b.y1;
      }
      n += covered ? 1 : 0;
    }
    return n;
  };
  std::set<size_t> contact_nets;
  for (const Port& c : contacts) {
    const size_t net = net_at(c.position);
    contact_nets.insert(net);
    EXPECT_EQ(pads_of(net), 1) << c.name << " reaches " << pads_of(net) << " pads";
  }
  EXPECT_EQ(contact_nets.size(), 4u) << "two heater contacts are shorted on M2";
  // Every pad opening of the furniture belongs to one of those nets (no dangling pad).
  int reached = 0;
  for (size_t net : contact_nets) reached += pads_of(net);
  EXPECT_EQ(reached, static_cast<int>(flat.polygons[p.layers.pad].size()));
  EXPECT_EQ(reached, fig.bond_pads);
}

}  // namespace
}  // namespace holo::layout
