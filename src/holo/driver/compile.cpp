#include "holo/driver/compile.h"

#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "holo/analysis/metrics.h"
#include "holo/circuit/compiled.h"
#include "holo/circuit/io.h"
#include "holo/circuit/verify.h"
#include "holo/driver/layout_cmd.h"
#include "holo/driver/model.h"
#include "holo/frontend/onnx_writer.h"
#include "holo/graph/dump.h"
#include "holo/mapping/lower.h"
#include "holo/pdk/pdk.h"
#include "holo/report/report.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/out_dir.h"
#include "holo/support/progress.h"
#include "holo/support/sha256.h"

namespace holo::driver {

namespace {
// Every file compile may write, for recognising an OUT of a holo from before output manifests.
const std::vector<std::string>& compile_output_names() {
  static const std::vector<std::string> names = {
      "circuit.json", "netlist.pic.yml", "netlist.spi", "program.csv",   "report.json", "report.md", "model.onnx",
      "pdk.json",     "chip.gds",        "chip.lyp",    "chip.layermap", "chip.drc",    "chip.svg",  "pads.csv"};
  return names;
}
}  // namespace

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

  const std::string pdk_path = opts.pdk_path.empty() ? pdk::default_pdk_path() : opts.pdk_path;
  // The PDK's bytes travel with the chip (OUT/pdk.json): simulate and drc use exactly the platform it was
  // compiled for, and the hash in circuit.json tells when another one is given.
  const std::string pdk_text = read_file(pdk_path);
  pdk::Pdk platform = pdk::parse_pdk(pdk_text, pdk_path);
  graph::Graph g = load_model(model_path);
  // Outputs are staged beside OUT and replace it as a unit at the end (support/out_dir.h): an error or a kill
  // on the way leaves the previous OUT as it was.
  OutputDir outdir(out_dir, {"holo compile", compile_output_names()});

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
  // The chip is bound to the graph it was lowered from and to its platform, by content (holo simulate checks
  // both); the model's bytes are those written to OUT/model.onnx.
  frontend::OnnxWriteOptions wo;
  wo.float32_weights = false;
  const std::string model_bytes = frontend::write_onnx_bytes(g, wo);
  net.info["model_sha256"] = sha256_hex(model_bytes);
  net.info["pdk_sha256"] = sha256_hex(pdk_text);
  net.info["pdk_file"] = fs::path(pdk_path).filename().string();
  circuit::verify(net, platform);
  circuit::verify_compiled(net);

  int64_t macs = 0;
  for (const auto& l : graph::layer_stats(g)) macs += l.macs;
  analysis::ChipMetrics metrics = analysis::analyze(net, platform, macs);
  auto out = [&](const char* name) { return outdir.file(name); };

