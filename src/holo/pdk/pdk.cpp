#include "holo/pdk/pdk.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "holo/pdk/check.h"
#include "holo/pdk/schema.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/json.h"
#include "holo/support/text.h"

#ifndef HOLO_PDK_DIR
#define HOLO_PDK_DIR "pdk"
#endif

namespace holo::pdk {
namespace detail {

[[noreturn]] void schema(const std::string& what, const std::string& path, const std::string& msg) {
  fail("PDK-SCHEMA", fmt::format("{}: {}: {}", what, path, msg));
}

std::string key_path(const std::string& parent, std::string_view key) {
  return parent + "." + printable(key, kMaxNameInMessage);
}

std::string in_quotes(std::string_view name) {
  return "'" + printable(name, kMaxNameInMessage) + "'";
}

// Levenshtein distance, for "did you mean" on short keys.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      const bool same =
          std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

// The format is closed: a key it does not define is a typo as likely as not, and ignoring it would let the
// default or an error elsewhere stand for what the author wrote.
void known_fields(const json& obj, std::initializer_list<std::string_view> fields, const std::string& what,
                  const std::string& path) {
  for (auto it = obj.begin(); it != obj.end(); ++it)
    if (std::find(fields.begin(), fields.end(), it.key()) == fields.end())
      schema(what, key_path(path, it.key()), unknown("field", it.key(), fields));
}

const json& object(const json& v, const std::string& what, const std::string& path,
                   std::initializer_list<std::string_view> fields) {
  if (!v.is_object()) schema(what, path, "expected an object");
  known_fields(v, fields, what, path);
  return v;
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

// PDK-RANGE unless v lies in r (and is an integer if q says so).
void check_range(double v, const Quantity& q, const Range& r, const std::string& what, const std::string& path) {
  const bool integer_ok = !q.integer || v == std::floor(v);
  if (r.contains(v) && integer_ok) return;
  const std::string unit = q.unit == "1" ? "" : " " + std::string(q.unit);
  fail("PDK-RANGE", fmt::format("{}: {}: {}{} is outside the allowed {}{}{}: {}", what, path, v, unit,
                                q.integer ? "integers in " : "", r.text(), unit, q.why));
}

Figure figure(const json& v, const std::string& what, const std::string& path) {
  object(v, what, path, {"value", "source"});
  Figure f;
  f.value = num(v, "value", what, path);
  f.source = str(v, "source", what, path);
  if (f.source.empty()) schema(what, path + ".source", "every number needs a source");
  return f;
}

std::vector<std::string_view> template_names() {
  std::vector<std::string_view> names;
  for (const TemplateSpec& t : template_specs()) names.push_back(t.name);
  return names;
}

std::vector<std::string_view> figure_names(const TemplateSpec& spec) {
  std::vector<std::string_view> names;
  for (const FigureSpec& f : spec.figures) names.push_back(f.key);
  return names;
}

}  // namespace detail

using namespace detail;

namespace {

// GDSII stores layer and datatype numbers in 16 bits.
constexpr Quantity kGdsNumber{"1", {0, 65535, true, true}, true, "GDSII stores layer and datatype numbers in 16 bits"};

Template read_template(const std::string& name, const json& v, const Pdk& p, const std::string& what) {
  const std::string at = key_path("$.templates", name);
  const TemplateSpec* spec = find_template_spec(name);
  if (!spec) schema(what, at, unknown("template", name, template_names()));
  object(v, what, at, {"description", "model", "ports", "figures"});
  Template t;
  t.name = name;
  t.description = str(v, "description", what, at);
  t.model = str(v, "model", what, at);
  if (t.model != spec->model)
    schema(what, at + ".model",
           fmt::format("template '{}' must have model \"{}\", not {} (the compiler and the simulator treat it as "
                       "one)",
                       name, spec->model, in_quotes(t.model)));
  const json& ports = field(v, "ports", what, at);
  if (!ports.is_array()) schema(what, at + ".ports", "expected an array");
  std::set<std::string> port_names;
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string pat = fmt::format("{}.ports[{}]", at, i);
    object(ports[i], what, pat, {"name", "kind"});
    Port port{str(ports[i], "name", what, pat), str(ports[i], "kind", what, pat)};
    if (port.kind != "optical" && port.kind != "electrical")
      schema(what, pat + ".kind", "expected optical or electrical");
    if (!port_names.insert(port.name).second)
      schema(what, pat + ".name", "duplicate port name " + in_quotes(port.name));
    t.ports.push_back(std::move(port));
  }
  const std::string fat = at + ".figures";
  const json& figs = field(v, "figures", what, at);
  if (!figs.is_object()) schema(what, fat, "expected an object");
  for (auto f = figs.begin(); f != figs.end(); ++f) {
    const std::string path = key_path(fat, f.key());
    const FigureSpec* fs = spec->find(f.key());
    if (!fs) schema(what, path, unknown("figure", f.key(), figure_names(*spec), " of template '" + name + "'"));
    Figure fig = figure(*f, what, path);
    check_range(fig.value, *fs->quantity, figure_range(*fs->quantity, p.wavelength_nm.value), what, path + ".value");
    t.figures[f.key()] = std::move(fig);
  }
  for (const FigureSpec& fs : spec->figures)
    if (fs.required && !t.has(std::string(fs.key)))
      fail("PDK-MISSING-FIGURE", fmt::format("{}: {}.{}: missing; template '{}' must give it (read by {})", what, fat,
                                             fs.key, name, fs.read_by));
  return t;
}

}  // namespace

const Figure& Template::figure(const std::string& key) const {
  auto it = figures.find(key);
  if (it == figures.end())
    fail("PDK-MISSING-FIGURE", fmt::format("PDK template {} has no figure {}", in_quotes(name), in_quotes(key)));
  return it->second;
}

double Template::number(const std::string& key) const {
  return figure(key).value;
}

const Template& Pdk::tmpl(const std::string& n) const {
  auto it = templates.find(n);
  if (it == templates.end())
    fail("PDK-MISSING-TEMPLATE", fmt::format("{}: PDK {} has no template {}", path, in_quotes(name), in_quotes(n)));
  return it->second;
}

const Layer& Pdk::layer(const std::string& n) const {
  for (const Layer& l : layers)
    if (l.name == n) return l;
  fail("PDK-MISSING-LAYER", fmt::format("{}: PDK {} has no layer {}", path, in_quotes(name), in_quotes(n)));
}

const std::vector<std::string>& required_templates() {
  static const std::vector<std::string> t = [] {
    std::vector<std::string> names;
    for (const TemplateSpec& s : template_specs())
      if (s.required) names.emplace_back(s.name);
    return names;
  }();
  return t;
}

Pdk parse_pdk(const std::string& text, const std::string& what) {
  const json j = parse_json_strict<json>(text, "PDK-PARSE", what);
  object(j, what, "$", {"format", "version", "name", "description", "wavelength_nm", "layers", "rules", "templates"});
  if (str(j, "format", what, "$") != "holo-pdk") schema(what, "$.format", "expected \"holo-pdk\"");
  if (num(j, "version", what, "$") != 1) schema(what, "$.version", "only version 1 is supported");
  Pdk p;
  p.path = what;
  p.name = str(j, "name", what, "$");
  p.description = str(j, "description", what, "$");
  p.wavelength_nm = figure(field(j, "wavelength_nm", what, "$"), what, "$.wavelength_nm");
  check_range(p.wavelength_nm.value, wavelength_quantity(), wavelength_quantity().range, what, "$.wavelength_nm.value");

  const json& layers = field(j, "layers", what, "$");
  if (!layers.is_array()) schema(what, "$.layers", "expected an array");
  std::set<std::string> layer_names;
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string at = fmt::format("$.layers[{}]", i);
    object(layers[i], what, at, {"name", "layer", "datatype", "description"});
    Layer l;
    l.name = str(layers[i], "name", what, at);
    double ln = num(layers[i], "layer", what, at), dt = num(layers[i], "datatype", what, at);
    check_range(ln, kGdsNumber, kGdsNumber.range, what, at + ".layer");
    check_range(dt, kGdsNumber, kGdsNumber.range, what, at + ".datatype");
    l.layer = static_cast<int>(ln);
    l.datatype = static_cast<int>(dt);
    l.description = str(layers[i], "description", what, at);
    if (!layer_names.insert(l.name).second) schema(what, at + ".name", "duplicate layer name " + in_quotes(l.name));
    p.layers.push_back(std::move(l));
  }

