// Micro-benchmarks of holo::linalg. Decompositions and the baseline product run on one thread; the tiled
// layer runs on 1 and 2 threads (wall time) to show the parallel speed-up of independent tiles.
#include <benchmark/benchmark.h>
#include <omp.h>

#include <Eigen/Core>

#include "holo/linalg/correction.h"
#include "holo/linalg/decompose.h"
#include "holo/linalg/random.h"
#include "holo/linalg/tiling.h"

namespace {

using namespace holo::linalg;

void one_thread() {
  omp_set_num_threads(1);
  Eigen::setNbThreads(1);
}

void BM_Decompose(benchmark::State& state, MeshMethod method) {
  one_thread();
  const int n = static_cast<int>(state.range(0));
  const Eigen::MatrixXcd u = haar_unitary(n, 42);
  DecomposeOptions o;
  o.method = method;
  for (auto _ : state) benchmark::DoNotOptimize(decompose(u, o));
  state.counters["mzis"] = static_cast<double>(n) * (n - 1) / 2;
}
BENCHMARK_CAPTURE(BM_Decompose, clements, MeshMethod::Clements)
    ->Arg(64)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Decompose, reck, MeshMethod::Reck)->Arg(64)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond);

// Baseline: one complex N x N matrix product.
void BM_EigenGemm(benchmark::State& state) {
  one_thread();
  const int n = static_cast<int>(state.range(0));
  const Eigen::MatrixXcd a = haar_unitary(n, 1), b = haar_unitary(n, 2);
  Eigen::MatrixXcd c(n, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_EigenGemm)->Arg(64)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

void BM_Reconstruct(benchmark::State& state) {
  one_thread();
  const int n = static_cast<int>(state.range(0));
  const Mesh mesh = decompose(haar_unitary(n, 3));
  for (auto _ : state) benchmark::DoNotOptimize(reconstruct(mesh));
}
BENCHMARK(BM_Reconstruct)->Arg(64)->Arg(256)->Unit(benchmark::kMillisecond);

// A 512 x 512 real layer in 64 x 64 tiles (SVD + two meshes each), on range(0) threads.
void BM_TiledLayer(benchmark::State& state) {
  Eigen::setNbThreads(1);
  Rng rng(4);
  const Eigen::MatrixXd w = gaussian_matrix(512, 512, rng, false).real();
  TilingOptions o;
  o.tile = 64;
  o.threads = static_cast<int>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(map_tiled(w, o));
  state.counters["tiles"] = 64;
}
BENCHMARK(BM_TiledLayer)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

void BM_CouplerCorrection(benchmark::State& state) {
  one_thread();
  const int n = static_cast<int>(state.range(0));
  Rng rng(5);
  const Mesh mesh = decompose(haar_unitary(n, rng));
  const std::vector<CouplerError> err = random_coupler_errors(mesh.mzis.size(), 0.02, rng);
  for (auto _ : state) benchmark::DoNotOptimize(correct_couplers(mesh, err));
}
BENCHMARK(BM_CouplerCorrection)->Arg(64)->Unit(benchmark::kMillisecond);

}  // namespace
