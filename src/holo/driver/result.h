// What a driver command produced: a JSON object for machines and text for people. The CLI prints one of
// them; the Python bindings return the JSON.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "holo/support/diagnostics.h"

namespace holo::driver {

struct Result {
  nlohmann::json json = nlohmann::json::object();
  std::string text;
  int exit_code = 0;              // non-zero when the command ran but found problems (e.g. DRC violations)
  std::vector<Warning> warnings;  // printed on stderr by the shell; also in `json` under "warnings"
};

}  // namespace holo::driver
