#include "holo/graph/ops.h"

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "holo/support/error.h"

namespace holo::graph {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MapC = Eigen::Map<const RowMat>;
using MapM = Eigen::Map<RowMat>;

constexpr int64_t kDyn = -1;
using Shapes = std::vector<Shape>;
using Ins = std::vector<const Array*>;

[[noreturn]] void shape_error(const Graph& g, const Node& n, const std::string& msg) {
  fail("GRAPH-SHAPE-MISMATCH", fmt::format("{}: {}", where(g, n), msg));
}
[[noreturn]] void attr_error(const Graph& g, const Node& n, const std::string& msg) {
  fail("GRAPH-BAD-ATTRIBUTE", fmt::format("{}: {}", where(g, n), msg));
}
[[noreturn]] void unsupported(const Graph& g, const Node& n, const std::string& msg) {
  fail("GRAPH-UNSUPPORTED", fmt::format("{}: {}", where(g, n), msg));
}

bool known(int64_t d) {
  return d >= 0;
}
// Largest dimension / element count a shape may reach; beyond it inference reports an error rather
// than overflow (graphs are checked before anything is allocated).
constexpr int64_t kMaxDim = int64_t{1} << 31;
constexpr int64_t kMaxNumel = int64_t{1} << 34;

int64_t numel_or_dyn(const Shape& s, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t i = from; i < to; ++i) {
    if (!known(s[i])) return kDyn;
    if (s[i] != 0 && n > kMaxNumel / s[i]) fail("GRAPH-SHAPE-TOO-LARGE", "a tensor shape exceeds 2^34 elements");
    n *= s[i];
  }
  return n;
}

int64_t norm_axis(const Graph& g, const Node& n, int64_t axis, int64_t rank, bool allow_end = false) {
  int64_t hi = allow_end ? rank : rank - 1;
  if (axis < -rank || axis > hi)
    attr_error(g, n, fmt::format("axis {} is out of range for a rank-{} input", axis, rank));
  return axis < 0 ? axis + rank : axis;
}

// Concrete-or-dynamic broadcast of two dims (numpy rules).
int64_t bdim(const Graph& g, const Node& n, int64_t a, int64_t b) {
  if (a == b) return a;
  if (a == 1) return b;
  if (b == 1) return a;
  if (!known(a)) return b;
  if (!known(b)) return a;
  shape_error(g, n, fmt::format("dimensions {} and {} cannot be broadcast", a, b));
}

Shape broadcast(const Graph& g, const Node& n, const Shape& a, const Shape& b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    out[i] = bdim(g, n, da, db);
  }
  return out;
}

// Strides (in elements) of `s` viewed as broadcast to `out` (0 on broadcast dims).
std::vector<int64_t> bstrides(const Shape& s, const Shape& out) {
  std::vector<int64_t> st(out.size(), 0);
  int64_t acc = 1;
  for (size_t k = 0; k < s.size(); ++k) {
    size_t i = s.size() - 1 - k;
    size_t o = out.size() - 1 - k;
    st[o] = s[i] == 1 ? 0 : acc;
    acc *= s[i];
  }
  return st;
}

template <typename F>
void binary_kernel(const Array& a, const Array& b, Array& y, F f) {
  const int64_t n = y.numel();
  if (a.shape == y.shape && b.shape == y.shape) {
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]);
    return;
  }
  if (a.shape == y.shape && b.numel() == 1) {
    double bv = b[0];
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], bv);
    return;
  }
  const size_t r = y.shape.size();
  auto sa = bstrides(a.shape, y.shape), sb = bstrides(b.shape, y.shape);
  std::vector<int64_t> idx(r, 0);
  int64_t ia = 0, ib = 0;
  for (int64_t i = 0; i < n; ++i) {
    y[i] = f(a[ia], b[ib]);
    for (size_t k = r; k-- > 0;) {
      ++idx[k];
      ia += sa[k];
      ib += sb[k];
      if (idx[k] < y.shape[k]) break;
      ia -= sa[k] * idx[k];
      ib -= sb[k] * idx[k];
      idx[k] = 0;
    }
  }
}

// ---- shape helpers for op definitions ----
const Shape& in_shape(const Graph& g, const Node& n, const Shapes& s, size_t i, int64_t rank = -1) {
  if (i >= s.size()) shape_error(g, n, fmt::format("missing input {}", i));
  if (rank >= 0 && static_cast<int64_t>(s[i].size()) != rank)
    shape_error(g, n, fmt::format("input {} has shape {}, expected rank {}", i, shape_str(s[i]), rank));
  return s[i];
}

void require_eq(const Graph& g, const Node& n, int64_t a, int64_t b, const std::string& what) {
  if (known(a) && known(b) && a != b) shape_error(g, n, fmt::format("{}: {} vs {}", what, a, b));
}

// ---- OpDef builders ----
OpDef unary(std::string_view name, std::function<double(double, const Node&)> f) {
  OpDef d{name, 1, 1, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph&, const Node&, const Shapes& s, const ConstInputs&) { return Shapes{s[0]}; };
  d.run = [f](const Graph&, const Node& n, const Ins& in, std::vector<Array>& out) {
    const Array& x = *in[0];
    Array& y = out[0];
    for (int64_t i = 0; i < x.numel(); ++i) y[i] = f(x[i], n);
  };
  return d;
}

