// Pareto dominance, non-dominated sorting and target misses (analysis/pareto.h) on small hand-made sets, and
// non_dominated against a brute-force definition on random points.
#include "holo/analysis/pareto.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace holo::analysis {
namespace {

const std::vector<Objective> kMinMax = {{"loss_db", Sense::minimize}, {"accuracy", Sense::maximize}};

TEST(Pareto, DominanceRespectsEachObjectivesSense) {
  EXPECT_TRUE(dominates({1, 0.9}, {2, 0.9}, kMinMax));   // less loss, same accuracy
  EXPECT_TRUE(dominates({1, 0.95}, {1, 0.9}, kMinMax));  // same loss, more accuracy
  EXPECT_FALSE(dominates({1, 0.9}, {1, 0.9}, kMinMax));  // equal: neither dominates
  EXPECT_FALSE(dominates({1, 0.8}, {2, 0.9}, kMinMax));  // a trade-off
  EXPECT_FALSE(dominates({2, 0.9}, {1, 0.8}, kMinMax));
  // A missing value (NaN) is worse than any number.
  EXPECT_TRUE(dominates({5, 0.1}, {NAN, 0.1}, kMinMax));
  EXPECT_FALSE(dominates({NAN, 0.9}, {5, 0.1}, kMinMax));
}

TEST(Pareto, FrontAndRanks) {
  const std::vector<std::vector<double>> pts = {{1, 0.8}, {2, 0.9}, {3, 0.85}, {2, 0.9}, {4, 0.7}};
  EXPECT_EQ(non_dominated(pts, kMinMax), (std::vector<size_t>{0, 1, 3}));   // the duplicate stays
  EXPECT_EQ(front_ranks(pts, kMinMax), (std::vector<int>{0, 0, 1, 0, 2}));  // {4, 0.7} under {3, 0.85}
}

// non_dominated == the definition applied by brute force; every point of rank r > 0 is dominated by one of rank
// r - 1 and by none of rank >= r.
TEST(Pareto, MatchesBruteForceOnRandomPoints) {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> d(0, 6);  // few levels: many ties
  const std::vector<Objective> obj = {{"a", Sense::minimize}, {"b", Sense::maximize}, {"c", Sense::minimize}};
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::vector<double>> pts(30);
    for (auto& p : pts) p = {double(d(rng)), double(d(rng)), double(d(rng))};
    std::vector<size_t> brute;
    for (size_t i = 0; i < pts.size(); ++i) {
      bool dominated = false;
      for (size_t j = 0; j < pts.size(); ++j) {
        bool no_worse = pts[j][0] <= pts[i][0] && pts[j][1] >= pts[i][1] && pts[j][2] <= pts[i][2];
        bool better = pts[j][0] < pts[i][0] || pts[j][1] > pts[i][1] || pts[j][2] < pts[i][2];
        dominated = dominated || (no_worse && better);
      }
      if (!dominated) brute.push_back(i);
    }
    EXPECT_EQ(non_dominated(pts, obj), brute);
    const std::vector<int> rank = front_ranks(pts, obj);
    for (size_t i = 0; i < pts.size(); ++i) {
      ASSERT_GE(rank[i], 0);
      bool by_previous = rank[i] == 0;
      for (size_t j = 0; j < pts.size(); ++j) {
        if (rank[j] >= rank[i]) EXPECT_FALSE(dominates(pts[j], pts[i], obj));
        by_previous = by_previous || (rank[j] == rank[i] - 1 && dominates(pts[j], pts[i], obj));
      }
      EXPECT_TRUE(by_previous);
    }
  }
}

TEST(Pareto, TargetMissInDecades) {
  const Target loss{"loss_db", Sense::minimize, 10};
  const Target bw{"bandwidth_ghz", Sense::maximize, 10};
  EXPECT_EQ(target_miss(10, loss), 0.0);  // the bound itself meets it
  EXPECT_EQ(target_miss(3, loss), 0.0);
  EXPECT_NEAR(target_miss(100, loss), 1.0, 1e-15);
  EXPECT_NEAR(target_miss(1, bw), 1.0, 1e-15);
  EXPECT_EQ(target_miss(20, bw), 0.0);
  EXPECT_TRUE(std::isinf(target_miss(NAN, loss)));
  // A non-positive value compares linearly.
  EXPECT_NEAR(target_miss(-1, Target{"x", Sense::maximize, 1}), 2.0, 1e-15);
}

}  // namespace
}  // namespace holo::analysis
