// circuit.json writer/reader and the two interop exporters (gdsfactory YAML, SPICE). The JSON text is
// laid out by hand (fixed key order, one instance / connection / port / tile per line) so that it is
// deterministic, diffable and fast for netlists with millions of instances; nlohmann parses it back.
#include "holo/circuit/io.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unordered_map>

#include "holo/circuit/verify.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"

namespace holo::circuit {
namespace {

using json = nlohmann::json;

constexpr const char* kFormat = "holo-circuit";
constexpr int64_t kVersion = 1;

// ---------------------------------------------------------------------------------------------------
// Number and string formatting shared by the writers.

// Shortest decimal form that parses back to the same double (std::to_chars guarantees round trip).
std::string shortest(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

bool has_any(const std::string& s, const char* chars) { return s.find_first_of(chars) != std::string::npos; }

// A finite double as JSON: integral values keep a ".0" so the text shows it is a real number.
void append_json_double(std::string& out, double v) {
  std::string s = shortest(v);
  if (!has_any(s, ".e")) s += ".0";
  out += s;
}

// YAML 1.1 (PyYAML) only reads a float with a '.' in the mantissa and a signed exponent: 1e-05 would be
// a string. to_chars always signs the exponent, so only the '.' needs adding.
std::string yaml_double(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  std::string s = shortest(v);
  if (s.find('.') != std::string::npos) return s;
  size_t e = s.find('e');
  if (e == std::string::npos) return s + ".0";
  return s.substr(0, e) + ".0" + s.substr(e);
}

// JSON string literal. Printable ASCII is copied; anything else goes through nlohmann, which escapes
// control characters and rejects invalid UTF-8.
void append_json_string(std::string& out, const std::string& s) {
  bool plain = true;
  for (unsigned char c : s)
    if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  try {
    out += json(s).dump();
  } catch (const json::exception&) {
    fail("CIRCUIT-BAD-NAME", fmt::format("circuit.json: the string '{}' is not valid UTF-8", s));
  }
}

// ---------------------------------------------------------------------------------------------------
// to_json

void append_port_ref(std::string& out, const PortRef& r) {
  out += '[';
  append_json_string(out, r.instance);
  out += ", ";
  append_json_string(out, r.port);
  out += ']';
}

void append_info(std::string& out, const std::map<std::string, std::string>& info) {
  if (info.empty()) {
    out += "{}";
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [k, v] : info) {
    if (!first) out += ", ";
    first = false;
    append_json_string(out, k);
    out += ": ";
    append_json_string(out, v);
  }
  out += '}';
}

template <class Where>
void append_finite(std::string& out, double v, Where where) {
  if (!std::isfinite(v))
    fail("CIRCUIT-BAD-SETTING", fmt::format("circuit.json: {} is {}; JSON holds only finite numbers", where(), v));
  append_json_double(out, v);
}

void append_cell(std::string& out, const Cell& c, size_t ci) {
  out += "    {\n      \"name\": ";
  append_json_string(out, c.name);
  out += ",\n      \"kind\": ";
  append_json_string(out, c.kind);
  out += ",\n      \"info\": ";
  append_info(out, c.info);

  out += ",\n      \"ports\": [";
  for (size_t i = 0; i < c.ports.size(); ++i) {
    const CellPort& p = c.ports[i];
    out += i ? ",\n        " : "\n        ";
    out += "{\"name\": ";
    append_json_string(out, p.name);
    out += ", \"kind\": ";
    append_json_string(out, p.kind);
    out += ", \"inner\": ";
    append_port_ref(out, p.inner);
    out += '}';
  }
  out += c.ports.empty() ? "]" : "\n      ]";

  out += ",\n      \"instances\": [";
  for (size_t i = 0; i < c.instances.size(); ++i) {
    const Instance& inst = c.instances[i];
    out += i ? ",\n        " : "\n        ";
    out += "{\"name\": ";
    append_json_string(out, inst.name);
    out += ", \"component\": ";
    append_json_string(out, inst.component);
    out += ", \"column\": ";
    out += std::to_string(inst.column);
    out += ", \"mode\": ";
    out += std::to_string(inst.mode);
    out += ", \"settings\": {";
    bool first = true;
    for (const auto& [k, v] : inst.settings) {
      if (!first) out += ", ";
      first = false;
      append_json_string(out, k);
      out += ": ";
      append_finite(out, v, [&] {
        return fmt::format("cell '{}' (cells[{}]) instance '{}' setting '{}'", c.name, ci, inst.name, k);
      });
    }
    out += "}}";
  }
  out += c.instances.empty() ? "]" : "\n      ]";

  out += ",\n      \"connections\": [";
  for (size_t i = 0; i < c.connections.size(); ++i) {
    out += i ? ",\n        " : "\n        ";
    out += "{\"a\": ";
    append_port_ref(out, c.connections[i].a);
    out += ", \"b\": ";
    append_port_ref(out, c.connections[i].b);
    out += '}';
  }
  out += c.connections.empty() ? "]" : "\n      ]";
  out += "\n    }";
}

void append_stage(std::string& out, const Stage& s, size_t si) {
  out += "    {\n      \"node\": ";
  append_json_string(out, s.node);
  out += ",\n      \"op\": ";
  append_json_string(out, s.op);
  out += ",\n      \"domain\": ";
  append_json_string(out, s.domain);
  out += ",\n      \"reason\": ";
  append_json_string(out, s.reason);
  out += ",\n      \"layer_cell\": ";
  append_json_string(out, s.layer_cell);
  out += fmt::format(",\n      \"out_features\": {},\n      \"in_features\": {},\n      \"positions\": {}", s.out_features,
                     s.in_features, s.positions);
  out += ",\n      \"tiles\": [";
  for (size_t i = 0; i < s.tiles.size(); ++i) {
    const Tile& t = s.tiles[i];
    out += i ? ",\n        " : "\n        ";
    out += "{\"cell\": ";
    append_json_string(out, t.cell);
    out += fmt::format(", \"row0\": {}, \"rows\": {}, \"col0\": {}, \"cols\": {}, \"gain\": ", t.row0, t.rows, t.col0,
                       t.cols);
    append_finite(out, t.gain, [&] { return fmt::format("stages[{}] ('{}') tiles[{}].gain", si, s.node, i); });
    out += '}';
  }
  out += s.tiles.empty() ? "]" : "\n      ]";
  out += "\n    }";
}

// ---------------------------------------------------------------------------------------------------
// from_json: strict reader; every error names the JSON path of the field.

bool is_identifier(const std::string& key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string key_path(const std::string& parent, const std::string& key) {
  if (is_identifier(key)) return parent + "." + key;
  std::string quoted;
  try {
    quoted = json(key).dump();
  } catch (const json::exception&) {
    quoted = "\"?\"";
  }
  return parent + "[" + quoted + "]";
}

std::string index_path(const std::string& parent, size_t i) { return fmt::format("{}[{}]", parent, i); }

const char* type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    default: return "something else";
  }
}

class Reader {
 public:
  explicit Reader(std::string what) : what_(std::move(what)) {}

