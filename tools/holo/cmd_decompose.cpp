// holo decompose: a unitary (.npy) into the phases of a Clements or Reck MZI mesh.
#include <cmath>

#include "cli.h"
#include "holo/driver/decompose.h"

namespace holo::cli {

void register_decompose(CLI::App& app, CommonFlags& flags) {
  auto* sub = app.add_subcommand("decompose", "Decompose an N x N unitary (.npy) into MZI mesh phases");
  auto opts = std::make_shared<driver::DecomposeCommandOptions>();
  sub->add_option("UNITARY", opts->input_path, "Complex (or real) N x N unitary, .npy")->required();
  sub->add_option("--method", opts->method, "Mesh: clements (rectangular, N columns) or reck (triangular)")
      ->check(mesh_method())
      ->capture_default_str();
  sub->add_option("-o,--out", opts->out_path, "Write the phases (JSON, schema in docs/linalg.md) here");
  sub->add_flag("--reorthonormalize", opts->reorthonormalize,
                "Replace the input by its nearest unitary (polar factor) before decomposing");
  sub->add_option("--tolerance", opts->tolerance, "Reject inputs with ||U^H U - I||_F above this")
      ->transform(number_in({.lo = 0.0, .hi = HUGE_VAL, .hi_open = true}))  // linalg::decompose: >= 0
      ->capture_default_str();
  add_common_flags(*sub, flags);
  set_action(*sub, [opts](const CommonFlags&) { return driver::decompose_unitary(*opts); });
}

}  // namespace holo::cli
