// A design point: the knobs a compile turns (docs/explore.md#design-points), written by every compile as
// OUT/design.json and read back by `holo compile --design FILE` (the explorer's DIR/best/design.json). The format
// "holo-design" is closed: an unknown field is an error, as in the PDK.
#pragma once

#include <string>
#include <vector>

namespace holo::driver {

struct Design {
  int mesh_size = 64;
  std::string method = "clements";
  double rank_energy = 1.0;
  std::string activation = "oeo";
  int dac_bits = 8;
  std::vector<std::string> pdk_variants;  // names (pdk/variants/NAME.json), in the order applied
};

// {"format": "holo-design", "version": 1, "mesh_size": .., "method": .., "rank_energy": .., "activation": ..,
//  "dac_bits": .., "pdk_variants": [..]} with a final newline; deterministic.
std::string design_json(const Design& d);

// Errors (naming `what` and the JSON path): DESIGN-PARSE (not JSON, a repeated key), DESIGN-SCHEMA (format or
// version, an unknown or missing field, a wrong type, a value outside the compile options' ranges).
Design parse_design(const std::string& text, const std::string& what);
Design read_design(const std::string& path);  // FILE-* errors, then parse_design

// "mesh 16, clements, rank energy 1, ps-mems + io-grating-hi" (for tables and messages).
std::string design_label(const Design& d);

}  // namespace holo::driver
