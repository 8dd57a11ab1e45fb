// Design points (driver/design.h): design.json round trips, the reader's errors name the file and field, and
// compile writes its options' design point into OUT/design.json.
#include "holo/driver/design.h"

#include <gtest/gtest.h>

#include <string>

#include "holo/driver/compile.h"
#include "holo/support/error.h"

namespace holo::driver {
namespace {

TEST(Design, RoundTrip) {
  Design d;
  d.mesh_size = 16;
  d.method = "reck";
  d.rank_energy = 0.99;
  d.activation = "eo";
  d.dac_bits = 6;
  d.pdk_variants = {"ps-mems", "io-grating-hi"};
  const std::string text = design_json(d);
  EXPECT_EQ(design_json(parse_design(text, "d.json")), text);
  const Design back = parse_design(text, "d.json");
  EXPECT_EQ(back.pdk_variants, d.pdk_variants);
  EXPECT_EQ(back.rank_energy, 0.99);
  // Options -> design -> options.
  CompileOptions o;
  apply_design(o, back);
  EXPECT_EQ(design_json(design_of(o)), text);
}

void expect_error(const std::string& text, const std::string& code, const std::string& fragment) {
  try {
    (void)parse_design(text, "my/design.json");
    ADD_FAILURE() << "no error for " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    const std::string msg = e.what();
    EXPECT_NE(msg.find("my/design.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

TEST(Design, BadFilesAreNamedErrors) {
  const std::string ok = R"("format": "holo-design", "version": 1, "mesh_size": 16, "method": "clements", )";
  expect_error("{", "DESIGN-PARSE", "not valid JSON");
  expect_error("[]", "DESIGN-SCHEMA", "expected an object");
  expect_error("{" + ok + R"("rank_energy": 1, "rank_energy": 1})", "DESIGN-PARSE", "twice");
  expect_error("{" + ok + R"("rank_energy": 1, "tile": 3})", "DESIGN-SCHEMA", "$.tile");
  expect_error(R"({"format": "holo-design", "version": 1, "mesh_size": 16, "method": "clements"})", "DESIGN-SCHEMA",
               "$.rank_energy");
  expect_error("{" + ok + R"("rank_energy": 0})", "DESIGN-SCHEMA", "(0, 1]");
  expect_error(R"({"format": "holo-design", "version": 2})", "DESIGN-SCHEMA", "$.version");
  expect_error(R"({"format": "holo-design", "version": 1, "mesh_size": 0, "method": "clements", "rank_energy": 1})",
               "DESIGN-SCHEMA", "$.mesh_size");
  expect_error(R"({"format": "holo-design", "version": 1, "mesh_size": 8, "method": "svd", "rank_energy": 1})",
               "DESIGN-SCHEMA", "$.method");
  expect_error("{" + ok + R"("rank_energy": 1, "pdk_variants": [3]})", "DESIGN-SCHEMA", "$.pdk_variants[0]");
}

}  // namespace
}  // namespace holo::driver
