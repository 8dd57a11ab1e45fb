// circuit.json (docs/circuit-json.md). The writer lays the text out by hand (fixed key order, one
// instance / connection / port / tile per line) so that it is deterministic and diffable. The reader is a
// streaming parser driven by the schema: it fills the Netlist directly without building a JSON document
// (a DOM parse of a 200 MB netlist took 3.3 s and 1.4 GB), and names the JSON path of any bad field.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string_view>
#include <utility>

#include "holo/circuit/compiled.h"
#include "holo/circuit/io.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"

namespace holo::circuit {
namespace {

constexpr const char* kFormat = "holo-circuit";
constexpr int64_t kVersion = 1;

// Length of the valid UTF-8 sequence starting at s[i] (i < n), or 0 if it is not one.
size_t utf8_length(const unsigned char* s, size_t i, size_t n) {
  unsigned char c = s[i];
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;  // range of the second byte
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;  // no overlong forms
    if (c == 0xed) hi = 0x9f;  // no UTF-16 surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (i + len > n) return 0;
  if (s[i + 1] < lo || s[i + 1] > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if (s[i + k] < 0x80 || s[i + k] > 0xbf) return 0;
  return len;
}

// ---------------------------------------------------------------------------------------------------
// Writer

// Shortest decimal form that parses back to the same double (std::to_chars guarantees the round trip);
// integral values keep a ".0" so the text shows a real number.
void append_double(std::string& out, double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string_view s(buf, static_cast<size_t>(res.ptr - buf));
  out += s;
  if (s.find_first_of(".e") == std::string_view::npos) out += ".0";
}

// JSON string literal: '"', '\' and control characters escaped, UTF-8 copied (and checked).
void append_string(std::string& out, const std::string& s) {
  out += '"';
  const auto* b = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = b[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          size_t len = utf8_length(b, i, s.size());
          if (len == 0) fail("CIRCUIT-BAD-NAME", fmt::format("circuit.json: the string '{}' is not valid UTF-8", s));
          out.append(s, i, len);
          i += len;
          continue;
        }
    }
    ++i;
  }
  out += '"';
}

void append_port_ref(std::string& out, const PortRef& r) {
  out += '[';
  append_string(out, r.instance);
  out += ", ";
  append_string(out, r.port);
  out += ']';
}

void append_info(std::string& out, const std::map<std::string, std::string>& info) {
  out += '{';
  bool first = true;
  for (const auto& [k, v] : info) {
    if (!first) out += ", ";
    first = false;
    append_string(out, k);
    out += ": ";
    append_string(out, v);
  }
  out += '}';
}

// `where` names the field; it is only called for the error message.
template <class Where>
void append_finite(std::string& out, double v, Where where) {
  if (!std::isfinite(v))
    fail("CIRCUIT-BAD-SETTING", fmt::format("circuit.json: {} is {}; JSON holds only finite numbers", where(), v));
  append_double(out, v);
}

// Writes "[" items "]" with one item per line at `indent` and the "]" two spaces less, or "[]" when empty.
template <class Item>
void append_list(std::string& out, size_t count, const char* indent, Item item) {
  out += '[';
  for (size_t i = 0; i < count; ++i) {
    out += i ? ",\n" : "\n";
    out += indent;
    item(i);
  }
  if (count) {
    out += '\n';
    out.append(indent, std::strlen(indent) - 2);
  }
  out += ']';
}

void append_cell(std::string& out, const Cell& c, size_t ci) {
  out += "{\n      \"name\": ";
  append_string(out, c.name);
  out += ",\n      \"kind\": ";
  append_string(out, c.kind);
  out += ",\n      \"info\": ";
  append_info(out, c.info);
  out += ",\n      \"ports\": ";
  append_list(out, c.ports.size(), "        ", [&](size_t i) {
    const CellPort& p = c.ports[i];
    out += "{\"name\": ";
    append_string(out, p.name);
    out += ", \"kind\": ";
    append_string(out, p.kind);
    out += ", \"inner\": ";
    append_port_ref(out, p.inner);
    out += '}';
  });
  out += ",\n      \"instances\": ";
  append_list(out, c.instances.size(), "        ", [&](size_t i) {
    const Instance& inst = c.instances[i];
    out += "{\"name\": ";
    append_string(out, inst.name);
    out += ", \"component\": ";
    append_string(out, inst.component);
    out += ", \"column\": ";
    out += std::to_string(inst.column);
    out += ", \"mode\": ";
    out += std::to_string(inst.mode);
    out += ", \"settings\": {";
    bool first = true;
    for (const auto& [k, v] : inst.settings) {
      if (!first) out += ", ";
      first = false;
      append_string(out, k);
      out += ": ";
      const std::string& key = k;  // clang 14 cannot capture a structured binding (the fuzz build)
      append_finite(out, v, [&] {
        return fmt::format("cell '{}' (cells[{}]) instance '{}' setting '{}'", c.name, ci, inst.name, key);
      });
    }
    out += "}}";
  });
  out += ",\n      \"connections\": ";
  append_list(out, c.connections.size(), "        ", [&](size_t i) {
    out += "{\"a\": ";
    append_port_ref(out, c.connections[i].a);
    out += ", \"b\": ";
    append_port_ref(out, c.connections[i].b);
    out += '}';
  });
  out += "\n    }";
}

template <class Where>
void append_drawn(std::string& out, const DrawnPaths& d, Where where) {
  auto numbers = [&](const char* key, const std::vector<double>& v) {
    out += fmt::format(", \"{}\": [", key);
    for (size_t k = 0; k < v.size(); ++k) {
      if (k) out += ", ";
      append_finite(out, v[k], [&] { return fmt::format("{}.{}[{}]", where(), key, k); });
    }
    out += ']';
  };
  auto integers = [&](const char* key, const std::vector<int64_t>& v) {
    out += fmt::format(", \"{}\": [{}]", key, fmt::join(v, ", "));
  };
  out += ", \"drawn\": {\"fill_length_um\": ";
  append_finite(out, d.fill_length_um, [&] { return fmt::format("{}.fill_length_um", where()); });
  out += ", \"slot_length_um\": ";
  append_finite(out, d.slot_length_um, [&] { return fmt::format("{}.slot_length_um", where()); });
  out += fmt::format(", \"crossings\": {}, \"output_couplers\": {}", d.crossings, d.output_couplers);
  numbers("in_length_um", d.in_length_um);
  integers("in_bends", d.in_bends);
  numbers("out_length_um", d.out_length_um);
  integers("out_bends", d.out_bends);
  out += '}';
}

void append_stage(std::string& out, const Stage& s, size_t si) {
  out += "{\n      \"node\": ";
  append_string(out, s.node);
  out += ",\n      \"op\": ";
  append_string(out, s.op);
  out += ",\n      \"domain\": ";
  append_string(out, s.domain);
  out += ",\n      \"reason\": ";
  append_string(out, s.reason);
  out += ",\n      \"layer_cell\": ";
  append_string(out, s.layer_cell);
  out += fmt::format(",\n      \"out_features\": {},\n      \"in_features\": {},\n      \"positions\": {}",
                     s.out_features, s.in_features, s.positions);
  out += ",\n      \"tiles\": ";
  append_list(out, s.tiles.size(), "        ", [&](size_t i) {
    const Tile& t = s.tiles[i];
    out += "{\"cell\": ";
    append_string(out, t.cell);
    out += fmt::format(", \"row0\": {}, \"rows\": {}, \"col0\": {}, \"cols\": {}, \"gain\": ", t.row0, t.rows, t.col0,
                       t.cols);
    append_finite(out, t.gain, [&] { return fmt::format("stages[{}] ('{}') tiles[{}].gain", si, s.node, i); });
    if (t.drawn)
      append_drawn(out, *t.drawn, [&] { return fmt::format("stages[{}] ('{}') tiles[{}].drawn", si, s.node, i); });
    out += '}';
  });
  out += "\n    }";
}

void append_segment(std::string& out, const SegmentUm& g, const std::string& tile, size_t i) {
  out += '[';
  const double v[3] = {g.x0_um, g.x1_um, g.y_um};
  for (int k = 0; k < 3; ++k) {
    if (k) out += ", ";
    append_finite(out, v[k], [&] { return fmt::format("thermal_sites '{}' [{}]: a segment coordinate", tile, i); });
  }
  out += ']';
}

void append_thermal_sites(std::string& out, const ThermalSites& all) {
  size_t t = 0;
  out += '[';
  for (const auto& kv : all) {
    const std::string& tile = kv.first;  // not a structured binding: clang 14 cannot capture one (the fuzz build)
    const std::vector<ThermalSite>& sites = kv.second;
    out += t++ ? ",\n    " : "\n    ";
    out += "{\"tile\": ";
    append_string(out, tile);
    out += ", \"sites\": ";
    append_list(out, sites.size(), "      ", [&](size_t i) {
      const ThermalSite& s = sites[i];
      out += "{\"part\": ";
      append_string(out, s.part);
      out += fmt::format(", \"index\": {}, \"shifter\": ", s.index);
      append_string(out, std::string(shifter_name(s.shifter)));
      out += ", \"heater_um\": ";
      append_segment(out, s.heater, tile, i);
      out += ", \"arm_um\": ";
      append_segment(out, s.arm, tile, i);
      if (s.has_other_arm) {
        out += ", \"other_arm_um\": ";
        append_segment(out, s.other_arm, tile, i);
      }
      if (s.power_mw >= 0) {
        out += ", \"power_mw\": ";
        append_finite(out, s.power_mw, [&] { return fmt::format("thermal_sites '{}' [{}].power_mw", tile, i); });
        out += fmt::format(", \"turns\": {}", s.turns);
        out += ", \"target_rad\": ";
        append_finite(out, s.target_rad, [&] { return fmt::format("thermal_sites '{}' [{}].target_rad", tile, i); });
        if (s.part == kTileAtt) {
          out += ", \"phi_offset_rad\": ";
          append_finite(out, s.phi_offset_rad,
                        [&] { return fmt::format("thermal_sites '{}' [{}].phi_offset_rad", tile, i); });
        }
      }
      out += '}';
    });
    out += '}';
  }
  if (t) out += "\n  ";
  out += ']';
}

// ---------------------------------------------------------------------------------------------------
// Reader

// A JSON path as a chain of stack frames, turned into text ("$.cells[2].instances[0].column") only for
// an error message.
struct Path {
  const Path* parent = nullptr;  // nullptr: the root "$"
  std::string_view key;
  size_t index = 0;
  bool is_index = false;

