// The I/O fan-out (io_fanout.h) on its own: couplers at the fibre pitch centred on ports at the mode pitch,
// every path from its coupler to its port, none crossing another, DRC-clean.
#include <gtest/gtest.h>

#include <map>

#include "holo/layout/drc.h"
#include "holo/layout/extract.h"
#include "holo/layout/io_fanout.h"
#include "holo/support/error.h"
#include "layout_test_util.h"

namespace holo::layout {
namespace {

TEST(IoFanout, JoinsPortsToCouplersAtTheFibrePitch) {
  const LayoutParams& p = soi_params();
  for (bool input : {true, false})
    for (int64_t n : {6, 5}) {
      Library lib("fanout");
      CellFactory f(lib, p);
      IoFanout io(f);
      Cell& top = lib.add_cell("top");
      // Ports at (x_ports, -k P); couplers one span away (west of the ports for inputs, east for outputs).
      const Coord span = io.span(n / 2);
      const Coord x_ports = input ? span : 0, x_couplers = input ? 0 : span;
      const Coord x_turn = std::min(x_ports, x_couplers) + io.clearance();
      const FanoutSide side = io.place(top, {"t_", input, n, 0, x_ports, x_couplers, x_turn, n / 2});
      ASSERT_EQ(side.lengths_nm.size(), static_cast<size_t>(n));
      // Two bends on every path but the middle one of an odd count.
      EXPECT_EQ(io.figures().bends, 2 * (n - n % 2));
      EXPECT_EQ(io.figures().couplers, n);
      EXPECT_EQ(side.worst_bends, 2);
      EXPECT_GT(io.figures().length_spread_um, 0.0);
      // Couplers one fibre pitch apart, centred on the ports (mode pitch apart).
      std::vector<Coord> ys;
      for (const Ref& r : top.refs)
        if (r.cell == "grating_coupler") ys.push_back(r.trans.disp.y);
      ASSERT_EQ(ys.size(), static_cast<size_t>(n));
      for (size_t k = 1; k < ys.size(); ++k) EXPECT_EQ(ys[k - 1] - ys[k], p.gc_pitch);
      EXPECT_EQ(ys.front() + ys.back(), -(n - 1) * p.port_pitch);
      // Each path is one chain: the only open ports are the path ends at the ports' positions.
      const Connectivity con = extract_connectivity(lib, "top");
      EXPECT_TRUE(con.mismatches.empty());
      std::set<std::pair<Coord, Coord>> ends, want;
      for (const PlacedPort& pp : con.open) ends.insert({pp.port.position.x, pp.port.position.y});
      for (int64_t k = 0; k < n; ++k) want.insert({x_ports, -k * p.port_pitch});
      EXPECT_EQ(ends, want);
      // No two paths' pieces overlap (names <tag><k>_<piece>).
      std::map<std::string, std::vector<Box>> pieces;
      for (const Ref& r : top.refs)
        pieces[r.name.substr(0, r.name.rfind('_'))].push_back(transformed(lib.bbox(r.cell), r.trans));
      EXPECT_EQ(pieces.size(), static_cast<size_t>(n));
      for (auto a = pieces.begin(); a != pieces.end(); ++a)
        for (auto b = std::next(a); b != pieces.end(); ++b)
          for (const Box& x : a->second)
            for (const Box& y : b->second) EXPECT_FALSE(x.overlaps(y)) << a->first << " crosses " << b->first;
      const DrcReport rep = run_drc(flatten(lib, "top"), drc_deck(soi()));
      EXPECT_TRUE(rep.clean()) << rep.violations[0].rule << " " << rep.violations[0].detail;
    }
}

TEST(IoFanout, TurnsInnerPathsFirstOnTheInputSide) {
  // Heights 0, -10, -20 to -5, -10, -15: paths 0 and 2 move by 5, path 1 not at all.
  const std::vector<Coord> from = {0, -10, -20}, to = {-5, -10, -15};
  EXPECT_EQ(fanout_turns(from, to, 100, 7, 1, true), (std::vector<Coord>{100, 100, 100}));
  // Four paths moving down by 1, 2, 3 (and one up): the smallest offset turns first (input) or last (output).
  const std::vector<Coord> a = {0, 0, 0, 0}, b = {-2, -1, -3, 4};
  EXPECT_EQ(fanout_turns(a, b, 0, 10, 3, true), (std::vector<Coord>{10, 0, 20, 0}));
  EXPECT_EQ(fanout_turns(a, b, 0, 10, 3, false), (std::vector<Coord>{10, 20, 0, 20}));
}

TEST(IoFanout, RefusesAPitchTooSmallForTwoBends) {
  LayoutParams p = soi_params();
  p.gc_pitch = p.port_pitch + 2 * p.bend_radius;  // half of it per side: less than two bends need
  Library lib("fanout");
  CellFactory f(lib, p);
  try {
    IoFanout io(f);
    FAIL() << "no error";
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.code(), "LAYOUT-PARAM");
  }
}

}  // namespace
}  // namespace holo::layout
