// libFuzzer target: the JSON model reader on arbitrary bytes (no model folder, so no .npy sidecar is opened).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "holo/frontend/load.h"
#include "holo/graph/dump.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  holo::fuzz::expect_only_bad_input([&] {
    holo::graph::Graph g = holo::frontend::load_json_model_bytes(bytes, "fuzz.json");
    (void)holo::graph::dump(g);
  });
  return 0;
}
