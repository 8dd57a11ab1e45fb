// ONNX reader: protobuf (Debian's libonnx classes) -> GraphBuilder -> verified graph::Graph.
// Every size is checked before anything is allocated for it; weights are converted one tensor at a time
// and the protobuf copy of each is released right after, so peak memory stays near the float64 weights.
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <onnx/onnx_pb.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <unordered_set>

#include "holo/frontend/builder.h"
#include "holo/frontend/load.h"
#include "holo/graph/ops.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"

static_assert(std::endian::native == std::endian::little, "ONNX raw_data is little-endian; so must the host be");

namespace holo::frontend {
namespace {

using detail::GraphBuilder;

struct Ctx {
  std::string what;      // the model, for messages
  std::string base_dir;  // folder for external data; empty: external data not allowed
};

std::string dtype_name(int t) {
  switch (t) {
    case onnx::TensorProto_DataType_UNDEFINED:
      return "UNDEFINED";
    case onnx::TensorProto_DataType_FLOAT:
      return "FLOAT";
    case onnx::TensorProto_DataType_UINT8:
      return "UINT8";
    case onnx::TensorProto_DataType_INT8:
      return "INT8";
    case onnx::TensorProto_DataType_UINT16:
      return "UINT16";
    case onnx::TensorProto_DataType_INT16:
      return "INT16";
    case onnx::TensorProto_DataType_INT32:
      return "INT32";
    case onnx::TensorProto_DataType_INT64:
      return "INT64";
    case onnx::TensorProto_DataType_STRING:
      return "STRING";
    case onnx::TensorProto_DataType_BOOL:
      return "BOOL";
    case onnx::TensorProto_DataType_FLOAT16:
      return "FLOAT16";
    case onnx::TensorProto_DataType_DOUBLE:
      return "DOUBLE";
    case onnx::TensorProto_DataType_UINT32:
      return "UINT32";
    case onnx::TensorProto_DataType_UINT64:
      return "UINT64";
    case onnx::TensorProto_DataType_COMPLEX64:
      return "COMPLEX64";
    case onnx::TensorProto_DataType_COMPLEX128:
      return "COMPLEX128";
    case onnx::TensorProto_DataType_BFLOAT16:
      return "BFLOAT16";
    default:
      return fmt::format("type #{}", t);
  }
}

// Bytes per element for the supported tensor types, 0 for the others.
size_t element_size(int t) {
  switch (t) {
    case onnx::TensorProto_DataType_FLOAT:
      return 4;
    case onnx::TensorProto_DataType_DOUBLE:
      return 8;
    case onnx::TensorProto_DataType_INT64:
      return 8;
    case onnx::TensorProto_DataType_INT32:
      return 4;
    case onnx::TensorProto_DataType_FLOAT16:
      return 2;
    case onnx::TensorProto_DataType_BFLOAT16:
      return 2;
    case onnx::TensorProto_DataType_INT16:
      return 2;
    case onnx::TensorProto_DataType_UINT16:
      return 2;
    case onnx::TensorProto_DataType_INT8:
      return 1;
    case onnx::TensorProto_DataType_UINT8:
      return 1;
    case onnx::TensorProto_DataType_BOOL:
      return 1;
    default:
      return 0;
  }
}

double half_to_double(uint16_t h) {
  int sign = (h >> 15) & 1;
  int exp = (h >> 10) & 0x1f;
  int mant = h & 0x3ff;
  double v;
  if (exp == 0) {
    v = std::ldexp(static_cast<double>(mant), -24);  // subnormal: mant * 2^-14 / 2^10
  } else if (exp == 31) {
    v = mant == 0 ? INFINITY : NAN;
  } else {
    v = std::ldexp(static_cast<double>(mant | 0x400), exp - 25);
  }
  return sign ? -v : v;
}

double bfloat16_to_double(uint16_t b) {
  uint32_t bits = static_cast<uint32_t>(b) << 16;
  return static_cast<double>(std::bit_cast<float>(bits));
}

template <typename T>
T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

// Converts `n` little-endian elements of type `t` at `p`.
void convert_raw(const char* p, int64_t n, int t, std::vector<double>& out) {
  out.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    switch (t) {
      case onnx::TensorProto_DataType_FLOAT:
        v = load_le<float>(p + 4 * i);
        break;
      case onnx::TensorProto_DataType_DOUBLE:
        v = load_le<double>(p + 8 * i);
        break;
      case onnx::TensorProto_DataType_INT64:
        v = static_cast<double>(load_le<int64_t>(p + 8 * i));
        break;
      case onnx::TensorProto_DataType_INT32:
        v = load_le<int32_t>(p + 4 * i);
        break;
      case onnx::TensorProto_DataType_FLOAT16:
        v = half_to_double(load_le<uint16_t>(p + 2 * i));
        break;
      case onnx::TensorProto_DataType_BFLOAT16:
        v = bfloat16_to_double(load_le<uint16_t>(p + 2 * i));
        break;
      case onnx::TensorProto_DataType_INT16:
        v = load_le<int16_t>(p + 2 * i);
        break;
      case onnx::TensorProto_DataType_UINT16:
        v = load_le<uint16_t>(p + 2 * i);
        break;
      case onnx::TensorProto_DataType_INT8:
        v = load_le<int8_t>(p + i);
        break;
      case onnx::TensorProto_DataType_UINT8:
        v = load_le<uint8_t>(p + i);
        break;
      case onnx::TensorProto_DataType_BOOL:
        v = load_le<uint8_t>(p + i) != 0 ? 1.0 : 0.0;
        break;
      default:
        break;
    }
    out[static_cast<size_t>(i)] = v;
  }
}

template <typename Repeated>
void free_repeated(Repeated* r) {
  Repeated empty;
  r->Swap(&empty);
}

void free_string(std::string* s) {
  std::string().swap(*s);
}

// Reads [offset, offset + length) of an external-data file after checking the path and the bounds.
std::string read_external(const Ctx& ctx, const GraphBuilder& b, const onnx::TensorProto& t, const std::string& where,
                          uint64_t need) {
  std::string location;
  bool have_location = false, have_offset = false, have_length = false;
  uint64_t offset = 0, length = 0;
  for (const auto& kv : t.external_data()) {
    auto parse_u64 = [&](const std::string& s, uint64_t& out) {
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec != std::errc() || ptr != s.data() + s.size() || s.empty())
        b.fail_here("EXTERNAL-DATA", where,
                    fmt::format("external-data '{}' is '{}', expected a non-negative integer", kv.key(), s));
    };
    if (kv.key() == "location") {
      location = kv.value();
      have_location = true;
    } else if (kv.key() == "offset") {
      parse_u64(kv.value(), offset);
      have_offset = true;
    } else if (kv.key() == "length") {
      parse_u64(kv.value(), length);
      have_length = true;
    }
  }
  (void)have_offset;
  if (!have_location || location.empty())
    b.fail_here("EXTERNAL-DATA", where, "tensor is stored as external data but has no 'location'");
  if (ctx.base_dir.empty())
    b.fail_here("EXTERNAL-DATA", where,
                fmt::format("tensor is stored in external file '{}', but the model was read from memory, so "
                            "there is no folder to resolve it against",
                            location));
  std::filesystem::path rel(location);
  if (location.find('\0') != std::string::npos || rel.is_absolute())
    b.fail_here("EXTERNAL-DATA", where,
                fmt::format("external-data location '{}' must be a relative path inside the model's folder", location));
  for (const auto& part : rel)
    if (part == "..")
      b.fail_here("EXTERNAL-DATA", where,
                  fmt::format("external-data location '{}' must not leave the model's folder", location));
  std::string path = (std::filesystem::path(ctx.base_dir) / rel).string();

  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    b.fail_here("EXTERNAL-DATA", where,
                fmt::format("external-data file '{}' cannot be opened: {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    b.fail_here("EXTERNAL-DATA", where, fmt::format("external-data file '{}' is not a regular file", path));
  auto file_size = static_cast<uint64_t>(st.st_size);
  if (offset > file_size)
    b.fail_here("EXTERNAL-DATA", where,
                fmt::format("external-data offset {} is past the end of '{}' ({} bytes)", offset, path, file_size));
  if (!have_length) length = file_size - offset;
  if (length > file_size - offset)
    b.fail_here("EXTERNAL-DATA", where,
                fmt::format("external-data range [{}, {}+{}) runs past the end of '{}' ({} bytes)", offset, offset,
                            length, path, file_size));
  if (length != need)
    b.fail_here("TENSOR-SIZE", where,
                fmt::format("declared dims need {} bytes but the external data in '{}' holds {}", need, path, length));

  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    b.fail_here("EXTERNAL-DATA", where,
                fmt::format("external-data file '{}' cannot be opened: {}", path, std::strerror(errno)));
  std::string buf(static_cast<size_t>(length), '\0');
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t r = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      int e = errno;
      ::close(fd);
      b.fail_here("EXTERNAL-DATA", where,
                  fmt::format("reading external-data file '{}' failed: {}", path,
                              r == 0 ? "unexpected end" : std::strerror(e)));
    }
    got += static_cast<size_t>(r);
  }
  ::close(fd);
  return buf;
}

