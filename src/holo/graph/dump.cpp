#include "holo/graph/dump.h"

#include <fmt/format.h>

#include <cmath>

#include "holo/graph/ops.h"

namespace holo::graph {
namespace {

std::string attr_str(const AttrValue& v) {
  struct V {
    std::string operator()(int64_t x) const { return std::to_string(x); }
    std::string operator()(double x) const { return fmt::format("{:.17g}", x); }
    std::string operator()(const std::string& x) const { return "\"" + x + "\""; }
    std::string operator()(const std::vector<int64_t>& x) const { return fmt::format("[{}]", fmt::join(x, ",")); }
    std::string operator()(const std::vector<double>& x) const {
      std::string s = "[";
      for (size_t i = 0; i < x.size(); ++i) s += (i ? "," : "") + fmt::format("{:.17g}", x[i]);
      return s + "]";
    }
  };
  return std::visit(V{}, v);
}

std::string tensor_ref(const Graph& g, TensorId id) {
  if (id < 0) return "_";
  const Tensor& t = g.tensor(id);
  return fmt::format("%{}{}", t.name, t.shape_known ? ":" + shape_str(t.shape) : "");
}

}  // namespace

std::string dump(const Graph& g) {
  std::string s = fmt::format("graph \"{}\" opset {}\n", g.name, g.opset);
  for (TensorId id : g.inputs) s += fmt::format("  input {}\n", tensor_ref(g, id));
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const Tensor& t = g.tensors[i];
    if (!t.value) continue;
    double sum = 0, asum = 0;
    for (double v : t.value->data) sum += v, asum += std::fabs(v);
    s += fmt::format("  const %{}:{} sum={:.9g} abssum={:.9g}\n", t.name, shape_str(t.shape), sum, asum);
  }
  for (const Node& n : g.nodes) {
    std::vector<std::string> outs, ins, attrs;
    for (TensorId id : n.outputs) outs.push_back(tensor_ref(g, id));
    for (TensorId id : n.inputs) ins.push_back(tensor_ref(g, id));
    for (auto& [k, v] : n.attrs) attrs.push_back(k + "=" + attr_str(v));
    s += fmt::format("  {} = {}({}){} # {}\n", fmt::join(outs, ", "), n.op, fmt::join(ins, ", "),
                     attrs.empty() ? "" : " {" + fmt::format("{}", fmt::join(attrs, ", ")) + "}", n.name);
  }
  for (TensorId id : g.outputs) s += fmt::format("  output {}\n", tensor_ref(g, id));
  return s;
}

std::vector<LayerStats> layer_stats(const Graph& g) {
  std::vector<LayerStats> out;
  for (const Node& n : g.nodes) {
    LayerStats st;
    st.node = n.name;
    st.op = n.op;
    for (TensorId id : n.inputs) {
      st.input_shapes.push_back(id >= 0 ? g.tensor(id).shape : Shape{});
      if (id >= 0 && g.tensor(id).is_constant()) st.params += g.tensor(id).value->numel();
    }
    for (TensorId id : n.outputs) st.output_shapes.push_back(id >= 0 ? g.tensor(id).shape : Shape{});
    const OpDef* def = find_op(n.op);
    st.macs = def ? def->macs(n, st.input_shapes, st.output_shapes) : 0;
    out.push_back(std::move(st));
  }
  return out;
}

}  // namespace holo::graph
