#include "holo/frontend/builder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <unordered_set>
#include <utility>

#include "holo/graph/ops.h"
#include "holo/graph/verify.h"
#include "holo/support/error.h"

namespace holo::frontend::detail {

std::optional<int64_t> checked_numel(const Shape& dims, bool allow_dynamic, std::string* why) {
  if (dims.size() > static_cast<size_t>(kMaxRank)) {
    *why = fmt::format("rank {} is more than the supported {}", dims.size(), kMaxRank);
    return std::nullopt;
  }
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) {
      if (allow_dynamic) continue;
      *why = fmt::format("dimension {} is negative", d);
      return std::nullopt;
    }
    if (d > kMaxElements || (n != 0 && d > kMaxElements / n)) {
      *why = fmt::format("more than {} elements (dimension {})", kMaxElements, d);
      return std::nullopt;
    }
    n *= d;
  }
  return n;
}

GraphBuilder::GraphBuilder(std::string source, std::string prefix, PathStyle style, int64_t opset)
    : prefix_(std::move(prefix)), style_(style) {
  graph_.source = std::move(source);
  graph_.opset = opset;
}

void GraphBuilder::fail_code(const std::string& code, const std::string& where, const std::string& msg) const {
  std::string text;
  for (const std::string* part : {&graph_.source, &where})
    if (!part->empty()) text += *part + ": ";
  fail(code, printable(text + msg));
}

void GraphBuilder::fail_here(const std::string& suffix, const std::string& where, const std::string& msg) const {
  fail_code(prefix_ + "-" + suffix, where, msg);
}

void GraphBuilder::check_declared_shape(const Shape& shape, const std::string& where) const {
  std::string why;
  if (!checked_numel(shape, /*allow_dynamic=*/true, &why))
    fail_here("TENSOR-DIMS", where, fmt::format("declared shape is absurd: {}", why));
}

void GraphBuilder::define(const std::string& name, const std::string& where) {
  auto [it, inserted] = defs_.emplace(name, where);
  if (!inserted)
    fail_code("GRAPH-MULTIPLE-PRODUCERS", where, fmt::format("tensor '{}' is already defined by {}", name, it->second));
}

void GraphBuilder::add_input(const std::string& name, const Shape& shape, bool shape_known, const std::string& where) {
  if (shape_known) check_declared_shape(shape, where);
  define(name, where);
  graph::TensorId id = graph_.intern(name);
  graph::Tensor& t = graph_.tensor(id);
  t.shape = shape;
  t.shape_known = shape_known;
  graph_.inputs.push_back(id);
}

void GraphBuilder::add_constant(const std::string& name, Array value, const std::string& where) {
  for (int64_t i = 0; i < value.numel(); ++i) {
    double v = value[i];
    if (!std::isfinite(v))
      fail_code("GRAPH-NONFINITE-WEIGHT", where,
                fmt::format("element {} of tensor '{}' is {}; weights must be finite", i, name,
                            std::isnan(v) ? "NaN" : (v > 0 ? "+Inf" : "-Inf")));
  }
  define(name, where);
  graph_.add_constant(name, std::move(value));
}

void GraphBuilder::add_node(std::string name_hint, int64_t index, std::string op, graph::Attributes attrs,
                            std::vector<std::string> inputs, std::vector<std::string> outputs, std::string where) {
  const auto& ops = graph::supported_ops();
  if (op == "Constant" || std::find(ops.begin(), ops.end(), op) == ops.end())
    fail_here("UNSUPPORTED-OP", where,
              fmt::format("op '{}' is not supported; supported ops: {}", op, graph::supported_ops_list()));
  nodes_.push_back(PendingNode{std::move(name_hint), index, std::move(op), std::move(attrs), std::move(inputs),
                               std::move(outputs), std::move(where)});
}

void GraphBuilder::add_output(const std::string& name, std::optional<Shape> declared, const std::string& where) {
  if (declared) check_declared_shape(*declared, where);
  outputs_.push_back(PendingOutput{name, std::move(declared), where});
}

