// Reader for the holo JSON model form (docs/json-model.md): hand-written networks with weights inline
// or in .npy sidecar files. Every error names the JSON path of the offending field, e.g.
// "net.json: nodes[2].inputs[1]: tensor 'h3' is not defined ...".
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "holo/frontend/builder.h"
#include "holo/frontend/load.h"
#include "holo/graph/ops.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/json.h"
#include "holo/support/npy.h"

namespace holo::frontend {
namespace {

using detail::GraphBuilder;
using Json = nlohmann::ordered_json;

constexpr const char* kFormat = "holo-json-model";
constexpr int64_t kVersion = 1;
constexpr int64_t kDefaultOpset = 13;
constexpr uint64_t kMaxJsonBytes = uint64_t{1} << 28;  // 256 MiB: larger weights belong in .npy sidecars

std::string key_path(const std::string& parent, const std::string& key) {
  bool ident = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
  for (char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) ident = false;
  if (ident) return parent.empty() ? key : parent + "." + key;
  return fmt::format("{}[{}]", parent, Json(key).dump());
}

std::string index_path(const std::string& parent, size_t i) {
  return fmt::format("{}[{}]", parent, i);
}

const char* type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "a list";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "an integer";
    case Json::value_t::number_float:
      return "a number";
    default:
      return "something else";
  }
}

class JsonReader {
 public:
  JsonReader(GraphBuilder& b, std::string base_dir) : b_(b), base_dir_(std::move(base_dir)) {}

  void read(const Json& root) {
    if (!root.is_object()) schema("", fmt::format("the model must be a JSON object, not {}", type_name(root)));

    const Json* format = root.contains("format") ? &root["format"] : nullptr;
    if (!format || !format->is_string() || format->get<std::string>() != kFormat)
      schema("format", fmt::format("expected \"format\": \"{}\" (is this a holo JSON model?)", kFormat));
    check_keys(root, "", {"format", "version", "name", "opset", "inputs", "outputs", "constants", "nodes"});
    const Json& version = required(root, "version", "");
    if (!version.is_number_integer() || as_int(version, "version") != kVersion)
      b_.fail_here("UNSUPPORTED-VERSION", "version",
                   fmt::format("version {} is not supported; this reader reads version {}", version.dump(), kVersion));
    if (root.contains("name")) b_.set_name(string_at(root["name"], "name"));

    const Json& inputs = array_at(required(root, "inputs", ""), "inputs");
    for (size_t i = 0; i < inputs.size(); ++i) read_input(inputs[i], index_path("inputs", i));

    if (root.contains("constants")) {
      const Json& constants = root["constants"];
      if (!constants.is_object()) schema("constants", fmt::format("must be an object, not {}", type_name(constants)));
      for (const auto& [name, spec] : constants.items()) read_constant(name, spec, key_path("constants", name));
    }

    const Json& nodes = array_at(required(root, "nodes", ""), "nodes");
    for (size_t i = 0; i < nodes.size(); ++i) read_node(nodes[i], i);

    const Json& outputs = array_at(required(root, "outputs", ""), "outputs");
    for (size_t i = 0; i < outputs.size(); ++i) read_output(outputs[i], index_path("outputs", i));
  }

 private:
  [[noreturn]] void schema(const std::string& path, const std::string& msg) const { b_.fail_here("SCHEMA", path, msg); }

