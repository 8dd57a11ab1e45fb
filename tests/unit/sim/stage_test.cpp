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
  SimOptions o = SimOptions::nominal();
  o.ideal = true;
  const Eigen::MatrixXd y = simulate_stage(f.nl, f.stage, test::test_pdk(), o, 0, x);
  // SVD, decomposition and propagation each ~1e-15 relative, summed over 5 tiles per output.
  EXPECT_LE(rel_max(y, f.w * x), 1e-12);
}

TEST(Stage, LossyChipWithBalancedMeshesComputesWx) {
  Fixture f(16, 16, 8, 3);
  const Eigen::MatrixXd x = test::random_real(16, 40, 4);
  const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), SimOptions::nominal(), 0);
  for (const PreparedTile& t : p.tiles) {
    // 8 + 8 MZI columns at 0.4 dB + 180 um at 2 dB/cm, two screens at 0.23 dB + 61.6 um, one attenuator as an
    // MZI: 7.9 dB inside the tile; the schematic's I/O: grating coupler 5.2 + modulator 4.0 in, receiver 0.1 out.
    const double db = 16 * 0.436 + 2 * (0.23 + 61.6 * 2e-4) + 0.436 + 5.2 + 4.0 + 0.1;
    EXPECT_NEAR(20.0 * std::log10(t.loss_calibration), db, 1e-9);
    EXPECT_NEAR(t.loss_db, db, 1e-9);          // every path loses the same: the worst is any path
    EXPECT_LE(t.calibration_residual, 1e-13);  // exact up to rounding
  }
  EXPECT_LE(rel_max(run_stage(p, x), f.w * x), 1e-12);
}

