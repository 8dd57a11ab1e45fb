// Interop exporters (docs/circuit-json.md, "YAML" and "SPICE"): gdsfactory's schematic YAML, one document
// per cell, and a SPICE-style netlist, one .subckt per cell. Both are written by hand, deterministically.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "holo/circuit/io.h"
#include "holo/circuit/verify.h"

namespace holo::circuit {
namespace {

// Shortest decimal form that parses back to the same double.
std::string shortest(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

// ---------------------------------------------------------------------------------------------------
// YAML

// YAML 1.1 (PyYAML) reads a float only with a '.' in the mantissa and a signed exponent: 1e-05 would be
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

// A plain (unquoted) scalar is used only when YAML cannot read it as anything but this string: a letter
// or '_' first, then letters, digits and _ . - / , only, and not a YAML 1.1 boolean or null word.
bool yaml_plain_ok(std::string_view s) {
  if (s.empty()) return false;
  char c0 = s[0];
  if (!((c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || c0 == '_')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
          c == '-' || c == '/' || c == ','))
      return false;
  if (s.size() > 5) return true;
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  static const std::set<std::string, std::less<>> reserved{"y", "n", "yes", "no", "true", "false", "on", "off", "null"};
  return !reserved.count(lower);
}

void append_yaml_str(std::string& out, std::string_view s) {
  if (yaml_plain_ok(s)) {
    out += s;
    return;
  }
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f)
          out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
        else
          out += static_cast<char>(c);
    }
  }
  out += '"';
}

std::string yaml_str(std::string_view s) {
  std::string out;
  append_yaml_str(out, s);
  return out;
}

void append_yaml_ref(std::string& out, const PortRef& r) {
  append_yaml_str(out, r.instance + "," + r.port);
}

// ---------------------------------------------------------------------------------------------------
// SPICE

// SPICE comments must stay on one line.
std::string one_line(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

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

// The port names of a component, in the order its nets are written.
using PortLister = std::function<const std::vector<std::string>&(const std::string& component)>;

void append_subckt(std::string& out, const Cell& c, const PortLister& ports_of) {
  out += "\n.subckt ";
  out += c.name;
  for (const CellPort& p : c.ports) {
    out += ' ';
    out += p.name;
  }
  out += '\n';

  // nets[i][k]: the net on port k of instance i ("" until assigned).
  std::unordered_map<std::string_view, size_t> index;
  index.reserve(c.instances.size());
  std::vector<const std::vector<std::string>*> ports(c.instances.size());
  std::vector<std::vector<std::string>> nets(c.instances.size());
  for (size_t i = 0; i < c.instances.size(); ++i) {
    index.emplace(c.instances[i].name, i);
    ports[i] = &ports_of(c.instances[i].component);
    nets[i].resize(ports[i]->size());
  }
  // The net slot of a reference, or nullptr when it names no port (the verifier reports those).
  auto slot = [&](const PortRef& r) -> std::string* {
    auto it = index.find(r.instance);
    if (it == index.end()) return nullptr;
    const std::vector<std::string>& names = *ports[it->second];
    for (size_t k = 0; k < names.size(); ++k)
      if (names[k] == r.port) return &nets[it->second][k];
    return nullptr;
  };
  for (const CellPort& p : c.ports)
    if (std::string* s = slot(p.inner)) *s = p.name;
  for (size_t k = 0; k < c.connections.size(); ++k) {
    std::string* a = slot(c.connections[k].a);
    std::string* b = slot(c.connections[k].b);
    // A connection that touches an exposed port joins the cell port's net.
    std::string name = a && !a->empty() ? *a : b && !b->empty() ? *b : fmt::format("N${}", k);
    if (a) *a = name;
    if (b) *b = name;
  }
  int64_t open = 0;
  for (size_t i = 0; i < c.instances.size(); ++i) {
    const Instance& inst = c.instances[i];
    out += 'X';
    out += inst.name;
    for (const std::string& net : nets[i]) {
      out += ' ';
      if (net.empty())
        out += fmt::format("NC${}", open++);
      else
        out += net;
    }
    out += ' ';
    out += inst.component;
    for (const auto& [k, v] : inst.settings) {
      out += ' ';
      out += k;
      out += '=';
      out += shortest(v);
    }
    out += '\n';
  }
  out += ".ends ";
  out += c.name;
  out += '\n';
}

// Lines the exporters write, to reserve the output once (growth by doubling costs page faults on
// outputs of hundreds of MB).
size_t line_count(const Netlist& n) {
  size_t lines = 0;
  for (const Cell& c : n.cells) lines += 3 * c.instances.size() + c.connections.size() + c.ports.size();
  return lines;
}

void spice(const Netlist& n, const PortLister& ports_of, TextSink& sink) {
  std::string& out = sink.text;
  out += "* holo-circuit SPICE-style netlist '" + one_line(n.name) + "' (PDK " + one_line(n.pdk) + ")\n";
  out += "* one .subckt per cell, leaves first, top cell '" + one_line(n.top) + "' last.\n";
  out += "* nets: a cell port's name, N$<k> for the cell's k-th connection, NC$<k> for a port left open.\n";
  for (const Cell& c : n.cells) {
    append_subckt(out, c, ports_of);
    sink.flush();
  }
  if (const Cell* top = n.find_cell(n.top)) {
    out += "\nX" + top->name;
    for (const CellPort& p : top->ports) out += " " + p.name;
    out += " " + top->name + "\n";
  }
  out += ".end\n";
  sink.drain();
}

}  // namespace