  void check_keys(const Json& obj, const std::string& path, std::initializer_list<const char*> allowed) const {
    for (const auto& [key, value] : obj.items()) {
      (void)value;
      if (key == "doc") continue;
      bool ok = false;
      for (const char* a : allowed) ok = ok || key == a;
      if (!ok) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        schema(key_path(path, key), fmt::format("unknown key '{}'; expected {} (or doc)", key, list));
      }
    }
  }

  const Json& required(const Json& obj, const char* key, const std::string& path) const {
    if (!obj.contains(key)) schema(key_path(path, key), fmt::format("required key '{}' is missing", key));
    return obj[key];
  }

  const Json& array_at(const Json& v, const std::string& path) const {
    if (!v.is_array()) schema(path, fmt::format("must be a list, not {}", type_name(v)));
    return v;
  }

  std::string string_at(const Json& v, const std::string& path) const {
    if (!v.is_string()) schema(path, fmt::format("must be a string, not {}", type_name(v)));
    return v.get<std::string>();
  }

  std::string name_at(const Json& v, const std::string& path) const {
    std::string s = string_at(v, path);
    if (s.empty()) schema(path, "a tensor name must not be empty");
    return s;
  }

  int64_t as_int(const Json& v, const std::string& path) const {
    if (v.is_number_unsigned()) {
      auto u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(INT64_MAX)) schema(path, fmt::format("integer {} is too large", u));
      return static_cast<int64_t>(u);
    }
    if (!v.is_number_integer()) schema(path, fmt::format("must be an integer, not {}", type_name(v)));
    return v.get<int64_t>();
  }

  // A declared shape: non-negative integers, or strings naming dynamic dims (-1 in the graph).
  Shape shape_at(const Json& v, const std::string& path, bool allow_dynamic) const {
    array_at(v, path);
    if (v.size() > static_cast<size_t>(detail::kMaxRank))
      b_.fail_here("TENSOR-DIMS", path,
                   fmt::format("rank {} is more than the supported {}", v.size(), detail::kMaxRank));
    Shape s;
    for (size_t i = 0; i < v.size(); ++i) {
      const Json& d = v[i];
      const std::string p = index_path(path, i);
      if (d.is_string() && allow_dynamic) {
        s.push_back(-1);
        continue;
      }
      if (!d.is_number_integer())
        schema(p, allow_dynamic ? "a dimension must be a non-negative integer or a string naming a dynamic dimension"
                                : "a dimension must be a non-negative integer");
      int64_t x = as_int(d, p);
      if (x < 0) schema(p, fmt::format("dimension {} is negative", x));
      s.push_back(x);
    }
    return s;
  }

  void read_input(const Json& in, const std::string& path) {
    if (!in.is_object())
      schema(path, fmt::format("an input must be an object {{\"name\", \"shape\"}}, not {}", type_name(in)));
    check_keys(in, path, {"name", "shape"});
    std::string name = name_at(required(in, "name", path), key_path(path, "name"));
    Shape shape = shape_at(required(in, "shape", path), key_path(path, "shape"), /*allow_dynamic=*/true);
    b_.add_input(name, shape, /*shape_known=*/true, path);
  }

  void read_output(const Json& out, const std::string& path) {
    if (out.is_string()) {
      b_.add_output(name_at(out, path), std::nullopt, path);
      return;
    }
    if (!out.is_object())
      schema(path,
             fmt::format("an output must be a name or an object {{\"name\", \"shape\"}}, not {}", type_name(out)));
    check_keys(out, path, {"name", "shape"});
    std::string name = name_at(required(out, "name", path), key_path(path, "name"));
    std::optional<Shape> shape;
    if (out.contains("shape")) shape = shape_at(out["shape"], key_path(path, "shape"), /*allow_dynamic=*/true);
    b_.add_output(name, shape, path);
  }

  // Flattens (possibly nested) numeric lists; `shape` receives the nesting shape. Lists must be rectangular.
  void flatten(const Json& v, const std::string& path, size_t depth, Shape& shape, std::vector<double>& out) const {
    if (v.is_number()) {
      if (depth != shape.size()) b_.fail_here("TENSOR-SIZE", path, "nested lists are not rectangular");
      double x = v.get<double>();
      if (!std::isfinite(x)) b_.fail_code("GRAPH-NONFINITE-WEIGHT", path, "value is not finite");
      out.push_back(x);
      return;
    }
    if (!v.is_array()) schema(path, fmt::format("data must hold numbers, not {}", type_name(v)));
    if (depth >= static_cast<size_t>(detail::kMaxRank))
      b_.fail_here("TENSOR-DIMS", path, fmt::format("lists are nested more than {} deep", detail::kMaxRank));
    auto n = static_cast<int64_t>(v.size());
    if (depth == shape.size()) {
      if (depth > 0 && out.size() > 0) b_.fail_here("TENSOR-SIZE", path, "nested lists are not rectangular");
      shape.push_back(n);
    } else if (depth > shape.size() || shape[depth] != n) {
      b_.fail_here("TENSOR-SIZE", path, "nested lists are not rectangular");
    }
    for (size_t i = 0; i < v.size(); ++i) flatten(v[i], index_path(path, i), depth + 1, shape, out);
  }

  void read_constant(const std::string& name, const Json& spec, const std::string& path) {
    if (name.empty()) schema(path, "a constant name must not be empty");
    if (!spec.is_object())
      schema(path, fmt::format("a constant must be an object {{\"shape\", \"data\"}} or {{\"npy\"}}, not {}",
                               type_name(spec)));
    check_keys(spec, path, {"shape", "data", "npy"});
    const bool has_data = spec.contains("data"), has_npy = spec.contains("npy");
    if (has_data == has_npy) schema(path, "a constant needs exactly one of \"data\" and \"npy\"");
    std::optional<Shape> declared;
    const std::string shape_path = key_path(path, "shape");
    if (spec.contains("shape")) {
      declared = shape_at(spec["shape"], shape_path, /*allow_dynamic=*/false);
      std::string why;
      if (!detail::checked_numel(*declared, false, &why))
        b_.fail_here("TENSOR-DIMS", shape_path, fmt::format("shape {} is absurd: {}", shape_str(*declared), why));
    }

    Array a;
    if (has_npy) {
      const std::string npy_path = key_path(path, "npy");
      std::string file = string_at(spec["npy"], npy_path);
      if (file.empty()) schema(npy_path, "the .npy path must not be empty");
      if (base_dir_.empty())
        b_.fail_here("NPY", npy_path,
                     fmt::format("refers to '{}', but the model was read from memory, so there is no folder to "
                                 "resolve it against",
                                 file));
      std::filesystem::path p(file);
      std::string full = p.is_absolute() ? file : (std::filesystem::path(base_dir_) / p).string();
      try {
        a = read_npy(full);
      } catch (const holo::Error& e) {
        b_.fail_code(e.code(), npy_path, e.what());
      }
      if (declared && *declared != a.shape)
        b_.fail_here(
            "TENSOR-SIZE", shape_path,
            fmt::format("declared shape {} but '{}' holds shape {}", shape_str(*declared), full, shape_str(a.shape)));
      for (int64_t i = 0; i < a.numel(); ++i)
        if (!std::isfinite(a[i]))
          b_.fail_code("GRAPH-NONFINITE-WEIGHT", npy_path,
                       fmt::format("element {} of '{}' is {}; weights must be finite", i, full,
                                   std::isnan(a[i]) ? "NaN" : "infinite"));
    } else {
      const std::string data_path = key_path(path, "data");
      const Json& data = spec["data"];
      Shape nested;
      std::vector<double> values;
      flatten(data, data_path, 0, nested, values);
      Shape shape;
      if (!declared) {
        shape = nested;
      } else if (nested.size() <= 1) {
        // A scalar or a flat list: only the element count has to agree with the declared shape.
        std::string why;
        int64_t n = *detail::checked_numel(*declared, false, &why);
        if (static_cast<int64_t>(values.size()) != n)
          b_.fail_here(
              "TENSOR-SIZE", data_path,
              fmt::format("shape {} needs {} values but data holds {}", shape_str(*declared), n, values.size()));
        shape = *declared;
      } else {
        if (nested != *declared)
          b_.fail_here(
              "TENSOR-SIZE", data_path,
              fmt::format("nested data has shape {} but shape is {}", shape_str(nested), shape_str(*declared)));
        shape = nested;
      }
      a = Array(std::move(shape), std::move(values));
    }
    b_.add_constant(name, std::move(a), path);
  }

  [[noreturn]] void bad_attr(const std::string& path, const std::string& msg) const {
    b_.fail_here("UNSUPPORTED-ATTRIBUTE", path, msg);
  }

  graph::AttrValue attr_at(const Json& v, const std::string& path) const {
    auto unsupported = [&](const std::string& msg) { bad_attr(path, msg); };
    if (v.is_boolean()) return graph::AttrValue{static_cast<int64_t>(v.get<bool>() ? 1 : 0)};
    if (v.is_number_integer()) {
      if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
        unsupported("integer is too large");
      return graph::AttrValue{v.get<int64_t>()};
    }
    if (v.is_number_float()) {
      double x = v.get<double>();
      if (!std::isfinite(x)) unsupported("value is not finite");
      return graph::AttrValue{x};
    }
    if (v.is_string()) return graph::AttrValue{v.get<std::string>()};
    if (v.is_array()) {
      bool all_int = true;
      for (const Json& e : v) {
        if (!e.is_number()) unsupported("a list attribute must hold numbers only (INTS or FLOATS)");
        if (!e.is_number_integer()) all_int = false;
        if (e.is_number_unsigned() && e.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
          unsupported("integer is too large");
      }
      if (all_int) {
        std::vector<int64_t> out;
        out.reserve(v.size());
        for (const Json& e : v) out.push_back(e.get<int64_t>());
        return graph::AttrValue{std::move(out)};
      }
      std::vector<double> out;
      out.reserve(v.size());
      for (const Json& e : v) {
        double x = e.get<double>();
        if (!std::isfinite(x)) unsupported("value is not finite");
        out.push_back(x);
      }
      return graph::AttrValue{std::move(out)};
    }
    bad_attr(path,
             fmt::format("{} is not an attribute value (integer, number, string or list of numbers)", type_name(v)));
  }

  void read_node(const Json& node, size_t i) {
    const std::string path = index_path("nodes", i);
    if (!node.is_object()) schema(path, fmt::format("a node must be an object, not {}", type_name(node)));
    check_keys(node, path, {"name", "op", "inputs", "outputs", "attrs"});
    std::string name;
    if (node.contains("name")) {
      name = string_at(node["name"], key_path(path, "name"));
      if (name.empty()) schema(key_path(path, "name"), "a node name must not be empty (omit it to have one made up)");
      auto [it, inserted] = node_names_.emplace(name, path);
      if (!inserted)
        schema(key_path(path, "name"), fmt::format("node name '{}' is already used by {}", name, it->second));
    }
    std::string op = string_at(required(node, "op", path), key_path(path, "op"));
    const auto& ops = graph::supported_ops();
    if (op == "Constant")
      b_.fail_here("UNSUPPORTED-OP", key_path(path, "op"),
                   "Constant nodes are not used in JSON models: put the value in \"constants\"");
    if (std::find(ops.begin(), ops.end(), op) == ops.end())
      b_.fail_here("UNSUPPORTED-OP", key_path(path, "op"),
                   fmt::format("node '{}': op '{}' is not supported; supported ops: {}", name.empty() ? path : name, op,
                               graph::supported_ops_list()));

    auto names = [&](const char* key) {
      const std::string p = key_path(path, key);
      const Json& list = array_at(required(node, key, path), p);
      std::vector<std::string> out;
      for (size_t k = 0; k < list.size(); ++k) out.push_back(string_at(list[k], index_path(p, k)));
      return out;
    };
    std::vector<std::string> inputs = names("inputs");
    std::vector<std::string> outputs = names("outputs");

    graph::Attributes attrs;
    if (node.contains("attrs")) {
      const std::string p = key_path(path, "attrs");
      const Json& a = node["attrs"];
      if (!a.is_object()) schema(p, fmt::format("must be an object, not {}", type_name(a)));
      for (const auto& [key, value] : a.items()) attrs.emplace(key, attr_at(value, key_path(p, key)));
    }
    b_.add_node(name, static_cast<int64_t>(i), op, std::move(attrs), std::move(inputs), std::move(outputs), path);
  }

  GraphBuilder& b_;
  std::string base_dir_;
  std::unordered_map<std::string, std::string> node_names_;
};

