// ONNX reader: the fixtures of data/make_fixtures.py, read back and checked field by field, and every bad-input
// case of issue 2 item 8 that concerns a model file (matched by error code).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "frontend_test_util.h"
#include "holo/frontend/load.h"
#include "holo/graph/dump.h"
#include "holo/graph/ops.h"
#include "holo/support/npy.h"

namespace holo::test {
namespace {

using frontend::load_model;
using frontend::load_onnx;
using frontend::load_onnx_bytes;
using graph::AttrValue;

bool has(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(OnnxReader, MlpStructureAndWeights) {
  graph::Graph g = load_onnx(fixture("mlp.onnx"));
  EXPECT_EQ(g.opset, 13);
  EXPECT_EQ(g.name, "mlp");
  EXPECT_EQ(g.source, fixture("mlp.onnx"));
  ASSERT_EQ(names_of(g, g.inputs), std::vector<std::string>{"x"});
  EXPECT_EQ(g.tensor(g.inputs[0]).shape, (Shape{-1, 64}));  // "N" is dynamic
  EXPECT_EQ(names_of(g, g.outputs), std::vector<std::string>{"y"});
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (Shape{-1, 10}));
  ASSERT_EQ(g.nodes.size(), 4u);
  EXPECT_EQ(g.nodes[0].name, "fc1");
  EXPECT_EQ(g.nodes[0].op, "Gemm");
  EXPECT_EQ(g.nodes[0].attrs.at("transB"), AttrValue{int64_t{1}});
  EXPECT_EQ(g.nodes[2].attrs.at("alpha"), AttrValue{1.0});
  EXPECT_EQ(names_of(g, g.nodes[0].inputs), (std::vector<std::string>{"x", "w1", "b1"}));
  // Softmax at opset 13: axis made explicit (-1), no coerce_2d.
  const graph::Node& sm = node_named(g, "softmax");
  EXPECT_EQ(sm.attrs.at("axis"), AttrValue{int64_t{-1}});
  EXPECT_FALSE(sm.has_attr("coerce_2d"));
  // Initializers are constants, not inputs; their values are the float32 weights, exactly.
  const graph::Tensor& w1 = tensor_named(g, "w1");
  ASSERT_TRUE(w1.is_constant());
  Array expected = read_npy(fixture("mlp_w1.npy"));
  EXPECT_EQ(w1.value->shape, (Shape{32, 64}));
  EXPECT_EQ(w1.value->data, expected.data);
  EXPECT_EQ(g.parameter_count(), 32 * 64 + 32 + 10 * 32 + 10);
}

TEST(OnnxReader, Opset11LegacyFormsAreNormalized) {
  graph::Graph g = load_onnx(fixture("cnn_opset11.onnx"));
  EXPECT_EQ(g.opset, 11);
  // The Constant node became a constant tensor, not a node.
  EXPECT_EQ(g.nodes.size(), 10u);
  for (const graph::Node& n : g.nodes) EXPECT_NE(n.op, "Constant");
  const graph::Tensor& pads = tensor_named(g, "pads");
  ASSERT_TRUE(pads.is_constant());
  EXPECT_EQ(pads.value->shape, (Shape{8}));
  // LogSoftmax before opset 13: default axis 1 and the flatten-to-2-D semantics.
  const graph::Node& ls = node_named(g, "logsoftmax");
  EXPECT_EQ(ls.attrs.at("axis"), AttrValue{int64_t{1}});
  EXPECT_EQ(ls.attrs.at("coerce_2d"), AttrValue{int64_t{1}});
  // Unused training outputs dropped: BatchNormalization 5 -> 1, MaxPool 2 -> 1, Dropout 2 -> 1.
  EXPECT_EQ(node_named(g, "bn").outputs.size(), 1u);
  EXPECT_EQ(node_named(g, "pool").outputs.size(), 1u);
  EXPECT_EQ(node_named(g, "drop").outputs.size(), 1u);
  EXPECT_EQ(node_named(g, "drop").inputs.size(), 1u);
  EXPECT_EQ(g.find("bn_mean"), graph::kNoTensor);
  EXPECT_EQ(g.find("mask"), graph::kNoTensor);
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (Shape{-1, 3}));
}

TEST(OnnxReader, Opset13OpsConstantsAndNodeNames) {
  graph::Graph g = load_onnx(fixture("ops_opset13.onnx"));
  // value_float -> scalar, value_floats / value_ints -> 1-D constants.
  const graph::Tensor& half = tensor_named(g, "half");
  ASSERT_TRUE(half.is_constant());
  EXPECT_EQ(half.value->shape, Shape{});
  EXPECT_EQ(half.value->data, std::vector<double>{0.5});
  EXPECT_EQ(tensor_named(g, "offs").value->data, (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(tensor_named(g, "shape").value->data, (std::vector<double>{2, -1}));
  // Dropout (opset 13): the ratio and the constant-false (BOOL) training_mode inputs are dropped, and so are
  // the constants nothing else uses.
  EXPECT_EQ(node_named(g, "dropout").inputs.size(), 1u);
  EXPECT_EQ(g.find("train"), graph::kNoTensor);
  EXPECT_EQ(g.find("ratio"), graph::kNoTensor);
  // Node names: the model's name when it is non-empty and unique; otherwise "<op>_<index in the ONNX node list>",
  // with a suffix when that collides with a real name ("Relu_14" is the Div node's own name).
  std::vector<std::string> names;
  for (const graph::Node& n : g.nodes) names.push_back(n.name);
  std::vector<std::string> expected{"matmul",      "Mul_2",     "Add_4",   "Sub_5",    "Relu_14",
                                    "LeakyRelu_7", "sigmoid",   "tanh",    "identity", "dropout",
                                    "Relu_14_1",   "transpose", "reshape", "concat",   "softmax"};
  EXPECT_EQ(names, expected);
  EXPECT_EQ(node_named(g, "Relu_14").op, "Div");
  EXPECT_EQ(node_named(g, "Relu_14_1").op, "Relu");
  EXPECT_EQ(node_named(g, "LeakyRelu_7").attrs.at("alpha"), AttrValue{0.25});
  EXPECT_EQ(node_named(g, "softmax").attrs.at("axis"), AttrValue{int64_t{-1}});
  EXPECT_EQ(tensor_named(g, "a").shape, (Shape{3, 4}));  // from value_info, confirmed by inference
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (Shape{2, 12}));
}

TEST(OnnxReader, Opset14BatchNormTrainingModeZeroIsDropped) {
  graph::Graph g = load_onnx(fixture("gap_opset14.onnx"));
  const graph::Node& bn = node_named(g, "bn");
  EXPECT_FALSE(bn.has_attr("training_mode"));
  EXPECT_EQ(bn.attrs.at("epsilon"), AttrValue{static_cast<double>(1e-3f)});  // the float32 attribute, widened
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (Shape{-1, 4, 1, 1}));
}

TEST(OnnxReader, EveryTensorEncoding) {
  graph::Graph g = load_onnx(fixture("tensors.onnx"));
  const std::vector<double> vals{0.5, -1.25, 3.0, 0.0};  // exactly representable in float16 and bfloat16
  auto values = [&](const char* name) { return tensor_named(g, name).value->data; };
  EXPECT_EQ(values("t_f32_typed"), vals);
  EXPECT_EQ(values("t_f64"), (std::vector<double>{0.1, -0.2, 1e-300, 12345.678}));
  EXPECT_EQ(values("t_f16_raw"), vals);
  EXPECT_EQ(values("t_f16_typed"), vals);
  EXPECT_EQ(values("t_bf16"), vals);
  EXPECT_EQ(values("t_i32"), (std::vector<double>{1, -2, 2147483647, -2147483648.0}));
  EXPECT_EQ(values("t_i64"), (std::vector<double>{1, -2, std::ldexp(1.0, 40), -std::ldexp(1.0, 50)}));
  EXPECT_EQ(values("t_u8"), (std::vector<double>{0, 1, 200, 255}));
}

TEST(OnnxReader, ExternalDataRelativeToTheModel) {
  graph::Graph g = load_onnx(fixture("ext.onnx"));
  EXPECT_EQ(tensor_named(g, "w").value->data, read_npy(fixture("ext_expected_w.npy")).data);
  EXPECT_EQ(tensor_named(g, "b").value->data, read_npy(fixture("ext_expected_b.npy")).data);
  EXPECT_EQ(tensor_named(g, "w").shape, (Shape{2, 3}));
  // From memory: only with a folder to resolve the file against.
  std::string bytes = read_bytes(fixture("ext.onnx"));
  expect_error("ONNX-EXTERNAL-DATA", [&] { load_onnx_bytes(bytes, "ext.onnx"); });
  graph::Graph h = load_onnx_bytes(bytes, "ext.onnx", source_path("tests/unit/frontend/data"));
  EXPECT_EQ(tensor_named(h, "b").value->data, tensor_named(g, "b").value->data);
}

TEST(OnnxReader, LoadModelDispatchesOnExtension) {
  ScratchDir dir;
  std::string upper = dir.write("MLP.ONNX", read_bytes(fixture("mlp.onnx")));
  EXPECT_EQ(load_model(upper).nodes.size(), 4u);
  EXPECT_EQ(load_model(fixture("mlp.json")).nodes.size(), 4u);
  std::string pt = dir.write("model.pt", "x");
  std::string msg = expect_error("MODEL-UNKNOWN-FORMAT", [&] { load_model(pt); });
  EXPECT_TRUE(has(msg, "model.pt")) << msg;
  expect_error("MODEL-UNKNOWN-FORMAT", [&] { load_model(dir.file("noext")); });
}

TEST(OnnxReader, DeterministicDump) {
  for (const char* f : {"mlp.onnx", "cnn_opset11.onnx", "ops_opset13.onnx"}) {
    std::string a = graph::dump(load_onnx(fixture(f)));
    std::string b = graph::dump(load_onnx_bytes(read_bytes(fixture(f)), fixture(f)));
    EXPECT_EQ(a, b) << f;
  }
}

// ---- bad input: files ----

TEST(OnnxReaderErrors, MissingFile) {
  std::string msg = expect_error("FILE-NOT-FOUND", [] { load_onnx(fixture("no_such_model.onnx")); });
  EXPECT_TRUE(has(msg, "no_such_model.onnx")) << msg;
}

TEST(OnnxReaderErrors, DirectoryIsUnreadable) {
  expect_error("FILE-UNREADABLE", [] { load_onnx(source_path("tests/unit/frontend/data")); });
}

TEST(OnnxReaderErrors, EmptyFile) {
  ScratchDir dir;
  std::string path = dir.write("empty.onnx", "");
  expect_error("FILE-EMPTY", [&] { load_onnx(path); });
  expect_error("FILE-EMPTY", [] { load_onnx_bytes("", "empty.onnx"); });
}

TEST(OnnxReaderErrors, TextFileIsNotAProtobuf) {
  ScratchDir dir;
  std::string path = dir.write("notes.onnx", "This is a text file, not a model.\nSecond line.\n");
  std::string msg = expect_error("ONNX-PARSE", [&] { load_onnx(path); });
  EXPECT_TRUE(has(msg, "notes.onnx")) << msg;
}

TEST(OnnxReaderErrors, RandomBytesAreNotAModel) {
  std::mt19937 rng(12345);
  for (int trial = 0; trial < 20; ++trial) {
    std::string bytes(4096, '\0');
    for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
    expect_error("ONNX-PARSE", [&] { load_onnx_bytes(bytes, "random.onnx"); });
  }
}

TEST(OnnxReaderErrors, TruncatedProtobuf) {
  std::string bytes = read_bytes(fixture("mlp.onnx"));
  ScratchDir dir;
  std::string path = dir.write("half.onnx", bytes.substr(0, bytes.size() / 2));
  expect_error("ONNX-PARSE", [&] { load_onnx(path); });
  // Every proper prefix fails cleanly with a holo::Error (never a crash or another exception type).
  for (size_t n = 1; n < bytes.size(); n += 7) {
    try {
      load_onnx_bytes(std::string_view(bytes).substr(0, n), "prefix.onnx");
      ADD_FAILURE() << "prefix of " << n << " bytes was accepted";
    } catch (const holo::Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::BadInput) << e.what();
    }
  }
}

