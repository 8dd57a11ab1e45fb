#include "holo/support/npy.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>

#include "holo/support/error.h"
#include "holo/support/file_io.h"

static_assert(std::endian::native == std::endian::little, "holo's .npy I/O assumes a little-endian host");

namespace holo {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr int64_t kMaxElements = int64_t{1} << 34;

struct Header {
  NpyDtype dtype;
  Shape shape;
  size_t data_offset;
  int64_t numel;
};

[[noreturn]] void bad(const std::string& what, const std::string& msg) {
  fail("NPY-CORRUPT", fmt::format("{}: not a valid .npy file: {}", what, msg));
}

void skip_ws(std::string_view s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
}

// Finds the value text for 'key' in the header dict and returns the position just after "'key':".
size_t find_key(std::string_view dict, std::string_view key, const std::string& what) {
  std::string k1 = "'" + std::string(key) + "'";
  std::string k2 = "\"" + std::string(key) + "\"";
  size_t p = dict.find(k1);
  size_t klen = k1.size();
  if (p == std::string_view::npos) {
    p = dict.find(k2);
    klen = k2.size();
  }
  if (p == std::string_view::npos) bad(what, fmt::format("header has no '{}' key", key));
  p += klen;
  skip_ws(dict, p);
  if (p >= dict.size() || dict[p] != ':') bad(what, fmt::format("header key '{}' has no ':'", key));
  ++p;
  skip_ws(dict, p);
  return p;
}

Header parse_header(std::string_view bytes, const std::string& what) {
  if (bytes.size() < 10 || bytes.substr(0, 6) != kMagic) bad(what, "missing the \\x93NUMPY magic");
  auto major = static_cast<uint8_t>(bytes[6]);
  size_t hlen = 0, hstart = 0;
  if (major == 1) {
    hlen = static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) bad(what, "truncated header length");
    hlen = 0;
    for (int i = 3; i >= 0; --i) hlen = (hlen << 8) | static_cast<uint8_t>(bytes[8 + i]);
    hstart = 12;
  } else {
    bad(what, fmt::format("unsupported format version {}", major));
  }
  if (hlen > bytes.size() - hstart) bad(what, "header is longer than the file");
  std::string_view dict = bytes.substr(hstart, hlen);

  // descr
  size_t p = find_key(dict, "descr", what);
  if (p >= dict.size() || (dict[p] != '\'' && dict[p] != '"'))
    bad(what, "'descr' is not a string (structured dtypes are not supported)");
  char q = dict[p];
  size_t e = dict.find(q, p + 1);
  if (e == std::string_view::npos) bad(what, "unterminated 'descr'");
  std::string descr(dict.substr(p + 1, e - p - 1));
  Header h{};
  if (descr == "<f8" || descr == "=f8")
    h.dtype = NpyDtype::Float64;
  else if (descr == "<f4" || descr == "=f4")
    h.dtype = NpyDtype::Float32;
  else if (descr == "<i8" || descr == "=i8")
    h.dtype = NpyDtype::Int64;
  else if (descr == "<c16" || descr == "=c16")
    h.dtype = NpyDtype::Complex128;
  else if (descr == "<c8" || descr == "=c8")
    h.dtype = NpyDtype::Complex64;
  else
    fail("NPY-UNSUPPORTED-DTYPE",
         fmt::format("{}: dtype '{}' is not supported; expected float32 (<f4), float64 (<f8), int64 (<i8)"
                     " or, for complex matrices, complex64/complex128 (<c8/<c16), little-endian",
                     what, descr));

  // fortran_order
  p = find_key(dict, "fortran_order", what);
  if (dict.substr(p, 4) == "True")
    fail("NPY-FORTRAN-ORDER",
         fmt::format("{}: array is in Fortran order; save it C-ordered (np.ascontiguousarray)", what));
  if (dict.substr(p, 5) != "False") bad(what, "'fortran_order' is neither True nor False");

  // shape
  p = find_key(dict, "shape", what);
  if (p >= dict.size() || dict[p] != '(') bad(what, "'shape' is not a tuple");
  ++p;
  for (;;) {
    skip_ws(dict, p);
    if (p >= dict.size()) bad(what, "unterminated 'shape'");
    if (dict[p] == ')') break;
    if (dict[p] < '0' || dict[p] > '9') bad(what, "'shape' holds something other than non-negative integers");
    int64_t v = 0;
    while (p < dict.size() && dict[p] >= '0' && dict[p] <= '9') {
      if (v > (INT64_MAX - 9) / 10) bad(what, "a dimension in 'shape' is absurdly large");
      v = v * 10 + (dict[p] - '0');
      ++p;
    }
    if (p < dict.size() && dict[p] == 'L') ++p;
    h.shape.push_back(v);
    if (h.shape.size() > 32) bad(what, "'shape' has more than 32 dimensions");
    skip_ws(dict, p);
    if (p < dict.size() && dict[p] == ',') ++p;
  }
  int64_t n = 1;
  for (int64_t d : h.shape) {
    if (d != 0 && n > kMaxElements / d) bad(what, fmt::format("shape {} is absurdly large", shape_str(h.shape)));
    n *= d;
  }
  h.numel = n;
  h.data_offset = hstart + hlen;
  size_t esize = 0;
  switch (h.dtype) {
    case NpyDtype::Float32:
      esize = 4;
      break;
    case NpyDtype::Float64:
    case NpyDtype::Int64:
    case NpyDtype::Complex64:
      esize = 8;
      break;
    case NpyDtype::Complex128:
      esize = 16;
      break;
  }
  uint64_t need = static_cast<uint64_t>(n) * esize;
  uint64_t have = bytes.size() - h.data_offset;
  if (have != need)
    bad(what, fmt::format("shape {} needs {} data bytes but the file holds {}", shape_str(h.shape), need, have));
  return h;
}

