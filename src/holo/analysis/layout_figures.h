// The chip's layout figures (die area, waveguide length, the loss and path length the layout adds, I/O
// length spread, cut-back set, heater wiring) and counts (bends, couplers, pads, wiring nets, shapes per layer),
// each with how it was computed, from the facts the layout measured (layout/chip.h ChipFigures, layout/nets.h
// HeaterNets, the layout-versus-netlist check and the shapes written).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "holo/analysis/metrics.h"
#include "holo/layout/chip.h"
#include "holo/layout/nets.h"

namespace holo::analysis {

struct LayoutFacts {
  layout::ChipFigures figures;
  layout::HeaterNets heater_nets;
  int64_t lvs_mismatches = 0;
  // Shapes per "layer/datatype" of the expanded chip as KLayout counts them (polygons, texts and port labels).
  std::map<std::string, int64_t> shapes_per_layer;
};

// Appends the layout figures to `m` (after analyze's; worst_path_loss_with_layout_db adds to its
// worst_path_loss_db) and sets the layout counts.
void add_layout_figures(ChipMetrics& m, const LayoutFacts& facts);

}  // namespace holo::analysis