  Path field(std::string_view k) const { return Path{this, k, 0, false}; }
  Path item(size_t i) const { return Path{this, {}, i, true}; }

  std::string str() const {
    if (!parent) return "$";
    std::string s = parent->str();
    if (is_index) return s + fmt::format("[{}]", index);
    bool ident = !key.empty() && !(key[0] >= '0' && key[0] <= '9');
    for (char c : key)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) ident = false;
    if (ident) return s + "." + std::string(key);
    std::string quoted;
    append_string(quoted, std::string(key));
    return s + "[" + quoted + "]";
  }
};

const Path kRoot{};

class Parser {
 public:
  Parser(const std::string& text, std::string what)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), what_(std::move(what)) {}

  [[noreturn]] void syntax(const std::string& msg) const {
    size_t line = 1, col = 1;
    for (const char* q = begin_; q < p_; ++q) {
      if (*q == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    fail("CIRCUIT-PARSE", fmt::format("{}: not valid JSON: line {}, column {}: {}", what_, line, col, msg));
  }

  [[noreturn]] void schema(const Path& at, const std::string& msg) const {
    fail("CIRCUIT-SCHEMA", fmt::format("{}: {}: {}", what_, at.str(), msg));
  }

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // What the next value is, for "expected X, found Y"; a syntax error if no value starts here.
  const char* found() {
    ws();
    if (p_ == end_) syntax("unexpected end of input");
    switch (*p_) {
      case '{':
        return "an object";
      case '[':
        return "an array";
      case '"':
        return "a string";
      case 't':
      case 'f':
        return "a boolean";
      case 'n':
        return "null";
      default:
        if (*p_ == '-' || (*p_ >= '0' && *p_ <= '9')) return "a number";
        syntax(fmt::format("unexpected character '{}'", *p_));
    }
  }

  bool at(char c) {
    ws();
    return p_ < end_ && *p_ == c;
  }

  void expect(char c) {
    if (!at(c)) syntax(p_ == end_ ? fmt::format("expected '{}' before the end", c) : fmt::format("expected '{}'", c));
    ++p_;
  }

  void end() {
    ws();
    if (p_ != end_) syntax("unexpected text after the netlist object");
  }

  std::string string(const Path& path) {
    if (!at('"')) schema(path, fmt::format("expected a string, found {}", found()));
    ++p_;
    std::string out;
    for (;;) {
      const char* run = p_;
      while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
             static_cast<unsigned char>(*p_) < 0x80)
        ++p_;
      out.append(run, p_);
      if (p_ == end_) syntax("unterminated string");
      unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return out;
      }
      if (c < 0x20) syntax("control character in a string (escape it)");
      if (c >= 0x80) {
        size_t len = utf8_length(reinterpret_cast<const unsigned char*>(begin_), static_cast<size_t>(p_ - begin_),
                                 static_cast<size_t>(end_ - begin_));
        if (len == 0) syntax("invalid UTF-8 in a string");
        out.append(p_, len);
        p_ += len;
        continue;
      }
      escape(out);
    }
  }

  // A number token (JSON grammar); `integral` tells whether it has no fraction or exponent.
  std::string_view number_token(const Path& path, bool* integral) {
    const char* kind = found();
    if (std::strcmp(kind, "a number") != 0) schema(path, fmt::format("expected a number, found {}", kind));
    const char* start = p_;
    if (*p_ == '-') ++p_;
    auto digits = [&] {
      const char* d = p_;
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
      return p_ - d;
    };
    if (p_ < end_ && *p_ == '0') {
      ++p_;
    } else if (digits() == 0) {
      syntax("malformed number");
    }
    *integral = true;
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      *integral = false;
      if (digits() == 0) syntax("malformed number");
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      *integral = false;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (digits() == 0) syntax("malformed number");
    }
    return std::string_view(start, static_cast<size_t>(p_ - start));
  }

  int64_t integer(const Path& path, int64_t lo, int64_t hi) {
    if (!at('-') && !(p_ < end_ && *p_ >= '0' && *p_ <= '9'))
      schema(path, fmt::format("expected an integer, found {}", found()));
    bool integral;
    std::string_view tok = number_token(path, &integral);
    if (!integral) schema(path, fmt::format("expected an integer, found {}", tok));
    int64_t v = 0;
    auto res = std::from_chars(tok.data(), tok.data() + tok.size(), v);
    if (res.ec != std::errc() || v < lo || v > hi)
      schema(path, fmt::format("{} is out of range [{}, {}]", tok, lo, hi));
    return v;
  }

  double number(const Path& path) {
    bool integral;
    std::string_view tok = number_token(path, &integral);
    double v = 0;
    auto res = std::from_chars(tok.data(), tok.data() + tok.size(), v);
    if (res.ec == std::errc::result_out_of_range) {
      // Past the double range: overflow is an error; underflow reads as a signed zero.
      if (decimal_magnitude(tok) > 0) schema(path, fmt::format("{} is not a finite double", tok));
      v = tok[0] == '-' ? -0.0 : 0.0;
    } else if (res.ec != std::errc()) {
      syntax("malformed number");
    }
    return v;
  }

  bool boolean(const Path& path) {
    ws();
    for (const auto& [word, value] : {std::pair<std::string_view, bool>{"true", true}, {"false", false}}) {
      if (static_cast<size_t>(end_ - p_) >= word.size() && std::string_view(p_, word.size()) == word) {
        p_ += word.size();
        return value;
      }
    }
    schema(path, fmt::format("expected true or false, found {}", found()));
    return false;
  }

  // Calls on_field(key, path) for each member; the callback must consume the value.
  template <class F>
  void object(const Path& path, F&& on_field) {
    if (!at('{')) schema(path, fmt::format("expected an object, found {}", found()));
    ++p_;
    if (at('}')) {
      ++p_;
      return;
    }
    for (;;) {
      if (!at('"')) syntax("expected a field name");
      std::string key = string(path);
      expect(':');
      on_field(key, path.field(key));
      if (at(',')) {
        ++p_;
        continue;
      }
      expect('}');
      return;
    }
  }

  // Calls on_item(index, path) for each element; the callback must consume the value.
  template <class F>
  void array(const Path& path, F&& on_item) {
    if (!at('[')) schema(path, fmt::format("expected an array, found {}", found()));
    ++p_;
    if (at(']')) {
      ++p_;
      return;
    }
    for (size_t i = 0;; ++i) {
      on_item(i, path.item(i));
      if (at(',')) {
        ++p_;
        continue;
      }
      expect(']');
      return;
    }
  }

 private:
  void escape(std::string& out) {
    ++p_;  // the backslash
    if (p_ == end_) syntax("unterminated string");
    char e = *p_++;
    switch (e) {
      case '"':
        out += '"';
        return;
      case '\\':
        out += '\\';
        return;
      case '/':
        out += '/';
        return;
      case 'b':
        out += '\b';
        return;
      case 'f':
        out += '\f';
        return;
      case 'n':
        out += '\n';
        return;
      case 'r':
        out += '\r';
        return;
      case 't':
        out += '\t';
        return;
      case 'u':
        break;
      default:
        syntax(fmt::format("invalid escape '\\{}'", e));
    }
    uint32_t cp = hex4();
    if (cp >= 0xdc00 && cp <= 0xdfff) syntax("unpaired UTF-16 surrogate in \\u escape");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') syntax("unpaired UTF-16 surrogate in \\u escape");
      p_ += 2;
      uint32_t low = hex4();
      if (low < 0xdc00 || low > 0xdfff) syntax("unpaired UTF-16 surrogate in \\u escape");
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xc0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xe0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (cp & 0x3f));
    }
  }

  uint32_t hex4() {
    if (end_ - p_ < 4) syntax("truncated \\u escape");
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = *p_++;
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        syntax("invalid hex digit in \\u escape");
    }
    return v;
  }

  // Decimal exponent of the first significant digit (> 0 means |x| >= 10), for a valid number token
  // that std::from_chars found out of range (so it is not zero).
  static int64_t decimal_magnitude(std::string_view tok) {
    size_t i = tok[0] == '-' ? 1 : 0;
    int64_t before_point = 0, first_nonzero = -1, pos = 0;
    bool point = false;
    for (; i < tok.size() && tok[i] != 'e' && tok[i] != 'E'; ++i) {
      if (tok[i] == '.') {
        point = true;
        continue;
      }
      if (!point) ++before_point;
      if (first_nonzero < 0 && tok[i] != '0') first_nonzero = pos;
      ++pos;
    }
    int64_t exp = 0;
    if (i < tok.size()) {
      std::string_view e = tok.substr(i + 1);
      if (!e.empty() && e[0] == '+') e.remove_prefix(1);
      // An exponent too long for int64 is far outside the double range either way.
      if (std::from_chars(e.data(), e.data() + e.size(), exp).ec != std::errc()) exp = e[0] == '-' ? -100000 : 100000;
    }
    return exp + before_point - first_nonzero;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  std::string what_;
};

