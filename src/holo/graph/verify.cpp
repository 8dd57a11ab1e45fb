#include "holo/graph/verify.h"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "holo/graph/ops.h"
#include "holo/support/error.h"

namespace holo::graph {
namespace {

std::string src(const Graph& g) {
  return g.source.empty() ? "" : g.source + ": ";
}

// Producer node index of every tensor (-1: graph input / constant / nothing).
std::vector<int> producers(const Graph& g) {
  std::vector<int> prod(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId o : g.nodes[i].outputs) {
      if (o < 0) continue;
      if (prod[static_cast<size_t>(o)] >= 0)
        fail("GRAPH-MULTIPLE-PRODUCERS",
             fmt::format("{}tensor '{}' is produced by both node '{}' and node '{}'", src(g), g.tensor(o).name,
                         g.nodes[static_cast<size_t>(prod[static_cast<size_t>(o)])].name, g.nodes[i].name));
      prod[static_cast<size_t>(o)] = static_cast<int>(i);
    }
  return prod;
}

bool compatible(const Shape& declared, const Shape& inferred) {
  if (declared.size() != inferred.size()) return false;
  for (size_t i = 0; i < declared.size(); ++i)
    if (declared[i] >= 0 && inferred[i] >= 0 && declared[i] != inferred[i]) return false;
  return true;
}

}  // namespace

void topo_sort(Graph& g) {
  std::vector<int> prod = producers(g);
  const size_t n = g.nodes.size();
  std::vector<int> pending(n, 0);
  std::vector<std::vector<size_t>> users(n);
  for (size_t i = 0; i < n; ++i) {
    std::set<int> deps;
    for (TensorId t : g.nodes[i].inputs)
      if (t >= 0 && prod[static_cast<size_t>(t)] >= 0) deps.insert(prod[static_cast<size_t>(t)]);
    pending[i] = static_cast<int>(deps.size());
    for (int d : deps) users[static_cast<size_t>(d)].push_back(i);
  }
  // Kahn's algorithm; ready nodes are taken in their original order, so sorting is stable.
  std::set<size_t> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.insert(i);
  std::vector<size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    size_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (size_t u : users[i])
      if (--pending[u] == 0) ready.insert(u);
  }
  if (order.size() != n) {
    for (size_t i = 0; i < n; ++i)
      if (pending[i] > 0)
        fail("GRAPH-CYCLE",
             fmt::format("{}the graph has a cycle through node '{}' ({})", src(g), g.nodes[i].name, g.nodes[i].op));
  }
  std::vector<Node> sorted;
  sorted.reserve(n);
  for (size_t i : order) sorted.push_back(std::move(g.nodes[i]));
  g.nodes = std::move(sorted);
}

void infer_shapes(Graph& g) {
  for (TensorId id : g.inputs) {
    const Tensor& t = g.tensor(id);
    if (!t.shape_known)
      fail("GRAPH-INPUT-SHAPE-UNKNOWN", fmt::format("{}graph input '{}' has no declared shape", src(g), t.name));
  }
  for (Node& n : g.nodes) {
    const OpDef* def = find_op(n.op);
    if (!def) internal_error("infer_shapes: unknown op " + n.op + " (verify() first)");
    std::vector<Shape> in;
    ConstInputs consts;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      TensorId id = n.inputs[i];
      if (id < 0) {
        in.emplace_back();
        consts.push_back(nullptr);
        continue;
      }
      const Tensor& t = g.tensor(id);
      if (!t.shape_known)
        internal_error(fmt::format("infer_shapes: input '{}' of node '{}' has no shape", t.name, n.name));
      in.push_back(t.shape);
      consts.push_back(t.value ? &*t.value : nullptr);
    }
    std::vector<Shape> out = def->infer(g, n, in, consts);
    for (const Shape& sh : out) {
      int64_t numel = 1;
      for (int64_t d : sh) {
        if (d < 0) continue;
        if (d > (int64_t{1} << 31) || (d != 0 && numel > (int64_t{1} << 34) / d))
          fail("GRAPH-SHAPE-TOO-LARGE",
               fmt::format("{}: produces shape {}, more than 2^31 per dimension or 2^34 elements", where(g, n),
                           shape_str(sh)));
        numel *= d;
      }
    }
    for (size_t i = 0; i < n.outputs.size() && i < out.size(); ++i) {
      if (n.outputs[i] < 0) continue;
      Tensor& t = g.tensor(n.outputs[i]);
      if (t.shape_known && !compatible(t.shape, out[i]))
        fail("GRAPH-SHAPE-MISMATCH", fmt::format("{}: output '{}' is declared {} but the op produces {}", where(g, n),
                                                 t.name, shape_str(t.shape), shape_str(out[i])));
      Shape merged = out[i];
      if (t.shape_known)
        for (size_t k = 0; k < merged.size(); ++k)
          if (merged[k] < 0) merged[k] = t.shape[k];
      t.shape = merged;
      t.shape_known = true;
    }
  }
}