OpDef binary(std::string_view name, double (*f)(double, double)) {
  OpDef d{name, 2, 2, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    return Shapes{broadcast(g, n, s[0], s[1])};
  };
  d.run = [f](const Graph&, const Node&, const Ins& in, std::vector<Array>& out) {
    binary_kernel(*in[0], *in[1], out[0], f);
  };
  return d;
}

OpDef passthrough(std::string_view name, int max_inputs, int max_outputs) {
  OpDef d{name, 1, max_inputs, 1, max_outputs, nullptr, nullptr, nullptr};
  d.infer = [](const Graph&, const Node& n, const Shapes& s, const ConstInputs&) {
    Shapes out{s[0]};
    if (n.outputs.size() > 1) out.push_back(s[0]);  // Dropout's mask: same shape, all ones
    return out;
  };
  d.run = [](const Graph&, const Node&, const Ins& in, std::vector<Array>& out) {
    out[0].data = in[0]->data;
    if (out.size() > 1) std::fill(out[1].data.begin(), out[1].data.end(), 1.0);
  };
  return d;
}

// ---- Gemm / MatMul ----
OpDef gemm() {
  OpDef d{"Gemm", 2, 3, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    const Shape& a = in_shape(g, n, s, 0, 2);
    const Shape& b = in_shape(g, n, s, 1, 2);
    bool ta = n.attr_int("transA", 0) != 0, tb = n.attr_int("transB", 0) != 0;
    int64_t m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1];
    int64_t kb = tb ? b[1] : b[0], nn = tb ? b[0] : b[1];
    require_eq(g, n, ka, kb, "inner dimensions of A and B differ");
    Shape y{m, nn};
    if (s.size() > 2 && !s[2].empty()) {
      const Shape& c = s[2];
      if (c.size() > 2) shape_error(g, n, fmt::format("C has shape {}, expected rank <= 2", shape_str(c)));
      // C must broadcast to Y unidirectionally; with a dynamic M a [M,N] C is checked at run time.
      Shape bc = broadcast(g, n, y, c);
      if (bc != y && known(y[0]) && known(y[1]))
        shape_error(g, n, fmt::format("C of shape {} does not broadcast to {}", shape_str(c), shape_str(y)));
    }
    return Shapes{y};
  };
  d.run = [](const Graph&, const Node& n, const Ins& in, std::vector<Array>& out) {
    const Array& a = *in[0];
    const Array& b = *in[1];
    bool ta = n.attr_int("transA", 0) != 0, tb = n.attr_int("transB", 0) != 0;
    double alpha = n.attr_float("alpha", 1.0), beta = n.attr_float("beta", 1.0);
    MapC A(a.data.data(), a.dim(0), a.dim(1));
    MapC B(b.data.data(), b.dim(0), b.dim(1));
    Array& y = out[0];
    MapM Y(y.data.data(), y.dim(0), y.dim(1));
    if (ta && tb)
      Y.noalias() = A.transpose() * B.transpose();
    else if (ta)
      Y.noalias() = A.transpose() * B;
    else if (tb)
      Y.noalias() = A * B.transpose();
    else
      Y.noalias() = A * B;
    if (alpha != 1.0) Y *= alpha;
    if (in.size() > 2 && in[2] && beta != 0.0) {
      const Array& c = *in[2];
      const int64_t cols = y.dim(1);
      if (c.numel() == cols && (c.rank() == 1 || c.dim(0) == 1)) {  // per-column bias: the common case
        Eigen::Map<const Eigen::RowVectorXd> cv(c.data.data(), cols);
        Y.rowwise() += beta * cv;
      } else {
        Array tmp = y;
        binary_kernel(tmp, c, y, [beta](double p, double q) { return p + beta * q; });
      }
    }
  };
  d.macs = [](const Node&, const Shapes& in, const Shapes&) -> int64_t {
    const Shape& b = in[1];  // B is [K,N] or [N,K]: K*N multiply-accumulates per row of A (per sample)
    return std::max<int64_t>(b[0], 0) * std::max<int64_t>(b[1], 0);
  };
  return d;
}