// The fields of one JSON object: rejects unknown and repeated fields, then checks the required ones.
class Fields {
 public:
  static constexpr size_t kMax = 16;

  Fields(Parser& in, std::initializer_list<const char*> names, std::initializer_list<const char*> required) : in_(in) {
    for (const char* n : names) names_[count_++] = n;  // copied: an initializer_list's array dies with the call
    for (const char* r : required) required_ |= 1u << index(r);
  }

  // Index of `key` in the names; errors for unknown or repeated fields.
  size_t which(const std::string& key, const Path& at) {
    for (size_t i = 0; i < count_; ++i)
      if (key == names_[i]) {
        if (seen_ & (1u << i)) in_.schema(at, "repeated field");
        seen_ |= 1u << i;
        return i;
      }
    in_.schema(at, "unknown field");
  }

  void check_required(const Path& at) const {
    for (size_t i = 0; i < count_; ++i)
      if ((required_ & (1u << i)) && !(seen_ & (1u << i))) in_.schema(at.field(names_[i]), "missing");
  }

 private:
  size_t index(const char* name) const {
    for (size_t i = 0; i < count_; ++i)
      if (std::strcmp(names_[i], name) == 0) return i;
    return kMax;  // not reached: required names are among the names
  }

  Parser& in_;
  const char* names_[kMax] = {};
  size_t count_ = 0;
  uint32_t required_ = 0, seen_ = 0;
};