void GraphBuilder::declare_shape(const std::string& name, const Shape& shape, const std::string& where) {
  check_declared_shape(shape, where);
  declared_.emplace_back(name, shape);
}

std::string GraphBuilder::input_where(const PendingNode& n, size_t k) const {
  if (style_ == PathStyle::Json) return fmt::format("{}.inputs[{}]", n.where, k);
  return fmt::format("{} input {}", n.where, k);
}

std::string GraphBuilder::output_where(const PendingNode& n, size_t k) const {
  if (style_ == PathStyle::Json) return fmt::format("{}.outputs[{}]", n.where, k);
  return fmt::format("{} output {}", n.where, k);
}

const Array* GraphBuilder::constant_value(const std::string& name) const {
  graph::TensorId id = graph_.find(name);
  if (id == graph::kNoTensor) return nullptr;
  const graph::Tensor& t = graph_.tensor(id);
  return t.value ? &*t.value : nullptr;
}

void GraphBuilder::drop_unused_outputs(PendingNode& n, const std::unordered_map<std::string, int>& used, size_t keep) {
  for (size_t k = keep; k < n.outputs.size(); ++k) {
    if (!n.outputs[k].empty() && used.count(n.outputs[k]))
      fail_here("UNSUPPORTED-OUTPUT", output_where(n, k),
                fmt::format("output '{}' is used, but only the first output of {} (its inference-mode result) is "
                            "supported",
                            n.outputs[k], n.op));
  }
  if (n.outputs.size() > keep) n.outputs.resize(keep);
}

void GraphBuilder::normalize(PendingNode& n, const std::unordered_map<std::string, int>& used) {
  while (!n.inputs.empty() && n.inputs.back().empty()) n.inputs.pop_back();
  while (!n.outputs.empty() && n.outputs.back().empty()) n.outputs.pop_back();
  const int64_t opset = graph_.opset;

  if (n.op == "Softmax" || n.op == "LogSoftmax") {
    if (n.attrs.count("coerce_2d"))
      fail_here("UNSUPPORTED-ATTRIBUTE", n.where,
                "attribute 'coerce_2d' is not a model attribute; the importer derives it from the opset");
    int64_t axis = opset < 13 ? 1 : -1;
    auto it = n.attrs.find("axis");
    if (it != n.attrs.end()) {
      const int64_t* v = std::get_if<int64_t>(&it->second);
      if (!v) fail_here("UNSUPPORTED-ATTRIBUTE", n.where, "attribute 'axis' must be an integer");
      axis = *v;
    }
    n.attrs["axis"] = axis;
    if (opset < 13) n.attrs["coerce_2d"] = int64_t{1};
  } else if (n.op == "Dropout") {
    if (n.inputs.size() > 2 && !n.inputs[2].empty()) {
      const Array* mode = constant_value(n.inputs[2]);
      bool is_false =
          mode != nullptr && std::all_of(mode->data.begin(), mode->data.end(), [](double v) { return v == 0; });
      if (!is_false)
        fail_here("UNSUPPORTED-ATTRIBUTE", input_where(n, 2),
                  fmt::format("training_mode ('{}') must be absent or a constant false: only inference is supported",
                              n.inputs[2]));
    }
    if (n.inputs.size() > 1) n.inputs.resize(1);
    drop_unused_outputs(n, used, 1);
  } else if (n.op == "BatchNormalization") {
    auto it = n.attrs.find("training_mode");
    if (it != n.attrs.end()) {
      const int64_t* v = std::get_if<int64_t>(&it->second);
      if (!v || *v != 0)
        fail_here("UNSUPPORTED-ATTRIBUTE", n.where, "attribute 'training_mode' must be 0: only inference is supported");
      n.attrs.erase(it);
    }
    drop_unused_outputs(n, used, 1);
  } else if (n.op == "MaxPool") {
    drop_unused_outputs(n, used, 1);
  }
}

