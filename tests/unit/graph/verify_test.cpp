// Verifier: dangling edges, cycles, duplicate names, non-finite weights, declared-shape mismatch, input checks.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "graph_builder.h"
#include "holo/graph/dump.h"
#include "holo/graph/executor.h"
#include "holo/support/error.h"
#include "test_support.h"

using holo::Array;
using holo::test::GraphBuilder;
namespace graph = holo::graph;

namespace {}  // namespace

TEST(Verify, Dangling) {
  EXPECT_EQ(holo::test::error_code([] {
              GraphBuilder().input("x", {1, 2}).node("Add", {"x", "ghost"}, {"y"}).output("y").build();
            }),
            "GRAPH-DANGLING");
  EXPECT_EQ(holo::test::error_code([] {
              GraphBuilder().input("x", {1, 2}).node("Relu", {"x"}, {"y"}).output("z").build();
            }),
            "GRAPH-DANGLING");
}

TEST(Verify, CycleNamesANode) {
  try {
    GraphBuilder()
        .input("x", {1, 2})
        .node("Add", {"x", "b"}, {"a"}, {}, "n1")
        .node("Relu", {"a"}, {"b"}, {}, "n2")
        .output("b")
        .build();
    FAIL() << "no error";
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.code(), "GRAPH-CYCLE");
    EXPECT_NE(std::string(e.what()).find("'n"), std::string::npos) << e.what();
  }
}

TEST(Verify, TopoSortIsStable) {
  // Nodes given out of order get sorted; independent nodes keep their order.
  auto g = GraphBuilder()
               .input("x", {1, 2})
               .node("Relu", {"b"}, {"c"}, {}, "last")
               .node("Relu", {"x"}, {"a"}, {}, "first")
               .node("Tanh", {"x"}, {"d"}, {}, "second")
               .node("Add", {"a", "d"}, {"b"}, {}, "third")
               .output("c")
               .build();
  std::vector<std::string> names;
  for (auto& n : g.nodes) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"first", "second", "third", "last"}));
}

TEST(Verify, DuplicateNodeNameAndNonFinite) {
  EXPECT_EQ(holo::test::error_code([] {
              GraphBuilder()
                  .input("x", {1, 2})
                  .node("Relu", {"x"}, {"a"}, {}, "n")
                  .node("Relu", {"a"}, {"y"}, {}, "n")
                  .output("y")
                  .build();
            }),
            "GRAPH-DUPLICATE-NODE");
  EXPECT_EQ(holo::test::error_code([] {
              GraphBuilder()
                  .input("x", {1, 2})
                  .constant("c", {2}, {1, std::numeric_limits<double>::quiet_NaN()})
                  .node("Add", {"x", "c"}, {"y"})
                  .output("y")
                  .build();
            }),
            "GRAPH-NONFINITE-WEIGHT");
}

TEST(Verify, DeclaredShapeMismatch) {
  EXPECT_EQ(holo::test::error_code([] {
              GraphBuilder b;
              b.input("x", {1, 2}).node("Relu", {"x"}, {"y"}).output("y");
              auto id = b.g.find("y");
              b.g.tensor(id).shape = {1, 3};
              b.g.tensor(id).shape_known = true;
              b.build();
            }),
            "GRAPH-SHAPE-MISMATCH");
}

TEST(Verify, InputShapeChecked) {
  auto g = GraphBuilder().input("x", {-1, 2}).node("Relu", {"x"}, {"y"}).output("y").build();
  EXPECT_NO_THROW(graph::execute(g, {Array({5, 2})}));
  EXPECT_EQ(holo::test::error_code([&] { graph::execute(g, {Array({5, 3})}); }), "GRAPH-INPUT-SHAPE");
  EXPECT_EQ(holo::test::error_code([&] { graph::execute(g, {Array({2})}); }), "GRAPH-INPUT-SHAPE");
  EXPECT_EQ(holo::test::error_code([&] { graph::execute(g, {}); }), "GRAPH-INPUT-COUNT");
}

TEST(Dump, DeterministicAndComplete) {
  auto mk = [] {
    return GraphBuilder()
        .input("x", {-1, 2})
        .constant("w", {3, 2}, {1, 2, 3, 4, 5, 6})
        .node("Gemm", {"x", "w"}, {"h"}, {{"transB", int64_t{1}}}, "fc")
        .node("Relu", {"h"}, {"y"}, {}, "act")
        .output("y")
        .build();
  };
  std::string a = graph::dump(mk()), b = graph::dump(mk());
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find("%h:[N,3] = Gemm(%x:[N,2], %w:[3,2]) {transB=1} # fc"), std::string::npos) << a;
  auto stats = graph::layer_stats(mk());
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].macs, 6);  // 2 inputs x 3 outputs per sample
  EXPECT_EQ(stats[0].params, 6);
}