class Reader {
 public:
  Reader(const std::string& text, const std::string& what) : in_(text, what) {}

  Netlist netlist() {
    Netlist n;
    Fields f(in_, {"format", "version", "name", "pdk", "top", "info", "cells", "stages", "thermal_sites"},
             {"format", "version", "name", "pdk", "top", "cells"});
    in_.object(kRoot, [&](const std::string& key, const Path& at) {
      switch (f.which(key, at)) {
        case 0:
          if (in_.string(at) != kFormat)
            in_.schema(at, fmt::format("expected \"{}\" (is this a holo netlist?)", kFormat));
          break;
        case 1: {
          int64_t v = in_.integer(at, 0, std::numeric_limits<int64_t>::max());
          if (v != kVersion)
            in_.schema(at, fmt::format("version {} is not supported; this reader reads version {}", v, kVersion));
          break;
        }
        case 2:
          n.name = in_.string(at);
          break;
        case 3:
          n.pdk = in_.string(at);
          break;
        case 4:
          n.top = in_.string(at);
          break;
        case 5:
          n.info = info(at);
          break;
        case 6:
          in_.array(at, [&](size_t, const Path& ip) { n.cells.push_back(cell(ip)); });
          break;
        case 7:
          in_.array(at, [&](size_t, const Path& ip) { n.stages.push_back(stage(ip)); });
          break;
        default:
          in_.array(at, [&](size_t, const Path& ip) { thermal_tile(ip, n.thermal_sites); });
          break;
      }
    });
    f.check_required(kRoot);
    in_.end();
    return n;
  }