template <typename T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

}  // namespace

Array parse_npy(std::string_view bytes, const std::string& what) {
  Header h = parse_header(bytes, what);
  if (h.dtype == NpyDtype::Complex64 || h.dtype == NpyDtype::Complex128)
    fail("NPY-UNSUPPORTED-DTYPE", fmt::format("{}: complex array where a real one is expected", what));
  Array a;
  a.shape = h.shape;
  a.data.resize(static_cast<size_t>(h.numel));
  const char* d = bytes.data() + h.data_offset;
  for (int64_t i = 0; i < h.numel; ++i) {
    switch (h.dtype) {
      case NpyDtype::Float32:
        a[i] = load<float>(d + 4 * i);
        break;
      case NpyDtype::Float64:
        a[i] = load<double>(d + 8 * i);
        break;
      case NpyDtype::Int64:
        a[i] = static_cast<double>(load<int64_t>(d + 8 * i));
        break;
      default:
        break;
    }
  }
  return a;
}

ComplexArray parse_npy_complex(std::string_view bytes, const std::string& what) {
  Header h = parse_header(bytes, what);
  ComplexArray a;
  a.shape = h.shape;
  a.data.resize(static_cast<size_t>(h.numel));
  const char* d = bytes.data() + h.data_offset;
  for (int64_t i = 0; i < h.numel; ++i) {
    switch (h.dtype) {
      case NpyDtype::Float32:
        a.data[i] = load<float>(d + 4 * i);
        break;
      case NpyDtype::Float64:
        a.data[i] = load<double>(d + 8 * i);
        break;
      case NpyDtype::Int64:
        a.data[i] = static_cast<double>(load<int64_t>(d + 8 * i));
        break;
      case NpyDtype::Complex64:
        a.data[i] = {load<float>(d + 8 * i), load<float>(d + 8 * i + 4)};
        break;
      case NpyDtype::Complex128:
        a.data[i] = {load<double>(d + 16 * i), load<double>(d + 16 * i + 8)};
        break;
    }
  }
  return a;
}

Array read_npy(const std::string& path) {
  return parse_npy(read_file(path), path);
}
ComplexArray read_npy_complex(const std::string& path) {
  return parse_npy_complex(read_file(path), path);
}

namespace {
std::string make_header(const char* descr, const Shape& shape) {
  std::string sh = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    sh += std::to_string(shape[i]) + (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
  sh += ")";
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr, sh);
  size_t total = 10 + dict.size() + 1;
  size_t pad = (64 - total % 64) % 64;
  dict.append(pad, ' ');
  dict.push_back('\n');
  if (dict.size() > 65535) fail("NPY-WRITE", "array has too many dimensions for a version 1.0 .npy header");
  std::string out(kMagic);
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(dict.size() & 0xff));
  out.push_back(static_cast<char>((dict.size() >> 8) & 0xff));
  return out + dict;
}
template <typename T>
void append(std::string& s, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  s.append(b, sizeof(T));
}
}  // namespace

std::string encode_npy(const Array& a, NpyDtype dtype) {
  const char* descr = "<f8";
  size_t es = 8;
  if (dtype == NpyDtype::Float32)
    descr = "<f4", es = 4;
  else if (dtype == NpyDtype::Int64)
    descr = "<i8";
  else if (dtype != NpyDtype::Float64)
    internal_error("encode_npy: complex dtype for a real array");
  std::string out = make_header(descr, a.shape);
  out.reserve(out.size() + es * a.data.size());
  for (double v : a.data) {
    if (dtype == NpyDtype::Float32)
      append(out, static_cast<float>(v));
    else if (dtype == NpyDtype::Int64)
      append(out, static_cast<int64_t>(std::llround(v)));
    else
      append(out, v);
  }
  return out;
}

std::string encode_npy(const ComplexArray& a) {
  std::string out = make_header("<c16", a.shape);
  for (auto v : a.data) {
    append(out, v.real());
    append(out, v.imag());
  }
  return out;
}

void write_npy(const std::string& path, const Array& a, NpyDtype dtype) {
  write_file_atomic(path, encode_npy(a, dtype));
}
void write_npy(const std::string& path, const ComplexArray& a) {
  write_file_atomic(path, encode_npy(a));
}

}  // namespace holo