void GraphBuilder::assign_node_names(std::vector<std::string>& names) const {
  std::unordered_map<std::string, int> count;
  for (const PendingNode& n : nodes_)
    if (!n.name_hint.empty()) ++count[n.name_hint];
  std::unordered_set<std::string> taken;
  for (const PendingNode& n : nodes_)
    if (!n.name_hint.empty() && count[n.name_hint] == 1) taken.insert(n.name_hint);
  names.clear();
  names.reserve(nodes_.size());
  for (const PendingNode& n : nodes_) {
    if (!n.name_hint.empty() && count[n.name_hint] == 1) {
      names.push_back(n.name_hint);
      continue;
    }
    std::string base = fmt::format("{}_{}", n.op, n.index);
    std::string name = base;
    for (int k = 1; taken.count(name); ++k) name = fmt::format("{}_{}", base, k);
    taken.insert(name);
    names.push_back(std::move(name));
  }
}

graph::Graph GraphBuilder::finish() {
  std::unordered_map<std::string, int> used;
  for (const PendingNode& n : nodes_)
    for (const std::string& in : n.inputs)
      if (!in.empty()) ++used[in];
  for (const PendingOutput& o : outputs_) ++used[o.name];

  for (PendingNode& n : nodes_) normalize(n, used);
  for (const PendingNode& n : nodes_)
    for (size_t k = 0; k < n.outputs.size(); ++k)
      if (!n.outputs[k].empty()) define(n.outputs[k], output_where(n, k));

  for (const PendingNode& n : nodes_)
    for (size_t k = 0; k < n.inputs.size(); ++k)
      if (!n.inputs[k].empty() && !defs_.count(n.inputs[k]))
        fail_code("GRAPH-DANGLING", input_where(n, k),
                  fmt::format("tensor '{}' is not defined: it is not a graph input, a constant or a node output",
                              n.inputs[k]));
  for (const PendingOutput& o : outputs_)
    if (!defs_.count(o.name))
      fail_code("GRAPH-DANGLING", o.where,
                fmt::format("graph output '{}' is not a graph input, a constant or a node output", o.name));

  std::vector<std::string> names;
  assign_node_names(names);
  graph_.nodes.reserve(nodes_.size());
  for (size_t i = 0; i < nodes_.size(); ++i) {
    PendingNode& p = nodes_[i];
    graph::Node n;
    n.name = std::move(names[i]);
    n.op = std::move(p.op);
    n.attrs = std::move(p.attrs);
    for (const std::string& in : p.inputs) n.inputs.push_back(in.empty() ? graph::kNoTensor : graph_.intern(in));
    for (const std::string& out : p.outputs) n.outputs.push_back(out.empty() ? graph::kNoTensor : graph_.intern(out));
    graph_.nodes.push_back(std::move(n));
  }
  for (const PendingOutput& o : outputs_) graph_.outputs.push_back(graph_.intern(o.name));

  std::unordered_set<graph::TensorId> input_ids(graph_.inputs.begin(), graph_.inputs.end());
  auto apply = [&](const std::string& name, const Shape& shape) {
    graph::TensorId id = graph_.find(name);
    if (id == graph::kNoTensor || input_ids.count(id)) return;
    graph::Tensor& t = graph_.tensor(id);
    if (t.is_constant()) return;
    t.shape = shape;
    t.shape_known = true;
  };
  for (const auto& [name, shape] : declared_) apply(name, shape);
  for (const PendingOutput& o : outputs_)
    if (o.declared) apply(o.name, *o.declared);

  nodes_.clear();
  graph_.prune_unused_tensors();
  try {
    graph::verify(graph_);
  } catch (const holo::Error& e) {
    // The verifier quotes names from the model; keep its message to one printable line.
    throw holo::Error(e.code(), printable(e.what()), e.kind());
  }
  return std::move(graph_);
}

}  // namespace holo::frontend::detail
