#include "holo/driver/simulate.h"

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "holo/circuit/io.h"
#include "holo/driver/chip_files.h"
#include "holo/driver/model.h"
#include "holo/graph/executor.h"
#include "holo/graph/ops.h"
#include "holo/pdk/pdk.h"
#include "holo/sim/eo_activation.h"
#include "holo/sim/stage.h"
#include "holo/support/error.h"
#include "holo/support/npy.h"
#include "holo/support/progress.h"

namespace holo::driver {
namespace {

using ColMat = Eigen::MatrixXd;  // column-major
using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// out[i, j] += beta * C broadcast to [rows, cols] (C of rank <= 2, unidirectional broadcast).
void add_broadcast(Array& y, const Array& c, double beta) {
  const int64_t rows = y.dim(0), cols = y.dim(1);
  int64_t cr = 1, cc = 1;
  if (c.rank() == 1) cc = c.dim(0);
  if (c.rank() == 2) cr = c.dim(0), cc = c.dim(1);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) y[i * cols + j] += beta * c[(cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j)];
}

class ChipRunner {
 public:
  ChipRunner(const graph::Graph& g, const circuit::Netlist& net, const pdk::Pdk& pdk, const sim::SimOptions& so)
      : g_(g),
        eo_(net.info.count("activation") && net.info.at("activation") == "eo" ? sim::eo_activation(pdk)
                                                                              : sim::EoActivation{}) {
    eo_channel_w_ = pdk.templates.count("laser") ? pdk.tmpl("laser").number("power_per_channel_mw") * 1e-3 : 1e-3;
    int64_t index = 0;
    for (const auto& st : net.stages) {
      if (st.domain == "optical") prepared_.emplace(st.node, sim::prepare_stage(net, st, pdk, so, index));
      if (st.domain == "optical_activation") eo_nodes_.insert(st.node);
      ++index;
    }
    for (const auto& [k, v] : prepared_) {
      out_of_range_ += v.out_of_range();
      for (const auto& t : v.tiles) {
        tiles_corrected_ += t.state.correction_tried && t.state.correction_kept ? 1 : 0;
        tiles_tried_ += t.state.correction_tried ? 1 : 0;
      }
    }
  }

  int64_t out_of_range() const { return out_of_range_; }
  int64_t tiles_tried() const { return tiles_tried_; }
  int64_t tiles_corrected() const { return tiles_corrected_; }
  double worst_calibration_residual() const {
    double r = 0;
    for (const auto& [k, v] : prepared_)
      for (const auto& t : v.tiles) r = std::max(r, t.calibration_residual);
    return r;
  }

  bool operator()(const graph::Node& n, const std::vector<const Array*>& in, std::vector<Array>& out) const {
    if (eo_nodes_.count(n.name)) {
      eo(*in[0], out[0]);
      return true;
    }
    auto it = prepared_.find(n.name);
    if (it == prepared_.end()) return false;
    const sim::PreparedStage& ps = it->second;
    if (n.op == "Gemm")
      gemm(n, ps, in, out[0]);
    else if (n.op == "MatMul")
      matmul(ps, *in[0], out[0]);
    else if (n.op == "Conv")
      conv(n, ps, in, out[0]);
    else
      internal_error("simulate: optical stage on op " + n.op);
    return true;
  }

 private:
  void gemm(const graph::Node& n, const sim::PreparedStage& ps, const std::vector<const Array*>& in, Array& y) const {
    const Array& a = *in[0];
    const bool ta = n.attr_int("transA", 0) != 0;
    const int64_t batch = ta ? a.dim(1) : a.dim(0), k = ta ? a.dim(0) : a.dim(1);
    // A row-major [batch, k] is the column-major k x batch matrix the stage takes.
    ColMat x = ta ? ColMat(Eigen::Map<const RowMat>(a.data.data(), k, batch))
                  : ColMat(Eigen::Map<const ColMat>(a.data.data(), k, batch));
    ColMat r = sim::run_stage(ps, x);  // out x batch
    const double alpha = n.attr_float("alpha", 1.0), beta = n.attr_float("beta", 1.0);
    Eigen::Map<ColMat>(y.data.data(), r.rows(), r.cols()) = alpha * r;  // column-major out x batch = [batch, out]
    if (in.size() > 2 && in[2] && beta != 0.0) add_broadcast(y, *in[2], beta);
  }

