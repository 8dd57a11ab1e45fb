// Thermal crosstalk model (sim/thermal.h, docs/physics.md#thermal-crosstalk): the image-method temperature rise
// against closed forms and an independent 2-D finite-difference solve of the die cross-section, the crosstalk
// matrix's normalisation, and the compensated programming.
#include "holo/sim/thermal.h"

#include <gtest/gtest.h>

#include <Eigen/SparseLU>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "holo/linalg/random.h"
#include "sim_test_util.h"
#include "test_support.h"

namespace holo::sim {
namespace {

constexpr double kPi = std::numbers::pi;

ThermalStack bundled_stack() {
  return thermal_stack(test::test_pdk());
}

// The source and waveguide heights the model uses for the bundled PDK (box 2 um, core 0.22 um, heater 2 um above
// the core, 3 um of cladding over the core).
TEST(Thermal, StackFromThePdk) {
  const ThermalStack s = bundled_stack();
  HOLO_EXPECT_CLOSE(s.waveguide_y_um, 2.11, holo::test::Tol::Double);
  HOLO_EXPECT_CLOSE(s.heater_y_um, 4.22, holo::test::Tol::Double);
  HOLO_EXPECT_CLOSE(s.top_y_um, 5.22, holo::test::Tol::Double);
  HOLO_EXPECT_CLOSE(s.heater_width_um, 2.0, holo::test::Tol::Double);
  HOLO_EXPECT_CLOSE(s.p_pi_mw, 24.77, holo::test::Tol::Double);
  EXPECT_TRUE(s.adiabatic_top);
}

// Without a top surface the model is the one image pair of docs/physics.md:
// T = (P' / 2 pi k) (1/2) ln[(x^2 + (y + h)^2) / (x^2 + (y - h)^2)], written here directly.
TEST(Thermal, SingleImagePairIsTheClosedForm) {
  ThermalStack s = bundled_stack();
  s.adiabatic_top = false;
  for (double x : {0.0, 0.5, 2.0, 10.0, 20.0, 40.0, 200.0})
    for (double y : {0.3, 2.11, 3.5}) {
      const double h = 4.22;
      const double want = 0.5 * std::log((x * x + (y + h) * (y + h)) / (x * x + (y - h) * (y - h))) / (2 * kPi);
      // Tol::Double: one log against log1p of the same ratio.
      HOLO_EXPECT_CLOSE(line_source_rise(s, x, y, h), want, holo::test::Tol::Double);
    }
}

// The slab's closed form (substrate at 0, adiabatic top at D) against the eigenfunction series of the same
// problem, sum_m sin(mu_m y) sin(mu_m h) exp(-mu_m |x|) / (mu_m D), mu_m = (2m + 1) pi / 2D: an analytic result
// derived independently of the image sum. Far from the heater both decay as exp(-pi |x| / 2D).
TEST(Thermal, SlabClosedFormIsTheEigenfunctionSeries) {
  const ThermalStack s = bundled_stack();
  const double d = s.top_y_um;
  for (double x : {0.5, 1.0, 5.0, 20.0, 40.0, 60.0})
    for (double y : {0.3, 2.11, 5.0}) {
      const double h = s.heater_y_um;
      double series = 0;
      for (int m = 0; m < 4000; ++m) {
        const double mu = (2 * m + 1) * kPi / (2 * d);
        series += std::sin(mu * y) * std::sin(mu * h) * std::exp(-mu * std::fabs(x)) / (mu * d);
      }
      // 1e-12 relative: the series' tail at m = 4000 is below exp(-0.5 * 2400) for x >= 0.5 um; the rest is
      // rounding of a few thousand terms.
      const double got = line_source_rise(s, x, y, h);
      EXPECT_NEAR(got, series, 1e-12 * std::fabs(series) + 1e-15) << "x " << x << " y " << y;
    }
  // A far top surface gives back the single image pair (the difference is of order (h / D)^2).
  ThermalStack far = s, open = s;
  far.top_y_um = 1e5;
  open.adiabatic_top = false;
  for (double x : {0.0, 2.0, 20.0})
    EXPECT_NEAR(line_source_rise(far, x, 2.11, 4.22), line_source_rise(open, x, 2.11, 4.22),
                1e-6 * line_source_rise(open, x, 2.11, 4.22));
}

// An independent 2-D finite-difference solve of the cross-section in the model's units (T k / P', lengths in um):
// Laplace's equation with the heater's power spread uniformly over its width on one row, T = 0 on the substrate
// (y = 0), no heat flow through the top (ghost row mirrored) nor through the symmetry plane x = 0, T = 0 at
// x = width (far beyond any offset read). 5-point stencil, sparse LU; the heater line and the probe height sit
// between grid rows (hat-function source, bilinear read-out). Returns T at the waveguide height for each offset.
std::vector<double> fd_cross_section(const ThermalStack& s, const std::vector<double>& offsets_um, double hx, int ny,
                                     double width_um) {
  const double hy = s.top_y_um / ny;
  const int nx = static_cast<int>(std::lround(width_um / hx));
  const auto id = [&](int i, int j) { return static_cast<Eigen::Index>(i) * ny + (j - 1); };  // j = 1..ny
  const Eigen::Index n = static_cast<Eigen::Index>(nx) * ny;
  std::vector<Eigen::Triplet<double>> a;
  a.reserve(static_cast<size_t>(n) * 5);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
  const double w = s.heater_width_um;
  for (int i = 0; i < nx; ++i)
    for (int j = 1; j <= ny; ++j) {
      const Eigen::Index r = id(i, j);
      a.emplace_back(r, r, -2 / (hx * hx) - 2 / (hy * hy));
      for (int ii : {i + 1, i - 1}) {
        const int k = ii < 0 ? 1 : ii;  // mirror at x = 0
        if (k < nx) a.emplace_back(r, id(k, j), 1 / (hx * hx));
      }
      for (int jj : {j + 1, j - 1}) {
        const int k = jj > ny ? ny - 1 : jj;  // mirror at the adiabatic top
        if (k >= 1) a.emplace_back(r, id(i, k), 1 / (hy * hy));
      }
      const double u = i * hx;
      const double cover = std::max(0.0, std::min(u + hx / 2, w / 2) - std::max(u - hx / 2, -w / 2)) / hx;
      const double hat = std::max(0.0, 1 - std::fabs(j * hy - s.heater_y_um) / hy) / hy;
      b(r) = -cover * hat / w;
    }
  Eigen::SparseMatrix<double> m(n, n);
  m.setFromTriplets(a.begin(), a.end());
  Eigen::SparseLU<Eigen::SparseMatrix<double>> lu(m);
  EXPECT_EQ(lu.info(), Eigen::Success);
  const Eigen::VectorXd t = lu.solve(b);
  const auto at = [&](int i, int j) { return j == 0 ? 0.0 : t(id(i, j)); };
  std::vector<double> out;
  for (double x : offsets_um) {
    const int i0 = static_cast<int>(x / hx), j0 = static_cast<int>(s.waveguide_y_um / hy);
    const double fx = x / hx - i0, fy = s.waveguide_y_um / hy - j0;
    out.push_back((1 - fx) * (1 - fy) * at(i0, j0) + fx * (1 - fy) * at(i0 + 1, j0) + (1 - fx) * fy * at(i0, j0 + 1) +
                  fx * fy * at(i0 + 1, j0 + 1));
  }
  return out;
}

// The issue asks for agreement within 10% at the mesh's neighbour distances: the waveguide under the heater (0),
// the attenuator arms (10 um, half the mode pitch), the next modes (20, 40, 60 um). With 0.1 um x 0.1 um cells the
// finite-difference error is 0.00-0.13% (second order: halving the cells quarters it), so the test holds the two
// to 1%; the crosstalk ratios printed are what docs/physics.md quotes.
TEST(Thermal, ImageMethodAgreesWithFiniteDifferences) {
  const ThermalStack s = bundled_stack();
  const std::vector<double> offsets = {0.0, 10.0, 20.0, 40.0, 60.0};
  const std::vector<double> fd = fd_cross_section(s, offsets, 0.1, 52, 100.0);
  const double self = heater_rise(s, 0.0);
  for (size_t k = 0; k < offsets.size(); ++k) {
    const double model = heater_rise(s, offsets[k]);
    const double err = (fd[k] - model) / model;
    std::printf("offset %5.1f um: finite differences %.6e, image method %.6e, difference %+.3f%%, crosstalk %.4e\n",
                offsets[k], fd[k], model, 100 * err, model / self);
    EXPECT_LT(std::fabs(err), 0.01) << "offset " << offsets[k] << " um";
  }
}

// The model's own P_pi (from k, dn/dT and the geometry) lands near the measured one; C is normalised to the
// measured value, so this only guards the units (25.9 mW against 24.77).
TEST(Thermal, ModelPPiIsNearTheMeasuredOne) {
  const ThermalStack s = bundled_stack();
  const double p = model_p_pi_mw(s);
  std::printf("model P_pi %.3f mW, measured %.2f mW\n", p, s.p_pi_mw);
  EXPECT_GT(p, 0.8 * s.p_pi_mw);
  EXPECT_LT(p, 1.25 * s.p_pi_mw);
}

TEST(Thermal, CrosstalkMatrixNormalisationAndOverlap) {
  const ThermalStack s = bundled_stack();
  // Three heaters on modes 0, 1, 2 of one column (20 um pitch), one offset along x by half its length, one in
  // the next column (no overlap).
  const std::vector<Segment> h = {{0, 61.6, 0}, {0, 61.6, -20}, {30.8, 92.4, -40}, {300, 361.6, 0}};
  const Eigen::MatrixXd c = crosstalk_matrix(s, h, h);
  const double diag = kPi / s.p_pi_mw;
  for (int i = 0; i < 4; ++i) HOLO_EXPECT_CLOSE(c(i, i), diag, holo::test::Tol::Double);
  const double r20 = heater_rise(s, 20) / heater_rise(s, 0);
  HOLO_EXPECT_CLOSE(c(1, 0), diag * r20, holo::test::Tol::Double);
  HOLO_EXPECT_CLOSE(c(0, 1), diag * r20, holo::test::Tol::Double);
  // Half the length overlaps: half the phase.
  HOLO_EXPECT_CLOSE(c(1, 2), 0.5 * diag * r20, holo::test::Tol::Double);
  EXPECT_EQ(c(3, 0), 0.0);
  EXPECT_EQ(c(0, 3), 0.0);
  // The neighbour at the mode pitch gets 0.40% of a heater's phase (rad per rad).
  EXPECT_GT(r20, 0.0035);
  EXPECT_LT(r20, 0.0045);
  EXPECT_EQ(holo::test::error_code([&] { crosstalk_matrix(s, {{1, 1, 0}}, h); }), "SIM-BAD-THERMAL");
}

// Heaters of a mesh-like block: 16 modes x 6 columns, every column's heaters aligned along x, targets uniform
// over [0, 2 pi) with some exactly 0 beside hot neighbours (MZIs at full cross).
struct Block {
  std::vector<Segment> heaters;
  Eigen::VectorXd target;
};
Block mesh_block(uint64_t seed, bool zeros = true) {
  Block b;
  linalg::Rng rng(seed);
  for (int col = 0; col < 6; ++col)
    for (int m = 0; m < 16; ++m) b.heaters.push_back({col * 300.0, col * 300.0 + 61.6, -20.0 * m});
  b.target.resize(static_cast<Eigen::Index>(b.heaters.size()));
  for (Eigen::Index i = 0; i < b.target.size(); ++i) b.target(i) = zeros && i % 7 == 3 ? 0.0 : 2 * kPi * rng.uniform();
  return b;
}

TEST(Thermal, CompensationRestoresThePhases) {
  const ThermalStack s = bundled_stack();
  const Block b = mesh_block(3);
  const Eigen::MatrixXd c = crosstalk_matrix(s, b.heaters, b.heaters);
  const Compensation r = compensate(c, b.target);
  EXPECT_GE(r.power_mw.minCoeff(), 0.0);
  // The model is exact here (the chip's C is the one compensated for): phases restored modulo 2 pi to < 1e-9 rad
  // (what is left is the rounding of one LU solve, ~1e-14).
  const Eigen::VectorXd got = c * r.power_mw;
  double worst = 0;
  int turns = 0;
  for (Eigen::Index i = 0; i < got.size(); ++i) {
    const double d = std::remainder(got(i) - b.target(i), 2 * kPi);
    worst = std::max(worst, std::fabs(d));
    turns += r.raised[static_cast<size_t>(i)];
  }
  EXPECT_LT(worst, 1e-9);
  EXPECT_LT(r.max_residual_rad, 1e-9);
  EXPECT_GT(turns, 0) << "the zero targets beside heated neighbours need a turn";
  // Programmed without compensation (P_i = target_i / C_ii) the phases are off by the neighbours' heat.
  Eigen::VectorXd naive(b.target.size());
  for (Eigen::Index i = 0; i < naive.size(); ++i) naive(i) = b.target(i) / c(i, i);
  const double uncompensated = (c * naive - b.target).cwiseAbs().maxCoeff();
  std::printf(
      "max phase error uncompensated %.4f rad, compensated %.2e rad; power %.1f -> %.1f mW (%+.2f%%), "
      "%d targets raised by 2 pi\n",
      uncompensated, worst, r.power_uncompensated_mw, r.power_compensated_mw,
      100 * (r.power_compensated_mw / r.power_uncompensated_mw - 1), turns);
  EXPECT_GT(uncompensated, 1e-3);
  HOLO_EXPECT_CLOSE(r.power_uncompensated_mw, naive.sum(), holo::test::Tol::Double);
  // Uniform targets alone (no zeros beside hot neighbours): the neighbours' heat is then mostly a saving.
  const Block u = mesh_block(3, false);
  const Compensation ru = compensate(c, u.target);
  int turns_u = 0;
  for (int32_t t : ru.raised) turns_u += t;
  Eigen::VectorXd naive_u(u.target.size());
  for (Eigen::Index i = 0; i < naive_u.size(); ++i) naive_u(i) = u.target(i) / c(i, i);
  std::printf("uniform targets: max phase error uncompensated %.4f rad\n",
              (c * naive_u - u.target).cwiseAbs().maxCoeff());
  std::printf("uniform targets: power %.1f -> %.1f mW (%+.2f%%), %d targets raised by 2 pi, residual %.2e rad\n",
              ru.power_uncompensated_mw, ru.power_compensated_mw,
              100 * (ru.power_compensated_mw / ru.power_uncompensated_mw - 1), turns_u, ru.max_residual_rad);
  EXPECT_LT(ru.max_residual_rad, 1e-9);
}

// Without crosstalk (one heater per column) compensation is the plain programming: no turn, the same power.
TEST(Thermal, CompensationWithoutCrosstalkIsThePlainProgramming) {
  const ThermalStack s = bundled_stack();
  const std::vector<Segment> h = {{0, 61.6, 0}, {300, 361.6, 0}, {600, 661.6, 0}};
  const Eigen::MatrixXd c = crosstalk_matrix(s, h, h);
  const Eigen::Vector3d target(0.0, 1.0, 2 * kPi - 1e-3);
  const Compensation r = compensate(c, target);
  for (int i = 0; i < 3; ++i) {
    HOLO_EXPECT_CLOSE(r.power_mw(i), target(i) * s.p_pi_mw / kPi, holo::test::Tol::Double);
    EXPECT_EQ(r.raised[static_cast<size_t>(i)], 0);
  }
  HOLO_EXPECT_CLOSE(r.power_compensated_mw, r.power_uncompensated_mw, holo::test::Tol::Double);
}

TEST(Thermal, CompensationRefusesBadInput) {
  const Eigen::MatrixXd c = Eigen::MatrixXd::Identity(2, 2);
  EXPECT_EQ(holo::test::error_code([&] { compensate(c, Eigen::Vector3d(1, 1, 1)); }), "SIM-BAD-THERMAL");
  EXPECT_EQ(holo::test::error_code([&] { compensate(c, Eigen::Vector2d(-1, 1)); }), "SIM-BAD-THERMAL");
  EXPECT_EQ(holo::test::error_code([&] { compensate(c, Eigen::Vector2d(std::nan(""), 1)); }), "SIM-BAD-THERMAL");
  EXPECT_EQ(holo::test::error_code([&] { compensate(Eigen::MatrixXd::Ones(2, 2), Eigen::Vector2d(1, 1)); }),
            "SIM-BAD-THERMAL");
  // A matrix whose heaters cool each other cannot always be met with P >= 0: the turn budget stops it.
  Eigen::Matrix2d neg;
  neg << 1, -2, -2, 1;
  EXPECT_EQ(holo::test::error_code([&] { compensate(neg, Eigen::Vector2d(1, 0), 50); }), "SIM-BAD-THERMAL");
}

TEST(Thermal, MissingFiguresAreNamed) {
  pdk::Pdk p = test::test_pdk();
  p.templates.at("waveguide").figures.erase("box_thickness_um");
  EXPECT_EQ(holo::test::error_code([&] { thermal_stack(p); }), "PDK-MISSING-FIGURE");
  pdk::Pdk q = test::test_pdk();
  q.templates.at("phase_shifter").figures.at("heater_height_um").value = 5.0;
  EXPECT_EQ(holo::test::error_code([&] { thermal_stack(q); }), "PDK-RANGE");
}

}  // namespace
}  // namespace holo::sim
