#include "holo/graph/weights.h"

namespace holo::graph {

bool weight_matrix(const Graph& g, const Node& n, int64_t& out, int64_t& in, std::vector<double>& w) {
  auto const_input = [&](size_t i) -> const Array* {
    if (i >= n.inputs.size() || n.inputs[i] < 0) return nullptr;
    const auto& t = g.tensor(n.inputs[i]);
    return t.value ? &*t.value : nullptr;
  };
  if (n.op == "Gemm") {
    const Array* b = const_input(1);
    if (!b || const_input(0)) return false;
    bool tb = n.attr_int("transB", 0) != 0;
    out = tb ? b->dim(0) : b->dim(1);
    in = tb ? b->dim(1) : b->dim(0);
    w.assign(static_cast<size_t>(out * in), 0.0);
    for (int64_t i = 0; i < out; ++i)
      for (int64_t j = 0; j < in; ++j) w[static_cast<size_t>(i * in + j)] = tb ? (*b)[i * in + j] : (*b)[j * out + i];
    return true;
  }
  if (n.op == "MatMul") {
    const Array* b = const_input(1);
    if (!b || const_input(0) || b->rank() != 2) return false;
    in = b->dim(0);
    out = b->dim(1);
    w.assign(static_cast<size_t>(out * in), 0.0);
    for (int64_t i = 0; i < out; ++i)
      for (int64_t j = 0; j < in; ++j) w[static_cast<size_t>(i * in + j)] = (*b)[j * out + i];
    return true;
  }
  if (n.op == "Conv") {
    const Array* k = const_input(1);
    if (!k || const_input(0) || k->rank() != 4) return false;
    const int64_t M = k->dim(0), cg = k->dim(1), kh = k->dim(2), kw = k->dim(3);
    const int64_t group = n.attr_int("group", 1);
    const int64_t C = cg * group, mg = M / group;
    out = M;
    in = C * kh * kw;
    w.assign(static_cast<size_t>(out * in), 0.0);
    for (int64_t m = 0; m < M; ++m) {
      int64_t gi = m / mg;
      for (int64_t c = 0; c < cg; ++c)
        for (int64_t i = 0; i < kh; ++i)
          for (int64_t j = 0; j < kw; ++j)
            w[static_cast<size_t>(m * in + ((gi * cg + c) * kh + i) * kw + j)] = (*k)[((m * cg + c) * kh + i) * kw + j];
    }
    return true;
  }
  return false;
}

}  // namespace holo::graph
