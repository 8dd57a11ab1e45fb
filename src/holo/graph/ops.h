// The op table: every op the graph IR knows, defined once (docs/architecture.md#conventions: one schema per thing).
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

// Geometry of a 2-D convolution or pooling window on an [N,C,H,W] input (pads resolved from auto_pad).
struct ConvGeometry {
  int64_t kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
  int64_t c = 0, h = 0, w = 0, oh = 0, ow = 0;  // input channels/size and output size (conv_geometry only)
};
ConvGeometry conv_geometry(const Graph& g, const Node& conv, const Shape& x, const Shape& w);

// im2col of one sample over ALL input channels: a (C*kh*kw) x (oh*ow) row-major matrix written to `col`,
// row (c*kh + i)*kw + j; taps that fall in the padding are 0. Group g's channels are rows g*K .. g*K+K-1.
void im2col(const Array& x, int64_t sample, const ConvGeometry& geo, double* col);

// nullptr if the op is unknown.
const OpDef* find_op(std::string_view op);
// Sorted list of supported op names (for error messages and docs). Includes "Constant", which the
// frontends turn into constant tensors.
const std::vector<std::string>& supported_ops();
std::string supported_ops_list();  // comma-separated

}  // namespace holo::graph
