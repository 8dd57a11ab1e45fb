// .npy read/write: round trips for every supported dtype, a file written by NumPy, and corrupt input (matched by
// error code) through holo::parse_npy.
#include "holo/support/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "holo/support/error.h"
#include "test_support.h"

namespace holo::test {
namespace {

class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("holo_npy_" + std::to_string(::getpid()) + "_" + (info ? std::string(info->name()) : std::string("x")));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

template <typename F>
std::string expect_code(const std::string& code, F&& f) {
  try {
    f();
  } catch (const holo::Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected holo::Error " << code << ", got: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected holo::Error " << code << ", nothing was thrown";
  return "";
}

// Builds .npy bytes by hand: magic, version, header length, the header dict padded to 64 bytes, then `data`.
std::string make_npy(const std::string& dict, const std::string& data, int major = 1) {
  std::string header = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  uint32_t len = static_cast<uint32_t>(header.size());
  out.append(reinterpret_cast<const char*>(&len), major == 1 ? 2 : 4);
  return out + header + data;
}

template <typename T>
std::string raw(std::initializer_list<T> values) {
  std::string s;
  for (T v : values) s.append(reinterpret_cast<const char*>(&v), sizeof(T));
  return s;
}

TEST(Npy, RoundTripFloat64) {
  ScratchDir dir;
  Array a({2, 3}, {0.1, -2.5, 1e-300, 1e300, -0.0, 12345.678901234});
  write_npy(dir.file("a.npy"), a);
  Array b = read_npy(dir.file("a.npy"));
  EXPECT_EQ(b.shape, a.shape);
  EXPECT_EQ(b.data, a.data);  // float64 is stored as is: bit-exact
}

TEST(Npy, RoundTripFloat32) {
  ScratchDir dir;
  Array a({4}, {0.5, -1.25, 3.0, 0.1});
  write_npy(dir.file("a.npy"), a, NpyDtype::Float32);
  Array b = read_npy(dir.file("a.npy"));
  EXPECT_EQ(b.shape, a.shape);
  // Exactly the float32 rounding of each value (0.1 is not representable; the others are).
  for (int64_t i = 0; i < a.numel(); ++i) EXPECT_EQ(b[i], static_cast<double>(static_cast<float>(a[i])));
  EXPECT_EQ(b[0], 0.5);
}

TEST(Npy, RoundTripInt64) {
  ScratchDir dir;
  Array a({3, 1, 2}, {0, 1, -1, 1099511627776.0, -1125899906842624.0, 42});
  write_npy(dir.file("a.npy"), a, NpyDtype::Int64);
  Array b = read_npy(dir.file("a.npy"));
  EXPECT_EQ(b.shape, a.shape);
  EXPECT_EQ(b.data, a.data);  // integers below 2^53 are exact in double
}

TEST(Npy, RoundTripComplex128) {
  ScratchDir dir;
  ComplexArray a{{2, 2}, {{1, -1}, {0.5, 0.25}, {-3e-200, 4e200}, {0, 0}}};
  write_npy(dir.file("c.npy"), a);
  ComplexArray b = read_npy_complex(dir.file("c.npy"));
  EXPECT_EQ(b.shape, a.shape);
  EXPECT_EQ(b.data, a.data);
  // A real file read as complex gets zero imaginary parts.
  write_npy(dir.file("r.npy"), Array({2}, {1.5, -2}));
  ComplexArray r = read_npy_complex(dir.file("r.npy"));
  EXPECT_EQ(r.data, (std::vector<std::complex<double>>{{1.5, 0}, {-2, 0}}));
}

TEST(Npy, ScalarAndEmptyArrays) {
  ScratchDir dir;
  write_npy(dir.file("s.npy"), Array(Shape{}, std::vector<double>{7.25}));
  Array s = read_npy(dir.file("s.npy"));
  EXPECT_EQ(s.shape, Shape{});
  EXPECT_EQ(s.data, std::vector<double>{7.25});
  write_npy(dir.file("e.npy"), Array(Shape{0, 3}));
  Array e = read_npy(dir.file("e.npy"));
  EXPECT_EQ(e.shape, (Shape{0, 3}));
  EXPECT_TRUE(e.data.empty());
}

TEST(Npy, HeaderIsAlignedAsNumpyWritesIt) {
  // NumPy pads the header so the data starts at a multiple of 64 bytes.
  std::string bytes = encode_npy(Array({5, 7}, 1.0));
  ASSERT_GE(bytes.size(), 10u);
  size_t hlen = static_cast<uint8_t>(bytes[8]) | (static_cast<size_t>(static_cast<uint8_t>(bytes[9])) << 8);
  EXPECT_EQ((10 + hlen) % 64, 0u);
  EXPECT_EQ(bytes.size(), 10 + hlen + 5 * 7 * 8);
}

TEST(Npy, ReadsAFileWrittenByNumpy) {
  // tests/unit/frontend/data/mlp_w1.npy: np.save of a float32 [32, 64] array (make_fixtures.py).
  Array a = read_npy(source_path("tests/unit/frontend/data/mlp_w1.npy"));
  EXPECT_EQ(a.shape, (Shape{32, 64}));
  for (double v : a.data) EXPECT_TRUE(v >= -1 && v <= 1);  // drawn from U(-1, 1)
}

TEST(Npy, Version2Header) {
  std::string bytes = make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", raw<double>({1.5, -2}), 2);
  Array a = parse_npy(bytes, "v2.npy");
  EXPECT_EQ(a.data, (std::vector<double>{1.5, -2}));
}

// ---- corrupt input ----

TEST(NpyErrors, EmptyAndBadMagic) {
  std::string msg = expect_code("NPY-CORRUPT", [] { parse_npy("", "empty.npy"); });
  EXPECT_NE(msg.find("empty.npy"), std::string::npos) << msg;
  expect_code("NPY-CORRUPT", [] { parse_npy("\x93NUMPZ\x01\x00\x10\x00{}", "magic.npy"); });
  expect_code("NPY-CORRUPT", [] { parse_npy("PK\x03\x04 this is a zip (an .npz), not an .npy", "z.npy"); });
}

TEST(NpyErrors, Truncated) {
  std::string good = encode_npy(Array({4, 4}, 1.0));
  // Cut inside the data, inside the header and inside the preamble.
  for (size_t n : {good.size() - 1, good.size() - 8, size_t{40}, size_t{11}, size_t{9}, size_t{3}})
    expect_code("NPY-CORRUPT", [&] { parse_npy(good.substr(0, n), "cut.npy"); });
  // Extra bytes after the data are corrupt too.
  expect_code("NPY-CORRUPT", [&] { parse_npy(good + "x", "long.npy"); });
}

TEST(NpyErrors, BadHeader) {
  const std::string data = raw<double>({1, 2});
  for (const char* dict :
       {"{'fortran_order': False, 'shape': (2,), }",   // no descr
        "{'descr': '<f8', 'shape': (2,), }",           // no fortran_order
        "{'descr': '<f8', 'fortran_order': False, }",  // no shape
        "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (2,), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': [2], }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", "{'descr': '<f8"}) {  // unterminated string
    SCOPED_TRACE(dict);
    expect_code("NPY-CORRUPT", [&] { parse_npy(make_npy(dict, data), "hdr.npy"); });
  }
  // A format version that does not exist.
  expect_code("NPY-CORRUPT", [&] {
    parse_npy(make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", data, 9), "v9.npy");
  });
}

TEST(NpyErrors, UnsupportedDtype) {
  for (const char* descr : {"<i4", ">f8", "|b1", "<U3", "|O", "<f2"}) {
    SCOPED_TRACE(descr);
    std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (2,), }";
    expect_code("NPY-UNSUPPORTED-DTYPE", [&] { parse_npy(make_npy(dict, std::string(64, '\0')), "dt.npy"); });
  }
  // A complex array where a real one is expected.
  std::string c = encode_npy(ComplexArray{{1}, {{1, 2}}});
  expect_code("NPY-UNSUPPORTED-DTYPE", [&] { parse_npy(c, "complex.npy"); });
}

TEST(NpyErrors, FortranOrder) {
  std::string bytes = make_npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 1), }", raw<double>({1, 2}));
  expect_code("NPY-FORTRAN-ORDER", [&] { parse_npy(bytes, "f.npy"); });
}

TEST(NpyErrors, AbsurdShapeIsRejectedBeforeAllocating) {
  // 2^40 x 2^40 doubles: allocating would throw std::bad_alloc / std::length_error, not this code.
  std::string bytes =
      make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1099511627776, 1099511627776), }", "");
  expect_code("NPY-CORRUPT", [&] { parse_npy(bytes, "huge.npy"); });
  bytes = make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }", "");
  expect_code("NPY-CORRUPT", [&] { parse_npy(bytes, "overflow.npy"); });
}

TEST(NpyErrors, Files) {
  ScratchDir dir;
  std::string msg = expect_code("FILE-NOT-FOUND", [&] { read_npy(dir.file("missing.npy")); });
  EXPECT_NE(msg.find("missing.npy"), std::string::npos) << msg;
  expect_code("FILE-WRITE", [&] { write_npy(dir.file("no_such_dir/a.npy"), Array({1}, 1.0)); });
  // A failed write leaves no file behind.
  EXPECT_FALSE(std::filesystem::exists(dir.file("no_such_dir/a.npy")));
}

}  // namespace
}  // namespace holo::test
