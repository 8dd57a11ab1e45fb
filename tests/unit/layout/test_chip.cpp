// Chip layout of compiled netlists: hierarchy, DRC, layout-versus-netlist, determinism, size and speed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "chip_test_util.h"
#include "holo/circuit/compiled.h"
#include "holo/layout/chip.h"
#include "holo/layout/drc.h"
#include "holo/layout/extract.h"
#include "holo/layout/gds.h"
#include "holo/layout/lvs.h"
#include "holo/layout/nets.h"
#include "holo/support/error.h"
#include "layout_test_util.h"
#include "test_support.h"

namespace holo::layout {
namespace {

TEST(Chip, SmallTileHierarchyAndFigures) {
  circuit::Netlist nl = make_netlist({{4, 4}});
  ChipLayout chip = layout_chip(nl, soi_params());
  EXPECT_EQ(chip.lib.top_cells(), std::vector<std::string>{chip.top});
  // One MZI cell, referenced at every mesh position: 2 meshes x 6 MZIs of Clements on 4 modes.
  const Cell& vh = chip.lib.cell(chip.cell_of.at("t0_vh"));
  EXPECT_EQ(chip.figures.mzi_instances, 6 + 6 + 4);
  EXPECT_GT(vh.refs.size(), 0u);
  for (const Ref& r : vh.refs)
    EXPECT_TRUE(r.cell == "mzi_w_P20000" || r.cell.rfind("wg_L", 0) == 0 || r.cell == "ps_L61600" ||
                r.cell.rfind("wires_", 0) == 0)
        << r.cell;
  // Equal path lengths: every in<m> at x = 0 and every out<m> at the same x.
  std::set<Coord> out_x;
  for (const Port& p : vh.ports)
    if (p.name.rfind("out", 0) == 0) out_x.insert(p.position.x);
  EXPECT_EQ(out_x.size(), 1u);
  EXPECT_EQ(chip.figures.tiles, 1);
  EXPECT_EQ(chip.figures.crossings, 0);
  EXPECT_GT(chip.figures.die_area_mm2, 0.0);
  // 2 heaters per mesh MZI, one per screen shifter and per attenuator; pads: one per heater, one per ground
  // track (a channel after each column holding heaters), and the test MZI's four.
  EXPECT_EQ(chip.figures.heaters, 2 * 12 + 4 + 4 + 4);
  EXPECT_GT(chip.figures.ground_pads, 0);
  EXPECT_EQ(chip.figures.bond_pads, chip.figures.heaters + chip.figures.ground_pads + 4);
  EXPECT_EQ(static_cast<int64_t>(chip.pads.size()), chip.figures.heaters + chip.figures.ground_pads);
  // 2 dB/cm over the added length plus the worst path's fan-out bends (two in, two out) at the PDK's loss per
  // 90-degree bend; no crossings.
  EXPECT_EQ(chip.figures.worst_path_bends, 4);
  EXPECT_EQ(chip.figures.crossings, 0);
  const double bend_db = soi().templates.at("waveguide").number("bend_loss_db_per_90");
  HOLO_EXPECT_CLOSE(chip.figures.worst_path_added_loss_db, chip.figures.worst_path_added_length_um * 2e-4 + 4 * bend_db,
                    test::Tol::Double);
}

TEST(Chip, CellsCarryTheRoleTheirGeneratorGaveThem) {
  // The roles the chip preview draws by (driver/layout_cmd.cpp): each netlist cell's layout cell by its kind, the
  // top, and the device and wiring cells by their generator; a library read back from GDS has none.
  const circuit::Netlist nl = make_netlist({{4, 3}});
  const ChipLayout chip = layout_chip(nl, soi_params());
  EXPECT_EQ(chip.lib.cell(chip.top).role, CellRole::Top);
  EXPECT_EQ(chip.lib.cell(chip.cell_of.at("t0_vh")).role, CellRole::Mesh);
  EXPECT_EQ(chip.lib.cell(chip.cell_of.at("t0_u")).role, CellRole::Mesh);
  EXPECT_EQ(chip.lib.cell(chip.cell_of.at("t0_att")).role, CellRole::AttenuatorColumn);
  EXPECT_EQ(chip.lib.cell(chip.cell_of.at("t0_tile")).role, CellRole::Tile);
  std::map<CellRole, int> seen;
  for (const Cell& c : chip.lib.cells()) ++seen[c.role];
  for (CellRole r :
       {CellRole::Straight, CellRole::Bend, CellRole::Coupler, CellRole::Via, CellRole::PhaseShifter, CellRole::Mzi,
        CellRole::Attenuator, CellRole::GratingCoupler, CellRole::BondPad, CellRole::WiringUnit})
    EXPECT_GT(seen[r], 0) << static_cast<int>(r);
  EXPECT_EQ(chip.lib.cell("mzi_w_P20000").role, CellRole::Mzi);
  EXPECT_EQ(chip.lib.cell("ps_L61600").role, CellRole::PhaseShifter);
  const Library back = read_gds(gds_bytes(chip.lib), "chip.gds");
  for (const Cell& c : back.cells()) EXPECT_EQ(c.role, CellRole::Other) << c.name;
}

TEST(Chip, IoFanOutJoinsEveryTilePortToItsCoupler) {
  // Tiles of 6 x 6 (even: every path bends), 3 x 5 and 5 x 2 (odd counts: the middle path is straight).
  circuit::Netlist nl = make_netlist({{6, 6}, {3, 5}, {5, 2}});
  ChipLayout chip = layout_chip(nl, soi_params());
  const Connectivity con = extract_connectivity(chip.lib, chip.top);
  EXPECT_TRUE(con.mismatches.empty()) << con.mismatches.size();
  std::set<std::string> open;
  for (const PlacedPort& pp : con.open) open.insert(pp.instance + "." + pp.port.name);
  std::set<std::string> linked;
  for (const PortLink& l : con.links) {
    linked.insert(l.a.instance + "." + l.a.port.name);
    linked.insert(l.b.instance + "." + l.b.port.name);
  }
  int64_t couplers = 0, tile_ports = 0;
  for (const Ref& r : chip.lib.cell(chip.top).refs) {
    if (r.cell == "grating_coupler") {
      ++couplers;
      EXPECT_TRUE(linked.count(r.name + ".o1")) << r.name << " is not connected";
    }
    if (r.cell.size() > 5 && r.cell.substr(r.cell.size() - 5) == "_tile")
      for (const Port& pt : chip.lib.cell(r.cell).ports)
        if (pt.name.rfind("in", 0) == 0 || pt.name.rfind("out", 0) == 0) {
          ++tile_ports;
          EXPECT_TRUE(linked.count(r.name + "." + pt.name)) << r.name << "." << pt.name << " is not connected";
        }
  }
  // One coupler per tile input and output: 6 + 6, 5 + 3, 2 + 5.
  EXPECT_EQ(couplers, 27);
  EXPECT_EQ(tile_ports, 27);
  EXPECT_EQ(chip.figures.io_couplers, 27);
  // Two bends on every path whose coupler and port heights differ: all but the middle of the 3 odd counts.
  EXPECT_EQ(chip.figures.bends, 2 * (27 - 3));
  EXPECT_GT(chip.figures.io_length_spread_um, 0.0);
  // No two fan-out paths touch (waveguides that cross merge on WG and meet no port, so the links above cannot
  // see a crossing): the pieces of each path ("<tile>_<in|out><k>_<piece>") as bounding boxes, one path's
  // never overlapping another's.
  std::map<std::string, std::vector<Box>> pieces;
  for (const Ref& r : chip.lib.cell(chip.top).refs) {
    const size_t at = r.name.find("_tile_");
    if (at == std::string::npos || r.name.size() < at + 7) continue;
    const std::string path = r.name.substr(0, r.name.rfind('_'));
    pieces[path].push_back(transformed(chip.lib.bbox(r.cell), r.trans));
  }
  EXPECT_EQ(pieces.size(), 27u);
  for (auto a = pieces.begin(); a != pieces.end(); ++a)
    for (auto b = std::next(a); b != pieces.end(); ++b)
      for (const Box& x : a->second)
        for (const Box& y : b->second) EXPECT_FALSE(x.overlaps(y)) << a->first << " crosses " << b->first;
  // No fan-out piece is left open (the open ports are the tiles' unused drop / dark ports and the furniture's
  // ends on the die edges).
  for (const std::string& o : open) {
    EXPECT_EQ(o.find("_tile_in"), std::string::npos) << "open: " << o;
    EXPECT_EQ(o.find("_tile_out"), std::string::npos) << "open: " << o;
  }
}

TEST(Chip, DrcClean) {
  for (bool screen : {true, false}) {
    circuit::Netlist nl = make_netlist({{4, 3}, {2, 5}}, screen);
    ChipLayout chip = layout_chip(nl, soi_params());
    DrcReport r = run_drc(flatten(chip.lib, chip.top), drc_deck(soi()));
    EXPECT_TRUE(r.clean()) << (r.violations.empty() ? "" : r.violations[0].rule + " " + r.violations[0].detail);
  }
}

TEST(Chip, LvsClean) {
  for (bool screen : {true, false}) {
    circuit::Netlist nl = make_netlist({{6, 6}, {3, 5}, {5, 2}}, screen);
    ChipLayout chip = layout_chip(nl, soi_params());
    auto mm = check_layout_vs_netlist(chip.lib, chip.cell_of, nl);
    EXPECT_TRUE(mm.empty()) << mm[0].cell << " " << mm[0].kind << " " << mm[0].detail;
  }
}

bool has(const std::vector<LvsMismatch>& mm, const std::string& kind, const std::string& detail_part) {
  for (const LvsMismatch& m : mm)
    if (m.kind == kind && m.detail.find(detail_part) != std::string::npos) return true;
  return false;
}

TEST(Chip, LvsCatchesMovedInstance) {
  circuit::Netlist nl = make_netlist({{4, 4}});
  ChipLayout chip = layout_chip(nl, soi_params());
  Cell& u = chip.lib.cell(chip.cell_of.at("t0_u"));
  // The phase screen shifter of mode 2 moved 1 um east: its connections break.
  for (Ref& r : u.refs)
    if (r.name == "ps2") r.trans.disp.x += 1000;
  auto mm = check_layout_vs_netlist(chip.lib, chip.cell_of, nl);
  EXPECT_TRUE(has(mm, "missing_connection", "ps2.o1")) << mm.size();
  EXPECT_TRUE(has(mm, "missing_connection", "<cell>.out2"));
}

TEST(Chip, LvsCatchesSwappedInstances) {
  circuit::Netlist nl = make_netlist({{4, 4}});
  ChipLayout chip = layout_chip(nl, soi_params());
  Cell& a = chip.lib.cell(chip.cell_of.at("t0_att"));
  // Two attenuators swapped: a0 sits on mode 1 and a1 on mode 0.
  Ref* r0 = nullptr;
  Ref* r1 = nullptr;
  for (Ref& r : a.refs) {
    if (r.name == "a0") r0 = &r;
    if (r.name == "a1") r1 = &r;
  }
  ASSERT_TRUE(r0 && r1);
  std::swap(r0->trans, r1->trans);
  auto mm = check_layout_vs_netlist(chip.lib, chip.cell_of, nl);
  EXPECT_TRUE(has(mm, "missing_connection", "<cell>.in0 -- a0.o1") || has(mm, "missing_connection", "a0.o1"));
  EXPECT_TRUE(has(mm, "extra_connection", "a1.o1"));
}

TEST(Chip, LvsCatchesMislabelledMziArray) {
  circuit::Netlist nl = make_netlist({{6, 6}});
  ChipLayout chip = layout_chip(nl, soi_params());
  // Column 0's array of MZIs (modes 0, 2, 4) renamed as if it started two modes lower: its elements now stand for
  // other netlist MZIs (and one for no MZI), whose connections the geometry does not make.
  Cell& vh = chip.lib.cell(chip.cell_of.at("t0_vh"));
  Ref* column = nullptr;
  for (Ref& r : vh.refs)
    if (r.is_array() && r.name == "zc0m0") column = &r;
  ASSERT_TRUE(column);
  column->name = "zc0m2";
  auto mm = check_layout_vs_netlist(chip.lib, chip.cell_of, nl);
  EXPECT_TRUE(has(mm, "missing_instance", "mzi")) << mm.size();
  EXPECT_TRUE(has(mm, "extra_instance", "zc0m2<0.2>"));
  EXPECT_TRUE(has(mm, "missing_connection", "<cell>.in0"));
}

TEST(Chip, LvsReadsTheNetlistThroughTheContract) {
  circuit::Netlist nl = make_netlist({{6, 6}});
  const ChipLayout chip = layout_chip(nl, soi_params());
  // Two MZI names swapped in the netlist: the instances no longer follow the contract's order, so the netlist is
  // refused rather than compared.
  circuit::Cell* vh = nl.find_cell("t0_vh");
  std::swap(vh->instances[0].name, vh->instances[1].name);
  try {
    check_layout_vs_netlist(chip.lib, chip.cell_of, nl);
    FAIL() << "no error";
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.code(), "CIRCUIT-CONTRACT");
  }
}

TEST(Chip, Deterministic) {
  circuit::Netlist nl = make_netlist({{4, 3}, {3, 4}});
  std::string a = gds_bytes(layout_chip(nl, soi_params()).lib);
  std::string b = gds_bytes(layout_chip(nl, soi_params()).lib);
  EXPECT_EQ(a, b);
}

TEST(Chip, BadNetlistIsRefused) {
  circuit::Netlist nl = make_netlist({{3, 3}});
  nl.find_cell("t0_vh")->instances[0].column = 99;
  try {
    layout_chip(nl, soi_params());
    FAIL() << "no error";
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.code(), "CIRCUIT-CONTRACT");
  }
}

