// PDK variants (docs/pdk.md#variants): every shipped variant loads and composes with the bundled platform; the
// composition replaces and adds figures, names the platform after its variants, is deterministic; one variant
// per knob; a bad variant file fails naming itself and the JSON path.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "holo/pdk/variants.h"
#include "holo/support/file_io.h"
#include "pdk_test_util.h"
#include "test_support.h"

namespace pdk = holo::pdk;
using holo::test::error_of;
using nlohmann::ordered_json;

namespace {

const pdk::Pdk& base() {
  static const pdk::Pdk p = pdk::load_pdk(pdk::default_pdk_path());
  return p;
}

// A variant file in the build tree (tests run there), written from a document.
std::string write_variant(const std::string& file, const ordered_json& j) {
  const std::string path = holo::test::binary_dir() + "/" + file;
  holo::write_file_atomic(path, j.dump(2));
  return path;
}

ordered_json variant_doc(const std::string& name, const std::string& knob, const ordered_json& templates) {
  return {{"format", "holo-pdk-variant"}, {"version", 1},          {"name", name}, {"knob", knob},
          {"description", "t"},           {"templates", templates}};
}

ordered_json fig(double v, const std::string& source = "[M] test") {
  return {{"value", v}, {"source", source}};
}

}  // namespace

TEST(PdkVariant, ShippedVariantsLoadAndCompose) {
  const std::vector<std::string> names = pdk::list_variants();
  for (const char* want : {"ps-tin", "ps-undercut", "ps-mems", "ps-pcm", "io-grating-hi", "mod-ring", "mod-tfln"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want << " not shipped";
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  const std::regex tagged(R"(^(\[(V|C|M)\] |design choice).*)");
  for (const std::string& n : names) {
    SCOPED_TRACE(n);
    const pdk::PdkVariant v = pdk::load_variant(n, base());
    EXPECT_EQ(v.name, n) << "a variant's name is its file name";
    EXPECT_EQ(pdk::variant_knob(n), v.knob);
    EXPECT_NE(std::find(pdk::variant_knobs().begin(), pdk::variant_knobs().end(), v.knob), pdk::variant_knobs().end());
    EXPECT_FALSE(v.description.empty());
    for (const auto& [tmpl, figs] : v.figures)
      for (const auto& [key, f] : figs) EXPECT_TRUE(std::regex_match(f.source, tagged)) << tmpl << "." << key;
    // A phase-shifter variant keeps the chip consistent: the shifter and the MZI and attenuator built from it.
    if (v.knob == "phase_shifter") {
      for (const char* key : {"p_pi_mw", "insertion_loss_db", "bandwidth_khz", "length_um"})
        EXPECT_TRUE(v.figures.at("phase_shifter").count(key)) << key;
      EXPECT_TRUE(v.figures.at("mzi").count("insertion_loss_db"));
      EXPECT_TRUE(v.figures.at("mzi").count("length_um"));
      EXPECT_TRUE(v.figures.at("attenuator").count("insertion_loss_db"));
      // The base's MZI with its shifter swapped: base mzi - base shifter + this shifter.
      const double rest =
          base().tmpl("mzi").number("insertion_loss_db") - base().tmpl("phase_shifter").number("insertion_loss_db");
      const double ps = v.figures.at("phase_shifter").at("insertion_loss_db").value;
      EXPECT_NEAR(v.figures.at("mzi").at("insertion_loss_db").value, rest + ps, 1e-9);
      EXPECT_NEAR(v.figures.at("attenuator").at("insertion_loss_db").value, rest + ps, 1e-9);
    }
    const std::string text = pdk::compose_pdk_text(pdk::default_pdk_path(), {n});
    const pdk::Pdk p = pdk::parse_pdk(text, "composed");
    EXPECT_EQ(p.name, "generic_soi220+" + n);
    for (const auto& [tmpl, figs] : v.figures)
      for (const auto& [key, f] : figs) {
        EXPECT_EQ(p.tmpl(tmpl).number(key), f.value) << tmpl << "." << key;
        EXPECT_EQ(p.tmpl(tmpl).figure(key).source, f.source) << tmpl << "." << key;
      }
  }
}

TEST(PdkVariant, MergeReplacesAddsAndNames) {
  const std::string text = pdk::compose_pdk_text(pdk::default_pdk_path(), {"ps-mems", "io-grating-hi", "mod-ring"});
  EXPECT_EQ(text, pdk::compose_pdk_text(pdk::default_pdk_path(), {"ps-mems", "io-grating-hi", "mod-ring"}));
  const pdk::Pdk p = pdk::parse_pdk(text, "composed");
  EXPECT_EQ(p.name, "generic_soi220+ps-mems+io-grating-hi+mod-ring");
  EXPECT_NE(p.description.find(base().description), std::string::npos) << "the base's description is kept";
  for (const char* n : {"ps-mems (knob phase_shifter)", "io-grating-hi (knob io_coupler)", "mod-ring (knob modulator)"})
    EXPECT_NE(p.description.find(n), std::string::npos) << n;
  EXPECT_EQ(p.tmpl("phase_shifter").number("p_pi_mw"), 2e-5);
  EXPECT_EQ(p.tmpl("phase_shifter").number("v_pi_v"), 10.7);
  EXPECT_EQ(p.tmpl("grating_coupler").number("insertion_loss_db"), 0.69);
  EXPECT_EQ(p.tmpl("modulator").number("energy_pj_per_symbol"), 1.0);
  // Untouched figures, templates, layers and rules are the base's.
  EXPECT_EQ(p.tmpl("phase_shifter").number("heater_height_um"),
            base().tmpl("phase_shifter").number("heater_height_um"));
  EXPECT_EQ(p.tmpl("phase_shifter").number("fab_phase_spread_rad"),
            base().tmpl("phase_shifter").number("fab_phase_spread_rad"));
  EXPECT_EQ(p.tmpl("waveguide").figures.size(), base().tmpl("waveguide").figures.size());
  EXPECT_EQ(p.tmpl("grating_coupler").number("period_um"), base().tmpl("grating_coupler").number("period_um"));
  EXPECT_EQ(p.templates.size(), base().templates.size());
  EXPECT_EQ(p.layers.size(), base().layers.size());
  EXPECT_EQ(p.rules.size(), base().rules.size());
  // The base's key order stays: a replaced figure where it was, the template order unchanged.
  const ordered_json j = ordered_json::parse(text);
  const ordered_json b = holo::test::bundled_pdk_json();
  std::vector<std::string> jk, bk;
  for (auto it = j["templates"].begin(); it != j["templates"].end(); ++it) jk.push_back(it.key());
  for (auto it = b["templates"].begin(); it != b["templates"].end(); ++it) bk.push_back(it.key());
  EXPECT_EQ(jk, bk);
  EXPECT_EQ(j["templates"]["phase_shifter"]["figures"].begin().key(), "p_pi_mw");
  // The order given names the platform; the figures do not depend on it (no two variants set one figure).
  const pdk::Pdk q = pdk::parse_pdk(
      pdk::compose_pdk_text(pdk::default_pdk_path(), {"mod-ring", "io-grating-hi", "ps-mems"}), "composed");
  EXPECT_EQ(q.name, "generic_soi220+mod-ring+io-grating-hi+ps-mems");
  for (const auto& [name, t] : p.templates)
    for (const auto& [key, f] : t.figures) EXPECT_EQ(q.tmpl(name).number(key), f.value) << name << "." << key;
}

TEST(PdkVariant, NoVariantIsTheBaseFile) {
  EXPECT_EQ(pdk::compose_pdk_text(pdk::default_pdk_path(), {}), holo::test::bundled_pdk_text());
}

TEST(PdkVariant, OneVariantPerKnob) {
  auto e = error_of([] { pdk::compose_pdk_text(pdk::default_pdk_path(), {"ps-mems", "ps-tin"}); });
  EXPECT_EQ(e.code, "PDK-VARIANT-CONFLICT");
  EXPECT_TRUE(e.bad_input);
  EXPECT_NE(e.message.find("ps-tin.json"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("'ps-mems'"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("phase_shifter"), std::string::npos) << e.message;
  EXPECT_EQ(error_of([] {
              pdk::compose_pdk_text(pdk::default_pdk_path(), {"mod-ring", "mod-ring"});
            }).code,
            "PDK-VARIANT-CONFLICT");
  // Variants of different knobs setting one figure: the result would depend on their order.
  const std::string path =
      write_variant("variant_overlap.json",
                    variant_doc("mod-odd", "modulator", {{"phase_shifter", {{"figures", {{"p_pi_mw", fig(1)}}}}}}));
  e = error_of([&] { pdk::compose_pdk_text(pdk::default_pdk_path(), {"ps-tin", path}); });
  EXPECT_EQ(e.code, "PDK-VARIANT-CONFLICT");
  EXPECT_NE(e.message.find(path + ": $.templates.phase_shifter.figures.p_pi_mw"), std::string::npos) << e.message;
}

TEST(PdkVariant, UnknownVariantListsTheShippedOnes) {
  auto e = error_of([] { pdk::compose_pdk_text(pdk::default_pdk_path(), {"ps-memz"}); });
  EXPECT_EQ(e.code, "PDK-VARIANT-UNKNOWN");
  EXPECT_TRUE(e.bad_input);
  EXPECT_NE(e.message.find("did you mean 'ps-mems'?"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("ps-undercut"), std::string::npos) << e.message;
  EXPECT_EQ(error_of([] { pdk::variant_path("../x"); }).code, "no error") << "a path is used as is";
  EXPECT_EQ(error_of([] { pdk::variant_path("bad name"); }).code, "PDK-VARIANT-UNKNOWN");
  // A path that does not exist is a file error naming it.
  EXPECT_EQ(error_of([] { pdk::compose_pdk_text(pdk::default_pdk_path(), {"no/such/variant.json"}); }).code,
            "FILE-NOT-FOUND");
}

TEST(PdkVariant, PathsAndDirectory) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(pdk::default_pdk_path()).parent_path() / "variants";
  EXPECT_EQ(pdk::variant_path("ps-mems"), (dir / "ps-mems.json").string());
  EXPECT_EQ(pdk::variant_path("my/ps.json"), "my/ps.json");
  EXPECT_EQ(pdk::variant_path("local.json"), "local.json");
  // $HOLO_PDK_DIR moves the variants with the platform.
  const fs::path tmp = fs::path(holo::test::binary_dir()) / "variant_pdk_dir";
  fs::create_directories(tmp / "variants");
  holo::write_file_atomic((tmp / "variants" / "zz-one.json").string(), "{}");
  const char* old = std::getenv("HOLO_PDK_DIR");
  const std::string saved = old ? old : "";
  setenv("HOLO_PDK_DIR", tmp.c_str(), 1);
  const std::vector<std::string> names = pdk::list_variants();
  const std::string resolved = pdk::variant_path("zz-one");
  if (old)
    setenv("HOLO_PDK_DIR", saved.c_str(), 1);
  else
    unsetenv("HOLO_PDK_DIR");
  EXPECT_EQ(names, std::vector<std::string>{"zz-one"});
  EXPECT_EQ(resolved, (tmp / "variants" / "zz-one.json").string());
}

TEST(PdkVariant, BadVariantNamesItsFileAndPath) {
  struct Case {
    const char* what;
    ordered_json doc;
    const char* code;
    const char* path;  // the JSON path the message names
  };
  const ordered_json ps_fig = {{"phase_shifter", {{"figures", {{"p_pi_mw", fig(1)}}}}}};
  ordered_json unknown_field = variant_doc("v", "phase_shifter", ps_fig);
  unknown_field["base"] = "x";
  ordered_json wrong_format = variant_doc("v", "phase_shifter", ps_fig);
  wrong_format["format"] = "holo-pdk";
  const std::vector<Case> cases = {
      {"unknown figure", variant_doc("v", "phase_shifter", {{"phase_shifter", {{"figures", {{"p_pi_mW", fig(1)}}}}}}),
       "PDK-SCHEMA", "$.templates.phase_shifter.figures.p_pi_mW"},
      {"missing source",
       variant_doc("v", "phase_shifter", {{"phase_shifter", {{"figures", {{"p_pi_mw", {{"value", 1}}}}}}}}),
       "PDK-SCHEMA", "$.templates.phase_shifter.figures.p_pi_mw.source"},
      {"empty source", variant_doc("v", "phase_shifter", {{"phase_shifter", {{"figures", {{"p_pi_mw", fig(1, "")}}}}}}),
       "PDK-SCHEMA", "$.templates.phase_shifter.figures.p_pi_mw.source"},
      {"out of range", variant_doc("v", "phase_shifter", {{"phase_shifter", {{"figures", {{"p_pi_mw", fig(0)}}}}}}),
       "PDK-RANGE", "$.templates.phase_shifter.figures.p_pi_mw.value"},
      {"unknown template",
       variant_doc("v", "phase_shifter", {{"phase_shifters", {{"figures", {{"p_pi_mw", fig(1)}}}}}}), "PDK-SCHEMA",
       "$.templates.phase_shifters"},
      {"unknown template field",
       variant_doc("v", "phase_shifter", {{"phase_shifter", {{"model", "mzi"}, {"figures", {{"p_pi_mw", fig(1)}}}}}}),
       "PDK-SCHEMA", "$.templates.phase_shifter.model"},
      {"unknown field", unknown_field, "PDK-SCHEMA", "$.base"},
      {"wrong format", wrong_format, "PDK-SCHEMA", "$.format"},
      {"unknown knob", variant_doc("v", "heater", ps_fig), "PDK-SCHEMA", "$.knob"},
      {"bad name", variant_doc("a+b", "phase_shifter", ps_fig), "PDK-SCHEMA", "$.name"},
      {"no figures", variant_doc("v", "phase_shifter", {{"phase_shifter", {{"figures", ordered_json::object()}}}}),
       "PDK-SCHEMA", "$.templates.phase_shifter.figures"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const std::string path = write_variant("variant_bad.json", c.doc);
    auto e = error_of([&] { pdk::compose_pdk_text(pdk::default_pdk_path(), {path}); });
    EXPECT_EQ(e.code, c.code) << e.message;
    EXPECT_TRUE(e.bad_input);
    EXPECT_NE(e.message.find(path + ": " + c.path), std::string::npos) << e.message;
  }
  // Not JSON, or a key twice: PDK-PARSE naming the variant file.
  const std::string path = holo::test::binary_dir() + "/variant_dup.json";
  holo::write_file_atomic(path, R"({"format": "holo-pdk-variant", "format": "holo-pdk-variant"})");
  auto e = error_of([&] { pdk::compose_pdk_text(pdk::default_pdk_path(), {path}); });
  EXPECT_EQ(e.code, "PDK-PARSE");
  EXPECT_NE(e.message.find(path), std::string::npos) << e.message;
}

TEST(PdkVariant, TemplateTheBaseLacks) {
  // A base without the optional grating coupler: the I/O variant has nothing to replace.
  ordered_json b = holo::test::bundled_pdk_json();
  b["templates"].erase("grating_coupler");
  const std::string base_path = holo::test::binary_dir() + "/variant_base_no_gc.json";
  holo::write_file_atomic(base_path, b.dump(1));
  auto e = error_of([&] { pdk::compose_pdk_text(base_path, {"io-grating-hi"}); });
  EXPECT_EQ(e.code, "PDK-SCHEMA");
  EXPECT_NE(e.message.find("io-grating-hi.json: $.templates.grating_coupler"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("does not define"), std::string::npos) << e.message;
  // A bad base is reported against the base.
  const std::string bad_base = holo::test::binary_dir() + "/variant_bad_base.json";
  holo::write_file_atomic(bad_base, holo::test::with_figure("phase_shifter", "p_pi_mw", -1));
  e = error_of([&] { pdk::compose_pdk_text(bad_base, {"ps-mems"}); });
  EXPECT_EQ(e.code, "PDK-RANGE");
  EXPECT_NE(e.message.find(bad_base + ": $.templates.phase_shifter.figures.p_pi_mw.value"), std::string::npos)
      << e.message;
}