Json parse_json(std::string_view bytes, const std::string& what) {
  // Duplicate keys would silently keep one value; parse_json_strict rejects them, naming the object's path.
  return parse_json_strict<Json>(bytes, "JSON-PARSE", what, {.ignore_comments = true});
}

graph::Graph read_model(const Json& root, const std::string& what, const std::string& base_dir) {
  int64_t opset = kDefaultOpset;
  if (root.is_object() && root.contains("opset")) {
    const Json& o = root["opset"];
    if (!o.is_number_integer() || (o.is_number_unsigned() && o.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) ||
        o.get<int64_t>() < kMinOpset || o.get<int64_t>() > kMaxOpset)
      fail("JSON-UNSUPPORTED-OPSET", fmt::format("{}: opset: {} is not supported; supported opsets are {} to {}", what,
                                                 o.dump(), kMinOpset, kMaxOpset));
    opset = o.get<int64_t>();
  }
  GraphBuilder b(what, "JSON", detail::PathStyle::Json, opset);
  try {
    JsonReader(b, base_dir).read(root);
  } catch (const nlohmann::json::exception& e) {
    // The reader checks every type before reading a value; reaching this is a bug in the reader.
    throw holo::Error("INTERNAL", fmt::format("{}: unexpected JSON error: {}", what, e.what()), ErrorKind::Internal);
  }
  return b.finish();
}

}  // namespace

graph::Graph load_json_model_bytes(std::string_view bytes, const std::string& what, const std::string& base_dir) {
  if (bytes.empty()) fail("FILE-EMPTY", fmt::format("{}: file is empty", what));
  Json root = parse_json(bytes, what);
  return read_model(root, what, base_dir);
}

graph::Graph load_json_model(const std::string& path) {
  Json root;
  {
    std::string bytes = read_file(path, /*allow_empty=*/false, kMaxJsonBytes);
    root = parse_json(bytes, path);
  }
  std::filesystem::path p(path);
  std::string dir = p.has_parent_path() ? p.parent_path().string() : std::string(".");
  return read_model(root, path, dir);
}

}  // namespace holo::frontend
