// holo bench <what>: benchmarks that report ratios against a baseline measured in the same run (never a
// wall-clock assert). One register_bench_<what> function per subcommand; add new ones to register_bench.
#include <fmt/format.h>

#include "cli.h"
#include "holo/driver/bench_model.h"
#include "holo/driver/decompose.h"

namespace holo::cli {

namespace {

constexpr int kMaxRepeats = 1000;  // median of at most this many samples
constexpr int kMaxThreads = 1024;

void register_bench_decompose(CLI::App& bench, CommonFlags& flags) {
  auto* sub = bench.add_subcommand(
      "decompose", "Mesh decomposition time vs one complex N x N matrix product (one thread), and tiled speed-up");
  auto opts = std::make_shared<driver::BenchDecomposeOptions>();
  // Sizes: driver/decompose.cpp (1..8192); the upper bounds of the others are the CLI's (the library only needs them
  // positive): a tiling layer as large as the largest size, a tile as large as compile's largest mesh.
  sub->add_option("--sizes", opts->sizes, "Unitary sizes N, comma separated")
      ->delimiter(',')
      ->transform(integer_in<int>(1, 8192))
      ->capture_default_str();
  sub->add_option("--repeats", opts->repeats, "Samples per measurement (the median is reported)")
      ->transform(integer_in<int>(1, kMaxRepeats))
      ->capture_default_str();
  sub->add_option("--method", opts->method, "clements or reck")->check(mesh_method())->capture_default_str();
  sub->add_option("--seed", opts->seed, "Seed of the Haar-random unitaries")
      ->transform(seed_value())
      ->capture_default_str();
  sub->add_option("--tiling-size", opts->tiling_size, "Size of the square layer for the tiling speed-up (0: skip)")
      ->transform(integer_in<int>(0, 8192))
      ->capture_default_str();
  sub->add_option("--tile", opts->tile, "Tile (mesh) size K for the tiling speed-up")
      ->transform(integer_in<int>(1, 2048))
      ->capture_default_str();
  sub->add_option("--threads", opts->threads, "Threads for the parallel tiling run")
      ->transform(integer_in<int>(1, kMaxThreads))
      ->capture_default_str();
  add_common_flags(*sub, flags);
  set_action(*sub, [opts](const CommonFlags&) { return driver::bench_decompose(*opts); });
}

void register_bench_model(CLI::App& bench, CommonFlags& flags) {
  auto* sub = bench.add_subcommand("model", "Import and reference-forward cost of a generated deep MLP vs Eigen");
  auto opts = std::make_shared<driver::BenchModelOptions>();
  // The library only needs these positive; the upper bounds are the CLI's (a width as bench compile's, and
  // layers * width^2 and batch * width far inside int64).
  sub->add_option("--layers", opts->layers, "Gemm+Relu layers")
      ->transform(integer_in<int>(1, 10000))
      ->capture_default_str();
  sub->add_option("--width", opts->width, "Features per layer")
      ->transform(integer_in<int>(1, 65536))
      ->capture_default_str();
  sub->add_option("--batch", opts->batch, "Batch size of the forward pass")
      ->transform(integer_in<int>(1, 1000000))
      ->capture_default_str();
  sub->add_option("--repeats", opts->repeats, "Forward timings (the median is reported)")
      ->transform(integer_in<int>(1, kMaxRepeats))
      ->capture_default_str();
  sub->add_option("--seed", opts->seed, "Seed of the generated weights")
      ->transform(seed_value())
      ->capture_default_str();
  add_common_flags(*sub, flags);
  set_action(*sub, [opts](const CommonFlags&) { return driver::bench_model(*opts); });
}

void register_bench_compile(CLI::App& bench, CommonFlags& flags) {
  auto* sub = bench.add_subcommand("compile", "End-to-end holo compile of a generated MLP: time and peak memory");
  auto opts = std::make_shared<driver::BenchCompileOptions>();
  // Widths: driver/bench_model.cpp (1..65536, at least two); mesh size: mapping/lower.cpp, as holo compile.
  sub->add_option("--sizes", opts->sizes, "Layer widths from input to output, comma separated")
      ->delimiter(',')
      ->transform(integer_in<int64_t>(1, 65536))
      ->capture_default_str();
  sub->add_option("--mesh-size", opts->mesh_size, "Mesh size K")
      ->transform(integer_in<int>(1, 2048))
      ->capture_default_str();
  sub->add_option("--seed", opts->seed, "Seed of the generated weights")
      ->transform(seed_value())
      ->capture_default_str();
  sub->callback([opts] {
    if (opts->sizes.size() < 2) {
      throw CLI::ValidationError("--sizes", fmt::format("{} width(s) given; expected at least 2 (input,...,output), "
                                                        "each an integer in 1..65536",
                                                        opts->sizes.size()));
    }
  });
  sub->add_flag("!--no-layout", opts->layout, "Compile without the chip layout (compile --no-layout)");
  add_common_flags(*sub, flags);
  set_action(*sub, [opts](const CommonFlags&) { return driver::bench_compile(*opts); });
}

}  // namespace

void register_bench(CLI::App& app, CommonFlags& flags) {
  auto* bench = app.add_subcommand("bench", "Benchmarks with in-run baselines (see bench/README.md)");
  bench->require_subcommand(1);
  register_bench_decompose(*bench, flags);
  register_bench_model(*bench, flags);
  register_bench_compile(*bench, flags);
}

}  // namespace holo::cli
