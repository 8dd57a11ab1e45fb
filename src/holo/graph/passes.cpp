#include "holo/graph/passes.h"

#include <fmt/format.h>

#include <cmath>

#include "holo/graph/ops.h"
#include "holo/graph/verify.h"
#include "holo/support/error.h"

namespace holo::graph {
namespace {

bool is_output(const Graph& g, TensorId id) {
  for (TensorId o : g.outputs)
    if (o == id) return true;
  return false;
}
int use_count(const Graph& g, TensorId id) {
  int c = 0;
  for (const Node& n : g.nodes)
    for (TensorId t : n.inputs) c += t == id;
  return c;
}
void replace_uses(Graph& g, TensorId from, TensorId to) {
  for (Node& n : g.nodes)
    for (TensorId& t : n.inputs)
      if (t == from) t = to;
}
int producer(const Graph& g, TensorId id) {
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId o : g.nodes[i].outputs)
      if (o == id) return static_cast<int>(i);
  return -1;
}
bool extra_outputs_unused(const Graph& g, const Node& n) {
  for (size_t i = 1; i < n.outputs.size(); ++i) {
    TensorId id = n.outputs[i];
    if (id >= 0 && (use_count(g, id) > 0 || is_output(g, id))) return false;
  }
  return true;
}
std::string fresh_name(const Graph& g, const std::string& base) {
  std::string name = base;
  for (int k = 1; g.find(name) != kNoTensor; ++k) name = fmt::format("{}_{}", base, k);
  return name;
}

}  // namespace

int remove_identities(Graph& g) {
  int changed = 0;
  for (size_t i = 0; i < g.nodes.size();) {
    Node& n = g.nodes[i];
    if ((n.op != "Identity" && n.op != "Dropout") || !extra_outputs_unused(g, n)) {
      ++i;
      continue;
    }
    TensorId x = n.inputs[0], y = n.outputs[0];
    if (!is_output(g, y)) {
      replace_uses(g, y, x);
    } else if (int p = producer(g, x); p >= 0 && !is_output(g, x)) {
      // y must keep its name (it is a graph output): let x's producer write y directly.
      for (TensorId& o : g.nodes[static_cast<size_t>(p)].outputs)
        if (o == x) o = y;
      replace_uses(g, x, y);
    } else {
      ++i;
      continue;
    }
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    ++changed;
  }
  return changed;
}

