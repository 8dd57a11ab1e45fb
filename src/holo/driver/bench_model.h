// Foundation benchmark: import and reference-forward cost of a generated deep MLP, against a plain Eigen
// baseline measured in the same run (never a wall-clock assert; see bench/README.md).
#pragma once

#include <cstdint>
#include <vector>

#include "holo/driver/result.h"

namespace holo::driver {

struct BenchModelOptions {
  int layers = 50;
  int width = 512;
  int batch = 1000;
  int repeats = 3;  // forward timings: median of this many runs
  uint64_t seed = 1;
};

Result bench_model(const BenchModelOptions& opts);

// End-to-end compile of a generated MLP with random weights: `sizes` are the layer widths from input to
// output (e.g. 784,128,10); time and peak memory of holo compile (import, map, verify, analyze, write).
struct BenchCompileOptions {
  std::vector<int64_t> sizes{784, 128, 10};
  int mesh_size = 64;
  uint64_t seed = 1;
  bool layout = true;  // false: compile --no-layout
};
Result bench_compile(const BenchCompileOptions& opts);

}  // namespace holo::driver