TEST(Stage, LossyChipWithUnbalancedMeshesKeepsTheImbalanceError) {
  Fixture f(16, 16, 8, 3);
  const Eigen::MatrixXd x = test::random_real(16, 40, 4);
  SimOptions o = SimOptions::nominal();
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
  SimOptions o = SimOptions::nominal();
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
  SimOptions ideal = SimOptions::nominal();
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
void check_noise(bool shot, bool thermal, bool loss, bool rin = false) {
  Fixture f(4, 6, 8, 11);
  const int n = 4000;
  Eigen::VectorXd x0 = test::random_real(6, 1, 12).col(0);
  const Eigen::MatrixXd x = x0.replicate(1, n);
  SimOptions o = SimOptions::nominal();
  o.use_pdk_loss = loss;
  o.shot_noise = shot;
  o.thermal_noise = thermal;
  o.rin = rin;
  o.laser_power_mw = rin ? 50.0 : 0.05;  // low power so that the noise is well above rounding; high for RIN
  o.seed = 1;
  const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), o, 0);
  const Eigen::MatrixXd y = run_stage(p, x);
  const PreparedTile& t = p.tiles[0];
  const DetectorModel& d = p.detector;
  const Eigen::VectorXd clean = f.w * x0;
  // The realized field per unit input, every loss (I/O included) in the program.
  const Eigen::VectorXcd z = t.program.matrix() * x0.cast<cdouble>();
  const double xmax = x0.cwiseAbs().maxCoeff();
  const double laser_w = o.laser_power_mw * 1e-3;  // per input channel
  const double scale = 2.0 * d.responsivity_a_per_w * std::sqrt(d.lo_power_w * laser_w);
  // The noise bandwidth is the symbol rate's (half the slower converter's sample rate), not the receiver's.
  EXPECT_DOUBLE_EQ(d.bandwidth_hz, std::min(d.receiver_bandwidth_hz, 0.5 * d.symbol_rate_hz));
  EXPECT_LT(d.bandwidth_hz, d.receiver_bandwidth_hz);
  for (int i = 0; i < 4; ++i) {
    double var = 0.0;
    const double sig = laser_w * std::norm(z(i) / xmax);
    if (shot) {
      var += 2.0 * 1.602176634e-19 * (d.responsivity_a_per_w * (sig + d.lo_power_w) + 2.0 * d.dark_current_a) *
             d.bandwidth_hz;
    }
    if (thermal) var += d.tia_noise_a_per_rthz * d.tia_noise_a_per_rthz * d.bandwidth_hz;
    if (rin) {
      ASSERT_TRUE(d.has_rin);
      // sigma^2 = RIN I^2 B with I = 2 R sqrt(P_LO P_s) (docs/physics.md#detector-noise).
      var += d.rin_per_hz * 4.0 * d.responsivity_a_per_w * d.responsivity_a_per_w * d.lo_power_w * sig * d.bandwidth_hz;
    }
    const double predicted = t.output_gain[static_cast<size_t>(i)] * xmax * std::sqrt(var) / scale;
    const double mean = y.row(i).mean();
    const double sd = std::sqrt((y.row(i).array() - mean).square().sum() / (n - 1));
    // 4000 samples: the sample sd's relative standard error is 1/sqrt(2 (n - 1)) = 1.1%; within 3 sigma.
    EXPECT_NEAR(sd / predicted, 1.0, 3.0 / std::sqrt(2.0 * (n - 1))) << "output " << i;
    // The mean is the clean output up to 3 standard errors (plus the loss-imbalance residual when lossy).
    const double tol =
        3.0 * predicted / std::sqrt(n) + (loss ? t.calibration_residual * f.w.norm() * x0.norm() : 1e-12);
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
TEST(Stage, LaserRinMatchesFormula) {
  check_noise(false, false, true, true);
}

// The signal path's converters against a direct computation: numpy's rounding (half to even) and clipping,
// np.clip(np.round(v / fs * L), -L, L) * fs / L with L = 2^(b-1) - 1.
TEST(Stage, QuantizeSignalMatchesNumpyRounding) {
  EXPECT_DOUBLE_EQ(quantize_signal(0.5, 1.0, 8), 64.0 / 127.0);  // 63.5 -> 64 (half to even)
  EXPECT_DOUBLE_EQ(quantize_signal(-0.5, 1.0, 8), -64.0 / 127.0);
  EXPECT_DOUBLE_EQ(quantize_signal(1.5 / 127.0, 1.0, 8), 2.0 / 127.0);  // 1.5 -> 2
  EXPECT_DOUBLE_EQ(quantize_signal(2.5 / 127.0, 1.0, 8), 2.0 / 127.0);  // 2.5 -> 2
  EXPECT_DOUBLE_EQ(quantize_signal(-1.2, 1.0, 8), -1.0);                // clipped
  EXPECT_DOUBLE_EQ(quantize_signal(3.0, 2.0, 8), 2.0);                  // clipped at the full scale
  EXPECT_DOUBLE_EQ(quantize_signal(0.49, 1.0, 2), 0.0);                 // 2 bits: -1, 0, 1
  EXPECT_DOUBLE_EQ(quantize_signal(0.51, 1.0, 2), 1.0);
  EXPECT_DOUBLE_EQ(quantize_signal(0.3, 0.6, 4), 4.0 * 0.6 / 7.0);  // 3.5 of 7 levels -> 4
}

// DAC at the modulators and ADC after the receivers (no noise) against a dense computation from the tile's
// realized matrix: y = gain * max|x| * Q_adc(Re(T Q_dac(x / max|x|))), full scale sum_j |T_ij| per output.
TEST(Stage, SignalQuantizationMatchesDenseReference) {
  Fixture f(6, 12, 8, 21);  // 2 x 2 tiles (edge tiles narrower)
  SimOptions o = SimOptions::nominal();
  o.signal_quantization = true;
  const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), o, 0);
  ASSERT_EQ(p.detector.dac_bits, 8);
  ASSERT_EQ(p.detector.adc_bits, 8);
  const Eigen::MatrixXd x = test::random_real(12, 50, 22);
  const Eigen::MatrixXd y = run_stage(p, x);
  auto q = [](double v, double fs, int bits) {
    const double levels = std::pow(2.0, bits - 1) - 1.0;
    double k = std::round(v / fs * levels);
    if (std::fabs(v / fs * levels - std::trunc(v / fs * levels)) == 0.5) k = 2.0 * std::round(0.5 * v / fs * levels);
    return std::min(levels, std::max(-levels, k)) * fs / levels;
  };
  Eigen::MatrixXd ref = Eigen::MatrixXd::Zero(6, 50);
  for (const PreparedTile& t : p.tiles) {
    const Eigen::MatrixXcd m = t.program.matrix();  // realized = nominal here (no draws)
    for (int s = 0; s < 50; ++s) {
      const Eigen::VectorXd xb = x.col(s).segment(t.tile.col0, t.tile.cols);
      const double xmax = xb.cwiseAbs().maxCoeff();
      Eigen::VectorXcd drive(t.tile.cols);
      for (int64_t j = 0; j < t.tile.cols; ++j) drive(j) = q(xb(j) / xmax, 1.0, 8);
      const Eigen::VectorXcd z = m * drive;
      for (int64_t i = 0; i < t.tile.rows; ++i) {
        const double fs = m.row(i).real().cwiseAbs().sum();
        ref(t.tile.row0 + i, s) += t.output_gain[static_cast<size_t>(i)] * xmax * q(z(i).real(), fs, 8);
      }
    }
  }
  EXPECT_LE((y - ref).cwiseAbs().maxCoeff(), 1e-12 * std::max(1.0, ref.cwiseAbs().maxCoeff()));
  // And the converters cost accuracy: 8 bits is about 1% of full scale, well above rounding.
  const double err = rel_max(y, f.w * x);
  EXPECT_GT(err, 1e-4);
  EXPECT_LT(err, 0.1);
}