// ---- bad input: model content ----

TEST(OnnxReaderErrors, UnsupportedOpNamesNodeOpAndSupportedList) {
  std::string msg = expect_error("ONNX-UNSUPPORTED-OP", [] { load_onnx(fixture("bad_unsupported_op.onnx")); });
  EXPECT_TRUE(has(msg, "bad_unsupported_op.onnx")) << msg;
  EXPECT_TRUE(has(msg, "'my_erf'")) << msg;
  EXPECT_TRUE(has(msg, "'Erf'")) << msg;
  EXPECT_TRUE(has(msg, graph::supported_ops_list())) << msg;
  msg = expect_error("ONNX-UNSUPPORTED-OP", [] { load_onnx(fixture("bad_custom_domain.onnx")); });
  EXPECT_TRUE(has(msg, "com.example")) << msg;
}

TEST(OnnxReaderErrors, UnsupportedOpset) {
  std::string msg = expect_error("ONNX-UNSUPPORTED-OPSET", [] { load_onnx(fixture("bad_opset10.onnx")); });
  EXPECT_TRUE(has(msg, "opset 10")) << msg;
  EXPECT_TRUE(has(msg, "11 to 17")) << msg;
  expect_error("ONNX-UNSUPPORTED-OPSET", [] { load_onnx(fixture("bad_opset18.onnx")); });
  expect_error("ONNX-UNSUPPORTED-OPSET", [] { load_onnx(fixture("bad_no_default_opset.onnx")); });
}

