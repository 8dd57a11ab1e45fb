// holo explore MODEL -o DIR --calibrate X.npy
#include "cli.h"
#include "holo/driver/explore.h"
#include "holo/support/progress.h"

namespace holo::cli {

void register_explore(CLI::App& app, CommonFlags& flags) {
  auto* sub = app.add_subcommand(
      "explore",
      "Search the design knobs (tile size, mesh method, SVD rank, PDK variants) for chips that meet the photonic "
      "targets: Pareto front in DIR/pareto.csv, pareto.json, pareto.svg; the chosen design compiled into DIR/best");
  auto model = std::make_shared<std::string>();
  auto opts = std::make_shared<driver::ExploreOptions>();
  sub->add_option("MODEL", *model, "Model file (.onnx or .json)")->required();
  sub->add_option("-o,--out", opts->out_dir, "Output directory")->required();
  sub->add_option("--pdk", opts->pdk_path, "Base platform file (default: the bundled generic SOI 220 nm PDK)");
  sub->add_option("--calibrate", opts->calibrate_paths,
                  "Calibration batch .npy (once per model input): each design's accuracy estimate and required laser "
                  "power come from the realistic simulator on it (required)")
      ->type_name("X.npy")
      ->required();
  sub->add_option("--calibrate-labels", opts->calibrate_labels_path,
                  "Class labels of the batch (.npy); without them accuracy is agreement with the reference executor")
      ->type_name("y.npy");
  // Ranges: the library's checks (driver/explore.cpp check_options).
  sub->add_option("--loss-db", opts->targets.loss_db, "Target: end-to-end optical loss at most (dB)")
      ->transform(number_in({.lo = 0.0, .hi = 1e4, .lo_open = true, .unit = "dB"}))
      ->capture_default_str();
  sub->add_option("--power-w", opts->targets.power_w, "Target: total chip power at most (W)")
      ->transform(number_in({.lo = 0.0, .hi = 1e6, .lo_open = true, .unit = "W"}))
      ->capture_default_str();
  sub->add_option("--latency-ns", opts->targets.latency_ns, "Target: latency per sample at most (ns)")
      ->transform(number_in({.lo = 0.0, .hi = 1e9, .lo_open = true, .unit = "ns"}))
      ->capture_default_str();
  sub->add_option("--bandwidth-ghz", opts->targets.bandwidth_ghz, "Target: signal bandwidth at least (GHz)")
      ->transform(number_in({.lo = 0.0, .hi = 1e4, .lo_open = true, .unit = "GHz"}))
      ->capture_default_str();
  sub->add_option("--accuracy-drop-pp", opts->targets.accuracy_drop_pp,
                  "Target: accuracy (or agreement) at most this many points below the reference")
      ->transform(number_in({.lo = 0.0, .hi = 100.0, .hi_open = true, .unit = "points"}))
      ->capture_default_str();
  sub->add_option("--budget", opts->budget, "Designs evaluated as full compiles (layout + laser power search)")
      ->transform(integer_in<int>(1, 10000))
      ->capture_default_str();
  sub->add_option("--jobs", opts->jobs, "Parallel evaluations (0: one per hardware thread)")
      ->transform(integer_in<int>(0, 1024))
      ->capture_default_str();
  sub->add_option("--mesh-sizes", opts->mesh_sizes,
                  "Tile sizes searched, comma-separated (default: 4, 8, ... up to the widest layer, at most 64)")
      ->delimiter(',')
      ->transform(integer_in<int>(2, 2048));
  sub->add_option("--methods", opts->methods, "Mesh methods searched, comma-separated (default: clements,reck)")
      ->delimiter(',')
      ->check(mesh_method());
  sub->add_option("--rank-energies", opts->rank_energies,
                  "SVD rank energies searched, comma-separated (default: 1,0.99)")
      ->delimiter(',')
      ->transform(number_in({.lo = 0.0, .hi = 1.0, .lo_open = true}));
  sub->add_option("--variants", opts->variants,
                  "PDK variants considered, comma-separated names of pdk/variants/*.json (default: all shipped); "
                  "each knob also tries the base platform's part")
      ->delimiter(',');
  add_common_flags(*sub, flags);
  set_action(*sub, [model, opts](const CommonFlags& f) {
    opts->progress = !f.quiet && !f.json && Progress::terminal_attached();
    return driver::explore(*model, *opts);
  });
}

}  // namespace holo::cli