// Converts one TensorProto (an initializer or a Constant's value) and releases its data in the proto.
Array convert_tensor(const Ctx& ctx, const GraphBuilder& b, onnx::TensorProto& t, const std::string& where) {
  const int dt = t.data_type();
  const size_t esize = element_size(dt);
  if (esize == 0)
    b.fail_here("UNSUPPORTED-DTYPE", where,
                fmt::format("data type {} is not supported; expected a real number type (FLOAT, DOUBLE, FLOAT16, "
                            "BFLOAT16, (U)INT8/16, INT32, INT64 or BOOL)",
                            dtype_name(dt)));
  if (t.has_segment()) b.fail_here("UNSUPPORTED-DTYPE", where, "segmented tensors are not supported");

  Shape dims(t.dims().begin(), t.dims().end());
  std::string why;
  auto numel = detail::checked_numel(dims, /*allow_dynamic=*/false, &why);
  if (!numel) b.fail_here("TENSOR-DIMS", where, fmt::format("dims [{}] are absurd: {}", fmt::join(dims, ","), why));
  const int64_t n = *numel;
  const uint64_t need = static_cast<uint64_t>(n) * esize;

  // Which fields hold data: exactly one may be non-empty, and it must fit the data type.
  const bool external = t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL;
  struct Field {
    const char* name;
    int size;
  };
  const Field fields[] = {{"raw_data", t.has_raw_data() && !t.raw_data().empty() ? 1 : 0},
                          {"float_data", t.float_data_size()},
                          {"int32_data", t.int32_data_size()},
                          {"string_data", t.string_data_size()},
                          {"int64_data", t.int64_data_size()},
                          {"double_data", t.double_data_size()},
                          {"uint64_data", t.uint64_data_size()}};
  const char* used_field = nullptr;
  for (const Field& f : fields) {
    if (f.size == 0) continue;
    if (used_field || external)
      b.fail_here("TENSOR-SIZE", where,
                  fmt::format("data is given in more than one place ({} and {})",
                              external ? "external data" : used_field, f.name));
    used_field = f.name;
  }

  Array a;
  a.shape = dims;
  if (external) {
    std::string bytes = read_external(ctx, b, t, where, need);
    convert_raw(bytes.data(), n, dt, a.data);
    return a;
  }
  if (used_field == nullptr) {
    if (n != 0)
      b.fail_here("TENSOR-SIZE", where,
                  fmt::format("dims {} declare {} elements but the tensor holds no data", shape_str(dims), n));
    return a;
  }
  const std::string field = used_field;
  if (field == "raw_data") {
    if (t.raw_data().size() != need)
      b.fail_here("TENSOR-SIZE", where,
                  fmt::format("dims {} of {} need {} bytes but raw_data holds {}", shape_str(dims), dtype_name(dt),
                              need, t.raw_data().size()));
    convert_raw(t.raw_data().data(), n, dt, a.data);
    free_string(t.mutable_raw_data());
    return a;
  }

  // Typed fields: which one each data type uses (onnx.proto).
  const char* expected = nullptr;
  int64_t have = 0;
  switch (dt) {
    case onnx::TensorProto_DataType_FLOAT:
      expected = "float_data", have = t.float_data_size();
      break;
    case onnx::TensorProto_DataType_DOUBLE:
      expected = "double_data", have = t.double_data_size();
      break;
    case onnx::TensorProto_DataType_INT64:
      expected = "int64_data", have = t.int64_data_size();
      break;
    default:
      expected = "int32_data", have = t.int32_data_size();
      break;  // the 8/16/32-bit types and BOOL
  }
  if (field != expected)
    b.fail_here("TENSOR-SIZE", where,
                fmt::format("a {} tensor must hold its values in {} (or raw_data), not in {}", dtype_name(dt), expected,
                            field));
  if (have != n)
    b.fail_here("TENSOR-SIZE", where,
                fmt::format("dims {} declare {} elements but {} holds {}", shape_str(dims), n, field, have));
  a.data.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    double v = 0;
    const int k = static_cast<int>(i);
    switch (dt) {
      case onnx::TensorProto_DataType_FLOAT:
        v = t.float_data(k);
        break;
      case onnx::TensorProto_DataType_DOUBLE:
        v = t.double_data(k);
        break;
      case onnx::TensorProto_DataType_INT64:
        v = static_cast<double>(t.int64_data(k));
        break;
      case onnx::TensorProto_DataType_INT32:
        v = t.int32_data(k);
        break;
      case onnx::TensorProto_DataType_FLOAT16:
        v = half_to_double(static_cast<uint16_t>(t.int32_data(k)));
        break;
      case onnx::TensorProto_DataType_BFLOAT16:
        v = bfloat16_to_double(static_cast<uint16_t>(t.int32_data(k)));
        break;
      case onnx::TensorProto_DataType_BOOL:
        v = t.int32_data(k) != 0 ? 1.0 : 0.0;
        break;
      default:
        v = t.int32_data(k);
        break;  // (U)INT8, (U)INT16: the value itself
    }
    a[i] = v;
  }
  free_repeated(t.mutable_float_data());
  free_repeated(t.mutable_double_data());
  free_repeated(t.mutable_int64_data());
  free_repeated(t.mutable_int32_data());
  return a;
}

