// PDK variants (docs/pdk.md#variants): overlay files (format "holo-pdk-variant", version 1, pdk/variants/NAME.json)
// that each set one design knob of a base platform — the phase shifter, the I/O coupler, the modulator — by
// replacing or adding figures of templates the base defines, each figure with value and source like the base.
// compose_pdk_text applies them and returns the composed platform as the text of a holo-pdk file.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "holo/pdk/pdk.h"

namespace holo::pdk {

// The knobs a variant may set, one variant per knob in a composition: phase_shifter, io_coupler, modulator,
// local_oscillator, converters.
const std::vector<std::string>& variant_knobs();

struct PdkVariant {
  std::string name;         // "ps-mems"
  std::string knob;         // one of variant_knobs()
  std::string description;  // what it changes and why
  std::string path;         // file it was read from
  // template -> figure key -> figure, as given (checked against the schema and the base)
  std::map<std::string, std::map<std::string, Figure>> figures;
  std::map<std::string, std::string> template_descriptions;  // templates whose description the variant replaces
};

// Reads and checks a variant against the schema and the base platform it is to be applied to. Errors name the
// variant file and the JSON path: FILE-*, PDK-PARSE, PDK-SCHEMA (a field missing, of the wrong type or unknown;
// an unknown template or figure; a template the base does not define; a figure without source), PDK-RANGE;
// PDK-VARIANT-UNKNOWN for a NAME with no file (variant_path).
PdkVariant load_variant(const std::string& name_or_path, const Pdk& base);

// The knob a variant sets (checked against the bundled platform, default_pdk_path()).
std::string variant_knob(const std::string& name_or_path);

// Where a variant is: a bare NAME is <pdk dir>/variants/NAME.json, the pdk dir being the directory of
// default_pdk_path() ($HOLO_PDK_DIR or the source tree's pdk/); an argument holding '/' or ending in ".json" is a
// path used as is. An unknown NAME is PDK-VARIANT-UNKNOWN listing the available ones.
std::string variant_path(const std::string& name_or_path);

// The names of the variants in <pdk dir>/variants (the file names without .json), sorted; empty if none.
std::vector<std::string> list_variants();

// The base PDK file with the variants applied, in order, as the text of a holo-pdk file: deterministic (the
// base's key order, figures replaced in place, added ones appended, 2-space indent), "name" = base name + "+" +
// the variant names in the order given, the description ending with the variants applied. The base and every
// variant are checked first (errors name the file the bad entry is in), then the merged text (parse_pdk).
// Two variants of the same knob, or two setting the same figure, are PDK-VARIANT-CONFLICT. No variants: the
// base file's bytes unchanged.
std::string compose_pdk_text(const std::string& base_path, const std::vector<std::string>& variants);

}  // namespace holo::pdk
