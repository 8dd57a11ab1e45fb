// Strict JSON parsing for the readers of user files (the JSON model reader, the PDK loader). nlohmann::json
// silently keeps one of two equal keys in an object; here a repeated key is an error naming the JSON path of
// the object that holds it, so a file never means something other than what its author sees.
//
// parse_json_strict is a template over the document type (nlohmann::json or ordered_json) and support does
// not link nlohmann_json: include this header only from a module that links it (docs/architecture.md: third-party
// types stay out of the headers other modules build on). The bookkeeping lives in JsonKeyCheck, which does
// not depend on nlohmann.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace holo {

struct JsonParseOptions {
  bool ignore_comments = false;  // accept /* */ and // comments
};

// Follows the events of a parse: the JSON path of the innermost open object or array, the keys seen in each
// open object. Errors are holo::Error(code) for bad input, messages starting with `what` (the file).
class JsonKeyCheck {
 public:
  JsonKeyCheck(std::string code, std::string what) : code_(std::move(code)), what_(std::move(what)) {}
  void begin(bool array);  // an object or array starts
  void end();              // the innermost object or array ends
  void value();            // a number, string, bool or null (counts as an array element)
  // A key of the innermost object; "<what>: <path>: key '<k>' appears twice in the same object" if repeated.
  void key(const std::string& k);
  // "<what>: not valid JSON: <message>"
  [[noreturn]] void not_json(std::string_view message) const;
  // The path of the innermost open container: "$", "$.templates.mzi.figures", "$.layers[2]".
  std::string path() const;

 private:
  struct Frame {
    bool array = false;
    std::string label;    // where it sits in its parent: "", ".key" or "[3]"
    size_t elements = 0;  // arrays: elements begun so far
    std::string key;      // objects: the last key read
    std::unordered_set<std::string> keys;
  };
  void element();
  std::string code_, what_;
  std::vector<Frame> open_;
};

// Parses `text` into a document. Errors (code given by the caller, e.g. PDK-PARSE, JSON-PARSE):
//   "<what>: not valid JSON: <parser message>"  (syntax; a number past the double range such as 1e999)
//   "<what>: <path>: key '<k>' appears twice in the same object", path like $.templates.mzi.figures or
//   $.layers[2] (keys pass through printable())
template <typename Json = nlohmann::json>
Json parse_json_strict(std::string_view text, const std::string& code, const std::string& what,
                       const JsonParseOptions& options = {}) {
  JsonKeyCheck check(code, what);
  auto callback = [&](int /*depth*/, typename Json::parse_event_t ev, Json& parsed) {
    using E = typename Json::parse_event_t;
    switch (ev) {
      case E::object_start:
      case E::array_start:
        check.begin(ev == E::array_start);
        break;
      case E::object_end:
      case E::array_end:
        check.end();
        break;
      case E::key:
        if (parsed.is_string()) check.key(parsed.template get_ref<const std::string&>());
        break;
      case E::value:
        check.value();
        break;
    }
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), callback, /*allow_exceptions=*/true, options.ignore_comments);
  } catch (const nlohmann::json::exception& e) {  // syntax errors, and numbers out of double range (1e999)
    check.not_json(e.what());
  }
}

}  // namespace holo
