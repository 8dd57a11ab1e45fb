// Simplification passes keep outputs equal: run the executor before and after on random inputs.
#include "holo/graph/passes.h"

#include <gtest/gtest.h>

#include <random>

#include "graph_builder.h"
#include "holo/graph/executor.h"
#include "test_support.h"

using holo::Array;
using holo::test::GraphBuilder;
using holo::test::Tol;
namespace graph = holo::graph;

namespace {

std::vector<double> randv(size_t n, uint64_t seed, double lo = -1, double hi = 1) {
  std::mt19937_64 rng(seed);
  std::vector<double> v(n);
  for (auto& x : v) x = lo + (hi - lo) * static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return v;
}

void expect_same_outputs(graph::Graph before, graph::Graph after, const Array& x) {
  auto a = graph::execute(before, {x});
  auto b = graph::execute(after, {x});
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k) {
    ASSERT_EQ(a[k].shape, b[k].shape);
    // Folding reassociates a few multiplies per element: Tol::Double covers that rounding.
    for (int64_t i = 0; i < a[k].numel(); ++i) HOLO_EXPECT_CLOSE(b[k][i], a[k][i], Tol::Double);
  }
}

}  // namespace

TEST(Passes, FoldBatchNormIntoConv) {
  auto mk = [] {
    return GraphBuilder()
        .input("x", {-1, 2, 4, 4})
        .constant("w", {3, 2, 3, 3}, randv(54, 1))
        .constant("b", {3}, randv(3, 2))
        .constant("gamma", {3}, randv(3, 3, 0.5, 2))
        .constant("beta", {3}, randv(3, 4))
        .constant("mean", {3}, randv(3, 5))
        .constant("var", {3}, randv(3, 6, 0.1, 2))
        .node("Conv", {"x", "w", "b"}, {"c"}, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}})
        .node("BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, {"y"})
        .output("y")
        .build();
  };
  graph::Graph s = mk();
  auto stats = graph::simplify(s);
  EXPECT_EQ(s.nodes.size(), 1u);
  EXPECT_EQ(s.nodes[0].op, "Conv");
  EXPECT_EQ(stats[2].changed, 1);
  expect_same_outputs(mk(), s, Array({3, 2, 4, 4}, randv(96, 7)));
}

TEST(Passes, FoldBatchNormIntoGemmBothLayouts) {
  for (int64_t tb : {0, 1}) {
    auto mk = [tb] {
      return GraphBuilder()
          .input("x", {-1, 4})
          .constant("w", tb ? holo::Shape{3, 4} : holo::Shape{4, 3}, randv(12, 11))
          .constant("c", {3}, randv(3, 12))
          .constant("gamma", {3}, randv(3, 13, 0.5, 2))
          .constant("beta", {3}, randv(3, 14))
          .constant("mean", {3}, randv(3, 15))
          .constant("var", {3}, randv(3, 16, 0.1, 2))
          .node("Gemm", {"x", "w", "c"}, {"h"}, {{"transB", tb}, {"beta", 0.5}, {"alpha", 1.5}})
          .node("BatchNormalization", {"h", "gamma", "beta", "mean", "var"}, {"y"})
          .output("y")
          .build();
    };
    graph::Graph s = mk();
    graph::simplify(s);
    ASSERT_EQ(s.nodes.size(), 1u) << "transB=" << tb;
    expect_same_outputs(mk(), s, Array({5, 4}, randv(20, 17)));
  }
}

TEST(Passes, BatchNormAfterReluStays) {
  auto mk = [] {
    return GraphBuilder()
        .input("x", {-1, 2})
        .constant("gamma", {2}, {1, 2})
        .constant("beta", {2}, {0, 1})
        .constant("mean", {2}, {0.5, 0})
        .constant("var", {2}, {1, 4})
        .node("Relu", {"x"}, {"r"})
        .node("BatchNormalization", {"r", "gamma", "beta", "mean", "var"}, {"y"})
        .output("y")
        .build();
  };
  graph::Graph s = mk();
  graph::simplify(s);
  EXPECT_EQ(s.nodes.size(), 2u);
  expect_same_outputs(mk(), s, Array({3, 2}, randv(6, 3)));
}

TEST(Passes, RemoveIdentityKeepsOutputName) {
  auto mk = [] {
    return GraphBuilder()
        .input("x", {-1, 3})
        .node("Relu", {"x"}, {"a"})
        .node("Dropout", {"a"}, {"b"})
        .node("Identity", {"b"}, {"y"})
        .output("y")
        .build();
  };
  graph::Graph s = mk();
  graph::simplify(s);
  ASSERT_EQ(s.nodes.size(), 1u);
  EXPECT_EQ(s.tensor(s.outputs[0]).name, "y");
  expect_same_outputs(mk(), s, Array({2, 3}, randv(6, 9)));
}

TEST(Passes, FoldConstantSubgraph) {
  // Transpose of a weight and a constant Add chain fold away; the MatMul stays.
  auto mk = [] {
    return GraphBuilder()
        .input("x", {-1, 3})
        .constant("wt", {2, 3}, randv(6, 21))
        .constant("one", {}, {1.0})
        .node("Transpose", {"wt"}, {"w"})
        .node("Add", {"w", "one"}, {"w1"})
        .node("MatMul", {"x", "w1"}, {"y"})
        .output("y")
        .build();
  };
  graph::Graph s = mk();
  auto stats = graph::simplify(s);
  ASSERT_EQ(s.nodes.size(), 1u);
  EXPECT_EQ(s.nodes[0].op, "MatMul");
  EXPECT_EQ(stats[1].changed, 2);
  expect_same_outputs(mk(), s, Array({4, 3}, randv(12, 22)));
}
