// Every op of the reference executor against values computed by hand (in the comments).
#include <gtest/gtest.h>

#include <cmath>

#include "graph_builder.h"
#include "holo/graph/executor.h"
#include "holo/support/error.h"
#include "test_support.h"

using holo::Array;
using holo::test::GraphBuilder;
using holo::test::Tol;
namespace graph = holo::graph;

namespace {

Array run1(graph::Graph g, Array x) {
  auto out = graph::execute(g, {std::move(x)});
  return out.at(0);
}

// Results below are exact small rationals or single libm calls: Tol::Double (1e-12 relative) covers
// the rounding of a handful of double operations.
void expect_array(const Array& a, const holo::Shape& shape, const std::vector<double>& want) {
  ASSERT_EQ(a.shape, shape);
  ASSERT_EQ(a.data.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) HOLO_EXPECT_CLOSE(a.data[i], want[i], Tol::Double);
}

}  // namespace

TEST(Ops, GemmTransBAlphaBeta) {
  // A = [[1,2],[3,4]], B^T stored as [[1,0],[1,1],[0,2]] (N=3,K=2); C = [1,2,3]
  // A B = [[1,3,4],[3,7,8]]; alpha=2, beta=0.5 -> [[2.5,7,9.5],[6.5,15,17.5]]
  auto g = GraphBuilder()
               .input("a", {-1, 2})
               .constant("b", {3, 2}, {1, 0, 1, 1, 0, 2})
               .constant("c", {3}, {1, 2, 3})
               .node("Gemm", {"a", "b", "c"}, {"y"}, {{"transB", int64_t{1}}, {"alpha", 2.0}, {"beta", 0.5}})
               .output("y")
               .build();
  expect_array(run1(g, Array({2, 2}, {1, 2, 3, 4})), {2, 3}, {2.5, 7, 9.5, 6.5, 15, 17.5});
}

TEST(Ops, GemmTransANoC) {
  // A^T stored [K=2, M=2] = [[1,3],[2,4]] -> A = [[1,2],[3,4]]; B = I -> Y = A
  auto g = GraphBuilder()
               .input("a", {2, 2})
               .constant("b", {2, 2}, {1, 0, 0, 1})
               .node("Gemm", {"a", "b"}, {"y"}, {{"transA", int64_t{1}}})
               .output("y")
               .build();
  expect_array(run1(g, Array({2, 2}, {1, 3, 2, 4})), {2, 2}, {1, 2, 3, 4});
}

TEST(Ops, MatMulBatchedAndVector) {
  // x [2,1,2] @ w [2] (1-D) -> [2,1]: [1*1+2*2, 3*1+4*2] = [5, 11]
  auto g = GraphBuilder()
               .input("x", {2, 1, 2})
               .constant("w", {2}, {1, 2})
               .node("MatMul", {"x", "w"}, {"y"})
               .output("y")
               .build();
  expect_array(run1(g, Array({2, 1, 2}, {1, 2, 3, 4})), {2, 1}, {5, 11});
  // broadcast batch: x [2,1,2] @ w [2,2] -> [2,1,2]
  auto g2 = GraphBuilder()
                .input("x", {2, 1, 2})
                .constant("w", {2, 2}, {1, 1, 0, 1})
                .node("MatMul", {"x", "w"}, {"y"})
                .output("y")
                .build();
  expect_array(run1(g2, Array({2, 1, 2}, {1, 2, 3, 4})), {2, 1, 2}, {1, 3, 3, 7});
}

TEST(Ops, BroadcastArithmetic) {
  // x [2,3] op c [3]
  auto mk = [](const char* op) {
    return GraphBuilder()
        .input("x", {-1, 3})
        .constant("c", {3}, {1, 2, 4})
        .node(op, {"x", "c"}, {"y"})
        .output("y")
        .build();
  };
  Array x({2, 3}, {1, 2, 3, 4, 5, 6});
  expect_array(run1(mk("Add"), x), {2, 3}, {2, 4, 7, 5, 7, 10});
  expect_array(run1(mk("Sub"), x), {2, 3}, {0, 0, -1, 3, 3, 2});
  expect_array(run1(mk("Mul"), x), {2, 3}, {1, 4, 12, 4, 10, 24});
  expect_array(run1(mk("Div"), x), {2, 3}, {1, 1, 0.75, 4, 2.5, 1.5});
  // column broadcast: c [2,1]
  auto g = GraphBuilder()
               .input("x", {2, 3})
               .constant("c", {2, 1}, {10, 20})
               .node("Add", {"x", "c"}, {"y"})
               .output("y")
               .build();
  expect_array(run1(g, x), {2, 3}, {11, 12, 13, 24, 25, 26});
}

