// Cell generators: ports, geometry, reuse, and every cell clean under the PDK's DRC on its own.
#include <gtest/gtest.h>

#include <functional>

#include "holo/layout/cells.h"
#include "holo/layout/drc.h"
#include "holo/layout/extract.h"
#include "holo/support/error.h"
#include "layout_test_util.h"
#include "test_support.h"

namespace holo::layout {
namespace {

struct Generated {
  std::string name;
  std::function<std::string(CellFactory&)> make;
};

class EveryCell : public ::testing::TestWithParam<Generated> {};

TEST_P(EveryCell, IsCleanUnderThePdkRules) {
  Library lib("t");
  CellFactory f(lib, layout_params(soi()));
  std::string name = GetParam().make(f);
  DrcReport rep = run_drc(flatten(lib, name), drc_deck(soi()));
  for (const Violation& v : rep.violations)
    ADD_FAILURE() << name << ": " << v.rule << " at " << v.where.x0 << "," << v.where.y0 << " measured "
                  << v.measured_nm;
  EXPECT_EQ(rep.total, 0);
  // Every optical port has the waveguide width on the WG layer.
  for (const Port& p : lib.cell(name).ports)
    if (p.kind == PortKind::Optical) {
      EXPECT_EQ(p.width, 500);
      EXPECT_EQ(p.layer, (LayerSpec{1, 0}));
    }
}

INSTANTIATE_TEST_SUITE_P(
    Generators, EveryCell,
    ::testing::Values(Generated{"straight", [](CellFactory& f) { return f.straight(12345); }},
                      Generated{"bend90", [](CellFactory& f) { return f.bend_circular(10000, 90); }},
                      Generated{"bend180", [](CellFactory& f) { return f.bend_circular(5000, 180); }},
                      Generated{"euler90", [](CellFactory& f) { return f.bend_euler(10000, 90); }},
                      Generated{"euler180", [](CellFactory& f) { return f.bend_euler(5000, 180); }},
                      Generated{"coupler", [](CellFactory& f) { return f.directional_coupler(); }},
                      Generated{"contact", [](CellFactory& f) { return f.heater_contact(); }},
                      Generated{"shifter", [](CellFactory& f) { return f.phase_shifter(); }},
                      Generated{"mzi", [](CellFactory& f) { return f.mzi(); }},
                      Generated{"mzi_theta", [](CellFactory& f) { return f.mzi(false); }},
                      Generated{"attenuator", [](CellFactory& f) { return f.mzi_attenuator(); }},
                      Generated{"grating", [](CellFactory& f) { return f.grating_coupler(); }},
                      Generated{"detector", [](CellFactory& f) { return f.photodetector(); }},
                      Generated{"pad", [](CellFactory& f) { return f.bond_pad(); }}),
    [](const auto& info) { return info.param.name; });

TEST(Cells, PortsSitWhereTheConventionsSay) {
  Library lib("t");
  LayoutParams lp = layout_params(soi());
  CellFactory f(lib, lp);
  const Cell& wg = lib.cell(f.straight(7000));
  EXPECT_EQ(wg.port("o1").position, (Point{0, 0}));
  EXPECT_EQ(wg.port("o1").angle_deg, 180);
  EXPECT_EQ(wg.port("o2").position, (Point{7000, 0}));
  EXPECT_EQ(wg.port("o2").angle_deg, 0);

  const Cell& bend = lib.cell(f.bend_circular(10000, 90));
  // Stub east, quarter circle of radius R, stub north: the end is R + one stub away in x and in y.
  EXPECT_EQ(bend.port("o2").position, (Point{10000 + lp.end_stub, 10000 + lp.end_stub}));
  EXPECT_EQ(bend.port("o2").angle_deg, 90);
  const Cell& u = lib.cell(f.bend_circular(10000, 180));
  EXPECT_EQ(u.port("o2").position, (Point{0, 20000}));
  EXPECT_EQ(u.port("o2").angle_deg, 180);

  const Cell& dc = lib.cell(f.directional_coupler());
  EXPECT_EQ(dc.port("o1").position, (Point{0, -lp.port_pitch}));
  EXPECT_EQ(dc.port("o2").position, (Point{0, 0}));
  EXPECT_EQ(dc.port("o3").position.y, 0);
  EXPECT_EQ(dc.port("o4").position.y, -lp.port_pitch);
  EXPECT_EQ(dc.port("o3").position.x, dc.port("o4").position.x);

  const Cell& mzi = lib.cell(f.mzi());
  std::vector<std::string> names;
  for (const Port& p : mzi.ports) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"o1", "o2", "o3", "o4", "phi_e1", "phi_e2", "theta_e1", "theta_e2"}));
  // Length: two (phase shifter + coupler) sections.
  Coord ps_len = 2 * lp.contact_size + lp.heater_length;
  EXPECT_EQ(mzi.port("o3").position.x, 2 * (ps_len + dc.port("o3").position.x));
  for (const char* e : {"phi_e1", "theta_e1"}) EXPECT_EQ(mzi.port(e).angle_deg, 90);
}