 private:
  std::map<std::string, std::string> info(const Path& at) {
    std::map<std::string, std::string> out;
    in_.object(at, [&](const std::string& key, const Path& kp) {
      if (!out.emplace(key, in_.string(kp)).second) in_.schema(kp, "repeated key");
    });
    return out;
  }

  PortRef port_ref(const Path& at) {
    PortRef r;
    size_t count = 0;
    in_.array(at, [&](size_t i, const Path& ip) {
      if (i >= 2) in_.schema(at, "expected [\"instance\", \"port\"], found a longer array");
      (i == 0 ? r.instance : r.port) = in_.string(ip);
      count = i + 1;
    });
    if (count != 2) in_.schema(at, "expected [\"instance\", \"port\"], found a shorter array");
    return r;
  }

  Cell cell(const Path& at) {
    Cell c;
    Fields f(in_, {"name", "kind", "info", "ports", "instances", "connections"}, {"name", "kind"});
    in_.object(at, [&](const std::string& key, const Path& kp) {
      switch (f.which(key, kp)) {
        case 0:
          c.name = in_.string(kp);
          break;
        case 1:
          c.kind = in_.string(kp);
          break;
        case 2:
          c.info = info(kp);
          break;
        case 3:
          in_.array(kp, [&](size_t, const Path& ip) { c.ports.push_back(cell_port(ip)); });
          break;
        case 4:
          in_.array(kp, [&](size_t, const Path& ip) { c.instances.push_back(instance(ip)); });
          break;
        default:
          in_.array(kp, [&](size_t, const Path& ip) { c.connections.push_back(connection(ip)); });
          break;
      }
    });
    f.check_required(at);
    return c;
  }

