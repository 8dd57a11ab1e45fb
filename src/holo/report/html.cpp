// report.html (report.h): the compile report for people as one self-contained page. The charts are inline SVG
// drawn here; the layout preview is chip.svg embedded as a data: URI (or linked when large). No script, no
// external resource, no timestamp: the same compile gives the same bytes.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "holo/circuit/compiled.h"
#include "holo/report/report.h"
#include "holo/support/text.h"

namespace holo::report {

std::optional<WorstPathReport> worst_path_report(const circuit::Netlist& n, const pdk::Pdk& pdk) {
  std::optional<WorstPathReport> worst;
  for (const circuit::Stage& st : n.stages) {
    if (st.domain != "optical") continue;
    for (const circuit::Tile& t : st.tiles) {
      circuit::TileLoss l = circuit::tile_loss(t, pdk, circuit::LossOptions{});
      const circuit::WorstPath p = circuit::worst_path(circuit::read_tile(n, t.cell), l);
      if (worst && p.loss_db <= worst->path.loss_db) continue;
      worst = WorstPathReport{st.node, t.cell, p, std::move(l)};
    }
  }
  return worst;
}

// The breakdown report.html draws: every contributor of total_power_mw (analysis::ChipMetrics::power_breakdown_mw).
std::map<std::string, double> power_parts(const analysis::ChipMetrics& m) {
  return m.power_breakdown_mw;  // analysis::charge_laser keeps it in step with total_power_mw
}

namespace {

// Text into HTML (element content and quoted attributes). Only the five XML escapes: the inline SVG stays
// well-formed XML.
std::string esc(std::string_view s) {
  return xml_escape(s);
}

// At most `max` bytes of s, not cutting a UTF-8 sequence, with an ellipsis when shortened.
std::string shorten(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t k = max;
  while (k > 0 && (static_cast<unsigned char>(s[k]) & 0xC0) == 0x80) --k;
  return s.substr(0, k) + "\xE2\x80\xA6";
}

std::string group_thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), o;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) o += ',';
    o += digits[i];
  }
  return v < 0 ? "-" + o : o;
}

// A number for people: four significant digits, thousands grouped, powers of ten outside [1e-3, 1e7). `html`:
// the exponent as a superscript (else 1.234e7, for SVG text).
std::string num(double v, bool html = true) {
  if (std::isnan(v)) return "n/a";
  if (std::isinf(v)) return v > 0 ? "&#8734;" : "&#8722;&#8734;";
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e7 || a < 1e-3) {
    int e = static_cast<int>(std::floor(std::log10(a)));
    double mant = v / std::pow(10.0, e);
    if (std::fabs(std::round(mant * 1000) / 1000) >= 10) {
      mant /= 10;
      ++e;
    }
    std::string ms = fmt::format("{:.3f}", mant);
    while (ms.back() == '0') ms.pop_back();
    if (ms.back() == '.') ms.pop_back();
    return html ? fmt::format("{}&#215;10<sup>{}</sup>", ms, e) : fmt::format("{}e{}", ms, e);
  }
  if (a >= 1000) return group_thousands(std::llround(v));
  const int decimals = 3 - static_cast<int>(std::floor(std::log10(a)));
  std::string s = fmt::format("{:.{}f}", v, std::max(0, decimals));
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

// The exact value, for a title attribute.
std::string exact(double v) {
  return fmt::format("{:.17g}", v);
}