std::string to_pic_yml(const Netlist& n) {
  return to_pic_yml(n, PicYmlOptions{});
}

std::string to_pic_yml(const Netlist& n, const PicYmlOptions& options) {
  TextSink sink;
  sink.text.reserve(4096 + 64 * line_count(n));
  write_pic_yml(n, options, sink);
  return std::move(sink.text);
}

void write_pic_yml(const Netlist& n, const PicYmlOptions& options, TextSink& sink) {
  std::string& out = sink.text;
  out +=
      "# holo-circuit netlist " + yaml_str(n.name) + " (PDK " + yaml_str(n.pdk) + ") in gdsfactory's schematic form:\n";
  out += "# one YAML document per cell, leaves first, the top cell " + yaml_str(n.top) + " last.\n";
  out += fmt::format("# placements: x = column * {} um, y = -mode * {} um (logical mesh grid).\n",
                     yaml_double(options.column_pitch_um), yaml_double(options.mode_pitch_um));
  const std::string pdk = yaml_str(n.pdk);
  for (const Cell& c : n.cells) {
    out += "---\nname: ";
    append_yaml_str(out, c.name);
    out += "\ninfo:\n  kind: ";
    append_yaml_str(out, c.kind);
    out += "\n  pdk: " + pdk + "\n";
    if (!c.info.empty()) {
      out += "  metadata:\n";
      for (const auto& [k, v] : c.info) {
        out += "    ";
        append_yaml_str(out, k);
        out += ": ";
        append_yaml_str(out, v);
        out += '\n';
      }
    }
    out += c.instances.empty() ? "instances: {}\n" : "instances:\n";
    for (const Instance& inst : c.instances) {
      out += "  ";
      append_yaml_str(out, inst.name);
      out += ":\n    component: ";
      append_yaml_str(out, inst.component);
      out += '\n';
      if (inst.settings.empty()) continue;
      out += "    settings:\n";
      for (const auto& [k, v] : inst.settings) {
        out += "      ";
        append_yaml_str(out, k);
        out += ": ";
        out += yaml_double(v);
        out += '\n';
      }
    }
    bool any_placed = false;
    for (const Instance& inst : c.instances) {
      if (inst.column < 0 || inst.mode < 0) continue;
      if (!any_placed) out += "placements:\n";
      any_placed = true;
      double x = inst.column * options.column_pitch_um;
      double y = 0.0 - inst.mode * options.mode_pitch_um;  // 0.0 - 0.0 is +0.0: never "-0.0"
      out += "  ";
      append_yaml_str(out, inst.name);
      out += ": {x: " + yaml_double(x) + ", y: " + yaml_double(y) + "}\n";
    }
    if (!c.connections.empty()) {
      out += "connections:\n";
      for (const Connection& con : c.connections) {
        out += "  ";
        append_yaml_ref(out, con.a);
        out += ": ";
        append_yaml_ref(out, con.b);
        out += '\n';
      }
    }
    if (!c.ports.empty()) {
      out += "ports:\n";
      for (const CellPort& p : c.ports) {
        out += "  ";
        append_yaml_str(out, p.name);
        out += ": ";
        append_yaml_ref(out, p.inner);
        out += '\n';
      }
    }
    sink.flush();
  }
  sink.drain();
}

std::string to_spice(const Netlist& n) {
  // Without a PDK: a cell's ports from its port list, a template's from the names the netlist uses.
  std::map<std::string, std::set<std::string>> used;
  for (const Cell& c : n.cells) {
    std::unordered_map<std::string_view, const std::string*> component;
    for (const Instance& inst : c.instances) component.emplace(inst.name, &inst.component);
    auto note = [&](const PortRef& r) {
      auto it = component.find(r.instance);
      if (it != component.end()) used[*it->second].insert(r.port);
    };
    for (const CellPort& p : c.ports) note(p.inner);
    for (const Connection& con : c.connections) {
      note(con.a);
      note(con.b);
    }
  }
  std::map<std::string, std::vector<std::string>> order;
  for (const Cell& c : n.cells) {
    std::vector<std::string>& v = order[c.name];
    for (const CellPort& p : c.ports) v.push_back(p.name);
  }
  for (auto& [component, names] : used) {
    if (n.find_cell(component)) continue;
    std::vector<std::string> v(names.begin(), names.end());
    std::sort(v.begin(), v.end(), natural_less);
    order[component] = std::move(v);
  }
  TextSink sink;
  sink.text.reserve(4096 + 40 * line_count(n));
  spice(
      n,
      [&](const std::string& component) -> const std::vector<std::string>& {
        return order[component];  // a component with no used port gets an empty list
      },
      sink);
  return std::move(sink.text);
}

void write_spice(const Netlist& n, const pdk::Pdk& pdk, TextSink& sink) {
  std::map<std::string, std::vector<std::string>> cache;  // node-based: references stay valid
  spice(
      n,
      [&](const std::string& component) -> const std::vector<std::string>& {
        auto it = cache.find(component);
        if (it != cache.end()) return it->second;
        std::vector<std::string> v;
        for (const pdk::Port& p : component_ports(n, pdk, component)) v.push_back(p.name);
        return cache.emplace(component, std::move(v)).first->second;
      },
      sink);
}

std::string to_spice(const Netlist& n, const pdk::Pdk& pdk) {
  TextSink sink;
  sink.text.reserve(4096 + 40 * line_count(n));
  write_spice(n, pdk, sink);
  return std::move(sink.text);
}

}  // namespace holo::circuit
