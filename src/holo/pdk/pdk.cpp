#include "holo/pdk/pdk.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "holo/support/error.h"
#include "holo/support/file_io.h"

#ifndef HOLO_PDK_DIR
#define HOLO_PDK_DIR "pdk"
#endif

namespace holo::pdk {
namespace {

using json = nlohmann::json;

[[noreturn]] void schema(const std::string& what, const std::string& path, const std::string& msg) {
  fail("PDK-SCHEMA", fmt::format("{}: {}: {}", what, path, msg));
}

const json& field(const json& obj, const char* key, const std::string& what, const std::string& path) {
  if (!obj.is_object()) schema(what, path, "expected an object");
  auto it = obj.find(key);
  if (it == obj.end()) schema(what, path + "." + key, "missing");
  return *it;
}

std::string str(const json& obj, const char* key, const std::string& what, const std::string& path) {
  const json& v = field(obj, key, what, path);
  if (!v.is_string()) schema(what, path + "." + key, "expected a string");
  return v.get<std::string>();
}

double num(const json& obj, const char* key, const std::string& what, const std::string& path) {
  const json& v = field(obj, key, what, path);
  if (!v.is_number()) schema(what, path + "." + key, "expected a number");
  double d = v.get<double>();
  if (!std::isfinite(d)) schema(what, path + "." + key, "expected a finite number");
  return d;
}

Figure figure(const json& v, const std::string& what, const std::string& path) {
  Figure f;
  f.value = num(v, "value", what, path);
  f.source = str(v, "source", what, path);
  if (f.source.empty()) schema(what, path + ".source", "every number needs a source");
  return f;
}

}  // namespace

const Figure& Template::figure(const std::string& key) const {
  auto it = figures.find(key);
  if (it == figures.end()) fail("PDK-MISSING-FIGURE", fmt::format("PDK template '{}' has no figure '{}'", name, key));
  return it->second;
}

double Template::number(const std::string& key) const {
  return figure(key).value;
}

const Template& Pdk::tmpl(const std::string& n) const {
  auto it = templates.find(n);
  if (it == templates.end())
    fail("PDK-MISSING-TEMPLATE", fmt::format("{}: PDK '{}' has no template '{}'", path, name, n));
  return it->second;
}

const Layer& Pdk::layer(const std::string& n) const {
  for (const Layer& l : layers)
    if (l.name == n) return l;
  fail("PDK-MISSING-LAYER", fmt::format("{}: PDK '{}' has no layer '{}'", path, name, n));
}

const std::vector<std::string>& required_templates() {
  static const std::vector<std::string> t = {
      "waveguide",     "directional_coupler", "phase_shifter", "mzi", "attenuator",   "modulator",
      "photodetector", "homodyne_receiver",   "dac",           "adc", "nonlinearity", "accumulator"};
  return t;
}

Pdk parse_pdk(const std::string& text, const std::string& what) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // parse errors, and numbers out of double range (1e999)
    fail("PDK-PARSE", fmt::format("{}: not valid JSON: {}", what, e.what()));
  }
  if (!j.is_object()) schema(what, "$", "expected an object");
  if (str(j, "format", what, "$") != "holo-pdk") schema(what, "$.format", "expected \"holo-pdk\"");
  if (num(j, "version", what, "$") != 1) schema(what, "$.version", "only version 1 is supported");
  Pdk p;
  p.path = what;
  p.name = str(j, "name", what, "$");
  p.description = str(j, "description", what, "$");
  p.wavelength_nm = figure(field(j, "wavelength_nm", what, "$"), what, "$.wavelength_nm");

  const json& layers = field(j, "layers", what, "$");
  if (!layers.is_array()) schema(what, "$.layers", "expected an array");
  std::set<std::string> layer_names;
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string at = fmt::format("$.layers[{}]", i);
    Layer l;
    l.name = str(layers[i], "name", what, at);
    double ln = num(layers[i], "layer", what, at), dt = num(layers[i], "datatype", what, at);
    if (ln < 0 || ln > 65535 || ln != std::floor(ln)) schema(what, at + ".layer", "expected an integer 0..65535");
    if (dt < 0 || dt > 65535 || dt != std::floor(dt)) schema(what, at + ".datatype", "expected an integer 0..65535");
    l.layer = static_cast<int>(ln);
    l.datatype = static_cast<int>(dt);
    l.description = str(layers[i], "description", what, at);
    if (!layer_names.insert(l.name).second) schema(what, at + ".name", "duplicate layer name '" + l.name + "'");
    p.layers.push_back(std::move(l));
  }

  const json& rules = field(j, "rules", what, "$");
  if (!rules.is_array()) schema(what, "$.rules", "expected an array");
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string at = fmt::format("$.rules[{}]", i);
    Rule r;
    r.name = str(rules[i], "name", what, at);
    r.layer = str(rules[i], "layer", what, at);
    r.kind = str(rules[i], "kind", what, at);
    r.min_um = num(rules[i], "min_um", what, at);
    r.source = str(rules[i], "source", what, at);
    if (!layer_names.count(r.layer)) schema(what, at + ".layer", "unknown layer '" + r.layer + "'");
    static const std::set<std::string> kinds{"width", "space", "enclosure", "bend_radius"};
    if (!kinds.count(r.kind)) schema(what, at + ".kind", "expected width, space, enclosure or bend_radius");
    if (r.kind == "enclosure") {
      r.of_layer = str(rules[i], "of_layer", what, at);
      if (!layer_names.count(r.of_layer)) schema(what, at + ".of_layer", "unknown layer '" + r.of_layer + "'");
    }
    if (r.min_um <= 0) schema(what, at + ".min_um", "expected a positive length");
    p.rules.push_back(std::move(r));
  }

  const json& templates = field(j, "templates", what, "$");
  if (!templates.is_object()) schema(what, "$.templates", "expected an object");
  for (auto it = templates.begin(); it != templates.end(); ++it) {
    std::string at = "$.templates." + it.key();
    Template t;
    t.name = it.key();
    t.description = str(*it, "description", what, at);
    t.model = str(*it, "model", what, at);
    const json& ports = field(*it, "ports", what, at);
    if (!ports.is_array()) schema(what, at + ".ports", "expected an array");
    for (size_t i = 0; i < ports.size(); ++i) {
      std::string pat = fmt::format("{}.ports[{}]", at, i);
      Port port{str(ports[i], "name", what, pat), str(ports[i], "kind", what, pat)};
      if (port.kind != "optical" && port.kind != "electrical")
        schema(what, pat + ".kind", "expected optical or electrical");
      t.ports.push_back(std::move(port));
    }
    const json& figs = field(*it, "figures", what, at);
    if (!figs.is_object()) schema(what, at + ".figures", "expected an object");
    for (auto f = figs.begin(); f != figs.end(); ++f) t.figures[f.key()] = figure(*f, what, at + ".figures." + f.key());
    p.templates.emplace(t.name, std::move(t));
  }
  for (const std::string& need : required_templates())
    if (!p.templates.count(need))
      fail("PDK-MISSING-TEMPLATE",
           fmt::format("{}: PDK '{}' lacks the template '{}' that compilation needs", what, p.name, need));
  return p;
}

Pdk load_pdk(const std::string& path) {
  return parse_pdk(read_file(path), path);
}

std::string default_pdk_path() {
  const char* dir = std::getenv("HOLO_PDK_DIR");
  std::string d = dir && *dir ? dir : HOLO_PDK_DIR;
  return (std::filesystem::path(d) / "generic_soi220.json").string();
}

}  // namespace holo::pdk