TEST(Ops, Activations) {
  Array x({1, 4}, {-2, -0.5, 0, 3});
  auto mk = [](const char* op, graph::Attributes a = {}) {
    return GraphBuilder().input("x", {1, 4}).node(op, {"x"}, {"y"}, a).output("y").build();
  };
  expect_array(run1(mk("Relu"), x), {1, 4}, {0, 0, 0, 3});
  expect_array(run1(mk("LeakyRelu", {{"alpha", 0.1}}), x), {1, 4}, {-0.2, -0.05, 0, 3});
  expect_array(run1(mk("LeakyRelu"), x), {1, 4}, {-0.02, -0.005, 0, 3});  // default alpha 0.01
  expect_array(run1(mk("Sigmoid"), x), {1, 4},
               {1 / (1 + std::exp(2.0)), 1 / (1 + std::exp(0.5)), 0.5, 1 / (1 + std::exp(-3.0))});
  expect_array(run1(mk("Tanh"), x), {1, 4}, {std::tanh(-2.0), std::tanh(-0.5), 0, std::tanh(3.0)});
}

TEST(Ops, SoftmaxAxisAndLegacy) {
  // softmax([0, ln 3]) = [1/4, 3/4]
  Array x({1, 2}, {0, std::log(3.0)});
  auto g = GraphBuilder().input("x", {1, 2}).node("Softmax", {"x"}, {"y"}, {{"axis", int64_t{-1}}}).output("y").build();
  expect_array(run1(g, x), {1, 2}, {0.25, 0.75});
  auto gl =
      GraphBuilder().input("x", {1, 2}).node("LogSoftmax", {"x"}, {"y"}, {{"axis", int64_t{1}}}).output("y").build();
  expect_array(run1(gl, x), {1, 2}, {std::log(0.25), std::log(0.75)});
  // [1,2,2] along axis 1 vs coerced 2-D at axis 1 (softmax over all 4 entries)
  Array z({1, 2, 2}, {0, 0, std::log(3.0), std::log(3.0)});
  auto ga =
      GraphBuilder().input("x", {1, 2, 2}).node("Softmax", {"x"}, {"y"}, {{"axis", int64_t{1}}}).output("y").build();
  expect_array(run1(ga, z), {1, 2, 2}, {0.25, 0.25, 0.75, 0.75});
  auto gc = GraphBuilder()
                .input("x", {1, 2, 2})
                .node("Softmax", {"x"}, {"y"}, {{"axis", int64_t{1}}, {"coerce_2d", int64_t{1}}})
                .output("y")
                .build();
  expect_array(run1(gc, z), {1, 2, 2}, {0.125, 0.125, 0.375, 0.375});
}

TEST(Ops, FlattenReshapeTranspose) {
  Array x({2, 3}, {1, 2, 3, 4, 5, 6});
  auto gt = GraphBuilder().input("x", {2, 3}).node("Transpose", {"x"}, {"y"}).output("y").build();
  expect_array(run1(gt, x), {3, 2}, {1, 4, 2, 5, 3, 6});
  auto gf = GraphBuilder().input("x", {2, 3}).node("Flatten", {"x"}, {"y"}, {{"axis", int64_t{0}}}).output("y").build();
  expect_array(run1(gf, x), {1, 6}, {1, 2, 3, 4, 5, 6});
  auto gr = GraphBuilder()
                .input("x", {-1, 3})
                .constant("s", {3}, {0, 3, -1})
                .node("Reshape", {"x", "s"}, {"y"})
                .output("y")
                .build();
  expect_array(run1(gr, x), {2, 3, 1}, {1, 2, 3, 4, 5, 6});
  Array t({1, 2, 3}, {1, 2, 3, 4, 5, 6});
  auto gp = GraphBuilder()
                .input("x", {1, 2, 3})
                .node("Transpose", {"x"}, {"y"}, {{"perm", std::vector<int64_t>{0, 2, 1}}})
                .output("y")
                .build();
  expect_array(run1(gp, t), {1, 3, 2}, {1, 4, 2, 5, 3, 6});
}

