// The heater sites the chip layout records for the thermal crosstalk model (circuit/thermal_sites.h): one per
// phase shifter of each tile, the heater over its arm between the contacts, the other arm a mode pitch below
// (half a pitch in an attenuator), in the tile's coordinates.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <tuple>

#include "chip_test_util.h"
#include "holo/circuit/compiled.h"
#include "holo/layout/chip.h"
#include "layout_test_util.h"
#include "test_support.h"

namespace holo::layout {
namespace {

TEST(ThermalSites, OnePerHeaterWithTheCellGeometry) {
  const circuit::Netlist nl = make_netlist({{4, 4}, {3, 5}});
  const LayoutParams& p = soi_params();
  const ChipLayout chip = layout_chip(nl, p);
  ASSERT_EQ(chip.thermal_sites.size(), 2u);
  const double pitch_um = static_cast<double>(p.port_pitch) / 1000.0;
  const double heater_um = static_cast<double>(p.heater_length) / 1000.0;
  const double contact_um = static_cast<double>(p.contact_size) / 1000.0;
  int64_t total = 0;
  for (const auto& [tile, sites] : chip.thermal_sites) {
    const circuit::TileView t = circuit::read_tile(nl, tile);
    const auto& c = std::get<circuit::CoherentTile>(t.body);
    const size_t expected = 2 * (c.vh.mesh.mzis.size() + c.u.mesh.mzis.size()) + c.vh.mesh.output_phase_rad.size() +
                            c.u.mesh.output_phase_rad.size() + c.att.attenuators.size();
    EXPECT_EQ(sites.size(), expected) << tile;
    total += static_cast<int64_t>(sites.size());
    std::set<std::tuple<std::string, int64_t, int>> seen;
    for (const circuit::ThermalSite& s : sites) {
      EXPECT_TRUE(seen.emplace(s.part, s.index, static_cast<int>(s.shifter)).second) << circuit::site_instance(s);
      // The heater between the contacts, over its arm; the arm is the shifter's waveguide, contact to contact.
      HOLO_EXPECT_CLOSE(s.heater.x1_um - s.heater.x0_um, heater_um, test::Tol::Double);
      HOLO_EXPECT_CLOSE(s.heater.x0_um - s.arm.x0_um, contact_um, test::Tol::Double);
      HOLO_EXPECT_CLOSE(s.arm.x1_um - s.heater.x1_um, contact_um, test::Tol::Double);
      EXPECT_EQ(s.heater.y_um, s.arm.y_um);
      if (s.part == circuit::kTileAtt) {
        ASSERT_TRUE(s.has_other_arm);
        HOLO_EXPECT_CLOSE(s.arm.y_um, -static_cast<double>(s.index) * pitch_um, test::Tol::Double);
        HOLO_EXPECT_CLOSE(s.arm.y_um - s.other_arm.y_um, pitch_um / 2, test::Tol::Double);
      } else if (s.shifter == circuit::Shifter::Screen) {
        EXPECT_FALSE(s.has_other_arm);
        HOLO_EXPECT_CLOSE(s.arm.y_um, -static_cast<double>(s.index) * pitch_um, test::Tol::Double);
      } else {
        // A mesh MZI: its upper arm on its mode, the other arm on the mode below, over the same x.
        const linalg::Mesh& m = s.part == circuit::kTileVh ? c.vh.mesh : c.u.mesh;
        const auto& z = m.mzis.at(static_cast<size_t>(s.index));
        HOLO_EXPECT_CLOSE(s.arm.y_um, -z.mode * pitch_um, test::Tol::Double);
        ASSERT_TRUE(s.has_other_arm);
        HOLO_EXPECT_CLOSE(s.arm.y_um - s.other_arm.y_um, pitch_um, test::Tol::Double);
        EXPECT_EQ(s.arm.x0_um, s.other_arm.x0_um);
        EXPECT_EQ(s.arm.x1_um, s.other_arm.x1_um);
      }
    }
    // theta after phi in each MZI; columns left to right; vh before att before u.
    for (size_t i = 0; i + 1 < sites.size(); ++i) {
      if (sites[i].part == sites[i + 1].part && sites[i].index == sites[i + 1].index &&
          sites[i].shifter == circuit::Shifter::Phi && sites[i + 1].shifter == circuit::Shifter::Theta) {
        EXPECT_GT(sites[i + 1].heater.x0_um, sites[i].heater.x1_um);
      }
    }
    double vh_max = 0, att_min = 1e300, att_max = 0, u_min = 1e300;
    for (const auto& s : sites) {
      if (s.part == circuit::kTileVh) vh_max = std::max(vh_max, s.arm.x1_um);
      if (s.part == circuit::kTileAtt)
        att_min = std::min(att_min, s.arm.x0_um), att_max = std::max(att_max, s.arm.x1_um);
      if (s.part == circuit::kTileU) u_min = std::min(u_min, s.arm.x0_um);
    }
    EXPECT_LT(vh_max, att_min);
    EXPECT_LT(att_max, u_min);
  }
  // Every heater the chip figures count.
  EXPECT_EQ(total, chip.figures.heaters);
}

}  // namespace
}  // namespace holo::layout
