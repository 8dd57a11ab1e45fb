// Impairment draws: determinism, DAC quantization, coupler errors and their correction, phase noise.
#include "holo/sim/realize.h"

#include <gtest/gtest.h>

#include "holo/sim/fast_path.h"
#include "holo/support/error.h"
#include "sim_test_util.h"

namespace holo::sim {
namespace {

using test::max_abs;

// A tile whose MZIs all sit well inside the reachable range of slightly imperfect couplers: theta in
// [0.6, pi - 0.6] (cross power 0.09..0.91), attenuator transmissions 0.3..0.9.
circuit::TileView moderate_tile(int rows, int cols, uint64_t seed) {
  linalg::Rng rng(seed);
  auto mesh = [&](int n) {
    circuit::MeshView v;
    linalg::Mesh& m = v.mesh;
    m.n = n;
    for (int c = 0; c < n; ++c) {
      for (int k = c % 2; k + 1 < n; k += 2) {
        m.mzis.push_back({k, 0, 0.6 + (linalg::kPi - 1.2) * rng.uniform(), linalg::kTwoPi * rng.uniform()});
      }
    }
    for (int i = 0; i < n; ++i) m.output_phase_rad.push_back(linalg::kTwoPi * rng.uniform());
    linalg::assign_columns(m);
    return v;
  };
  circuit::TileView t;
  t.cell = "t";
  t.rows = rows;
  t.cols = cols;
  circuit::CoherentTile c;
  c.rank = std::min(rows, cols);
  c.vh = mesh(cols);
  c.u = mesh(rows);
  for (int64_t k = 0; k < c.rank; ++k) {
    circuit::Attenuator a;
    a.transmission = 0.3 + 0.6 * rng.uniform();
    test::attenuator_phases(a.transmission, a.theta_rad, a.phi_rad);
    c.att.attenuators.push_back(a);
  }
  t.body = c;
  return t;
}

// The coherent parts of a state or a view (the only tile kind these tests draw).
const CoherentTileState& coherent(const TileState& s) {
  return std::get<CoherentTileState>(s.body);
}
const circuit::CoherentTile& coherent(const circuit::TileView& t) {
  return std::get<circuit::CoherentTile>(t.body);
}

Eigen::MatrixXcd matrix_of(const TileState& s) {
  return FastProgram::compile(tile_path(s)).matrix();
}

bool same_state(const TileState& sa, const TileState& sb) {
  const CoherentTileState &a = coherent(sa), &b = coherent(sb);
  auto same_mesh = [](const MeshState& x, const MeshState& y) {
    if (x.mesh.mzis.size() != y.mesh.mzis.size() || x.errors.size() != y.errors.size()) return false;
    for (size_t k = 0; k < x.mesh.mzis.size(); ++k) {
      if (x.mesh.mzis[k].theta_rad != y.mesh.mzis[k].theta_rad || x.mesh.mzis[k].phi_rad != y.mesh.mzis[k].phi_rad)
        return false;
    }
    for (size_t k = 0; k < x.errors.size(); ++k) {
      if (x.errors[k].a_rad != y.errors[k].a_rad || x.errors[k].b_rad != y.errors[k].b_rad) return false;
    }
    return x.mesh.output_phase_rad == y.mesh.output_phase_rad;
  };
  if (!same_mesh(a.vh, b.vh) || !same_mesh(a.u, b.u) || a.att.size() != b.att.size()) return false;
  for (size_t k = 0; k < a.att.size(); ++k) {
    if (a.att[k].theta_rad != b.att[k].theta_rad || a.att[k].phi_rad != b.att[k].phi_rad ||
        a.att[k].error.a_rad != b.att[k].error.a_rad || a.att[k].error.b_rad != b.att[k].error.b_rad)
      return false;
  }
  return true;
}

TEST(Realize, NoImpairmentIsTheNominalChip) {
  const circuit::TileView t = moderate_tile(5, 4, 1);
  const TileState s = realize_tile(t, test::test_pdk(), SimOptions::nominal(), 0, 0);
  EXPECT_TRUE(same_state(s, nominal_state(t, test::test_pdk(), true)));
  EXPECT_FALSE(s.coupler_errors);
  EXPECT_NEAR(s.mzi_loss, std::pow(10.0, -0.4 / 20.0), 1e-15);  // the PDK's 0.4 dB MZI, as a field factor
}

TEST(Realize, DrawsAreDeterministicPerSeedStageAndTile) {
  const circuit::TileView t = moderate_tile(6, 6, 2);
  SimOptions o = SimOptions::nominal();
  o.coupler_sigma_rad = 0.03;
  o.phase_noise_rad = 0.01;
  o.seed = 5;
  const TileState a = realize_tile(t, test::test_pdk(), o, 1, 2);
  EXPECT_TRUE(same_state(a, realize_tile(t, test::test_pdk(), o, 1, 2)));
  EXPECT_FALSE(same_state(a, realize_tile(t, test::test_pdk(), o, 1, 3)));
  EXPECT_FALSE(same_state(a, realize_tile(t, test::test_pdk(), o, 2, 2)));
  o.seed = 6;
  EXPECT_FALSE(same_state(a, realize_tile(t, test::test_pdk(), o, 1, 2)));
}

TEST(Realize, DacPutsEveryPhaseOnTheGrid) {
  const circuit::TileView t = moderate_tile(4, 4, 3);
  SimOptions o = SimOptions::nominal();
  o.dac_bits = 6;
  const TileState s = realize_tile(t, test::test_pdk(), o, 0, 0);
  const double step = linalg::kTwoPi / 64.0;
  auto on_grid = [&](double p) {
    EXPECT_GE(p, 0.0);
    EXPECT_LT(p, linalg::kTwoPi);
    // k * step computed in double: within an ulp of the grid point.
    EXPECT_NEAR(p / step, std::round(p / step), 1e-9);
  };
  for (const auto& z : coherent(s).vh.mesh.mzis) on_grid(z.theta_rad), on_grid(z.phi_rad);
  for (double p : coherent(s).u.mesh.output_phase_rad) on_grid(p);
  for (const auto& a : coherent(s).att) on_grid(a.theta_rad), on_grid(a.phi_rad);
}

TEST(Realize, DacErrorShrinksWithBits) {
  const circuit::TileView t = moderate_tile(8, 8, 4);
  const Eigen::MatrixXcd ideal = matrix_of(nominal_state(t, test::test_pdk(), false));
  double previous = 1e9;
  std::vector<double> err;
  for (int bits : {4, 6, 8, 10, 12}) {
    SimOptions o = SimOptions::nominal();
    o.use_pdk_loss = false;
    o.dac_bits = bits;
    err.push_back((matrix_of(realize_tile(t, test::test_pdk(), o, 0, 0)) - ideal).norm());
    EXPECT_LT(err.back(), previous) << bits << " bits";
    previous = err.back();
  }
  // Rounding errors ~ step / sqrt(12) halve per bit: 8 more bits, about 256x smaller; allow 64x for the
  // randomness of a few dozen phases.
  EXPECT_GT(err.front() / err.back(), 64.0);
}

TEST(Realize, CorrectionRestoresATileWithinRange) {
  const circuit::TileView t = moderate_tile(6, 5, 5);
  const Eigen::MatrixXcd nominal =
      matrix_of(nominal_state(t, test::test_pdk(), true, true));  // default options: balanced
  SimOptions o = SimOptions::nominal();
  o.coupler_sigma_rad = 0.02;
  o.seed = 11;
  const TileState raw = realize_tile(t, test::test_pdk(), o, 0, 0);
  o.correct_couplers = true;
  const TileState fixed = realize_tile(t, test::test_pdk(), o, 0, 0);
  EXPECT_EQ(fixed.out_of_range, 0);
  const double before = max_abs(matrix_of(raw) - nominal);
  const double after = max_abs(matrix_of(fixed) - nominal);
  // The local correction is exact whenever every MZI is in range (linalg::correct_couplers): rounding only.
  EXPECT_LE(after, 1e-12);
  // 2% coupler errors distort entries by ~1e-2.
  EXPECT_GT(before, 1e-3);
}

TEST(Realize, AttenuatorCorrection) {
  linalg::Rng rng(8);
  int in_range = 0;
  for (int k = 0; k < 200; ++k) {
    const double th = linalg::kTwoPi * rng.uniform(), ph = linalg::kTwoPi * rng.uniform();
    const linalg::CouplerError e{0.05 * rng.normal(), 0.05 * rng.normal()};
    const AttenuatorCorrection c = correct_attenuator(th, ph, e);
    const cdouble target = linalg::mzi_matrix(th, ph)(0, 0);
    const cdouble got = linalg::mzi_matrix(c.theta_rad, c.phi_rad, e)(0, 0);
    if (c.in_range) {
      ++in_range;
      // arccos / arg of O(1) quantities: a few ulp, amplified near the range edges; 1e-10 is comfortable.
      EXPECT_LE(std::abs(got - target), 1e-10) << k;
    } else {
      // Out of range: the nearest reachable bar power, phase still matched.
      EXPECT_LE(std::abs(std::arg(got * std::conj(target))), 1e-9) << k;
    }
  }
  EXPECT_GT(in_range, 150);  // most random targets are reachable with 5% errors
  // Full transmission needs a = b exactly: unreachable with a != b.
  EXPECT_FALSE(correct_attenuator(linalg::kPi, 0.0, {0.03, -0.02}).in_range);
}

TEST(Realize, PhaseNoiseHasTheRequestedSize) {
  const circuit::TileView t = moderate_tile(16, 16, 9);
  SimOptions o = SimOptions::nominal();
  o.use_pdk_loss = false;
  o.phase_noise_rad = 0.01;
  o.seed = 3;
  const TileState s = realize_tile(t, test::test_pdk(), o, 0, 0);
  double sum2 = 0.0;
  int n = 0;
  auto add = [&](double noisy, double clean) {
    double d = std::remainder(noisy - clean, linalg::kTwoPi);
    sum2 += d * d;
    ++n;
  };
  const linalg::Mesh& clean = coherent(t).vh.mesh;
  const linalg::Mesh& noisy = coherent(s).vh.mesh;
  for (size_t k = 0; k < clean.mzis.size(); ++k) {
    add(noisy.mzis[k].theta_rad, clean.mzis[k].theta_rad);
    add(noisy.mzis[k].phi_rad, clean.mzis[k].phi_rad);
  }
  // ~240 draws: the sample standard deviation is within 15% of sigma with overwhelming probability (~5 sigma).
  EXPECT_NEAR(std::sqrt(sum2 / n), 0.01, 0.0015);
}

TEST(Realize, StreamsDiffer) {
  EXPECT_NE(stream_seed(1, 0, 0, Stream::Coupler), stream_seed(1, 0, 0, Stream::Phase));
  EXPECT_NE(stream_seed(1, 0, 0, Stream::Detector, 0), stream_seed(1, 0, 0, Stream::Detector, 1));
  EXPECT_NE(stream_seed(1, 0, 1, Stream::Coupler), stream_seed(1, 1, 0, Stream::Coupler));
  EXPECT_EQ(stream_seed(9, 2, 3, Stream::Phase, 4), stream_seed(9, 2, 3, Stream::Phase, 4));
}

}  // namespace
}  // namespace holo::sim