  void matmul(const sim::PreparedStage& ps, const Array& a, Array& y) const {
    const int64_t k = a.shape.back(), rows = a.numel() / std::max<int64_t>(k, 1);
    ColMat r = sim::run_stage(ps, Eigen::Map<const ColMat>(a.data.data(), k, rows));
    Eigen::Map<ColMat>(y.data.data(), r.rows(), r.cols()) = r;
  }

  void conv(const graph::Node& n, const sim::PreparedStage& ps, const std::vector<const Array*>& in, Array& y) const {
    const Array& x = *in[0];
    const graph::ConvGeometry geo = graph::conv_geometry(g_, n, x.shape, in[1]->shape);
    const int64_t batch = x.dim(0), P = geo.oh * geo.ow, kc = geo.c * geo.kh * geo.kw, M = y.dim(1);
    // Every output position of every sample is one column: the positions share the mesh in time.
    ColMat cols(kc, batch * P);
    RowMat col(kc, P);
    for (int64_t b = 0; b < batch; ++b) {
      graph::im2col(x, b, geo, col.data());
      cols.middleCols(b * P, P) = col;
    }
    ColMat r = sim::run_stage(ps, cols);  // M x (batch*P)
    const Array* bias = in.size() > 2 ? in[2] : nullptr;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t m = 0; m < M; ++m)
        for (int64_t p = 0; p < P; ++p) y[(b * M + m) * P + p] = r(m, b * P + p) + (bias ? (*bias)[m] : 0.0);
  }

  // Element-wise EO activation: per sample, values scaled so the largest is the laser power per channel,
  // detected by homodyne at the small-signal phase of f, and scaled back.
  void eo(const Array& x, Array& y) const {
    const int64_t batch = x.rank() ? x.dim(0) : 1, per = batch ? x.numel() / batch : 0;
    const std::complex<double> ref = eo_(std::complex<double>(1e-9, 0.0));
    const std::complex<double> lo = std::abs(ref) > 0 ? std::conj(ref) / std::abs(ref) : std::complex<double>(1, 0);
    for (int64_t b = 0; b < batch; ++b) {
      double mx = 0;
      for (int64_t i = 0; i < per; ++i) mx = std::max(mx, std::fabs(x[b * per + i]));
      const double s = mx > 0 ? std::sqrt(eo_channel_w_) / mx : 0.0;
      for (int64_t i = 0; i < per; ++i) {
        const double v = x[b * per + i];
        y[b * per + i] = s > 0 ? (eo_(std::complex<double>(v * s, 0.0)) * lo).real() / s : 0.0;
      }
    }
  }

  const graph::Graph& g_;
  std::map<std::string, sim::PreparedStage> prepared_;
  std::set<std::string> eo_nodes_;
  sim::EoActivation eo_;
  double eo_channel_w_ = 1e-3;
  int64_t out_of_range_ = 0;
  int64_t tiles_tried_ = 0, tiles_corrected_ = 0;
};

Array flat2(const Array& a) {
  Array r = a;
  if (r.rank() != 2) r.shape = {r.dim(0), r.numel() / std::max<int64_t>(r.dim(0), 1)};
  return r;
}

}  // namespace

