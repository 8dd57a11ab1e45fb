#include "holo/sim/stage.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "holo/circuit/compiled.h"
#include "holo/linalg/random.h"
#include "holo/sim/components.h"
#include "holo/support/error.h"

namespace holo::sim {

namespace {

constexpr double kElectronCharge_C = 1.602176634e-19;

double power_factor(const pdk::Pdk& pdk, const std::string& tmpl, bool use_loss) {
  if (!pdk.templates.count(tmpl)) return 1.0;
  const double f = loss_factor(pdk, tmpl, use_loss);
  return f * f;
}

// c = Re<T_lossy, T>/||T_lossy||^2 and the residual ||c T_lossy - T|| / ||T||.
void calibrate(const Eigen::MatrixXcd& lossy, const Eigen::MatrixXcd& ideal, double& c, double& residual) {
  const double den = lossy.squaredNorm();
  c = den > 0.0 ? (lossy.conjugate().cwiseProduct(ideal)).sum().real() / den : 1.0;
  const double ref = ideal.norm();
  residual = ref > 0.0 ? (c * lossy - ideal).norm() / ref : 0.0;
}

}  // namespace

DetectorModel detector_model(const pdk::Pdk& pdk, bool use_pdk_loss) {
  DetectorModel d;
  const pdk::Template& rx = pdk.tmpl("homodyne_receiver");
  const pdk::Template& pd = pdk.tmpl("photodetector");
  d.responsivity_a_per_w = rx.number("responsivity_a_per_w");
  d.lo_power_w = rx.number("lo_power_mw") * 1e-3;
  d.bandwidth_hz = rx.number("bandwidth_ghz") * 1e9;
  d.dark_current_a = pd.number("dark_current_na") * 1e-9;
  d.tia_noise_a_per_rthz = pd.number("tia_noise_pa_per_rthz") * 1e-12;
  d.input_power_factor =
      power_factor(pdk, "grating_coupler", use_pdk_loss) * power_factor(pdk, "modulator", use_pdk_loss);
  d.receiver_power_factor = power_factor(pdk, "homodyne_receiver", use_pdk_loss);
  return d;
}

int64_t PreparedStage::out_of_range() const {
  int64_t n = 0;
  for (const PreparedTile& t : tiles) n += t.state.out_of_range;
  return n;
}

PreparedStage prepare_stage(const circuit::Netlist& n, const circuit::Stage& stage, const pdk::Pdk& pdk,
                            const SimOptions& options, int64_t stage_index) {
  validate(options);
  const SimOptions o = effective(options);
  const std::string at = fmt::format("stage {} ('{}')", stage_index, stage.node);
  if (stage.domain != "optical") {
    fail("SIM-BAD-STAGE", fmt::format("{}: domain is '{}'; only optical stages are simulated", at, stage.domain));
  }
  if (stage.in_features < 1 || stage.out_features < 1 || stage.tiles.empty()) {
    fail("SIM-BAD-STAGE", fmt::format("{}: a {} x {} weight matrix with {} tiles", at, stage.out_features,
                                      stage.in_features, stage.tiles.size()));
  }
  PreparedStage p;
  p.node = stage.node;
  p.stage_index = stage_index;
  p.in_features = stage.in_features;
  p.out_features = stage.out_features;
  p.options = o;
  if (has_detector_noise(o)) p.detector = detector_model(pdk, o.use_pdk_loss);
  for (size_t k = 0; k < stage.tiles.size(); ++k) {
    const circuit::Tile& tile = stage.tiles[k];
    const std::string tat = fmt::format("{} tile {} ('{}')", at, k, tile.cell);
    if (tile.row0 < 0 || tile.col0 < 0 || tile.rows < 1 || tile.cols < 1 ||
        tile.row0 + tile.rows > stage.out_features || tile.col0 + tile.cols > stage.in_features) {
      fail("SIM-BAD-STAGE",
           fmt::format("{}: block [{}:{}, {}:{}] is not inside the {} x {} weight matrix", tat, tile.row0,
                       tile.row0 + tile.rows, tile.col0, tile.col0 + tile.cols, stage.out_features, stage.in_features));
    }
    if (!std::isfinite(tile.gain)) fail("SIM-BAD-STAGE", fmt::format("{}: gain is {}", tat, tile.gain));
    const circuit::TileView model = circuit::read_tile(n, tile.cell);
    if (model.rows != tile.rows || model.cols != tile.cols) {
      fail("SIM-BAD-STAGE", fmt::format("{}: the stage says {} x {}, the cell {} x {}", tat, tile.rows, tile.cols,
                                        model.rows, model.cols));
    }
    PreparedTile pt;
    pt.tile = tile;
    const auto sites = n.thermal_sites.find(tile.cell);
    pt.state = realize_tile(model, pdk, o, stage_index, static_cast<int64_t>(k),
                            sites == n.thermal_sites.end() ? nullptr : &sites->second);
    pt.program = FastProgram::compile(tile_path(pt.state));
    if (o.use_pdk_loss) {
      const Eigen::MatrixXcd lossy =
          FastProgram::compile(tile_path(nominal_state(model, pdk, true, o.balanced_mesh_loss))).matrix(o.threads);
      const Eigen::MatrixXcd ideal =
          FastProgram::compile(tile_path(nominal_state(model, pdk, false))).matrix(o.threads);
      calibrate(lossy, ideal, pt.loss_calibration, pt.calibration_residual);
    }
    pt.electronic_gain = tile.gain * pt.loss_calibration;
    p.tiles.push_back(std::move(pt));
  }
  return p;
}

Eigen::MatrixXd run_stage(const PreparedStage& stage, const Eigen::Ref<const Eigen::MatrixXd>& x,
                          int64_t sample_offset) {
  if (x.rows() != stage.in_features) {
    fail("SIM-BAD-SHAPE", fmt::format("stage '{}': input batch has {} rows, expected in_features = {} (one sample per "
                                      "column)",
                                      stage.node, x.rows(), stage.in_features));
  }
  if (!x.allFinite())
    fail("SIM-NOT-FINITE", fmt::format("stage '{}': the input batch has a non-finite value", stage.node));
  const int64_t batch = x.cols();
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(stage.out_features, batch);
  const SimOptions& o = stage.options;
  const bool noise = has_detector_noise(o);
  const DetectorModel& det = stage.detector;
  constexpr int kChunk = FastProgram::kChunk;
  const int64_t n_chunks = (batch + kChunk - 1) / kChunk;
#ifdef _OPENMP
  const int nt = o.threads > 0 ? o.threads : omp_get_max_threads();
#else
  const int nt = 1;
#endif
  for (size_t t = 0; t < stage.tiles.size(); ++t) {
    const PreparedTile& pt = stage.tiles[t];
    const FastProgram& prog = pt.program;
    const auto cols = static_cast<int32_t>(pt.tile.cols);
    const auto rows = static_cast<int32_t>(pt.tile.rows);
    const int64_t col0 = pt.tile.col0, row0 = pt.tile.row0;
    const double gain = pt.electronic_gain;
    // Noise in units of the normalized field: I / (2 R sqrt(P_LO) sqrt(P_mode eta_rx)).
    const double mode_power_w = o.laser_power_mw * 1e-3 * det.input_power_factor;  // per input channel
    const double rx_power_w = mode_power_w * det.receiver_power_factor;            // |y|^2 per unit |T x / max|x||^2
    const double signal_scale = 2.0 * det.responsivity_a_per_w * std::sqrt(det.lo_power_w * rx_power_w);
#pragma omp parallel num_threads(nt) if (n_chunks > 1)
    {
      ChunkBuffer scratch(prog.chunk_doubles());
      double* buf = scratch.data();
#pragma omp for schedule(static)
      for (int64_t c = 0; c < n_chunks; ++c) {
        const int64_t s0 = c * kChunk;
        const int n = static_cast<int>(std::min<int64_t>(kChunk, batch - s0));
        double xmax[kChunk] = {};
        prog.zero_chunk(buf);
        for (int s = 0; s < n; ++s) {
          const double* col = x.col(s0 + s).data() + col0;
          double m = 0.0;
          for (int32_t j = 0; j < cols; ++j) {
            buf[2 * j * kChunk + s] = col[j];
            m = std::max(m, std::fabs(col[j]));
          }
          xmax[s] = m;
        }
        prog.run_chunk(buf);
        for (int s = 0; s < n; ++s) {
          if (xmax[s] == 0.0) continue;  // an all-zero input block: the tile is not run
          double* dst = out.col(s0 + s).data() + row0;
          if (!noise) {
            for (int32_t i = 0; i < rows; ++i) {
              const int32_t r = prog.output_row(i);
              const cdouble z = prog.output_scale(i) * cdouble(buf[2 * r * kChunk + s], buf[(2 * r + 1) * kChunk + s]);
              dst[i] += gain * z.real();
            }
            continue;
          }
          linalg::Rng rng(stream_seed(o.seed, stage.stage_index, static_cast<int64_t>(t), Stream::Detector,
                                      sample_offset + s0 + s));
          const double inv_max = 1.0 / xmax[s];
          for (int32_t i = 0; i < rows; ++i) {
            const int32_t r = prog.output_row(i);
            const cdouble z = prog.output_scale(i) * cdouble(buf[2 * r * kChunk + s], buf[(2 * r + 1) * kChunk + s]);
            const double signal_w = rx_power_w * std::norm(z * inv_max);
            double var = 0.0;
            if (o.shot_noise) {
              const double dc = det.responsivity_a_per_w * (signal_w + det.lo_power_w) + 2.0 * det.dark_current_a;
              var += 2.0 * kElectronCharge_C * dc * det.bandwidth_hz;
            }
            if (o.thermal_noise) var += det.tia_noise_a_per_rthz * det.tia_noise_a_per_rthz * det.bandwidth_hz;
            const double noise_field = std::sqrt(var) * rng.normal() / signal_scale;
            dst[i] += gain * (z.real() + xmax[s] * noise_field);
          }
        }
      }
    }
  }
  return out;
}

Eigen::MatrixXd simulate_stage(const circuit::Netlist& n, const circuit::Stage& stage, const pdk::Pdk& pdk,
                               const SimOptions& options, int64_t stage_index,
                               const Eigen::Ref<const Eigen::MatrixXd>& x) {
  return run_stage(prepare_stage(n, stage, pdk, options, stage_index), x);
}

}  // namespace holo::sim
