// libFuzzer target: the .npy parser, real and complex forms, on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "holo/support/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  holo::fuzz::expect_only_bad_input([&] { (void)holo::parse_npy(bytes, "fuzz.npy"); });
  holo::fuzz::expect_only_bad_input([&] { (void)holo::parse_npy_complex(bytes, "fuzz.npy"); });
  return 0;
}
