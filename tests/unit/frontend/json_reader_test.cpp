// JSON model reader (docs/json-model.md): equality with the ONNX twin, the schema's conveniences, and every
// bad-input case (matched by code; a few messages are checked for the JSON path they name).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "frontend_test_util.h"
#include "holo/frontend/load.h"
#include "holo/graph/ops.h"
#include "holo/support/npy.h"

namespace holo::test {
namespace {

using frontend::load_json_model;
using frontend::load_json_model_bytes;
using frontend::load_onnx;
using graph::AttrValue;
using nlohmann::json;

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// x[N,2] -> Gemm(w, b, transB) -> h -> Relu -> y, everything inline.
json base_model() {
  return json::parse(R"({
    "format": "holo-json-model", "version": 1, "name": "base",
    "inputs": [{"name": "x", "shape": ["N", 2]}],
    "outputs": ["y"],
    "constants": {"w": {"shape": [3, 2], "data": [1, 2, 3, 4, 5, 6]}, "b": {"data": [0.5, 0.25, 0.125]}},
    "nodes": [
      {"name": "fc", "op": "Gemm", "inputs": ["x", "w", "b"], "outputs": ["h"], "attrs": {"transB": 1}},
      {"name": "act", "op": "Relu", "inputs": ["h"], "outputs": ["y"]}
    ]})");
}

graph::Graph load(const json& m, const std::string& base_dir = "") {
  return load_json_model_bytes(m.dump(), "net.json", base_dir);
}

std::string expect_json_error(const std::string& code, const json& m, const std::string& base_dir = "") {
  return expect_error(code, [&] { load(m, base_dir); });
}

TEST(JsonReader, EqualsTheOnnxTwin) {
  graph::Graph from_json = load_json_model(fixture("mlp.json"));
  graph::Graph from_onnx = load_onnx(fixture("mlp.onnx"));
  expect_same_graph(from_json, from_onnx);
  EXPECT_EQ(from_json.name, "mlp");
  EXPECT_EQ(from_json.source, fixture("mlp.json"));
  // A CNN at opset 11, every weight inline, with the legacy forms (unused training outputs, LogSoftmax axis):
  // both readers normalize it the same way.
  expect_same_graph(load_json_model(fixture("cnn_opset11.json")), load_onnx(fixture("cnn_opset11.onnx")));
}

TEST(JsonReader, BaseModel) {
  graph::Graph g = load(base_model());
  EXPECT_EQ(g.opset, 13);  // the default
  EXPECT_EQ(g.name, "base");
  EXPECT_EQ(g.tensor(g.inputs[0]).shape, (Shape{-1, 2}));
  EXPECT_EQ(tensor_named(g, "w").value->shape, (Shape{3, 2}));
  EXPECT_EQ(tensor_named(g, "w").value->data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(tensor_named(g, "b").value->shape, (Shape{3}));  // no "shape": a flat list is 1-D
  EXPECT_EQ(node_named(g, "fc").attrs.at("transB"), AttrValue{int64_t{1}});
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (Shape{-1, 3}));
}

TEST(JsonReader, TinyFixtureAndGeneratedNames) {
  graph::Graph g = load_json_model(fixture("tiny.json"));
  ASSERT_EQ(g.nodes.size(), 2u);
  EXPECT_EQ(g.nodes[1].name, "LeakyRelu_1");  // unnamed: "<op>_<index in nodes>"
  EXPECT_EQ(g.nodes[1].attrs.at("alpha"), AttrValue{0.125});
}

TEST(JsonReader, ConveniencesOfTheSchema) {
  // Comments, nested data, scalar constants, booleans and lists as attributes, outputs with declared shapes,
  // "doc" keys, and opset 11 (so Softmax gets the legacy coerce_2d form).
  std::string text = R"({
    // a comment
    "format": "holo-json-model", "version": 1, "opset": 11, "doc": "anything",
    "inputs": [{"name": "x", "shape": [4, 2], "doc": "batch of 4"}],
    "outputs": [{"name": "y", "shape": [4, 3]}],
    "constants": {
      "w": {"shape": [3, 2], "data": [[1, 2], [3, 4], [5, 6]]},
      "s": {"data": 2.5},
      "t": {"shape": [1, 3], "data": [1, 2, 3]}
    },
    "nodes": [
      {"op": "Gemm", "inputs": ["x", "w"], "outputs": ["h"], "attrs": {"transB": true, "alpha": 1.5}},
      {"op": "Mul", "inputs": ["h", "s"], "outputs": ["hs"]},
      /* block comment */
      {"op": "Add", "inputs": ["hs", "t"], "outputs": ["ht"]},
      {"op": "Softmax", "inputs": ["ht"], "outputs": ["y"]}
    ]})";
  graph::Graph g = load_json_model_bytes(text, "conv.json");
  EXPECT_EQ(g.opset, 11);
  EXPECT_EQ(tensor_named(g, "w").value->shape, (Shape{3, 2}));
  EXPECT_EQ(tensor_named(g, "w").value->data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(tensor_named(g, "s").value->shape, Shape{});
  EXPECT_EQ(tensor_named(g, "t").value->shape, (Shape{1, 3}));
  EXPECT_EQ(g.nodes[0].attrs.at("transB"), AttrValue{int64_t{1}});
  EXPECT_EQ(g.nodes[0].attrs.at("alpha"), AttrValue{1.5});
  EXPECT_EQ(g.nodes[3].attrs.at("axis"), AttrValue{int64_t{1}});
  EXPECT_EQ(g.nodes[3].attrs.at("coerce_2d"), AttrValue{int64_t{1}});
}