Result simulate(const std::string& out_dir, const SimulateOptions& opts) {
  namespace fs = std::filesystem;
  sim::validate(opts.sim);
  if (opts.monte_carlo < 1 || opts.monte_carlo > 100000)
    fail("CLI-BAD-OPTION", fmt::format("--monte-carlo {} is outside 1..100000", opts.monte_carlo));
  std::error_code ec;
  if (!fs::exists(out_dir, ec))
    fail("FILE-NOT-FOUND", fmt::format("{}: no such directory; give the output directory of holo compile", out_dir));
  if (!fs::is_directory(out_dir, ec))
    fail("OUT-NOT-DIRECTORY",
         fmt::format("{}: is a file, not a directory; give the output directory of holo compile", out_dir));
  const std::string circuit_path = (fs::path(out_dir) / "circuit.json").string();
  const std::string model_path = (fs::path(out_dir) / "model.onnx").string();
  Diagnostics diag;
  const BoundChip bound = load_bound_chip(out_dir, opts.pdk_path, diag);
  const circuit::Netlist& net = bound.net;
  const pdk::Pdk& platform = bound.pdk;
  const graph::Graph& g = bound.graph;

  // Inputs: same checks as holo run.
  if (opts.input_paths.size() != g.inputs.size())
    fail("CLI-INPUT-COUNT", fmt::format("{}: the model takes {} input(s) but {} --input file(s) were given", model_path,
                                        g.inputs.size(), opts.input_paths.size()));
  std::vector<Array> inputs;
  for (const auto& p : opts.input_paths) {
    Array a = read_npy(p);
    for (double v : a.data)
      if (!std::isfinite(v)) fail("NPY-NONFINITE", fmt::format("{}: input data holds {} (must be finite)", p, v));
    inputs.push_back(std::move(a));
  }
  try {
    graph::check_inputs(g, inputs);
  } catch (const Error& e) {
    fail(e.code(), fmt::format("{}: {}", fmt::join(opts.input_paths, ", "), e.what()));
  }
  Array labels;
  if (!opts.labels_path.empty()) labels = read_npy(opts.labels_path);

  const Array ref = flat2(graph::execute(g, inputs)[0]);
  const auto ref_pred = argmax_rows(ref);
  const auto batch = static_cast<int64_t>(ref_pred.size());
  if (batch == 0)
    fail("INPUT-EMPTY", fmt::format("{}: the batch holds no samples; accuracy and agreement need at least one",
                                    fmt::join(opts.input_paths, ", ")));
  if (!opts.labels_path.empty()) {
    if (labels.rank() != 1 || labels.dim(0) != batch)
      fail("EVAL-LABELS", fmt::format("{}: labels have shape {} but the batch has {} samples", opts.labels_path,
                                      shape_str(labels.shape), batch));
    for (int64_t i = 0; i < batch; ++i)
      if (labels[i] != std::floor(labels[i]) || labels[i] < 0 || labels[i] >= static_cast<double>(ref.dim(1)))
        fail("EVAL-LABELS", fmt::format("{}: label {} at index {} is not a class index in [0, {})", opts.labels_path,
                                        labels[i], i, ref.dim(1)));
  }
  double scale = 0;
  for (double v : ref.data) scale = std::max(scale, std::fabs(v));

  std::unique_ptr<Progress> bar;
  if (opts.progress && opts.monte_carlo > 1) bar = std::make_unique<Progress>("monte carlo", opts.monte_carlo, true);
  std::vector<double> accs, agrees, max_errs, rms_errs;
  int64_t out_of_range = 0;
  int64_t tiles_tried = 0, tiles_corrected = 0;  // summed over the draws
  double residual = 0;
  for (int draw = 0; draw < opts.monte_carlo; ++draw) {
    sim::SimOptions so = opts.sim;
    so.seed = opts.sim.seed + static_cast<uint64_t>(draw);
    ChipRunner chip = in_file(bound.circuit_path, [&] { return ChipRunner(g, net, platform, so); });
    out_of_range = std::max(out_of_range, chip.out_of_range());
    tiles_tried += chip.tiles_tried();
    tiles_corrected += chip.tiles_corrected();
    residual = std::max(residual, chip.worst_calibration_residual());
    graph::NodeOverride hook = [&chip](const graph::Node& n, const std::vector<const Array*>& in,
                                       std::vector<Array>& out) { return chip(n, in, out); };
    const Array y = flat2(graph::execute(g, inputs, hook)[0]);
    const auto pred = argmax_rows(y);
    int64_t agree = 0, correct = 0;
    for (int64_t i = 0; i < batch; ++i) {
      agree += pred[static_cast<size_t>(i)] == ref_pred[static_cast<size_t>(i)];
      if (!opts.labels_path.empty()) correct += pred[static_cast<size_t>(i)] == static_cast<int64_t>(labels[i]);
    }
    double mx = 0, ss = 0;
    for (int64_t i = 0; i < y.numel(); ++i) {
      double d = y[i] - ref[i];
      mx = std::max(mx, std::fabs(d));
      ss += d * d;
    }
    accs.push_back(batch ? static_cast<double>(correct) / static_cast<double>(batch) : 0.0);
    agrees.push_back(batch ? static_cast<double>(agree) / static_cast<double>(batch) : 0.0);
    max_errs.push_back(mx);
    rms_errs.push_back(y.numel() ? std::sqrt(ss / static_cast<double>(y.numel())) : 0.0);
    if (bar) bar->advance();
  }
  if (bar) bar->done();

  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return v.empty() ? 0.0 : s / static_cast<double>(v.size());
  };
  auto stdev = [&](const std::vector<double>& v) {
    double m = mean(v), s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return v.size() > 1 ? std::sqrt(s / static_cast<double>(v.size() - 1)) : 0.0;
  };

  Result r;
  auto& j = r.json;
  const sim::SimOptions eff = sim::effective(opts.sim);
  j["samples"] = batch;
  j["agreement"] = mean(agrees);
  if (!opts.labels_path.empty()) {
    int64_t ref_correct = 0;
    for (int64_t i = 0; i < batch; ++i)
      ref_correct += ref_pred[static_cast<size_t>(i)] == static_cast<int64_t>(labels[i]);
    j["accuracy"] = mean(accs);
    j["reference_accuracy"] = batch ? static_cast<double>(ref_correct) / static_cast<double>(batch) : 0.0;
  }
  j["output_error"] = {
      {"max_abs", *std::max_element(max_errs.begin(), max_errs.end())},
      {"rms", mean(rms_errs)},
      {"max_abs_over_output_scale", scale > 0 ? *std::max_element(max_errs.begin(), max_errs.end()) / scale : 0.0},
      {"output_scale", scale},
      {"note", "chip output minus reference executor output over all samples and outputs"}};
  if (opts.monte_carlo > 1) {
    j["monte_carlo"] = {{"draws", opts.monte_carlo},      {"accuracy_mean", mean(accs)},
                        {"accuracy_std", stdev(accs)},    {"accuracy_min", *std::min_element(accs.begin(), accs.end())},
                        {"agreement_mean", mean(agrees)}, {"agreement_std", stdev(agrees)}};
  }
  j["impairments"] = {{"ideal", opts.sim.ideal},
                      {"dac_bits", eff.dac_bits},
                      {"pdk_loss", eff.use_pdk_loss},
                      {"coupler_sigma_rad", eff.coupler_sigma_rad},
                      {"correct_couplers", eff.correct_couplers},
                      {"phase_noise_rad", eff.phase_noise_rad},
                      {"laser_power_mw", eff.laser_power_mw},
                      {"shot_noise", eff.shot_noise},
                      {"thermal_noise", eff.thermal_noise},
                      {"seed", opts.sim.seed}};
  j["mzis_out_of_range"] = out_of_range;
  if (eff.correct_couplers && eff.coupler_sigma_rad > 0.0)
    j["coupler_correction"] = {
        {"tile_draws", tiles_tried},
        {"kept", tiles_corrected},
        {"method",
         "per tile and draw, the corrected programming is kept when the real part of its matrix (what the "
         "homodyne receivers detect) is closer to the target than the uncorrected one's; otherwise the tile "
         "keeps its nominal phases"}};
  j["gain_calibration_residual"] = residual;
  j["pdk"] = platform.name;
  j["warnings"] = nlohmann::json::array();
  for (const Warning& w : diag.warnings()) j["warnings"].push_back({{"code", w.code}, {"message", w.message}});
  r.warnings = diag.warnings();

  r.text = fmt::format("simulated {} samples on the compiled chip in {}\n", batch, out_dir);
  if (!opts.labels_path.empty())
    r.text += fmt::format("  accuracy {:.4f} (reference executor {:.4f})\n", j["accuracy"].get<double>(),
                          j["reference_accuracy"].get<double>());
  r.text += fmt::format("  agreement with the reference executor {:.4f}\n", mean(agrees));
  r.text += fmt::format("  output error: max {:.3g} ({:.3g} of the output scale), rms {:.3g}\n",
                        j["output_error"]["max_abs"].get<double>(),
                        j["output_error"]["max_abs_over_output_scale"].get<double>(), mean(rms_errs));
  if (opts.monte_carlo > 1)
    r.text += fmt::format("  monte carlo over {} draws: accuracy {:.4f} +- {:.4f} (min {:.4f})\n", opts.monte_carlo,
                          mean(accs), stdev(accs), j["monte_carlo"]["accuracy_min"].get<double>());
  if (out_of_range) r.text += fmt::format("  {} MZI(s) could not reach their corrected target\n", out_of_range);
  if (tiles_tried > 0)
    r.text += fmt::format(
        "  coupler correction kept on {} of {} tile draws (elsewhere the uncorrected phases detect closer to the "
        "target)\n",
        tiles_corrected, tiles_tried);
  return r;
}

}  // namespace holo::driver
