// holo::Array: a dense, C-ordered n-d array of doubles. The numeric currency between .npy files, graph
// constants and the reference executor (all float64 so reference results are exact to double precision).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace holo {

using Shape = std::vector<int64_t>;

// Number of elements of a fully known shape (every dim >= 0). Throws holo::Error on negative dims or
// on overflow past `max_elements`.
int64_t shape_numel(const Shape& shape, int64_t max_elements = INT64_MAX);
std::string shape_str(const Shape& shape);  // "[N,64]" style; dynamic dims (< 0) print as "N"

struct Array {
  Shape shape;
  std::vector<double> data;

  Array() = default;
  explicit Array(Shape s, double fill = 0.0);
  Array(Shape s, std::vector<double> d);

  int64_t numel() const { return static_cast<int64_t>(data.size()); }
  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t dim(int64_t i) const { return shape[static_cast<size_t>(i)]; }
  double& operator[](int64_t i) { return data[static_cast<size_t>(i)]; }
  double operator[](int64_t i) const { return data[static_cast<size_t>(i)]; }
};

}  // namespace holo