OpDef matmul() {
  OpDef d{"MatMul", 2, 2, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    Shape a = s[0], b = s[1];
    if (a.empty() || b.empty()) shape_error(g, n, "MatMul inputs must have rank >= 1");
    bool a1 = a.size() == 1, b1 = b.size() == 1;
    if (a1) a.insert(a.begin(), 1);
    if (b1) b.push_back(1);
    require_eq(g, n, a.back(), b[b.size() - 2], "inner dimensions differ");
    Shape ba(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
    Shape y = broadcast(g, n, ba, bb);
    if (!a1) y.push_back(a[a.size() - 2]);
    if (!b1) y.push_back(b.back());
    return Shapes{y};
  };
  d.run = [](const Graph&, const Node&, const Ins& in, std::vector<Array>& out) {
    Shape a = in[0]->shape, b = in[1]->shape;
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    const int64_t m = a[a.size() - 2], k = a.back(), nn = b.back();
    Shape ba(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
    size_t r = std::max(ba.size(), bb.size());
    Shape bo(r);
    for (size_t i = 0; i < r; ++i) {
      int64_t da = i < r - ba.size() ? 1 : ba[i - (r - ba.size())];
      int64_t db = i < r - bb.size() ? 1 : bb[i - (r - bb.size())];
      bo[i] = std::max(da, db);
    }
    auto sa = bstrides(ba, bo), sb = bstrides(bb, bo);
    int64_t batches = 1;
    for (int64_t v : bo) batches *= v;
    std::vector<int64_t> idx(r, 0);
    for (int64_t t = 0; t < batches; ++t) {
      int64_t oa = 0, ob = 0;
      for (size_t i = 0; i < r; ++i) oa += sa[i] * idx[i], ob += sb[i] * idx[i];
      MapC A(in[0]->data.data() + oa * m * k, m, k);
      MapC B(in[1]->data.data() + ob * k * nn, k, nn);
      MapM Y(out[0].data.data() + t * m * nn, m, nn);
      Y.noalias() = A * B;
      for (size_t i = r; i-- > 0;) {
        if (++idx[i] < bo[i]) break;
        idx[i] = 0;
      }
    }
  };
  d.macs = [](const Node&, const Shapes& in, const Shapes& out) -> int64_t {
    const Shape& a = in[0];
    int64_t k = std::max<int64_t>(a.back(), 0);
    Shape y = out[0];
    if (!y.empty() && y.size() >= 2) y[0] = 1;  // per sample: leading (batch) dim counts once
    int64_t n = 1;
    for (int64_t v : y) n *= std::max<int64_t>(v, 1);
    return n * k;
  };
  return d;
}

// ---- Softmax / LogSoftmax ----
OpDef softmax(std::string_view name, bool log) {
  OpDef d{name, 1, 1, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    int64_t r = static_cast<int64_t>(s[0].size());
    if (r == 0) shape_error(g, n, "input must have rank >= 1");
    norm_axis(g, n, n.attr_int("axis", -1), r);
    return Shapes{s[0]};
  };
  d.run = [log](const Graph& g, const Node& n, const Ins& in, std::vector<Array>& out) {
    const Array& x = *in[0];
    int64_t r = x.rank();
    int64_t axis = norm_axis(g, n, n.attr_int("axis", -1), r);
    int64_t outer = 1, len = 1, inner = 1;
    if (n.attr_int("coerce_2d", 0)) {
      for (int64_t i = 0; i < axis; ++i) outer *= x.dim(i);
      for (int64_t i = axis; i < r; ++i) len *= x.dim(i);
    } else {
      for (int64_t i = 0; i < axis; ++i) outer *= x.dim(i);
      len = x.dim(axis);
      for (int64_t i = axis + 1; i < r; ++i) inner *= x.dim(i);
    }
    Array& y = out[0];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t in_ = 0; in_ < inner; ++in_) {
        const int64_t base = o * len * inner + in_;
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < len; ++j) mx = std::max(mx, x[base + j * inner]);
        double sum = 0;
        for (int64_t j = 0; j < len; ++j) sum += std::exp(x[base + j * inner] - mx);
        double lse = std::log(sum);
        for (int64_t j = 0; j < len; ++j) {
          double v = x[base + j * inner] - mx;
          y[base + j * inner] = log ? v - lse : std::exp(v) / sum;
        }
      }
  };
  return d;
}

// ---- Flatten / Reshape / Transpose / Concat ----
OpDef flatten() {
  OpDef d{"Flatten", 1, 1, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    const Shape& x = s[0];
    int64_t r = static_cast<int64_t>(x.size());
    int64_t axis = norm_axis(g, n, n.attr_int("axis", 1), r, true);
    return Shapes{
        {numel_or_dyn(x, 0, static_cast<size_t>(axis)), numel_or_dyn(x, static_cast<size_t>(axis), x.size())}};
  };
  d.run = [](const Graph&, const Node&, const Ins& in, std::vector<Array>& out) { out[0].data = in[0]->data; };
  return d;
}

