// The mesh file (linalg/mesh_io.h): a decomposed mesh written and read back gives the same bytes and the same
// matrix; malformed files are DECOMPOSE-BAD-PHASES.
#include "holo/linalg/mesh_io.h"

#include <gtest/gtest.h>

#include <cmath>

#include "holo/linalg/decompose.h"
#include "holo/linalg/random.h"
#include "test_support.h"

namespace holo::linalg {
namespace {

TEST(PhasesFile, RoundTripsBytesAndMatrix) {
  const Eigen::MatrixXcd u = haar_unitary(12, 3);
  for (MeshMethod method : {MeshMethod::Clements, MeshMethod::Reck}) {
    DecomposeOptions d;
    d.method = method;
    const Mesh mesh = decompose(u, d);
    const std::string text = mesh_json_text(mesh);
    const Mesh back = mesh_from_json_text(text, "m.json");
    EXPECT_EQ(back.method, method);
    EXPECT_EQ(back.n, 12);
    EXPECT_EQ(back.columns, mesh.columns);
    EXPECT_EQ(back.mzis.size(), mesh.mzis.size());
    // Shortest round-trip doubles: the same bytes again, and the same matrix to the last bit.
    EXPECT_EQ(mesh_json_text(back), text);
    EXPECT_EQ((reconstruct(back) - reconstruct(mesh)).norm(), 0.0);
    EXPECT_LE((reconstruct(back) - u).norm() / std::sqrt(12.0), 1e-12);
  }
}

TEST(PhasesFile, RejectsMalformedFiles) {
  Mesh m;
  m.n = 2;
  m.mzis = {{0, 0, 1.0, 2.0}};
  m.columns = 1;
  m.output_phase_rad = {0.5, 0.25};
  const std::string good = mesh_json_text(m);
  EXPECT_EQ(mesh_from_json_text(good, "x").mzis.size(), 1u);
  auto bad = [](const std::string& text) {
    return holo::test::error_code([&] { mesh_from_json_text(text, "p.json"); });
  };
  EXPECT_EQ(bad("{"), "DECOMPOSE-BAD-PHASES");
  EXPECT_EQ(bad("{\"format\": \"other\"}"), "DECOMPOSE-BAD-PHASES");
  std::string wrong = good;
  wrong.replace(wrong.find("[0, 0, 1"), 8, "[1, 0, 1");  // modes (1, 2) in a 2-mode mesh
  EXPECT_EQ(bad(wrong), "DECOMPOSE-BAD-PHASES");
  std::string short_screen = good;
  short_screen.replace(short_screen.find("[0.5, 0.25]"), 11, "[0.5]");
  EXPECT_EQ(bad(short_screen), "DECOMPOSE-BAD-PHASES");
  std::string no_method = good;
  no_method.replace(no_method.find("clements"), 8, "diagonal");
  EXPECT_EQ(bad(no_method), "DECOMPOSE-BAD-PHASES");
}

}  // namespace
}  // namespace holo::linalg
