// Stage simulation: the ideal chip computes W x, the lossy chip after gain calibration, detector noise
// against its formula, determinism (threads, seeds, batch splits), the Monte-Carlo API, errors.
#include "holo/sim/stage.h"

#include <gtest/gtest.h>

#include "holo/circuit/compiled.h"
#include "holo/support/error.h"
#include "sim_test_util.h"

namespace holo::sim {
namespace {

std::string error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "none";
}

struct Fixture {
  Eigen::MatrixXd w;
  circuit::Stage stage;
  circuit::Netlist nl;
  Fixture(int out, int in, int k, uint64_t seed) : w(test::random_real(out, in, seed)) {
    nl = test::stage_netlist(w, k, stage);
  }
};

double rel_max(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(1.0, b.cwiseAbs().maxCoeff());
}

TEST(Stage, IdealChipComputesWx) {
  Fixture f(20, 37, 8, 1);  // 3 x 5 tiles, edge tiles 4 x 8, 8 x 5, 4 x 5
  EXPECT_EQ(f.stage.tiles.size(), 15u);
  const Eigen::MatrixXd x = test::random_real(37, 70, 2);
  SimOptions o;
  o.ideal = true;
  const Eigen::MatrixXd y = simulate_stage(f.nl, f.stage, test::test_pdk(), o, 0, x);
  // SVD, decomposition and propagation each ~1e-15 relative, summed over 5 tiles per output.
  EXPECT_LE(rel_max(y, f.w * x), 1e-12);
}

TEST(Stage, LossyChipWithBalancedMeshesComputesWx) {
  Fixture f(16, 16, 8, 3);
  const Eigen::MatrixXd x = test::random_real(16, 40, 4);
  const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), SimOptions{}, 0);
  for (const PreparedTile& t : p.tiles) {
    // 8 + 8 MZI columns at 0.4 dB, two screens at 0.23 dB, one attenuator at 0.4 dB: 7.26 dB of path loss.
    EXPECT_NEAR(20.0 * std::log10(t.loss_calibration), 16 * 0.4 + 2 * 0.23 + 0.4, 1e-9);
    EXPECT_LE(t.calibration_residual, 1e-13);  // every path loses the same: exact up to rounding
  }
  EXPECT_LE(rel_max(run_stage(p, x), f.w * x), 1e-12);
}

TEST(Stage, LossyChipWithUnbalancedMeshesKeepsTheImbalanceError) {
  Fixture f(16, 16, 8, 3);
  const Eigen::MatrixXd x = test::random_real(16, 40, 4);
  SimOptions o;
  o.balanced_mesh_loss = false;
  const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), o, 0);
  double bound = 0.0;
  for (const PreparedTile& t : p.tiles) {
    EXPECT_GT(t.loss_calibration, 1.0);       // the gain makes up for the loss
    EXPECT_GT(t.calibration_residual, 1e-3);  // edge modes skip every other column: paths differ by dBs
    const Eigen::MatrixXd wb = f.w.block(t.tile.row0, t.tile.col0, t.tile.rows, t.tile.cols);
    const Eigen::MatrixXd xb = x.middleRows(t.tile.col0, t.tile.cols);
    // ||c T_lossy - T||_2 <= residual ||T||_F, and gain T = W block.
    bound += t.calibration_residual * wb.norm() * xb.norm();
  }
  EXPECT_LE((run_stage(p, x) - f.w * x).norm(), bound + 1e-10);

  // A 2 x 2 tile is one MZI covering both modes: every path sees the same loss anyway.
  Fixture g(2, 2, 2, 5);
  const PreparedStage q = prepare_stage(g.nl, g.stage, test::test_pdk(), o, 0);
  EXPECT_LE(q.tiles[0].calibration_residual, 1e-14);
  const Eigen::MatrixXd x2 = test::random_real(2, 10, 6);
  EXPECT_LE(rel_max(run_stage(q, x2), g.w * x2), 1e-12);  // rounding only
}

TEST(Stage, BitIdenticalForAnyThreadCountAndBatchSplit) {
  Fixture f(12, 20, 8, 7);
  const Eigen::MatrixXd x = test::random_real(20, 150, 8);
  SimOptions o;
  o.coupler_sigma_rad = 0.01;
  o.correct_couplers = true;
  o.phase_noise_rad = 0.005;
  o.dac_bits = 8;
  o.shot_noise = o.thermal_noise = true;
  o.seed = 42;
  o.threads = 1;
  const Eigen::MatrixXd a = simulate_stage(f.nl, f.stage, test::test_pdk(), o, 3, x);
  o.threads = 2;
  const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), o, 3);
  const Eigen::MatrixXd b = run_stage(p, x);
  EXPECT_EQ((a - b).cwiseAbs().maxCoeff(), 0.0);
  // The same batch in two calls, the second naming its samples from 90 on.
  Eigen::MatrixXd c(12, 150);
  c.leftCols(90) = run_stage(p, x.leftCols(90), 0);
  c.rightCols(60) = run_stage(p, x.rightCols(60), 90);
  EXPECT_EQ((a - c).cwiseAbs().maxCoeff(), 0.0);
  // Prepared once, run twice: the Monte-Carlo pattern.
  EXPECT_EQ((run_stage(p, x) - b).cwiseAbs().maxCoeff(), 0.0);
  // Another seed, another draw.
  o.seed = 43;
  EXPECT_GT((simulate_stage(f.nl, f.stage, test::test_pdk(), o, 3, x) - a).cwiseAbs().maxCoeff(), 0.0);
}

