#include "holo/graph/executor.h"

#include <fmt/format.h>

#include "holo/graph/ops.h"
#include "holo/support/error.h"

namespace holo::graph {

void check_inputs(const Graph& g, const std::vector<Array>& inputs) {
  std::string src = g.source.empty() ? "" : g.source + ": ";
  if (inputs.size() != g.inputs.size())
    fail("GRAPH-INPUT-COUNT",
         fmt::format("{}the model takes {} input(s), {} given", src, g.inputs.size(), inputs.size()));
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& t = g.tensor(g.inputs[i]);
    const Shape& want = t.shape;
    const Shape& have = inputs[i].shape;
    bool ok = want.size() == have.size();
    for (size_t k = 0; ok && k < want.size(); ++k) ok = want[k] < 0 || want[k] == have[k];
    if (!ok)
      fail("GRAPH-INPUT-SHAPE",
           fmt::format("{}input '{}' expects shape {} (N = any batch size) but the data has shape {}", src, t.name,
                       shape_str(want), shape_str(have)));
  }
}

std::vector<Array> execute(const Graph& g, const std::vector<Array>& inputs) {
  return execute(g, inputs, nullptr);
}

std::vector<Array> execute(const Graph& g, const std::vector<Array>& inputs, std::map<std::string, Array>* keep) {
  return execute(g, inputs, NodeOverride(), keep);
}

std::vector<Array> execute(const Graph& g, const std::vector<Array>& inputs, const NodeOverride& override_node,
                           std::map<std::string, Array>* keep) {
  check_inputs(g, inputs);
  const size_t nt = g.tensors.size();
  std::vector<const Array*> value(nt, nullptr);
  std::vector<Array> owned(nt);
  std::vector<int> last_use(nt, -1);
  std::vector<char> pinned(nt, 0);  // graph outputs and kept tensors are never freed
  for (size_t i = 0; i < nt; ++i)
    if (g.tensors[i].value) value[i] = &*g.tensors[i].value;
  for (size_t i = 0; i < inputs.size(); ++i) value[static_cast<size_t>(g.inputs[i])] = &inputs[i];
  for (size_t k = 0; k < g.nodes.size(); ++k)
    for (TensorId id : g.nodes[k].inputs)
      if (id >= 0) last_use[static_cast<size_t>(id)] = static_cast<int>(k);
  for (TensorId id : g.outputs) pinned[static_cast<size_t>(id)] = 1;
  if (keep)
    for (auto& [name, _] : *keep) {
      TensorId id = g.find(name);
      if (id < 0) fail("GRAPH-UNKNOWN-TENSOR", fmt::format("no tensor named '{}' in the graph", name));
      pinned[static_cast<size_t>(id)] = 1;
    }

  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node& n = g.nodes[k];
    const OpDef* def = find_op(n.op);
    if (!def) internal_error("execute: unknown op " + n.op);
    std::vector<const Array*> in;
    std::vector<Shape> shapes;
    ConstInputs consts;
    for (TensorId id : n.inputs) {
      const Array* a = id >= 0 ? value[static_cast<size_t>(id)] : nullptr;
      if (id >= 0 && !a)
        internal_error(fmt::format("execute: '{}' has no value before node '{}'", g.tensor(id).name, n.name));
      in.push_back(a);
      shapes.push_back(a ? a->shape : Shape{});
      consts.push_back(id >= 0 && g.tensor(id).value ? a : nullptr);
    }
    // Shapes are inferred again from the concrete inputs: the same function that checked the graph.
    std::vector<Shape> out_shapes = def->infer(g, n, shapes, consts);
    std::vector<Array> out;
    out.reserve(n.outputs.size());
    for (size_t i = 0; i < n.outputs.size(); ++i) out.emplace_back(i < out_shapes.size() ? out_shapes[i] : Shape{});
    if (!override_node || !override_node(n, in, out)) def->run(g, n, in, out);
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      TensorId id = n.outputs[i];
      if (id < 0) continue;
      owned[static_cast<size_t>(id)] = std::move(out[i]);
      value[static_cast<size_t>(id)] = &owned[static_cast<size_t>(id)];
    }
    // Free what no later node reads.
    for (TensorId id : n.inputs) {
      if (id < 0) continue;
      auto u = static_cast<size_t>(id);
      if (last_use[u] == static_cast<int>(k) && !pinned[u] && !owned[u].data.empty()) {
        owned[u] = Array();
        value[u] = nullptr;
      }
    }
  }
  std::vector<Array> result;
  for (TensorId id : g.outputs) {
    auto u = static_cast<size_t>(id);
    if (!value[u]) internal_error("execute: graph output '" + g.tensor(id).name + "' was not computed");
    result.push_back(*value[u]);
  }
  if (keep)
    for (auto& [name, arr] : *keep) arr = *value[static_cast<size_t>(g.find(name))];
  return result;
}

}  // namespace holo::graph