TEST(Cells, AskingTwiceReusesTheCell) {
  Library lib("t");
  CellFactory f(lib, layout_params(soi()));
  std::string a = f.mzi();
  size_t n = lib.size();
  EXPECT_EQ(f.mzi(), a);
  EXPECT_EQ(lib.size(), n);
  // The MZI's two couplers and two shifters are one cell each, referenced twice.
  const Cell& m = lib.cell(a);
  int dc_refs = 0;
  for (const Ref& r : m.refs) dc_refs += r.cell == f.directional_coupler();
  EXPECT_EQ(dc_refs, 2);
}

TEST(Cells, BendsBelowTheMinimumRadiusAreRefused) {
  Library lib("t");
  CellFactory f(lib, layout_params(soi()));
  try {
    f.bend_circular(4999);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "LAYOUT-BEND-RADIUS");
  }
  EXPECT_THROW(f.bend_euler(1000), Error);
  EXPECT_THROW(f.bend_circular(10000, 45), Error);
}

TEST(Cells, MziInternalConnectivity) {
  Library lib("t");
  CellFactory f(lib, layout_params(soi()));
  Connectivity c = extract_connectivity(lib, f.mzi());
  std::vector<std::string> links;
  for (const PortLink& l : c.links)
    links.push_back(l.a.instance + "." + l.a.port.name + "-" + l.b.instance + "." + l.b.port.name);
  EXPECT_EQ(links, (std::vector<std::string>{"dc_1.o1-wg_phi.o2", "dc_1.o2-ps_phi.o2", "dc_1.o3-ps_theta.o1",
                                             "dc_1.o4-wg_theta.o1", "dc_2.o1-wg_theta.o2", "dc_2.o2-ps_theta.o2"}));
  std::vector<std::string> exposed;
  for (const auto& [name, p] : c.exposed) exposed.push_back(name + "=" + p.instance + "." + p.port.name);
  EXPECT_EQ(exposed, (std::vector<std::string>{"o1=wg_phi.o1", "o2=ps_phi.o1", "o3=dc_2.o3", "o4=dc_2.o4"}));
  EXPECT_TRUE(c.open.empty());
  EXPECT_TRUE(c.mismatches.empty());
  EXPECT_TRUE(c.unexposed_cell_ports.empty());
}

TEST(Params, FiguresComeFromThePdkWithDocumentedFallbacks) {
  LayoutParams lp = layout_params(soi());
  EXPECT_TRUE(lp.fallbacks.empty());  // the bundled PDK defines every layout figure
  EXPECT_EQ(lp.wg_width, 500);
  EXPECT_EQ(lp.min_bend_radius, 5000);
  EXPECT_EQ(lp.metals.contact().via_below.enclosure, 500);
  ASSERT_EQ(lp.metals.layers.size(), 1u);  // M2 only: the bundled PDK has no second metal
  EXPECT_EQ(lp.metals.wire_width(), 3000);
  EXPECT_EQ(lp.metals.wire_space(), 3000);
  EXPECT_EQ(lp.end_stub, 500);  // WG.W.1 = 400 nm rounded up to 100 nm, plus 100 nm
  ASSERT_TRUE(lp.layers.port.has_value());
  pdk::Pdk bare = soi();
  bare.templates.erase("bond_pad");
  bare.templates.at("grating_coupler").figures.erase("period_um");
  LayoutParams fb = layout_params(bare);
  EXPECT_EQ(fb.gc_period, 630);
  EXPECT_EQ(fb.pad_size, 80000);
  auto fallback = [&](const std::string& figure) -> const ParamFallback* {
    for (const ParamFallback& f : fb.fallbacks)
      if (f.figure == figure) return &f;
    return nullptr;
  };
  ASSERT_NE(fallback("grating_coupler.period_um"), nullptr);
  EXPECT_EQ(fallback("grating_coupler.period_um")->value, "0.63 um");
  EXPECT_EQ(fallback("grating_coupler.period_um")->reason, "not in the PDK's template 'grating_coupler'");
  ASSERT_NE(fallback("bond_pad.size_um"), nullptr);
  EXPECT_EQ(fallback("bond_pad.size_um")->message(),
            "bond_pad.size_um: the PDK has no template 'bond_pad'; using 80 um");
  EXPECT_EQ(fallback("waveguide.width_um"), nullptr);
  // Rules the layout reads are recorded too when missing: no bend-radius rule means bends down to the radius.
  pdk::Pdk no_rules = soi();
  no_rules.rules.clear();
  const LayoutParams nr = layout_params(no_rules);
  EXPECT_EQ(nr.min_bend_radius, nr.bend_radius);
  EXPECT_EQ(nr.metals.contact().via_below.enclosure, 0);
  std::vector<std::string> figures;
  for (const ParamFallback& f : nr.fallbacks) figures.push_back(f.figure);
  EXPECT_EQ(figures,
            (std::vector<std::string>{"rule bend_radius on WG", "rules width / space on WG", "rule enclosure of VIA"}));
}

TEST(Connect, PutsAPortOntoItsTarget) {
  Port target{"t", {1000, -2000}, 90, 500, {1, 0}, PortKind::Optical};
  Port mine{"o1", {5, 7}, 180, 500, {1, 0}, PortKind::Optical};
  for (bool mirror : {false, true}) {
    Trans t = connect(mine, target, mirror);
    Port placed = mine.transformed(t);
    EXPECT_EQ(placed.position, target.position);
    EXPECT_EQ(placed.angle_deg, 270);
    EXPECT_EQ(t.mirror, mirror);
  }
}

}  // namespace
}  // namespace holo::layout