OpDef reshape() {
  OpDef d{"Reshape", 2, 2, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs& c) {
    if (!c[1]) unsupported(g, n, "the target shape (input 1) must be a constant");
    const Shape& x = s[0];
    const Array& spec = *c[1];
    if (spec.rank() != 1) shape_error(g, n, "the target shape must be a 1-D tensor");
    bool allowzero = n.attr_int("allowzero", 0) != 0;
    Shape y;
    int neg = -1;
    for (int64_t i = 0; i < spec.numel(); ++i) {
      double v = spec[i];
      if (v != std::floor(v) || v < -1 || v > static_cast<double>(kMaxDim))
        shape_error(g, n, fmt::format("target shape entry {} is invalid", v));
      auto iv = static_cast<int64_t>(v);
      if (iv == 0 && !allowzero) {
        if (i >= static_cast<int64_t>(x.size()))
          shape_error(g, n, fmt::format("target shape entry {} is 0 but the input has rank {}", i, x.size()));
        iv = x[static_cast<size_t>(i)];
        y.push_back(iv);
        continue;
      }
      if (iv == -1) {
        if (neg >= 0) shape_error(g, n, "target shape has more than one -1");
        neg = static_cast<int>(y.size());
      }
      y.push_back(iv);
    }
    // Element counts: known part of input and output.
    int64_t in_known = 1, in_dyn = 0;
    for (int64_t v : x) known(v) ? (void)(in_known *= v) : (void)++in_dyn;
    int64_t out_known = 1, out_dyn = 0;
    for (size_t i = 0; i < y.size(); ++i)
      if (static_cast<int>(i) != neg) known(y[i]) ? (void)(out_known *= y[i]) : (void)++out_dyn;
    if (neg >= 0) {
      if (in_dyn == 0 && out_dyn == 0) {
        if (out_known == 0 || in_known % out_known != 0)
          shape_error(g, n, fmt::format("cannot reshape {} to {}", shape_str(x), shape_str(y)));
        y[static_cast<size_t>(neg)] = in_known / out_known;
      } else if (in_dyn == out_dyn) {
        // The dynamic dims were carried over by 0 entries; the rest must divide.
        if (out_known == 0 || in_known % out_known != 0)
          shape_error(g, n, fmt::format("cannot reshape {} to {}", shape_str(x), shape_str(y)));
        y[static_cast<size_t>(neg)] = in_known / out_known;
      } else {
        y[static_cast<size_t>(neg)] = kDyn;
      }
    } else if (in_dyn == 0 && out_dyn == 0 && in_known != out_known) {
      shape_error(g, n, fmt::format("cannot reshape {} ({} elements) to {}", shape_str(x), in_known, shape_str(y)));
    }
    return Shapes{y};
  };
  d.run = [](const Graph&, const Node&, const Ins& in, std::vector<Array>& out) { out[0].data = in[0]->data; };
  return d;
}

std::vector<int64_t> transpose_perm(const Graph& g, const Node& n, size_t rank) {
  std::vector<int64_t> perm(rank);
  for (size_t i = 0; i < rank; ++i) perm[i] = static_cast<int64_t>(rank - 1 - i);
  perm = n.attr_ints("perm", perm);
  if (perm.size() != rank) attr_error(g, n, fmt::format("perm has {} entries for a rank-{} input", perm.size(), rank));
  std::vector<char> seen(rank, 0);
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(rank) || seen[static_cast<size_t>(p)])
      attr_error(g, n, "perm is not a permutation of the input axes");
    seen[static_cast<size_t>(p)] = 1;
  }
  return perm;
}

OpDef transpose() {
  OpDef d{"Transpose", 1, 1, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    auto perm = transpose_perm(g, n, s[0].size());
    Shape y(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) y[i] = s[0][static_cast<size_t>(perm[i])];
    return Shapes{y};
  };
  d.run = [](const Graph& g, const Node& n, const Ins& in, std::vector<Array>& out) {
    const Array& x = *in[0];
    size_t r = x.shape.size();
    auto perm = transpose_perm(g, n, r);
    std::vector<int64_t> xs(r, 1);
    for (size_t i = r; i-- > 1;) xs[i - 1] = xs[i] * x.shape[i];
    std::vector<int64_t> st(r);  // input stride for each output axis
    for (size_t i = 0; i < r; ++i) st[i] = xs[static_cast<size_t>(perm[i])];
    Array& y = out[0];
    std::vector<int64_t> idx(r, 0);
    int64_t src = 0;
    for (int64_t i = 0; i < y.numel(); ++i) {
      y[i] = x[src];
      for (size_t k = r; k-- > 0;) {
        ++idx[k];
        src += st[k];
        if (idx[k] < y.shape[k]) break;
        src -= st[k] * idx[k];
        idx[k] = 0;
      }
    }
  };
  return d;
}

OpDef concat() {
  OpDef d{"Concat", 1, 1 << 20, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    if (!n.has_attr("axis")) attr_error(g, n, "Concat needs the 'axis' attribute");
    Shape y = s[0];
    int64_t axis = norm_axis(g, n, n.attr_int("axis", 0), static_cast<int64_t>(y.size()));
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i].size() != y.size())
        shape_error(g, n, fmt::format("input {} has rank {}, expected {}", i, s[i].size(), y.size()));
      for (size_t k = 0; k < y.size(); ++k) {
        if (static_cast<int64_t>(k) == axis) {
          y[k] = (known(y[k]) && known(s[i][k])) ? y[k] + s[i][k] : kDyn;
        } else {
          require_eq(g, n, y[k], s[i][k], fmt::format("input {} differs on axis {}", i, k));
          if (!known(y[k])) y[k] = s[i][k];
        }
      }
    }
    return Shapes{y};
  };
  d.run = [](const Graph& g, const Node& n, const Ins& in, std::vector<Array>& out) {
    Array& y = out[0];
    int64_t axis = norm_axis(g, n, n.attr_int("axis", 0), y.rank());
    int64_t outer = 1;
    for (int64_t i = 0; i < axis; ++i) outer *= y.dim(i);
    int64_t inner_y = 1;
    for (int64_t i = axis; i < y.rank(); ++i) inner_y *= y.dim(i);
    int64_t off = 0;
    for (const Array* x : in) {
      int64_t chunk = 1;
      for (int64_t i = axis; i < x->rank(); ++i) chunk *= x->dim(i);
      for (int64_t o = 0; o < outer; ++o)
        std::copy_n(x->data.begin() + o * chunk, chunk, y.data.begin() + o * inner_y + off);
      off += chunk;
    }
  };
  return d;
}

