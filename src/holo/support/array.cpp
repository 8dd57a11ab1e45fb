#include "holo/support/array.h"

#include <fmt/format.h>

#include "holo/support/error.h"

namespace holo {

int64_t shape_numel(const Shape& shape, int64_t max_elements) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) internal_error("shape_numel: shape " + shape_str(shape) + " has a dynamic dimension");
    if (d != 0 && n > max_elements / d)
      fail("SHAPE-TOO-LARGE", fmt::format("shape {} has more than {} elements", shape_str(shape), max_elements));
    n *= d;
  }
  return n;
}

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += shape[i] < 0 ? std::string("N") : std::to_string(shape[i]);
  }
  return s + "]";
}

Array::Array(Shape s, double fill) : shape(std::move(s)) {
  data.assign(static_cast<size_t>(shape_numel(shape)), fill);
}

Array::Array(Shape s, std::vector<double> d) : shape(std::move(s)), data(std::move(d)) {
  if (static_cast<int64_t>(data.size()) != shape_numel(shape))
    internal_error(fmt::format("Array: {} values for shape {}", data.size(), shape_str(shape)));
}

}  // namespace holo
