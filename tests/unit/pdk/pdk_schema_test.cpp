// The PDK schema (pdk/schema.h): every entry rejects a value just outside its range and accepts its boundary
// when the boundary is inclusive; the bundled platform passes; a platform written from scratch needs exactly
// the required templates and figures; docs/pdk.md lists every entry as the code declares it.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "holo/pdk/pdk.h"
#include "holo/pdk/schema.h"
#include "pdk_test_util.h"

namespace holo::test {
namespace {

using pdk::FigureSpec;
using pdk::Quantity;
using pdk::Range;
using pdk::TemplateSpec;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Values just outside each end of the range (must be rejected) and the inclusive ends (must be accepted).
struct Probe {
  std::vector<double> reject, accept;
};

Probe probe(const Quantity& q, const Range& r) {
  Probe p;
  if (q.integer) {
    p.reject = {r.min - 1, r.max + 1, r.min + 0.5};
    p.accept = {r.min, r.max};
    return p;
  }
  if (r.min_inclusive) {
    p.reject.push_back(std::nextafter(r.min, -kInf));
    p.accept.push_back(r.min);
  } else {
    p.reject.push_back(r.min);
    p.accept.push_back(std::nextafter(r.min, kInf));
  }
  if (r.max_inclusive) {
    p.reject.push_back(std::nextafter(r.max, kInf));
    p.accept.push_back(r.max);
  } else {
    p.reject.push_back(r.max);
    p.accept.push_back(std::nextafter(r.max, -kInf));
  }
  return p;
}

TEST(PdkSchema, BundledPlatformPasses) {
  const pdk::Pdk p = pdk::load_pdk(pdk::default_pdk_path());
  // Every template and figure of the bundled file is one the schema knows (or the load would have failed);
  // and the file defines every template the schema knows, so the tests below reach every entry.
  for (const TemplateSpec& t : pdk::template_specs()) {
    ASSERT_TRUE(p.templates.count(std::string(t.name))) << t.name;
    for (const FigureSpec& f : t.figures)
      EXPECT_TRUE(p.tmpl(std::string(t.name)).has(std::string(f.key))) << t.name << "." << f.key;
  }
}

TEST(PdkSchema, EveryFigureRejectsJustOutsideAndAcceptsItsBounds) {
  const double wavelength_nm = bundled_pdk_json()["wavelength_nm"]["value"].get<double>();
  int probes = 0;
  for (const TemplateSpec& t : pdk::template_specs()) {
    for (const FigureSpec& f : t.figures) {
      const Range r = pdk::figure_range(*f.quantity, wavelength_nm);
      const Probe pr = probe(*f.quantity, r);
      const std::string path = fmt::format("$.templates.{}.figures.{}.value", t.name, f.key);
      for (double v : pr.reject) {
        ErrorSeen e = pdk_error(with_figure(std::string(t.name), std::string(f.key), v));
        EXPECT_EQ(e.code, "PDK-RANGE") << path << " = " << fmt::format("{}", v) << ": " << e.message;
        EXPECT_NE(e.message.find(path), std::string::npos) << e.message;
        ++probes;
      }
      for (double v : pr.accept) {
        ErrorSeen e = pdk_error(with_figure(std::string(t.name), std::string(f.key), v));
        EXPECT_EQ(e.code, "no error") << path << " = " << fmt::format("{}", v) << ": " << e.message;
        ++probes;
      }
    }
  }
  EXPECT_GE(probes, 4 * 70);  // ~75 figures, 4 probes each
}

TEST(PdkSchema, WavelengthAndRuleMinimumRejectJustOutsideAndAcceptTheirBounds) {
  auto with_wavelength = [](double v) {
    nlohmann::ordered_json j = bundled_pdk_json();
    j["wavelength_nm"]["value"] = v;
    // The responsivity bound follows the wavelength: keep the receivers within it at the shortest one.
    for (const char* t : {"photodetector", "homodyne_receiver", "eo_activation"})
      j["templates"][t]["figures"]["responsivity_a_per_w"]["value"] = 0.1;
    return j.dump(1);
  };
  const Quantity& wl = pdk::wavelength_quantity();
  const Probe pw = probe(wl, wl.range);
  for (double v : pw.reject) EXPECT_EQ(pdk_error(with_wavelength(v)).code, "PDK-RANGE") << v;
  for (double v : pw.accept) EXPECT_EQ(pdk_error(with_wavelength(v)).message, "") << v;

  auto with_rule_min = [](double v) {
    nlohmann::ordered_json j = bundled_pdk_json();
    j["rules"][0]["min_um"] = v;
    return j.dump(1);
  };
  const Quantity& rm = pdk::rule_min_quantity();
  const Probe pr = probe(rm, rm.range);
  for (double v : pr.reject) {
    ErrorSeen e = pdk_error(with_rule_min(v));
    EXPECT_EQ(e.code, "PDK-RANGE") << v;
    EXPECT_NE(e.message.find("$.rules[0].min_um"), std::string::npos) << e.message;
  }
  for (double v : pr.accept) EXPECT_EQ(pdk_error(with_rule_min(v)).message, "") << v;
}

// The photodiode bound is the quantum limit at the PDK's own wavelength: 1.3 A/W is impossible at 1550 nm
// (limit 1.25 A/W) and possible at 2000 nm (limit 1.61 A/W).
TEST(PdkSchema, ResponsivityBoundFollowsTheWavelength) {
  nlohmann::ordered_json j = bundled_pdk_json();
  j["templates"]["homodyne_receiver"]["figures"]["responsivity_a_per_w"]["value"] = 1.3;
  ErrorSeen e = pdk_error(j.dump(1));
  EXPECT_EQ(e.code, "PDK-RANGE") << e.message;
  EXPECT_NE(e.message.find("1.3 A/W is outside the allowed (0, 1.25"), std::string::npos) << e.message;
  j["wavelength_nm"]["value"] = 2000;
  EXPECT_EQ(pdk_error(j.dump(1)).message, "");
}

// A valid number for a quantity: 1 if allowed, else the lower bound or the middle of the range.
double valid_value(const Quantity& q, double wavelength_nm) {
  const Range r = pdk::figure_range(q, wavelength_nm);
  for (double v : {1.0, r.min, (r.min + r.max) / 2})
    if (r.contains(v) && (!q.integer || v == std::floor(v))) return v;
  ADD_FAILURE() << "no valid value in " << r.text();
  return 0;
}

// The smallest valid PDK: the required templates with their model, one port each and only the required
// figures. Dropping any one of those figures is PDK-MISSING-FIGURE.
TEST(PdkSchema, AnotherPlatformFromScratch) {
  const double wavelength_nm = 1310;
  nlohmann::ordered_json j = {{"format", "holo-pdk"},
                              {"version", 1},
                              {"name", "tiny_sin"},
                              {"description", "test"},
                              {"wavelength_nm", {{"value", wavelength_nm}, {"source", "O-band"}}},
                              {"layers", {{{"name", "WG"}, {"layer", 1}, {"datatype", 0}, {"description", "core"}}}},
                              {"rules", nlohmann::ordered_json::array()},
                              {"templates", nlohmann::ordered_json::object()}};
  size_t required_figures = 0;
  for (const TemplateSpec& t : pdk::template_specs()) {
    if (!t.required) continue;
    nlohmann::ordered_json figs = nlohmann::ordered_json::object();
    for (const FigureSpec& f : t.figures)
      if (f.required) {
        figs[std::string(f.key)] = {{"value", valid_value(*f.quantity, wavelength_nm)}, {"source", "test"}};
        ++required_figures;
      }
    j["templates"][std::string(t.name)] = {{"description", "d"},
                                           {"model", t.model},
                                           {"ports", {{{"name", "o1"}, {"kind", "optical"}}}},
                                           {"figures", figs}};
  }
  pdk::Pdk p = pdk::parse_pdk(j.dump(), "tiny.json");
  EXPECT_EQ(p.name, "tiny_sin");
  EXPECT_EQ(p.path, "tiny.json");
  EXPECT_EQ(p.wavelength_nm.value, 1310.0);
  EXPECT_EQ(p.templates.size(), pdk::required_templates().size());
  size_t figures = 0;
  for (const auto& [name, t] : p.templates) figures += t.figures.size();
  EXPECT_EQ(figures, required_figures);
  EXPECT_GE(required_figures, 20u);

  for (const TemplateSpec& t : pdk::template_specs())
    for (const FigureSpec& f : t.figures)
      if (t.required && f.required) {
        nlohmann::ordered_json k = j;
        k["templates"][std::string(t.name)]["figures"].erase(std::string(f.key));
        ErrorSeen e = pdk_error(k.dump(), "tiny.json");
        EXPECT_EQ(e.code, "PDK-MISSING-FIGURE") << t.name << "." << f.key;
        EXPECT_NE(e.message.find(fmt::format("$.templates.{}.figures.{}: missing", t.name, f.key)), std::string::npos)
            << e.message;
      }
}

TEST(PdkSchema, RequiredTemplatesComeFromTheSchema) {
  std::set<std::string> required(pdk::required_templates().begin(), pdk::required_templates().end());
  for (const TemplateSpec& t : pdk::template_specs()) EXPECT_EQ(required.count(std::string(t.name)) == 1, t.required);
  EXPECT_TRUE(required.count("laser")) << "the chip's laser power is computed for every compile";
}

// How docs/pdk.md prints a range.
std::string doc_range(const Quantity& q) {
  if (q.quantum_limit) return "(0, wavelength_nm / 1239.84]";
  std::string r = q.range.text();
  if (q.integer) r += ", integer";
  return r;
}

std::string doc_unit(const Quantity& q) {
  return q.unit == "1" ? "-" : std::string(q.unit);
}

TEST(PdkSchema, DocsListEveryEntry) {
  const std::string docs = holo::read_file(source_path("docs/pdk.md"));
  std::vector<std::string> rows;
  for (const TemplateSpec& t : pdk::template_specs())
    for (const FigureSpec& f : t.figures)
      rows.push_back(fmt::format("| `{}` | `{}` | {} | {} | {} | {} | {} |", t.name, f.key, doc_unit(*f.quantity),
                                 doc_range(*f.quantity), f.required ? "yes" : "no", f.read_by, f.quantity->why));
  const Quantity& wl = pdk::wavelength_quantity();
  const Quantity& rm = pdk::rule_min_quantity();
  rows.push_back(fmt::format("| (top level) | `wavelength_nm` | {} | {} | yes | sim, responsivity bound | {} |",
                             doc_unit(wl), doc_range(wl), wl.why));
  rows.push_back(
      fmt::format("| `rules[]` | `min_um` | {} | {} | yes | layout: DRC | {} |", doc_unit(rm), doc_range(rm), rm.why));
  std::string missing;
  for (const std::string& row : rows)
    if (docs.find(row) == std::string::npos) missing += row + "\n";
  EXPECT_EQ(missing, "") << "rows of docs/pdk.md missing or different from the schema (pdk/schema.cpp):\n" << missing;
}

}  // namespace
}  // namespace holo::test
