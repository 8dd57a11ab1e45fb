// NumPy .npy files (format versions 1.0, 2.0, 3.0), C order, little-endian.
// Read: float32, float64, int64 (as doubles) and, through read_npy_complex, complex64/complex128.
// Write: float64 (default), float32 or int64. Anything else is a clear NPY-* error naming the file.
#pragma once

#include <complex>
#include <string>
#include <string_view>
#include <vector>

#include "holo/support/array.h"

namespace holo {

enum class NpyDtype { Float32, Float64, Int64, Complex64, Complex128 };

struct ComplexArray {
  Shape shape;
  std::vector<std::complex<double>> data;
};

// Parses .npy bytes; `what` names the source in error messages (normally the path).
Array parse_npy(std::string_view bytes, const std::string& what);
ComplexArray parse_npy_complex(std::string_view bytes, const std::string& what);

Array read_npy(const std::string& path);
ComplexArray read_npy_complex(const std::string& path);

std::string encode_npy(const Array& a, NpyDtype dtype = NpyDtype::Float64);
std::string encode_npy(const ComplexArray& a);
void write_npy(const std::string& path, const Array& a, NpyDtype dtype = NpyDtype::Float64);
void write_npy(const std::string& path, const ComplexArray& a);

}  // namespace holo
