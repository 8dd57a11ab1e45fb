// holo bench compile: the figures it reports are consistent with each other and with the compile it ran
// (no wall-clock asserts: only that the measurements exist and the ratio is the ratio of them).
#include <gtest/gtest.h>

#include "holo/driver/bench_model.h"
#include "test_support.h"

namespace holo::driver {
namespace {

TEST(BenchCompile, ReportsTimesFloorsAndCounts) {
  BenchCompileOptions o;
  o.sizes = {20, 12, 5};  // a 12x20 layer (tiles 12x16 and 12x4 at mesh size 16) and a 5x12 layer (one tile)
  o.mesh_size = 16;
  o.layout = false;
  const Result r = bench_compile(o);
  const auto& j = r.json;
  EXPECT_EQ(j["weights"], 20 * 12 + 12 + 12 * 5 + 5);
  EXPECT_EQ(j["tiles"], 3);
  EXPECT_FALSE(j["layout"].get<bool>());
  // Clements meshes of n modes hold n(n-1)/2 MZIs, a tile rows x cols has V^H on cols modes, U on rows and
  // min(rows, cols) attenuator MZIs: 12x16: 120 + 66 + 12; 12x4: 6 + 66 + 4; 5x12: 66 + 10 + 5.
  EXPECT_EQ(j["mzis"], (120 + 66 + 12) + (6 + 66 + 4) + (66 + 10 + 5));
  for (const char* k : {"compile_s", "decompose_s", "write_s"}) EXPECT_GT(j[k].get<double>(), 0.0) << k;
  EXPECT_GT(j["output_bytes"].get<int64_t>(), 0);
  EXPECT_DOUBLE_EQ(j["ratio_to_floor"].get<double>(),
                   j["compile_s"].get<double>() / (j["decompose_s"].get<double>() + j["write_s"].get<double>()));
  o.sizes = {8};
  EXPECT_EQ(holo::test::error_code([&] { bench_compile(o); }), "CLI-BAD-OPTION");
  o.sizes = {8, 0};
  EXPECT_EQ(holo::test::error_code([&] { bench_compile(o); }), "CLI-BAD-OPTION");
}

}  // namespace
}  // namespace holo::driver
