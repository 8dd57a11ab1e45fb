// Internal to holo::linalg: keeps Eigen's own OpenMP parallelism out of a scope, so results (SVD, QR) do not
// depend on the number of threads: Eigen sizes its product blocking by thread count, which changes rounding.
// Eigen reads omp_get_max_threads(), an ICV of the calling thread only; it is restored on exit.
#pragma once

#ifdef _OPENMP
#include <omp.h>
#endif

namespace holo::linalg {

class SerialEigen {
 public:
#ifdef _OPENMP
  SerialEigen() : saved_(omp_get_max_threads()) {
    omp_set_num_threads(1);
  }
  ~SerialEigen() {
    omp_set_num_threads(saved_);
  }
#else
  SerialEigen() = default;
#endif
  SerialEigen(const SerialEigen&) = delete;
  SerialEigen& operator=(const SerialEigen&) = delete;

 private:
#ifdef _OPENMP
  int saved_ = 1;
#endif
};

}  // namespace holo::linalg
