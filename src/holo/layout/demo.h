// A demonstration chip made of every cell generator, and deliberately broken layouts: the fixtures of the
// KLayout end-to-end test (`holo layout-demo`) and of the unit tests.
#pragma once

#include <string>
#include <vector>

#include "holo/layout/cell.h"
#include "holo/pdk/pdk.h"

namespace holo::layout {

// Top cell "holo_demo": a connected chain (grating coupler -> MZI -> attenuator -> photodetector, and the
// MZI's cross output through two Euler bends to a second photodetector), the MZI's four heater contacts
// wired on M2 to a 1 x 4 array (AREF) of bond pads, one standalone copy of every generator (bends also at
// the PDK's minimum radius), labels and a die outline. Clean under the PDK's DRC.
Library demo_chip(const pdk::Pdk& pdk);

struct BrokenLayout {
  std::string name;                // also the top cell name
  std::string description;         // what is wrong
  std::vector<std::string> rules;  // the rule names a correct DRC reports (sorted)
  Library lib;
};

// One layout per PDK rule kind and layer (too-narrow wire, too-close shapes, via without enclosure, sharp
// bend, ...), each violating exactly the listed rules.
std::vector<BrokenLayout> broken_layouts(const pdk::Pdk& pdk);

}  // namespace holo::layout
