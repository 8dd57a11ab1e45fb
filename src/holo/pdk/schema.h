// The PDK schema: the templates holo knows, the compact-model kind each must declare, and per template the
// figures holo knows with their unit, physical range, whether a platform must give them and which code reads
// them. parse_pdk checks every file against it once, at load: a number outside its range is PDK-RANGE, an
// unknown template or figure is PDK-SCHEMA, a missing required figure is PDK-MISSING-FIGURE. The table is
// documented in docs/pdk.md ("Figures: units and ranges"); a unit test keeps the two in step.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace holo::pdk {

// An interval of allowed values; each end open or closed.
struct Range {
  double min = 0, max = 0;
  bool min_inclusive = true, max_inclusive = true;

  bool contains(double v) const;
  std::string text() const;  // "(0, 10000]", "[0.001, 100000]"
};

// A kind of number: its unit, range and the physical reason for the bounds. Several figures share one
// (every layout length, every device insertion loss).
struct Quantity {
  std::string_view unit;  // "dB", "mW", "um", ...; "1" for a dimensionless number
  Range range;
  bool integer = false;
  std::string_view why;
  // The upper bound is the photodiode quantum limit q lambda / (h c) = wavelength_nm / 1239.84 A/W at the
  // PDK's wavelength (range.max is unused then).
  bool quantum_limit = false;
};

struct FigureSpec {
  std::string_view key;
  const Quantity* quantity = nullptr;
  // A platform defining the template must give it: the code reads it without a fallback.
  bool required = false;
  std::string_view read_by;  // the code that reads it; "not read" for figures kept for people only
};

struct TemplateSpec {
  std::string_view name;
  std::string_view model;  // the compact-model kind the simulator and compiler expect for this template
  bool required = false;   // every PDK must define it
  std::vector<FigureSpec> figures;

  const FigureSpec* find(std::string_view key) const;  // nullptr for a figure the schema does not know
};

// Every template holo knows, required ones first.
const std::vector<TemplateSpec>& template_specs();
const TemplateSpec* find_template_spec(std::string_view name);  // nullptr if unknown

// The allowed values of a figure for a PDK of the given design wavelength.
Range figure_range(const Quantity& q, double wavelength_nm);

// `$.wavelength_nm` and the `min_um` of every design rule.
const Quantity& wavelength_quantity();
const Quantity& rule_min_quantity();

// Photon energy times wavelength over the electron charge, h c / q, in nm A/W (i.e. eV nm): a photodiode
// without gain gives at most wavelength_nm / kHcOverQ_nm amperes per watt.
inline constexpr double kHcOverQ_nm = 1239.841984;

}  // namespace holo::pdk