// Finite extinction: both couplers of an attenuator off by delta = asin(10^(-ER/20)) / 2. The bar entry becomes
// e^{i theta/2} (i sin(theta/2) - eps cos(theta/2)), eps = 10^(-ER/20): the programmed amplitude stays in phase
// (what homodyne detection reads), the leak is in quadrature, and a zero target transmits eps.
TEST(Stage, AttenuatorExtinctionLeaksInQuadrature) {
  Fixture f(8, 8, 8, 31);
  const circuit::TileView t = circuit::read_tile(f.nl, f.stage.tiles[0].cell);
  SimOptions o = SimOptions::nominal();
  o.use_pdk_loss = false;
  o.attenuator_extinction = true;
  const TileState s = realize_tile(t, test::test_pdk(), o, 0, 0);
  const auto& c = std::get<CoherentTileState>(s.body);
  const auto& programmed = std::get<circuit::CoherentTile>(t.body).att.attenuators;
  const double eps = std::pow(10.0, -test::test_pdk().tmpl("attenuator").number("extinction_db") / 20.0);
  ASSERT_EQ(c.att.size(), programmed.size());
  for (size_t k = 0; k < c.att.size(); ++k) {
    const cdouble nominal = linalg::mzi_matrix(programmed[k].theta_rad, programmed[k].phi_rad)(0, 0);
    const cdouble got = linalg::mzi_matrix(c.att[k].theta_rad, c.att[k].phi_rad, c.att[k].error)(0, 0);
    const double half = programmed[k].theta_rad / 2;
    EXPECT_NEAR((got * std::conj(nominal)).real(), std::norm(nominal), 1e-12) << "attenuator " << k;
    EXPECT_NEAR(std::norm(got), std::pow(std::sin(half), 2) + std::pow(eps * std::cos(half), 2), 1e-12) << k;
  }
  // A zero target transmits the floor.
  EXPECT_NEAR(std::abs(linalg::mzi_matrix(0.0, 0.0, c.att[0].error)(0, 0)), eps, 1e-12);
}