  const json& rules = field(j, "rules", what, "$");
  if (!rules.is_array()) schema(what, "$.rules", "expected an array");
  std::set<std::string> rule_names;
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string at = fmt::format("$.rules[{}]", i);
    object(rules[i], what, at, {"name", "layer", "kind", "of_layer", "min_um", "source"});
    Rule r;
    r.name = str(rules[i], "name", what, at);
    r.layer = str(rules[i], "layer", what, at);
    r.kind = str(rules[i], "kind", what, at);
    r.min_um = num(rules[i], "min_um", what, at);
    r.source = str(rules[i], "source", what, at);
    if (!rule_names.insert(r.name).second) schema(what, at + ".name", "duplicate rule name " + in_quotes(r.name));
    if (!layer_names.count(r.layer)) schema(what, at + ".layer", "unknown layer " + in_quotes(r.layer));
    static const std::set<std::string> kinds{"width", "space", "enclosure", "bend_radius"};
    if (!kinds.count(r.kind)) schema(what, at + ".kind", "expected width, space, enclosure or bend_radius");
    if (r.kind == "enclosure") {
      r.of_layer = str(rules[i], "of_layer", what, at);
      if (!layer_names.count(r.of_layer)) schema(what, at + ".of_layer", "unknown layer " + in_quotes(r.of_layer));
    } else if (rules[i].contains("of_layer")) {
      schema(what, at + ".of_layer", "only an enclosure rule names an enclosed layer");
    }
    check_range(r.min_um, rule_min_quantity(), rule_min_quantity().range, what, at + ".min_um");
    if (r.source.empty()) schema(what, at + ".source", "every number needs a source");
    p.rules.push_back(std::move(r));
  }

  const json& templates = field(j, "templates", what, "$");
  if (!templates.is_object()) schema(what, "$.templates", "expected an object");
  for (auto it = templates.begin(); it != templates.end(); ++it)
    p.templates.emplace(it.key(), read_template(it.key(), *it, p, what));
  for (const std::string& need : required_templates())
    if (!p.templates.count(need))
      fail("PDK-MISSING-TEMPLATE",
           fmt::format("{}: PDK {} lacks the template '{}' that compilation needs", what, in_quotes(p.name), need));
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
