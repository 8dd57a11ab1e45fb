// Internal to the frontend: what the ONNX and JSON readers share once the file format is decoded.
// GraphBuilder collects inputs, constants, nodes and outputs by tensor name, then finish() applies the
// opset normalizations of load.h, checks definitions (dangling names, tensors defined twice) with
// messages in the reader's own vocabulary (ONNX node names or JSON field paths), and runs
// graph::verify().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "holo/graph/graph.h"
#include "holo/support/text.h"

namespace holo::frontend::detail {

// Largest constant tensor / declared shape the readers accept (elements), checked before allocating.
inline constexpr int64_t kMaxElements = int64_t{1} << 31;
inline constexpr int kMaxRank = 32;

// Product of dims with overflow and limit checks; dims < 0 count as 1 when allow_dynamic, else they are
// an error. Returns std::nullopt (without throwing) when the shape is absurd; `why` tells what is wrong.
std::optional<int64_t> checked_numel(const Shape& dims, bool allow_dynamic, std::string* why);

using holo::printable;  // untrusted text made safe for a one-line message (support/text.h)

enum class PathStyle {
  Onnx,  // locations like "node 'fc1' (Gemm) input 1"
  Json,  // locations like "nodes[2].inputs[1]"
};

class GraphBuilder {
 public:
  // `prefix` is the error-code prefix of the reader ("ONNX" or "JSON"); `source` names the file.
  GraphBuilder(std::string source, std::string prefix, PathStyle style, int64_t opset);

  // Throws holo::Error with code "<prefix>-<suffix>" and message "<source>: <where>: <msg>".
  [[noreturn]] void fail_here(const std::string& suffix, const std::string& where, const std::string& msg) const;
  // Same with a complete code (e.g. GRAPH-DANGLING).
  [[noreturn]] void fail_code(const std::string& code, const std::string& where, const std::string& msg) const;

  const std::string& source() const { return graph_.source; }
  int64_t opset() const { return graph_.opset; }
  void set_name(std::string name) { graph_.name = std::move(name); }

  // Checks a declared (input / value_info / output) shape: rank, dims, element count.
  void check_declared_shape(const Shape& shape, const std::string& where) const;

  // `where` names the definition in messages ("graph input 'x'", "inputs[0]").
  void add_input(const std::string& name, const Shape& shape, bool shape_known, const std::string& where);
  // Checks the values are finite (GRAPH-NONFINITE-WEIGHT) and that the name is not yet defined.
  void add_constant(const std::string& name, Array value, const std::string& where);
  // `name_hint` is the model's node name (may be empty or repeated: finish() then invents "<op>_<index>").
  // `where` names the node for messages before it has its final name. The op must be supported
  // (<prefix>-UNSUPPORTED-OP otherwise, listing the supported ops); Constant is handled by the readers.
  void add_node(std::string name_hint, int64_t index, std::string op, graph::Attributes attrs,
                std::vector<std::string> inputs, std::vector<std::string> outputs, std::string where);
  void add_output(const std::string& name, std::optional<Shape> declared, const std::string& where);
  // A declared shape for an intermediate tensor (ONNX value_info). Ignored for names no node produces.
  void declare_shape(const std::string& name, const Shape& shape, const std::string& where);

  bool is_defined(const std::string& name) const { return defs_.count(name) != 0; }

  // Normalizes, checks, builds and verifies the graph. The builder is spent afterwards.
  graph::Graph finish();

 private:
  struct PendingNode {
    std::string name_hint;
    int64_t index = 0;
    std::string op;
    graph::Attributes attrs;
    std::vector<std::string> inputs;
    std::vector<std::string> outputs;
    std::string where;
  };
  struct PendingOutput {
    std::string name;
    std::optional<Shape> declared;
    std::string where;
  };

  std::string input_where(const PendingNode& n, size_t k) const;
  std::string output_where(const PendingNode& n, size_t k) const;
  void define(const std::string& name, const std::string& where);
  const Array* constant_value(const std::string& name) const;
  void normalize(PendingNode& n, const std::unordered_map<std::string, int>& used);
  void drop_unused_outputs(PendingNode& n, const std::unordered_map<std::string, int>& used, size_t keep);
  void assign_node_names(std::vector<std::string>& names) const;

  std::string prefix_;
  PathStyle style_;
  graph::Graph graph_;
  std::unordered_map<std::string, std::string> defs_;  // tensor name -> where it is defined
  std::vector<PendingNode> nodes_;
  std::vector<PendingOutput> outputs_;
  std::vector<std::pair<std::string, Shape>> declared_;  // value_info, in model order
};

}  // namespace holo::frontend::detail
