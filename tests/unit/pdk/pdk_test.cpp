// PDK loader: the bundled platform is complete (every required template, every number with a source),
// another PDK can be written from scratch, and every malformed file fails with its code and the JSON path.
#include "holo/pdk/pdk.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <set>
#include <string>

#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "pdk_test_util.h"
#include "test_support.h"

namespace pdk = holo::pdk;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const holo::Error& e) {
    return e.what();
  }
  return "no error";
}

const std::string& bundled_text() {
  static const std::string t = holo::read_file(pdk::default_pdk_path());
  return t;
}

// The bundled file with the only occurrence of `from` replaced (the test fails if it is not unique).
std::string edited(const std::string& from, const std::string& to) {
  const std::string& text = bundled_text();
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' not in the PDK file";
  if (at == std::string::npos) return text;
  EXPECT_EQ(text.find(from, at + from.size()), std::string::npos) << "'" << from << "' is not unique";
  return text.substr(0, at) + to + text.substr(at + from.size());
}

}  // namespace

TEST(Pdk, BundledPlatformIsComplete) {
  const pdk::Pdk p = pdk::load_pdk(pdk::default_pdk_path());
  EXPECT_EQ(p.name, "generic_soi220");
  EXPECT_EQ(p.path, pdk::default_pdk_path());
  EXPECT_FALSE(p.description.empty());
  EXPECT_EQ(p.wavelength_nm.value, 1550.0);
  EXPECT_FALSE(p.wavelength_nm.source.empty());
  for (const std::string& t : pdk::required_templates()) EXPECT_TRUE(p.templates.count(t)) << t;
  EXPECT_TRUE(p.templates.count("eo_activation")) << "the Williamson activation (issue 4, item 3)";
  size_t figures = 0;
  for (const auto& [name, t] : p.templates) {
    EXPECT_EQ(t.name, name);
    EXPECT_FALSE(t.model.empty()) << name;
    EXPECT_FALSE(t.ports.empty()) << name;
    std::set<std::string> port_names;
    for (const pdk::Port& port : t.ports) {
      EXPECT_TRUE(port_names.insert(port.name).second) << name << " port " << port.name << " twice";
      EXPECT_TRUE(port.kind == "optical" || port.kind == "electrical") << name;
    }
    for (const auto& [key, f] : t.figures) {
      ++figures;
      EXPECT_FALSE(f.source.empty()) << name << "." << key << " has no source";
    }
  }
  EXPECT_GE(figures, 40u);  // the file has ~50 figures; a loader dropping them would show here
  // GDS layer/datatype pairs are unique, and every rule refers to a defined layer.
  std::set<std::pair<int, int>> gds;
  for (const pdk::Layer& l : p.layers) EXPECT_TRUE(gds.insert({l.layer, l.datatype}).second) << l.name;
  EXPECT_EQ(p.layer("WG").layer, 1);
  for (const pdk::Rule& r : p.rules) {
    EXPECT_NO_THROW(p.layer(r.layer)) << r.name;
    EXPECT_GT(r.min_um, 0.0) << r.name;
    EXPECT_FALSE(r.source.empty()) << r.name;
    if (r.kind == "enclosure") {
      EXPECT_NO_THROW(p.layer(r.of_layer)) << r.name;
    }
  }
  // The numbers the compiler reads, as the file states them.
  EXPECT_EQ(p.tmpl("phase_shifter").number("p_pi_mw"), 24.77);
  EXPECT_EQ(p.tmpl("mzi").ports.size(), 4u);
  EXPECT_EQ(p.tmpl("mzi").ports[0].name, "o1");
  EXPECT_EQ(p.tmpl("phase_shifter").ports[2].kind, "electrical");
}

TEST(Pdk, AccessorsFailWithCodes) {
  const pdk::Pdk p = pdk::load_pdk(pdk::default_pdk_path());
  EXPECT_EQ(holo::test::error_code([&] { p.tmpl("flux_capacitor"); }), "PDK-MISSING-TEMPLATE");
  EXPECT_EQ(holo::test::error_code([&] { p.layer("M9"); }), "PDK-MISSING-LAYER");
  EXPECT_EQ(holo::test::error_code([&] { p.tmpl("mzi").number("p_pi_mw"); }), "PDK-MISSING-FIGURE");
  std::string msg = message_of([&] { p.tmpl("mzi").figure("warp_factor"); });
  EXPECT_NE(msg.find("mzi"), std::string::npos) << msg;
  EXPECT_NE(msg.find("warp_factor"), std::string::npos) << msg;
  EXPECT_TRUE(p.tmpl("mzi").has("insertion_loss_db"));
  EXPECT_FALSE(p.tmpl("mzi").has("p_pi_mw"));
}

TEST(Pdk, InvalidJson) {
  const std::string& text = bundled_text();
  EXPECT_EQ(holo::test::error_code([&] { pdk::parse_pdk(text.substr(0, text.size() / 2), "cut.json"); }), "PDK-PARSE");
  EXPECT_EQ(holo::test::error_code([&] { pdk::parse_pdk("[1, 2", "x.json"); }), "PDK-PARSE");
  EXPECT_EQ(holo::test::error_code([&] { pdk::parse_pdk("[1, 2]", "x.json"); }),
            "PDK-SCHEMA");  // JSON, but not an object
}

