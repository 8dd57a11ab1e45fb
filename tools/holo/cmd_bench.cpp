// holo bench <what>: benchmarks that report ratios against a baseline measured in the same run (never a
// wall-clock assert). One register_bench_<what> function per subcommand; add new ones to register_bench.
#include "cli.h"
#include "holo/driver/bench_model.h"
#include "holo/driver/decompose.h"

namespace holo::cli {

namespace {

void register_bench_decompose(CLI::App& bench, CommonFlags& flags) {
  auto* sub = bench.add_subcommand(
      "decompose", "Mesh decomposition time vs one complex N x N matrix product (one thread), and tiled speed-up");
  auto opts = std::make_shared<driver::BenchDecomposeOptions>();
  sub->add_option("--sizes", opts->sizes, "Unitary sizes N, comma separated")->delimiter(',')->capture_default_str();
  sub->add_option("--repeats", opts->repeats, "Samples per measurement (the median is reported)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--method", opts->method, "clements or reck")
      ->check(CLI::IsMember({"clements", "reck"}))
      ->capture_default_str();
  sub->add_option("--seed", opts->seed, "Seed of the Haar-random unitaries")->capture_default_str();
  sub->add_option("--tiling-size", opts->tiling_size, "Size of the square layer for the tiling speed-up (0: skip)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sub->add_option("--tile", opts->tile, "Tile (mesh) size K for the tiling speed-up")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  sub->add_option("--threads", opts->threads, "Threads for the parallel tiling run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  add_common_flags(*sub, flags);
  set_action(*sub, [opts](const CommonFlags&) { return driver::bench_decompose(*opts); });
}

void register_bench_model(CLI::App& bench, CommonFlags& flags) {
  auto* sub = bench.add_subcommand("model", "Import and reference-forward cost of a generated deep MLP vs Eigen");
  auto opts = std::make_shared<driver::BenchModelOptions>();
  sub->add_option("--layers", opts->layers, "Gemm+Relu layers")->capture_default_str();
  sub->add_option("--width", opts->width, "Features per layer")->capture_default_str();
  sub->add_option("--batch", opts->batch, "Batch size of the forward pass")->capture_default_str();
  sub->add_option("--repeats", opts->repeats, "Forward timings (the median is reported)")->capture_default_str();
  sub->add_option("--seed", opts->seed, "Seed of the generated weights")->capture_default_str();
  add_common_flags(*sub, flags);
  set_action(*sub, [opts](const CommonFlags&) { return driver::bench_model(*opts); });
}

void register_bench_compile(CLI::App& bench, CommonFlags& flags) {
  auto* sub = bench.add_subcommand("compile", "End-to-end holo compile of a generated MLP: time and peak memory");
  auto opts = std::make_shared<driver::BenchCompileOptions>();
  sub->add_option("--sizes", opts->sizes, "Layer widths from input to output, comma separated")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--mesh-size", opts->mesh_size, "Mesh size K")->capture_default_str();
  sub->add_option("--seed", opts->seed, "Seed of the generated weights")->capture_default_str();
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