// The drawn paths: the loss the simulator propagates (its path's element magnitudes) is the loss model's
// worst path (circuit/path_loss.h, what report.json's stages[].loss_db says), and the I/O, fillers and idle
// slots the layout drew are in it.
TEST(Stage, DrawnPathLossesAreTheLossModels) {
  Fixture f(8, 8, 8, 41);
  circuit::DrawnPaths d;
  d.in_length_um = {3000, 2500, 2000, 1500, 1500, 2000, 2500, 3000};
  d.in_bends = {2, 2, 2, 2, 2, 2, 2, 2};
  d.out_length_um = {1000, 1200, 1400, 1600, 1800, 2000, 2200, 2400};
  d.out_bends = {2, 2, 2, 2, 0, 2, 2, 2};
  d.fill_length_um = 700;
  d.slot_length_um = 180;
  f.stage.tiles[0].drawn = d;
  SimOptions o = SimOptions::nominal();
  o.use_drawn_paths = true;
  o.balanced_mesh_loss = false;
  const PreparedStage p = prepare_stage(f.nl, f.stage, test::test_pdk(), o, 0);
  EXPECT_TRUE(p.drawn_paths);
  const circuit::TileLoss l = circuit::tile_loss(f.stage.tiles[0], test::test_pdk(), {true, true, false});
  const double model = circuit::worst_path_loss_db(circuit::read_tile(f.nl, f.stage.tiles[0].cell), l);
  EXPECT_NEAR(p.loss_db, model, 1e-9);
  // By hand, with equal I/O paths and loss-matched idle slots (every path the same): input grating coupler,
  // modulator, 2000 um and 2 bends in; 2 x 8 MZI columns, 2 screens, 1 attenuator, 700 um of fill; 1500 um and 2
  // bends, the output coupler and the receiver out.
  circuit::Tile uniform = f.stage.tiles[0];
  uniform.drawn->in_length_um.assign(8, 2000.0);
  uniform.drawn->in_bends.assign(8, 2);
  uniform.drawn->out_length_um.assign(8, 1500.0);
  uniform.drawn->out_bends.assign(8, 2);
  const double wg = 2.0e-4;  // dB per um: 2 dB/cm
  const double mzi = 0.4 + 180 * wg, screen = 0.23 + 61.6 * wg;
  const double by_hand =
      (5.2 + 4.0 + 2000 * wg + 0.02) + 16 * mzi + mzi + 2 * screen + 700 * wg + (1500 * wg + 0.02 + 5.2 + 0.1);
  EXPECT_NEAR(circuit::worst_path_loss_db(circuit::read_tile(f.nl, uniform.cell),
                                          circuit::tile_loss(uniform, test::test_pdk(), {true, true, true})),
              by_hand, 1e-9);
  // The schematic's paths lose less (no fan-outs, fillers, output coupler).
  SimOptions s = o;
  s.use_drawn_paths = false;
  EXPECT_LT(prepare_stage(f.nl, f.stage, test::test_pdk(), s, 0).loss_db, p.loss_db - 5.0);
  // Idle slots as drawn lose less than MZIs: the lossy chip is no longer a multiple of the lossless one.
  EXPECT_GT(p.tiles[0].calibration_residual, 1e-3);

  // Temperature drift: the tile becomes diag(e^{i beta}) T diag(e^{i alpha}), alpha_j = k (L_in_j - mean) and
  // beta_i = k (L_out_i - mean), k = (2 pi / lambda) dn/dT dT (lambda 1.55 um, dn/dT 1.86e-4 /K).
  SimOptions warm = o;
  warm.delta_t_k = 0.5;
  const PreparedStage pw = prepare_stage(f.nl, f.stage, test::test_pdk(), warm, 0);
  const double k = 2.0 * linalg::kPi / 1.55 * 1.86e-4 * 0.5;
  const double in_mean = 2250.0, out_mean = 1700.0;
  Eigen::MatrixXcd expect = p.tiles[0].program.matrix();
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j)
      expect(i, j) *= std::polar(1.0, k * (d.in_length_um[j] - in_mean) + k * (d.out_length_um[i] - out_mean));
  EXPECT_LE((pw.tiles[0].program.matrix() - expect).cwiseAbs().maxCoeff(), 1e-12 * expect.cwiseAbs().maxCoeff());
  // The calibration (gain, ADC full scale, loss) is the reference temperature's.
  EXPECT_EQ(pw.tiles[0].loss_calibration, p.tiles[0].loss_calibration);
  EXPECT_EQ(pw.loss_db, p.loss_db);
}