// ---- BatchNormalization ----
OpDef batchnorm() {
  OpDef d{"BatchNormalization", 5, 5, 1, 5, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    if (n.attr_int("training_mode", 0) != 0) unsupported(g, n, "training_mode=1 is not supported (inference only)");
    const Shape& x = s[0];
    if (x.size() < 2) shape_error(g, n, "input must have rank >= 2 (N, C, ...)");
    for (size_t i = 1; i < 5; ++i) {
      if (s[i].size() != 1) shape_error(g, n, fmt::format("input {} must be 1-D [C]", i));
      require_eq(g, n, s[i][0], x[1], fmt::format("input {} length vs channels", i));
    }
    Shapes out{x};
    for (size_t i = 1; i < n.outputs.size(); ++i) out.push_back(i <= 2 ? s[i + 2] : Shape{});
    return out;
  };
  d.run = [](const Graph&, const Node& n, const Ins& in, std::vector<Array>& out) {
    const Array& x = *in[0];
    double eps = n.attr_float("epsilon", 1e-5);
    int64_t nb = x.dim(0), c = x.dim(1), inner = x.numel() / std::max<int64_t>(nb * c, 1);
    for (int64_t ch = 0; ch < c; ++ch) {
      double scale = (*in[1])[ch] / std::sqrt((*in[4])[ch] + eps);
      double shift = (*in[2])[ch] - (*in[3])[ch] * scale;
      for (int64_t b = 0; b < nb; ++b) {
        int64_t base = (b * c + ch) * inner;
        for (int64_t i = 0; i < inner; ++i) out[0][base + i] = x[base + i] * scale + shift;
      }
    }
    if (out.size() > 1) out[1].data = in[3]->data;
    if (out.size() > 2) out[2].data = in[4]->data;
  };
  return d;
}

// ---- spatial ops (Conv, pools, Pad) ----
using Spatial = ConvGeometry;

int64_t out_dim(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pb, int64_t pe, bool ceil_mode) {
  if (!known(in)) return kDyn;
  int64_t span = in + pb + pe - d * (k - 1) - 1;
  if (span < 0) return 0;
  int64_t o = ceil_mode ? (span + s - 1) / s + 1 : span / s + 1;
  if (ceil_mode && (o - 1) * s >= in + pb) --o;  // last window must start inside the (begin-padded) input
  return o;
}

Spatial spatial_params(const Graph& g, const Node& n, const Shape& x, std::vector<int64_t> kernel) {
  if (x.size() != 4)
    unsupported(g, n, fmt::format("only 2-D spatial inputs [N,C,H,W] are supported, got {}", shape_str(x)));
  if (kernel.size() != 2 || kernel[0] <= 0 || kernel[1] <= 0)
    attr_error(g, n, "kernel_shape must hold two positive sizes");
  auto strides = n.attr_ints("strides", {1, 1});
  auto dil = n.attr_ints("dilations", {1, 1});
  auto pads = n.attr_ints("pads", {0, 0, 0, 0});
  if (strides.size() != 2 || strides[0] <= 0 || strides[1] <= 0)
    attr_error(g, n, "strides must hold two positive values");
  if (dil.size() != 2 || dil[0] <= 0 || dil[1] <= 0) attr_error(g, n, "dilations must hold two positive values");
  if (pads.size() != 4) attr_error(g, n, "pads must hold 4 values [top, left, bottom, right]");
  for (int64_t p : pads)
    if (p < 0) attr_error(g, n, "pads must be non-negative");
  for (const auto* v : {&kernel, &strides, &dil, &pads})
    for (int64_t x : *v)
      if (x > kMaxDim) attr_error(g, n, "kernel_shape, strides, dilations and pads must be at most 2^31");
  Spatial sp{kernel[0], kernel[1], strides[0], strides[1], dil[0], dil[1], pads[0], pads[1], pads[2], pads[3]};
  std::string ap = n.attr_string("auto_pad", "NOTSET");
  if (ap == "VALID") {
    sp.pt = sp.pl = sp.pb = sp.pr = 0;
  } else if (ap == "SAME_UPPER" || ap == "SAME_LOWER") {
    auto same = [&](int64_t in, int64_t k, int64_t s, int64_t d, int64_t& b, int64_t& e) {
      if (!known(in)) shape_error(g, n, "auto_pad SAME needs known spatial sizes");
      int64_t o = (in + s - 1) / s;
      int64_t total = std::max<int64_t>(0, (o - 1) * s + d * (k - 1) + 1 - in);
      b = ap == "SAME_UPPER" ? total / 2 : total - total / 2;
      e = total - b;
    };
    same(x[2], sp.kh, sp.sh, sp.dh, sp.pt, sp.pb);
    same(x[3], sp.kw, sp.sw, sp.dw, sp.pl, sp.pr);
  } else if (ap != "NOTSET") {
    attr_error(g, n, fmt::format("auto_pad '{}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER", ap));
  }
  return sp;
}

