// Helpers for the PDK tests: the bundled file as text and as a JSON document, edits of it, and the code and
// message of the error a parse raises.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "holo/pdk/pdk.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "test_support.h"

namespace holo::test {

inline const std::string& bundled_pdk_text() {
  static const std::string t = holo::read_file(holo::pdk::default_pdk_path());
  return t;
}

// The bundled file as a document that keeps the file's key order.
inline nlohmann::ordered_json bundled_pdk_json() {
  return nlohmann::ordered_json::parse(bundled_pdk_text());
}

// The bundled file with the only occurrence of `from` replaced (the test fails if it is not unique).
inline std::string edited_pdk(const std::string& from, const std::string& to) {
  const std::string& text = bundled_pdk_text();
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' not in the PDK file";
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + from.size()), std::string::npos) << "'" << from << "' is not unique";
  return text.substr(0, at) + to + text.substr(at + from.size());
}

// The bundled file with one figure's value replaced.
inline std::string with_figure(const std::string& tmpl, const std::string& key, const nlohmann::ordered_json& v) {
  nlohmann::ordered_json j = bundled_pdk_json();
  EXPECT_TRUE(j["templates"][tmpl]["figures"].contains(key)) << tmpl << "." << key << " not in the bundled file";
  j["templates"][tmpl]["figures"][key]["value"] = v;
  return j.dump(1);
}

struct ErrorSeen {
  std::string code = "no error";
  std::string message;
  bool bad_input = false;
};

inline ErrorSeen error_of(const std::function<void()>& f) {
  ErrorSeen e;
  try {
    f();
  } catch (const holo::Error& x) {
    e.code = x.code();
    e.message = x.what();
    e.bad_input = x.kind() == holo::ErrorKind::BadInput;
  }
  return e;
}

inline ErrorSeen pdk_error(const std::string& text, const std::string& what = "edited.json") {
  return error_of([&] { holo::pdk::parse_pdk(text, what); });
}

}  // namespace holo::test
