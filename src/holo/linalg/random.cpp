#include "holo/linalg/random.h"

#include <Eigen/QR>
#include <cmath>

#include "holo/linalg/mzi.h"
#include "holo/linalg/serial_eigen.h"

namespace holo::linalg {

double Rng::uniform() {
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  const double u1 = (static_cast<double>(engine_() >> 11) + 1.0) * 0x1.0p-53;  // (0, 1]: log is finite
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  spare_ = r * std::sin(kTwoPi * u2);
  has_spare_ = true;
  return r * std::cos(kTwoPi * u2);
}

Eigen::MatrixXcd gaussian_matrix(int rows, int cols, Rng& rng, bool complex) {
  Eigen::MatrixXcd z(rows, cols);
  const double scale = complex ? std::sqrt(0.5) : 1.0;
  for (int c = 0; c < cols; ++c) {
    for (int r = 0; r < rows; ++r) {
      const double re = rng.normal() * scale;
      const double im = complex ? rng.normal() * scale : 0.0;
      z(r, c) = cdouble(re, im);
    }
  }
  return z;
}

Eigen::MatrixXcd haar_unitary(int n, Rng& rng) {
  const Eigen::MatrixXcd z = gaussian_matrix(n, n, rng, true);
  SerialEigen serial;
  Eigen::HouseholderQR<Eigen::MatrixXcd> qr(z);
  Eigen::MatrixXcd q = qr.householderQ();
  const auto& r = qr.matrixQR();
  for (int i = 0; i < n; ++i) q.col(i) *= unit_phase(r(i, i));
  return q;
}

Eigen::MatrixXd haar_orthogonal(int n, Rng& rng) {
  Eigen::MatrixXd z(n, n);
  for (int c = 0; c < n; ++c) {
    for (int r = 0; r < n; ++r) z(r, c) = rng.normal();
  }
  SerialEigen serial;
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(z);
  Eigen::MatrixXd q = qr.householderQ();
  for (int i = 0; i < n; ++i) {
    if (qr.matrixQR()(i, i) < 0.0) q.col(i) = -q.col(i);
  }
  return q;
}

}  // namespace holo::linalg
