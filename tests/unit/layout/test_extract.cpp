// Port-meeting extraction: links, exposed ports, and what a broken or swapped connection looks like.
#include <gtest/gtest.h>

#include "holo/layout/cells.h"
#include "holo/layout/demo.h"
#include "holo/layout/extract.h"
#include "layout_test_util.h"
#include "test_support.h"

namespace holo::layout {
namespace {

std::vector<std::string> link_names(const Connectivity& c) {
  std::vector<std::string> v;
  for (const PortLink& l : c.links)
    v.push_back(l.a.instance + "." + l.a.port.name + "-" + l.b.instance + "." + l.b.port.name);
  return v;
}

TEST(Extract, DemoChainIsConnected) {
  Library lib = demo_chip(soi());
  Connectivity c = extract_connectivity(lib, lib.top_cell());
  EXPECT_EQ(link_names(c),
            (std::vector<std::string>{"attenuator.o1-wg_mid.o2", "attenuator.o2-wg_out.o1", "bend_down.o1-mzi.o4",
                                      "bend_down.o2-bend_east.o1", "bend_east.o2-pd_cross.o1", "gc_in.o1-wg_in.o1",
                                      "mzi.o2-wg_in.o2", "mzi.o3-wg_mid.o1", "pd_bar.o1-wg_out.o2"}));
  EXPECT_TRUE(c.mismatches.empty());
  // The MZI's lower input is the only open port of the chain (the rest are standalone copies).
  std::vector<std::string> open_chain;
  for (const PlacedPort& p : c.open)
    if (p.instance.rfind("solo_", 0) != 0) open_chain.push_back(p.instance + "." + p.port.name);
  EXPECT_EQ(open_chain, (std::vector<std::string>{"mzi.o1"}));
}

struct Chain {
  Library lib{"t"};
  std::string a, b;
  Chain() {
    CellFactory f(lib, layout_params(soi()));
    a = f.straight(10000);
    b = f.bend_circular(10000);
  }
};

TEST(Extract, BrokenConnectionIsReportedOpen) {
  Chain ch;
  Cell& top = ch.lib.add_cell("top");
  top.add_ref(ch.a, Trans{}, "w1");
  top.add_ref(ch.a, Trans::translate({10001, 0}), "w2");  // 1 nm gap
  Connectivity c = extract_connectivity(ch.lib, "top");
  EXPECT_TRUE(c.links.empty());
  ASSERT_EQ(c.open.size(), 4u);
}

TEST(Extract, WrongDirectionOrWidthIsAMismatch) {
  Chain ch;
  Cell& top = ch.lib.add_cell("top");
  top.add_ref(ch.a, Trans{}, "w1");
  // Turned around on top of w1: each end of w2 points the same way as the end of w1 under it.
  top.add_ref(ch.a, Trans{2, false, {10000, 0}}, "w2");
  Connectivity c = extract_connectivity(ch.lib, "top");
  ASSERT_EQ(c.mismatches.size(), 2u);
  EXPECT_EQ(c.mismatches[0].reason, "direction");
  EXPECT_EQ(c.mismatches[1].reason, "direction");
  Library lib("t2");
  Cell& narrow = lib.add_cell("n");
  narrow.add_port({"o1", {0, 0}, 180, 400, {1, 0}, PortKind::Optical});
  Cell& wide = lib.add_cell("w");
  wide.add_port({"o1", {0, 0}, 0, 500, {1, 0}, PortKind::Optical});
  Cell& top2 = lib.add_cell("top");
  top2.add_ref("n", Trans{}, "a");
  top2.add_ref("w", Trans{}, "b");
  Connectivity c2 = extract_connectivity(lib, "top");
  ASSERT_EQ(c2.mismatches.size(), 1u);
  EXPECT_EQ(c2.mismatches[0].reason, "width");
}

TEST(Extract, SwappedInstancesChangeTheLinks) {
  // w1 -> bend -> w2 versus w1 -> w2 -> bend: the extracted links differ, so a netlist check sees it.
  Chain ch;
  const Cell& bend = ch.lib.cell(ch.b);
  Cell& top = ch.lib.add_cell("top");
  top.add_ref(ch.a, Trans{}, "w1");
  Port end1 = ch.lib.cell(ch.a).port("o2");
  Trans tb = connect(bend.port("o1"), end1);
  top.add_ref(ch.b, tb, "bend");
  top.add_ref(ch.a, connect(ch.lib.cell(ch.a).port("o1"), bend.port("o2").transformed(tb)), "w2");
  EXPECT_EQ(link_names(extract_connectivity(ch.lib, "top")),
            (std::vector<std::string>{"bend.o1-w1.o2", "bend.o2-w2.o1"}));
  // Swap the names of the two placements' cells: w2 now sits where the bend was.
  std::swap(top.refs[1].name, top.refs[2].name);
  EXPECT_EQ(link_names(extract_connectivity(ch.lib, "top")),
            (std::vector<std::string>{"bend.o1-w2.o2", "w1.o2-w2.o1"}));
}

TEST(Extract, ArraysNameTheirElements) {
  Chain ch;
  Cell& top = ch.lib.add_cell("top");
  top.add_array(ch.a, Trans{}, 3, 1, {10000, 0}, {0, 0}, "row");
  EXPECT_EQ(link_names(extract_connectivity(ch.lib, "top")),
            (std::vector<std::string>{"row<0.0>.o2-row<1.0>.o1", "row<1.0>.o2-row<2.0>.o1"}));
}

}  // namespace
}  // namespace holo::layout
