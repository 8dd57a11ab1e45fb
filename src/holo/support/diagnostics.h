// Warnings a command gives without failing (a value chosen for the user, an edited input it still accepts):
// collected here, printed by the shell on stderr (`holo: warning [CODE]: message`) and listed in the command's
// JSON. Codes are stable and listed in docs/errors.md, like error codes.
#pragma once

#include <string>
#include <vector>

namespace holo {

struct Warning {
  std::string code;
  std::string message;
};

class Diagnostics {
 public:
  void warn(std::string code, std::string message) { warnings_.push_back({std::move(code), std::move(message)}); }
  const std::vector<Warning>& warnings() const { return warnings_; }
  bool empty() const { return warnings_.empty(); }

 private:
  std::vector<Warning> warnings_;
};

}  // namespace holo
