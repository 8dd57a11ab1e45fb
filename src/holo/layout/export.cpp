#include "holo/layout/export.h"

#include <fmt/format.h>

#include <map>

#include "holo/support/text.h"

namespace holo::layout {
namespace {

struct Style {
  const char* color;
  const char* dither;  // KLayout dither pattern
  double opacity;      // SVG fill opacity; 0 = outline only
};

const std::map<std::string, Style>& styles() {
  static const std::map<std::string, Style> s = {
      {"WG", {"#1f77b4", "I5", 0.75}},       {"SLAB", {"#9ecae1", "I9", 0.5}}, {"HEATER", {"#ff7f0e", "I3", 0.6}},
      {"M2", {"#d4af37", "I7", 0.45}},       {"VIA", {"#202020", "I1", 0.9}},  {"PAD", {"#8c564b", "I11", 0.5}},
      {"PD", {"#2ca02c", "I4", 0.6}},        {"TEXT", {"#7f7f7f", "I0", 0.0}}, {"DEVREC", {"#9467bd", "I0", 0.0}},
      {"FLOORPLAN", {"#000000", "I0", 0.0}}, {"PORT", {"#e377c2", "I0", 0.0}},
  };
  return s;
}

const char* kPalette[] = {"#17becf", "#bcbd22", "#e377c2", "#7f7f7f", "#8c564b", "#9467bd", "#d62728"};

std::string um3(Coord nm) {  // nm as um with 3 decimals, exact
  Coord a = nm < 0 ? -nm : nm;
  return fmt::format("{}{}.{:03}", nm < 0 ? "-" : "", a / 1000, a % 1000);
}

}  // namespace

std::string layer_color(const std::string& name, size_t index) {
  auto it = styles().find(name);
  if (it != styles().end()) return it->second.color;
  return kPalette[index % (sizeof kPalette / sizeof kPalette[0])];
}

std::string layer_map_text(const pdk::Pdk& pdk) {
  std::string s = fmt::format(
      "# Layer map of PDK '{}' (KLayout layer-map format: layer/datatype : NAME (layer/datatype))\n", pdk.name);
  for (const pdk::Layer& l : pdk.layers) s += fmt::format("# {}: {}\n", l.name, l.description);
  for (const pdk::Layer& l : pdk.layers)
    s += fmt::format("{}/{} : {} ({}/{})\n", l.layer, l.datatype, l.name, l.layer, l.datatype);
  return s;
}

std::string lyp_text(const pdk::Pdk& pdk) {
  std::string s = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<layer-properties>\n";
  for (size_t i = 0; i < pdk.layers.size(); ++i) {
    const pdk::Layer& l = pdk.layers[i];
    auto it = styles().find(l.name);
    std::string color = layer_color(l.name, i);
    std::string dither = it != styles().end() ? it->second.dither : "I1";
    s += fmt::format(
        " <properties>\n"
        "  <frame-color>{0}</frame-color>\n  <fill-color>{0}</fill-color>\n"
        "  <frame-brightness>0</frame-brightness>\n  <fill-brightness>0</fill-brightness>\n"
        "  <dither-pattern>{1}</dither-pattern>\n  <line-style/>\n"
        "  <valid>true</valid>\n  <visible>true</visible>\n  <transparent>false</transparent>\n"
        "  <width>1</width>\n  <marked>false</marked>\n  <xfill>false</xfill>\n  <animation>0</animation>\n"
        "  <name>{2} {3}/{4}</name>\n  <source>{3}/{4}@1</source>\n"
        " </properties>\n",
        color, dither, xml_escape(l.name), l.layer, l.datatype);
  }
  s += " <name/>\n</layer-properties>\n";
  return s;
}

std::string svg_preview(const FlatLayout& flat, const pdk::Pdk& pdk, const SvgOptions& opts) {
  Box b;
  for (const auto& [l, v] : flat.polygons)
    for (const Polygon& p : v) b.add(bbox(p));
  if (b.empty()) b = Box{0, 0, 1000, 1000};
  b = b.enlarged(std::max<Coord>(1000, std::max(b.width(), b.height()) / 100));
  const double w_um = static_cast<double>(b.width()) / 1000, h_um = static_cast<double>(b.height()) / 1000;
  const double scale = opts.width_px / std::max(w_um, h_um);
  std::string s = fmt::format(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"{} {} {} {}\">\n"
      "<!-- holo layout preview, PDK {}; units um, y up (flipped by the transform) -->\n"
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n"
      "<g transform=\"scale(1,-1)\">\n",
      std::max(1.0, w_um * scale), std::max(1.0, h_um * scale), um3(b.x0), um3(-b.y1), um3(b.width()), um3(b.height()),
      xml_escape(pdk.name), um3(b.x0), um3(-b.y1), um3(b.width()), um3(b.height()));
  // PDK order puts the die outline and the large layers first; layers unknown to the PDK follow.
  std::vector<std::pair<std::string, LayerSpec>> order;
  std::map<LayerSpec, bool> seen;
  for (const pdk::Layer& l : pdk.layers) {
    LayerSpec ls{l.layer, l.datatype};
    if (l.name == "FLOORPLAN")
      order.insert(order.begin(), {l.name, ls});
    else
      order.push_back({l.name, ls});
    seen[ls] = true;
  }
  for (const auto& [l, v] : flat.polygons)
    if (!seen.count(l)) order.push_back({to_string(l), l});
  size_t written = 0, skipped = 0;
  const double stroke = 1.0 / scale;  // one pixel
  for (size_t k = 0; k < order.size(); ++k) {
    auto it = flat.polygons.find(order[k].second);
    if (it == flat.polygons.end() || it->second.empty()) continue;
    auto st = styles().find(order[k].first);
    double opacity = st != styles().end() ? st->second.opacity : 0.5;
    std::string color = layer_color(order[k].first, k);
    if (opacity > 0)
      s += fmt::format("<g id=\"{}\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"none\">\n", xml_escape(order[k].first),
                       color, opacity);
    else
      s += fmt::format("<g id=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{:.4g}\">\n",
                       xml_escape(order[k].first), color, stroke);
    for (const Polygon& p : it->second) {
      if (written >= opts.max_polygons) {
        ++skipped;
        continue;
      }
      ++written;
      s += "<path d=\"M";
      for (size_t i = 0; i < p.size(); ++i) s += fmt::format("{}{} {}", i ? " L" : "", um3(p[i].x), um3(p[i].y));
      s += "Z\"/>\n";
    }
    s += "</g>\n";
  }
  s += "</g>\n";
  if (skipped)
    s += fmt::format("<!-- {} polygons beyond the limit of {} were left out -->\n", skipped, opts.max_polygons);
  s += "</svg>\n";
  return s;
}

}  // namespace holo::layout
