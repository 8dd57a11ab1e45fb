// holo drc: design-rule check of a GDS file; holo layout-demo (hidden): the KLayout test fixtures.
#include <limits>
#include <memory>

#include "cli.h"
#include "holo/driver/layout_cmd.h"

namespace holo::cli {

void register_drc(CLI::App& app, CommonFlags& flags) {
  auto* sub = app.add_subcommand(
      "drc", "Check a GDS file against the PDK's design rules (exit 0 when clean, 2 with a violation list)");
  auto opts = std::make_shared<driver::DrcCommandOptions>();
  sub->add_option("GDS", opts->gds_path, "GDSII file with one top cell")->required();
  sub->add_option("--pdk", opts->pdk_path, "PDK file (default: the bundled generic_soi220)");
  sub->add_option("--deck", opts->deck_path, "Also write the rules as a KLayout DRC deck (.drc) to this file");
  sub->add_option("--max-listed", opts->max_listed, "Violations listed per rule (all are counted)")
      ->transform(integer_in<size_t>(0, 1000000))
      ->capture_default_str();
  sub->add_option("--max-flat-shapes", opts->limits.max_shapes,
                  "Refuse (LAYOUT-TOO-LARGE) a top cell that would flatten to more shapes or cell placements "
                  "than this")
      ->transform(integer_in<int64_t>(1, std::numeric_limits<int64_t>::max()))
      ->capture_default_str();
  sub->add_option("--max-flat-vertices", opts->limits.max_vertices,
                  "Refuse (LAYOUT-TOO-LARGE) a top cell whose flattened polygons would hold more vertices than this")
      ->transform(integer_in<int64_t>(1, std::numeric_limits<int64_t>::max()))
      ->capture_default_str();
  sub->add_option("--drc-work-per-vertex", opts->drc_work_per_vertex,
                  "Refuse (DRC-TOO-COMPLEX) geometry needing more edge comparisons than this per vertex "
                  "(overlapping or self-intersecting shapes); 0: no limit")
      ->transform(number_in({0.0, 1e12, false, false, "", nullptr}))
      ->capture_default_str();
  add_common_flags(*sub, flags);
  set_action(*sub, [opts](const CommonFlags&) { return driver::drc(*opts); });

  // Hidden: writes the demonstration chip and the deliberately broken layouts (tests/e2e/test_layout_klayout.py).
  auto* demo = app.add_subcommand("layout-demo", "Write the layout demonstration chip and broken layouts");
  demo->group("");
  auto dopts = std::make_shared<driver::LayoutDemoOptions>();
  demo->add_option("OUT", dopts->out_dir, "Output directory")->required();
  demo->add_option("--pdk", dopts->pdk_path, "PDK file (default: the bundled generic_soi220)");
  add_common_flags(*demo, flags);
  set_action(*demo, [dopts](const CommonFlags&) { return driver::layout_demo(*dopts); });
}

}  // namespace holo::cli