// Shape of a declared tensor type: dim_value, or -1 for dim_param / unknown dims. nullopt: no shape given.
std::optional<Shape> declared_shape(const GraphBuilder& b, const onnx::TypeProto& type, const std::string& where) {
  if (!type.has_tensor_type() || !type.tensor_type().has_shape()) return std::nullopt;
  const auto& shape = type.tensor_type().shape();
  if (shape.dim_size() > detail::kMaxRank)
    b.fail_here("TENSOR-DIMS", where,
                fmt::format("rank {} is more than the supported {}", shape.dim_size(), detail::kMaxRank));
  Shape s;
  s.reserve(static_cast<size_t>(shape.dim_size()));
  for (const auto& d : shape.dim()) {
    if (d.has_dim_value()) {
      if (d.dim_value() < 0) b.fail_here("TENSOR-DIMS", where, fmt::format("dimension {} is negative", d.dim_value()));
      s.push_back(d.dim_value());
    } else {
      s.push_back(-1);
    }
  }
  return s;
}

graph::AttrValue convert_attribute(const GraphBuilder& b, const onnx::AttributeProto& a, const std::string& where) {
  const std::string at = fmt::format("{} attribute '{}'", where, a.name());
  if (!a.ref_attr_name().empty())
    b.fail_here("UNSUPPORTED-ATTRIBUTE", at, "attribute references (functions) are not supported");
  auto finite = [&](double v) {
    if (!std::isfinite(v)) b.fail_here("UNSUPPORTED-ATTRIBUTE", at, fmt::format("value {} is not finite", v));
    return v;
  };
  switch (a.type()) {
    case onnx::AttributeProto_AttributeType_INT:
      return graph::AttrValue{static_cast<int64_t>(a.i())};
    case onnx::AttributeProto_AttributeType_FLOAT:
      return graph::AttrValue{finite(static_cast<double>(a.f()))};
    case onnx::AttributeProto_AttributeType_STRING:
      return graph::AttrValue{a.s()};
    case onnx::AttributeProto_AttributeType_INTS:
      return graph::AttrValue{std::vector<int64_t>(a.ints().begin(), a.ints().end())};
    case onnx::AttributeProto_AttributeType_FLOATS: {
      std::vector<double> v;
      v.reserve(static_cast<size_t>(a.floats_size()));
      for (float f : a.floats()) v.push_back(finite(static_cast<double>(f)));
      return graph::AttrValue{std::move(v)};
    }
    default: {
      const std::string tn = onnx::AttributeProto_AttributeType_Name(a.type());
      b.fail_here("UNSUPPORTED-ATTRIBUTE", at,
                  fmt::format("attributes of type {} are not supported (only INT, FLOAT, STRING, INTS, FLOATS)",
                              tn.empty() ? fmt::format("#{}", static_cast<int>(a.type())) : tn));
    }
  }
}

