// Seeded, portable random matrices for tests and benchmarks. std::normal_distribution differs between
// standard libraries, so normals come from Box-Muller on std::mt19937_64 output (whose sequence the C++
// standard fixes); the same seed gives the same matrix everywhere libm agrees.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <random>

namespace holo::linalg {

class Rng {
 public:
  explicit Rng(uint64_t seed) : engine_(seed) {}
  double uniform();  // in [0, 1), 53 random bits
  double normal();   // standard normal (Box-Muller, both outputs used)
  uint64_t bits() { return engine_(); }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// Haar-random N x N unitary: QR of a complex Gaussian matrix with the phases of diag(R) moved into Q
// (Mezzadri 2007), so the distribution is exactly Haar.
Eigen::MatrixXcd haar_unitary(int n, Rng& rng);
inline Eigen::MatrixXcd haar_unitary(int n, uint64_t seed) {
  Rng rng(seed);
  return haar_unitary(n, rng);
}

// Haar-random real orthogonal matrix (same construction over the reals, sign fix of diag(R)).
Eigen::MatrixXd haar_orthogonal(int n, Rng& rng);

// Matrix of i.i.d. standard normals (complex: real and imaginary parts each N(0, 1/2) when `complex`).
Eigen::MatrixXcd gaussian_matrix(int rows, int cols, Rng& rng, bool complex);

}  // namespace holo::linalg