TEST(Stage, IdealOverridesEveryImpairment) {
  Fixture f(8, 8, 8, 9);
  const Eigen::MatrixXd x = test::random_real(8, 33, 10);
  SimOptions ideal;
  ideal.ideal = true;
  SimOptions all = ideal;
  all.dac_bits = 4;
  all.coupler_sigma_rad = 0.1;
  all.phase_noise_rad = 0.1;
  all.shot_noise = all.thermal_noise = true;
  EXPECT_EQ((simulate_stage(f.nl, f.stage, test::test_pdk(), all, 0, x) -
             simulate_stage(f.nl, f.stage, test::test_pdk(), ideal, 0, x))
                .cwiseAbs()
                .maxCoeff(),
            0.0);
}

// Repeats one input over many samples and compares the spread of each output with the noise formula.
void check_noise(bool shot, bool thermal, bool loss) {
  Fixture f(4, 6, 8, 11);
  const int n = 4000;
  Eigen::VectorXd x0 = test::random_real(6, 1, 12).col(0);
  const Eigen::MatrixXd x = x0.replicate(1, n);
  SimOptions o;
  o.use_pdk_loss = loss;
  o.shot_noise = shot;
  o.thermal_noise = thermal;
  o.laser_power_mw = 0.05;  // low power so that the noise is well above rounding
  o.seed = 1;
  const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), o, 0);
  const Eigen::MatrixXd y = run_stage(p, x);
  const PreparedTile& t = p.tiles[0];
  const DetectorModel& d = p.detector;
  const Eigen::VectorXd clean = f.w * x0;
  const Eigen::VectorXcd z = t.program.matrix() * x0.cast<cdouble>();  // realized field (per unit input)
  const double xmax = x0.cwiseAbs().maxCoeff();
  const double mode_w = o.laser_power_mw * 1e-3 * d.input_power_factor;  // per input channel
  const double rx_w = mode_w * d.receiver_power_factor;
  const double scale = 2.0 * d.responsivity_a_per_w * std::sqrt(d.lo_power_w * rx_w);
  for (int i = 0; i < 4; ++i) {
    double var = 0.0;
    if (shot) {
      const double sig = rx_w * std::norm(z(i) / xmax);
      var += 2.0 * 1.602176634e-19 * (d.responsivity_a_per_w * (sig + d.lo_power_w) + 2.0 * d.dark_current_a) *
             d.bandwidth_hz;
    }
    if (thermal) var += d.tia_noise_a_per_rthz * d.tia_noise_a_per_rthz * d.bandwidth_hz;
    const double predicted = t.electronic_gain * xmax * std::sqrt(var) / scale;
    const double mean = y.row(i).mean();
    const double sd = std::sqrt((y.row(i).array() - mean).square().sum() / (n - 1));
    // 4000 samples: the sample sd is within 1.1% (1 sigma) of the truth; 6% is > 5 sigma.
    EXPECT_NEAR(sd / predicted, 1.0, 0.06) << "output " << i;
    // The mean is the clean output up to 5 standard errors (plus the loss-imbalance residual when lossy).
    const double tol =
        5.0 * predicted / std::sqrt(n) + (loss ? t.calibration_residual * f.w.norm() * x0.norm() : 1e-12);
    EXPECT_NEAR(mean, clean(i), tol) << "output " << i;
  }
}

TEST(Stage, ThermalNoiseMatchesFormula) {
  check_noise(false, true, false);
}
TEST(Stage, ShotNoiseMatchesFormula) {
  check_noise(true, false, false);
}
TEST(Stage, BothNoisesWithLossesMatchFormula) {
  check_noise(true, true, true);
}

TEST(Stage, ZeroInputContributesNothingEvenWithNoise) {
  Fixture f(5, 16, 8, 13);
  SimOptions o;
  o.thermal_noise = true;
  const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), o, 0);
  // All-zero input blocks are not run (the tiles are skipped): no signal, and no receiver noise either.
  EXPECT_EQ(run_stage(p, Eigen::MatrixXd::Zero(16, 9)).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_GT(run_stage(p, test::random_real(16, 9, 14)).cwiseAbs().maxCoeff(), 0.0);
}

