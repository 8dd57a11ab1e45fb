// Internal to the pdk module (pdk.cpp, variants.cpp): the checks a holo-pdk or holo-pdk-variant file passes, each
// failing with PDK-SCHEMA / PDK-RANGE naming the file (`what`) and the JSON path. Not for other modules: it
// exposes nlohmann::json, which the pdk module links privately.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "holo/pdk/pdk.h"
#include "holo/pdk/schema.h"

namespace holo::pdk::detail {

using json = nlohmann::json;

inline constexpr size_t kMaxNameInMessage = 200;

[[noreturn]] void schema(const std::string& what, const std::string& path, const std::string& msg);
std::string key_path(const std::string& parent, std::string_view key);  // parent + "." + key (printable)
std::string in_quotes(std::string_view name);                           // 'name' (printable, cut)
size_t edit_distance(std::string_view a, std::string_view b);           // Levenshtein, case ignored

// "unknown <noun> '<key>'<context> [(did you mean 'x'?)]; known <noun>s: a, b, c"
template <typename Names>
std::string unknown(std::string_view noun, std::string_view key, const Names& known, std::string_view context = "") {
  std::string list, guess;
  size_t best = 3;  // suggest within two edits (case ignored), e.g. p_pi_mW -> p_pi_mw
  for (std::string_view k : known) {
    list += list.empty() ? "" : ", ";
    list += k;
    if (key.size() > 64) continue;
    const size_t d = edit_distance(key, k);
    if (d < best) best = d, guess = std::string(k);
  }
  return fmt::format("unknown {} {}{}{}; known {}s: {}", noun, in_quotes(key), context,
                     guess.empty() ? "" : fmt::format(" (did you mean '{}'?)", guess), noun, list);
}

// PDK-SCHEMA for a key of `obj` not in `fields` (the formats are closed).
void known_fields(const json& obj, std::initializer_list<std::string_view> fields, const std::string& what,
                  const std::string& path);
// `v` is an object with only `fields`; returns it.
const json& object(const json& v, const std::string& what, const std::string& path,
                   std::initializer_list<std::string_view> fields);
const json& field(const json& obj, const char* key, const std::string& what, const std::string& path);
std::string str(const json& obj, const char* key, const std::string& what, const std::string& path);
double num(const json& obj, const char* key, const std::string& what, const std::string& path);  // finite
// PDK-RANGE unless v lies in r (and is an integer if q says so).
void check_range(double v, const Quantity& q, const Range& r, const std::string& what, const std::string& path);
// { "value": finite number, "source": non-empty string }
Figure figure(const json& v, const std::string& what, const std::string& path);
std::vector<std::string_view> template_names();
std::vector<std::string_view> figure_names(const TemplateSpec& spec);

}  // namespace holo::pdk::detail