  [[noreturn]] void schema(const std::string& path, const std::string& msg) const {
    fail("CIRCUIT-SCHEMA", fmt::format("{}: {}: {}", what_, path, msg));
  }

  const json& object(const json& v, const std::string& path, std::initializer_list<const char*> allowed) const {
    if (!v.is_object()) schema(path, fmt::format("expected an object, found {}", type_name(v)));
    for (auto it = v.begin(); it != v.end(); ++it) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || it.key() == a;
      if (!ok) schema(key_path(path, it.key()), "unknown field");
    }
    return v;
  }

  const json& array(const json& v, const std::string& path) const {
    if (!v.is_array()) schema(path, fmt::format("expected an array, found {}", type_name(v)));
    return v;
  }

  const json& required(const json& obj, const char* key, const std::string& path) const {
    auto it = obj.find(key);
    if (it == obj.end()) schema(key_path(path, key), "missing");
    return *it;
  }

  const json* optional(const json& obj, const char* key) const {
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
  }

  std::string string(const json& v, const std::string& path) const {
    if (!v.is_string()) schema(path, fmt::format("expected a string, found {}", type_name(v)));
    return v.get<std::string>();
  }

  int64_t integer(const json& v, const std::string& path, int64_t lo, int64_t hi) const {
    if (!v.is_number_integer()) schema(path, fmt::format("expected an integer, found {}", type_name(v)));
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi))
      schema(path, fmt::format("{} is out of range [{}, {}]", v.dump(), lo, hi));
    int64_t x = v.get<int64_t>();
    if (x < lo || x > hi) schema(path, fmt::format("{} is out of range [{}, {}]", x, lo, hi));
    return x;
  }

  double number(const json& v, const std::string& path) const {
    if (!v.is_number()) schema(path, fmt::format("expected a number, found {}", type_name(v)));
    double d = v.get<double>();
    if (!std::isfinite(d)) schema(path, "expected a finite number");
    return d;
  }

  std::string req_string(const json& obj, const char* key, const std::string& path) const {
    return string(required(obj, key, path), key_path(path, key));
  }
  std::string opt_string(const json& obj, const char* key, const std::string& path, std::string dflt) const {
    const json* v = optional(obj, key);
    return v ? string(*v, key_path(path, key)) : dflt;
  }
  int64_t req_int(const json& obj, const char* key, const std::string& path, int64_t lo, int64_t hi) const {
    return integer(required(obj, key, path), key_path(path, key), lo, hi);
  }
  int64_t opt_int(const json& obj, const char* key, const std::string& path, int64_t lo, int64_t hi,
                  int64_t dflt) const {
    const json* v = optional(obj, key);
    return v ? integer(*v, key_path(path, key), lo, hi) : dflt;
  }

  std::map<std::string, std::string> info(const json& obj, const std::string& path) const {
    std::map<std::string, std::string> out;
    const json* v = optional(obj, "info");
    if (!v) return out;
    std::string at = path + ".info";
    if (!v->is_object()) schema(at, fmt::format("expected an object, found {}", type_name(*v)));
    for (auto it = v->begin(); it != v->end(); ++it) out[it.key()] = string(*it, key_path(at, it.key()));
    return out;
  }

  PortRef port_ref(const json& v, const std::string& path) const {
    if (!v.is_array() || v.size() != 2)
      schema(path, fmt::format("expected [\"instance\", \"port\"], found {}", v.is_array() ? "another array" : type_name(v)));
    return PortRef{string(v[0], path + "[0]"), string(v[1], path + "[1]")};
  }

  Netlist netlist(const json& root) const {
    const std::string at = "$";
    object(root, at, {"format", "version", "name", "pdk", "top", "info", "cells", "stages"});
    if (req_string(root, "format", at) != kFormat)
      schema("$.format", fmt::format("expected \"{}\" (is this a holo circuit netlist?)", kFormat));
    int64_t version = req_int(root, "version", at, 0, std::numeric_limits<int64_t>::max());
    if (version != kVersion)
      schema("$.version", fmt::format("version {} is not supported; this reader reads version {}", version, kVersion));
    Netlist n;
    n.name = req_string(root, "name", at);
    n.pdk = req_string(root, "pdk", at);
    n.top = req_string(root, "top", at);
    n.info = info(root, at);
    const json& cells = array(required(root, "cells", at), "$.cells");
    n.cells.reserve(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) n.cells.push_back(cell(cells[i], index_path("$.cells", i)));
    if (const json* stages = optional(root, "stages")) {
      array(*stages, "$.stages");
      for (size_t i = 0; i < stages->size(); ++i) n.stages.push_back(stage((*stages)[i], index_path("$.stages", i)));
    }
    return n;
  }

  Cell cell(const json& v, const std::string& at) const {
    object(v, at, {"name", "kind", "info", "ports", "instances", "connections"});
    Cell c;
    c.name = req_string(v, "name", at);
    c.kind = req_string(v, "kind", at);
    c.info = info(v, at);
    if (const json* ports = optional(v, "ports")) {
      std::string pat = at + ".ports";
      array(*ports, pat);
      c.ports.reserve(ports->size());
      for (size_t i = 0; i < ports->size(); ++i) {
        std::string p = index_path(pat, i);
        const json& pj = object((*ports)[i], p, {"name", "kind", "inner"});
        CellPort cp;
        cp.name = req_string(pj, "name", p);
        cp.kind = req_string(pj, "kind", p);
        cp.inner = port_ref(required(pj, "inner", p), p + ".inner");
        c.ports.push_back(std::move(cp));
      }
    }
    if (const json* insts = optional(v, "instances")) {
      std::string iat = at + ".instances";
      array(*insts, iat);
      c.instances.reserve(insts->size());
      for (size_t i = 0; i < insts->size(); ++i) c.instances.push_back(instance((*insts)[i], index_path(iat, i)));
    }
    if (const json* conns = optional(v, "connections")) {
      std::string cat = at + ".connections";
      array(*conns, cat);
      c.connections.reserve(conns->size());
      for (size_t i = 0; i < conns->size(); ++i) {
        std::string p = index_path(cat, i);
        const json& cj = object((*conns)[i], p, {"a", "b"});
        c.connections.push_back(
            Connection{port_ref(required(cj, "a", p), p + ".a"), port_ref(required(cj, "b", p), p + ".b")});
      }
    }
    return c;
  }

  Instance instance(const json& v, const std::string& at) const {
    object(v, at, {"name", "component", "column", "mode", "settings"});
    Instance inst;
    inst.name = req_string(v, "name", at);
    inst.component = req_string(v, "component", at);
    constexpr int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
    inst.column = static_cast<int32_t>(opt_int(v, "column", at, lo, hi, -1));
    inst.mode = static_cast<int32_t>(opt_int(v, "mode", at, lo, hi, -1));
    if (const json* s = optional(v, "settings")) {
      std::string sat = at + ".settings";
      if (!s->is_object()) schema(sat, fmt::format("expected an object, found {}", type_name(*s)));
      for (auto it = s->begin(); it != s->end(); ++it)
        inst.settings[it.key()] = number(*it, key_path(sat, it.key()));
    }
    return inst;
  }

  Stage stage(const json& v, const std::string& at) const {
    object(v, at,
           {"node", "op", "domain", "reason", "layer_cell", "out_features", "in_features", "positions", "tiles"});
    constexpr int64_t big = std::numeric_limits<int64_t>::max();
    Stage s;
    s.node = req_string(v, "node", at);
    s.op = req_string(v, "op", at);
    s.domain = req_string(v, "domain", at);
    s.reason = opt_string(v, "reason", at, "");
    s.layer_cell = opt_string(v, "layer_cell", at, "");
    s.out_features = opt_int(v, "out_features", at, 0, big, 0);
    s.in_features = opt_int(v, "in_features", at, 0, big, 0);
    s.positions = opt_int(v, "positions", at, 1, big, 1);
    if (const json* tiles = optional(v, "tiles")) {
      std::string tat = at + ".tiles";
      array(*tiles, tat);
      s.tiles.reserve(tiles->size());
      for (size_t i = 0; i < tiles->size(); ++i) {
        std::string p = index_path(tat, i);
        const json& tj = object((*tiles)[i], p, {"cell", "row0", "rows", "col0", "cols", "gain"});
        Tile t;
        t.cell = req_string(tj, "cell", p);
        t.row0 = req_int(tj, "row0", p, 0, big);
        t.rows = req_int(tj, "rows", p, 0, big);
        t.col0 = req_int(tj, "col0", p, 0, big);
        t.cols = req_int(tj, "cols", p, 0, big);
        if (const json* g = optional(tj, "gain")) t.gain = number(*g, p + ".gain");
        s.tiles.push_back(std::move(t));
      }
    }
    return s;
  }

 private:
  std::string what_;
};