TEST(Stage, CouplerCorrectionKeepsTheProgrammingThatDetectsCloser) {
  // --correct-couplers computes the corrected programming and keeps it only when the real part of the tile
  // matrix (what the homodyne receivers read) is closer to the target than with the nominal phases. Over
  // several draws and error sizes: the kept tile's detected error is exactly the smaller of the two, and
  // never above the uncorrected chip's.
  Fixture f(16, 16, 16, 15);
  const Eigen::MatrixXd target =
      FastProgram::compile(tile_path(nominal_state(circuit::read_tile(f.nl, "tile0"), test::test_pdk(), false)))
          .matrix()
          .real();
  int kept = 0, dropped = 0;
  for (double sigma : {0.01, 0.03, 0.08}) {
    for (uint64_t seed = 0; seed < 6; ++seed) {
      SimOptions o;
      o.use_pdk_loss = false;
      o.coupler_sigma_rad = sigma;
      o.seed = seed;
      const double raw =
          (prepare_stage(f.nl, f.stage, test::test_pdk(), o, 0).tiles[0].program.matrix().real() - target).norm();
      o.correct_couplers = true;
      const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), o, 0);
      const TileState& st = p.tiles[0].state;
      ASSERT_TRUE(st.correction_tried);
      const double got = (p.tiles[0].program.matrix().real() - target).norm();
      // Same matrices up to the summation order of two different code paths: 1e-12 of the error.
      EXPECT_NEAR(got, std::min(st.correction_error, st.uncorrected_error), 1e-12 * (1.0 + got));
      EXPECT_NEAR(st.uncorrected_error, raw, 1e-12 * (1.0 + raw));
      EXPECT_LE(got, raw * (1.0 + 1e-12));
      EXPECT_EQ(st.correction_kept, st.correction_error <= st.uncorrected_error);
      (st.correction_kept ? kept : dropped) += 1;
    }
  }
  // Both outcomes occur on this tile (small errors: mostly in quadrature, the nominal phases win; large
  // errors: the correction wins), so both branches are exercised.
  EXPECT_GT(kept, 0);
  EXPECT_GT(dropped, 0);
}

TEST(Stage, Errors) {
  Fixture f(6, 6, 4, 17);
  const pdk::Pdk& pdk = test::test_pdk();
  const Eigen::MatrixXd x = test::random_real(6, 3, 18);
  SimOptions o;
  {
    circuit::Stage s = f.stage;
    s.domain = "electronic";
    EXPECT_EQ(error_code([&] { prepare_stage(f.nl, s, pdk, o, 0); }), "SIM-BAD-STAGE");
  }
  {
    circuit::Stage s = f.stage;
    s.tiles[0].row0 = 5;  // 4 rows from 5 leave the 6-row matrix
    EXPECT_EQ(error_code([&] { prepare_stage(f.nl, s, pdk, o, 0); }), "SIM-BAD-STAGE");
  }
  {
    circuit::Stage s = f.stage;
    s.tiles[1].cols = 1;  // the cell is 4 x 2
    EXPECT_EQ(error_code([&] { prepare_stage(f.nl, s, pdk, o, 0); }), "SIM-BAD-STAGE");
  }
  {
    circuit::Stage s = f.stage;
    s.tiles[0].cell = "missing";  // the contract reader's error
    EXPECT_EQ(error_code([&] { prepare_stage(f.nl, s, pdk, o, 0); }), "CIRCUIT-CONTRACT");
  }
  const PreparedStage p = prepare_stage(f.nl, f.stage, pdk, o, 0);
  EXPECT_EQ(error_code([&] { run_stage(p, Eigen::MatrixXd::Zero(5, 3)); }), "SIM-BAD-SHAPE");
  Eigen::MatrixXd bad = x;
  bad(2, 1) = std::nan("");
  EXPECT_EQ(error_code([&] { run_stage(p, bad); }), "SIM-NOT-FINITE");
  for (auto change : std::vector<std::function<void(SimOptions&)>>{
           [](SimOptions& s) { s.dac_bits = 30; }, [](SimOptions& s) { s.coupler_sigma_rad = -0.1; },
           [](SimOptions& s) { s.phase_noise_rad = std::nan(""); },
           [](SimOptions& s) { s.shot_noise = true, s.laser_power_mw = 0.0; }}) {
    SimOptions b;
    change(b);
    EXPECT_EQ(error_code([&] { prepare_stage(f.nl, f.stage, pdk, b, 0); }), "SIM-BAD-OPTION");
  }
}

}  // namespace
}  // namespace holo::sim
