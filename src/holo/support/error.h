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

namespace holo {

// Runs f(); a bad-input error whose message does not yet name `file` is thrown again with "file: " in front, so
// errors raised deep inside a module (which knows a cell, not the file it came from) still name the file.
template <typename F>
decltype(auto) in_file(const std::string& file, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    const std::string msg = e.what();
    if (e.kind() != ErrorKind::BadInput || msg.find(file) != std::string::npos) throw;
    throw Error(e.code(), file + ": " + msg, e.kind());
  }
}

}  // namespace holo
