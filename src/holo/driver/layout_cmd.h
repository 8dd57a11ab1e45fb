// Layout commands: `holo drc` (design-rule check of a GDS file against a PDK) and the hidden
// `holo layout-demo` (writes the demonstration chip and the broken layouts the KLayout tests use).
#pragma once

#include <string>

#include "holo/driver/result.h"

namespace holo::driver {

struct DrcCommandOptions {
  std::string gds_path;
  std::string pdk_path;     // empty: the bundled default PDK
  std::string deck_path;    // when set, also write the same rules as a KLayout deck (.drc) here
  size_t max_listed = 200;  // violations listed per rule (all are counted)
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

}  // namespace holo::driver
