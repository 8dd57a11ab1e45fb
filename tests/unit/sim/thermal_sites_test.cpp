// Thermal crosstalk of a tile's heater sites (sim/thermal_sites_model.h, docs/simulation.md#thermal-crosstalk): the
// sparse C against the dense crosstalk_matrix within the stated truncation, the sparse compensation restoring every
// programmed phase through the same matrix, and the draw's step 5 (realize.h) on a tile.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "holo/circuit/compiled.h"
#include "holo/linalg/random.h"
#include "holo/sim/fast_path.h"
#include "holo/sim/realize.h"
#include "holo/sim/thermal_sites_model.h"
#include "sim_test_util.h"
#include "test_support.h"

namespace holo::sim {
namespace {

constexpr double kPi = std::numbers::pi;

// Sites laid out as layout/tile_cells.cpp does (independently written, rounded figures): MZI k of a mesh at
// x = x0 + column * L, its upper arm on mode m at y = -m * pitch; phi then theta shifters (81.6 um, heater 61.6 um
// between 10 um contacts); the screen after the last column; attenuators with arms half a pitch apart.
std::vector<circuit::ThermalSite> synthetic_sites(const circuit::TileView& t, double pitch_um) {
  const auto& c = std::get<circuit::CoherentTile>(t.body);
  constexpr double kPs = 81.6, kL = 250, kGap = 60;
  std::vector<circuit::ThermalSite> out;
  auto site = [&](const char* part, int64_t index, circuit::Shifter k, double x, double y, double other_dy) {
    circuit::ThermalSite s;
    s.part = part;
    s.index = index;
    s.shifter = k;
    s.heater = {x + 10, x + kPs - 10, y};
    s.arm = {x, x + kPs, y};
    if (other_dy != 0) {
      s.has_other_arm = true;
      s.other_arm = {x, x + kPs, y - other_dy};
    }
    out.push_back(s);
  };
  double x0 = 0;
  auto mesh = [&](const char* part, const linalg::Mesh& m) {
    for (size_t k = 0; k < m.mzis.size(); ++k) {
      const double x = x0 + m.mzis[k].column * kL, y = -m.mzis[k].mode * pitch_um;
      site(part, static_cast<int64_t>(k), circuit::Shifter::Phi, x, y, pitch_um);
      site(part, static_cast<int64_t>(k), circuit::Shifter::Theta, x + kPs + 40, y, pitch_um);
    }
    for (size_t i = 0; i < m.output_phase_rad.size(); ++i)
      site(part, static_cast<int64_t>(i), circuit::Shifter::Screen, x0 + m.columns * kL,
           -static_cast<double>(i) * pitch_um, 0);
    x0 += (m.columns + 1) * kL + kGap;
  };
  mesh("vh", c.vh.mesh);
  for (size_t k = 0; k < c.att.attenuators.size(); ++k)
    site("att", static_cast<int64_t>(k), circuit::Shifter::Theta, x0, -static_cast<double>(k) * pitch_um, pitch_um / 2);
  x0 += kL + kGap;
  mesh("u", c.u.mesh);
  return out;
}

circuit::Netlist tile_netlist(int n, uint64_t seed) {
  circuit::Netlist nl;
  test::add_tile(nl, "t0", test::random_complex(n, n, seed));
  return nl;
}

// The bundled PDK's stack, and one with the heaters far above a thick oxide (strong crosstalk at the pitch).
ThermalStack strong_stack() {
  ThermalStack s = thermal_stack(test::test_pdk());
  s.heater_y_um = 12;
  s.top_y_um = 14;
  return s;
}

void split(const std::vector<circuit::ThermalSite>& sites, std::vector<Segment>& heaters,
           std::vector<Segment>& probes) {
  for (const auto& s : sites) {
    heaters.push_back({s.heater.x0_um, s.heater.x1_um, s.heater.y_um});
    probes.push_back({s.arm.x0_um, s.arm.x1_um, s.arm.y_um});
  }
  for (const auto& s : sites)
    if (s.has_other_arm) probes.push_back({s.other_arm.x0_um, s.other_arm.x1_um, s.other_arm.y_um});
}

// Within the cutoff the sparse entries are the dense ones; beyond it the dense entries are below 1e-4 of the self
// term (the stated truncation, kCrosstalkRelCutoff).
TEST(ThermalSites, SparseMatchesDenseWithinTheTruncation) {
  const circuit::Netlist nl = tile_netlist(6, 3);
  const auto sites = synthetic_sites(circuit::read_tile(nl, "t0"), 20);
  for (const ThermalStack& s : {thermal_stack(test::test_pdk()), strong_stack()}) {
    std::vector<Segment> heaters, probes;
    split(sites, heaters, probes);
    const Eigen::MatrixXd dense = crosstalk_matrix(s, heaters, probes);
    const double cutoff = crosstalk_cutoff_um(s);
    const Eigen::MatrixXd sparse = Eigen::MatrixXd(sparse_crosstalk_matrix(s, heaters, probes, cutoff));
    const double self = kPi / s.p_pi_mw;
    double dropped = 0, kept = 0;
    for (Eigen::Index i = 0; i < dense.rows(); ++i)
      for (Eigen::Index j = 0; j < dense.cols(); ++j) {
        if (sparse(i, j) != 0)
          kept = std::max(kept, std::fabs(sparse(i, j) - dense(i, j)));
        else
          dropped = std::max(dropped, dense(i, j));
      }
    EXPECT_LE(kept, 1e-14 * self);  // same formula, same rise cache: rounding only
    EXPECT_LE(dropped, kCrosstalkRelCutoff * self);
    EXPECT_GT(cutoff, 0.0);
  }
}

// The compensated powers give every programmed phase through the same sparse D to < 1e-9 rad (the model exact),
// with every power >= 0, and they agree with the dense solver.
TEST(ThermalSites, CompensationRestoresEveryPhase) {
  const circuit::Netlist nl = tile_netlist(8, 5);
  const circuit::TileView t = circuit::read_tile(nl, "t0");
  for (const double pitch : {20.0, 8.0}) {
    for (const ThermalStack& s : {thermal_stack(test::test_pdk()), strong_stack()}) {
      const auto sites = synthetic_sites(t, pitch);
      const SiteCrosstalk x = site_crosstalk(s, sites);
      const Eigen::VectorXd target = site_targets_rad(t, sites);
      const Compensation r = compensate_sparse(x.effective, target);
      EXPECT_GE(r.power_mw.minCoeff(), 0.0);
      Eigen::VectorXd raised = target;
      for (Eigen::Index i = 0; i < target.size(); ++i) raised(i) += 2 * kPi * r.raised[static_cast<size_t>(i)];
      EXPECT_LT((x.effective * r.power_mw - raised).cwiseAbs().maxCoeff(), 1e-9);
      EXPECT_LT(r.max_residual_rad, 1e-9);
      const Compensation d = compensate(Eigen::MatrixXd(x.effective), target);
      EXPECT_EQ(d.raised, r.raised);
      EXPECT_LT((d.power_mw - r.power_mw).cwiseAbs().maxCoeff(), 1e-9 * std::max(1.0, d.power_mw.maxCoeff()));
    }
  }
}

// Step 5 of the draw: compensated (compile's powers with the common phases carried forward), the tile computes
// its nominal matrix again; uncompensated it does not; off, it is the nominal chip.
TEST(ThermalSites, CompensatedTileComputesItsNominalMatrix) {
  const circuit::Netlist nl = tile_netlist(6, 11);
  const circuit::TileView t = circuit::read_tile(nl, "t0");
  SimOptions o = SimOptions::nominal();
  o.use_pdk_loss = false;
  const Eigen::MatrixXcd nominal = FastProgram::compile(tile_path(nominal_state(t, test::test_pdk(), false))).matrix();
  auto error = [&](const TileState& s) { return (FastProgram::compile(tile_path(s)).matrix() - nominal).norm(); };
  for (const double pitch : {20.0, 8.0}) {
    const TileCompensation comp = compensate_tile(thermal_stack(test::test_pdk()), t, synthetic_sites(t, pitch));
    const auto& sites = comp.sites;
    EXPECT_GE(comp.rounds, 2);
    EXPECT_LT(comp.max_residual_rad, 1e-9);
    o.thermal_crosstalk = o.compensated_crosstalk = true;
    const TileState on = realize_tile(t, test::test_pdk(), o, 0, 0, &sites);
    EXPECT_TRUE(on.thermal && on.thermal_compensated);
    EXPECT_LT(on.thermal_residual_rad, 1e-9);
    EXPECT_GT(on.thermal_common_rad, 1e-4);  // the other arms warm: ~4e-3 of a heater's phase at 20 um
    EXPECT_LT(error(on), 1e-9) << pitch;     // the common phases are carried into later phi and the screens

    o.compensated_crosstalk = false;
    const TileState unc = realize_tile(t, test::test_pdk(), o, 0, 0, &sites);
    EXPECT_TRUE(unc.thermal && !unc.thermal_compensated);
    EXPECT_GT(unc.thermal_residual_rad, 1e-4);
    EXPECT_GT(error(unc), 1e-3);

    o.thermal_crosstalk = false;
    EXPECT_EQ(error(realize_tile(t, test::test_pdk(), o, 0, 0, &sites)),
              error(nominal_state(t, test::test_pdk(), false)));

    // Compensated without powers: an error naming the site.
    o.thermal_crosstalk = o.compensated_crosstalk = true;
    auto bare = sites;
    bare[3].power_mw = -1;
    EXPECT_EQ(holo::test::error_code([&] { realize_tile(t, test::test_pdk(), o, 0, 0, &bare); }), "SIM-BAD-THERMAL");
  }
}

}  // namespace
}  // namespace holo::sim