OpDef conv() {
  OpDef d{"Conv", 2, 3, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    const Shape& x = s[0];
    const Shape& w = s[1];
    if (w.size() != 4)
      unsupported(g, n, fmt::format("only 2-D convolution is supported; weight shape {}", shape_str(w)));
    auto kernel = n.attr_ints("kernel_shape", {w[2], w[3]});
    Spatial sp = spatial_params(g, n, x, kernel);
    require_eq(g, n, kernel[0], w[2], "kernel_shape vs weight height");
    require_eq(g, n, kernel[1], w[3], "kernel_shape vs weight width");
    int64_t group = n.attr_int("group", 1);
    if (group <= 0) attr_error(g, n, "group must be positive");
    if (known(w[0]) && w[0] % group != 0) shape_error(g, n, "output channels are not divisible by group");
    if (known(x[1])) require_eq(g, n, x[1], w[1] * group, "input channels vs weight channels x group");
    if (s.size() > 2 && !s[2].empty()) {
      if (s[2].size() != 1) shape_error(g, n, "bias must be 1-D");
      require_eq(g, n, s[2][0], w[0], "bias length vs output channels");
    }
    return Shapes{{x[0], w[0], out_dim(x[2], sp.kh, sp.sh, sp.dh, sp.pt, sp.pb, false),
                   out_dim(x[3], sp.kw, sp.sw, sp.dw, sp.pl, sp.pr, false)}};
  };
  d.run = [](const Graph& g, const Node& n, const Ins& in, std::vector<Array>& out) {
    const Array& x = *in[0];
    const Array& w = *in[1];
    const Array* b = in.size() > 2 ? in[2] : nullptr;
    const ConvGeometry geo = conv_geometry(g, n, x.shape, w.shape);
    const int64_t group = n.attr_int("group", 1);
    const int64_t N = x.dim(0), C = x.dim(1);
    Array& y = out[0];
    const int64_t M = y.dim(1), P = geo.oh * geo.ow;
    const int64_t cg = C / group, mg = M / group, K = cg * geo.kh * geo.kw;
#pragma omp parallel for schedule(static) if (N > 1)
    for (int64_t nb = 0; nb < N; ++nb) {
      RowMat col(C * geo.kh * geo.kw, P);
      im2col(x, nb, geo, col.data());
      for (int64_t gi = 0; gi < group; ++gi) {
        // The rows of group gi's channels are contiguous in the im2col matrix.
        MapC Wm(w.data.data() + gi * mg * K, mg, K);
        MapM Ym(y.data.data() + (nb * M + gi * mg) * P, mg, P);
        Ym.noalias() = Wm * col.middleRows(gi * K, K);
        if (b)
          for (int64_t m = 0; m < mg; ++m) Ym.row(m).array() += (*b)[gi * mg + m];
      }
    }
  };
  d.macs = [](const Node& n, const Shapes& in, const Shapes& out) -> int64_t {
    const Shape& w = in[1];
    const Shape& y = out[0];
    (void)n;
    int64_t per_out = std::max<int64_t>(w[1], 0) * std::max<int64_t>(w[2], 0) * std::max<int64_t>(w[3], 0);
    return std::max<int64_t>(y[1], 0) * std::max<int64_t>(y[2], 0) * std::max<int64_t>(y[3], 0) * per_out;
  };
  return d;
}

