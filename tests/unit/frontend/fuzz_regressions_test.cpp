// Inputs the fuzzers (tests/fuzz, scripts/fuzz) once crashed on, kept in tests/fuzz/regressions/<target>/.
// Each is a malformed model or array: reading it must end in a holo::Error for bad input -- not a crash, not
// undefined behaviour (the sanitizer build runs this too), and not a silently accepted graph.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "frontend_test_util.h"
#include "holo/frontend/load.h"
#include "holo/support/npy.h"

namespace holo::test {
namespace {

std::vector<std::string> regressions(const std::string& target) {
  std::vector<std::string> files;
  std::filesystem::path dir = source_path("tests/fuzz/regressions/" + target);
  if (std::filesystem::is_directory(dir))
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

template <typename F>
void expect_rejected(const std::string& file, F&& parse) {
  SCOPED_TRACE(file);
  try {
    parse(read_bytes(file));
    ADD_FAILURE() << "accepted a malformed input";
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.code() << ": " << e.what();
  }
}

TEST(FuzzRegressions, Onnx) {
  auto files = regressions("onnx");
  EXPECT_FALSE(files.empty());
  for (const std::string& f : files) expect_rejected(f, [&](const std::string& b) { frontend::load_onnx_bytes(b, f); });
}

TEST(FuzzRegressions, Json) {
  for (const std::string& f : regressions("json"))
    expect_rejected(f, [&](const std::string& b) { frontend::load_json_model_bytes(b, f); });
}

TEST(FuzzRegressions, Npy) {
  for (const std::string& f : regressions("npy")) expect_rejected(f, [&](const std::string& b) { parse_npy(b, f); });
}

}  // namespace
}  // namespace holo::test
