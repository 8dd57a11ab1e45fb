#include "holo/linalg/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "holo/linalg/decompose.h"
#include "holo/linalg/random.h"
#include "holo/support/error.h"
#include "linalg_test_util.h"
#include "test_support.h"

namespace holo::linalg {
namespace {

TEST(Quantize, LinearPhaseGrid) {
  const QuantizeOptions o{3, DacModel::LinearPhase};  // step pi/4
  HOLO_EXPECT_CLOSE(quantize_phase(0.1, o), 0.0, test::Tol::Exact);
  HOLO_EXPECT_CLOSE(quantize_phase(0.7, o), kPi / 4, test::Tol::Double);
  HOLO_EXPECT_CLOSE(quantize_phase(kPi, o), kPi, test::Tol::Exact);
  HOLO_EXPECT_CLOSE(quantize_phase(kTwoPi - 0.1, o), 0.0, test::Tol::Exact);  // wraps to code 0
  HOLO_EXPECT_CLOSE(quantize_phase(-kPi / 4, o), 7 * kPi / 4, test::Tol::Double);
  // Every output is a level 2 pi k / 8.
  Rng rng(1);
  for (int i = 0; i < 200; ++i) {
    const double q = quantize_phase(10 * rng.uniform() - 5, o);
    const double k = q / (kTwoPi / 8);
    EXPECT_NEAR(k, std::round(k), 1e-12);  // k computed from a product of doubles
    EXPECT_LT(q, kTwoPi);
  }
}

TEST(Quantize, LinearVoltageGrid) {
  const QuantizeOptions o{4, DacModel::LinearVoltage};  // phases 2 pi (k/16)^2
  Rng rng(2);
  for (int i = 0; i < 500; ++i) {
    const double p = kTwoPi * rng.uniform();
    const double q = quantize_phase(p, o);
    const double k = std::sqrt(q / kTwoPi) * 16;
    EXPECT_NEAR(k, std::round(k), 1e-9);  // sqrt of a level reproduces its code to rounding
    // Nearest level in phase: no other level is closer (on the circle).
    auto circ = [](double a, double b) { return std::min(std::fabs(a - b), kTwoPi - std::fabs(a - b)); };
    for (int c = 0; c < 16; ++c) {
      const double level = kTwoPi * (c / 16.0) * (c / 16.0);
      EXPECT_LE(circ(p, q), circ(p, level) + 1e-12);
    }
  }
  // Small phases are resolved finely, phases near 2 pi coarsely (step ~ 2 x the linear-phase step).
  EXPECT_LT(quantize_phase(0.03, o), 0.05);
}

TEST(Quantize, ErrorHalvesPerBit) {
  const Eigen::MatrixXcd u = haar_unitary(32, 7);
  const Mesh mesh = decompose(u);
  for (DacModel model : {DacModel::LinearPhase, DacModel::LinearVoltage}) {
    SCOPED_TRACE(dac_model_name(model));
    std::vector<double> err;
    for (int bits = 6; bits <= 14; ++bits) {
      const Mesh q = quantize(mesh, {bits, model});
      err.push_back(relative_error(u, reconstruct(q)));
    }
    // Rounding error is uniform on +-step/2, so the error scales with the step: ~2x per bit. Single
    // ratios fluctuate (a few hundred phases); the average over 8 bits is within 10% of 2.
    const double mean_ratio = std::pow(err.front() / err.back(), 1.0 / (err.size() - 1));
    EXPECT_GT(mean_ratio, 1.8);
    EXPECT_LT(mean_ratio, 2.2);
    for (size_t i = 1; i < err.size(); ++i) {
      EXPECT_GT(err[i - 1] / err[i], 1.3) << i;
      EXPECT_LT(err[i - 1] / err[i], 3.0) << i;
    }
  }
}

TEST(Quantize, SvdAndTiledLayers) {
  Rng rng(3);
  const Eigen::MatrixXd w = gaussian_matrix(20, 12, rng, false).real();
  TilingOptions o;
  o.tile = 8;
  const TiledLayer t = map_tiled(w, o);
  const double e8 = relative_error(w.cast<cdouble>(), reconstruct(quantize(t, {8, DacModel::LinearPhase})));
  const double e12 = relative_error(w.cast<cdouble>(), reconstruct(quantize(t, {12, DacModel::LinearPhase})));
  EXPECT_GT(e8, 1e-4);     // 8-bit steps of 0.025 rad leave a visible error
  EXPECT_LT(e12, e8 / 8);  // four more bits: ~16x smaller
  const SvdLayer l = quantize(map_svd(w), {10, DacModel::LinearVoltage});
  for (double th : l.attenuator_theta_rad) {
    const double k = std::sqrt(th / kTwoPi) * 1024;
    EXPECT_NEAR(k, std::round(k), 1e-8);  // attenuators are quantized too
  }
}

TEST(Quantize, RejectsBadOptions) {
  try {
    quantize_phase(1.0, {0, DacModel::LinearPhase});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "LINALG-BAD-OPTION");
  }
  EXPECT_THROW(quantize_phase(1.0, {25, DacModel::LinearPhase}), Error);
  EXPECT_THROW(parse_dac_model("log"), Error);
  EXPECT_EQ(parse_dac_model("linear-voltage"), DacModel::LinearVoltage);
}

}  // namespace
}  // namespace holo::linalg
