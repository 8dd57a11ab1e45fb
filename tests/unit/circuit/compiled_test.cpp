// The compiled-chip contract (circuit/compiled.h): kinds spelled once, the writers' cells read back exactly
// (also through circuit.json), the ideal tile matrix against the SVD it came from, every tile kind handled, and
// CIRCUIT-CONTRACT for each way a cell, layer, top or stage can break the contract.
#include "holo/circuit/compiled.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "holo/circuit/io.h"
#include "holo/linalg/decompose.h"
#include "holo/linalg/random.h"
#include "holo/linalg/svd_map.h"
#include "test_support.h"

namespace holo::circuit {
namespace {

using holo::test::error_code;

linalg::Mesh haar_mesh(int n, uint64_t seed, linalg::MeshMethod method = linalg::MeshMethod::Clements) {
  linalg::DecomposeOptions o;
  o.method = method;
  return linalg::decompose(linalg::haar_unitary(n, seed), o);
}

std::vector<Attenuator> attenuators(int64_t n, double phi = 0.0) {
  std::vector<Attenuator> a;
  for (int64_t k = 0; k < n; ++k) a.push_back(make_attenuator(0.4 + 0.3 * static_cast<double>(k), phi));
  return a;
}

// The four cells of a coherent tile `name` (rows x cols, `rank` attenuators), meshes with screens.
const Cell& add_tile(Netlist& n, const std::string& name, int rows, int cols, int64_t rank, uint64_t seed) {
  n.cells.push_back(mesh_cell(name + "_vh", haar_mesh(cols, seed)));
  n.cells.push_back(attenuator_cell(name + "_att", attenuators(rank, 0.25)));
  n.cells.push_back(mesh_cell(name + "_u", haar_mesh(rows, seed + 1)));
  n.cells.push_back(coherent_tile_cell(name, rows, cols, rank, name + "_vh", name + "_att", name + "_u", rank));
  return n.cells.back();
}

// A compiled chip: stage "fc" (5 x 7 weights on 2 x 2 tiles of at most 3 x 4) and an electronic "relu".
Netlist tiny_chip() {
  Netlist n;
  n.name = "chip";
  n.pdk = "generic_soi220";
  Stage fc;
  fc.node = "fc";
  fc.op = "Gemm";
  fc.domain = "optical";
  fc.out_features = 5;
  fc.in_features = 7;
  Cell layer = layer_cell("fc_layer", fc.node, fc.op);
  uint64_t seed = 1;
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c) {
      const int rows = r == 0 ? 3 : 2, cols = c == 0 ? 4 : 3;
      const std::string name = layer_slot_name(r, c);
      const Cell& tile = add_tile(n, "fc_" + name, rows, cols, std::min(rows, cols), seed += 2);
      add_layer_slot(layer, r, c, tile);
      fc.tiles.push_back({tile.name, 3 * r, rows, 4 * c, cols, 1.5});
    }
  fc.layer_cell = layer.name;
  n.cells.push_back(std::move(layer));
  n.stages.push_back(fc);
  Stage relu;
  relu.node = "relu";
  relu.op = "Relu";
  relu.domain = "electronic";
  relu.reason = "electronic";
  n.stages.push_back(relu);
  n.cells.push_back(top_cell("chip_top", n, {"fc_layer"}));
  n.top = "chip_top";
  return n;
}

Cell& cell(Netlist& n, const std::string& name) {
  Cell* c = n.find_cell(name);
  if (!c) throw std::runtime_error("no cell " + name);
  return *c;
}

// ---- Kinds -------------------------------------------------------------------------------------------------

TEST(Compiled, KindsAreSpelledOnce) {
  for (CellKind k : kCellKinds) EXPECT_EQ(parse_cell_kind(to_string(k)), k);
  for (TileKind k : kTileKinds) EXPECT_EQ(parse_tile_kind(to_string(k)), k);
  EXPECT_EQ(to_string(CellKind::Attenuators), "attenuators");
  EXPECT_EQ(to_string(TileKind::CoherentSvd), "coherent_svd");
  EXPECT_FALSE(parse_cell_kind("Mesh"));
  EXPECT_FALSE(parse_tile_kind("ring_bank"));
  Cell c;
  c.name = "x";
  c.kind = "ring";
  EXPECT_EQ(error_code([&] { kind_of(c); }), "CIRCUIT-CONTRACT");
  EXPECT_FALSE(has_kind(c, CellKind::Mesh));
}

// Every tile kind has a name, a TileBody alternative (static_assert in compiled.h), a writer and a reader. The
// switch has no default: adding a TileKind without a case here is a -Wswitch warning naming this test.
TEST(Compiled, EveryTileKindWritesAndReadsBack) {
  static_assert(std::variant_size_v<TileBody> == kTileKinds.size());
  for (TileKind k : kTileKinds) {
    Netlist n;
    switch (k) {
      case TileKind::CoherentSvd:
        add_tile(n, "t", 3, 2, 2, 5);
        break;
    }
    const TileView t = read_tile(n, "t");
    EXPECT_EQ(t.kind(), k);
    EXPECT_EQ(to_string(t.kind()), to_string(k));
    EXPECT_EQ(ideal_matrix(t).rows(), 3);
    EXPECT_EQ(ideal_matrix(t).cols(), 2);
  }
}

TEST(Compiled, TileKindInfo) {
  Netlist n;
  add_tile(n, "t", 2, 2, 2, 3);
  const TileShape shape = read_tile_shape(cell(n, "t"));  // from the tile's info alone
  EXPECT_EQ(shape.rows, 2);
  EXPECT_EQ(shape.cols, 2);
  EXPECT_EQ(shape.kind, TileKind::CoherentSvd);
  cell(n, "t").info["tile_kind"] = "coherent_svd";  // the default, spelled out
  EXPECT_EQ(read_tile(n, "t").kind(), TileKind::CoherentSvd);
  cell(n, "t").info["tile_kind"] = "ring_bank";  // not (yet) a tile kind
  EXPECT_EQ(error_code([&] { read_tile(n, "t"); }), "CIRCUIT-CONTRACT");
}

// ---- Round trips -------------------------------------------------------------------------------------------

void expect_same_mesh(const linalg::Mesh& a, const linalg::Mesh& b) {
  EXPECT_EQ(a.n, b.n);
  EXPECT_EQ(a.method, b.method);
  EXPECT_EQ(a.columns, b.columns);
  ASSERT_EQ(a.mzis.size(), b.mzis.size());
  for (size_t k = 0; k < a.mzis.size(); ++k) {
    EXPECT_EQ(a.mzis[k].mode, b.mzis[k].mode);
    EXPECT_EQ(a.mzis[k].column, b.mzis[k].column);
    EXPECT_EQ(a.mzis[k].theta_rad, b.mzis[k].theta_rad);
    EXPECT_EQ(a.mzis[k].phi_rad, b.mzis[k].phi_rad);
  }
}

TEST(Compiled, MeshWriterReaderRoundTrip) {
  for (int n : {1, 2, 3, 8, 16})
    for (auto method : {linalg::MeshMethod::Clements, linalg::MeshMethod::Reck})
      for (bool screen : {true, false}) {
        linalg::Mesh mesh = haar_mesh(n, 40 + n, method);
        for (double& p : mesh.output_phase_rad) p = linalg::wrap_phase(p);  // the writer wraps screen phases
        if (!screen) mesh.output_phase_rad.clear();
        const Cell c = mesh_cell("m", mesh);
        const MeshView v = read_mesh(c);
        EXPECT_EQ(v.cell, "m");
        expect_same_mesh(v.mesh, mesh);
        EXPECT_EQ(v.mesh.output_phase_rad, mesh.output_phase_rad);
        // A 1-mode mesh without a screen has no component on its mode: a pass-through waveguide carries it.
        EXPECT_EQ(v.pass_modes, (n == 1 && !screen) ? std::vector<int32_t>{0} : std::vector<int32_t>{});
        for (size_t k = 0; k < mesh.mzis.size(); ++k) EXPECT_EQ(c.instances[k].name, mesh_mzi_name(int64_t(k)));
      }
}

TEST(Compiled, AttenuatorsRoundTripAndDeclareTheBarMagnitude) {
  const std::vector<Attenuator> a = attenuators(4, 1.1);
  const AttenuatorColumn v = read_attenuators(attenuator_cell("a", a));
  ASSERT_EQ(v.attenuators.size(), 4u);
  for (size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(v.attenuators[k].theta_rad, a[k].theta_rad);
    EXPECT_EQ(v.attenuators[k].phi_rad, a[k].phi_rad);
    EXPECT_EQ(v.attenuators[k].transmission, a[k].transmission);
    // The closed form of linalg/mzi.h: M(theta, phi)[0][0] = i e^{i(theta/2 + phi)} sin(theta/2).
    const linalg::cdouble want =
        linalg::cdouble(0, 1) * std::polar(1.0, 0.5 * a[k].theta_rad + a[k].phi_rad) * std::sin(0.5 * a[k].theta_rad);
    EXPECT_LE(std::abs(v.attenuators[k].bar() - want), 1e-15);
    EXPECT_NEAR(std::abs(want), v.attenuators[k].transmission, 1e-15);
  }
  EXPECT_EQ(read_attenuators(attenuator_cell("empty", {})).attenuators.size(), 0u);
}

TEST(Compiled, ChipRoundTripsThroughTheWritersAndCircuitJson) {
  const Netlist written = tiny_chip();
  verify_compiled(written);
  const Netlist n = from_json(to_json(written), "test");
  verify_compiled(n);
  const LayerView l = read_layer(n, *n.find_cell("fc_layer"));
  EXPECT_EQ(l.node, "fc");
  EXPECT_EQ(l.op, "Gemm");
  ASSERT_EQ(l.slots.size(), 4u);
  EXPECT_EQ(l.slots[3].instance, "t1_1");
  EXPECT_EQ(l.slots[3].tile_cell, "fc_t1_1");
  EXPECT_EQ(l.slots[3].block_row, 1);
  EXPECT_EQ(l.slots[3].block_col, 1);
  EXPECT_EQ(l.slots[3].rows, 2);
  EXPECT_EQ(l.slots[3].cols, 3);
  EXPECT_EQ(l.slots[0].exposed, std::vector<std::string>{"drop3"});  // 3 x 4: one V^H output beyond the rank
  EXPECT_EQ(read_top(n, *n.find_cell("chip_top")).layers, std::vector<std::string>{"fc_layer"});
  const TileView a = read_tile(written, "fc_t0_1"), b = read_tile(n, "fc_t0_1");
  EXPECT_EQ(ideal_matrix(a), ideal_matrix(b));  // circuit.json keeps every bit
}

// The tile rebuilds the weight block it was mapped from: T = U[:, :rank] diag(bar_k) V^H[:rank, :], with the
// attenuators' complex bar entries. Their magnitudes (`transmission`) alone do not: map_svd compensates the bar
// phase i e^{i theta/2} in the U mesh, so the U mesh is not the SVD's U without it.
TEST(Compiled, IdealMatrixRebuildsTheMappedBlockWithTheComplexBarEntries) {
  for (auto [rows, cols] : {std::pair{4, 4}, {3, 6}, {6, 3}}) {
    linalg::Rng rng(7 * rows + cols);
    const Eigen::MatrixXd w = linalg::gaussian_matrix(rows, cols, rng, false).real();
    const linalg::SvdLayer svd = linalg::map_svd(w);
    Netlist n;
    n.cells.push_back(mesh_cell("t_vh", svd.v_mesh));
    std::vector<Attenuator> att;
    for (double th : svd.attenuator_theta_rad) att.push_back(make_attenuator(th));
    n.cells.push_back(attenuator_cell("t_att", att));
    n.cells.push_back(mesh_cell("t_u", svd.u_mesh));
    const auto rank = static_cast<int64_t>(att.size());
    n.cells.push_back(coherent_tile_cell("t", rows, cols, rank, "t_vh", "t_att", "t_u"));
    const TileView t = read_tile(n, "t");
    const Eigen::MatrixXcd got = svd.gain * ideal_matrix(t);
    // SVD and decomposition rounding of O(10) 2x2 products: 1e-12.
    EXPECT_LE((got.real() - w).cwiseAbs().maxCoeff(), 1e-12);
    EXPECT_LE(got.imag().cwiseAbs().maxCoeff(), 1e-12);
    const CoherentTile& c = std::get<CoherentTile>(t.body);
    Eigen::VectorXcd mags(rank);
    for (int64_t k = 0; k < rank; ++k) mags(k) = c.att.attenuators[static_cast<size_t>(k)].transmission;
    const Eigen::MatrixXcd wrong = svd.gain * linalg::reconstruct(c.u.mesh).leftCols(rank) * mags.asDiagonal() *
                                   linalg::reconstruct(c.vh.mesh).topRows(rank);
    EXPECT_GT((wrong.real() - w).norm() / w.norm(), 0.1);
  }
}

// ---- Violations: the strictness of the simulator's former reader, one code ---------------------------------

class BrokenCell : public ::testing::Test {
 protected:
  void SetUp() override { add_tile(nl, "t", 3, 3, 3, 1); }
  Cell& c(const std::string& name) { return cell(nl, name); }
  std::string read(const std::string& tile = "t") {
    return error_code([&] { read_tile(nl, tile); });
  }
  Netlist nl;
};

TEST_F(BrokenCell, IntactTileReads) {
  EXPECT_EQ(read(), "no error");
}

TEST_F(BrokenCell, MissingCell) {
  EXPECT_EQ(read("nope"), "CIRCUIT-CONTRACT");
  c("t").instances[0].component = "gone";
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, WrongKind) {
  EXPECT_EQ(error_code([&] { read_mesh(nl, "t"); }), "CIRCUIT-CONTRACT");
  c("t").instances[1].component = "t_vh";  // a mesh where the attenuators belong
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, MissingSetting) {
  c("t_vh").instances[1].settings.erase("theta_rad");
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, NonFiniteSetting) {
  c("t_u").instances[0].settings["phi_rad"] = std::nan("");
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, RewiredConnection) {
  // Two connections swap their destinations: modes and optical order no longer match the wiring.
  auto& k = c("t_vh").connections;
  ASSERT_GE(k.size(), 2u);
  std::swap(k[0].b, k[1].b);
  EXPECT_EQ(error_code([&] { read_mesh(nl, "t_vh"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, ExtraOrMissingConnection) {
  Cell& vh = c("t_vh");
  const Connection extra = vh.connections.back();
  vh.connections.pop_back();
  EXPECT_EQ(error_code([&] { read_mesh(vh); }), "CIRCUIT-CONTRACT");
  vh.connections.push_back(extra);
  vh.connections.push_back(extra);
  EXPECT_EQ(error_code([&] { read_mesh(vh); }), "CIRCUIT-CONTRACT");
  vh.connections.pop_back();
  EXPECT_EQ(error_code([&] { read_mesh(vh); }), "no error");
  c("t").connections.pop_back();  // the tile's att.out -- u.in of the last mode
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, MissingPort) {
  c("t_u").ports.pop_back();
  EXPECT_EQ(error_code([&] { read_mesh(nl, "t_u"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, PortExposesTheWrongInstance) {
  std::swap(c("t_u").ports[0].inner, c("t_u").ports[1].inner);
  EXPECT_EQ(error_code([&] { read_mesh(nl, "t_u"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, MziIndexGap) {
  c("t_vh").instances[1].name = "mzi7";
  EXPECT_EQ(error_code([&] { read_mesh(nl, "t_vh"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, ScreenBeforeMzis) {
  auto& inst = c("t_vh").instances;
  std::rotate(inst.begin(), inst.end() - 1, inst.end());
  EXPECT_EQ(error_code([&] { read_mesh(nl, "t_vh"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, ColumnBeforePredecessor) {
  auto& inst = c("t_vh").instances;
  inst[1].column = 0;  // mzi1 shares a mode with mzi0 in column 0
  inst[0].column = 0;
  bool shares = inst[1].mode == inst[0].mode || inst[1].mode == inst[0].mode + 1 || inst[1].mode + 1 == inst[0].mode;
  ASSERT_TRUE(shares);
  EXPECT_EQ(error_code([&] { read_mesh(nl, "t_vh"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, ModeOutsideTheMesh) {
  c("t_vh").instances[0].mode = 2;  // an MZI on (2, 3) in 3 modes
  EXPECT_EQ(error_code([&] { read_mesh(nl, "t_vh"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, BadMeshInfo) {
  for (auto [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"method", "butterfly"}, {"n", "0"}, {"n", "3x"}, {"columns", "-1"}, {"columns", "1"}}) {
    Netlist copy = nl;
    cell(copy, "t_vh").info[key] = value;
    EXPECT_EQ(error_code([&] { read_mesh(copy, "t_vh"); }), "CIRCUIT-CONTRACT") << key << "=" << value;
  }
}

TEST_F(BrokenCell, ScreenAndPassThroughTogether) {
  Cell& vh = c("t_vh");
  vh.instances.push_back({"wg0", std::string(kWaveguideTemplate), {}, 0, 0});
  EXPECT_EQ(error_code([&] { read_mesh(vh); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, UnexpectedInstance) {
  c("t_vh").instances.push_back({"extra", "waveguide", {}, -1, -1});
  EXPECT_EQ(error_code([&] { read_mesh(nl, "t_vh"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, AttenuatorPhasesDisagreeWithTransmission) {
  c("t_att").instances[0].settings["transmission"] = 0.123;
  EXPECT_EQ(error_code([&] { read_attenuators(nl, "t_att"); }), "CIRCUIT-CONTRACT");
  c("t_att").instances[0].settings["transmission"] = 1.5;
  EXPECT_EQ(error_code([&] { read_attenuators(nl, "t_att"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, AttenuatorModeAndName) {
  Netlist a = nl, b = nl;
  cell(a, "t_att").instances[1].mode = 0;
  EXPECT_EQ(error_code([&] { read_attenuators(a, "t_att"); }), "CIRCUIT-CONTRACT");
  cell(b, "t_att").instances[1].name = "att1";
  EXPECT_EQ(error_code([&] { read_attenuators(b, "t_att"); }), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, RankMismatch) {
  c("t").info["rank"] = "2";
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
  c("t").info["rank"] = "x";
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
  c("t").info["rank"] = "4";  // beyond min(rows, cols)
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, TileShapeDisagreesWithItsMeshes) {
  c("t").info["cols"] = "4";
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
}

TEST_F(BrokenCell, WrongInstanceOrder) {
  auto& inst = c("t");
  std::swap(inst.instances[0], inst.instances[2]);
  EXPECT_EQ(read(), "CIRCUIT-CONTRACT");
}

// ---- Layers, top and stages --------------------------------------------------------------------------------

TEST(BrokenChip, IntactChipVerifies) {
  EXPECT_EQ(error_code([] { verify_compiled(tiny_chip()); }), "no error");
}

TEST(BrokenChip, EachViolationIsCircuitContract) {
  const std::vector<std::pair<const char*, std::function<void(Netlist&)>>> breaks = {
      {"unknown cell kind", [](Netlist& n) { cell(n, "fc_layer").kind = "stage"; }},
      {"broken mesh", [](Netlist& n) { cell(n, "fc_t1_0_u").instances[0].settings.erase("phi_rad"); }},
      {"layer without node", [](Netlist& n) { cell(n, "fc_layer").info.erase("node"); }},
      {"modulator missing",
       [](Netlist& n) {
         auto& inst = cell(n, "fc_layer").instances;
         inst.erase(inst.begin() + 1);
       }},
      {"receiver on the wrong mode", [](Netlist& n) { cell(n, "fc_layer").instances.back().mode = 0; }},
      {"extra layer instance",
       [](Netlist& n) {
         cell(n, "fc_layer").instances.push_back({"spare", "modulator", {}, -1, -1});
       }},
      {"laser port moved", [](Netlist& n) { cell(n, "fc_layer").ports[0].inner.port = "o2"; }},
      {"layer wiring", [](Netlist& n) { cell(n, "fc_layer").connections.pop_back(); }},
      {"slot holds a mesh", [](Netlist& n) { cell(n, "fc_layer").instances[0].component = "fc_t0_0_vh"; }},
      {"top instance renamed", [](Netlist& n) { cell(n, "chip_top").instances[0].name = "L1"; }},
      {"top port missing", [](Netlist& n) { cell(n, "chip_top").ports.pop_back(); }},
      {"top without layers",
       [](Netlist& n) {
         cell(n, "chip_top").instances.clear();
         cell(n, "chip_top").ports.clear();
       }},
      {"top is not a top", [](Netlist& n) { n.top = "fc_layer"; }},
      {"stage tile shape", [](Netlist& n) { n.stages[0].tiles[0].rows = 2; }},
      {"stage tile not in the layer", [](Netlist& n) { n.stages[0].tiles[0].cell = "fc_t0_0_vh"; }},
      {"stage lacks a slot's tile", [](Netlist& n) { n.stages[0].tiles.pop_back(); }},
      {"stage names a tile twice", [](Netlist& n) { n.stages[0].tiles[1].cell = n.stages[0].tiles[0].cell; }},
      {"stage and layer disagree", [](Netlist& n) { n.stages[0].node = "fc2"; }},
      {"stage without layer", [](Netlist& n) { n.stages[0].layer_cell = "nowhere"; }},
  };
  for (const auto& [what, change] : breaks) {
    Netlist n = tiny_chip();
    change(n);
    EXPECT_EQ(error_code([&] { verify_compiled(n); }), "CIRCUIT-CONTRACT") << what;
  }
}

}  // namespace
}  // namespace holo::circuit
