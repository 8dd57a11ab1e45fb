// Shared pieces of the holo CLI. Each subcommand lives in its own cmd_<name>.cpp and is registered
// explicitly in main.cpp. Commands call driver/ and return a CommandOutput; main prints it and maps
// holo::Error to exit codes (0 ok, 2 bad input, 1 internal) in one place.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "holo/driver/result.h"

namespace holo::cli {

struct CommonFlags {
  bool quiet = false;
  bool json = false;
};

// What a command produced: `json` goes to stdout with --json (and nothing else goes there), `text` goes
// to stdout otherwise (suppressed by --quiet). exit_code lets a command report "ran fine, found problems".
using CommandOutput = holo::driver::Result;

using Action = std::function<CommandOutput(const CommonFlags&)>;

// Adds --quiet/--json to a subcommand and records its action.
void add_common_flags(CLI::App& sub, CommonFlags& flags);
void set_action(CLI::App& sub, Action action);

// Parse-time checks of option values (checks.cpp; every option's range is listed in docs/cli.md). A rejected value
// becomes a CLI::ValidationError "<option>: '<value>' ...; expected <range>", which report_parse_error prints as
// CLI-BAD-OPTION. The number checks rewrite the accepted value in canonical form (decimal digits, shortest
// round-trip double), so the number CLI11 converts is exactly the number checked (CLI11 alone reads "010" as octal
// 8): attach them with ->transform(...), not ->check(...), which would discard the rewrite. Where the library checks
// the same option, the range here is the library's (the comment at each use names the check); the library keeps its
// check for callers that bypass the CLI (the Python bindings).

// A decimal integer literal (optional '+', digits only: no sign '-', no exponent, no fraction) in lo..hi, which
// must fit the option's type T.
CLI::Validator integer_in_u64(uint64_t lo, uint64_t hi);
template <class T>
CLI::Validator integer_in(uint64_t lo, uint64_t hi) {
  static_assert(std::numeric_limits<T>::is_integer);
  if (hi > static_cast<uint64_t>(std::numeric_limits<T>::max())) throw std::logic_error("integer_in: hi beyond type");
  return integer_in_u64(lo, hi);
}
// Any uint64 seed: 0..18446744073709551615.
inline CLI::Validator seed_value() {
  return integer_in<uint64_t>(0, std::numeric_limits<uint64_t>::max());
}

// A finite number in an interval; `unit` (may be empty) is printed after the range; `hi_text` replaces the printed
// upper bound (e.g. "pi").
struct Interval {
  double lo = 0.0, hi = 0.0;
  bool lo_open = false, hi_open = false;
  const char* unit = "";
  const char* hi_text = nullptr;
};
CLI::Validator number_in(const Interval& range);

// One of a fixed list of words.
CLI::Validator one_of(std::vector<std::string> words);
// A mesh decomposition method, as linalg names them (clements, reck).
CLI::Validator mesh_method();

// Prints the one stderr line of a failed parse, `holo: error [CLI-...]: <what>; run 'holo <cmd> --help'`, and returns
// its exit code (2). `app` is the root app after the failed parse (it knows how far the parser got).
int report_parse_error(const CLI::App& app, const CLI::ParseError& e);

// Prints `holo: error [CODE]: message` as one line (newlines and other control characters in the message escaped).
void print_error(const std::string& code, const std::string& message);
// `holo: warning [CODE]: message` on stderr, one line likewise.
void print_warning(const std::string& code, const std::string& message);

// Registration functions, one per cmd_*.cpp.
void register_inspect(CLI::App& app, CommonFlags& flags);
void register_explore(CLI::App& app, CommonFlags& flags);
void register_run(CLI::App& app, CommonFlags& flags);
void register_eval(CLI::App& app, CommonFlags& flags);
void register_decompose(CLI::App& app, CommonFlags& flags);
void register_bench(CLI::App& app, CommonFlags& flags);
void register_compile(CLI::App& app, CommonFlags& flags);
void register_simulate(CLI::App& app, CommonFlags& flags);
void register_drc(CLI::App& app, CommonFlags& flags);

}  // namespace holo::cli
