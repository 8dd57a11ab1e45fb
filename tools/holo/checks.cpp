// Parse-time checks of option values (cli.h). Messages: "'<value>' <what is wrong>; expected <range>"; CLI11
// prefixes the option name.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli.h"
#include "holo/linalg/mesh.h"

namespace holo::cli {

namespace {

// The value as it appears in a message: quoted, at most 40 characters (a hostile value can be a megabyte).
std::string shown(const std::string& v) {
  constexpr size_t kMax = 40;
  return v.size() <= kMax ? "'" + v + "'" : "'" + v.substr(0, kMax) + "...'";
}

bool all_digits(const std::string& s, size_t from) {
  return from < s.size() && std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(),
                                        [](char c) { return c >= '0' && c <= '9'; });
}

std::string number_text(double x) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return fmt::format("{}", x);
}

}  // namespace

CLI::Validator integer_in_u64(uint64_t lo, uint64_t hi) {
  const std::string range = fmt::format("{}..{}", lo, hi);
  auto check = [lo, hi, range](std::string& v) -> std::string {
    const std::string expected = "expected an integer in " + range;
    if (!v.empty() && v[0] == '-' && all_digits(v, 1)) {
      if (v.find_first_not_of('0', 1) != std::string::npos)
        return fmt::format("{} is negative; {}", shown(v), expected);
      v = "0";  // "-0"
    }
    const size_t first = (!v.empty() && v[0] == '+') ? 1 : 0;
    if (!all_digits(v, first)) return fmt::format("{} is not an integer; {}", shown(v), expected);
    uint64_t x = 0;
    for (size_t i = first; i < v.size(); ++i) {
      const auto d = static_cast<uint64_t>(v[i] - '0');
      if (x > (std::numeric_limits<uint64_t>::max() - d) / 10) {
        return fmt::format("{} is out of range; {}", shown(v), expected);  // beyond 2^64 - 1
      }
      x = x * 10 + d;
    }
    if (x < lo || x > hi) return fmt::format("{} is out of range; {}", shown(v), expected);
    v = std::to_string(x);  // what CLI11 converts: no sign, no leading zeros (which it would read as octal)
    return {};
  };
  return CLI::Validator(check, range);
}

CLI::Validator number_in(const Interval& r) {
  const std::string range = fmt::format("{}{}, {}{}", r.lo_open ? '(' : '[', number_text(r.lo),
                                        r.hi_text ? std::string(r.hi_text) : number_text(r.hi), r.hi_open ? ')' : ']');
  const std::string expected = fmt::format("expected a number in {}{}{}", range, *r.unit ? " " : "", r.unit);
  auto check = [r, expected](std::string& v) -> std::string {
    // strtod skips leading blanks and stops at the first character it cannot use; neither is a number here.
    const bool blank = v.empty() || std::isspace(static_cast<unsigned char>(v[0]));
    char* end = nullptr;
    errno = 0;
    const double x = blank ? 0.0 : std::strtod(v.c_str(), &end);
    if (blank || end != v.c_str() + v.size()) return fmt::format("{} is not a number; {}", shown(v), expected);
    if (!std::isfinite(x)) return fmt::format("{} is not a finite number; {}", shown(v), expected);
    const bool above_lo = r.lo_open ? x > r.lo : x >= r.lo;
    const bool below_hi = r.hi_open ? x < r.hi : x <= r.hi;
    if (!above_lo || !below_hi) return fmt::format("{} is out of range; {}", shown(v), expected);
    v = fmt::format("{}", x);  // shortest round-trip form: CLI11 converts exactly the number checked
    return {};
  };
  return CLI::Validator(check, range);
}

CLI::Validator one_of(std::vector<std::string> words) {
  std::string list, desc;
  for (const auto& w : words) {
    list += (list.empty() ? "" : ", ") + w;
    desc += (desc.empty() ? "" : "|") + w;
  }
  auto check = [words, list](std::string& v) -> std::string {
    if (std::find(words.begin(), words.end(), v) != words.end()) return {};
    return fmt::format("{} is not one of {}", shown(v), list);
  };
  return CLI::Validator(check, desc);
}

CLI::Validator mesh_method() {
  return one_of({linalg::method_name(linalg::MeshMethod::Clements), linalg::method_name(linalg::MeshMethod::Reck)});
}

}  // namespace holo::cli