TEST(JsonReader, ListAttributes) {
  json m = base_model();
  m["nodes"][1] = {{"op", "Transpose"}, {"inputs", {"h"}}, {"outputs", {"y"}}, {"attrs", {{"perm", {1, 0}}}}};
  graph::Graph g = load(m);
  EXPECT_EQ(g.nodes[1].attrs.at("perm"), (AttrValue{std::vector<int64_t>{1, 0}}));
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (Shape{3, -1}));
}

TEST(JsonReader, NpySidecarsResolveAgainstTheJsonFolder) {
  ScratchDir dir;
  write_npy(dir.file("w.npy"), Array({3, 2}, {1, 2, 3, 4, 5, 6}), NpyDtype::Float32);
  json m = base_model();
  m["constants"]["w"] = {{"npy", "w.npy"}, {"shape", {3, 2}}};
  std::string path = dir.write("net.json", m.dump());
  graph::Graph g = load_json_model(path);
  EXPECT_EQ(tensor_named(g, "w").value->data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  // The same through the bytes form with an explicit folder; and without one it is an error.
  EXPECT_EQ(tensor_named(load(m, dir.str()), "w").value->data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  std::string msg = expect_json_error("JSON-NPY", m);
  EXPECT_TRUE(has(msg, "constants.w.npy")) << msg;
}

// ---- bad input ----

TEST(JsonReaderErrors, Files) {
  expect_error("FILE-NOT-FOUND", [] { load_json_model(fixture("no_such_model.json")); });
  expect_error("FILE-UNREADABLE", [] { load_json_model(source_path("tests/unit/frontend/data")); });
  ScratchDir dir;
  std::string empty = dir.write("empty.json", "");
  expect_error("FILE-EMPTY", [&] { load_json_model(empty); });
  expect_error("FILE-EMPTY", [] { load_json_model_bytes("", "empty.json"); });
}

TEST(JsonReaderErrors, NotJson) {
  std::string msg = expect_error("JSON-PARSE", [] { load_json_model_bytes("{\"format\": ", "cut.json"); });
  EXPECT_TRUE(has(msg, "cut.json")) << msg;
  expect_error("JSON-PARSE", [] { load_json_model_bytes("\x93NUMPY binary", "bin.json"); });
  expect_error("JSON-PARSE", [] { load_json_model_bytes("{} trailing", "t.json"); });
  expect_error("JSON-PARSE", [] { load_json_model_bytes("[1e999]", "overflow.json"); });
  // A duplicate key would silently win; it is an error instead.
  msg = expect_error("JSON-PARSE", [] { load_json_model_bytes(R"({"a": 1, "b": {"a": 2}, "a": 3})", "dup.json"); });
  EXPECT_TRUE(has(msg, "'a'")) << msg;
}

TEST(JsonReaderErrors, NotAHoloModel) {
  expect_json_error("JSON-SCHEMA", json::array({1, 2}));
  json m = base_model();
  m.erase("format");
  expect_json_error("JSON-SCHEMA", m);
  m = base_model();
  m["format"] = "onnx";
  expect_json_error("JSON-SCHEMA", m);
  m = base_model();
  m["version"] = 2;
  expect_json_error("JSON-UNSUPPORTED-VERSION", m);
  m = base_model();
  m["opset"] = 10;
  std::string msg = expect_json_error("JSON-UNSUPPORTED-OPSET", m);
  EXPECT_TRUE(has(msg, "11 to 17")) << msg;
}

TEST(JsonReaderErrors, SchemaViolationsNameTheJsonPath) {
  struct Case {
    std::function<void(json&)> edit;
    std::string path;
  };
  std::vector<Case> cases = {
      {[](json& m) { m["nodes"][0]["atrs"] = json::object(); }, "nodes[0].atrs"},
      {[](json& m) { m.erase("nodes"); }, "nodes"},
      {[](json& m) { m["nodes"][1].erase("op"); }, "nodes[1].op"},
      {[](json& m) { m["nodes"][1]["inputs"] = "h"; }, "nodes[1].inputs"},
      {[](json& m) { m["nodes"][1]["inputs"][0] = 7; }, "nodes[1].inputs[0]"},
      {[](json& m) { m["inputs"][0]["shape"][1] = -2; }, "inputs[0].shape[1]"},
      {[](json& m) { m["inputs"][0]["shape"][1] = 2.5; }, "inputs[0].shape[1]"},
      {[](json& m) { m["inputs"][0]["name"] = ""; }, "inputs[0].name"},
      {[](json& m) { m["constants"]["w"]["npy"] = "w.npy"; }, "constants.w"},
      {[](json& m) { m["constants"]["w"]["data"][2] = "three"; }, "constants.w.data[2]"},
      {[](json& m) { m["constants"]["a.b"] = 1; }, "constants[\"a.b\"]"},
      {[](json& m) { m["nodes"][1]["name"] = "fc"; }, "nodes[1].name"},
      {[](json& m) { m["outputs"][0] = 3; }, "outputs[0]"},
  };
  for (const Case& c : cases) {
    json m = base_model();
    c.edit(m);
    std::string msg = expect_json_error("JSON-SCHEMA", m);
    EXPECT_TRUE(has(msg, "net.json: " + c.path + ":")) << "expected path " << c.path << " in: " << msg;
  }
}

TEST(JsonReaderErrors, UnsupportedOpNamesNodeOpAndSupportedList) {
  json m = base_model();
  m["nodes"][1]["op"] = "Gelu";
  std::string msg = expect_json_error("JSON-UNSUPPORTED-OP", m);
  EXPECT_TRUE(has(msg, "nodes[1].op") && has(msg, "'act'") && has(msg, "'Gelu'")) << msg;
  EXPECT_TRUE(has(msg, graph::supported_ops_list())) << msg;
  m["nodes"][1]["op"] = "Constant";
  expect_json_error("JSON-UNSUPPORTED-OP", m);
}

TEST(JsonReaderErrors, MessagesStayOnOneLine) {
  // Names come from the file; control characters in them are escaped so the CLI prints one line.
  json m = base_model();
  m["nodes"][1]["op"] = "Ge\nlu\x1b[2J";
  std::string msg = expect_json_error("JSON-UNSUPPORTED-OP", m);
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\x1b'), std::string::npos) << msg;
  EXPECT_TRUE(has(msg, "Ge\\x0alu\\x1b[2J")) << msg;
  msg = expect_error("JSON-PARSE", [] { load_json_model_bytes("{\"a\":\n\n\x01", "ctl.json"); });
  EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
}

TEST(JsonReaderErrors, UnsupportedAttributeValues) {
  for (json v : {json::object(), json(nullptr), json::array({"a", "b"}), json::array({json::array({1})}),
                 json(uint64_t{1} << 63)}) {
    json m = base_model();
    m["nodes"][0]["attrs"]["transB"] = v;
    std::string msg = expect_json_error("JSON-UNSUPPORTED-ATTRIBUTE", m);
    EXPECT_TRUE(has(msg, "nodes[0].attrs.transB")) << msg;
  }
  json m = base_model();
  m["nodes"][1] = {{"op", "Softmax"}, {"inputs", {"h"}}, {"outputs", {"y"}}, {"attrs", {{"coerce_2d", 1}}}};
  expect_json_error("JSON-UNSUPPORTED-ATTRIBUTE", m);
  // Training-mode forms.
  m = base_model();
  m["constants"]["on"] = {{"data", 1}};
  m["nodes"][1] = {{"op", "Dropout"}, {"inputs", {"h", "", "on"}}, {"outputs", {"y"}}};
  std::string msg = expect_json_error("JSON-UNSUPPORTED-ATTRIBUTE", m);
  EXPECT_TRUE(has(msg, "nodes[1].inputs[2]")) << msg;
  m["constants"]["on"]["data"] = 0;  // constant false is fine, and the input is dropped
  EXPECT_EQ(load(m).nodes[1].inputs.size(), 1u);
  m["nodes"][1]["outputs"] = {"y", "mask"};
  m["outputs"] = {"y", "mask"};
  msg = expect_json_error("JSON-UNSUPPORTED-OUTPUT", m);
  EXPECT_TRUE(has(msg, "nodes[1].outputs[1]")) << msg;
}

TEST(JsonReaderErrors, DanglingNameNamesTheField) {
  json m = base_model();
  m["nodes"][1]["inputs"][0] = "nowhere";
  std::string msg = expect_json_error("GRAPH-DANGLING", m);
  EXPECT_TRUE(has(msg, "net.json: nodes[1].inputs[0]") && has(msg, "'nowhere'")) << msg;
  m = base_model();
  m["outputs"] = {"y", "z"};
  msg = expect_json_error("GRAPH-DANGLING", m);
  EXPECT_TRUE(has(msg, "outputs[1]")) << msg;
}

TEST(JsonReaderErrors, Cycle) {
  json m = base_model();
  m["nodes"][0]["inputs"][0] = "y";  // fc reads act's output, act reads fc's
  m["inputs"] = json::array();
  expect_json_error("GRAPH-CYCLE", m);
}

TEST(JsonReaderErrors, TensorDefinedTwice) {
  json m = base_model();
  m["nodes"][1]["outputs"][0] = "w";
  std::string msg = expect_json_error("GRAPH-MULTIPLE-PRODUCERS", m);
  EXPECT_TRUE(has(msg, "nodes[1].outputs[0]") && has(msg, "constants.w")) << msg;
  m = base_model();
  m["inputs"].push_back({{"name", "b"}, {"shape", {3}}});
  expect_json_error("GRAPH-MULTIPLE-PRODUCERS", m);
}

TEST(JsonReaderErrors, DeclaredShapeIsChecked) {
  json m = base_model();
  m["outputs"][0] = {{"name", "y"}, {"shape", {"N", 4}}};
  expect_json_error("GRAPH-SHAPE-MISMATCH", m);
}

TEST(JsonReaderErrors, DataSizeDoesNotMatchShape) {
  json m = base_model();
  m["constants"]["w"]["shape"] = {2, 2};
  std::string msg = expect_json_error("JSON-TENSOR-SIZE", m);
  EXPECT_TRUE(has(msg, "constants.w.data")) << msg;
  m = base_model();
  m["constants"]["w"] = {{"data", {{1, 2}, {3}}}};  // not rectangular
  expect_json_error("JSON-TENSOR-SIZE", m);
  m = base_model();
  m["constants"]["w"] = {{"shape", {2, 3}}, {"data", {{1, 2}, {3, 4}, {5, 6}}}};  // nesting disagrees with shape
  expect_json_error("JSON-TENSOR-SIZE", m);
}

TEST(JsonReaderErrors, AbsurdDimsAreRejectedBeforeAllocating) {
  json m = base_model();
  m["constants"]["w"] = {{"shape", {int64_t{1} << 40, int64_t{1} << 40}}, {"data", {1}}};
  expect_json_error("JSON-TENSOR-DIMS", m);
  m = base_model();
  m["inputs"][0]["shape"] = {int64_t{1} << 40, int64_t{1} << 40};
  expect_json_error("JSON-TENSOR-DIMS", m);
}

TEST(JsonReaderErrors, BadSidecars) {
  ScratchDir dir;
  json m = base_model();
  m["constants"]["w"] = {{"npy", "missing.npy"}};
  std::string msg = expect_json_error("FILE-NOT-FOUND", m, dir.str());
  EXPECT_TRUE(has(msg, "constants.w.npy") && has(msg, "missing.npy")) << msg;

  dir.write("corrupt.npy", "\x93NUMPY\x01\x00garbage");
  m["constants"]["w"]["npy"] = "corrupt.npy";
  expect_json_error("NPY-CORRUPT", m, dir.str());

  write_npy(dir.file("nan.npy"), Array({3, 2}, {1, 2, 3, NAN, 5, 6}));
  m["constants"]["w"]["npy"] = "nan.npy";
  msg = expect_json_error("GRAPH-NONFINITE-WEIGHT", m, dir.str());
  EXPECT_TRUE(has(msg, "nan.npy")) << msg;

  write_npy(dir.file("w.npy"), Array({2, 3}, {1, 2, 3, 4, 5, 6}));
  m["constants"]["w"] = {{"npy", "w.npy"}, {"shape", {3, 2}}};
  expect_json_error("JSON-TENSOR-SIZE", m, dir.str());
}

}  // namespace
}  // namespace holo::test
