// Shared pieces of the holo CLI. Each subcommand lives in its own cmd_<name>.cpp and is registered
// explicitly in main.cpp. Commands call driver/ and return a CommandOutput; main prints it and maps
// holo::Error to exit codes (0 ok, 2 bad input, 1 internal) in one place.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

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

// Registration functions, one per cmd_*.cpp.
void register_inspect(CLI::App& app, CommonFlags& flags);
void register_run(CLI::App& app, CommonFlags& flags);
void register_eval(CLI::App& app, CommonFlags& flags);
void register_decompose(CLI::App& app, CommonFlags& flags);
void register_bench(CLI::App& app, CommonFlags& flags);
void register_compile(CLI::App& app, CommonFlags& flags);
void register_simulate(CLI::App& app, CommonFlags& flags);
void register_drc(CLI::App& app, CommonFlags& flags);

}  // namespace holo::cli
