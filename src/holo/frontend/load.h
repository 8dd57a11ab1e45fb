// Model readers: ONNX (protobuf, opsets 11..17 of the default domain) and the holo JSON model form
// (docs/json-model.md). Each returns a graph that has passed graph::verify(); no simplification passes
// are run (the driver does that). Every failure is a holo::Error (codes ONNX-*, JSON-*, FILE-*, NPY-*,
// GRAPH-*) whose message names the file and the node / tensor / JSON field concerned.
//
// Conventions the importers establish for the graph IR (the executor sees one form whatever the opset):
//   Softmax/LogSoftmax  attr "axis" always set; for opset < 13 also "coerce_2d" = 1 (flatten at axis).
//   Dropout             one input (ratio/training_mode dropped after checking training_mode is absent
//                       or constant false), one output (the mask must be unused).
//   BatchNormalization  one output (training outputs must be unused); training_mode must be 0 and is
//                       removed.
//   MaxPool             one output (Indices must be unused).
//   Constant            never a node: its value becomes a constant tensor.
//   Trailing omitted ("") inputs and outputs are dropped; inner ones are graph::kNoTensor.
#pragma once

#include <string>
#include <string_view>

#include "holo/graph/graph.h"

namespace holo::frontend {

inline constexpr int64_t kMinOpset = 11;
inline constexpr int64_t kMaxOpset = 17;

// Reads an ONNX model file. External-data weights are resolved relative to the model's folder.
graph::Graph load_onnx(const std::string& path);
// Reads ONNX model bytes; `what` names the source in messages. External data is resolved relative to
// `base_dir`; with an empty base_dir a model that uses external data is an ONNX-EXTERNAL-DATA error.
graph::Graph load_onnx_bytes(std::string_view bytes, const std::string& what, const std::string& base_dir = "");

// Reads a JSON model file; .npy sidecars are resolved relative to the JSON file's folder.
graph::Graph load_json_model(const std::string& path);
// As above from bytes; with an empty base_dir any "npy" reference is a JSON-NPY error.
graph::Graph load_json_model_bytes(std::string_view bytes, const std::string& what, const std::string& base_dir = "");

// Dispatches on the extension (.onnx or .json, case-insensitive); anything else is MODEL-UNKNOWN-FORMAT.
graph::Graph load_model(const std::string& path);

}  // namespace holo::frontend
