#include "holo/frontend/load.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "holo/support/error.h"

namespace holo::frontend {

graph::Graph load_model(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".onnx") return load_onnx(path);
  if (ext == ".json") return load_json_model(path);
  fail("MODEL-UNKNOWN-FORMAT",
       fmt::format("{}: unknown model format '{}': expected an ONNX model (.onnx) or a holo JSON model (.json)", path,
                   ext.empty() ? std::string("(no extension)") : ext));
}

}  // namespace holo::frontend