int fold_batchnorm(Graph& g) {
  int changed = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    Node& bn = g.nodes[i];
    if (bn.op != "BatchNormalization" || !extra_outputs_unused(g, bn)) continue;
    bool consts = true;
    for (size_t k = 1; k < 5; ++k) consts = consts && g.tensor(bn.inputs[k]).is_constant();
    if (!consts) continue;
    TensorId x = bn.inputs[0];
    int pi = producer(g, x);
    if (pi < 0 || use_count(g, x) != 1 || is_output(g, x)) continue;
    Node& p = g.nodes[static_cast<size_t>(pi)];
    if (p.op != "Conv" && p.op != "Gemm") continue;
    if (!g.tensor(p.inputs[1]).is_constant()) continue;
    bool has_bias = p.inputs.size() > 2 && p.inputs[2] >= 0;
    if (has_bias && !g.tensor(p.inputs[2]).is_constant()) continue;

    const Array& gamma = *g.tensor(bn.inputs[1]).value;
    const Array& beta = *g.tensor(bn.inputs[2]).value;
    const Array& mean = *g.tensor(bn.inputs[3]).value;
    const Array& var = *g.tensor(bn.inputs[4]).value;
    const double eps = bn.attr_float("epsilon", 1e-5);
    const int64_t C = gamma.numel();
    std::vector<double> scale(static_cast<size_t>(C));
    for (int64_t c = 0; c < C; ++c) scale[static_cast<size_t>(c)] = gamma[c] / std::sqrt(var[c] + eps);

    Array w = *g.tensor(p.inputs[1]).value;
    std::vector<double> bias(static_cast<size_t>(C), 0.0);
    if (p.op == "Conv") {
      if (w.dim(0) != C) continue;
      int64_t per = w.numel() / C;
      for (int64_t c = 0; c < C; ++c)
        for (int64_t k = 0; k < per; ++k) w[c * per + k] *= scale[static_cast<size_t>(c)];
      if (has_bias) {
        const Array& b = *g.tensor(p.inputs[2]).value;
        for (int64_t c = 0; c < C; ++c) bias[static_cast<size_t>(c)] = b[c];
      }
    } else {  // Gemm: output columns are the BN channels
      bool tb = p.attr_int("transB", 0) != 0;
      int64_t ncols = tb ? w.dim(0) : w.dim(1);
      if (ncols != C) continue;
      double gbeta = p.attr_float("beta", 1.0);
      if (has_bias) {
        const Array& b = *g.tensor(p.inputs[2]).value;
        // Only a per-column C ([N], [1,N] or scalar) folds; a full [M,N] C does not.
        if (b.numel() == 1) {
          for (auto& v : bias) v = gbeta * b[0];
        } else if (b.numel() == C && (b.rank() == 1 || b.dim(0) == 1)) {
          for (int64_t c = 0; c < C; ++c) bias[static_cast<size_t>(c)] = gbeta * b[c];
        } else {
          continue;
        }
      }
      int64_t K = tb ? w.dim(1) : w.dim(0);
      for (int64_t c = 0; c < C; ++c)
        for (int64_t k = 0; k < K; ++k) (tb ? w[c * K + k] : w[k * C + c]) *= scale[static_cast<size_t>(c)];
      p.attrs["beta"] = 1.0;
    }
    for (int64_t c = 0; c < C; ++c) {
      auto u = static_cast<size_t>(c);
      bias[u] = (bias[u] - mean[c]) * scale[u] + beta[c];
    }
    TensorId wid = g.add_constant(fresh_name(g, g.tensor(p.inputs[1]).name + "_bnfold"), std::move(w));
    TensorId bid = g.add_constant(fresh_name(g, p.name + "_bias_bnfold"), Array({C}, std::move(bias)));
    Node& pp = g.nodes[static_cast<size_t>(pi)];  // add_constant may not move nodes, but be explicit
    pp.inputs[1] = wid;
    if (pp.inputs.size() > 2)
      pp.inputs[2] = bid;
    else
      pp.inputs.push_back(bid);
    pp.outputs[0] = g.nodes[i].outputs[0];
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    --i;
    ++changed;
  }
  return changed;
}

int fold_constants(Graph& g) {
  int changed = 0;
  for (size_t i = 0; i < g.nodes.size();) {
    Node& n = g.nodes[i];
    bool all_const = !n.inputs.empty();
    for (TensorId id : n.inputs) all_const = all_const && (id < 0 || g.tensor(id).is_constant());
    bool outputs_free = true;
    for (TensorId id : n.outputs) outputs_free = outputs_free && (id < 0 || !is_output(g, id));
    if (!all_const || !outputs_free) {
      ++i;
      continue;
    }
    const OpDef* def = find_op(n.op);
    std::vector<const Array*> in;
    std::vector<Shape> shapes;
    for (TensorId id : n.inputs) {
      in.push_back(id >= 0 ? &*g.tensor(id).value : nullptr);
      shapes.push_back(id >= 0 ? g.tensor(id).value->shape : Shape{});
    }
    std::vector<Shape> out_shapes = def->infer(g, n, shapes, in);
    std::vector<Array> out;
    for (size_t k = 0; k < n.outputs.size(); ++k) out.emplace_back(k < out_shapes.size() ? out_shapes[k] : Shape{});
    def->run(g, n, in, out);
    for (size_t k = 0; k < n.outputs.size(); ++k)
      if (n.outputs[k] >= 0) {
        Tensor& t = g.tensor(n.outputs[k]);
        t.shape = out[k].shape;
        t.shape_known = true;
        t.value = std::move(out[k]);
      }
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    ++changed;
  }
  return changed;
}

std::vector<PassStats> simplify(Graph& g) {
  std::vector<PassStats> stats{{"remove-identities", 0}, {"fold-constants", 0}, {"fold-batchnorm", 0}};
  for (;;) {
    int a = remove_identities(g);
    int b = fold_constants(g);
    int c = fold_batchnorm(g);
    stats[0].changed += a;
    stats[1].changed += b;
    stats[2].changed += c;
    if (a + b + c == 0) break;
  }
  g.prune_unused_tensors();
  verify(g);
  return stats;
}

}  // namespace holo::graph