OpDef pool(std::string_view name, bool is_max) {
  OpDef d{name, 1, 1, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [is_max](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    if (!n.has_attr("kernel_shape")) attr_error(g, n, "kernel_shape is required");
    if (n.outputs.size() > 1 && n.outputs[1] != kNoTensor)
      unsupported(g, n, "the Indices output of MaxPool is not supported");
    if (!is_max && n.has_attr("dilations")) {
      for (int64_t v : n.attr_ints("dilations", {}))
        if (v != 1) unsupported(g, n, "AveragePool dilations other than 1 are not supported");
    }
    const Shape& x = s[0];
    Spatial sp = spatial_params(g, n, x, n.attr_ints("kernel_shape", {}));
    bool cm = n.attr_int("ceil_mode", 0) != 0;
    return Shapes{{x[0], x[1], out_dim(x[2], sp.kh, sp.sh, sp.dh, sp.pt, sp.pb, cm),
                   out_dim(x[3], sp.kw, sp.sw, sp.dw, sp.pl, sp.pr, cm)}};
  };
  d.run = [is_max](const Graph& g, const Node& n, const Ins& in, std::vector<Array>& out) {
    const Array& x = *in[0];
    Spatial sp = spatial_params(g, n, x.shape, n.attr_ints("kernel_shape", {}));
    bool include_pad = n.attr_int("count_include_pad", 0) != 0;
    const int64_t NC = x.dim(0) * x.dim(1), H = x.dim(2), W = x.dim(3);
    Array& y = out[0];
    const int64_t OH = y.dim(2), OW = y.dim(3);
    for (int64_t c = 0; c < NC; ++c) {
      const double* xp = x.data.data() + c * H * W;
      double* yp = y.data.data() + c * OH * OW;
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          int64_t h0 = oh * sp.sh - sp.pt, w0 = ow * sp.sw - sp.pl;
          if (is_max) {
            double m = -std::numeric_limits<double>::infinity();
            for (int64_t i = 0; i < sp.kh; ++i) {
              int64_t ih = h0 + i * sp.dh;
              if (ih < 0 || ih >= H) continue;
              for (int64_t j = 0; j < sp.kw; ++j) {
                int64_t iw = w0 + j * sp.dw;
                if (iw >= 0 && iw < W) m = std::max(m, xp[ih * W + iw]);
              }
            }
            yp[oh * OW + ow] = m;
          } else {
            // Window clipped to the padded input, then to the real input (ONNX / onnxruntime rule).
            int64_t h1 = std::min(h0 + sp.kh, H + sp.pb), w1 = std::min(w0 + sp.kw, W + sp.pr);
            int64_t padded_count = (h1 - h0) * (w1 - w0);
            int64_t hs = std::max<int64_t>(h0, 0), ws = std::max<int64_t>(w0, 0);
            int64_t he = std::min(h1, H), we = std::min(w1, W);
            double sum = 0;
            for (int64_t ih = hs; ih < he; ++ih)
              for (int64_t iw = ws; iw < we; ++iw) sum += xp[ih * W + iw];
            int64_t cnt = include_pad ? padded_count : (he - hs) * (we - ws);
            yp[oh * OW + ow] = cnt > 0 ? sum / static_cast<double>(cnt) : 0.0;
          }
        }
    }
  };
  return d;
}

OpDef global_avg_pool() {
  OpDef d{"GlobalAveragePool", 1, 1, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs&) {
    const Shape& x = s[0];
    if (x.size() < 3) shape_error(g, n, "input must have rank >= 3 (N, C, spatial...)");
    Shape y = x;
    for (size_t i = 2; i < y.size(); ++i) y[i] = 1;
    return Shapes{y};
  };
  d.run = [](const Graph&, const Node&, const Ins& in, std::vector<Array>& out) {
    const Array& x = *in[0];
    int64_t nc = x.dim(0) * x.dim(1);
    int64_t sp = nc ? x.numel() / nc : 0;
    for (int64_t c = 0; c < nc; ++c) {
      double sum = 0;
      for (int64_t i = 0; i < sp; ++i) sum += x[c * sp + i];
      out[0][c] = sp ? sum / static_cast<double>(sp) : 0.0;
    }
  };
  return d;
}

std::vector<int64_t> pad_amounts(const Graph& g, const Node& n, const ConstInputs& c, size_t rank) {
  if (!c[1]) unsupported(g, n, "pads (input 1) must be a constant");
  const Array& p = *c[1];
  if (p.rank() != 1 || p.numel() != static_cast<int64_t>(2 * rank))
    shape_error(g, n, fmt::format("pads must be 1-D with {} values for a rank-{} input", 2 * rank, rank));
  std::vector<int64_t> v(p.data.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const double d = p.data[i];
    if (d != std::floor(d) || std::fabs(d) > static_cast<double>(kMaxDim))
      shape_error(g, n, fmt::format("pad amount {} is not an integer of magnitude <= 2^31", d));
    v[i] = static_cast<int64_t>(d);
  }
  return v;
}

OpDef pad() {
  OpDef d{"Pad", 2, 3, 1, 1, nullptr, nullptr, nullptr};
  d.infer = [](const Graph& g, const Node& n, const Shapes& s, const ConstInputs& c) {
    std::string mode = n.attr_string("mode", "constant");
    if (mode != "constant" && mode != "reflect" && mode != "edge")
      attr_error(g, n, fmt::format("mode '{}' is not one of constant, reflect, edge", mode));
    const Shape& x = s[0];
    auto p = pad_amounts(g, n, c, x.size());
    Shape y = x;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!known(x[i])) {  // a padded dynamic (batch) dimension stays dynamic; checked at run time
        continue;
      }
      y[i] = x[i] + p[i] + p[i + x.size()];
      if (y[i] < 0) shape_error(g, n, "negative pads remove more than the whole dimension");
      if (mode == "reflect" && (p[i] >= x[i] || p[i + x.size()] >= x[i]) && (p[i] > 0 || p[i + x.size()] > 0))
        shape_error(g, n, "reflect padding must be smaller than the dimension");
      if (mode == "edge" && x[i] == 0 && y[i] > 0) shape_error(g, n, "edge padding of an empty dimension");
    }
    return Shapes{y};
  };
  d.run = [](const Graph& g, const Node& n, const Ins& in, std::vector<Array>& out) {
    const Array& x = *in[0];
    size_t r = x.shape.size();
    ConstInputs c{nullptr, in[1]};
    auto p = pad_amounts(g, n, c, r);
    std::string mode = n.attr_string("mode", "constant");
    double cv = (in.size() > 2 && in[2] && in[2]->numel() > 0) ? (*in[2])[0] : 0.0;
    Array& y = out[0];
    std::vector<int64_t> xs(r, 1);
    for (size_t i = r; i-- > 1;) xs[i - 1] = xs[i] * x.shape[i];
    std::vector<int64_t> idx(r, 0);
    for (int64_t o = 0; o < y.numel(); ++o) {
      int64_t src = 0;
      bool inside = true;
      for (size_t k = 0; k < r; ++k) {
        int64_t i = idx[k] - p[k], len = x.shape[k];
        if (i < 0 || i >= len) {
          if (mode == "constant") {
            inside = false;
            break;
          } else if (mode == "edge") {
            i = i < 0 ? 0 : len - 1;
          } else {
            i = i < 0 ? -i : 2 * (len - 1) - i;
          }
        }
        src += i * xs[k];
      }
      y[o] = inside ? x[src] : cv;
      for (size_t k = r; k-- > 0;) {
        if (++idx[k] < y.shape[k]) break;
        idx[k] = 0;
      }
    }
  };
  return d;
}