// ---------------------------------------------------------------------------------------------------
// YAML

bool yaml_plain_ok(const std::string& s) {
  if (s.empty()) return false;
  char c0 = s[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
          c == '-' || c == '/' || c == ','))
      return false;
  // YAML 1.1 reads these words as booleans or null.
  std::string lower = s;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::set<std::string> reserved{"y", "n", "yes", "no", "true", "false", "on", "off", "null"};
  return !reserved.count(lower);
}

std::string yaml_str(const std::string& s) {
  if (yaml_plain_ok(s)) return s;
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
        else
          out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string ref_str(const PortRef& r) { return r.instance + "," + r.port; }

// SPICE comments must stay on one line.
std::string one_line(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

// ---------------------------------------------------------------------------------------------------
// SPICE

// Natural order of port names: alphabetic prefix, then the trailing number (o2 < o10), then the text.
bool natural_less(const std::string& a, const std::string& b) {
  auto split = [](const std::string& s) {
    size_t k = s.size();
    while (k > 0 && s[k - 1] >= '0' && s[k - 1] <= '9') --k;
    uint64_t num = 0;
    bool overflow = s.size() - k > 18;
    if (!overflow)
      for (size_t i = k; i < s.size(); ++i) num = num * 10 + static_cast<uint64_t>(s[i] - '0');
    return std::make_tuple(s.substr(0, k), overflow, num);
  };
  auto ka = split(a), kb = split(b);
  if (ka != kb) return ka < kb;
  return a < b;
}

using PortLister = std::function<std::vector<std::string>(const std::string& component)>;

std::string spice(const Netlist& n, const PortLister& ports_of) {
  std::string out;
  out += "* holo-circuit SPICE-style netlist '" + one_line(n.name) + "' (PDK " + one_line(n.pdk) + ")\n";
  out += "* one .subckt per cell, leaves first, top cell '" + one_line(n.top) + "' last.\n";
  out += "* nets: a cell port's name, N$<k> for the cell's k-th connection, NC$<k> for a port left open.\n";
  for (const Cell& c : n.cells) {
    out += "\n.subckt " + c.name;
    for (const CellPort& p : c.ports) out += " " + p.name;
    out += "\n";
    std::unordered_map<std::string, std::string> net;  // "instance\0port" -> net name
    auto key = [](const PortRef& r) { return r.instance + '\0' + r.port; };
    for (const CellPort& p : c.ports) net[key(p.inner)] = p.name;
    for (size_t k = 0; k < c.connections.size(); ++k) {
      const Connection& con = c.connections[k];
      std::string name = fmt::format("N${}", k);
      // A connection that touches an exposed port joins the cell port's net.
      auto ia = net.find(key(con.a));
      auto ib = net.find(key(con.b));
      if (ia != net.end())
        name = ia->second;
      else if (ib != net.end())
        name = ib->second;
      net[key(con.a)] = name;
      net[key(con.b)] = name;
    }
    int64_t open = 0;
    for (const Instance& inst : c.instances) {
      out += "X" + inst.name;
      for (const std::string& port : ports_of(inst.component)) {
        auto it = net.find(inst.name + '\0' + port);
        out += " ";
        out += it != net.end() ? it->second : fmt::format("NC${}", open++);
      }
      out += " " + inst.component;
      for (const auto& [k, v] : inst.settings) out += " " + k + "=" + shortest(v);
      out += "\n";
    }
    out += ".ends " + c.name + "\n";
  }
  if (const Cell* top = n.find_cell(n.top)) {
    out += "\nX" + top->name;
    for (const CellPort& p : top->ports) out += " " + p.name;
    out += " " + top->name + "\n";
  }
  out += ".end\n";
  return out;
}

}  // namespace

std::string to_json(const Netlist& n) {
  std::string out;
  size_t instances = 0;
  for (const Cell& c : n.cells) instances += c.instances.size() + c.connections.size() + c.ports.size();
  out.reserve(4096 + instances * 96);
  out += "{\n  \"format\": ";
  append_json_string(out, kFormat);
  out += fmt::format(",\n  \"version\": {}", kVersion);
  out += ",\n  \"name\": ";
  append_json_string(out, n.name);
  out += ",\n  \"pdk\": ";
  append_json_string(out, n.pdk);
  out += ",\n  \"top\": ";
  append_json_string(out, n.top);
  out += ",\n  \"info\": ";
  append_info(out, n.info);
  out += ",\n  \"cells\": [";
  for (size_t i = 0; i < n.cells.size(); ++i) {
    out += i ? ",\n" : "\n";
    append_cell(out, n.cells[i], i);
  }
  out += n.cells.empty() ? "]" : "\n  ]";
  out += ",\n  \"stages\": [";
  for (size_t i = 0; i < n.stages.size(); ++i) {
    out += i ? ",\n" : "\n";
    append_stage(out, n.stages[i], i);
  }
  out += n.stages.empty() ? "]" : "\n  ]";
  out += "\n}\n";
  return out;
}

Netlist from_json(const std::string& text, const std::string& what) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& e) {
    fail("CIRCUIT-PARSE", fmt::format("{}: not valid JSON: {}", what, e.what()));
  }
  return Reader(what).netlist(root);
}

