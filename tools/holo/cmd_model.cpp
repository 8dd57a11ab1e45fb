// holo inspect / run / eval: model-level commands over holo::driver.
#include "cli.h"
#include "holo/driver/model.h"

namespace holo::cli {

namespace {
void add_load_flags(CLI::App& sub, driver::LoadOptions& load) {
  sub.add_flag(
      "--no-simplify", [&load](int64_t) { load.simplify = false; },
      "Keep Identity/Dropout/BatchNorm and constant subgraphs as imported");
}
}  // namespace

void register_inspect(CLI::App& app, CommonFlags& flags) {
  auto* sub = app.add_subcommand("inspect", "Show a model's ops, tensor shapes, parameter count and MACs per layer");
  auto model = std::make_shared<std::string>();
  auto opts = std::make_shared<driver::InspectOptions>();
  sub->add_option("MODEL", *model, "Model file (.onnx or .json)")->required();
  sub->add_flag("--dump", opts->dump, "Print the deterministic text form of the (simplified) graph");
  add_load_flags(*sub, opts->load);
  add_common_flags(*sub, flags);
  set_action(*sub, [model, opts](const CommonFlags&) { return driver::inspect(*model, *opts); });
}

void register_run(CLI::App& app, CommonFlags& flags) {
  auto* sub = app.add_subcommand("run", "Reference forward pass (float64) of a whole batch");
  auto model = std::make_shared<std::string>();
  auto opts = std::make_shared<driver::RunOptions>();
  sub->add_option("MODEL", *model, "Model file (.onnx or .json)")->required();
  sub->add_option("-i,--input", opts->input_paths, "Input .npy (repeat once per model input, in model order)")
      ->required();
  sub->add_option("-o,--output", opts->output_path, "Where to write the first model output (.npy)")->required();
  sub->add_flag("--float32", opts->float32_output, "Write float32 instead of float64");
  add_load_flags(*sub, opts->load);
  add_common_flags(*sub, flags);
  set_action(*sub, [model, opts](const CommonFlags&) { return driver::run(*model, *opts); });
}

void register_eval(CLI::App& app, CommonFlags& flags) {
  auto* sub = app.add_subcommand("eval", "Top-1 accuracy of the reference forward pass on labelled data");
  auto model = std::make_shared<std::string>();
  auto opts = std::make_shared<driver::EvalOptions>();
  sub->add_option("MODEL", *model, "Model file (.onnx or .json)")->required();
  sub->add_option("-i,--input", opts->input_paths, "Input .npy (repeat once per model input)")->required();
  sub->add_option("-l,--labels", opts->labels_path, "Integer class labels .npy, one per sample")->required();
  add_load_flags(*sub, opts->load);
  add_common_flags(*sub, flags);
  set_action(*sub, [model, opts](const CommonFlags&) { return driver::eval(*model, *opts); });
}

}  // namespace holo::cli