TEST(OnnxReaderErrors, UnsupportedAttributeTypes) {
  std::string msg = expect_error("ONNX-UNSUPPORTED-ATTRIBUTE", [] { load_onnx(fixture("bad_attr_tensor.onnx")); });
  EXPECT_TRUE(has(msg, "relu_with_tensor") && has(msg, "'junk'")) << msg;
  expect_error("ONNX-UNSUPPORTED-ATTRIBUTE", [] { load_onnx(fixture("bad_attr_strings.onnx")); });
}

TEST(OnnxReaderErrors, UnsupportedAttributeValues) {
  std::string msg = expect_error("ONNX-UNSUPPORTED-ATTRIBUTE", [] { load_onnx(fixture("bad_bn_training.onnx")); });
  EXPECT_TRUE(has(msg, "bn_train")) << msg;
  msg = expect_error("ONNX-UNSUPPORTED-ATTRIBUTE", [] { load_onnx(fixture("bad_dropout_training.onnx")); });
  EXPECT_TRUE(has(msg, "drop_train")) << msg;
  expect_error("ONNX-UNSUPPORTED-OUTPUT", [] { load_onnx(fixture("bad_used_indices.onnx")); });
}

TEST(OnnxReaderErrors, StructurallyInvalid) {
  std::string msg = expect_error("ONNX-INVALID", [] { load_onnx(fixture("bad_constant_no_value.onnx")); });
  EXPECT_TRUE(has(msg, "empty_const")) << msg;
  msg = expect_error("ONNX-INVALID", [] { load_onnx(fixture("bad_attr_twice.onnx")); });
  EXPECT_TRUE(has(msg, "leaky_twice") && has(msg, "'alpha'")) << msg;
}