  CellPort cell_port(const Path& at) {
    CellPort p;
    Fields f(in_, {"name", "kind", "inner"}, {"name", "kind", "inner"});
    in_.object(at, [&](const std::string& key, const Path& kp) {
      switch (f.which(key, kp)) {
        case 0:
          p.name = in_.string(kp);
          break;
        case 1:
          p.kind = in_.string(kp);
          break;
        default:
          p.inner = port_ref(kp);
          break;
      }
    });
    f.check_required(at);
    return p;
  }

  Connection connection(const Path& at) {
    Connection c;
    Fields f(in_, {"a", "b"}, {"a", "b"});
    in_.object(at, [&](const std::string& key, const Path& kp) { (f.which(key, kp) == 0 ? c.a : c.b) = port_ref(kp); });
    f.check_required(at);
    return c;
  }

  Instance instance(const Path& at) {
    constexpr int64_t lo = std::numeric_limits<int32_t>::min(), hi = std::numeric_limits<int32_t>::max();
    Instance inst;
    Fields f(in_, {"name", "component", "column", "mode", "settings"}, {"name", "component"});
    in_.object(at, [&](const std::string& key, const Path& kp) {
      switch (f.which(key, kp)) {
        case 0:
          inst.name = in_.string(kp);
          break;
        case 1:
          inst.component = in_.string(kp);
          break;
        case 2:
          inst.column = static_cast<int32_t>(in_.integer(kp, lo, hi));
          break;
        case 3:
          inst.mode = static_cast<int32_t>(in_.integer(kp, lo, hi));
          break;
        default:
          in_.object(kp, [&](const std::string& name, const Path& sp) {
            if (!inst.settings.emplace(name, in_.number(sp)).second) in_.schema(sp, "repeated key");
          });
          break;
      }
    });
    f.check_required(at);
    return inst;
  }

  Stage stage(const Path& at) {
    constexpr int64_t big = std::numeric_limits<int64_t>::max();
    Stage s;
    Fields f(in_, {"node", "op", "domain", "reason", "layer_cell", "out_features", "in_features", "positions", "tiles"},
             {"node", "op", "domain"});
    in_.object(at, [&](const std::string& key, const Path& kp) {
      switch (f.which(key, kp)) {
        case 0:
          s.node = in_.string(kp);
          break;
        case 1:
          s.op = in_.string(kp);
          break;
        case 2:
          s.domain = in_.string(kp);
          break;
        case 3:
          s.reason = in_.string(kp);
          break;
        case 4:
          s.layer_cell = in_.string(kp);
          break;
        case 5:
          s.out_features = in_.integer(kp, 0, big);
          break;
        case 6:
          s.in_features = in_.integer(kp, 0, big);
          break;
        case 7:
          s.positions = in_.integer(kp, 1, big);
          break;
        default:
          in_.array(kp, [&](size_t, const Path& ip) { s.tiles.push_back(tile(ip)); });
          break;
      }
    });
    f.check_required(at);
    return s;
  }

