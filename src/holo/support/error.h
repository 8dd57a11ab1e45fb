// holo::Error: the one error type of the library. A stable code (e.g. "ONNX-UNSUPPORTED-OP", listed in
// docs/errors.md) plus a message naming the file / node / field it concerns. The CLI maps the kind to an
// exit code in one place (BadInput -> 2, Internal -> 1); the library never exits.
#pragma once

#include <stdexcept>
#include <string>

namespace holo {

enum class ErrorKind {
  BadInput,  // anything the user can fix: a file, an option, a model
  Internal,  // a bug or an invariant the library broke
};

class Error : public std::runtime_error {
 public:
  Error(std::string code, const std::string& message, ErrorKind kind = ErrorKind::BadInput)
      : std::runtime_error(message), code_(std::move(code)), kind_(kind) {}

  const std::string& code() const { return code_; }
  ErrorKind kind() const { return kind_; }

 private:
  std::string code_;
  ErrorKind kind_;
};

[[noreturn]] inline void fail(const std::string& code, const std::string& message) {
  throw Error(code, message, ErrorKind::BadInput);
}
[[noreturn]] inline void internal_error(const std::string& message) {
  throw Error("INTERNAL", message, ErrorKind::Internal);
}

}  // namespace holo