double relu(double x, const Node&) {
  return x > 0 ? x : 0.0;
}
double leaky(double x, const Node& n) {
  return x >= 0 ? x : n.attr_float("alpha", 0.01) * x;
}
double sigmoid(double x, const Node&) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  double e = std::exp(x);
  return e / (1.0 + e);
}
double tanh_(double x, const Node&) {
  return std::tanh(x);
}

const std::map<std::string, OpDef, std::less<>>& table() {
  static const std::map<std::string, OpDef, std::less<>> t = [] {
    std::map<std::string, OpDef, std::less<>> m;
    auto add = [&](OpDef d) { m.emplace(std::string(d.name), std::move(d)); };
    add(gemm());
    add(matmul());
    add(binary("Add", [](double a, double b) { return a + b; }));
    add(binary("Sub", [](double a, double b) { return a - b; }));
    add(binary("Mul", [](double a, double b) { return a * b; }));
    add(binary("Div", [](double a, double b) { return a / b; }));
    add(unary("Relu", relu));
    add(unary("LeakyRelu", leaky));
    add(unary("Sigmoid", sigmoid));
    add(unary("Tanh", tanh_));
    add(softmax("Softmax", false));
    add(softmax("LogSoftmax", true));
    add(flatten());
    add(reshape());
    add(transpose());
    add(passthrough("Identity", 1, 1));
    add(passthrough("Dropout", 3, 2));
    add(batchnorm());
    add(conv());
    add(pad());
    add(pool("MaxPool", true));
    add(pool("AveragePool", false));
    add(global_avg_pool());
    add(concat());
    for (auto& [k, v] : m)
      if (!v.macs) v.macs = [](const Node&, const Shapes&, const Shapes&) -> int64_t { return 0; };
    return m;
  }();
  return t;
}

}  // namespace

ConvGeometry conv_geometry(const Graph& g, const Node& n, const Shape& x, const Shape& w) {
  ConvGeometry geo = spatial_params(g, n, x, n.attr_ints("kernel_shape", {w.at(2), w.at(3)}));
  geo.c = x[1];
  geo.h = x[2];
  geo.w = x[3];
  geo.oh = out_dim(x[2], geo.kh, geo.sh, geo.dh, geo.pt, geo.pb, false);
  geo.ow = out_dim(x[3], geo.kw, geo.sw, geo.dw, geo.pl, geo.pr, false);
  return geo;
}

void im2col(const Array& x, int64_t sample, const ConvGeometry& geo, double* col) {
  const int64_t P = geo.oh * geo.ow;
  for (int64_t c = 0; c < geo.c; ++c) {
    const double* xp = x.data.data() + (sample * geo.c + c) * geo.h * geo.w;
    for (int64_t i = 0; i < geo.kh; ++i)
      for (int64_t j = 0; j < geo.kw; ++j) {
        double* row = col + ((c * geo.kh + i) * geo.kw + j) * P;
        for (int64_t oh = 0; oh < geo.oh; ++oh) {
          const int64_t ih = oh * geo.sh - geo.pt + i * geo.dh;
          for (int64_t ow = 0; ow < geo.ow; ++ow) {
            const int64_t iw = ow * geo.sw - geo.pl + j * geo.dw;
            row[oh * geo.ow + ow] = (ih >= 0 && ih < geo.h && iw >= 0 && iw < geo.w) ? xp[ih * geo.w + iw] : 0.0;
          }
        }
      }
  }
}

const OpDef* find_op(std::string_view op) {
  auto& t = table();
  auto it = t.find(op);
  return it == t.end() ? nullptr : &it->second;
}

const std::vector<std::string>& supported_ops() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (auto& [k, _] : table()) v.push_back(k);
    v.push_back("Constant");
    std::sort(v.begin(), v.end());
    return v;
  }();
  return names;
}

std::string supported_ops_list() {
  std::string s;
  for (auto& n : supported_ops()) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace holo::graph
