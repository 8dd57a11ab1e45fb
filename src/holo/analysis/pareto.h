// Multi-objective comparison of design points (docs/explore.md): Pareto dominance, non-dominated sorting and the
// distance of a point from a set of targets. Objectives are numbers with a sense (minimize or maximize); a point
// dominates another when it is no worse in every objective and better in one.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace holo::analysis {

enum class Sense { minimize, maximize };

struct Objective {
  std::string key;  // e.g. "loss_db"
  Sense sense = Sense::minimize;
};

// A target on one objective: met when the value is at most (minimize) or at least (maximize) `bound`.
struct Target {
  std::string key;
  Sense sense = Sense::minimize;
  double bound = 0;
};

// True when `a` dominates `b` over the objectives (values in the objectives' order). NaN values never dominate
// and are dominated by any finite value.
bool dominates(const std::vector<double>& a, const std::vector<double>& b, const std::vector<Objective>& obj);

// Indices of the non-dominated points, in input order. Exact duplicates are all kept.
std::vector<size_t> non_dominated(const std::vector<std::vector<double>>& points, const std::vector<Objective>& obj);

// Non-dominated sorting: rank 0 for the front, rank 1 for the front once rank 0 is removed, ... (NSGA-II's fronts).
std::vector<int> front_ranks(const std::vector<std::vector<double>>& points, const std::vector<Objective>& obj);

// How far a value misses its target, in decades: max(0, log10(value / bound)) for a minimized positive target,
// max(0, log10(bound / value)) for a maximized one; a non-positive value or bound compares linearly (difference
// over max(|bound|, 1)). 0 when met.
double target_miss(double value, const Target& t);

}  // namespace holo::analysis
