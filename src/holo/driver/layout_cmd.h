// Layout commands: `holo drc` (design-rule check of a GDS file against a PDK) and the hidden
// `holo layout-demo` (writes the demonstration chip and the broken layouts the KLayout tests use).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/driver/result.h"
#include "holo/layout/chip.h"
#include "holo/layout/drc.h"
#include "holo/layout/lvs.h"
#include "holo/layout/nets.h"
#include "holo/layout/params.h"
#include "holo/pdk/pdk.h"

namespace holo::driver {

struct DrcCommandOptions {
  std::string gds_path;
  std::string pdk_path;     // empty: the bundled default PDK
  std::string deck_path;    // when set, also write the same rules as a KLayout deck (.drc) here
  size_t max_listed = 200;  // violations listed per rule (all are counted)
  // Budgets of the flattened top cell, checked from the hierarchy before flattening (LAYOUT-TOO-LARGE).
  layout::FlatLimits limits;
  // Edge comparisons the DRC may make per flat vertex (DRC-TOO-COMPLEX beyond; 0: no limit).
  double drc_work_per_vertex = layout::DrcOptions{}.max_work_per_vertex;
};

// Checks the single top cell of a GDS file. exit_code 0 when clean, 2 when there are violations (listed in
// json "violations" and in the text); errors in the inputs throw holo::Error as usual.
Result drc(const DrcCommandOptions& opts);

struct LayoutDemoOptions {
  std::string out_dir;
  std::string pdk_path;  // empty: the bundled default PDK
};

// Writes OUT/demo.gds (+ .lyp, .layermap, .svg), OUT/demo.drc (the KLayout deck) and
// OUT/broken/<name>.gds; the json lists the expected cell and shape counts and the rules each broken
// layout violates.
Result layout_demo(const LayoutDemoOptions& opts);

// What write_chip_layout wrote and measured (for the compile report).
struct LayoutOutputs {
  std::string gds_path, lyp_path, layermap_path, drc_deck_path, svg_path, pads_path;
  layout::ChipFigures figures;
  // Netlist tile cell -> what the layout drew on its paths (circuit::DrawnPaths; compile records it). Not in
  // to_json().
  std::map<std::string, circuit::DrawnPaths> drawn;
  int64_t gds_bytes = 0;
  int64_t flat_polygons = 0;
  // Shapes per "layer/datatype" of the expanded chip as KLayout counts them (polygons, texts and port labels).
  std::map<std::string, int64_t> shapes_per_layer;
  // holo's DRC on the flattened chip; skipped (drc_checked false, drc_violations -1) when the chip holds
  // more than ChipLayoutOptions::drc_max_polygons polygons (the check is flat, ~18 us per polygon).
  bool drc_checked = false;
  int64_t drc_violations = -1;
  std::vector<layout::Violation> drc_listed;  // the first violations, for the report
  int64_t lvs_mismatches = 0;
  std::vector<layout::LvsMismatch> lvs_listed;  // the first mismatches (at most 50)
  // The heater wiring checked from the flattened geometry (layout/nets.h).
  layout::HeaterNets heater_nets;
  double layout_seconds = 0, drc_seconds = 0, nets_seconds = 0;
  // Layout figures the PDK lacked and the defaults used instead (LayoutParams::fallbacks; empty for the bundled
  // PDK), for the caller to report as warnings. Not in to_json().
  std::vector<layout::ParamFallback> fallbacks;
  // The tiles' heater sites (layout::ChipLayout::thermal_sites), for compile's thermal stage. Not in to_json().
  circuit::ThermalSites thermal_sites;
  nlohmann::json to_json() const;
};

struct ChipLayoutOptions {
  int64_t drc_max_polygons = 400000;
  // Above this many flat polygons the SVG preview draws leaf cells as outline boxes.
  int64_t svg_full_max_polygons = 50000;
};

// Lays out the compiled netlist (layout::layout_chip, with the PDK's layout parameters derived once here and
// used by the layout, the checks and the preview) and writes OUT/chip.gds (with port labels), chip.lyp,
// chip.layermap, chip.drc (KLayout deck), chip.svg (preview) and pads.csv (what each heater-wiring pad drives);
// runs holo's DRC, the layout-versus-netlist check and the heater-wiring check (layout/nets.h). Creates out_dir when
// needed. Errors: FILE-WRITE, LAYOUT-*.
LayoutOutputs write_chip_layout(const circuit::Netlist& netlist, const pdk::Pdk& pdk, const std::string& out_dir,
                                const ChipLayoutOptions& opts = {});

}  // namespace holo::driver
