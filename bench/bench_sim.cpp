// Micro-benchmarks of holo::sim. The performance bar of issue 4: simulating a batch through a K x K tile
// (V^H mesh, attenuators, U mesh: K (K - 1) MZIs) within 3x of one dense complex K x K matrix times the
// same batch with Eigen, both on one thread, measured in the same run.
//
// BM_TileVsDense reports, besides Google Benchmark's own time for the tile, the counters tile_ms, dense_ms
// and ratio = tile_ms / dense_ms, each the minimum over interleaved repetitions (the machine is shared, so
// the minimum is the least disturbed measurement of both).
#include <benchmark/benchmark.h>
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>

#include "holo/linalg/mzi.h"
#include "holo/linalg/random.h"
#include "holo/sim/fast_path.h"

namespace {

using holo::linalg::Rng;
using holo::sim::cdouble;
using holo::sim::FastProgram;
using holo::sim::OpticalPath;

void one_thread() {
  omp_set_num_threads(1);
  Eigen::setNbThreads(1);
}

// A K x K tile: two rectangular (Clements-layout) meshes with random phases around a column of attenuators.
// Timing does not depend on the phase values (bar/cross elements aside, which random phases avoid).
OpticalPath random_tile(int k, uint64_t seed) {
  Rng rng(seed);
  OpticalPath p;
  p.modes = p.inputs = p.outputs = k;
  auto mesh = [&] {
    for (int c = 0; c < k; ++c) {
      for (int m = c % 2; m + 1 < k; m += 2) {
        p.mix(m, holo::linalg::mzi_matrix(0.2 + 2.7 * rng.uniform(), holo::linalg::kTwoPi * rng.uniform()));
      }
    }
    for (int i = 0; i < k; ++i) p.scale(i, std::polar(1.0, holo::linalg::kTwoPi * rng.uniform()));
  };
  mesh();
  for (int i = 0; i < k; ++i) p.scale(i, 0.1 + 0.9 * rng.uniform());
  mesh();
  return p;
}

Eigen::MatrixXcd random_batch(int rows, int cols, uint64_t seed) {
  Rng rng(seed);
  return holo::linalg::gaussian_matrix(rows, cols, rng, true);
}

template <class F>
double seconds_per_call(F&& f, int calls) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / calls;
}

void BM_TileVsDense(benchmark::State& state) {
  one_thread();
  const int k = static_cast<int>(state.range(0));
  const int batch = static_cast<int>(state.range(1));
  const FastProgram prog = FastProgram::compile(random_tile(k, 7));
  const Eigen::MatrixXcd in = random_batch(k, batch, 8);
  const Eigen::MatrixXcd dense = prog.matrix(1);
  Eigen::MatrixXcd out(k, batch);
  for (auto _ : state) {
    prog.propagate(in, out, 1);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  // In-run baseline, interleaved with the tile so both see the same machine state.
  auto tile = [&] {
    prog.propagate(in, out, 1);
    benchmark::DoNotOptimize(out.data());
  };
  auto gemm = [&] {
    out.noalias() = dense * in;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  };
  const double work = 2.0 * k * k * static_cast<double>(batch);  // sets the inner repetitions to ~20 ms
  const int calls = std::max(1, static_cast<int>(2e9 / work / 50));
  double t_tile = 1e9, t_gemm = 1e9;
  for (int r = 0; r < 7; ++r) {
    t_tile = std::min(t_tile, seconds_per_call(tile, calls));
    t_gemm = std::min(t_gemm, seconds_per_call(gemm, calls));
  }
  state.counters["tile_ms"] = t_tile * 1e3;
  state.counters["dense_ms"] = t_gemm * 1e3;
  state.counters["ratio"] = t_tile / t_gemm;
  state.counters["mzis"] = static_cast<double>(prog.mix_ops());
}
BENCHMARK(BM_TileVsDense)
    ->ArgsProduct({{16, 64, 128}, {1000}})
    ->Args({64, 100})
    ->Args({64, 10000})
    ->Unit(benchmark::kMillisecond);

// The baseline alone: one dense complex K x K matrix times a K x batch batch.
void BM_DenseProduct(benchmark::State& state) {
  one_thread();
  const int k = static_cast<int>(state.range(0));
  const int batch = static_cast<int>(state.range(1));
  const Eigen::MatrixXcd a = random_batch(k, k, 1), in = random_batch(k, batch, 2);
  Eigen::MatrixXcd out(k, batch);
  for (auto _ : state) {
    out.noalias() = a * in;
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_DenseProduct)->ArgsProduct({{16, 64, 128}, {1000}})->Unit(benchmark::kMillisecond);

// Batch parallelism: a 64 x 64 tile on a 10000-sample batch with range(0) threads (wall time).
void BM_TileThreads(benchmark::State& state) {
  Eigen::setNbThreads(1);
  const int threads = static_cast<int>(state.range(0));
  const FastProgram prog = FastProgram::compile(random_tile(64, 9));
  const Eigen::MatrixXcd in = random_batch(64, 10000, 10);
  for (auto _ : state) benchmark::DoNotOptimize(prog.propagate(in, threads));
}
BENCHMARK(BM_TileThreads)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

// Compiling a tile (done once per Monte-Carlo draw).
void BM_CompileTile(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  const OpticalPath path = random_tile(k, 11);
  for (auto _ : state) benchmark::DoNotOptimize(FastProgram::compile(path));
}
BENCHMARK(BM_CompileTile)->Arg(64)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
