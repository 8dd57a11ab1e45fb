// Helpers shared by the unit tests: paths to the source tree, and a tolerance helper whose bound
// is named and justified at each call site (docs/architecture.md#conventions: tolerances that say why).
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <string>

#include "holo/support/error.h"

namespace holo::test {

inline std::string source_dir() {
  const char* s = std::getenv("HOLO_SOURCE_DIR");
  return s ? s : ".";
}
inline std::string source_path(const std::string& rel) {
  return source_dir() + "/" + rel;
}

// Scratch space for tests: the working directory, which CTest sets to the build tree.
inline std::string binary_dir() {
  return ".";
}

// The code of the holo::Error that f throws, or "no error".
inline std::string error_code(const std::function<void()>& f) {
  try {
    f();
  } catch (const holo::Error& e) {
    return e.code();
  }
  return "no error";
}

// Named tolerance policies. The bound is absolute on |a-b| scaled by max(1, |b|).
enum class Tol {
  Exact,      // 0: integer-valued or bit-identical results
  Double,     // 1e-12: double arithmetic with O(100) operations of rounding
  Float32In,  // 1e-5: results compared with a float32 producer (torch, onnxruntime)
};
inline double tol_value(Tol t) {
  switch (t) {
    case Tol::Exact:
      return 0.0;
    case Tol::Double:
      return 1e-12;
    case Tol::Float32In:
      return 1e-5;
  }
  return 0.0;
}

#define HOLO_EXPECT_CLOSE(a, b, tol)                                                                         \
  do {                                                                                                       \
    double holo_a_ = (a), holo_b_ = (b);                                                                     \
    double holo_bound_ = ::holo::test::tol_value(tol) * std::max(1.0, std::fabs(holo_b_));                   \
    EXPECT_LE(std::fabs(holo_a_ - holo_b_), holo_bound_) << #a " = " << holo_a_ << ", " #b " = " << holo_b_; \
  } while (0)

}  // namespace holo::test
