// The general S-matrix solver: agreement with the structured simulator on tiles (lossless, lossy, with
// coupler errors and phase noise), reciprocity, unitarity, non-mesh netlists (an MZI built from couplers,
// hierarchy, a ring with feedback) against closed forms, and its errors.
#include "holo/sim/smatrix.h"

#include <gtest/gtest.h>

#include "holo/circuit/compiled.h"
#include "holo/sim/fast_path.h"
#include "holo/sim/realize.h"
#include "holo/support/error.h"
#include "sim_test_util.h"

namespace holo::sim {
namespace {

using test::max_abs;

std::string error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.code();
  }
  return "none";
}

// T (rows x cols) out of the solver's S-matrix of a tile cell.
Eigen::MatrixXcd transfer(const NetworkSMatrix& s, int64_t rows, int64_t cols) {
  Eigen::MatrixXcd t(rows, cols);
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) t(i, j) = s.s(s.index(test::idx("out", i)), s.index(test::idx("in", j)));
  }
  return t;
}

const std::vector<std::pair<int, int>> kShapes = {{1, 1}, {2, 2}, {3, 3},  {8, 8}, {16, 16},
                                                  {3, 5}, {5, 3}, {2, 16}, {16, 2}};

TEST(SMatrix, AgreesWithStructuredSimulatorOnTiles) {
  for (bool lossy : {false, true}) {
    for (auto [rows, cols] : kShapes) {
      circuit::Netlist nl;
      test::add_tile(nl, "t", test::random_complex(rows, cols, 100 * rows + cols));
      const circuit::TileView model = circuit::read_tile(nl, "t");
      const Eigen::MatrixXcd fast =
          FastProgram::compile(tile_path(nominal_state(model, test::test_pdk(), lossy))).matrix();
      SolverOptions so;
      so.use_pdk_loss = lossy;
      const NetworkSMatrix s = solve_cell(nl, test::test_pdk(), "t", so);
      // Issue 4's bar: two independent computations of the same tile agree to 1e-10 (both are ~1e-14 accurate).
      EXPECT_LE(max_abs(transfer(s, rows, cols) - fast), 1e-10) << rows << "x" << cols << (lossy ? " lossy" : "");
      // Reciprocal components give a symmetric S: a sparse LU solve, rounding ~1e-15 per entry.
      EXPECT_LE(max_abs(s.s - s.s.transpose()), 1e-12) << rows << "x" << cols;
      if (lossy) {
        // 0.4 dB per MZI: the lossy tile transmits strictly less than the lossless one.
        EXPECT_LT(
            fast.norm(),
            FastProgram::compile(tile_path(nominal_state(model, test::test_pdk(), false))).matrix().norm() + 1e-15);
      }
    }
  }
}

TEST(SMatrix, AgreesOnReckTiles) {
  for (auto [rows, cols] : {std::pair{8, 8}, {5, 3}, {3, 6}}) {
    circuit::Netlist nl;
    test::add_tile(nl, "t", test::random_complex(rows, cols, 31 * rows + cols), linalg::MeshMethod::Reck);
    const circuit::TileView model = circuit::read_tile(nl, "t");
    const Eigen::MatrixXcd fast =
        FastProgram::compile(tile_path(nominal_state(model, test::test_pdk(), true))).matrix();
    SolverOptions so;
    so.use_pdk_loss = true;
    // Triangular meshes have unbalanced paths; still the same physics in both simulators: 1e-10.
    EXPECT_LE(max_abs(transfer(solve_cell(nl, test::test_pdk(), "t", so), rows, cols) - fast), 1e-10);
  }
}

TEST(SMatrix, AgreesUnderCouplerErrorsPhaseNoiseAndDac) {
  SimOptions o = SimOptions::nominal();
  o.coupler_sigma_rad = 0.02;
  o.phase_noise_rad = 0.01;
  o.dac_bits = 10;
  o.seed = 17;
  o.balanced_mesh_loss = false;  // the solver sees the netlist's components only
  for (bool correct : {false, true}) {
    o.correct_couplers = correct;
    for (auto [rows, cols] : {std::pair{8, 8}, {5, 3}, {3, 5}}) {
      circuit::Netlist nl;
      test::add_tile(nl, "t", test::random_complex(rows, cols, 7 * rows + cols));
      const circuit::TileView model = circuit::read_tile(nl, "t");
      const TileState st = realize_tile(model, test::test_pdk(), o, 0, 0);
      const Eigen::MatrixXcd fast = FastProgram::compile(tile_path(st)).matrix();
      const NetworkSMatrix s = solve_cell(nl, test::test_pdk(), "t", solver_options(st, true));
      // Same physical state through both simulators: issue 4's 1e-10.
      EXPECT_LE(max_abs(transfer(s, rows, cols) - fast), 1e-10) << rows << "x" << cols;
    }
  }
}

