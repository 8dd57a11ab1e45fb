#include "holo/driver/compile.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>

#include "holo/analysis/layout_figures.h"
#include "holo/analysis/metrics.h"
#include "holo/circuit/compiled.h"
#include "holo/circuit/io.h"
#include "holo/circuit/verify.h"
#include "holo/driver/design.h"
#include "holo/driver/layout_cmd.h"
#include "holo/driver/model.h"
#include "holo/frontend/load.h"
#include "holo/frontend/onnx_writer.h"
#include "holo/graph/dump.h"
#include "holo/graph/passes.h"
#include "holo/layout/params.h"
#include "holo/mapping/lower.h"
#include "holo/pdk/pdk.h"
#include "holo/pdk/variants.h"
#include "holo/report/report.h"
#include "holo/runtime/evaluate.h"
#include "holo/runtime/laser_power.h"
#include "holo/sim/thermal_sites_model.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/npy.h"
#include "holo/support/out_dir.h"
#include "holo/support/progress.h"
#include "holo/support/sha256.h"

namespace holo::driver {

const std::vector<StageInfo>& compile_stages() {
  static const std::vector<StageInfo> stages = {
      {"import", "read the platform (PDK) and the model; verify the graph", "graph.txt"},
      {"simplify", "remove Identity/Dropout, fold BatchNorm and constant subgraphs", "graph.txt"},
      {"map", "lower the graph onto the photonic netlist; bind it to the model and platform by hash", "circuit.json"},
      {"verify", "check the netlist against the platform", "circuit.json"},
      {"analyse", "counts and figures: loss, heater power, latency, pipelined throughput, energy per MAC and TOPS/W",
       "report.json"},
      {"layout", "lay out the chip (chip.gds and companions, in OUT's staging directory); layout figures",
       "report.json"},
      {"checks", "the layout's wiring and layout-vs-netlist results are clean; with --drc, holo's DRC of chip.gds",
       "report.json"},
      {"thermal",
       "record the layout's heater sites; solve the heater powers that give the target phases through the thermal "
       "crosstalk (compensated programming); charge them in heater_power_mw",
       "circuit.json"},
      {"laser_power",
       "find by simulation the laser power per channel the chip needs on the --calibrate batch (else charge the "
       "PDK's); charge the power and energy figures at it",
       "report.json"},
      {"write", "write the netlist forms, program, report and model; replace OUT as a unit", ""},
  };
  return stages;
}

namespace {

// Every file compile may write, for recognising an OUT of a holo from before output manifests.
const std::vector<std::string>& compile_output_names() {
  static const std::vector<std::string> names = {"circuit.json", "netlist.pic.yml", "netlist.spi", "program.csv",
                                                 "report.json",  "report.md",       "report.html", "model.onnx",
                                                 "pdk.json",     "chip.gds",        "chip.lyp",    "chip.layermap",
                                                 "chip.drc",     "chip.svg",        "pads.csv",    "design.json"};
  return names;
}

// What flows from stage to stage.
struct Compilation {
  std::string model_path, out_dir, pdk_path, pdk_text;
  const CompileOptions* opts = nullptr;
  mapping::MappingOptions mapping;
  pdk::Pdk platform;
  graph::Graph graph;
  std::optional<OutputDir> outdir;
  std::unique_ptr<Progress> bar;
  mapping::MappingSummary summary;
  circuit::Netlist net;
  std::string model_bytes;  // OUT/model.onnx
  int64_t macs = 0;
  analysis::ChipMetrics metrics;
  std::string layout_skipped;       // why there is no layout (a chip too large for GDSII)
  std::vector<Array> calib_inputs;  // the --calibrate batch (empty: none)
  Array calib_labels;               // --calibrate-labels (rank 0 when not given)
  report::LaserReport laser;
  Diagnostics diag;
  std::string thermal_text;  // the thermal stage's summary line (empty without heater sites)

