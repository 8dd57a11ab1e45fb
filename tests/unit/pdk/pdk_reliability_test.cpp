// PDK values a hostile-user campaign got through the loader ("Trustworthy outputs"): each compiled and the
// report then showed a negative heater power, a zero worst-path loss, null or inf. Each is now rejected at
// load with its code, the file, the JSON path of the field, the value and the allowed range.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "holo/pdk/pdk.h"
#include "pdk_test_util.h"

namespace holo::test {
namespace {

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct RangeCase {
  std::string tmpl, key;
  double value;
  std::string range;  // the allowed range as the message prints it
};

TEST(PdkReliability, OutOfRangeFiguresFailAtLoad) {
  const RangeCase cases[] = {
      {"waveguide", "loss_db_per_cm", -2.0, "[0, 1000] dB/cm"},      // negative loss: gain
      {"mzi", "insertion_loss_db", -0.4, "[0, 100] dB"},             // negative loss
      {"phase_shifter", "insertion_loss_db", -0.23, "[0, 100] dB"},  // negative loss
      {"phase_shifter", "p_pi_mw", 0.0, "(0, 10000] mW"},            // a free heater
      {"phase_shifter", "p_pi_mw", -24.77, "(0, 10000] mW"},         // negative heater power
      {"mzi", "length_um", 0.0, "[0.001, 100000] um"},               // zero length
      {"mzi", "length_um", 1e300, "[0.001, 100000] um"},             // absurd length
      {"phase_shifter", "length_um", 0.0, "[0.001, 100000] um"},     // zero length (layout)
      {"directional_coupler", "length_um", 1e300, "[0.001, 100000] um"},
      {"laser", "wall_plug_efficiency", 0.0, "(0, 1]"},          // infinite laser power
      {"directional_coupler", "coupling_power", 2.0, "[0, 1]"},  // more power out than in
      {"dac", "sample_rate_gsps", 0.0, "(0, 10000] GS/s"},       // latency 1e3 / 0
  };
  for (const RangeCase& c : cases) {
    SCOPED_TRACE(c.tmpl + "." + c.key);
    ErrorSeen e = pdk_error(with_figure(c.tmpl, c.key, c.value), "bad_pdk.json");
    EXPECT_EQ(e.code, "PDK-RANGE") << e.message;
    EXPECT_TRUE(e.bad_input);
    const std::string path = "$.templates." + c.tmpl + ".figures." + c.key + ".value";
    EXPECT_TRUE(has(e.message, "bad_pdk.json: " + path + ": ")) << e.message;
    EXPECT_TRUE(has(e.message, fmt::format("{}", c.value))) << e.message;
    EXPECT_TRUE(has(e.message, c.range)) << e.message;
    EXPECT_EQ(e.message.find('\n'), std::string::npos) << e.message;
  }
}

TEST(PdkReliability, OutOfRangeWavelengthAndRules) {
  ErrorSeen e = pdk_error(edited_pdk("\"wavelength_nm\": { \"value\": 1550,", "\"wavelength_nm\": { \"value\": 1.55,"));
  EXPECT_EQ(e.code, "PDK-RANGE") << e.message;
  EXPECT_TRUE(has(e.message, "$.wavelength_nm.value: 1.55 nm")) << e.message;
  EXPECT_TRUE(has(e.message, "[200, 20000] nm")) << e.message;
  for (const char* bad : {"0", "-0.4", "1e300"}) {
    e = pdk_error(edited_pdk("\"kind\": \"width\", \"min_um\": 0.4,",
                             std::string("\"kind\": \"width\", \"min_um\": ") + bad + ","));
    EXPECT_EQ(e.code, "PDK-RANGE") << e.message;
    EXPECT_TRUE(has(e.message, "$.rules[0].min_um: ")) << e.message;
    EXPECT_TRUE(has(e.message, "[0.001, 10000] um")) << e.message;
  }
  e = pdk_error(edited_pdk("{ \"name\": \"PD\", \"layer\": 48,", "{ \"name\": \"PD\", \"layer\": 70000,"));
  EXPECT_EQ(e.code, "PDK-RANGE") << e.message;
  EXPECT_TRUE(has(e.message, ".layer: 70000 is outside the allowed integers in [0, 65535]")) << e.message;
}

// nlohmann::json keeps one of two equal keys without a word; circuit.json and model.json reject them, and
// so does the PDK now, naming the object that holds the key.
TEST(PdkReliability, DuplicateKeysFailAtLoad) {
  struct Case {
    std::string from, to, path, key;
  };
  const Case cases[] = {
      // top level
      {"\"version\": 1,", "\"version\": 1, \"name\": \"shadow\",", "$", "name"},
      // inside a template
      {"\"model\": \"phase_shifter\",", "\"model\": \"phase_shifter\", \"model\": \"mzi\",",
       "$.templates.phase_shifter", "model"},
      // inside figures: a second p_pi_mw before the real one
      {"\"p_pi_mw\": { \"value\": 24.77,",
       "\"p_pi_mw\": { \"value\": 1, \"source\": \"x\" }, \"p_pi_mw\": { \"value\": 24.77,",
       "$.templates.phase_shifter.figures", "p_pi_mw"},
      // inside one figure
      {"\"p_pi_mw\": { \"value\": 24.77,", "\"p_pi_mw\": { \"value\": 24.77, \"value\": -1,",
       "$.templates.phase_shifter.figures.p_pi_mw", "value"},
      // inside an array element
      {"{ \"name\": \"PD\", \"layer\": 48,", "{ \"name\": \"PD\", \"layer\": 48, \"layer\": 49,", "$.layers[6]",
       "layer"},
      // two templates of the same name
      {"\"accumulator\": {", "\"accumulator\": {}, \"accumulator\": {", "$.templates", "accumulator"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.to);
    ErrorSeen e = pdk_error(edited_pdk(c.from, c.to), "dup.json");
    EXPECT_EQ(e.code, "PDK-PARSE") << e.message;
    EXPECT_TRUE(has(e.message, "dup.json: " + c.path + ": key '" + c.key + "' appears twice")) << e.message;
  }
}

// A typo in a figure key used to be ignored: the code fell back to a default or failed later, elsewhere.
TEST(PdkReliability, UnknownKeysFailAtLoad) {
  ErrorSeen e = pdk_error(edited_pdk("\"p_pi_mw\": {", "\"p_pi_mW\": {"));
  EXPECT_EQ(e.code, "PDK-SCHEMA") << e.message;
  EXPECT_TRUE(has(e.message, "$.templates.phase_shifter.figures.p_pi_mW: unknown figure 'p_pi_mW'")) << e.message;
  EXPECT_TRUE(has(e.message, "of template 'phase_shifter' (did you mean 'p_pi_mw'?)")) << e.message;
  EXPECT_TRUE(has(e.message, "known figures: p_pi_mw, length_um,")) << e.message;

  e = pdk_error(edited_pdk("\"coupling_power\": {", "\"coupling_ratio\": {"));
  EXPECT_EQ(e.code, "PDK-SCHEMA") << e.message;
  EXPECT_TRUE(has(e.message, "$.templates.directional_coupler.figures.coupling_ratio: unknown figure")) << e.message;

  e = pdk_error(edited_pdk("\"bond_pad\": {", "\"bond_pads\": {"));
  EXPECT_EQ(e.code, "PDK-SCHEMA") << e.message;
  EXPECT_TRUE(has(e.message, "$.templates.bond_pads: unknown template 'bond_pads' (did you mean 'bond_pad'?)"))
      << e.message;

  // unknown fields of the format itself
  e = pdk_error(edited_pdk("\"version\": 1,", "\"version\": 1, \"wavelenght_nm\": 1310,"));
  EXPECT_EQ(e.code, "PDK-SCHEMA") << e.message;
  EXPECT_TRUE(has(e.message, "$.wavelenght_nm: unknown field 'wavelenght_nm' (did you mean 'wavelength_nm'?)"))
      << e.message;
  e = pdk_error(edited_pdk("\"p_pi_mw\": { \"value\": 24.77,", "\"p_pi_mw\": { \"unit\": \"W\", \"value\": 24.77,"));
  EXPECT_EQ(e.code, "PDK-SCHEMA") << e.message;
  EXPECT_TRUE(has(e.message, "$.templates.phase_shifter.figures.p_pi_mw.unit: unknown field")) << e.message;
}

// A figure the compiler reads without a fallback is reported when the file is loaded, not when a stage
// first asks for it.
TEST(PdkReliability, MissingRequiredFigureFailsAtLoad) {
  nlohmann::ordered_json j = bundled_pdk_json();
  j["templates"]["phase_shifter"]["figures"].erase("p_pi_mw");
  ErrorSeen e = pdk_error(j.dump(1), "no_ppi.json");
  EXPECT_EQ(e.code, "PDK-MISSING-FIGURE") << e.message;
  EXPECT_TRUE(has(e.message, "no_ppi.json: $.templates.phase_shifter.figures.p_pi_mw: missing")) << e.message;

  j = bundled_pdk_json();
  j["templates"]["laser"]["figures"].erase("wall_plug_efficiency");
  e = pdk_error(j.dump(1));
  EXPECT_EQ(e.code, "PDK-MISSING-FIGURE") << e.message;
  EXPECT_TRUE(has(e.message, "$.templates.laser.figures.wall_plug_efficiency: missing")) << e.message;
}

// The compiler treats each template as one kind of component; a different model would simulate another.
TEST(PdkReliability, TemplateModelIsChecked) {
  ErrorSeen e = pdk_error(edited_pdk("\"model\": \"mzi\",", "\"model\": \"attenuator\","));
  EXPECT_EQ(e.code, "PDK-SCHEMA") << e.message;
  EXPECT_TRUE(has(e.message, "$.templates.mzi.model: template 'mzi' must have model \"mzi\"")) << e.message;
}

}  // namespace
}  // namespace holo::test
