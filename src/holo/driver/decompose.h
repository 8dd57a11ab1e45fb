// Mesh decomposition commands: `holo decompose` (a unitary from .npy into MZI phases) and the benchmarks of
// `holo bench decompose` (decomposition time against one complex matrix product, measured in the same run,
// plus the parallel speed-up of a tiled layer). Options: docs/linalg.md; the phases file format is
// linalg/mesh_io.h.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "holo/driver/result.h"
#include "holo/linalg/decompose.h"
#include "holo/linalg/mesh.h"

namespace holo::driver {

struct DecomposeCommandOptions {
  std::string input_path;  // complex (or real) N x N unitary, .npy
  std::string method = "clements";
  std::string out_path;  // phases file (JSON), written atomically; empty: not written
  bool reorthonormalize = false;
  double tolerance = linalg::kDefaultUnitarityTolerance;  // on ||U^H U - I||_F
};

// json: n, method, mzis (count), columns, phase_shifters, reconstruction_error (||U - U_hat||_F / sqrt(N), U_hat
// rebuilt from the hardware MZI model), max_abs_error, unitarity_error (of U_hat), residual, reorthonormalized,
// input_unitarity_error (when measured), decompose_s, out. Errors: DECOMPOSE-BAD-SHAPE (not a square 2-D
// array), the linalg errors (LINALG-NOT-UNITARY, ...) with the file name prefixed, file/npy errors.
Result decompose_unitary(const DecomposeCommandOptions& opts);

struct BenchDecomposeOptions {
  std::vector<int> sizes = {64, 256, 512, 1024};
  int repeats = 5;  // median of this many samples
  uint64_t seed = 1;
  std::string method = "clements";
  // Tiled-layer speed-up: a tiling_size x tiling_size real layer in tile x tile blocks, 1 thread vs `threads`.
  int tiling_size = 512;  // 0: skip
  int tile = 64;
  int threads = 2;
};

// json: {"results": [{"n", "decompose_s", "gemm_s", "ratio"}...], "tiling": {...}}. Decomposition and product
// run on one thread (OpenMP and Eigen) while timed. Errors: CLI-BAD-OPTION.
Result bench_decompose(const BenchDecomposeOptions& opts);

}  // namespace holo::driver