// A Constant node's value as an array (value, value_float(s), value_int(s)).
Array constant_value(const Ctx& ctx, const GraphBuilder& b, onnx::NodeProto& node, const std::string& where) {
  if (node.input_size() != 0) b.fail_here("INVALID", where, "a Constant node takes no inputs");
  if (node.attribute_size() != 1)
    b.fail_here("INVALID", where,
                fmt::format("a Constant node needs exactly one value attribute, it has {}", node.attribute_size()));
  onnx::AttributeProto& a = *node.mutable_attribute(0);
  const std::string& key = a.name();
  const std::string at = fmt::format("{} attribute '{}'", where, key);
  auto expect_type = [&](onnx::AttributeProto_AttributeType t) {
    if (a.type() != t)
      b.fail_here("INVALID", at,
                  fmt::format("has type {}, expected {}", onnx::AttributeProto_AttributeType_Name(a.type()),
                              onnx::AttributeProto_AttributeType_Name(t)));
  };
  if (key == "value") {
    expect_type(onnx::AttributeProto_AttributeType_TENSOR);
    return convert_tensor(ctx, b, *a.mutable_t(), at);
  }
  if (key == "value_float") {
    expect_type(onnx::AttributeProto_AttributeType_FLOAT);
    return Array(Shape{}, std::vector<double>{static_cast<double>(a.f())});
  }
  if (key == "value_int") {
    expect_type(onnx::AttributeProto_AttributeType_INT);
    return Array(Shape{}, std::vector<double>{static_cast<double>(a.i())});
  }
  if (key == "value_floats") {
    expect_type(onnx::AttributeProto_AttributeType_FLOATS);
    std::vector<double> v(a.floats().begin(), a.floats().end());
    Shape s{static_cast<int64_t>(v.size())};
    return Array(std::move(s), std::move(v));
  }
  if (key == "value_ints") {
    expect_type(onnx::AttributeProto_AttributeType_INTS);
    std::vector<double> v;
    v.reserve(static_cast<size_t>(a.ints_size()));
    for (int64_t x : a.ints()) v.push_back(static_cast<double>(x));
    Shape s{static_cast<int64_t>(v.size())};
    return Array(std::move(s), std::move(v));
  }
  if (key == "sparse_value" || key == "value_string" || key == "value_strings")
    b.fail_here("UNSUPPORTED-ATTRIBUTE", at, "only numeric dense constants are supported");
  b.fail_here("INVALID", at, "is not a Constant attribute (value, value_float(s), value_int(s))");
}

