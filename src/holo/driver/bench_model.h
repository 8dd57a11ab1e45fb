// Foundation benchmark: import and reference-forward cost of a generated deep MLP, against a plain Eigen
// baseline measured in the same run (never a wall-clock assert; see bench/README.md).
#pragma once

#include <cstdint>

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

}  // namespace holo::driver