Netlist read_netlist(const std::string& path) { return from_json(read_file(path), path); }

std::string to_pic_yml(const Netlist& n) { return to_pic_yml(n, PicYmlOptions{}); }

std::string to_pic_yml(const Netlist& n, const PicYmlOptions& options) {
  std::string out;
  out += "# holo-circuit netlist " + yaml_str(n.name) + " (PDK " + yaml_str(n.pdk) +
         ") in gdsfactory's schematic form:\n";
  out += "# one YAML document per cell, leaves first, the top cell " + yaml_str(n.top) + " last.\n";
  out += fmt::format("# placements: x = column * {} um, y = -mode * {} um (logical mesh grid).\n",
                     yaml_double(options.column_pitch_um), yaml_double(options.mode_pitch_um));
  for (const Cell& c : n.cells) {
    out += "---\nname: " + yaml_str(c.name) + "\n";
    out += "info:\n  kind: " + yaml_str(c.kind) + "\n  pdk: " + yaml_str(n.pdk) + "\n";
    if (!c.info.empty()) {
      out += "  metadata:\n";
      for (const auto& [k, v] : c.info) out += "    " + yaml_str(k) + ": " + yaml_str(v) + "\n";
    }
    if (c.instances.empty()) {
      out += "instances: {}\n";
    } else {
      out += "instances:\n";
      for (const Instance& inst : c.instances) {
        out += "  " + yaml_str(inst.name) + ":\n    component: " + yaml_str(inst.component) + "\n";
        if (!inst.settings.empty()) {
          out += "    settings:\n";
          for (const auto& [k, v] : inst.settings) out += "      " + yaml_str(k) + ": " + yaml_double(v) + "\n";
        }
      }
    }
    bool any_placed = false;
    for (const Instance& inst : c.instances) {
      if (inst.column < 0 || inst.mode < 0) continue;
      if (!any_placed) out += "placements:\n";
      any_placed = true;
      double x = inst.column * options.column_pitch_um;
      double y = 0.0 - inst.mode * options.mode_pitch_um;  // 0.0 - 0.0 is +0.0, never "-0.0"
      out += "  " + yaml_str(inst.name) + ": {x: " + yaml_double(x) + ", y: " + yaml_double(y) + "}\n";
    }
    if (!c.connections.empty()) {
      out += "connections:\n";
      for (const Connection& con : c.connections)
        out += "  " + yaml_str(ref_str(con.a)) + ": " + yaml_str(ref_str(con.b)) + "\n";
    }
    if (!c.ports.empty()) {
      out += "ports:\n";
      for (const CellPort& p : c.ports) out += "  " + yaml_str(p.name) + ": " + yaml_str(ref_str(p.inner)) + "\n";
    }
  }
  return out;
}