int64_t default_domain_opset(const onnx::ModelProto& model, const std::string& what) {
  int64_t opset = -1;
  for (const auto& o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      if (opset >= 0 && opset != o.version())
        fail("ONNX-UNSUPPORTED-OPSET",
             fmt::format("{}: the default domain is imported twice (opsets {} and {})", what, opset, o.version()));
      opset = o.version();
    }
  }
  if (opset < 0)
    fail("ONNX-UNSUPPORTED-OPSET", fmt::format("{}: the model imports no opset of the default ONNX domain; supported "
                                               "opsets are {} to {}",
                                               what, kMinOpset, kMaxOpset));
  if (opset < kMinOpset || opset > kMaxOpset)
    fail("ONNX-UNSUPPORTED-OPSET",
         fmt::format("{}: opset {} is not supported; supported opsets are {} to {} (re-export the model with one of "
                     "them, e.g. torch.onnx.export(..., opset_version=13))",
                     what, opset, kMinOpset, kMaxOpset));
  return opset;
}

graph::Graph convert_model(onnx::ModelProto& model, const Ctx& ctx) {
  if (!model.has_graph())
    fail("ONNX-PARSE", fmt::format("{}: not an ONNX model: the protobuf holds no graph", ctx.what));
  const int64_t opset = default_domain_opset(model, ctx.what);
  onnx::GraphProto& g = *model.mutable_graph();
  GraphBuilder b(ctx.what, "ONNX", detail::PathStyle::Onnx, opset);
  b.set_name(g.name());

  if (g.sparse_initializer_size() != 0)
    b.fail_here("UNSUPPORTED-DTYPE", fmt::format("sparse initializer '{}'", g.sparse_initializer(0).values().name()),
                "sparse initializers are not supported");

  // Graph inputs first (model order), skipping those an initializer provides: those are constants.
  std::unordered_set<std::string> init_names;
  for (const auto& t : g.initializer()) init_names.insert(t.name());
  for (const auto& in : g.input()) {
    const std::string where = fmt::format("graph input '{}'", in.name());
    if (in.name().empty()) b.fail_here("INVALID", "graph input", "has an empty name");
    if (init_names.count(in.name())) continue;
    if (!in.type().has_tensor_type()) b.fail_here("UNSUPPORTED-DTYPE", where, "is not a tensor");
    const int et = in.type().tensor_type().elem_type();
    if (et != onnx::TensorProto_DataType_FLOAT && et != onnx::TensorProto_DataType_DOUBLE &&
        et != onnx::TensorProto_DataType_FLOAT16 && et != onnx::TensorProto_DataType_BFLOAT16)
      b.fail_here("UNSUPPORTED-DTYPE", where,
                  fmt::format("element type {} is not supported; inputs must be FLOAT, DOUBLE, FLOAT16 or BFLOAT16",
                              dtype_name(et)));
    std::optional<Shape> shape = declared_shape(b, in.type(), where);
    b.add_input(in.name(), shape.value_or(Shape{}), shape.has_value(), where);
  }

  for (int i = 0; i < g.initializer_size(); ++i) {
    onnx::TensorProto& t = *g.mutable_initializer(i);
    const std::string where = fmt::format("initializer '{}' (#{})", t.name(), i);
    if (t.name().empty()) b.fail_here("INVALID", "initializer", "has an empty name");
    Array a = convert_tensor(ctx, b, t, where);
    b.add_constant(t.name(), std::move(a), where);
  }

  for (int i = 0; i < g.node_size(); ++i) {
    onnx::NodeProto& node = *g.mutable_node(i);
    const std::string where = node.name().empty() ? fmt::format("node #{} ({})", i, node.op_type())
                                                  : fmt::format("node '{}' ({})", node.name(), node.op_type());
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      b.fail_here("UNSUPPORTED-OP", where,
                  fmt::format("op '{}' of domain '{}' is not supported; only the default ONNX domain is; supported "
                              "ops: {}",
                              node.op_type(), node.domain(), graph::supported_ops_list()));
    if (node.op_type() == "Constant") {
      if (node.output_size() != 1 || node.output(0).empty())
        b.fail_here("INVALID", where, "a Constant node needs exactly one named output");
      Array a = constant_value(ctx, b, node, where);
      b.add_constant(node.output(0), std::move(a), where);
      continue;
    }
    graph::Attributes attrs;
    for (const auto& a : node.attribute()) {
      graph::AttrValue v = convert_attribute(b, a, where);
      if (!attrs.emplace(a.name(), std::move(v)).second)
        b.fail_here("INVALID", where, fmt::format("attribute '{}' is given twice", a.name()));
    }
    b.add_node(node.name(), i, node.op_type(), std::move(attrs),
               std::vector<std::string>(node.input().begin(), node.input().end()),
               std::vector<std::string>(node.output().begin(), node.output().end()), where);
  }

  for (const auto& out : g.output()) {
    const std::string where = fmt::format("graph output '{}'", out.name());
    b.add_output(out.name(), declared_shape(b, out.type(), where), where);
  }
  for (const auto& vi : g.value_info()) {
    const std::string where = fmt::format("value_info '{}'", vi.name());
    if (auto s = declared_shape(b, vi.type(), where)) b.declare_shape(vi.name(), *s, where);
  }
  return b.finish();
}

}  // namespace

