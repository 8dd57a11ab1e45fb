// Reading meshes, attenuators and tiles back from netlist cells written per the compiled-chip contract,
// and the SIM-* errors for cells that break it.
#include "holo/sim/tile_reader.h"

#include <gtest/gtest.h>

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

TEST(TileReader, MeshReadBackReproducesReconstructExactly) {
  for (int n : {1, 2, 3, 8, 16}) {
    for (auto method : {linalg::MeshMethod::Clements, linalg::MeshMethod::Reck}) {
      const linalg::Mesh mesh = test::haar_mesh(n, 40 + n, method);
      circuit::Netlist nl;
      nl.cells.push_back(test::mesh_cell("m", mesh));
      const linalg::Mesh back = read_mesh_cell(nl, "m");
      EXPECT_EQ(back.n, mesh.n);
      EXPECT_EQ(back.method, mesh.method);
      EXPECT_EQ(back.columns, mesh.columns);
      ASSERT_EQ(back.mzis.size(), mesh.mzis.size());
      for (size_t k = 0; k < mesh.mzis.size(); ++k) {
        EXPECT_EQ(back.mzis[k].mode, mesh.mzis[k].mode);
        EXPECT_EQ(back.mzis[k].column, mesh.mzis[k].column);
        EXPECT_EQ(back.mzis[k].theta_rad, mesh.mzis[k].theta_rad);
        EXPECT_EQ(back.mzis[k].phi_rad, mesh.mzis[k].phi_rad);
      }
      EXPECT_EQ(back.output_phase_rad, mesh.output_phase_rad);
      // Same phases, same hardware model: bit-identical matrices.
      EXPECT_EQ(test::max_abs(linalg::reconstruct(back) - linalg::reconstruct(mesh)), 0.0);
    }
  }
}

TEST(TileReader, TileRealizesTheScaledBlock) {
  for (auto [rows, cols] : {std::pair{1, 1}, {2, 2}, {3, 5}, {5, 3}, {8, 8}, {16, 4}}) {
    const Eigen::MatrixXcd w = test::random_complex(rows, cols, 10 * rows + cols);
    circuit::Netlist nl;
    const double gain = test::add_tile(nl, "t", w);
    const TileModel t = read_tile_cell(nl, "t");
    EXPECT_EQ(t.rows, rows);
    EXPECT_EQ(t.cols, cols);
    EXPECT_EQ(t.rank, std::min(rows, cols));
    EXPECT_EQ(t.vh.n, cols);
    EXPECT_EQ(t.u.n, rows);
    // SVD (1e-15), decomposition (1e-14) and reconstruction rounding of O(16) sized products: below 1e-12.
    EXPECT_LE(test::max_abs(gain * tile_matrix(t) - w) / w.cwiseAbs().maxCoeff(), 1e-12) << rows << "x" << cols;
  }
}

class BrokenCell : public ::testing::Test {
 protected:
  void SetUp() override { test::add_tile(nl, "t", test::random_complex(3, 3, 1)); }
  circuit::Cell& cell(const std::string& name) { return *nl.find_cell(name); }
  circuit::Netlist nl;
};

TEST_F(BrokenCell, MissingCell) {
  EXPECT_EQ(error_code([&] { read_tile_cell(nl, "nope"); }), "SIM-MISSING-CELL");
  cell("t").instances[0].component = "gone";
  EXPECT_EQ(error_code([&] { read_tile_cell(nl, "t"); }), "SIM-MISSING-CELL");
}

TEST_F(BrokenCell, WrongKind) {
  EXPECT_EQ(error_code([&] { read_mesh_cell(nl, "t"); }), "SIM-BAD-CELL");
}

TEST_F(BrokenCell, MissingSetting) {
  cell("t_vh").instances[1].settings.erase("theta_rad");
  EXPECT_EQ(error_code([&] { read_tile_cell(nl, "t"); }), "SIM-BAD-CELL");
}

TEST_F(BrokenCell, NonFiniteSetting) {
  cell("t_u").instances[0].settings["phi_rad"] = std::nan("");
  EXPECT_EQ(error_code([&] { read_tile_cell(nl, "t"); }), "SIM-BAD-CELL");
}

TEST_F(BrokenCell, RewiredConnection) {
  // Two connections swap their destinations: modes and optical order no longer match the wiring.
  auto& k = cell("t_vh").connections;
  ASSERT_GE(k.size(), 2u);
  std::swap(k[0].b, k[1].b);
  EXPECT_EQ(error_code([&] { read_mesh_cell(nl, "t_vh"); }), "SIM-BAD-CELL");
}

TEST_F(BrokenCell, MissingPort) {
  cell("t_u").ports.pop_back();
  EXPECT_EQ(error_code([&] { read_mesh_cell(nl, "t_u"); }), "SIM-BAD-CELL");
}

TEST_F(BrokenCell, MziIndexGap) {
  cell("t_vh").instances[1].name = "mzi7";
  EXPECT_EQ(error_code([&] { read_mesh_cell(nl, "t_vh"); }), "SIM-BAD-CELL");
}

TEST_F(BrokenCell, ColumnBeforePredecessor) {
  auto& inst = cell("t_vh").instances;
  inst[1].column = 0;  // mzi1 shares a mode with mzi0 in column 0
  inst[0].column = 0;
  bool shares = inst[1].mode == inst[0].mode || inst[1].mode == inst[0].mode + 1 || inst[1].mode + 1 == inst[0].mode;
  ASSERT_TRUE(shares);
  EXPECT_EQ(error_code([&] { read_mesh_cell(nl, "t_vh"); }), "SIM-BAD-CELL");
}

TEST_F(BrokenCell, AttenuatorPhasesDisagreeWithTransmission) {
  cell("t_att").instances[0].settings["transmission"] = 0.123;
  EXPECT_EQ(error_code([&] { read_attenuator_cell(nl, "t_att"); }), "SIM-BAD-CELL");
}

TEST_F(BrokenCell, RankMismatch) {
  cell("t").info["rank"] = "2";
  EXPECT_EQ(error_code([&] { read_tile_cell(nl, "t"); }), "SIM-BAD-CELL");
  cell("t").info["rank"] = "x";
  EXPECT_EQ(error_code([&] { read_tile_cell(nl, "t"); }), "SIM-BAD-CELL");
}

TEST_F(BrokenCell, WrongInstanceOrder) {
  auto& inst = cell("t");
  std::swap(inst.instances[0], inst.instances[2]);
  EXPECT_EQ(error_code([&] { read_tile_cell(nl, "t"); }), "SIM-BAD-CELL");
}

}  // namespace
}  // namespace holo::sim
