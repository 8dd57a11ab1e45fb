#include "holo/driver/decompose.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "holo/linalg/mesh_io.h"
#include "holo/linalg/random.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/npy.h"
#include "test_support.h"

namespace holo::driver {
namespace {

namespace fs = std::filesystem;

class DecomposeCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("holo-decompose-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes m as a complex128 .npy (C order) and returns its path.
  std::string write(const std::string& name, const Eigen::MatrixXcd& m) {
    ComplexArray a;
    a.shape = {m.rows(), m.cols()};
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      for (Eigen::Index c = 0; c < m.cols(); ++c) a.data.push_back(m(r, c));
    }
    const std::string p = (dir_ / name).string();
    write_npy(p, a);
    return p;
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(DecomposeCommand, WritesPhasesThatRebuildTheUnitary) {
  const Eigen::MatrixXcd u = linalg::haar_unitary(24, 5);
  DecomposeCommandOptions o;
  o.input_path = write("u.npy", u);
  o.out_path = path("phases.json");
  const Result r = decompose_unitary(o);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.json["n"], 24);
  EXPECT_EQ(r.json["mzis"], 24 * 23 / 2);
  EXPECT_EQ(r.json["columns"], 24);
  EXPECT_EQ(r.json["method"], "clements");
  // Issue 3 acceptance bound on ||U - U_hat||_F / sqrt(N) with U_hat from the hardware model.
  EXPECT_LE(r.json["reconstruction_error"].get<double>(), 1e-12);
  EXPECT_EQ(r.json["out"], o.out_path);

  const std::string text = read_file(o.out_path);
  const linalg::Mesh mesh = linalg::mesh_from_json_text(text, o.out_path);
  EXPECT_EQ(mesh.mzis.size(), 276u);
  // Shortest round-trip doubles: reading and writing again gives the same bytes, and the same matrix.
  EXPECT_EQ(linalg::mesh_json_text(mesh), text);
  EXPECT_LE((linalg::reconstruct(mesh) - u).norm() / std::sqrt(24.0), 1e-12);

  // Same input, same bytes.
  o.out_path = path("again.json");
  decompose_unitary(o);
  EXPECT_EQ(read_file(o.out_path), text);
}

TEST_F(DecomposeCommand, ReckAndRealInputs) {
  DecomposeCommandOptions o;
  o.input_path = write("perm.npy", Eigen::MatrixXcd(Eigen::MatrixXcd::Identity(5, 5).rowwise().reverse()));
  o.method = "reck";
  const Result r = decompose_unitary(o);
  EXPECT_EQ(r.json["columns"], 7);  // 2N - 3
  EXPECT_LE(r.json["reconstruction_error"].get<double>(), 1e-12);
  EXPECT_TRUE(r.json["out"].is_null());
  o.method = "butterfly";
  EXPECT_EQ(holo::test::error_code([&] { decompose_unitary(o); }), "LINALG-BAD-METHOD");
}

TEST_F(DecomposeCommand, NonUnitaryIsBadInputNamingTheFileAndError) {
  Eigen::MatrixXcd u = linalg::haar_unitary(8, 2);
  u(1, 2) += 1e-4;
  DecomposeCommandOptions o;
  o.input_path = write("bad.npy", u);
  try {
    decompose_unitary(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), "LINALG-NOT-UNITARY");
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);  // the CLI exits 2
    EXPECT_NE(std::string(e.what()).find(o.input_path), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("e-04"), std::string::npos) << e.what();
  }
  // --tolerance and --reorthonormalize both get it through.
  o.tolerance = 1e-3;
  EXPECT_NO_THROW(decompose_unitary(o));
  o.tolerance = linalg::kDefaultUnitarityTolerance;
  o.reorthonormalize = true;
  const Result r = decompose_unitary(o);
  EXPECT_TRUE(r.json["reorthonormalized"].get<bool>());
  EXPECT_GT(r.json["input_unitarity_error"].get<double>(), 1e-5);
  // The mesh realizes the nearest unitary, within ~1e-4 of the input.
  EXPECT_LT(r.json["reconstruction_error"].get<double>(), 1e-4);
}

TEST_F(DecomposeCommand, RejectsShapes) {
  DecomposeCommandOptions o;
  o.input_path = write("rect.npy", Eigen::MatrixXcd::Identity(3, 4));
  EXPECT_EQ(holo::test::error_code([&] { decompose_unitary(o); }), "DECOMPOSE-BAD-SHAPE");
  ComplexArray v;
  v.shape = {4};
  v.data.assign(4, 1.0);
  o.input_path = path("vec.npy");
  write_npy(o.input_path, v);
  EXPECT_EQ(holo::test::error_code([&] { decompose_unitary(o); }), "DECOMPOSE-BAD-SHAPE");
  o.input_path = path("missing.npy");
  EXPECT_EQ(holo::test::error_code([&] { decompose_unitary(o); }), "FILE-NOT-FOUND");
}

TEST(BenchDecompose, ReportsRatiosAndTilingSpeedup) {
  BenchDecomposeOptions o;
  o.sizes = {4, 16};
  o.repeats = 1;
  o.tiling_size = 32;
  o.tile = 16;
  const Result r = bench_decompose(o);
  ASSERT_EQ(r.json["results"].size(), 2u);
  for (const auto& row : r.json["results"]) {
    EXPECT_GT(row["decompose_s"].get<double>(), 0.0);
    EXPECT_GT(row["gemm_s"].get<double>(), 0.0);
    EXPECT_DOUBLE_EQ(row["ratio"].get<double>(), row["decompose_s"].get<double>() / row["gemm_s"].get<double>());
  }
  EXPECT_EQ(r.json["results"][1]["n"], 16);
  EXPECT_EQ(r.json["tiling"]["tiles"], 4);
  EXPECT_TRUE(r.json["tiling"]["identical"].get<bool>());
  o.sizes = {};
  EXPECT_EQ(holo::test::error_code([&] { bench_decompose(o); }), "CLI-BAD-OPTION");
  o.sizes = {0};
  EXPECT_EQ(holo::test::error_code([&] { bench_decompose(o); }), "CLI-BAD-OPTION");
}

}  // namespace
}  // namespace holo::driver