  // Layout: its figures feed the report (die size, added path length and loss).
  std::string layout_skipped;
  if (opts.layout) {
    ChipLayoutOptions lo;
    lo.drc_max_polygons = 0;  // --drc checks the written file instead, exactly as `holo drc` would
    std::optional<LayoutOutputs> laid;
    try {
      laid = write_chip_layout(net, platform, outdir.staging(), lo);
    } catch (const Error& e) {
      // A chip too large for GDSII's 32-bit coordinates (e.g. hundreds of 64-mode tiles, each with its own
      // pad block, stacked) is still compiled; the report says why it has no layout.
      // Otherwise a bad-input error of the layout comes from a platform figure (the netlist is compile's own):
      // it names the PDK file.
      if (e.code() != "GDS-WRITE" && e.code() != "LAYOUT-RANGE") {
        const std::string msg = e.what();
        if (e.kind() != ErrorKind::BadInput || msg.find(pdk_path) != std::string::npos) throw;
        throw Error(e.code(), fmt::format("{} (chip layout): {}", pdk_path, msg), e.kind());
      }
      std::error_code ec;
      for (const char* f : {"chip.gds", "chip.lyp", "chip.layermap", "chip.drc", "chip.svg", "pads.csv"})
        fs::remove(out(f), ec);
      layout_skipped = e.what();
      metrics.counts["layout_skipped"] = 1;
    }
    if (laid) {
      const LayoutOutputs& lay = *laid;
      const auto& f = lay.figures;
      const double base_db = metrics.figure("worst_path_loss_db").value;
      metrics.figures.push_back({"die_area_mm2", "die area", f.die_area_mm2,
                                 fmt::format("bounding box of the laid-out chip (chip.gds), {:.0f} x {:.0f} um",
                                             f.die_width_um, f.die_height_um)});
      metrics.figures.push_back({"waveguide_length_um", "total waveguide length", f.waveguide_length_um,
                                 "x extent of every placed optical element summed over the mode tracks (mesh "
                                 "components, equal-length fillers, I/O waveguides)"});
      metrics.figures.push_back(
          {"layout_added_loss_db", "insertion loss added by the layout", f.worst_path_added_loss_db,
           fmt::format("worst path: {:.0f} um of fillers and coupler fan-out waveguide at the PDK's "
                       "propagation loss, plus its {} fan-out bends and {} crossings (PDK figures); the grating "
                       "couplers' own loss is in worst_path_loss_db",
                       f.worst_path_added_length_um, f.worst_path_bends, f.crossings)});
      metrics.figures.push_back(
          {"io_length_spread_um", "I/O waveguide length spread", f.io_length_spread_um,
           fmt::format("longest minus shortest coupler-to-tile waveguide among one tile's inputs or outputs ({} "
                       "grating couplers at the PDK's fibre pitch fanned out to the mode pitch): a static phase "
                       "per channel, to be calibrated through the input modulators and the receivers' local "
                       "oscillator; holo simulate does not model it",
                       f.io_couplers)});
      metrics.figures.push_back({"worst_path_loss_with_layout_db", "worst-path insertion loss incl. layout",
                                 base_db + f.worst_path_added_loss_db,
                                 "worst_path_loss_db + layout_added_loss_db (an upper bound: the two worst cases are "
                                 "added)"});
      if (f.cutback_length_um.size() >= 2)
        metrics.figures.push_back(
            {"cutback_length_step_um", "cut-back set: length added per waveguide",
             f.cutback_length_um[1] - f.cutback_length_um[0],
             fmt::format("test structure: {} waveguides between the die edges, {:.3f} um long (centrelines of the "
                         "placed straights and circular bends); fit insertion loss against length for the "
                         "propagation loss",
                         f.cutback_length_um.size(), fmt::join(f.cutback_length_um, ", "))});
      metrics.counts["alignment_marks"] = f.alignment_marks;
      metrics.counts["test_structures"] = f.test_structures;
      metrics.counts["layout_bends"] = f.bends;
      metrics.counts["io_couplers"] = f.io_couplers;
      metrics.counts["layout_crossings"] = f.crossings;
      metrics.counts["layout_cells"] = f.layout_cells;
      metrics.counts["bond_pads"] = f.bond_pads;
      metrics.counts["ground_pads"] = f.ground_pads;
      const layout::HeaterNets& hn = lay.heater_nets;
      metrics.counts["wired_heaters"] = hn.heaters;
      metrics.counts["wiring_drive_nets"] = hn.drive_nets;
      metrics.counts["wiring_common_nets"] = hn.common_nets;
      metrics.counts["wiring_opens"] = hn.open_terminals + hn.dangling_pads;
      metrics.counts["wiring_shorts"] = hn.shorted_heaters + hn.undriven_heaters;
      metrics.figures.push_back(
          {"heater_wiring_length_um", "heater wiring on M2", f.wire_length_um,
           fmt::format("M2 length of the channel tracks, fan-outs and pad entries of the meshes' heater wiring "
                       "(one pad per heater, {} for ground tracks; the wires inside each MZI cell and the test "
                       "structure's not counted); checked from the geometry of the whole chip ({} bond pads): {} "
                       "heaters, {} own drive nets, {} common nets, {} shorts, {} opens",
                       f.ground_pads, f.bond_pads, hn.heaters, hn.drive_nets, hn.common_nets,
                       metrics.counts["wiring_shorts"], metrics.counts["wiring_opens"])});
      metrics.counts["lvs_mismatches"] = lay.lvs_mismatches;
      // What an independent reader must find in chip.gds (tests/e2e/test_chip_layout.py checks it with KLayout).
      for (const auto& [layer, n] : lay.shapes_per_layer) metrics.counts["layout_shapes_" + layer] = n;
      if (!hn.clean())
        internal_error(fmt::format("the chip's heater wiring is wrong: {}", hn.problems.empty() ? "" : hn.problems[0]));
      if (lay.lvs_mismatches != 0)
        internal_error(fmt::format("the chip layout does not match the netlist ({} mismatches)", lay.lvs_mismatches));
    }
  }

  if (opts.drc && metrics.counts.count("layout_skipped") == 0) {
    // The same check as `holo drc OUT/chip.gds`, on the bytes just written: a chip holo drc rejects (a second
    // top cell, a rule violation) cannot pass here.
    write_file_atomic(out("pdk.json"), pdk_text);
    DrcCommandOptions dopt;
    dopt.gds_path = out("chip.gds");
    dopt.pdk_path = out("pdk.json");
    dopt.max_listed = 20;
    // The chip is compile's own: no input budgets (the user asked for the check, however long it takes).
    dopt.limits = layout::FlatLimits::unlimited();
    dopt.drc_work_per_vertex = 0;
    Result d;
    try {
      d = drc(dopt);
    } catch (const Error& e) {
      internal_error(fmt::format("compile wrote a chip.gds that holo drc rejects: [{}] {}", e.code(), e.what()));
    }
    metrics.counts["drc_violations"] = d.json.at("total").get<int64_t>();
  }

  report::CompileInfo info{
      fs::path(model_path).filename().string(),
      fmt::format("{} (sha256 {})", fs::path(pdk_path).filename().string(), net.info.at("pdk_sha256").substr(0, 16)),
      opts.mesh_size,
      opts.method,
      opts.activation,
      opts.dac_bits,
      opts.rank_energy};
  write_file_atomic(out("model.onnx"), model_bytes);
  write_file_atomic(out("pdk.json"), pdk_text);
  // The netlist-sized files are streamed cell by cell: memory for one cell's text, not the file's.
  auto stream = [&](const char* name, const auto& write) {
    AtomicFile file(out(name));
    TextSink sink{{}, &file};
    write(sink);
    file.commit();
  };
  stream("netlist.pic.yml", [&](TextSink& s) { circuit::write_pic_yml(net, circuit::PicYmlOptions{}, s); });
  stream("netlist.spi", [&](TextSink& s) { circuit::write_spice(net, platform, s); });
  stream("program.csv", [&](TextSink& s) { report::write_program_csv(net, platform, opts.dac_bits, s); });
  write_file_atomic(out("report.json"), report::report_json(net, metrics, info));
  write_file_atomic(out("report.md"), report::report_markdown(net, metrics, info));
  circuit::write_json_file(net, out("circuit.json"));
  outdir.commit();

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
  if (!layout_skipped.empty()) {
    r.json["layout_skipped"] = layout_skipped;
    r.text += "  no layout written: " + layout_skipped + "\n";
  }
  return r;
}

}  // namespace holo::driver