void verify(Graph& g) {
  std::set<std::string> names;
  for (const Node& n : g.nodes) {
    const OpDef* def = find_op(n.op);
    if (!def)
      fail("GRAPH-UNSUPPORTED-OP",
           fmt::format("{}: op '{}' is not supported; supported ops: {}", where(g, n), n.op, supported_ops_list()));
    if (!names.insert(n.name).second)
      fail("GRAPH-DUPLICATE-NODE", fmt::format("{}two nodes are named '{}'", src(g), n.name));
    auto ni = static_cast<int>(n.inputs.size()), no = static_cast<int>(n.outputs.size());
    if (ni < def->min_inputs || ni > def->max_inputs)
      fail("GRAPH-ARITY",
           fmt::format("{}: has {} inputs, expected {}..{}", where(g, n), ni, def->min_inputs, def->max_inputs));
    if (no < def->min_outputs || no > def->max_outputs)
      fail("GRAPH-ARITY",
           fmt::format("{}: has {} outputs, expected {}..{}", where(g, n), no, def->min_outputs, def->max_outputs));
    for (int i = 0; i < def->min_inputs; ++i)
      if (n.inputs[static_cast<size_t>(i)] < 0)
        fail("GRAPH-ARITY", fmt::format("{}: required input {} is missing", where(g, n), i));
    if (n.outputs[0] < 0) fail("GRAPH-ARITY", fmt::format("{}: the first output is missing", where(g, n)));
  }
  std::vector<int> prod = producers(g);
  std::vector<char> is_input(g.tensors.size(), 0);
  for (TensorId id : g.inputs) is_input[static_cast<size_t>(id)] = 1;
  for (const Node& n : g.nodes) {
    for (TensorId id : n.inputs) {
      if (id < 0) continue;
      const Tensor& t = g.tensor(id);
      if (prod[static_cast<size_t>(id)] < 0 && !is_input[static_cast<size_t>(id)] && !t.is_constant())
        fail("GRAPH-DANGLING",
             fmt::format("{}: input '{}' is not a graph input, a weight, or any node's output", where(g, n), t.name));
    }
    for (TensorId id : n.outputs)
      if (id >= 0 && (is_input[static_cast<size_t>(id)] || g.tensor(id).is_constant()))
        fail("GRAPH-MULTIPLE-PRODUCERS",
             fmt::format("{}: output '{}' is also a graph input or a weight", where(g, n), g.tensor(id).name));
  }
  if (g.outputs.empty()) fail("GRAPH-NO-OUTPUT", fmt::format("{}the graph declares no outputs", src(g)));
  for (TensorId id : g.outputs) {
    if (prod[static_cast<size_t>(id)] < 0 && !is_input[static_cast<size_t>(id)] && !g.tensor(id).is_constant())
      fail("GRAPH-DANGLING", fmt::format("{}graph output '{}' is not produced by any node", src(g), g.tensor(id).name));
  }
  for (const Tensor& t : g.tensors) {
    if (!t.value) continue;
    for (double v : t.value->data)
      if (!std::isfinite(v))
        fail("GRAPH-NONFINITE-WEIGHT",
             fmt::format("{}weight '{}' holds {} (weights must be finite)", src(g), t.name, v));
  }
  topo_sort(g);
  infer_shapes(g);
}

}  // namespace holo::graph