std::string to_spice(const Netlist& n) {
  // Without a PDK: a cell's ports from its port list, a template's from the names the netlist uses.
  std::map<std::string, std::set<std::string>> used;
  for (const Cell& c : n.cells) {
    std::unordered_map<std::string, const std::string*> comp;
    for (const Instance& inst : c.instances) comp[inst.name] = &inst.component;
    auto note = [&](const PortRef& r) {
      auto it = comp.find(r.instance);
      if (it != comp.end()) used[*it->second].insert(r.port);
    };
    for (const CellPort& p : c.ports) note(p.inner);
    for (const Connection& con : c.connections) {
      note(con.a);
      note(con.b);
    }
  }
  std::map<std::string, std::vector<std::string>> order;
  for (auto& [comp, names] : used) {
    std::vector<std::string> v(names.begin(), names.end());
    std::sort(v.begin(), v.end(), natural_less);
    order[comp] = std::move(v);
  }
  return spice(n, [&](const std::string& component) {
    if (const Cell* c = n.find_cell(component)) {
      std::vector<std::string> v;
      for (const CellPort& p : c->ports) v.push_back(p.name);
      return v;
    }
    auto it = order.find(component);
    return it == order.end() ? std::vector<std::string>{} : it->second;
  });
}

std::string to_spice(const Netlist& n, const pdk::Pdk& pdk) {
  std::map<std::string, std::vector<std::string>> cache;
  return spice(n, [&](const std::string& component) {
    auto it = cache.find(component);
    if (it != cache.end()) return it->second;
    std::vector<std::string> v;
    for (const pdk::Port& p : component_ports(n, pdk, component)) v.push_back(p.name);
    return cache.emplace(component, std::move(v)).first->second;
  });
}

}  // namespace holo::circuit