// Where each heater's drive wire starts, by pad label ("<tile>/<cell>/<instance>.<parameter>"): walks the
// hierarchy (top -> tile -> mesh or attenuator cell -> wired MZI, shifter or attenuator) and takes the drive
// port of the placed cell, independently of the router's pad bookkeeping.
std::map<std::string, Point> drive_points(const ChipLayout& chip, const circuit::Netlist& nl) {
  std::map<std::string, Point> out;
  const Cell& top = chip.lib.cell(chip.top);
  for (const Ref& tr : top.refs) {
    const circuit::Cell* tc = nl.find_cell(tr.cell);
    if (!tc || !circuit::has_kind(*tc, circuit::CellKind::Tile)) continue;
    for (const Ref& sr : chip.lib.cell(tr.cell).refs) {
      const circuit::Cell* nc = nl.find_cell(sr.cell);
      if (!nc) continue;
      std::map<std::pair<int64_t, int64_t>, std::string> at;
      for (const circuit::Instance& in : nc->instances)
        if (in.component == circuit::kMziTemplate) at[{in.column, in.mode}] = in.name;
      for (const Ref& r : chip.lib.cell(sr.cell).refs)
        for (int32_t i = 0; i < r.cols; ++i)
          for (int32_t j = 0; j < r.rows; ++j) {
            std::string inst = r.name;
            unsigned long long col = 0, m0 = 0;
            if (r.is_array() && std::sscanf(r.name.c_str(), "zc%llum%llu", &col, &m0) == 2)
              inst = at.at({static_cast<int64_t>(col), static_cast<int64_t>(m0 + 2 * j)});
            std::vector<std::pair<std::string, std::string>> drives;  // (port, parameter)
            if (r.cell.rfind("mzi_w_", 0) == 0) drives = {{"phi", "phi_rad"}, {"theta", "theta_rad"}};
            if (r.cell.rfind("ps_", 0) == 0) drives = {{"e1", "phi_rad"}};
            if (r.cell.rfind("att_", 0) == 0) drives = {{"e1", "theta_rad"}};
            for (const auto& [port, param] : drives) {
              const Port pt = chip.lib.cell(r.cell)
                                  .port(port)
                                  .transformed(r.element(i, j))
                                  .transformed(sr.trans)
                                  .transformed(tr.trans);
              out[tr.cell + "/" + sr.cell + "/" + inst + "." + param] = pt.position;
            }
          }
    }
  }
  return out;
}

