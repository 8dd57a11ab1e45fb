// The stage pipeline (driver/pipeline.h) and holo compile's stages: every stage is recorded in order with its
// time and peak-memory growth; --dump-after writes the stage's intermediate form (graph text, circuit.json,
// report.json) beside OUT, never inside it; compile's warnings reach the Result and report.json.
#include "holo/driver/pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "holo/circuit/io.h"
#include "holo/driver/compile.h"
#include "holo/frontend/load.h"
#include "holo/graph/dump.h"
#include "holo/graph/passes.h"
#include "holo/pdk/pdk.h"
#include "holo/support/file_io.h"
#include "holo/support/out_dir.h"
#include "test_support.h"

namespace holo::driver {
namespace {

namespace fs = std::filesystem;

class CompilePipeline : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::absolute(fs::temp_directory_path() / ("holo-pipeline-test-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::set<std::string> listing(const fs::path& d) const {
    std::set<std::string> s;
    for (const auto& e : fs::directory_iterator(d)) s.insert(e.path().filename().string());
    return s;
  }
  fs::path dir_;
};

const std::vector<StageInfo> kStages = {{"one", "first", "txt"}, {"two", "second", ""}, {"three", "third", "json"}};

std::vector<std::string> names(const std::vector<StageRecord>& r) {
  std::vector<std::string> n;
  for (const auto& s : r) n.push_back(s.name);
  return n;
}

TEST_F(CompilePipeline, PipelineRecordsTimesMemoryAndDumps) {
  Pipeline pipe(kStages, {{"three"}, path("dumps"), "out."});
  int dumps_asked = 0;
  pipe.run(
      "one", [] {}, [&] { return ++dumps_asked, std::string("never"); });  // not asked: not called
  pipe.run("two", [] {
    // 96 MiB touched: the peak grows by about that much (a fresh test process is far below it).
    std::vector<char> big(96u << 20);
    std::memset(big.data(), 1, big.size());
    EXPECT_EQ(big[12345], 1);
  });
  pipe.run(
      "three", [] {}, [&] { return ++dumps_asked, std::string("{\"x\": 1}\n"); });
  EXPECT_EQ(dumps_asked, 1);
  EXPECT_EQ(names(pipe.records()), (std::vector<std::string>{"one", "two", "three"}));
  for (const StageRecord& r : pipe.records()) {
    EXPECT_GE(r.seconds, 0.0);
    EXPECT_GE(r.peak_rss_mb, 0.0);
  }
  EXPECT_GE(pipe.records()[1].peak_rss_mb, 64.0);
  EXPECT_LT(pipe.records()[2].peak_rss_mb, 8.0);  // below the earlier peak: no growth
  ASSERT_EQ(pipe.dumps_written().size(), 1u);
  EXPECT_EQ(pipe.dumps_written()[0], path("dumps/out.after-three.json"));
  EXPECT_EQ(read_file(path("dumps/out.after-three.json")), "{\"x\": 1}\n");
  EXPECT_GT(peak_rss_kb(), 64 * 1024);

  const nlohmann::json j = stages_json(pipe.records());
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[1]["name"], "two");
  EXPECT_TRUE(j[1]["seconds"].is_number() && j[1]["peak_rss_mb"].is_number());
  const std::string table = stages_table(pipe.records());
  for (const char* s : {"stage", "one", "two", "three", "total"}) EXPECT_NE(table.find(s), std::string::npos) << s;
  EXPECT_NE(stages_help(kStages).find("three: third (dump: json)"), std::string::npos);
}

TEST(Pipeline, RejectsDumpsOfUnknownStagesOrStagesWithoutAForm) {
  EXPECT_EQ(test::error_code([] { Pipeline(kStages, {{"four"}, ".", ""}); }), "CLI-BAD-OPTION");
  EXPECT_EQ(test::error_code([] { Pipeline(kStages, {{"two"}, ".", ""}); }), "CLI-BAD-OPTION");
  Pipeline pipe(kStages, {});
  EXPECT_EQ(test::error_code([&] { pipe.run("four", [] {}); }), "INTERNAL");
}

TEST(CompileStages, AreTheDocumentedList) {
  std::vector<std::string> n;
  for (const StageInfo& s : compile_stages()) n.push_back(s.name);
  EXPECT_EQ(n, (std::vector<std::string>{"import", "simplify", "map", "verify", "analyse", "layout", "checks",
                                         "thermal", "laser_power", "write"}));
}

TEST_F(CompilePipeline, CompileDumpsEachStageBesideOut) {
  const std::string model = test::source_path("tests/unit/frontend/data/mlp.json");
  CompileOptions o;
  o.layout = false;
  o.mesh_size = 4;
  for (const StageInfo& s : compile_stages())
    if (!s.dump.empty() && s.name != "layout" && s.name != "checks") o.dump_after.push_back(s.name);
  o.stats = true;
  const Result r = compile(model, path("OUT"), o);
  // --no-layout: no layout stage, and no layout to check.
  std::vector<std::string> ran;
  for (const auto& s : r.json["stages"]) ran.push_back(s["name"].get<std::string>());
  EXPECT_EQ(ran, (std::vector<std::string>{"import", "simplify", "map", "verify", "analyse", "laser_power", "write"}));
  for (const auto& s : r.json["stages"]) EXPECT_GE(s["seconds"].get<double>(), 0.0);
  EXPECT_NE(r.text.find("stages:"), std::string::npos);
  EXPECT_NE(r.text.find("simplify"), std::string::npos);

  // Beside OUT, named after it; OUT holds exactly what its manifest lists.
  EXPECT_EQ(listing(dir_),
            (std::set<std::string>{"OUT", "OUT.after-import.graph.txt", "OUT.after-simplify.graph.txt",
                                   "OUT.after-map.circuit.json", "OUT.after-verify.circuit.json",
                                   "OUT.after-analyse.report.json", "OUT.after-laser_power.report.json"}));
  const auto manifest = read_manifest(path("OUT"));
  ASSERT_TRUE(manifest);
  std::set<std::string> listed = {kManifestName};
  for (const ManifestEntry& e : manifest->files) listed.insert(e.name);
  EXPECT_EQ(listing(dir_ / "OUT"), listed);
  EXPECT_EQ(r.json["dumps"].size(), 6u);

  // The forms: the graph as imported and as simplified, the netlist, the report.
  graph::Graph g = frontend::load_model(model);
  EXPECT_EQ(read_file(path("OUT.after-import.graph.txt")), graph::dump(g));
  graph::simplify(g);
  EXPECT_EQ(read_file(path("OUT.after-simplify.graph.txt")), graph::dump(g));
  // The netlist is OUT's but for the laser power the laser_power stage records for holo simulate.
  nlohmann::json written = nlohmann::json::parse(read_file(path("OUT/circuit.json")));
  EXPECT_EQ(written["info"]["laser_power_basis"], "pdk");
  written["info"].erase("laser_power_per_channel_mw");
  written["info"].erase("laser_power_basis");
  EXPECT_EQ(nlohmann::json::parse(read_file(path("OUT.after-map.circuit.json"))), written);
  EXPECT_EQ(read_file(path("OUT.after-verify.circuit.json")), read_file(path("OUT.after-map.circuit.json")));
  // The report after analyse has the figures (charged at the PDK's laser power, as without --calibrate); the
  // laser_power stage adds the laser facts and LASER-POWER-UNCALIBRATED.
  const nlohmann::json analysed = nlohmann::json::parse(read_file(path("OUT.after-analyse.report.json")));
  const nlohmann::json reported = nlohmann::json::parse(read_file(path("OUT/report.json")));
  EXPECT_EQ(analysed["figures"], reported["figures"]);
  EXPECT_TRUE(analysed["laser_power"].is_null());  // not decided yet: no placeholder figures
  EXPECT_EQ(reported["laser_power"]["basis"], "pdk");
  EXPECT_TRUE(reported["laser_power_required_mw"].is_null());
  EXPECT_EQ(read_file(path("OUT.after-laser_power.report.json")), read_file(path("OUT/report.json")));

  // --dump-dir: there instead, same names; a stage without a form is refused before anything is written.
  o.dump_after = {"analyse"};
  o.dump_dir = path("d/e");
  compile(model, path("OUT"), o);
  EXPECT_EQ(listing(dir_ / "d" / "e"), (std::set<std::string>{"OUT.after-analyse.report.json"}));
  o.dump_after = {"write"};
  EXPECT_EQ(test::error_code([&] { compile(model, path("OUT2"), o); }), "CLI-BAD-OPTION");
  EXPECT_FALSE(fs::exists(path("OUT2")));
  // --drc without a layout to check.
  o.dump_after = {};
  o.drc = true;
  EXPECT_EQ(test::error_code([&] { compile(model, path("OUT2"), o); }), "CLI-BAD-OPTION");
}

TEST_F(CompilePipeline, CompileWarningsReachTheResultAndTheReport) {
  const std::string model = test::source_path("tests/unit/frontend/data/tiny.json");
  // The bundled PDK without bond_pad.pitch_um: the layout falls back to its built-in 100 um.
  nlohmann::json p = nlohmann::json::parse(read_file(pdk::default_pdk_path()));
  ASSERT_TRUE(p["templates"]["bond_pad"]["figures"].erase("pitch_um") == 1);
  write_file_atomic(path("pdk.json"), p.dump(2));
  CompileOptions o;
  o.pdk_path = path("pdk.json");
  o.dump_after = {"layout", "checks"};
  const Result r = compile(model, path("OUT"), o);
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0].code, "LAYOUT-FALLBACK");
  EXPECT_EQ(r.warnings[1].code, "LASER-POWER-UNCALIBRATED");
  EXPECT_NE(r.warnings[0].message.find("bond_pad.pitch_um"), std::string::npos);
  EXPECT_EQ(r.json["warnings"][0]["code"], "LAYOUT-FALLBACK");
  const nlohmann::json report = nlohmann::json::parse(read_file(path("OUT/report.json")));
  ASSERT_EQ(report["warnings"].size(), 2u);
  EXPECT_EQ(report["warnings"][0]["code"], "LAYOUT-FALLBACK");
  EXPECT_EQ(report["warnings"][0]["message"], r.warnings[0].message);
  EXPECT_NE(read_file(path("OUT/report.md")).find("## Warnings"), std::string::npos);
  EXPECT_NE(read_file(path("OUT/report.html")).find("<code>LAYOUT-FALLBACK</code>"), std::string::npos);
  std::vector<std::string> ran;
  for (const auto& s : r.json["stages"]) ran.push_back(s["name"].get<std::string>());
  EXPECT_EQ(ran, (std::vector<std::string>{"import", "simplify", "map", "verify", "analyse", "layout", "checks",
                                           "thermal", "laser_power", "write"}));
  // After layout the report holds the layout figures; checks adds nothing without --drc.
  const nlohmann::json after = nlohmann::json::parse(read_file(path("OUT.after-layout.report.json")));
  EXPECT_TRUE(after["figures"].contains("die_area_mm2"));
  // The thermal stage charges the compensated heater powers (and the energy figures follow); the laser_power stage
  // adds its facts and warning to the report after that.
  nlohmann::json after_checks = nlohmann::json::parse(read_file(path("OUT.after-checks.report.json")))["figures"];
  nlohmann::json final_figures = nlohmann::json::parse(read_file(path("OUT/report.json")))["figures"];
  EXPECT_NE(final_figures["heater_power_mw"]["method"].get<std::string>().find("compensation"), std::string::npos);
  for (const char* k :
       {"heater_power_mw", "energy_per_sample_pj", "energy_per_mac_pj", "tops_per_w", "energy_per_mac_unpipelined_pj",
        "tops_per_w_unpipelined", "heater_power_programmed_mw", "total_power_mw"}) {
    after_checks.erase(k);
    final_figures.erase(k);
  }
  EXPECT_EQ(after_checks, final_figures);

  // The bundled PDK has every figure: no layout warning; without --calibrate only LASER-POWER-UNCALIBRATED.
  o.pdk_path.clear();
  o.dump_after.clear();
  const Result clean = compile(model, path("OUT"), o);
  ASSERT_EQ(clean.warnings.size(), 1u);
  EXPECT_EQ(clean.warnings[0].code, "LASER-POWER-UNCALIBRATED");
  EXPECT_EQ(clean.json["warnings"].size(), 1u);
  const nlohmann::json clean_report = nlohmann::json::parse(read_file(path("OUT/report.json")));
  ASSERT_TRUE(clean_report["warnings"].is_array() && clean_report["warnings"].size() == 1u);
  EXPECT_EQ(clean_report["warnings"][0]["code"], "LASER-POWER-UNCALIBRATED");
}

}  // namespace
}  // namespace holo::driver
