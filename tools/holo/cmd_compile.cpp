// holo compile MODEL -o OUT
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli.h"
#include "holo/driver/compile.h"
#include "holo/pdk/variants.h"
#include "holo/support/progress.h"

namespace holo::cli {

void register_compile(CLI::App& app, CommonFlags& flags) {
  auto* sub =
      app.add_subcommand("compile", "Compile a trained model into a photonic circuit (netlist, program, report)");
  auto model = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto opts = std::make_shared<driver::CompileOptions>();
  sub->add_option("MODEL", *model, "Model file (.onnx or .json)")->required();
  sub->add_option("-o,--out", *out, "Output directory")->required();
  sub->add_option("--pdk", opts->pdk_path, "Platform file (default: the bundled generic SOI 220 nm PDK)");
  {
    // The variants shipped beside the default PDK (pdk/variants/NAME.json), for the help text; the library
    // resolves and checks the names (pdk::variant_path, pdk::compose_pdk_text).
    const std::vector<std::string> shipped = pdk::list_variants();
    sub->add_option("--pdk-variant", opts->pdk_variants,
                    "Apply a PDK variant to the platform (repeatable, one per knob: phase_shifter, io_coupler, "
                    "modulator, local_oscillator, converters; docs/pdk.md#variants): a NAME of the bundled variants (" +
                        (shipped.empty() ? std::string("none found") : fmt::format("{}", fmt::join(shipped, ", "))) +
                        ") or a variant .json file")
        ->type_name("NAME");
  }
  // Ranges: the library's checks (mapping/lower.cpp: mesh size, activation, energy; driver/compile.cpp: DAC bits;
  // linalg::parse_method).
  sub->add_option("--mesh-size", opts->mesh_size, "Largest MZI mesh K; larger matrices are tiled into K x K blocks")
      ->transform(integer_in<int>(1, 2048))
      ->capture_default_str();
  sub->add_option("--method", opts->method, "Mesh decomposition: clements or reck")
      ->check(mesh_method())
      ->capture_default_str();
  sub->add_option("--activation", opts->activation,
                  "Nonlinearities: oeo (detect, apply electronically, re-modulate) or eo (Williamson electro-optic)")
      ->check(one_of({"oeo", "eo"}))
      ->capture_default_str();
  sub->add_option("--dac-bits", opts->dac_bits, "Phase DAC resolution for the programming table")
      ->transform(integer_in<int>(1, 24))
      ->capture_default_str();
  sub->add_option("--rank-energy", opts->rank_energy,
                  "Keep the smallest SVD rank per tile holding this fraction of the energy (1 = full rank)")
      ->transform(number_in({.lo = 0.0, .hi = 1.0, .lo_open = true}))
      ->capture_default_str();
  sub->add_option("--calibrate", opts->calibrate_paths,
                  "Calibration batch .npy (once per model input): compile finds by simulation the laser power per "
                  "channel at which the chip's accuracy on it is within 1 point of the reference, and charges the "
                  "power and energy figures at it (docs/simulation.md, 'Laser power')")
      ->type_name("X.npy");
  sub->add_option("--calibrate-labels", opts->calibrate_labels_path,
                  "Class labels of the --calibrate batch (.npy); without them the criterion is 99% agreement with "
                  "the reference executor")
      ->type_name("y.npy");
  sub->add_option("--accuracy-drop-pp", opts->accuracy_drop_pp,
                  "Calibration criterion: accuracy at most this many points below the reference on the --calibrate "
                  "batch (agreement at least 1 - this/100 without labels)")
      ->transform(number_in({.lo = 0.0, .hi = 100.0, .hi_open = true, .unit = "points"}))
      ->capture_default_str();
  auto design = std::make_shared<std::string>();
  sub->add_option("--design", *design,
                  "Design point (a design.json, e.g. holo explore's DIR/best/design.json): sets --mesh-size, --method, "
                  "--rank-energy, --activation, --dac-bits and --pdk-variant; those given on the "
                  "command line win")
      ->type_name("FILE");
  auto no_layout = std::make_shared<bool>(false);
  sub->add_flag("--no-layout", *no_layout, "Skip the physical layout (chip.gds and its figures)");
  sub->add_flag("--drc", opts->drc,
                "Also run holo's design-rule check on the chip (holo drc OUT/chip.gds does it later)");
  sub->add_flag("--stats", opts->stats, "Print the time and peak-memory growth of every stage after the summary");
  // Stage names and their forms: driver::compile_stages() (the library checks them as well).
  std::vector<std::string> dumpable;
  for (const driver::StageInfo& s : driver::compile_stages())
    if (!s.dump.empty()) dumpable.push_back(s.name);
  sub->add_option("--dump-after", opts->dump_after,
                  "Write the intermediate form after STAGE to <dump dir>/<OUT name>.after-STAGE.<form> (repeatable). "
                  "Stages, in order:\n" +
                      driver::stages_help(driver::compile_stages()))
      ->type_name("STAGE")
      ->check(one_of(dumpable));
  sub->add_option("--dump-dir", opts->dump_dir, "Directory for --dump-after files (default: OUT's parent, beside OUT)")
      ->type_name("DIR");
  add_common_flags(*sub, flags);
  set_action(*sub, [sub, model, out, opts, no_layout, design](const CommonFlags& f) {
    if (!design->empty()) {
      // The design file's knobs, then the ones given on the command line over them.
      driver::CompileOptions given = *opts;
      driver::apply_design(*opts, driver::read_design(*design));
      if (sub->count("--mesh-size")) opts->mesh_size = given.mesh_size;
      if (sub->count("--method")) opts->method = given.method;
      if (sub->count("--rank-energy")) opts->rank_energy = given.rank_energy;
      if (sub->count("--activation")) opts->activation = given.activation;
      if (sub->count("--dac-bits")) opts->dac_bits = given.dac_bits;
      if (sub->count("--pdk-variant")) opts->pdk_variants = given.pdk_variants;
    }
    opts->layout = !*no_layout;
    opts->progress = !f.quiet && !f.json && Progress::terminal_attached();
    return driver::compile(*model, *out, *opts);
  });
}

}  // namespace holo::cli