TEST(SMatrix, LosslessMeshCellIsUnitaryAndSymmetric) {
  circuit::Netlist nl;
  nl.cells.push_back(test::mesh_cell("m", test::haar_mesh(8, 3)));
  const NetworkSMatrix s = solve_cell(nl, test::test_pdk(), "m");
  ASSERT_EQ(s.s.rows(), 16);
  // S = [[0, U^T], [U, 0]] is unitary; rounding of a sparse solve over ~100 ports.
  EXPECT_LE(linalg::unitarity_error(s.s), 1e-12);
  EXPECT_LE(max_abs(s.s - s.s.transpose()), 1e-12);
  Eigen::MatrixXcd u(8, 8);
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 8; ++j) u(i, j) = s.s(s.index(test::idx("out", i)), s.index(test::idx("in", j)));
  }
  EXPECT_LE(max_abs(u - linalg::reconstruct(test::haar_mesh(8, 3))), 1e-12);
}

// An MZI assembled from PDK parts, two levels deep: phase shifter phi on the upper input, coupler, theta on
// the upper arm, a zero-length waveguide on the lower arm, coupler.
circuit::Netlist built_mzi(double theta, double phi) {
  circuit::Netlist nl;
  circuit::Cell arm;
  arm.name = "arm";
  arm.kind = "top";
  arm.instances = {{"ps", "phase_shifter", {{"phi_rad", theta}}, -1, -1}};
  arm.ports = {{"a", "optical", {"ps", "o1"}}, {"b", "optical", {"ps", "o2"}}};
  circuit::Cell m;
  m.name = "mzi_built";
  m.kind = "top";
  m.instances = {{"ext", "phase_shifter", {{"phi_rad", phi}}, -1, -1},
                 {"dc1", "directional_coupler", {}, -1, -1},
                 {"up", "arm", {}, -1, -1},
                 {"low", "waveguide", {{"length_um", 0.0}}, -1, -1},
                 {"dc2", "directional_coupler", {}, -1, -1}};
  m.connections = {{{"ext", "o2"}, {"dc1", "o2"}},
                   {{"dc1", "o3"}, {"up", "a"}},
                   {{"up", "b"}, {"dc2", "o2"}},
                   {{"dc1", "o4"}, {"low", "o1"}},
                   {{"low", "o2"}, {"dc2", "o1"}}};
  m.ports = {{"o1", "optical", {"dc1", "o1"}},
             {"o2", "optical", {"ext", "o1"}},
             {"o3", "optical", {"dc2", "o3"}},
             {"o4", "optical", {"dc2", "o4"}}};
  nl.cells = {arm, m};
  nl.top = "mzi_built";
  return nl;
}

TEST(SMatrix, MziFromCouplersMatchesTheConvention) {
  for (auto [theta, phi] : {std::pair{0.0, 0.0}, {0.7, 2.1}, {linalg::kPi, 1.0}, {2.5, 5.9}}) {
    const NetworkSMatrix s = solve_cell(built_mzi(theta, phi), test::test_pdk(), "mzi_built");
    const linalg::Mat2 m = linalg::mzi_matrix(theta, phi);
    const auto o1 = s.index("o1"), o2 = s.index("o2"), o3 = s.index("o3"), o4 = s.index("o4");
    // Closed form vs product of four parts: rounding ~1e-16.
    EXPECT_LE(std::abs(s.s(o3, o2) - m(0, 0)), 1e-14);
    EXPECT_LE(std::abs(s.s(o3, o1) - m(0, 1)), 1e-14);
    EXPECT_LE(std::abs(s.s(o4, o2) - m(1, 0)), 1e-14);
    EXPECT_LE(std::abs(s.s(o4, o1) - m(1, 1)), 1e-14);
    EXPECT_LE(std::abs(s.s(o2, o3) - m(0, 0)), 1e-14);  // reciprocal
    EXPECT_EQ(s.s(o1, o2), cdouble(0.0, 0.0));          // no reflection between inputs
  }
}