// Each edit of the bundled file fails with PDK-SCHEMA and a message naming the JSON path of the field.
TEST(Pdk, SchemaErrorsNameTheJsonPath) {
  // Indices of the edited entries, looked up so that adding layers or rules to the file keeps this test valid.
  const pdk::Pdk p = pdk::load_pdk(pdk::default_pdk_path());
  auto rule_at = [&](const std::string& name) {
    for (size_t i = 0; i < p.rules.size(); ++i)
      if (p.rules[i].name == name) return "$.rules[" + std::to_string(i) + "]";
    return std::string("no rule ") + name;
  };
  auto layer_at = [&](const std::string& name) {
    for (size_t i = 0; i < p.layers.size(); ++i)
      if (p.layers[i].name == name) return "$.layers[" + std::to_string(i) + "]";
    return std::string("no layer ") + name;
  };
  struct Case {
    std::string from, to, path;
  };
  const Case cases[] = {
      {"\"format\": \"holo-pdk\"", "\"format\": \"holo-circuit\"", "$.format"},
      {"\"version\": 1", "\"version\": 2", "$.version"},
      {"\"version\": 1", "\"version\": \"1\"", "$.version"},
      // a missing field
      {"\"model\": \"mzi\",", "", "$.templates.mzi.model"},
      {"\"wavelength_nm\": { \"value\": 1550, \"source\": \"design wavelength (C-band)\" },", "", "$.wavelength_nm"},
      // a number without its source, or with an empty one
      {"\"p_pi_mw\": { \"value\": 24.77, \"source\": \"[V] Harris et al., OE 22, 10487 (2014)\" }",
       "\"p_pi_mw\": { \"value\": 24.77 }", "$.templates.phase_shifter.figures.p_pi_mw.source"},
      {"\"p_pi_mw\": { \"value\": 24.77, \"source\": \"[V] Harris et al., OE 22, 10487 (2014)\" }",
       "\"p_pi_mw\": { \"value\": 24.77, \"source\": \"\" }", "$.templates.phase_shifter.figures.p_pi_mw.source"},
      // a number of the wrong type
      {"\"value\": 24.77", "\"value\": \"24.77\"", "$.templates.phase_shifter.figures.p_pi_mw.value"},
      // a rule on an unknown layer, an enclosure of an unknown layer (a min_um out of range is PDK-RANGE)
      {"{ \"name\": \"WG.W.1\", \"layer\": \"WG\",", "{ \"name\": \"WG.W.1\", \"layer\": \"WGX\",",
       rule_at("WG.W.1") + ".layer"},
      {"\"of_layer\": \"VIA\", ", "\"of_layer\": \"VIAX\", ", rule_at("VIA.EN.1") + ".of_layer"},
      // layers: duplicate name (a layer number out of the GDS range is PDK-RANGE: pdk_reliability_test.cpp)
      {"{ \"name\": \"PD\", \"layer\": 48,", "{ \"name\": \"WG\", \"layer\": 48,", layer_at("PD") + ".name"},
      // a port of an unknown kind
      {"\"ports\": [ { \"name\": \"o1\", \"kind\": \"optical\" }, { \"name\": \"e1\", \"kind\": \"electrical\" } ]",
       "\"ports\": [ { \"name\": \"o1\", \"kind\": \"fibre\" }, { \"name\": \"e1\", \"kind\": \"electrical\" } ]",
       "$.templates.photodetector.ports[0].kind"},
  };
  for (const Case& c : cases) {
    std::string text = edited(c.from, c.to);
    std::string msg = message_of([&] { pdk::parse_pdk(text, "edited.json"); });
    EXPECT_EQ(holo::test::error_code([&] { pdk::parse_pdk(text, "edited.json"); }), "PDK-SCHEMA")
        << c.to << ": " << msg;
    EXPECT_NE(msg.find("edited.json: " + c.path), std::string::npos) << "expected " << c.path << " in: " << msg;
  }
}

TEST(Pdk, MissingRequiredTemplate) {
  nlohmann::ordered_json j = holo::test::bundled_pdk_json();
  j["templates"].erase("adc");
  std::string text = j.dump(1);
  std::string msg = message_of([&] { pdk::parse_pdk(text, "no_adc.json"); });
  EXPECT_EQ(holo::test::error_code([&] { pdk::parse_pdk(text, "no_adc.json"); }), "PDK-MISSING-TEMPLATE");
  EXPECT_NE(msg.find("'adc'"), std::string::npos) << msg;
}

// JSON has no literal for inf/NaN; a number past the double range is the way a non-finite value can
// arrive, and it must be a PDK error, not an escaping parser exception.
TEST(Pdk, NonFiniteNumber) {
  std::string text = edited("\"value\": 24.77", "\"value\": 1e999");
  std::string code;
  try {
    pdk::parse_pdk(text, "huge.json");
    code = "no error";
  } catch (const holo::Error& e) {
    code = e.code();
  } catch (const std::exception& e) {
    code = std::string("not a holo::Error: ") + e.what();
  }
  EXPECT_TRUE(code == "PDK-PARSE" || code == "PDK-SCHEMA") << code;
}

TEST(Pdk, FilesAndDefaultPath) {
  EXPECT_EQ(holo::test::error_code([] { pdk::load_pdk(holo::test::binary_dir() + "/no_such_pdk.json"); }),
            "FILE-NOT-FOUND");
  const char* old = std::getenv("HOLO_PDK_DIR");
  std::string saved = old ? old : "";
  setenv("HOLO_PDK_DIR", "/opt/pdks", 1);
  EXPECT_EQ(pdk::default_pdk_path(), "/opt/pdks/generic_soi220.json");
  if (old)
    setenv("HOLO_PDK_DIR", saved.c_str(), 1);
  else
    unsetenv("HOLO_PDK_DIR");
  EXPECT_NE(pdk::default_pdk_path(), "/opt/pdks/generic_soi220.json");
}
