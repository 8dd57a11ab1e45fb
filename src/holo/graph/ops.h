// The op table: every op the graph IR knows, defined once (STYLE.md: one schema per component).
// For each op: input/output arity, attribute checks + shape inference (one function used both for
// static shapes with dynamic dims and for concrete shapes at run time), the float64 reference kernel,
// and the multiply-accumulate count per sample.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "holo/graph/graph.h"
#include "holo/support/array.h"

namespace holo::graph {

// Constant inputs known at inference time (nullptr when not constant), e.g. Reshape's shape.
using ConstInputs = std::vector<const Array*>;

struct OpDef {
  std::string_view name;
  int min_inputs;
  int max_inputs;
  int min_outputs;
  int max_outputs;
  // Checks attributes and returns output shapes. Input shapes may hold dynamic dims (< 0). Throws
  // holo::Error (GRAPH-BAD-ATTRIBUTE, GRAPH-SHAPE-MISMATCH, ...) naming the node via where().
  std::function<std::vector<Shape>(const Graph&, const Node&, const std::vector<Shape>&, const ConstInputs&)> infer;
  // Computes outputs from concrete inputs (omitted optional inputs are nullptr).
  std::function<void(const Graph&, const Node&, const std::vector<const Array*>&, std::vector<Array>&)> run;
  // Multiply-accumulates per sample (batch dim = 1) given inferred input/output shapes; 0 if none.
  std::function<int64_t(const Node&, const std::vector<Shape>&, const std::vector<Shape>&)> macs;
};

// nullptr if the op is unknown.
const OpDef* find_op(std::string_view op);
// Sorted list of supported op names (for error messages and docs). Includes "Constant", which the
// frontends turn into constant tensors.
const std::vector<std::string>& supported_ops();
std::string supported_ops_list();  // comma-separated

}  // namespace holo::graph
