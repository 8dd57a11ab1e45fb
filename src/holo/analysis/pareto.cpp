#include "holo/analysis/pareto.h"

#include <algorithm>
#include <cmath>

#include "holo/support/error.h"

namespace holo::analysis {
namespace {

// a better than b in objective o: -1 worse, 0 equal, +1 better. NaN is worse than any number.
int compare(double a, double b, const Objective& o) {
  const bool na = std::isnan(a), nb = std::isnan(b);
  if (na || nb) return na == nb ? 0 : (na ? -1 : 1);
  if (a == b) return 0;
  const bool a_less = a < b;
  return (o.sense == Sense::minimize) == a_less ? 1 : -1;
}

}  // namespace

bool dominates(const std::vector<double>& a, const std::vector<double>& b, const std::vector<Objective>& obj) {
  if (a.size() != obj.size() || b.size() != obj.size()) internal_error("dominates: value count != objective count");
  bool better = false;
  for (size_t i = 0; i < obj.size(); ++i) {
    const int c = compare(a[i], b[i], obj[i]);
    if (c < 0) return false;
    better = better || c > 0;
  }
  return better;
}

std::vector<size_t> non_dominated(const std::vector<std::vector<double>>& points, const std::vector<Objective>& obj) {
  std::vector<size_t> out;
  for (size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < points.size() && !dominated; ++j) dominated = j != i && dominates(points[j], points[i], obj);
    if (!dominated) out.push_back(i);
  }
  return out;
}

std::vector<int> front_ranks(const std::vector<std::vector<double>>& points, const std::vector<Objective>& obj) {
  const size_t n = points.size();
  // Deb et al.'s fast non-dominated sort: per point the count of points dominating it and the list it dominates.
  std::vector<int> rank(n, -1), count(n, 0);
  std::vector<std::vector<size_t>> beats(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      if (dominates(points[i], points[j], obj))
        beats[i].push_back(j), ++count[j];
      else if (dominates(points[j], points[i], obj))
        beats[j].push_back(i), ++count[i];
    }
  std::vector<size_t> front;
  for (size_t i = 0; i < n; ++i)
    if (count[i] == 0) front.push_back(i), rank[i] = 0;
  for (int r = 0; !front.empty(); ++r) {
    std::vector<size_t> next;
    for (size_t i : front)
      for (size_t j : beats[i])
        if (--count[j] == 0) next.push_back(j), rank[j] = r + 1;
    std::sort(next.begin(), next.end());
    front = std::move(next);
  }
  return rank;
}

double target_miss(double value, const Target& t) {
  if (std::isnan(value)) return INFINITY;
  const bool met = t.sense == Sense::minimize ? value <= t.bound : value >= t.bound;
  if (met) return 0.0;
  if (value > 0 && t.bound > 0)
    return t.sense == Sense::minimize ? std::log10(value / t.bound) : std::log10(t.bound / value);
  return std::abs(value - t.bound) / std::max(std::abs(t.bound), 1.0);
}

}  // namespace holo::analysis