TEST(SMatrix, RingWithFeedbackMatchesAllPassFormula) {
  // Coupler o4 -> waveguide (length L) -> o1: an all-pass ring; bus o2 -> o3. With c = cos s, tau the ring
  // round trip, t = (c - tau) / (1 - c tau).
  for (double length : {10.0, 37.3, 120.0}) {
    circuit::Netlist nl;
    circuit::Cell r;
    r.name = "ring";
    r.kind = "top";
    r.instances = {{"dc", "directional_coupler", {}, -1, -1}, {"wg", "waveguide", {{"length_um", length}}, -1, -1}};
    r.connections = {{{"dc", "o4"}, {"wg", "o1"}}, {{"wg", "o2"}, {"dc", "o1"}}};
    r.ports = {{"in", "optical", {"dc", "o2"}}, {"out", "optical", {"dc", "o3"}}};
    nl.cells = {r};
    SolverOptions so;
    so.use_pdk_loss = true;
    const NetworkSMatrix s = solve_cell(nl, test::test_pdk(), "ring", so);
    const pdk::Template& wg = test::test_pdk().tmpl("waveguide");
    const pdk::Template& dc = test::test_pdk().tmpl("directional_coupler");
    const double loss = std::pow(10.0, -dc.number("excess_loss_db") / 20.0);
    const double c = loss * std::cos(std::asin(std::sqrt(dc.number("coupling_power"))));
    const double sn = loss * std::sin(std::asin(std::sqrt(dc.number("coupling_power"))));
    const cdouble tau = std::pow(10.0, -wg.number("loss_db_per_cm") * length * 1e-4 / 20.0) *
                        std::polar(1.0, 2.0 * linalg::kPi * wg.number("n_eff") * length /
                                            (test::test_pdk().wavelength_nm.value * 1e-3));
    // Lossy coupler: b3 = c a2 + i s a1, b4 = i s a2 + c a1, a1 = tau b4.
    const cdouble expect = c + (cdouble(0, sn) * tau * cdouble(0, sn)) / (1.0 - c * tau);
    // One 4 x 4 sparse solve: rounding ~1e-16, amplified by 1/|1 - c tau| <= ~4.
    EXPECT_LE(std::abs(s.s(s.index("out"), s.index("in")) - expect), 1e-14) << "L = " << length;
  }
}

TEST(SMatrix, LosslessResonanceIsSingular) {
  circuit::Netlist nl;
  circuit::Cell r;
  r.name = "ring";
  r.kind = "top";
  // Coupling angle asin(sqrt(0.5)) - asin(sqrt(0.5)) = 0 exactly: the ring is closed on itself, lossless, with
  // round-trip phase 0, so its field is undetermined.
  r.instances = {{"dc", "directional_coupler", {{"coupling_error_rad", -std::asin(std::sqrt(0.5))}}, -1, -1},
                 {"ps", "phase_shifter", {{"phi_rad", 0.0}}, -1, -1}};
  r.connections = {{{"dc", "o4"}, {"ps", "o1"}}, {{"ps", "o2"}, {"dc", "o1"}}};
  r.ports = {{"in", "optical", {"dc", "o2"}}, {"out", "optical", {"dc", "o3"}}};
  nl.cells = {r};
  EXPECT_EQ(error_code([&] { solve_cell(nl, test::test_pdk(), "ring"); }), "SIM-SINGULAR");
}

TEST(SMatrix, Errors) {
  const pdk::Pdk& pdk = test::test_pdk();
  circuit::Netlist nl = built_mzi(1.0, 1.0);
  EXPECT_EQ(error_code([&] { solve_cell(nl, pdk, "nope"); }), "SIM-MISSING-CELL");
  {
    circuit::Netlist b = nl;
    b.cells[1].connections.pop_back();  // low.o2 and dc2.o1 left open
    EXPECT_EQ(error_code([&] { solve_cell(b, pdk, "mzi_built"); }), "SIM-UNCONNECTED-PORT");
  }
  {
    circuit::Netlist b = nl;
    b.cells[1].instances[1].component = "no_such_part";
    EXPECT_EQ(error_code([&] { solve_cell(b, pdk, "mzi_built"); }), "SIM-UNKNOWN-COMPONENT");
  }
  {
    circuit::Netlist b = nl;
    b.cells[1].connections.push_back({{"ext", "o2"}, {"dc2", "o2"}});  // ext.o2 used twice
    EXPECT_EQ(error_code([&] { solve_cell(b, pdk, "mzi_built"); }), "SIM-BAD-CONNECTION");
  }
  {
    circuit::Netlist b = nl;
    b.cells[1].connections.push_back({{"ext", "e1"}, {"dc2", "o2"}});  // electrical to optical
    EXPECT_EQ(error_code([&] { solve_cell(b, pdk, "mzi_built"); }), "SIM-BAD-CONNECTION");
  }
  {
    circuit::Netlist b = nl;
    b.cells[0].instances.push_back({"loop", "mzi_built", {}, -1, -1});
    EXPECT_EQ(error_code([&] { solve_cell(b, pdk, "mzi_built"); }), "SIM-RECURSIVE-CELL");
  }
  {
    circuit::Netlist b = nl;
    b.cells[0].instances[0].component = "eo_activation";
    b.cells[0].instances[0].settings.clear();
    EXPECT_EQ(error_code([&] { solve_cell(b, pdk, "mzi_built"); }), "SIM-UNSUPPORTED-MODEL");
  }
  {
    circuit::Netlist b = nl;
    b.cells[1].instances[0].settings.clear();  // phase shifter without phi_rad
    EXPECT_EQ(error_code([&] { solve_cell(b, pdk, "mzi_built"); }), "SIM-BAD-SETTING");
  }
}

}  // namespace
}  // namespace holo::sim
