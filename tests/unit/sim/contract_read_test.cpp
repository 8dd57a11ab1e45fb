// The simulator reads tiles through the compiled-chip contract's reader (circuit/compiled.h). These cells are
// written by sim_test_util.h from the contract text, independently of the production writer, with attenuators
// programmed with phi != 0 (the mapping uses phi = 0): the reader and the ideal matrix follow the contract, not
// one writer's habits. The contract's negative tests are in tests/unit/circuit/compiled_test.cpp.
#include <gtest/gtest.h>

#include "holo/circuit/compiled.h"
#include "holo/sim/fast_path.h"
#include "holo/sim/realize.h"
#include "sim_test_util.h"

namespace holo::sim {
namespace {

TEST(ContractRead, MeshReadBackReproducesReconstructExactly) {
  for (int n : {1, 2, 3, 8, 16}) {
    for (auto method : {linalg::MeshMethod::Clements, linalg::MeshMethod::Reck}) {
      const linalg::Mesh mesh = test::haar_mesh(n, 40 + n, method);
      circuit::Netlist nl;
      nl.cells.push_back(test::mesh_cell("m", mesh));
      const linalg::Mesh back = circuit::read_mesh(nl, "m").mesh;
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

TEST(ContractRead, TileRealizesTheScaledBlock) {
  for (auto [rows, cols] : {std::pair{1, 1}, {2, 2}, {3, 5}, {5, 3}, {8, 8}, {16, 4}}) {
    const Eigen::MatrixXcd w = test::random_complex(rows, cols, 10 * rows + cols);
    circuit::Netlist nl;
    const double gain = test::add_tile(nl, "t", w);
    const circuit::TileView t = circuit::read_tile(nl, "t");
    EXPECT_EQ(t.rows, rows);
    EXPECT_EQ(t.cols, cols);
    ASSERT_EQ(t.kind(), circuit::TileKind::CoherentSvd);
    const circuit::CoherentTile& c = std::get<circuit::CoherentTile>(t.body);
    EXPECT_EQ(c.rank, std::min(rows, cols));
    EXPECT_EQ(c.vh.mesh.n, cols);
    EXPECT_EQ(c.u.mesh.n, rows);
    // SVD (1e-15), decomposition (1e-14) and reconstruction rounding of O(16) sized products: below 1e-12.
    const double scale = w.cwiseAbs().maxCoeff();
    EXPECT_LE(test::max_abs(gain * circuit::ideal_matrix(t) - w) / scale, 1e-12) << rows << "x" << cols;
    // The simulator's nominal lossless path is the same matrix (two computations of the contract's T).
    const Eigen::MatrixXcd fast = FastProgram::compile(tile_path(nominal_state(t, test::test_pdk(), false))).matrix();
    EXPECT_LE(test::max_abs(gain * fast - w) / scale, 1e-12) << rows << "x" << cols;
  }
}

}  // namespace
}  // namespace holo::sim