  void thermal_tile(const Path& at, ThermalSites& all) {
    std::string tile;
    std::vector<ThermalSite> sites;
    Fields f(in_, {"tile", "sites"}, {"tile", "sites"});
    in_.object(at, [&](const std::string& key, const Path& kp) {
      if (f.which(key, kp) == 0)
        tile = in_.string(kp);
      else
        in_.array(kp, [&](size_t, const Path& ip) { sites.push_back(thermal_site(ip)); });
    });
    f.check_required(at);
    if (!all.emplace(tile, std::move(sites)).second) in_.schema(at.field("tile"), "repeated tile");
  }

  SegmentUm segment(const Path& at) {
    double v[3] = {0, 0, 0};
    size_t count = 0;
    in_.array(at, [&](size_t i, const Path& ip) {
      if (i >= 3) in_.schema(at, "expected [x0_um, x1_um, y_um], found a longer array");
      v[i] = in_.number(ip);
      count = i + 1;
    });
    if (count != 3) in_.schema(at, "expected [x0_um, x1_um, y_um], found a shorter array");
    if (!(v[1] > v[0])) in_.schema(at, "expected x0_um < x1_um");
    return {v[0], v[1], v[2]};
  }

  ThermalSite thermal_site(const Path& at) {
    ThermalSite s;
    Fields f(in_,
             {"part", "index", "shifter", "heater_um", "arm_um", "other_arm_um", "power_mw", "turns", "target_rad",
              "phi_offset_rad"},
             {"part", "index", "shifter", "heater_um", "arm_um"});
    in_.object(at, [&](const std::string& key, const Path& kp) {
      switch (f.which(key, kp)) {
        case 0:
          s.part = in_.string(kp);
          if (s.part != kTileVh && s.part != kTileAtt && s.part != kTileU)
            in_.schema(kp, "expected \"vh\", \"att\" or \"u\"");
          break;
        case 1:
          s.index = in_.integer(kp, 0, std::numeric_limits<int32_t>::max());
          break;
        case 2: {
          const std::string k = in_.string(kp);
          if (k == "theta")
            s.shifter = Shifter::Theta;
          else if (k == "phi")
            s.shifter = Shifter::Phi;
          else if (k == "screen")
            s.shifter = Shifter::Screen;
          else
            in_.schema(kp, "expected \"theta\", \"phi\" or \"screen\"");
          break;
        }
        case 3:
          s.heater = segment(kp);
          break;
        case 4:
          s.arm = segment(kp);
          break;
        case 5:
          s.other_arm = segment(kp);
          s.has_other_arm = true;
          break;
        case 6:
          s.power_mw = in_.number(kp);
          if (!(s.power_mw >= 0)) in_.schema(kp, "expected a power >= 0");
          break;
        case 7:
          s.turns = static_cast<int32_t>(in_.integer(kp, 0, std::numeric_limits<int32_t>::max()));
          break;
        case 8:
          s.target_rad = in_.number(kp);
          if (!(s.target_rad >= 0 && s.target_rad < 7)) in_.schema(kp, "expected a phase in [0, 2 pi)");
          break;
        default:
          s.phi_offset_rad = in_.number(kp);
          break;
      }
    });
    f.check_required(at);
    return s;
  }

  Tile tile(const Path& at) {
    constexpr int64_t big = std::numeric_limits<int64_t>::max();
    Tile t;
    Fields f(in_, {"cell", "row0", "rows", "col0", "cols", "gain", "drawn"}, {"cell", "row0", "rows", "col0", "cols"});
    in_.object(at, [&](const std::string& key, const Path& kp) {
      switch (f.which(key, kp)) {
        case 0:
          t.cell = in_.string(kp);
          break;
        case 1:
          t.row0 = in_.integer(kp, 0, big);
          break;
        case 2:
          t.rows = in_.integer(kp, 0, big);
          break;
        case 3:
          t.col0 = in_.integer(kp, 0, big);
          break;
        case 4:
          t.cols = in_.integer(kp, 0, big);
          break;
        case 5:
          t.gain = in_.number(kp);
          break;
        default:
          t.drawn = drawn(kp);
          break;
      }
    });
    f.check_required(at);
    if (t.drawn) {
      const auto cols = static_cast<size_t>(t.cols), rows = static_cast<size_t>(t.rows);
      if (t.drawn->in_length_um.size() != cols || t.drawn->in_bends.size() != cols ||
          t.drawn->out_length_um.size() != rows || t.drawn->out_bends.size() != rows)
        in_.schema(
            at.field("drawn"),
            fmt::format("expected {} input and {} output paths (the tile's cols and rows), found {} / {} / {} / {} "
                        "in_length_um / in_bends / out_length_um / out_bends",
                        cols, rows, t.drawn->in_length_um.size(), t.drawn->in_bends.size(),
                        t.drawn->out_length_um.size(), t.drawn->out_bends.size()));
    }
    return t;
  }

