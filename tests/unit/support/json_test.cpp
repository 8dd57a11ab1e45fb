// parse_json_strict: the one JSON entry point of the readers of user files. A key repeated within one object
// is an error naming the object's JSON path (nlohmann would keep one value silently); keys repeated in
// different objects are fine; syntax errors carry the caller's code.
#include "holo/support/json.h"

#include <gtest/gtest.h>

#include <string>

#include "holo/support/error.h"
#include "holo/support/text.h"
#include "test_support.h"

namespace holo::test {
namespace {

std::string message(const std::string& text, const std::string& code = "X-PARSE") {
  try {
    (void)parse_json_strict(text, code, "f.json");
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.code(), code);
    EXPECT_EQ(e.kind(), ErrorKind::BadInput);
    return e.what();
  }
  return "no error";
}

TEST(JsonStrict, RepeatedKeyNamesThePathOfItsObject) {
  EXPECT_EQ(message(R"({"a": 1, "a": 2})"), "f.json: $: key 'a' appears twice in the same object");
  EXPECT_EQ(message(R"({"a": {"b": 1, "c": [], "b": 2}})"), "f.json: $.a: key 'b' appears twice in the same object");
  EXPECT_EQ(message(R"({"l": [1, {"x": 0}, [2, {"y": 1, "y": 2}]]})"),
            "f.json: $.l[2][1]: key 'y' appears twice in the same object");
  EXPECT_EQ(message(R"([{"k": 1}, {"k": 1, "z": {}, "z": 0}])"),
            "f.json: $[1]: key 'z' appears twice in the same object");
  // Keys with control characters are escaped, in the path and in the key.
  EXPECT_EQ(message("{\"a\\nb\": {\"k\": 1, \"k\": 2}}"),
            "f.json: $.a\\x0ab: key 'k' appears twice in the same object");
}

TEST(JsonStrict, SameKeyInDifferentObjectsIsFine) {
  nlohmann::json j =
      parse_json_strict(R"({"a": {"v": 1}, "b": {"v": 2}, "l": [{"v": 3}, {"v": 4}], "v": 5})", "X", "f");
  EXPECT_EQ(j["l"][1]["v"], 4);
  nlohmann::ordered_json o = parse_json_strict<nlohmann::ordered_json>(R"({"z": 1, "a": 2})", "X", "f");
  EXPECT_EQ(o.begin().key(), "z");  // the ordered document keeps the file's order
}

TEST(JsonStrict, SyntaxErrorsAndComments) {
  EXPECT_EQ(message("{\"a\": ", "PDK-PARSE").rfind("f.json: not valid JSON: ", 0), 0u);
  EXPECT_EQ(message("[1e999]").rfind("f.json: not valid JSON: ", 0), 0u);
  EXPECT_EQ(message("{} trailing").rfind("f.json: not valid JSON: ", 0), 0u);
  EXPECT_EQ(message("{\"a\": 1 /* c */}").rfind("f.json: not valid JSON: ", 0), 0u);
  nlohmann::json j = parse_json_strict("{\"a\": 1 /* c */}", "X", "f", {.ignore_comments = true});
  EXPECT_EQ(j["a"], 1);
}

TEST(Printable, EscapesControlCharactersAndCuts) {
  EXPECT_EQ(printable("a\tb\x7f"), "a\\x09b\\x7f");
  EXPECT_EQ(printable("abcdef", 3), "abc...");
}

}  // namespace
}  // namespace holo::test