  std::string out(const char* name) const { return outdir->file(name); }
  report::CompileInfo info() const {
    return {std::filesystem::path(model_path).filename().string(),
            fmt::format("{} (sha256 {})", std::filesystem::path(pdk_path).filename().string(),
                        net.info.at("pdk_sha256").substr(0, 16)),
            opts->mesh_size,
            opts->method,
            opts->activation,
            opts->dac_bits,
            opts->rank_energy,
            diag.warnings(),
            laser,
            opts->pdk_variants,
            std::nullopt};  // worst_path: report.html's, computed by write()
  }
  std::string report_json() const { return report::report_json(net, metrics, info()); }
};

// Checks the options (before anything is read) and returns the mapping's.
mapping::MappingOptions check_options(const std::string& out_dir, const CompileOptions& opts) {
  if (out_dir.empty()) fail("CLI-MISSING-OPTION", "compile needs -o OUT (an output directory)");
  if (opts.dac_bits < 1 || opts.dac_bits > 24)
    fail("CLI-BAD-OPTION", fmt::format("--dac-bits {} is outside 1..24", opts.dac_bits));
  if (opts.drc && !opts.layout)
    fail("CLI-BAD-OPTION", "--drc checks the chip's layout (chip.gds), which --no-layout skips: give one of them");
  if (!(opts.accuracy_drop_pp >= 0.0 && opts.accuracy_drop_pp < 100.0))
    fail("CLI-BAD-OPTION", fmt::format("--accuracy-drop-pp {} is outside [0, 100)", opts.accuracy_drop_pp));
  if (!opts.calibrate_labels_path.empty() && opts.calibrate_paths.empty())
    fail("CLI-BAD-OPTION", "--calibrate-labels labels the --calibrate batch: give --calibrate X.npy too");
  mapping::MappingOptions mo;
  mo.mesh_size = opts.mesh_size;
  try {
    mo.method = linalg::parse_method(opts.method);
  } catch (const Error& e) {
    fail("CLI-BAD-OPTION", e.what());
  }
  mo.activation = opts.activation;
  mo.rank_energy = opts.rank_energy;
  return mo;
}

// Dumps go to --dump-dir, else beside OUT, named after OUT: never inside OUT, which holds exactly what its
// manifest lists (support/out_dir.h).
PipelineOptions dump_options(const std::string& out_dir, const CompileOptions& opts) {
  namespace fs = std::filesystem;
  fs::path p = fs::path(out_dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();  // "out/" names "out"
  if (p.filename() == "." || p.filename() == ".." || p.filename().empty()) {
    std::error_code ec;
    p = fs::absolute(out_dir, ec).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();
  }
  PipelineOptions po;
  po.dump_after = opts.dump_after;
  po.dump_dir = !opts.dump_dir.empty() ? opts.dump_dir : p.parent_path().string();  // "": the working directory
  po.dump_prefix = p.filename().empty() ? "" : p.filename().string() + ".";
  return po;
}

void import(Compilation& c) {
  c.pdk_path = c.opts->pdk_path.empty() ? pdk::default_pdk_path() : c.opts->pdk_path;
  // The PDK's bytes travel with the chip (OUT/pdk.json): simulate and drc use exactly the platform it was
  // compiled for, and the hash in circuit.json tells when another one is given.
  // With --pdk-variant the platform is the base with the variants applied (docs/pdk.md#variants); without, the
  // base file's bytes.
  c.pdk_text =
      c.opts->pdk_variants.empty() ? read_file(c.pdk_path) : pdk::compose_pdk_text(c.pdk_path, c.opts->pdk_variants);
  c.platform = pdk::parse_pdk(c.pdk_text, c.pdk_path);
  c.graph = frontend::load_model(c.model_path);
  // The calibration batch is read and checked now, so a bad file stops compile before the long stages.
  const auto& paths = c.opts->calibrate_paths;
  if (paths.empty()) return;
  if (paths.size() != c.graph.inputs.size())
    fail("CLI-INPUT-COUNT", fmt::format("{}: the model takes {} input(s) but {} --calibrate file(s) were given",
                                        c.model_path, c.graph.inputs.size(), paths.size()));
  c.calib_inputs = read_inputs(c.graph, paths, c.model_path);
  if (!c.opts->calibrate_labels_path.empty()) {
    c.calib_labels = read_npy(c.opts->calibrate_labels_path);
    const int64_t batch = c.calib_inputs[0].rank() ? c.calib_inputs[0].dim(0) : 0;
    if (c.calib_labels.rank() != 1 || c.calib_labels.dim(0) != batch)
      fail("EVAL-LABELS", fmt::format("{}: labels have shape {} but the calibration batch has {} samples",
                                      c.opts->calibrate_labels_path, shape_str(c.calib_labels.shape), batch));
  }
  // What the laser_power stage will need, checked here too: the model's outputs on the batch (an empty batch, an
  // output that is not a class score) and the labels as class indices; and the platform's waveguide power limit.
  const runtime::Reference ref = runtime::reference(c.graph, c.calib_inputs, fmt::format("{}", fmt::join(paths, ", ")));
  if (!c.opts->calibrate_labels_path.empty())
    (void)runtime::class_labels(c.calib_labels, ref, c.opts->calibrate_labels_path);
  if (!c.platform.tmpl("waveguide").has("max_power_mw"))
    fail("PDK-MISSING-FIGURE",
         fmt::format("{}: waveguide.max_power_mw: missing; --calibrate needs it (the cap on the laser power per "
                     "channel, docs/pdk.md)",
                     c.pdk_path));
}

void map(Compilation& c) {
  if (c.opts->progress) {
    c.mapping.progress = [&c](int64_t done, int64_t total) {
      if (!c.bar) c.bar = std::make_unique<Progress>("mapping linear layers", total, true);
      c.bar->advance(1);
      if (done == total) c.bar->done();
    };
  }
  c.net = mapping::lower(c.graph, c.platform, c.mapping, &c.summary);
  // The chip is bound to the graph it was lowered from and to its platform, by content (holo simulate checks
  // both); the model's bytes are those written to OUT/model.onnx.
  frontend::OnnxWriteOptions wo;
  wo.float32_weights = false;
  c.model_bytes = frontend::write_onnx_bytes(c.graph, wo);
  c.net.info["model_sha256"] = sha256_hex(c.model_bytes);
  c.net.info["pdk_sha256"] = sha256_hex(c.pdk_text);
  c.net.info["pdk_file"] = std::filesystem::path(c.pdk_path).filename().string();
  if (!c.opts->pdk_variants.empty())
    c.net.info["pdk_variants"] = fmt::format("{}", fmt::join(c.opts->pdk_variants, ","));
}

void analyse(Compilation& c) {
  for (const auto& l : graph::layer_stats(c.graph)) c.macs += l.macs;
  c.metrics = analysis::analyze(c.net, c.platform, c.macs);
}

// Returns the layout's facts, or nullopt when the chip is too large for GDSII (the report says why).
std::optional<LayoutOutputs> lay_out(Compilation& c) {
  namespace fs = std::filesystem;
  ChipLayoutOptions lo;
  lo.drc_max_polygons = 0;  // --drc checks the written file instead, exactly as `holo drc` would
  std::optional<LayoutOutputs> laid;
  try {
    laid = write_chip_layout(c.net, c.platform, c.outdir->staging(), lo);
  } catch (const Error& e) {
    // A chip too large for GDSII's 32-bit coordinates (e.g. hundreds of 64-mode tiles, each with its own
    // pad block, stacked) is still compiled; the report says why it has no layout.
    // Otherwise a bad-input error of the layout comes from a platform figure (the netlist is compile's own):
    // it names the PDK file.
    if (e.code() != "GDS-WRITE" && e.code() != "LAYOUT-RANGE") {
      const std::string msg = e.what();
      if (e.kind() != ErrorKind::BadInput || msg.find(c.pdk_path) != std::string::npos) throw;
      throw Error(e.code(), fmt::format("{} (chip layout): {}", c.pdk_path, msg), e.kind());
    }
    std::error_code ec;
    for (const char* f : {"chip.gds", "chip.lyp", "chip.layermap", "chip.drc", "chip.svg", "pads.csv"})
      fs::remove(c.out(f), ec);
    c.layout_skipped = e.what();
    c.metrics.counts["layout_skipped"] = 1;
    c.diag.warn("LAYOUT-SKIPPED",
                fmt::format("{}: no layout written (chip.gds and its figures): {}", c.out_dir, c.layout_skipped));
    return std::nullopt;
  }
  // The drawn paths go into the chip (circuit.json): the simulator and the stage losses read them
  // (circuit/path_loss.h).
  for (circuit::Stage& st : c.net.stages)
    for (circuit::Tile& t : st.tiles) {
      auto it = laid->drawn.find(t.cell);
      if (it != laid->drawn.end()) t.drawn = it->second;
    }
  analysis::add_stage_losses(c.metrics, c.net, c.platform);
  for (const layout::ParamFallback& f : laid->fallbacks)
    c.diag.warn("LAYOUT-FALLBACK", fmt::format("{}: {}", c.pdk_path, f.message()));
  analysis::add_layout_figures(c.metrics,
                               {laid->figures, laid->heater_nets, laid->lvs_mismatches, laid->shapes_per_layer});
  return laid;
}

void check(Compilation& c, const LayoutOutputs& lay) {
  const layout::HeaterNets& hn = lay.heater_nets;
  if (!hn.clean())
    internal_error(fmt::format("the chip's heater wiring is wrong: {}", hn.problems.empty() ? "" : hn.problems[0]));
  if (lay.lvs_mismatches != 0)
    internal_error(fmt::format("the chip layout does not match the netlist ({} mismatches)", lay.lvs_mismatches));
  if (!c.opts->drc) return;
  // The same check as `holo drc OUT/chip.gds`, on the bytes just written: a chip holo drc rejects (a second
  // top cell, a rule violation) cannot pass here.
  write_file_atomic(c.out("pdk.json"), c.pdk_text);
  DrcCommandOptions dopt;
  dopt.gds_path = c.out("chip.gds");
  dopt.pdk_path = c.out("pdk.json");
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
  c.metrics.counts["drc_violations"] = d.json.at("total").get<int64_t>();
}

// The layout's heater sites into the netlist with the compensated programming (docs/simulation.md#thermal-crosstalk):
// per tile the sparse crosstalk of its sites and the heater powers that give its programmed phases.
void thermal(Compilation& c, const LayoutOutputs& lay) {
  if (lay.thermal_sites.empty()) return;
  sim::ThermalStack stack;
  try {
    stack = sim::thermal_stack(c.platform);
  } catch (const Error& e) {
    if (e.code() != "PDK-MISSING-FIGURE") throw;
    c.diag.warn("THERMAL-NOT-MODELLED", fmt::format("{}: {}; no heater sites recorded, so holo simulate leaves "
                                                    "thermal crosstalk out and heater_power_mw is uncompensated",
                                                    c.pdk_path, e.what()));
    return;
  }
  circuit::ThermalSites sites;
  double nominal_mw = 0, compensated_mw = 0, residual = 0, build_s = 0, solve_s = 0;
  int64_t count = 0, raised = 0, nnz = 0;
  int32_t rounds = 0;
  for (const auto& [tile, list] : lay.thermal_sites) {
    sim::TileCompensation r = sim::compensate_tile(stack, circuit::read_tile(c.net, tile), list);
    build_s += r.build_s;
    solve_s += r.solve_s;
    nnz += r.nonzeros;
    residual = std::max(residual, r.max_residual_rad);
    rounds = std::max(rounds, r.rounds);
    raised += r.raised;
    nominal_mw += r.nominal_power_mw;
    compensated_mw += r.power_mw;
    count += static_cast<int64_t>(r.sites.size());
    sites[tile] = std::move(r.sites);
  }
  c.net.thermal_sites = std::move(sites);
  analysis::charge_compensated_heaters(c.metrics, nominal_mw, compensated_mw, count, raised);
  c.metrics.counts["thermal_sites"] = count;
  c.metrics.counts["thermal_crosstalk_nonzeros"] = nnz;
  c.thermal_text = fmt::format(
      "  thermal crosstalk: {} heater sites, {} nonzeros (cutoff {:.3g} um), built in {:.3g} s, solved in {:.3g} s "
      "({} rounds), max residual {:.3g} rad\n",
      count, nnz, sim::crosstalk_cutoff_um(stack), build_s, solve_s, rounds, residual);
}

// The laser power search (docs/simulation.md#laser-power): its fixed settings.
constexpr uint64_t kCalibrationSeed = 0;
constexpr int kCalibrationDraws = 2;
constexpr double kPowerFloorMw = 1e-3;  // 1 uW per channel
constexpr double kPowerTolerance = 0.05;

std::string describe_simulator(const sim::SimOptions& o) {
  std::string s = o.use_pdk_loss ? fmt::format("every loss on the {} paths ({})",
                                               o.use_drawn_paths ? "drawn (layout's)" : "schematic",
                                               o.balanced_mesh_loss ? "loss-matched idle slots" : "idle slots as drawn")
                                 : "no insertion loss";
  std::vector<std::string> noise;
  if (o.shot_noise) noise.push_back("shot");
  if (o.thermal_noise) noise.push_back("thermal");
  if (o.rin) noise.push_back("laser RIN");
  s += noise.empty() ? ", no detector noise"
                     : fmt::format(", {} noise over the symbol-rate bandwidth", fmt::join(noise, " + "));
  if (o.signal_quantization) s += ", signal DAC and ADC at the PDK's bits";
  if (o.attenuator_extinction) s += ", finite attenuator extinction";
  s += o.dac_bits > 0 ? fmt::format(", {}-bit phase DACs", o.dac_bits) : ", exact phases";
  if (o.coupler_sigma_rad > 0) s += fmt::format(", coupler errors sigma {:g} rad", o.coupler_sigma_rad);
  if (o.phase_noise_rad > 0) s += fmt::format(", phase noise sigma {:g} rad", o.phase_noise_rad);
  return s + " (the simulator's defaults)";
}

void laser_power(Compilation& c) {
  // The cap needs the PDK's waveguide.max_power_mw, optional unless --calibrate is given (checked in import).
  const runtime::ChannelPowerCap cap = c.platform.tmpl("waveguide").has("max_power_mw")
                                           ? runtime::channel_power_cap(c.net, c.platform)
                                           : runtime::ChannelPowerCap{};
  report::LaserReport& l = c.laser;
  l.decided = true;
  l.cap_per_channel_mw = cap.per_channel_mw;
  l.cap_method = cap.method;
  l.waveguide_max_mw = cap.waveguide_max_mw;
  double charged = c.platform.tmpl("laser").number("power_per_channel_mw");
  analysis::LaserBasis basis = analysis::LaserBasis::pdk;
  if (c.calib_inputs.empty()) {
    c.diag.warn("LASER-POWER-UNCALIBRATED",
                fmt::format("{}: no calibration batch, so the power and energy figures charge the PDK's laser power "
                            "({:g} mW per channel), at which the chip's accuracy is unknown; give --calibrate X.npy "
                            "[--calibrate-labels y.npy] to find the power the chip needs",
                            c.model_path, charged));
  } else {
    const std::string batch_name = fmt::format("{}", fmt::join(c.opts->calibrate_paths, ", "));
    const runtime::Reference ref = runtime::reference(c.graph, c.calib_inputs, batch_name);
    std::vector<int64_t> labels;
    if (!c.opts->calibrate_labels_path.empty())
      labels = runtime::class_labels(c.calib_labels, ref, c.opts->calibrate_labels_path);
    runtime::LaserCalibrationOptions o;
    o.sim.seed = kCalibrationSeed;
    o.draws = kCalibrationDraws;
    o.accuracy_margin = c.opts->accuracy_drop_pp / 100.0;
    o.agreement_target = 1.0 - c.opts->accuracy_drop_pp / 100.0;
    o.search.cap_mw = cap.per_channel_mw;
    // A platform whose cap lies below the usual floor is still searched, over three decades under its cap.
    o.search.floor_mw = std::min(kPowerFloorMw, cap.per_channel_mw * 1e-3);
    o.search.tolerance = kPowerTolerance;
    std::unique_ptr<Progress> bar;
    if (c.opts->progress) {
      const double halvings =
          std::ceil(std::log2(std::log(o.search.cap_mw / o.search.floor_mw) / std::log1p(o.search.tolerance)));
      bar = std::make_unique<Progress>("laser power search", 2 + static_cast<int64_t>(std::max(0.0, halvings)), true);
      o.on_probe = [&bar](const runtime::PowerProbe&) { bar->advance(); };
    }
    const runtime::LaserCalibration cal =
        runtime::calibrate_laser_power(c.graph, c.net, c.platform, c.calib_inputs, ref, labels, o);
    if (bar) bar->done();
    const runtime::PowerProbe& at = cal.search.probe_at(cal.search.power_mw);
    l.calibrated = true;
    // File names only, as report.json's model: the report does not depend on where the files were.
    auto file_name = [](const std::string& path) { return std::filesystem::path(path).filename().string(); };
    std::vector<std::string> names;
    for (const std::string& path : c.opts->calibrate_paths) names.push_back(file_name(path));
    l.batch = fmt::format("{}", fmt::join(names, ", "));
    l.labels = c.opts->calibrate_labels_path.empty() ? "" : file_name(c.opts->calibrate_labels_path);
    l.samples = cal.samples;
    l.criterion = cal.criterion;
    l.outcome = runtime::outcome_name(cal.search.outcome);
    l.labelled = cal.labelled;
    l.reference_accuracy = cal.reference_accuracy;
    l.accuracy = at.accuracy;
    l.agreement = at.agreement;
    l.below_mw = cal.search.below_mw;
    l.floor_mw = o.search.floor_mw;
    l.tolerance = o.search.tolerance;
    l.seed = o.sim.seed;
    l.draws = cal.draws;
    l.evaluations = static_cast<int64_t>(cal.search.probes.size());
    l.simulator = describe_simulator(cal.sim);
    charged = cal.search.power_mw;
    if (cal.search.outcome == runtime::PowerOutcome::unreachable) {
      basis = analysis::LaserBasis::cap;
      c.diag.warn(
          "LASER-POWER-CAP",
          fmt::format("{}: the chip does not reach the calibration target below the laser power cap ({:.4g} mW per "
                      "channel, where a waveguide carries the PDK's waveguide.max_power_mw {:g} mW): at the cap {}"
                      "agreement with the reference is {:.4f}; the figures are charged at the cap and "
                      "laser_power_required_mw is null (a smaller --mesh-size loses less light)",
                      c.model_path, cap.per_channel_mw, cap.waveguide_max_mw,
                      cal.labelled ? fmt::format("accuracy is {:.4f} (target {:.4f}, reference {:.4f}) and ",
                                                 at.accuracy, cal.target, cal.reference_accuracy)
                                   : "",
                      at.agreement));
    } else {
      basis = analysis::LaserBasis::calibrated;
      l.required_found = true;
      l.required_mw = cal.search.power_mw;
    }
  }
  analysis::charge_laser(c.metrics, c.platform, charged, basis);
  // holo simulate runs the chip at this power unless told otherwise (--laser-power-mw).
  c.net.info["laser_power_per_channel_mw"] = fmt::format("{}", charged);
  c.net.info["laser_power_basis"] = analysis::laser_basis_name(basis);
}

// What report.html shows of the layout preview the layout stage staged (none without a layout).
report::ChipPreview chip_preview(const Compilation& c) {
  namespace fs = std::filesystem;
  report::ChipPreview p;
  std::error_code ec;
  const std::string path = c.out("chip.svg");
  const auto bytes = fs::file_size(path, ec);
  if (ec) return p;
  p.bytes = static_cast<int64_t>(bytes);
  if (p.bytes <= report::kEmbedChipSvgMaxBytes) p.svg = read_file(path);
  return p;
}

void write(Compilation& c) {
  report::CompileInfo info = c.info();
  info.worst_path = report::worst_path_report(c.net, c.platform);
  write_file_atomic(c.out("model.onnx"), c.model_bytes);
  write_file_atomic(c.out("pdk.json"), c.pdk_text);
  // The netlist-sized files are streamed cell by cell: memory for one cell's text, not the file's.
  auto stream = [&](const char* name, const auto& body) {
    AtomicFile file(c.out(name));
    TextSink sink{{}, &file};
    body(sink);
    file.commit();
  };
  stream("netlist.pic.yml", [&](TextSink& s) { circuit::write_pic_yml(c.net, circuit::PicYmlOptions{}, s); });
  stream("netlist.spi", [&](TextSink& s) { circuit::write_spice(c.net, c.platform, s); });
  stream("program.csv", [&](TextSink& s) { report::write_program_csv(c.net, c.platform, c.opts->dac_bits, s); });
  write_file_atomic(c.out("design.json"), design_json(design_of(*c.opts)));
  write_file_atomic(c.out("report.json"), report::report_json(c.net, c.metrics, info));
  write_file_atomic(c.out("report.md"), report::report_markdown(c.net, c.metrics, info));
  write_file_atomic(c.out("report.html"), report::report_html(c.net, c.metrics, info, chip_preview(c)));
  circuit::write_json_file(c.net, c.out("circuit.json"));
  c.outdir->commit();
}

Result compile_result(const Compilation& c, const Pipeline& pipe) {
  Result r;
  auto& j = r.json;
  j["out"] = c.out_dir;
  j["model"] = std::filesystem::path(c.model_path).filename().string();
  j["pdk"] = c.platform.name;
  j["counts"] = c.metrics.counts;
  for (const auto& f : c.metrics.figures) j["figures"][f.key] = f.value;
  j["macs_per_sample"] = c.macs;
  // The same as report.json's (one rendering of the laser facts).
  const auto report = nlohmann::json::parse(c.report_json());
  j["laser_power_required_mw"] = report.at("laser_power_required_mw");
  j["laser_power"] = report.at("laser_power");
  j["stages"] = stages_json(pipe.records());
  j["warnings"] = nlohmann::json::array();
  for (const Warning& w : c.diag.warnings()) j["warnings"].push_back({{"code", w.code}, {"message", w.message}});
  r.warnings = c.diag.warnings();
  if (!pipe.dumps_written().empty()) j["dumps"] = pipe.dumps_written();
  r.text = fmt::format(
      "compiled {} -> {}\n  {} optical stage(s), {} electronic stage(s), {} tile(s), {} MZIs, {} phase shifters\n",
      c.model_path, c.out_dir, c.summary.optical_stages, c.summary.electronic_stages, c.summary.tiles,
      c.metrics.counts.at("mzis"), c.metrics.counts.at("phase_shifters"));
  for (const auto& f : c.metrics.figures) r.text += fmt::format("  {}: {:.6g} ({})\n", f.label, f.value, f.key);
  const report::LaserReport& l = c.laser;
  const double charged = c.metrics.laser.per_channel_mw;
  if (!l.calibrated)
    r.text += fmt::format("  laser power: {:.6g} mW per channel (the PDK's; not calibrated)\n", charged);
  else if (l.required_found)
    r.text += fmt::format(
        "  laser power required: {:.6g} mW per channel ({}agreement {:.4f} on {} calibration samples)\n", charged,
        l.labelled ? fmt::format("accuracy {:.4f}, reference {:.4f}, ", l.accuracy, l.reference_accuracy) : "",
        l.agreement, l.samples);
  else
    r.text += fmt::format(
        "  laser power: {:.6g} mW per channel, the cap (the calibration target is not reachable "
        "below it)\n",
        charged);
  if (!c.layout_skipped.empty()) {
    j["layout_skipped"] = c.layout_skipped;
    r.text += "  no layout written: " + c.layout_skipped + "\n";
  }
  r.text += c.thermal_text;
  for (const std::string& d : pipe.dumps_written()) r.text += fmt::format("  dump: {}\n", d);
  if (c.opts->stats) r.text += "stages:\n" + stages_table(pipe.records());
  return r;
}

}  // namespace

Design design_of(const CompileOptions& opts) {
  Design d;
  d.mesh_size = opts.mesh_size;
  d.method = opts.method;
  d.rank_energy = opts.rank_energy;
  d.activation = opts.activation;
  d.dac_bits = opts.dac_bits;
  d.pdk_variants = opts.pdk_variants;
  return d;
}

void apply_design(CompileOptions& opts, const Design& d) {
  opts.mesh_size = d.mesh_size;
  opts.method = d.method;
  opts.rank_energy = d.rank_energy;
  opts.activation = d.activation;
  opts.dac_bits = d.dac_bits;
  opts.pdk_variants = d.pdk_variants;
}

Result compile(const std::string& model_path, const std::string& out_dir, const CompileOptions& opts) {
  Compilation c;
  c.model_path = model_path;
  c.out_dir = out_dir;
  c.opts = &opts;
  c.mapping = check_options(out_dir, opts);
  Pipeline pipe(compile_stages(), dump_options(out_dir, opts));
  auto graph_text = [&c] { return graph::dump(c.graph); };
  auto circuit_text = [&c] { return circuit::to_json(c.net); };
  auto report_text = [&c] { return c.report_json(); };

  pipe.run(
      "import", [&] { import(c); }, graph_text);
  pipe.run(
      "simplify", [&] { graph::simplify(c.graph); }, graph_text);
  // Outputs are staged beside OUT and replace it as a unit at the end (support/out_dir.h): an error or a kill
  // on the way leaves the previous OUT as it was.
  c.outdir.emplace(out_dir, OutputDirOptions{"holo compile", compile_output_names()});
  pipe.run(
      "map", [&] { map(c); }, circuit_text);
  pipe.run(
      "verify",
      [&] {
        circuit::verify(c.net, c.platform);
        circuit::verify_compiled(c.net);
      },
      circuit_text);
  pipe.run(
      "analyse", [&] { analyse(c); }, report_text);
  std::optional<LayoutOutputs> laid;
  if (opts.layout)
    pipe.run(
        "layout", [&] { laid = lay_out(c); }, report_text);
  if (laid)
    pipe.run(
        "checks", [&] { check(c, *laid); }, report_text);
  if (laid)
    pipe.run(
        "thermal", [&] { thermal(c, *laid); }, circuit_text);
  pipe.run(
      "laser_power", [&] { laser_power(c); }, report_text);
  pipe.run("write", [&] { write(c); });
  return compile_result(c, pipe);
}

}  // namespace holo::driver
