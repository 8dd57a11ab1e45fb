// A photonic platform description read at run time from pdk/*.json (format "holo-pdk", documented in
// docs/pdk.md): layers, design rules, and per template its ports and figures, each figure with the
// source of its number. Everything that needs a platform number reads it from here.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace holo::pdk {

struct Figure {
  double value = 0;
  std::string source;  // citation / derivation of the number
};

struct Layer {
  std::string name;
  int layer = 0;
  int datatype = 0;
  std::string description;
};

struct Rule {
  std::string name;      // e.g. "WG.W.1"
  std::string layer;     // layer name
  std::string kind;      // width | space | enclosure | bend_radius
  std::string of_layer;  // for enclosure: the enclosed layer
  double min_um = 0;
  std::string source;
};

struct Port {
  std::string name;
  std::string kind;  // optical | electrical
};

struct Template {
  std::string name;
  std::string description;
  std::string model;  // compact-model kind: waveguide, coupler, mzi, attenuator, phase_shifter, ...
  std::vector<Port> ports;
  std::map<std::string, Figure> figures;

  // The figure's value; a missing figure is PDK-MISSING-FIGURE naming the template and key (the load checks
  // the figures the schema marks required, so this happens only for optional ones asked without has()).
  double number(const std::string& key) const;
  const Figure& figure(const std::string& key) const;
  bool has(const std::string& key) const { return figures.count(key) != 0; }
};

struct Pdk {
  std::string name;
  std::string description;
  std::string path;  // file it was read from
  Figure wavelength_nm;
  std::vector<Layer> layers;
  std::vector<Rule> rules;
  std::map<std::string, Template> templates;

  const Template& tmpl(const std::string& name) const;  // PDK-MISSING-TEMPLATE
  const Layer& layer(const std::string& name) const;    // PDK-MISSING-LAYER
};

// Reads a PDK file and checks it against the schema (pdk/schema.h, docs/pdk.md). Errors, each naming the file
// and the JSON path: FILE-*; PDK-PARSE (not JSON, or a key repeated in one object); PDK-SCHEMA (a field
// missing, of the wrong type or unknown to the format, an unknown template or figure, a template's model);
// PDK-RANGE (a number outside its physical range); PDK-MISSING-TEMPLATE for the templates every compile
// needs; PDK-MISSING-FIGURE for a figure the schema marks required.
Pdk load_pdk(const std::string& path);
Pdk parse_pdk(const std::string& text, const std::string& what);

// The bundled default platform (pdk/generic_soi220.json in the source tree, or $HOLO_PDK_DIR).
std::string default_pdk_path();

// Templates every platform must define (checked by load_pdk; the `required` templates of the schema).
const std::vector<std::string>& required_templates();

}  // namespace holo::pdk