namespace {

void parse_model(std::string_view bytes, const std::string& what, onnx::ModelProto& model) {
  if (bytes.empty()) fail("FILE-EMPTY", fmt::format("{}: file is empty", what));
  if (bytes.size() > static_cast<size_t>(INT_MAX))
    fail("ONNX-PARSE", fmt::format("{}: {} bytes is past protobuf's 2 GiB limit; store the weights as ONNX external "
                                   "data",
                                   what, bytes.size()));
  bool ok = false;
  try {
    ok = model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  } catch (const std::exception& e) {
    fail("ONNX-PARSE", fmt::format("{}: the protobuf parser failed: {}", what, e.what()));
  }
  if (!ok)
    fail("ONNX-PARSE",
         fmt::format("{}: not a valid ONNX protobuf (the file is truncated, corrupt or not an ONNX model)", what));
}

graph::Graph convert_guarded(onnx::ModelProto& model, const Ctx& ctx) {
  try {
    return convert_model(model, ctx);
  } catch (const holo::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    // Nothing in the conversion is expected to throw anything else; if a library call does, keep it a
    // holo::Error that names the model (an internal one: it is our bug, not the user's).
    throw holo::Error("INTERNAL", fmt::format("{}: unexpected error while reading the model: {}", ctx.what, e.what()),
                      ErrorKind::Internal);
  }
}

}  // namespace

graph::Graph load_onnx_bytes(std::string_view bytes, const std::string& what, const std::string& base_dir) {
  onnx::ModelProto model;
  parse_model(bytes, what, model);
  return convert_guarded(model, Ctx{what, base_dir});
}

graph::Graph load_onnx(const std::string& path) {
  onnx::ModelProto model;
  {
    // Parse, then drop the file bytes before converting so they never coexist with the float64 weights.
    std::string bytes = read_file(path, /*allow_empty=*/false, /*max_bytes=*/static_cast<uint64_t>(INT_MAX));
    parse_model(bytes, path, model);
  }
  std::filesystem::path p(path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : std::string(".");
  return convert_guarded(model, Ctx{path, dir});
}

}  // namespace holo::frontend
