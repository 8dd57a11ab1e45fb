// libFuzzer target: the ONNX reader on arbitrary bytes (no model folder, so no external-data file is opened).
// A graph that loads is also dumped, which walks every tensor and attribute the reader produced.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "holo/frontend/load.h"
#include "holo/graph/dump.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  holo::fuzz::expect_only_bad_input([&] {
    holo::graph::Graph g = holo::frontend::load_onnx_bytes(bytes, "fuzz.onnx");
    (void)holo::graph::dump(g);
  });
  return 0;
}