TEST(Chip, HeaterWiringEveryHeaterOnItsOwnPadNoShortsNoOpens) {
  for (bool screen : {true, false}) {
    circuit::Netlist nl = make_netlist({{6, 6}, {3, 5}, {5, 2}}, screen);
    ChipLayout chip = layout_chip(nl, soi_params());
    const LayoutParams& p = soi_params();
    const HeaterNets hn = extract_heater_nets(chip.lib, chip.top, p);
    EXPECT_TRUE(hn.clean()) << (hn.problems.empty() ? "" : hn.problems[0]);
    // The mesh and attenuator heaters plus the test MZI's two, each with a drive net of its own (the test
    // MZI's four contacts all have their own pad); one common net per ground track.
    EXPECT_EQ(hn.heaters, chip.figures.heaters + 2);
    EXPECT_EQ(hn.drive_nets, chip.figures.heaters + 4);
    EXPECT_EQ(hn.common_nets, chip.figures.ground_pads);
    EXPECT_EQ(hn.pads, chip.figures.bond_pads);

    // The router's pad labels against the geometry: each labelled pad is on the net of that heater's drive.
    const std::map<std::string, Point> drives = drive_points(chip, nl);
    EXPECT_EQ(static_cast<int64_t>(drives.size()), chip.figures.heaters);
    std::vector<Point> pts;
    std::vector<std::string> labels;
    for (const WiredPad& pd : chip.pads) {
      if (pd.ground()) continue;
      const std::string label = pd.tile + "/" + pd.cell + "/" + pd.instance + "." + pd.parameter;
      ASSERT_TRUE(drives.count(label)) << "pad for an unknown heater " << label;
      pts.push_back(pd.center);
      pts.push_back(drives.at(label));
      labels.push_back(label);
    }
    EXPECT_EQ(labels.size(), drives.size());
    const std::vector<int64_t> nets = metal_nets_at(chip.lib, chip.top, p, pts);
    for (size_t k = 0; k < labels.size(); ++k) {
      EXPECT_GE(nets[2 * k], 0) << labels[k];
      EXPECT_EQ(nets[2 * k], nets[2 * k + 1]) << "pad labelled " << labels[k] << " drives another net";
    }
  }
}