// The worst path element by element (circuit::worst_path, report.html's loss breakdown): its loss is
// worst_path_loss_db's, it crosses one element per mesh column, one attenuator and both screens, and its elements'
// losses add up to it.
TEST(Stage, WorstPathElementsAddUpToItsLoss) {
  Fixture f(8, 8, 8, 41);
  circuit::DrawnPaths d;
  d.in_length_um = {3000, 2500, 2000, 1500, 1500, 2000, 2500, 3000};
  d.in_bends = {2, 2, 2, 2, 2, 2, 2, 2};
  d.out_length_um = {1000, 1200, 1400, 1600, 1800, 2000, 2200, 2400};
  d.out_bends = {2, 2, 2, 2, 0, 2, 2, 2};
  d.fill_length_um = 700;
  d.slot_length_um = 180;
  f.stage.tiles[0].drawn = d;
  const circuit::TileView tv = circuit::read_tile(f.nl, f.stage.tiles[0].cell);
  for (const bool balanced : {false, true}) {
    const circuit::TileLoss l = circuit::tile_loss(f.stage.tiles[0], test::test_pdk(), {true, true, balanced});
    const circuit::WorstPath p = circuit::worst_path(tv, l);
    EXPECT_EQ(p.loss_db, circuit::worst_path_loss_db(tv, l));
    ASSERT_GE(p.input, 0);
    ASSERT_GE(p.output, 0);
    EXPECT_EQ(p.vh_mzis + p.vh_idle_slots, 8);  // Clements: 8 columns
    EXPECT_EQ(p.u_mzis + p.u_idle_slots, 8);
    EXPECT_EQ(p.attenuators, 1);
    EXPECT_EQ(p.vh_screens + p.u_screens, 2);
    const double sum = l.in_db[static_cast<size_t>(p.input)] + static_cast<double>(p.vh_mzis + p.u_mzis) * l.mzi_db +
                       static_cast<double>(p.vh_idle_slots + p.u_idle_slots) * l.idle_slot_db +
                       static_cast<double>(p.vh_screens + p.u_screens) * l.screen_db + l.attenuator_db + l.fill_db +
                       l.out_db[static_cast<size_t>(p.output)];
    EXPECT_NEAR(sum, p.loss_db, 1e-9);  // the same terms summed in another order: rounding of ~40 additions
  }
  // Unequal I/O: the worst path leaves through the longest fan-out (2400 um, out 7) when the mesh is balanced
  // (every path through it loses the same).
  const circuit::TileLoss bl = circuit::tile_loss(f.stage.tiles[0], test::test_pdk(), {true, true, true});
  const circuit::WorstPath bp = circuit::worst_path(tv, bl);
  EXPECT_EQ(bp.output, 7);
  EXPECT_TRUE(bp.input == 0 || bp.input == 7);  // the 3000 um fan-ins
}

TEST(Stage, ZeroInputContributesNothingEvenWithNoise) {
  Fixture f(5, 16, 8, 13);
  SimOptions o = SimOptions::nominal();
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
      SimOptions o = SimOptions::nominal();
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
  SimOptions o = SimOptions::nominal();
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
    SimOptions b = SimOptions::nominal();
    change(b);
    EXPECT_EQ(error_code([&] { prepare_stage(f.nl, f.stage, pdk, b, 0); }), "SIM-BAD-OPTION");
  }
}

}  // namespace
}  // namespace holo::sim
