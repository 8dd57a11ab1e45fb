#include "holo/pdk/variants.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string_view>

#include "holo/pdk/check.h"
#include "holo/pdk/schema.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/json.h"

namespace holo::pdk {

using namespace detail;

namespace {

std::filesystem::path variants_dir() {
  return std::filesystem::path(default_pdk_path()).parent_path() / "variants";
}

// A variant's name ends up in the composed platform's name ("base+a+b"), a file name and a command line.
bool good_variant_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char ch : n)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.')) return false;
  return n.front() != '.';
}

PdkVariant parse_variant(const std::string& text, const std::string& what, const Pdk& base) {
  const json j = parse_json_strict<json>(text, "PDK-PARSE", what);
  object(j, what, "$", {"format", "version", "name", "knob", "description", "templates"});
  if (str(j, "format", what, "$") != "holo-pdk-variant") schema(what, "$.format", "expected \"holo-pdk-variant\"");
  if (num(j, "version", what, "$") != 1) schema(what, "$.version", "only version 1 is supported");
  PdkVariant v;
  v.path = what;
  v.name = str(j, "name", what, "$");
  if (!good_variant_name(v.name))
    schema(what, "$.name",
           fmt::format("{} is not a variant name: 1 to 64 letters, digits, '-', '_' or '.', not starting with '.'",
                       in_quotes(v.name)));
  v.knob = str(j, "knob", what, "$");
  const auto& knobs = variant_knobs();
  if (std::find(knobs.begin(), knobs.end(), v.knob) == knobs.end())
    schema(what, "$.knob", unknown("knob", v.knob, knobs));
  v.description = str(j, "description", what, "$");
  const json& templates = field(j, "templates", what, "$");
  if (!templates.is_object() || templates.empty())
    schema(what, "$.templates", "expected an object naming at least one template");
  for (auto it = templates.begin(); it != templates.end(); ++it) {
    const std::string at = key_path("$.templates", it.key());
    const TemplateSpec* spec = find_template_spec(it.key());
    if (!spec) schema(what, at, unknown("template", it.key(), template_names()));
    if (!base.templates.count(it.key()))
      schema(what, at,
             fmt::format("the base PDK {} ({}) does not define template {}: a variant only replaces or adds figures "
                         "of templates the base defines",
                         in_quotes(base.name), base.path, in_quotes(it.key())));
    object(*it, what, at, {"description", "figures"});
    if (it->contains("description")) v.template_descriptions[it.key()] = str(*it, "description", what, at);
    const std::string fat = at + ".figures";
    const json& figs = field(*it, "figures", what, at);
    if (!figs.is_object() || figs.empty()) schema(what, fat, "expected an object naming at least one figure");
    auto& out = v.figures[it.key()];
    for (auto f = figs.begin(); f != figs.end(); ++f) {
      const std::string path = key_path(fat, f.key());
      const FigureSpec* fs = spec->find(f.key());
      if (!fs) schema(what, path, unknown("figure", f.key(), figure_names(*spec), " of template '" + it.key() + "'"));
      Figure fig = figure(*f, what, path);
      check_range(fig.value, *fs->quantity, figure_range(*fs->quantity, base.wavelength_nm.value), what,
                  path + ".value");
      out[f.key()] = std::move(fig);
    }
  }
  return v;
}

}  // namespace

const std::vector<std::string>& variant_knobs() {
  static const std::vector<std::string> k = {"phase_shifter", "io_coupler", "modulator", "local_oscillator",
                                             "converters"};
  return k;
}

std::vector<std::string> list_variants() {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  const fs::path dir = variants_dir();
  if (!fs::is_directory(dir, ec)) return names;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) names.push_back(it->path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string variant_path(const std::string& name_or_path) {
  const bool is_path = name_or_path.find('/') != std::string::npos ||
                       (name_or_path.size() >= 5 && name_or_path.compare(name_or_path.size() - 5, 5, ".json") == 0);
  if (is_path) return name_or_path;
  const std::filesystem::path p = variants_dir() / (name_or_path + ".json");
  std::error_code ec;
  if (good_variant_name(name_or_path) && std::filesystem::is_regular_file(p, ec)) return p.string();
  const std::vector<std::string> known = list_variants();
  if (known.empty())
    fail("PDK-VARIANT-UNKNOWN", fmt::format("unknown PDK variant {}: {} holds no variant files (NAME.json)",
                                            in_quotes(name_or_path), variants_dir().string()));
  fail("PDK-VARIANT-UNKNOWN", unknown("PDK variant", name_or_path, known, fmt::format(" (no {})", p.string())));
}

PdkVariant load_variant(const std::string& name_or_path, const Pdk& base) {
  const std::string path = variant_path(name_or_path);
  return parse_variant(read_file(path), path, base);
}

std::string variant_knob(const std::string& name_or_path) {
  return load_variant(name_or_path, load_pdk(default_pdk_path())).knob;
}

std::string compose_pdk_text(const std::string& base_path, const std::vector<std::string>& variants) {
  const std::string base_text = read_file(base_path);
  const Pdk base = parse_pdk(base_text, base_path);
  if (variants.empty()) return base_text;
  nlohmann::ordered_json merged = parse_json_strict<nlohmann::ordered_json>(base_text, "PDK-PARSE", base_path);
  std::map<std::string, const PdkVariant*> by_knob;
  std::map<std::string, const PdkVariant*> by_figure;  // "template.figure" -> the variant setting it
  std::vector<PdkVariant> loaded;
  loaded.reserve(variants.size());
  std::string name = base.name, applied, files;
  for (const std::string& arg : variants) {
    const PdkVariant& v = loaded.emplace_back(load_variant(arg, base));
    auto [k, fresh] = by_knob.emplace(v.knob, &v);
    if (!fresh)
      fail("PDK-VARIANT-CONFLICT",
           fmt::format("{}: variant {} sets knob '{}', which variant {} ({}) already sets: apply one variant per knob",
                       v.path, in_quotes(v.name), v.knob, in_quotes(k->second->name), k->second->path));
    for (const auto& [tmpl, figs] : v.figures) {
      auto& target = merged["templates"][tmpl];
      for (const auto& [key, fig] : figs) {
        auto [f, first] = by_figure.emplace(tmpl + "." + key, &v);
        if (!first)
          fail("PDK-VARIANT-CONFLICT",
               fmt::format("{}: $.templates.{}.figures.{}: variant {} sets a figure variant {} ({}) already sets",
                           v.path, tmpl, key, in_quotes(v.name), in_quotes(f->second->name), f->second->path));
        target["figures"][key] = {{"value", fig.value}, {"source", fig.source}};
      }
    }
    for (const auto& [tmpl, d] : v.template_descriptions) merged["templates"][tmpl]["description"] = d;
    name += "+" + v.name;
    applied += fmt::format("{}{} (knob {}): {}", applied.empty() ? "" : "; ", v.name, v.knob, v.description);
    files += (files.empty() ? "" : ", ") + v.path;
  }
  merged["name"] = name;
  merged["description"] = fmt::format("{} Variants applied (holo-pdk-variant, docs/pdk.md#variants): {}",
                                      merged["description"].get<std::string>(), applied);
  std::string text = merged.dump(2) + "\n";
  (void)parse_pdk(text, fmt::format("{} with variant(s) {}", base_path, files));
  return text;
}

}  // namespace holo::pdk