TEST(OnnxReaderErrors, DanglingTensorName) {
  std::string msg = expect_error("GRAPH-DANGLING", [] { load_onnx(fixture("bad_dangling.onnx")); });
  EXPECT_TRUE(has(msg, "'nowhere'") && has(msg, "'relu'")) << msg;
}

TEST(OnnxReaderErrors, Cycle) {
  expect_error("GRAPH-CYCLE", [] { load_onnx(fixture("bad_cycle.onnx")); });
}

TEST(OnnxReaderErrors, TensorDefinedTwice) {
  expect_error("GRAPH-MULTIPLE-PRODUCERS", [] { load_onnx(fixture("bad_duplicate_initializer.onnx")); });
}

TEST(OnnxReaderErrors, DeclaredOutputShapeIsChecked) {
  expect_error("GRAPH-SHAPE-MISMATCH", [] { load_onnx(fixture("bad_output_shape.onnx")); });
}

TEST(OnnxReaderErrors, ExternalData) {
  std::string msg = expect_error("ONNX-EXTERNAL-DATA", [] { load_onnx(fixture("bad_external_missing.onnx")); });
  EXPECT_TRUE(has(msg, "'w'") && has(msg, "does_not_exist.bin")) << msg;
  expect_error("ONNX-EXTERNAL-DATA", [] { load_onnx(fixture("bad_external_escape.onnx")); });
  expect_error("ONNX-EXTERNAL-DATA", [] { load_onnx(fixture("bad_external_range.onnx")); });
}

TEST(OnnxReaderErrors, DeclaredSizeDoesNotMatchData) {
  for (const char* f : {"bad_size_raw.onnx", "bad_size_typed.onnx", "bad_size_nodata.onnx"}) {
    std::string msg = expect_error("ONNX-TENSOR-SIZE", [&] { load_onnx(fixture(f)); });
    EXPECT_TRUE(has(msg, "initializer 'w'")) << msg;
  }
}

TEST(OnnxReaderErrors, AbsurdDimsAreRejectedBeforeAllocating) {
  // dims [2^40, 2^40] of FLOAT would be 2^82 bytes: any attempt to allocate would throw std::bad_alloc or
  // std::length_error instead of this code, so the code shows the check came first.
  expect_error("ONNX-TENSOR-DIMS", [] { load_onnx(fixture("bad_dims_huge.onnx")); });
  expect_error("ONNX-TENSOR-DIMS", [] { load_onnx(fixture("bad_dims_negative.onnx")); });
}

TEST(OnnxReaderErrors, NonFiniteWeights) {
  std::string msg = expect_error("GRAPH-NONFINITE-WEIGHT", [] { load_onnx(fixture("bad_nan.onnx")); });
  EXPECT_TRUE(has(msg, "'w'") && has(msg, "NaN")) << msg;
  expect_error("GRAPH-NONFINITE-WEIGHT", [] { load_onnx(fixture("bad_inf.onnx")); });
}

TEST(OnnxReaderErrors, UnsupportedTensorTypes) {
  expect_error("ONNX-UNSUPPORTED-DTYPE", [] { load_onnx(fixture("bad_dtype_string.onnx")); });
  expect_error("ONNX-UNSUPPORTED-DTYPE", [] { load_onnx(fixture("bad_dtype_complex.onnx")); });
}

}  // namespace
}  // namespace holo::test
