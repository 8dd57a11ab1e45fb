#include "holo/runtime/chip.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "holo/graph/executor.h"
#include "holo/graph/ops.h"
#include "holo/sim/eo_activation.h"
#include "holo/sim/stage.h"
#include "holo/support/error.h"

namespace holo::runtime {
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

}  // namespace

struct Chip::Impl {
  Impl(const graph::Graph& graph, const circuit::Netlist& net, const pdk::Pdk& pdk, const sim::SimOptions& so)
      : g(&graph),
        eo_model(net.info.count("activation") && net.info.at("activation") == "eo" ? sim::eo_activation(pdk)
                                                                                   : sim::EoActivation{}) {
    eo_channel_w = pdk.templates.count("laser") ? pdk.tmpl("laser").number("power_per_channel_mw") * 1e-3 : 1e-3;
    int64_t index = 0;
    for (const auto& st : net.stages) {
      if (st.domain == "optical") {
        const sim::PreparedStage& p =
            prepared.emplace(st.node, sim::prepare_stage(net, st, pdk, so, index)).first->second;
        stats.stages.push_back({st.node, p.loss_db, p.snr_db, p.drawn_paths});
      }
      if (st.domain == "optical_activation") eo_nodes.insert(st.node);
      ++index;
    }
    for (const auto& [k, v] : prepared) {
      stats.out_of_range += v.out_of_range();
      for (const auto& t : v.tiles) {
        stats.tiles_corrected += t.state.correction_tried && t.state.correction_kept ? 1 : 0;
        stats.tiles_tried += t.state.correction_tried ? 1 : 0;
        stats.worst_calibration_residual = std::max(stats.worst_calibration_residual, t.calibration_residual);
      }
    }
  }

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
    const graph::ConvGeometry geo = graph::conv_geometry(*g, n, x.shape, in[1]->shape);
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
    const std::complex<double> ref = eo_model(std::complex<double>(1e-9, 0.0));
    const std::complex<double> lo = std::abs(ref) > 0 ? std::conj(ref) / std::abs(ref) : std::complex<double>(1, 0);
    for (int64_t b = 0; b < batch; ++b) {
      double mx = 0;
      for (int64_t i = 0; i < per; ++i) mx = std::max(mx, std::fabs(x[b * per + i]));
      const double s = mx > 0 ? std::sqrt(eo_channel_w) / mx : 0.0;
      for (int64_t i = 0; i < per; ++i) {
        const double v = x[b * per + i];
        y[b * per + i] = s > 0 ? (eo_model(std::complex<double>(v * s, 0.0)) * lo).real() / s : 0.0;
      }
    }
  }

  const graph::Graph* g;
  std::map<std::string, sim::PreparedStage> prepared;
  std::set<std::string> eo_nodes;
  sim::EoActivation eo_model;
  double eo_channel_w = 1e-3;
  ChipStats stats;
};

void Chip::set_laser_power_mw(double per_channel_mw) {
  for (auto& [node, p] : impl_->prepared) {
    sim::SimOptions o = p.options;
    o.laser_power_mw = per_channel_mw;
    sim::validate(o);
    p.options = o;
    p.snr_db = sim::has_detector_noise(o) ? sim::full_scale_snr_db(p.detector, o, per_channel_mw, p.loss_db)
                                          : std::numeric_limits<double>::quiet_NaN();
  }
  for (StageFigures& s : impl_->stats.stages) s.snr_db = impl_->prepared.at(s.node).snr_db;
}

Chip::Chip(const graph::Graph& g, const circuit::Netlist& net, const pdk::Pdk& pdk, const sim::SimOptions& options)
    : impl_(std::make_unique<Impl>(g, net, pdk, options)) {}
Chip::~Chip() = default;
Chip::Chip(Chip&&) noexcept = default;
Chip& Chip::operator=(Chip&&) noexcept = default;

const ChipStats& Chip::stats() const {
  return impl_->stats;
}

bool Chip::compute(const graph::Node& n, const std::vector<const Array*>& in, std::vector<Array>& out) const {
  const Impl& c = *impl_;
  if (c.eo_nodes.count(n.name)) {
    c.eo(*in[0], out[0]);
    return true;
  }
  auto it = c.prepared.find(n.name);
  if (it == c.prepared.end()) return false;
  const sim::PreparedStage& ps = it->second;
  if (n.op == "Gemm")
    c.gemm(n, ps, in, out[0]);
  else if (n.op == "MatMul")
    c.matmul(ps, *in[0], out[0]);
  else if (n.op == "Conv")
    c.conv(n, ps, in, out[0]);
  else
    internal_error("runtime: optical stage on op " + n.op);
  return true;
}

std::vector<Array> Chip::run(const std::vector<Array>& inputs) const {
  const graph::NodeOverride hook = [this](const graph::Node& n, const std::vector<const Array*>& in,
                                          std::vector<Array>& out) { return compute(n, in, out); };
  return graph::execute(*impl_->g, inputs, hook);
}

}  // namespace holo::runtime
