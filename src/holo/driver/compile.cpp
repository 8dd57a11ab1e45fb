#include "holo/driver/compile.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "holo/analysis/metrics.h"
#include "holo/circuit/io.h"
#include "holo/circuit/verify.h"
#include "holo/driver/model.h"
#include "holo/frontend/onnx_writer.h"
#include "holo/graph/dump.h"
#include "holo/mapping/lower.h"
#include "holo/pdk/pdk.h"
#include "holo/report/report.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/progress.h"

namespace holo::driver {

Result compile(const std::string& model_path, const std::string& out_dir, const CompileOptions& opts) {
  namespace fs = std::filesystem;
  if (out_dir.empty()) fail("CLI-MISSING-OPTION", "compile needs -o OUT (an output directory)");
  if (opts.dac_bits < 1 || opts.dac_bits > 24)
    fail("CLI-BAD-OPTION", fmt::format("--dac-bits {} is outside 1..24", opts.dac_bits));
  mapping::MappingOptions mo;
  mo.mesh_size = opts.mesh_size;
  try {
    mo.method = linalg::parse_method(opts.method);
  } catch (const Error& e) {
    fail("CLI-BAD-OPTION", e.what());
  }
  mo.activation = opts.activation;
  mo.rank_energy = opts.rank_energy;

  std::string pdk_path = opts.pdk_path.empty() ? pdk::default_pdk_path() : opts.pdk_path;
  pdk::Pdk platform = pdk::load_pdk(pdk_path);
  graph::Graph g = load_model(model_path);

  std::unique_ptr<Progress> bar;
  if (opts.progress) {
    mo.progress = [&bar](int64_t done, int64_t total) {
      if (!bar) bar = std::make_unique<Progress>("mapping linear layers", total, true);
      bar->advance(1);
      if (done == total) bar->done();
    };
  }
  mapping::MappingSummary summary;
  circuit::Netlist net = mapping::lower(g, platform, mo, &summary);
  net.info["pdk_path"] = fs::absolute(pdk_path).lexically_normal().string();
  circuit::verify(net, platform);

  int64_t macs = 0;
  for (const auto& l : graph::layer_stats(g)) macs += l.macs;
  analysis::ChipMetrics metrics = analysis::analyze(net, platform, macs);

  report::CompileInfo info{fs::path(model_path).filename().string(),
                           pdk_path,
                           opts.mesh_size,
                           opts.method,
                           opts.activation,
                           opts.dac_bits,
                           opts.rank_energy};
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir))
    fail("FILE-WRITE",
         fmt::format("{}: cannot create the output directory: {}", out_dir, ec ? ec.message() : "not a directory"));
  auto out = [&](const char* name) { return (fs::path(out_dir) / name).string(); };
  // Every file is written whole (temp file + rename); the netlist goes last so a complete circuit.json
  // means a complete compile.
  frontend::OnnxWriteOptions wo;
  wo.float32_weights = false;
  frontend::write_onnx(g, out("model.onnx"), wo);
  write_file_atomic(out("netlist.pic.yml"), circuit::to_pic_yml(net));
  write_file_atomic(out("netlist.spi"), circuit::to_spice(net, platform));
  write_file_atomic(out("program.csv"), report::program_csv(net, platform, opts.dac_bits));
  write_file_atomic(out("report.json"), report::report_json(net, metrics, info));
  write_file_atomic(out("report.md"), report::report_markdown(net, metrics, info));
  write_file_atomic(out("circuit.json"), circuit::to_json(net));

  Result r;
  auto& j = r.json;
  j["out"] = out_dir;
  j["model"] = info.model;
  j["pdk"] = platform.name;
  j["counts"] = metrics.counts;
  for (const auto& f : metrics.figures) j["figures"][f.key] = f.value;
  j["macs_per_sample"] = macs;
  r.text = fmt::format(
      "compiled {} -> {}\n  {} optical stage(s), {} electronic stage(s), {} tile(s), {} MZIs, {} phase shifters\n",
      model_path, out_dir, summary.optical_stages, summary.electronic_stages, summary.tiles, metrics.counts.at("mzis"),
      metrics.counts.at("phase_shifters"));
  for (const auto& f : metrics.figures) r.text += fmt::format("  {}: {:.6g} ({})\n", f.label, f.value, f.key);
  return r;
}

}  // namespace holo::driver