  // Lengths are >= 0 and finite, bends and crossings >= 0.
  DrawnPaths drawn(const Path& at) {
    constexpr int64_t big = std::numeric_limits<int32_t>::max();
    DrawnPaths d;
    auto length = [&](const Path& p) {
      const double v = in_.number(p);
      if (!(v >= 0.0) || !std::isfinite(v)) in_.schema(p, fmt::format("{} is not a length >= 0 (um)", v));
      return v;
    };
    Fields f(in_,
             {"fill_length_um", "slot_length_um", "crossings", "output_couplers", "in_length_um", "in_bends",
              "out_length_um", "out_bends"},
             {"fill_length_um", "slot_length_um", "crossings", "output_couplers", "in_length_um", "in_bends",
              "out_length_um", "out_bends"});
    in_.object(at, [&](const std::string& key, const Path& kp) {
      switch (f.which(key, kp)) {
        case 0:
          d.fill_length_um = length(kp);
          break;
        case 1:
          d.slot_length_um = length(kp);
          break;
        case 2:
          d.crossings = in_.integer(kp, 0, big);
          break;
        case 3:
          d.output_couplers = in_.boolean(kp);
          break;
        case 4:
          in_.array(kp, [&](size_t, const Path& ip) { d.in_length_um.push_back(length(ip)); });
          break;
        case 5:
          in_.array(kp, [&](size_t, const Path& ip) { d.in_bends.push_back(in_.integer(ip, 0, big)); });
          break;
        case 6:
          in_.array(kp, [&](size_t, const Path& ip) { d.out_length_um.push_back(length(ip)); });
          break;
        default:
          in_.array(kp, [&](size_t, const Path& ip) { d.out_bends.push_back(in_.integer(ip, 0, big)); });
          break;
      }
    });
    f.check_required(at);
    return d;
  }

  Parser in_;
};

}  // namespace

void write_json(const Netlist& n, TextSink& sink) {
  std::string& out = sink.text;
  out += "{\n  \"format\": ";
  append_string(out, kFormat);
  out += fmt::format(",\n  \"version\": {}", kVersion);
  out += ",\n  \"name\": ";
  append_string(out, n.name);
  out += ",\n  \"pdk\": ";
  append_string(out, n.pdk);
  out += ",\n  \"top\": ";
  append_string(out, n.top);
  out += ",\n  \"info\": ";
  append_info(out, n.info);
  out += ",\n  \"cells\": ";
  append_list(out, n.cells.size(), "    ", [&](size_t i) {
    append_cell(out, n.cells[i], i);
    sink.flush();
  });
  out += ",\n  \"stages\": ";
  append_list(out, n.stages.size(), "    ", [&](size_t i) { append_stage(out, n.stages[i], i); });
  if (!n.thermal_sites.empty()) {
    out += ",\n  \"thermal_sites\": ";
    append_thermal_sites(out, n.thermal_sites);
  }
  out += "\n}\n";
  sink.drain();
}

std::string to_json(const Netlist& n) {
  TextSink sink;
  size_t lines = 0;
  for (const Cell& c : n.cells) lines += c.instances.size() + c.connections.size() + c.ports.size();
  sink.text.reserve(4096 + lines * 100);
  write_json(n, sink);
  return std::move(sink.text);
}

void write_json_file(const Netlist& n, const std::string& path) {
  AtomicFile file(path);
  TextSink sink{{}, &file};
  write_json(n, sink);
  file.commit();
}

Netlist from_json(const std::string& text, const std::string& what) {
  return Reader(text, what).netlist();
}

Netlist read_netlist(const std::string& path) {
  return from_json(read_file(path), path);
}

}  // namespace holo::circuit