TEST(Chip, HeaterWiringCheckCatchesOpensAndShorts) {
  circuit::Netlist nl = make_netlist({{4, 4}});
  const LayoutParams& p = soi_params();
  auto check = [&](ChipLayout& chip) { return extract_heater_nets(chip.lib, chip.top, p); };
  const std::vector<WiredPad> pads = layout_chip(nl, soi_params()).pads;
  std::vector<Point> drive_pads;
  for (const WiredPad& pd : pads)
    if (!pd.ground()) drive_pads.push_back(pd.center);
  ASSERT_GE(drive_pads.size(), 2u);
  const Coord hw = p.metals.wire_width() / 2;
  {
    // Open: the wire into one pad cut (a wiring unit's last box is the last wire's pad entry).
    ChipLayout chip = layout_chip(nl, soi_params());
    Cell& unit = chip.lib.cell("wires_0");
    unit.polygons[p.metals.contact().layer].pop_back();
    const HeaterNets hn = check(chip);
    EXPECT_FALSE(hn.clean());
    EXPECT_GE(hn.open_terminals, 1);
    EXPECT_GE(hn.dangling_pads, 1);
  }
  {
    // Short: two drive pads joined by a strip of M2 (both pads sit in the field above or below the tile).
    ChipLayout chip = layout_chip(nl, soi_params());
    const Point a = drive_pads[0], b = drive_pads[1];
    Cell& top = chip.lib.cell(chip.top);
    top.add_box(p.metals.contact().layer, Box::of(a.x - hw, a.y - hw, b.x + hw, a.y + hw));
    top.add_box(p.metals.contact().layer, Box::of(b.x - hw, a.y - hw, b.x + hw, b.y + hw));
    const HeaterNets hn = check(chip);
    EXPECT_FALSE(hn.clean());
    EXPECT_GE(hn.undriven_heaters, 2);
  }
  {
    // A heater bridged: a mesh MZI's drive wire joined to its ground riser inside the wired MZI cell shorts
    // every mesh MZI's phi heater.
    ChipLayout chip = layout_chip(nl, soi_params());
    Cell& mw = chip.lib.cell("mzi_w_P20000");
    const Port phi = mw.port("phi"), gnd = mw.port("gnd");
    mw.add_box(p.metals.contact().layer, Box::of(0, phi.position.y - hw, 2 * hw, gnd.position.y + hw));
    mw.add_box(p.metals.contact().layer, Box::of(0, gnd.position.y - hw, gnd.position.x, gnd.position.y + hw));
    const HeaterNets hn = check(chip);
    EXPECT_FALSE(hn.clean());
    EXPECT_EQ(hn.shorted_heaters, chip.figures.mzi_instances - 4);  // the attenuators have no phi heater
  }
}