TEST(Ops, IdentityDropoutConcat) {
  Array x({1, 2}, {1, 2});
  auto g = GraphBuilder()
               .input("x", {1, 2})
               .constant("c", {1, 1}, {9})
               .node("Identity", {"x"}, {"a"})
               .node("Dropout", {"a"}, {"b"})
               .node("Concat", {"b", "c", "x"}, {"y"}, {{"axis", int64_t{1}}})
               .output("y")
               .build();
  expect_array(run1(g, x), {1, 5}, {1, 2, 9, 1, 2});
}

TEST(Ops, BatchNormalization) {
  // y = gamma (x - mean)/sqrt(var+eps) + beta with eps=0: channel 0: 2*(x-1)/2+0; channel 1: 1*(x-0)/1+1
  auto g = GraphBuilder()
               .input("x", {1, 2, 2})
               .constant("gamma", {2}, {2, 1})
               .constant("beta", {2}, {0, 1})
               .constant("mean", {2}, {1, 0})
               .constant("var", {2}, {4, 1})
               .node("BatchNormalization", {"x", "gamma", "beta", "mean", "var"}, {"y"}, {{"epsilon", 0.0}})
               .output("y")
               .build();
  expect_array(run1(g, Array({1, 2, 2}, {1, 3, 0, 2})), {1, 2, 2}, {0, 2, 1, 3});
}