// The unit a figure key names by its suffix (docs/physics.md: the unit is in the key), as HTML (numeric character
// references only: valid in SVG text too). "" for a plain number.
std::string unit_of(const std::string& key) {
  static const std::vector<std::pair<std::string_view, std::string_view>> units = {{"db", "dB"},
                                                                                   {"mw", "mW"},
                                                                                   {"w", "W"},
                                                                                   {"uw", "&#181;W"},
                                                                                   {"ps", "ps"},
                                                                                   {"ns", "ns"},
                                                                                   {"us", "&#181;s"},
                                                                                   {"s", "s"},
                                                                                   {"mm2", "mm&#178;"},
                                                                                   {"um2", "&#181;m&#178;"},
                                                                                   {"mm", "mm"},
                                                                                   {"um", "&#181;m"},
                                                                                   {"nm", "nm"},
                                                                                   {"cm", "cm"},
                                                                                   {"pj", "pJ"},
                                                                                   {"fj", "fJ"},
                                                                                   {"nj", "nJ"},
                                                                                   {"gbaud", "GBd"},
                                                                                   {"ghz", "GHz"},
                                                                                   {"mhz", "MHz"},
                                                                                   {"hz", "Hz"},
                                                                                   {"rad", "rad"},
                                                                                   {"k", "K"},
                                                                                   {"tops", "TOPS"},
                                                                                   {"percent", "%"},
                                                                                   {"pp", "pp"},
                                                                                   {"macs", "MACs"},
                                                                                   {"samples", "samples"},
                                                                                   {"symbols", "symbols"},
                                                                                   {"sample", "sample"},
                                                                                   {"symbol", "symbol"},
                                                                                   {"mac", "MAC"}};
  auto name = [&](std::string_view word) -> std::string {
    for (const auto& u : units)
      if (u.first == word) return std::string(u.second);
    return "";
  };
  std::vector<std::string_view> words;
  for (size_t at = 0; at <= key.size();) {
    const size_t end = std::min(key.find('_', at), key.size());
    words.push_back(std::string_view(key).substr(at, end - at));
    at = end + 1;
  }
  // "<a>_per_<b>" anywhere (tops_per_w_no_heaters, throughput_macs_per_s, symbols_per_sample): a / b.
  for (size_t i = 1; i + 1 < words.size(); ++i)
    if (words[i] == "per") {
      const std::string a = name(words[i - 1]), b = name(words[i + 1]);
      if (!a.empty() && !b.empty()) return a + "/" + b;
    }
  return words.empty() ? "" : name(words.back());
}

