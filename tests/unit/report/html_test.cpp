// report.html (report/html.cpp): every figure is on the page, every model string is escaped, the inline SVG
// charts are well-formed, the layout preview is embedded or linked, the worst path's contributions add up, and
// the bytes are deterministic.
#include <gtest/gtest.h>

#include <algorithm>
#include <numbers>
#include <string>
#include <vector>

#include "holo/analysis/metrics.h"
#include "holo/circuit/compiled.h"
#include "holo/circuit/netlist.h"
#include "holo/pdk/pdk.h"
#include "holo/report/report.h"
#include "test_support.h"

namespace holo::report {
namespace {

constexpr double kPi = std::numbers::pi;
const std::string kHostile = "fc<script>alert(1)</script>&amp;\"'";

linalg::Mesh half_mesh() {
  linalg::Mesh m;
  m.n = 2;
  m.mzis = {{0, 0, kPi / 2, 0.0}};
  m.output_phase_rad = {0.0, 0.0};
  m.columns = 1;
  return m;
}

// Two optical stages of one 2x2 tile each (the second named by a hostile graph node) and an electronic one.
circuit::Netlist chip() {
  circuit::Netlist nl;
  nl.name = "e";
  nl.pdk = "generic_soi220";
  std::vector<std::string> layers;
  const std::vector<std::pair<std::string, std::string>> stages = {{"a", "Gemm"}, {"b", "Conv"}};
  for (const auto& st : stages) {
    const std::string& c = st.first;
    const std::string node = c == "a" ? "fc" : kHostile;
    nl.cells.push_back(circuit::mesh_cell(c + "_vh", half_mesh()));
    nl.cells.push_back(
        circuit::attenuator_cell(c + "_att", {circuit::make_attenuator(kPi / 2), circuit::make_attenuator(kPi / 2)}));
    nl.cells.push_back(circuit::mesh_cell(c + "_u", half_mesh()));
    circuit::Cell tile = circuit::coherent_tile_cell(c + "_tile", 2, 2, 2, c + "_vh", c + "_att", c + "_u");
    circuit::Cell layer = circuit::layer_cell(c + "_layer", node, st.second);
    circuit::add_layer_slot(layer, 0, 0, tile);
    const int64_t positions = st.second == "Conv" ? 4 : 1;
    nl.stages.push_back({node, st.second, "optical", "", layer.name, 2, 2, positions, {{tile.name, 0, 2, 0, 2, 1.0}}});
    layers.push_back(layer.name);
    nl.cells.push_back(std::move(tile));
    nl.cells.push_back(std::move(layer));
  }
  circuit::Stage relu;
  relu.node = "relu<&>";
  relu.op = "Relu";
  relu.domain = "electronic";
  relu.reason = "a <nonlinearity> & more";
  nl.stages.push_back(relu);
  circuit::Cell top = circuit::top_cell("e_top", nl, layers);
  nl.top = top.name;
  nl.cells.push_back(std::move(top));
  return nl;
}

const pdk::Pdk& the_pdk() {
  static const pdk::Pdk p = pdk::load_pdk(test::source_path("pdk/generic_soi220.json"));
  return p;
}

struct Fixture {
  circuit::Netlist nl = chip();
  analysis::ChipMetrics m;
  CompileInfo info;
  Fixture() {
    m = analysis::analyze(nl, the_pdk(), 40);
    info.model = "model<&>.onnx";
    info.pdk_path = "generic_soi220.json (sha256 0123)";
    info.mesh_size = 2;
    info.method = "clements";
    info.activation = "oeo";
    info.dac_bits = 12;
    info.warnings = {{"LAYOUT-FALLBACK", "pitch <missing> & default used"}};
    info.laser.decided = true;
    info.worst_path = worst_path_report(nl, the_pdk());
  }
};

// The text between `<svg id="ID"` and its `</svg>`.
std::string svg_of(const std::string& html, const std::string& id) {
  const size_t at = html.find("<svg id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const size_t end = html.find("</svg>", at);
  return end == std::string::npos ? "" : html.substr(at, end + 6 - at);
}

// A tiny XML check: tags nest and close, attribute values are quoted, and no raw '<' or '&' other than tags and
// the five XML escapes or numeric references. Returns "" when well-formed, else what is wrong.
std::string xml_problem(const std::string& s) {
  std::vector<std::string> open;
  for (size_t i = 0; i < s.size();) {
    if (s[i] == '&') {
      const size_t semi = s.find(';', i);
      if (semi == std::string::npos) return "bare &";
      const std::string ent = s.substr(i + 1, semi - i - 1);
      const bool numeric =
          ent.size() > 1 && ent[0] == '#' && ent.find_first_not_of("0123456789", 1) == std::string::npos;
      if (!numeric && ent != "amp" && ent != "lt" && ent != "gt" && ent != "quot" && ent != "apos")
        return "entity &" + ent + ";";
      i = semi + 1;
      continue;
    }
    if (s[i] != '<') {
      if (s[i] == '>') return "bare >";
      ++i;
      continue;
    }
    size_t j = i + 1;
    bool quoted = false;
    while (j < s.size() && (quoted || s[j] != '>')) {
      if (s[j] == '"') quoted = !quoted;
      if (!quoted && s[j] == '<') return "< inside a tag";
      ++j;
    }
    if (j >= s.size()) return "unclosed tag";
    std::string tag = s.substr(i + 1, j - i - 1);
    i = j + 1;
    if (tag.starts_with("/")) {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes " + (open.empty() ? "nothing" : open.back());
      open.pop_back();
    } else if (!tag.ends_with("/")) {
      open.push_back(tag.substr(0, tag.find(' ')));
    }
  }
  return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

TEST(ReportHtml, EveryFigureWithUnitAndMethod) {
  const Fixture f;
  const std::string h = report_html(f.nl, f.m, f.info, {});
  ASSERT_FALSE(f.m.figures.empty());
  for (const analysis::Figure& fig : f.m.figures) {
    EXPECT_NE(h.find("<code>" + fig.key + "</code>"), std::string::npos) << fig.key;
    EXPECT_NE(h.find("<tr id=\"fig-" + fig.key + "\">"), std::string::npos) << fig.key;
  }
  EXPECT_NE(h.find("<code>worst_path_loss_db</code></td><td class=\"num\""), std::string::npos);
  // Units from the key's suffix.
  const size_t row = h.find("<tr id=\"fig-latency_ps\">");
  ASSERT_NE(row, std::string::npos);
  EXPECT_NE(h.substr(row, h.find("</tr>", row) - row).find("<td>ps</td>"), std::string::npos);
  const size_t tops = h.find("<tr id=\"fig-tops_per_w\">");
  ASSERT_NE(tops, std::string::npos);
  EXPECT_NE(h.substr(tops, h.find("</tr>", tops) - tops).find("<td>TOPS/W</td>"), std::string::npos);
  EXPECT_NE(h.find("<details><summary>method</summary>"), std::string::npos);
}

TEST(ReportHtml, EscapesEveryModelString) {
  const Fixture f;
  const std::string h = report_html(f.nl, f.m, f.info, {});
  EXPECT_EQ(h.find("<script"), std::string::npos);
  EXPECT_EQ(h.find("model<&>"), std::string::npos);
  EXPECT_EQ(h.find("relu<&>"), std::string::npos);
  EXPECT_EQ(h.find("<nonlinearity>"), std::string::npos);
  EXPECT_EQ(h.find("<missing>"), std::string::npos);
  EXPECT_NE(h.find("fc&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;&quot;&#39;"), std::string::npos);
  EXPECT_NE(h.find("model&lt;&amp;&gt;.onnx"), std::string::npos);
  EXPECT_NE(h.find("a &lt;nonlinearity&gt; &amp; more"), std::string::npos);
  EXPECT_NE(h.find("pitch &lt;missing&gt; &amp; default used"), std::string::npos);
  // The whole body is well-formed too (every tag the generator writes is closed; void elements aside).
  const size_t from = h.find("<body>"), to = h.find("</body>");
  ASSERT_NE(to, std::string::npos);
  std::string body = h.substr(from, to + 7 - from);
  for (const char* v : {"<br>"}) {
    for (size_t at = body.find(v); at != std::string::npos; at = body.find(v)) body.erase(at, std::string(v).size());
  }
  EXPECT_EQ(xml_problem(body), "");
}

TEST(ReportHtml, ChartsAreWellFormedSvg) {
  const Fixture f;
  const std::string h = report_html(f.nl, f.m, f.info, {});
  for (const char* id : {"power-breakdown", "stage-loss", "worst-path-loss"}) {
    const std::string svg = svg_of(h, id);
    ASSERT_FALSE(svg.empty()) << id;
    EXPECT_EQ(xml_problem(svg), "") << id;
    EXPECT_NE(svg.find("<rect "), std::string::npos) << id;
  }
  const std::string power = svg_of(h, "power-breakdown");
  for (const char* part : {"heaters", "laser", "ADCs"}) EXPECT_NE(power.find(part), std::string::npos) << part;
  // The hostile stage is a bar of the stage-loss chart, escaped.
  EXPECT_NE(svg_of(h, "stage-loss").find("fc&lt;script&gt;"), std::string::npos);
}

TEST(ReportHtml, PowerPartsAreTheFigures) {
  const Fixture f;
  const auto parts = power_parts(f.m);
  EXPECT_EQ(parts.at("heaters"), f.m.figure("heater_power_mw").value);
  EXPECT_EQ(parts.at("laser"), f.m.figure("laser_power_mw").value);
  double sum = 0;
  for (const auto& [part, mw] : parts) sum += mw;
  EXPECT_NEAR(sum, f.m.figure("total_power_mw").value, 1e-9 * sum);  // the bars add up to the total
  EXPECT_TRUE(power_parts(analysis::ChipMetrics{}).empty());         // no figures: no bars, and the page still renders
  const Fixture g;
  analysis::ChipMetrics bare;
  const std::string h = report_html(g.nl, bare, CompileInfo{}, {});
  EXPECT_NE(h.find("No power figures."), std::string::npos);
  EXPECT_NE(h.find("Not decided"), std::string::npos);
}

TEST(ReportHtml, WorstPathContributionsAddUp) {
  const Fixture f;
  ASSERT_TRUE(f.info.worst_path);
  const WorstPathReport& w = *f.info.worst_path;
  const circuit::WorstPath& p = w.path;
  const circuit::TileLoss& l = w.loss;
  double worst_stage = 0;
  for (const auto& kv : f.m.stage_loss) worst_stage = std::max(worst_stage, kv.second.loss_db);
  EXPECT_EQ(p.loss_db, worst_stage);  // the same sums in the same order
  EXPECT_EQ(w.stage, "fc");           // equal stages: the first
  ASSERT_GE(p.input, 0);
  ASSERT_GE(p.output, 0);
  // One MZI per mesh column (1 each), one attenuator, both screens.
  EXPECT_EQ(p.vh_mzis + p.vh_idle_slots, 1);
  EXPECT_EQ(p.u_mzis + p.u_idle_slots, 1);
  EXPECT_EQ(p.attenuators, 1);
  EXPECT_EQ(p.vh_screens, 1);
  EXPECT_EQ(p.u_screens, 1);
  const double sum = l.in_db[static_cast<size_t>(p.input)] + static_cast<double>(p.vh_mzis + p.u_mzis) * l.mzi_db +
                     static_cast<double>(p.vh_idle_slots + p.u_idle_slots) * l.idle_slot_db +
                     static_cast<double>(p.vh_screens + p.u_screens) * l.screen_db +
                     static_cast<double>(p.attenuators) * l.attenuator_db + l.fill_db +
                     l.out_db[static_cast<size_t>(p.output)];
  EXPECT_NEAR(sum, p.loss_db, 1e-12);  // double rounding of a dozen additions
}

TEST(ReportHtml, ChipPreviewEmbeddedLinkedOrAbsent) {
  const Fixture f;
  const std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\" height=\"1\"/></svg>";
  const std::string embedded = report_html(f.nl, f.m, f.info, {svg, static_cast<int64_t>(svg.size())});
  EXPECT_NE(embedded.find("src=\"data:image/svg+xml;base64,PHN2ZyB4bWxucz0i"), std::string::npos);
  const std::string linked = report_html(f.nl, f.m, f.info, {"", kEmbedChipSvgMaxBytes + 1});
  EXPECT_NE(linked.find("<a href=\"chip.svg\">"), std::string::npos);
  EXPECT_EQ(linked.find("data:image"), std::string::npos);
  const std::string none = report_html(f.nl, f.m, f.info, {});
  EXPECT_NE(none.find("No layout preview"), std::string::npos);
  for (const std::string* h : {&embedded, &linked, &none}) {
    EXPECT_EQ(h->find("http://"), std::string::npos);
    EXPECT_EQ(h->find("https://"), std::string::npos);
    EXPECT_EQ(h->find("<script"), std::string::npos);
  }
}

TEST(ReportHtml, SameInputSameBytes) {
  const Fixture a, b;
  EXPECT_EQ(report_html(a.nl, a.m, a.info, {"<svg/>", 6}), report_html(b.nl, b.m, b.info, {"<svg/>", 6}));
}

}  // namespace
}  // namespace holo::report
