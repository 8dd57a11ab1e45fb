// The neural-network graph IR: tensors (shape, optional float64 constant value), nodes (op, attributes,
// input/output tensors), graph inputs/outputs. Produced by frontend/, checked by verify(), executed by
// the reference executor, read by mapping/. Tensor and node order is deterministic (import order).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "holo/support/array.h"

namespace holo::graph {

using TensorId = int32_t;
inline constexpr TensorId kNoTensor = -1;  // an omitted optional input ("" in ONNX)

// Attribute values: ONNX INT, FLOAT, STRING, INTS, FLOATS. Stored sorted by name for determinism.
using AttrValue = std::variant<int64_t, double, std::string, std::vector<int64_t>, std::vector<double>>;
using Attributes = std::map<std::string, AttrValue>;

struct Tensor {
  std::string name;
  Shape shape;                 // dims < 0 are dynamic (e.g. the batch dimension)
  bool shape_known = false;    // false until declared by the model or inferred
  std::optional<Array> value;  // set for weights/constants; shape == value->shape then

  bool is_constant() const { return value.has_value(); }
};

struct Node {
  std::string name;  // unique within the graph; frontends invent "<op>_<index>" when the model has none
  std::string op;    // ONNX op type, e.g. "Gemm"
  Attributes attrs;
  std::vector<TensorId> inputs;   // kNoTensor for omitted optional inputs
  std::vector<TensorId> outputs;  // kNoTensor for omitted optional outputs

  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }
  // Typed accessors; a present attribute of the wrong type is a GRAPH-BAD-ATTRIBUTE error naming the node.
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  double attr_float(const std::string& key, double fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key, const std::vector<int64_t>& fallback) const;
};

class Graph {
 public:
  std::string name;
  int64_t opset = 13;  // the default-domain opset the model was written for
  std::string source;  // file the graph came from, for messages

  std::vector<Tensor> tensors;
  std::vector<Node> nodes;       // topological order after verify()/topo_sort()
  std::vector<TensorId> inputs;  // non-constant graph inputs, in model order
  std::vector<TensorId> outputs;

  // Returns the id of the tensor with this name, creating it if it does not exist.
  TensorId intern(const std::string& tensor_name);
  // Returns the id or kNoTensor.
  TensorId find(const std::string& tensor_name) const;
  TensorId add_constant(const std::string& tensor_name, Array value);

  Tensor& tensor(TensorId id) { return tensors.at(static_cast<size_t>(id)); }
  const Tensor& tensor(TensorId id) const { return tensors.at(static_cast<size_t>(id)); }

  // Rebuilds the name index after tensors were edited in place by a pass.
  void reindex();
  // Removes tensors no node, input or output refers to (renumbering ids); keeps relative order.
  void prune_unused_tensors();

  int64_t parameter_count() const;  // elements of all constant tensors that nodes use

 private:
  std::unordered_map<std::string, TensorId> index_;
};

// Where in the graph something is, for error messages: "model.onnx: node 'Gemm_0' (Gemm)".
std::string where(const Graph& g, const Node& n);

}  // namespace holo::graph