const char* const kCss = R"(body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
margin:2em auto;max-width:1100px;padding:0 1em;color:#1b1f24;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #d0d7de;padding:.25em .6em;vertical-align:top;
text-align:left}th{background:#f3f5f7}td.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
code{font-size:.9em;background:#f3f5f7;padding:0 .2em}.small,details{font-size:.85em;color:#444}
summary{cursor:pointer;color:#0b5cad}.note{color:#444}.warn td:first-child{color:#9a3b00}
nav a{margin-right:1em}figure{margin:.5em 0}svg text{font-family:inherit;font-size:12px}
img.chip{max-width:100%;border:1px solid #d0d7de;background:#fff})";

// A horizontal bar chart: one row per bar, label left, bar scaled to the largest value, value right.
struct Bar {
  std::string label;  // raw text (escaped here)
  double value = 0;
  bool mark = false;  // drawn in the highlight colour
};

std::string bar_chart(const std::string& id, const std::string& caption, const std::vector<Bar>& bars,
                      const std::string& unit) {
  constexpr double kLabelW = 300, kBarW = 420, kRowH = 22, kTop = 6, kValueW = 130;
  double top = 0;
  for (const Bar& b : bars) top = std::max(top, b.value);
  const double height = kTop * 2 + kRowH * static_cast<double>(bars.size());
  const double width = kLabelW + kBarW + kValueW;
  std::string s = fmt::format(
      "<figure><svg id=\"{}\" width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\" role=\"img\" "
      "aria-label=\"{}\">\n",
      id, width, height, width, height, esc(caption));
  for (size_t k = 0; k < bars.size(); ++k) {
    const Bar& b = bars[k];
    const double y = kTop + kRowH * static_cast<double>(k);
    const double w = top > 0 && b.value > 0 ? kBarW * b.value / top : 0.0;
    s += fmt::format(
        "<g><title>{}: {} {}</title><text x=\"{:.0f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>"
        "<rect x=\"{:.0f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{:.0f}\" fill=\"{}\"/>"
        "<text x=\"{:.2f}\" y=\"{:.1f}\">{} {}</text></g>\n",
        esc(b.label), num(b.value, false), unit, kLabelW - 8, y + 15, esc(shorten(b.label, 44)), kLabelW, y + 3, w,
        kRowH - 6, b.mark ? "#d9822b" : "#3b75af", kLabelW + w + 6, y + 15, num(b.value, false), unit);
  }
  s += fmt::format("</svg><figcaption class=\"small\">{}</figcaption></figure>\n", esc(caption));
  return s;
}

std::string base64(std::string_view in) {
  static const char* const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string o;
  o.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    o += kAlphabet[(v >> 18) & 63];
    o += kAlphabet[(v >> 12) & 63];
    o += kAlphabet[(v >> 6) & 63];
    o += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    o += kAlphabet[(v >> 18) & 63];
    o += kAlphabet[(v >> 12) & 63];
    o += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    o += '=';
  }
  return o;
}

// Power contributors in the order drawn, with their labels; other keys follow in name order.
const std::vector<std::pair<std::string, std::string>>& power_labels() {
  static const std::vector<std::pair<std::string, std::string>> labels = {
      {"heaters", "phase-shifter heaters (static)"},
      {"laser", "laser (wall-plug)"},
      {"dacs", "signal DACs"},
      {"modulators", "modulators"},
      {"adcs", "ADCs"},
      {"receivers", "receivers"},
      {"accumulators", "accumulators"},
      {"nonlinearities", "electronic nonlinearities"},
      {"electronics", "electronics"}};
  return labels;
}

std::string power_section(const analysis::ChipMetrics& m) {
  const std::map<std::string, double> parts = power_parts(m);
  std::string s = "<h2 id=\"power\">Power breakdown</h2>\n";
  if (parts.empty()) return s + "<p class=\"note\">No power figures.</p>\n";
  std::vector<Bar> bars;
  std::map<std::string, double> rest = parts;
  for (const auto& kl : power_labels()) {
    auto it = rest.find(kl.first);
    if (it == rest.end()) continue;
    bars.push_back({kl.second, it->second, false});
    rest.erase(it);
  }
  for (const auto& kv : rest) bars.push_back({kv.first, kv.second, false});
  double total = 0;
  for (const Bar& b : bars) total += b.value;
  size_t largest = 0;
  for (size_t k = 1; k < bars.size(); ++k)
    if (bars[k].value > bars[largest].value) largest = k;
  bars[largest].mark = true;
  s += fmt::format(
      "<p>Total <b>{} mW</b> at the pipelined throughput: the static power, plus the per-sample energies at the "
      "sample rate{}. The largest contributor is highlighted.</p>\n",
      num(total),
      parts.count("electronics") ? " (electronics: the signal DACs, modulators, ADCs and accumulators)" : "");
  s += bar_chart("power-breakdown", "power by contributor (mW)", bars, "mW");
  s += "<table><tr><th>contributor</th><th>power (mW)</th><th>share</th></tr>\n";
  for (const Bar& b : bars)
    s += fmt::format("<tr><td>{}</td><td class=\"num\" title=\"{}\">{}</td><td class=\"num\">{}</td></tr>\n",
                     esc(b.label), exact(b.value), num(b.value),
                     total > 0 ? fmt::format("{:.1f} %", 100 * b.value / total) : "");
  return s + "</table>\n";
}

std::string loss_section(const circuit::Netlist& n, const analysis::ChipMetrics& m, const CompileInfo& info) {
  std::string s = "<h2 id=\"loss\">Loss along the worst path</h2>\n";
  std::vector<Bar> bars;
  bool drawn = false;
  size_t worst = 0;
  for (const circuit::Stage& st : n.stages) {
    auto it = m.stage_loss.find(st.node);
    if (it == m.stage_loss.end()) continue;
    drawn = drawn || it->second.drawn;
    if (!bars.empty() && it->second.loss_db > bars[worst].value) worst = bars.size();
    bars.push_back({st.node, it->second.loss_db, false});
  }
  if (bars.empty()) return s + "<p class=\"note\">No optical stage.</p>\n";
  bars[worst].mark = true;
  s += fmt::format(
      "<p>Per optical stage, the loss of its worst input &#8594; output path (laser to detector, on the {} paths; the "
      "worst stage is highlighted).</p>\n",
      drawn ? "layout's drawn" : "schematic");
  s += bar_chart("stage-loss", "worst-path loss per optical stage (dB)", bars, "dB");
  if (!info.worst_path) return s;
  const WorstPathReport& w = *info.worst_path;
  const circuit::WorstPath& p = w.path;
  const circuit::TileLoss& l = w.loss;
  if (p.input < 0 || p.output < 0) return s;
  std::vector<Bar> parts;
  auto add = [&parts](const std::string& label, double db, bool present = true) {
    if (present) parts.push_back({label, db, false});
  };
  add(fmt::format("input {}: coupler, modulator, fan-in", p.input), l.in_db[static_cast<size_t>(p.input)]);
  add(fmt::format("V^H mesh: {} MZI(s)", p.vh_mzis), static_cast<double>(p.vh_mzis) * l.mzi_db);
  add(fmt::format("V^H mesh: {} idle slot(s)", p.vh_idle_slots), static_cast<double>(p.vh_idle_slots) * l.idle_slot_db,
      p.vh_idle_slots > 0);
  add("V^H output phase screen", static_cast<double>(p.vh_screens) * l.screen_db, p.vh_screens > 0);
  add("attenuator", static_cast<double>(p.attenuators) * l.attenuator_db);
  add(fmt::format("U mesh: {} MZI(s)", p.u_mzis), static_cast<double>(p.u_mzis) * l.mzi_db);
  add(fmt::format("U mesh: {} idle slot(s)", p.u_idle_slots), static_cast<double>(p.u_idle_slots) * l.idle_slot_db,
      p.u_idle_slots > 0);
  add("U output phase screen", static_cast<double>(p.u_screens) * l.screen_db, p.u_screens > 0);
  add("straights and crossings in the tile", l.fill_db, l.fill_db > 0);
  add(fmt::format("output {}: fan-out, coupler, receiver", p.output), l.out_db[static_cast<size_t>(p.output)]);
  size_t largest = 0;
  for (size_t k = 1; k < parts.size(); ++k)
    if (parts[k].value > parts[largest].value) largest = k;
  parts[largest].mark = true;
  s += fmt::format(
      "<p>The chip's worst path: stage <code>{}</code>, tile <code>{}</code>, input {} &#8594; output {}, "
      "<b>{} dB</b> ({} paths), element by element (the loss model of <code>circuit/path_loss.h</code>, the one the "
      "simulator uses):</p>\n",
      esc(w.stage), esc(w.tile), p.input, p.output, num(p.loss_db), l.drawn ? "drawn" : "schematic");
  s += bar_chart("worst-path-loss", "contributions to the worst path's loss (dB)", parts, "dB");
  return s;
}

std::string laser_section(const analysis::ChipMetrics& m, const LaserReport& l) {
  std::string s = "<h2 id=\"laser\">Laser power</h2>\n";
  if (!l.decided) return s + "<p class=\"note\">Not decided (the laser_power stage did not run).</p>\n";
  if (!l.calibrated)
    s += fmt::format(
        "<p><b>Not calibrated</b>: the figures charge the PDK's {} mW per channel, a power at which the chip's "
        "accuracy is unknown (<code>laser_power_required_mw</code> is null). <code>holo compile --calibrate X.npy "
        "[--calibrate-labels y.npy]</code> finds the power the chip needs.</p>\n",
        num(m.laser.per_channel_mw));
  else if (l.required_found)
    s += fmt::format(
        "<p><b>Calibrated</b>: the chip needs <b>{} mW per channel</b> (<code>laser_power_required_mw</code>), "
        "found by simulation; the figures are charged at it.</p>\n",
        num(l.required_mw));
  else
    s += fmt::format(
        "<p><b>Not reachable below the cap</b>: the figures are charged at the cap, {} mW per channel "
        "(<code>laser_power_required_mw</code> is null; warning <code>LASER-POWER-CAP</code>).</p>\n",
        num(l.cap_per_channel_mw));
  s += "<table>\n";
  auto row = [&s](const std::string& what, const std::string& value) {
    s += fmt::format("<tr><th>{}</th><td>{}</td></tr>\n", what, value);
  };
  row("charged per channel",
      fmt::format("{} mW ({})", num(m.laser.per_channel_mw), analysis::laser_basis_name(m.laser.basis)));
  if (l.waveguide_max_mw > 0.0)
    row("cap per channel", fmt::format("{} mW = {}", num(l.cap_per_channel_mw), esc(l.cap_method)));
  else
    row("cap per channel", "none computed (the PDK gives no waveguide.max_power_mw)");
  if (l.calibrated) {
    row("criterion", esc(l.criterion));
    row("calibration batch",
        fmt::format("{} ({} samples{}), seed {}, {} draw(s) per power", esc(l.batch), l.samples,
                    l.labels.empty() ? ", no labels" : ", labels " + esc(l.labels), l.seed, l.draws));
    row("search", fmt::format("bisection in log power between {} mW and the cap, {} evaluations, tolerance {} "
                              "(outcome: {}{})",
                              num(l.floor_mw), l.evaluations, num(l.tolerance), esc(l.outcome),
                              l.outcome == "found" ? fmt::format("; {} mW fails", num(l.below_mw)) : ""));
    if (l.labelled)
      row("at the charged power", fmt::format("accuracy {:.4f} (reference {:.4f}), agreement {:.4f}", l.accuracy,
                                              l.reference_accuracy, l.agreement));
    else
      row("at the charged power", fmt::format("agreement {:.4f}", l.agreement));
    row("simulator", esc(l.simulator));
  }
  return s + "</table>\n";
}

std::string chip_section(const ChipPreview& chip) {
  std::string s = "<h2 id=\"chip\">Chip layout</h2>\n";
  if (!chip.svg.empty())
    return s +
           "<p class=\"small\">The layout preview (chip.svg, embedded).</p>\n<img class=\"chip\" "
           "alt=\"chip layout preview\" src=\"data:image/svg+xml;base64," +
           base64(chip.svg) + "\">\n";
  if (chip.bytes > 0)
    return s + fmt::format(
                   "<p>The layout preview is too large to embed here ({:.1f} MB): it is <a href=\"chip.svg\">chip.svg"
                   "</a>, beside this report.</p>\n",
                   static_cast<double>(chip.bytes) / (1 << 20));
  return s +
         "<p class=\"note\">No layout preview: the layout did not run (<code>--no-layout</code>, or a chip too "
         "large for GDSII: see the warnings).</p>\n";
}

}  // namespace

std::string report_html(const circuit::Netlist& n, const analysis::ChipMetrics& m, const CompileInfo& info,
                        const ChipPreview& chip) {
  std::string s = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
      "content=\"width=device-width, initial-scale=1\">\n<title>holo compile report: {} on {}</title>\n<style>\n{}\n"
      "</style>\n</head>\n<body>\n",
      esc(info.model), esc(n.pdk), kCss);
  s += fmt::format("<h1>Compile report: {}</h1>\n", esc(info.model));
  s += fmt::format(
      "<p>PDK <code>{}</code> ({}), mesh size {} ({}), activations <code>{}</code>, {}-bit phase DACs, rank energy "
      "{}. {} MACs per sample.</p>\n",
      esc(n.pdk), esc(info.pdk_path), info.mesh_size, esc(info.method), esc(info.activation), info.dac_bits,
      num(info.rank_energy), group_thousands(m.macs_per_sample));
  s += "<nav><a href=\"#figures\">figures</a><a href=\"#power\">power</a><a href=\"#loss\">loss</a><a "
       "href=\"#laser\">laser</a><a href=\"#warnings\">warnings</a><a href=\"#chip\">layout</a><a "
       "href=\"#counts\">counts</a><a href=\"#stages\">stages</a></nav>\n";

  s += "<h2 id=\"figures\">Key figures</h2>\n<table>\n<tr><th>figure</th><th>value</th><th>unit</th><th>how it was "
       "computed</th></tr>\n";
  for (const analysis::Figure& f : m.figures)
    s += fmt::format(
        "<tr id=\"fig-{}\"><td>{}<br><code>{}</code></td><td class=\"num\" title=\"{}\">{}</td><td>{}</td>"
        "<td><details><summary>method</summary>{}</details></td></tr>\n",
        esc(f.key), esc(f.label), esc(f.key), exact(f.value), num(f.value), unit_of(f.key), esc(f.method));
  s += "</table>\n";

  s += power_section(m);
  s += loss_section(n, m, info);
  s += laser_section(m, info.laser);

  s += "<h2 id=\"warnings\">Warnings</h2>\n";
  if (info.warnings.empty()) {
    s += "<p class=\"note\">None.</p>\n";
  } else {
    s += "<table class=\"warn\">\n<tr><th>code</th><th>message</th></tr>\n";
    for (const Warning& w : info.warnings)
      s += fmt::format("<tr><td><code>{}</code></td><td>{}</td></tr>\n", esc(w.code), esc(w.message));
    s += "</table>\n";
  }

  s += chip_section(chip);

  s += "<h2 id=\"counts\">Counts</h2>\n<table>\n<tr><th>item</th><th>count</th></tr>\n";
  for (const auto& kv : m.counts)
    s += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", esc(kv.first), group_thousands(kv.second));
  s += "</table>\n";

  s += "<h2 id=\"stages\">Stages</h2>\n<table>\n<tr><th>node</th><th>op</th><th>domain</th><th>detail</th>"
       "<th>worst-path loss (dB)</th></tr>\n";
  for (const circuit::Stage& st : n.stages) {
    const std::string detail = st.domain == "optical"
                                   ? fmt::format("{} &#215; {} matrix, {} tile(s), {} position(s) per sample",
                                                 st.out_features, st.in_features, st.tiles.size(), st.positions)
                                   : esc(st.reason);
    auto it = m.stage_loss.find(st.node);
    const std::string loss = it == m.stage_loss.end() ? ""
                                                      : fmt::format("{} ({})", num(it->second.loss_db),
                                                                    it->second.drawn ? "drawn" : "schematic");
    s += fmt::format("<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
                     esc(st.node), esc(st.op), esc(st.domain), detail, loss);
  }
  s += "</table>\n";
  s += "<p class=\"small\">Written by holo compile beside report.json (the same figures, for machines) and report.md. "
       "Hover a value for its exact number.</p>\n</body>\n</html>\n";
  return s;
}

}  // namespace holo::report