TEST(Chip, ChipBeyondGdsCoordinatesIsRefusedBeforeItIsBuilt) {
  // 300 tiles of 64 inputs: stacked, each at least 63 x 127 um tall (its couplers) = 2.4 m > 2.147 m. Only the
  // tile cells' shapes (their info) are read, so the check needs no meshes.
  circuit::Netlist nl;
  nl.name = "huge";
  for (int t = 0; t < 300; ++t)
    nl.cells.push_back(circuit::coherent_tile_cell(fmt::format("t{}_tile", t), 64, 64, 64, "vh", "att", "u"));
  try {
    layout_chip(nl, soi_params());
    FAIL() << "no error";
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.code(), "LAYOUT-RANGE");
    EXPECT_NE(std::string(e.what()).find("2.40 m"), std::string::npos) << e.what();
  }
}

TEST(Chip, GdsGrowsWithCellsNotInstances) {
  // A 256-mode mesh: 32640 MZIs, but the GDS holds one MZI cell and about one array reference per column.
  circuit::Netlist big = make_netlist({{256, 256}});
  circuit::Netlist small = make_netlist({{16, 16}});
  auto t0 = std::chrono::steady_clock::now();
  ChipLayout cb = layout_chip(big, soi_params());
  std::string gb = gds_bytes(cb.lib);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::string gs = gds_bytes(layout_chip(small, soi_params()).lib);
  EXPECT_EQ(cb.figures.mzi_instances, 2 * 256 * 255 / 2 + 256);
  // 256x more MZIs than the 16-mode tile costs far less than 256x the bytes (arrays per column; wiring units
  // shared by same-parity columns; one straight cell per distinct I/O length). Bound: 16x, the growth of the
  // number of columns, fillers and I/O paths (linear in N).
  EXPECT_LT(gb.size(), 16 * gs.size()) << gb.size() << " vs " << gs.size();
  std::printf("256-mode tile: %lld MZIs, %zu cells, GDS %zu bytes (16-mode: %zu), %.3f s\n",
              static_cast<long long>(cb.figures.mzi_instances), cb.lib.size(), gb.size(), gs.size(), s);
}

TEST(Chip, DigitsSizedLayoutIsFast) {
  // Three 64-mode tiles, as in the digits MLP.
  circuit::Netlist nl = make_netlist({{64, 64}, {64, 64}, {64, 64}});
  auto t0 = std::chrono::steady_clock::now();
  ChipLayout chip = layout_chip(nl, soi_params());
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto mm = check_layout_vs_netlist(chip.lib, chip.cell_of, nl);
  EXPECT_TRUE(mm.empty());
  std::printf("3 x 64-mode tiles: layout %.3f s, die %.0f x %.0f um\n", s, chip.figures.die_width_um,
              chip.figures.die_height_um);
  // Bound: issue 5 asks for under 0.5 s; measured far below, so 0.5 s leaves room for a loaded machine.
  EXPECT_LT(s, 0.5);
}

}  // namespace
}  // namespace holo::layout
