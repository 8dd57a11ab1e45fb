#include "holo/driver/design.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/json.h"

namespace holo::driver {
namespace {

using json = nlohmann::ordered_json;

[[noreturn]] void bad(const std::string& what, const std::string& path, const std::string& msg) {
  fail("DESIGN-SCHEMA", fmt::format("{}: {}: {}", what, path, msg));
}

}  // namespace

std::string design_json(const Design& d) {
  json j;
  j["format"] = "holo-design";
  j["version"] = 1;
  j["mesh_size"] = d.mesh_size;
  j["method"] = d.method;
  j["rank_energy"] = d.rank_energy;
  j["activation"] = d.activation;
  j["dac_bits"] = d.dac_bits;
  j["pdk_variants"] = d.pdk_variants;
  return j.dump(2) + "\n";
}

Design parse_design(const std::string& text, const std::string& what) {
  const json j = parse_json_strict<json>(text, "DESIGN-PARSE", what);
  if (!j.is_object()) bad(what, "$", "expected an object");
  static const std::set<std::string> known = {"format",      "version",    "mesh_size", "method",
                                              "rank_energy", "activation", "dac_bits",  "pdk_variants"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!known.count(it.key()))
      bad(what, "$." + it.key(),
          "unknown field; known: format, version, mesh_size, method, rank_energy, activation, dac_bits, "
          "pdk_variants");
  auto need = [&](const char* key) -> const json& {
    auto it = j.find(key);
    if (it == j.end()) bad(what, fmt::format("$.{}", key), "missing");
    return *it;
  };
  if (need("format") != "holo-design") bad(what, "$.format", "expected \"holo-design\"");
  if (need("version") != 1) bad(what, "$.version", "expected 1 (the only version this holo reads)");
  Design d;
  const json& mesh = need("mesh_size");
  if (!mesh.is_number_integer() || mesh.get<int64_t>() < 1 || mesh.get<int64_t>() > 2048)
    bad(what, "$.mesh_size", "expected an integer in 1..2048");
  d.mesh_size = mesh.get<int>();
  const json& method = need("method");
  if (!method.is_string() || (method != "clements" && method != "reck"))
    bad(what, "$.method", "expected \"clements\" or \"reck\"");
  d.method = method.get<std::string>();
  const json& energy = need("rank_energy");
  if (!energy.is_number() || !(energy.get<double>() > 0.0 && energy.get<double>() <= 1.0))
    bad(what, "$.rank_energy", "expected a number in (0, 1]");
  d.rank_energy = energy.get<double>();
  if (auto it = j.find("activation"); it != j.end()) {
    if (!it->is_string() || (*it != "oeo" && *it != "eo")) bad(what, "$.activation", "expected \"oeo\" or \"eo\"");
    d.activation = it->get<std::string>();
  }
  if (auto it = j.find("dac_bits"); it != j.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 1 || it->get<int64_t>() > 24)
      bad(what, "$.dac_bits", "expected an integer in 1..24");
    d.dac_bits = it->get<int>();
  }
  if (auto it = j.find("pdk_variants"); it != j.end()) {
    if (!it->is_array()) bad(what, "$.pdk_variants", "expected an array of variant names");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& v = (*it)[i];
      if (!v.is_string() || v.get<std::string>().empty())
        bad(what, fmt::format("$.pdk_variants[{}]", i), "expected a variant name (a string)");
      d.pdk_variants.push_back(v.get<std::string>());
    }
  }
  return d;
}

Design read_design(const std::string& path) {
  return parse_design(read_file(path), path);
}

std::string design_label(const Design& d) {
  std::string s = fmt::format("mesh {}, {}, rank energy {:g}", d.mesh_size, d.method, d.rank_energy);
  if (d.activation != "oeo") s += ", " + d.activation + " activation";
  s += d.pdk_variants.empty() ? ", base PDK" : fmt::format(", {}", fmt::join(d.pdk_variants, " + "));
  return s;
}

}  // namespace holo::driver
