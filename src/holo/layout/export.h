// Files written next to a GDS: a layer map (KLayout's layer-map text format), a KLayout layer-properties
// file (.lyp) naming and colouring the PDK's layers, and an SVG preview of the flattened geometry.
#pragma once

#include <string>

#include "holo/layout/cell.h"
#include "holo/pdk/pdk.h"

namespace holo::layout {

// "#" comment lines, then one "layer/datatype : NAME (layer/datatype)" line per PDK layer.
std::string layer_map_text(const pdk::Pdk& pdk);

// KLayout .lyp XML: one <properties> entry per PDK layer with a fixed colour and pattern.
std::string lyp_text(const pdk::Pdk& pdk);

struct SvgOptions {
  int width_px = 1600;           // longer side of the image
  size_t max_polygons = 500000;  // the rest is left out (the SVG says how many)
};

// SVG preview: layers coloured as in the .lyp, drawn in PDK order (die outline first), y pointing up.
std::string svg_preview(const FlatLayout& flat, const pdk::Pdk& pdk, const SvgOptions& opts = {});

// The colour (#rrggbb) used for a PDK layer name in the .lyp and the SVG.
std::string layer_color(const std::string& layer_name, size_t index);

}  // namespace holo::layout