TEST(Ops, ConvStridePadDilationGroups) {
  // 1x1x3x3 input 1..9, 2x2 kernel of ones, no pad, stride 1 -> [[12,16],[24,28]]
  Array x({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto g = GraphBuilder()
               .input("x", {-1, 1, 3, 3})
               .constant("w", {1, 1, 2, 2}, {1, 1, 1, 1})
               .constant("b", {1}, {0.5})
               .node("Conv", {"x", "w", "b"}, {"y"})
               .output("y")
               .build();
  expect_array(run1(g, x), {1, 1, 2, 2}, {12.5, 16.5, 24.5, 28.5});
  // pads 1, stride 2: windows at (-1,-1),(−1,1),(1,-1),(1,1): [1, 2+3, 4+7, 5+6+8+9] = [1,5,11,28]
  auto g2 = GraphBuilder()
                .input("x", {1, 1, 3, 3})
                .constant("w", {1, 1, 2, 2}, {1, 1, 1, 1})
                .node("Conv", {"x", "w"}, {"y"},
                      {{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"strides", std::vector<int64_t>{2, 2}}})
                .output("y")
                .build();
  expect_array(run1(g2, x), {1, 1, 2, 2}, {1, 5, 11, 28});
  // dilation 2 on a 2x2 kernel covers corners: 1+3+7+9 = 20
  auto g3 = GraphBuilder()
                .input("x", {1, 1, 3, 3})
                .constant("w", {1, 1, 2, 2}, {1, 1, 1, 1})
                .node("Conv", {"x", "w"}, {"y"}, {{"dilations", std::vector<int64_t>{2, 2}}})
                .output("y")
                .build();
  expect_array(run1(g3, x), {1, 1, 1, 1}, {20});
  // depthwise (group 2), 1x1 kernels scaling channel 0 by 2 and channel 1 by -1
  auto g4 = GraphBuilder()
                .input("x", {1, 2, 1, 2})
                .constant("w", {2, 1, 1, 1}, {2, -1})
                .node("Conv", {"x", "w"}, {"y"}, {{"group", int64_t{2}}})
                .output("y")
                .build();
  expect_array(run1(g4, Array({1, 2, 1, 2}, {1, 2, 3, 4})), {1, 2, 1, 2}, {2, 4, -3, -4});
  // auto_pad SAME_UPPER, stride 1, 2x2 kernel on 3x3: total pad 1, at the end -> output 3x3
  auto g5 = GraphBuilder()
                .input("x", {1, 1, 3, 3})
                .constant("w", {1, 1, 2, 2}, {1, 1, 1, 1})
                .node("Conv", {"x", "w"}, {"y"}, {{"auto_pad", std::string("SAME_UPPER")}})
                .output("y")
                .build();
  expect_array(run1(g5, x), {1, 1, 3, 3}, {12, 16, 9, 24, 28, 15, 15, 17, 9});
}

TEST(Ops, PadModes) {
  Array x({1, 3}, {1, 2, 3});
  auto mk = [](const char* mode) {
    return GraphBuilder()
        .input("x", {1, 3})
        .constant("p", {4}, {0, 2, 0, 1})
        .constant("v", {}, {7})
        .node("Pad", {"x", "p", "v"}, {"y"}, {{"mode", std::string(mode)}})
        .output("y")
        .build();
  };
  expect_array(run1(mk("constant"), x), {1, 6}, {7, 7, 1, 2, 3, 7});
  expect_array(run1(mk("edge"), x), {1, 6}, {1, 1, 1, 2, 3, 3});
  expect_array(run1(mk("reflect"), x), {1, 6}, {3, 2, 1, 2, 3, 2});
}

TEST(Ops, Pools) {
  Array x({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto mp = GraphBuilder()
                .input("x", {1, 1, 3, 3})
                .node("MaxPool", {"x"}, {"y"}, {{"kernel_shape", std::vector<int64_t>{2, 2}}})
                .output("y")
                .build();
  expect_array(run1(mp, x), {1, 1, 2, 2}, {5, 6, 8, 9});
  // ceil_mode with stride 2: windows start at 0 and 2 -> [[5,6],[8,9]]
  auto mpc = GraphBuilder()
                 .input("x", {1, 1, 3, 3})
                 .node("MaxPool", {"x"}, {"y"},
                       {{"kernel_shape", std::vector<int64_t>{2, 2}},
                        {"strides", std::vector<int64_t>{2, 2}},
                        {"ceil_mode", int64_t{1}}})
                 .output("y")
                 .build();
  expect_array(run1(mpc, x), {1, 1, 2, 2}, {5, 6, 8, 9});
  // AveragePool with pads 1, kernel 2, stride 2: window (-1,-1) holds only 1
  //   exclude pad -> 1/1; include pad -> 1/4
  auto ap = [](int64_t include) {
    return GraphBuilder()
        .input("x", {1, 1, 3, 3})
        .node("AveragePool", {"x"}, {"y"},
              {{"kernel_shape", std::vector<int64_t>{2, 2}},
               {"strides", std::vector<int64_t>{2, 2}},
               {"pads", std::vector<int64_t>{1, 1, 1, 1}},
               {"count_include_pad", include}})
        .output("y")
        .build();
  };
  expect_array(run1(ap(0), x), {1, 1, 2, 2}, {1, 2.5, 5.5, 7});
  expect_array(run1(ap(1), x), {1, 1, 2, 2}, {0.25, 1.25, 2.75, 7});
  auto gap = GraphBuilder().input("x", {1, 1, 3, 3}).node("GlobalAveragePool", {"x"}, {"y"}).output("y").build();
  expect_array(run1(gap, x), {1, 1, 1, 1}, {5});
}

TEST(Ops, ShapeErrorsHaveCodes) {
  EXPECT_EQ(holo::test::error_code([] {
              GraphBuilder()
                  .input("a", {2, 3})
                  .constant("b", {4, 2}, std::vector<double>(8, 1.0))
                  .node("Gemm", {"a", "b"}, {"y"})
                  .output("y")
                  .build();
            }),
            "GRAPH-SHAPE-MISMATCH");
  EXPECT_EQ(
      holo::test::error_code([] {
        GraphBuilder().input("x", {2, 3}).node("Softmax", {"x"}, {"y"}, {{"axis", int64_t{5}}}).output("y").build();
      }),
      "GRAPH-BAD-ATTRIBUTE");
  EXPECT_EQ(holo::test::error_code([] {
              GraphBuilder().input("x", {2, 3}).node("Erf", {"x"}, {"y"}).output("y").build();
            }),
            "GRAPH-UNSUPPORTED-OP");
}
