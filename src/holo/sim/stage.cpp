#include "holo/sim/stage.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <variant>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "holo/circuit/compiled.h"
#include "holo/circuit/path_loss.h"
#include "holo/linalg/random.h"
#include "holo/sim/components.h"
#include "holo/support/error.h"

namespace holo::sim {

namespace {

constexpr double kElectronCharge_C = 1.602176634e-19;

// The worst input -> output loss (dB) of an optical path, from its elements' magnitudes: a 1-mode element
// multiplies its mode's power by |m|^2 (0 blocks it), a 2x2 element that is a scalar times a unitary by
// ||E||_F^2 / 2 on both its modes, and a mode's worst loss after a 2x2 element is the worse of its two inputs'.
double path_worst_loss_db(const OpticalPath& p) {
  constexpr double kDead = -std::numeric_limits<double>::infinity();
  std::vector<double> acc(static_cast<size_t>(p.modes), kDead);
  for (int32_t j = 0; j < p.inputs; ++j) acc[static_cast<size_t>(j)] = 0.0;
  for (const PathElement& e : p.elements) {
    auto a = static_cast<size_t>(e.mode);
    if (e.kind == PathElement::Kind::Scale) {
      const double g = std::norm(e.m[0]);
      acc[a] = g > 0.0 && acc[a] != kDead ? acc[a] - 10.0 * std::log10(g) : kDead;
      continue;
    }
    const double g = 0.5 * (std::norm(e.m[0]) + std::norm(e.m[1]) + std::norm(e.m[2]) + std::norm(e.m[3]));
    const double worst = std::max(acc[a], acc[a + 1]);
    acc[a] = acc[a + 1] = worst == kDead || !(g > 0.0) ? kDead : worst - 10.0 * std::log10(g);
  }
  double worst = kDead;
  for (int32_t i = 0; i < p.outputs; ++i) worst = std::max(worst, acc[static_cast<size_t>(i)]);
  return worst == kDead ? 0.0 : worst;
}

// c = Re<T_lossy, T>/||T_lossy||^2 and the residual ||c T_lossy - T|| / ||T||.
// Per receiver i (each has its own gain in the electronics): c_i = Re<T_lossy_i, T_i> / ||T_lossy_i||^2 over row i;
// c = the same over the whole tile (reported); residual ||diag(c_i) T_lossy - T|| / ||T||.
void calibrate(const Eigen::MatrixXcd& lossy, const Eigen::MatrixXcd& ideal, std::vector<double>& rows, double& c,
               double& residual) {
  auto fit = [](const auto& l, const auto& t) {
    const double den = l.squaredNorm();
    return den > 0.0 ? (l.conjugate().cwiseProduct(t)).sum().real() / den : 1.0;
  };
  c = fit(lossy, ideal);
  rows.resize(static_cast<size_t>(lossy.rows()));
  Eigen::MatrixXcd fitted = lossy;
  for (Eigen::Index i = 0; i < lossy.rows(); ++i) {
    // A row the tile does not reach (no signal) keeps the tile's scalar.
    const double ci = lossy.row(i).squaredNorm() > 0.0 ? fit(lossy.row(i), ideal.row(i)) : c;
    rows[static_cast<size_t>(i)] = ci;
    fitted.row(i) *= ci;
  }
  const double ref = ideal.norm();
  residual = ref > 0.0 ? (fitted - ideal).norm() / ref : 0.0;
}

// The fan-in and LO phases are calibrated at the reference temperature; at dT away every drawn I/O waveguide's
// phase moves by k L with k = (2 pi / lambda) dn/dT dT. The LO of each receiver is assumed length-matched to the
// mean signal path (its light path is not drawn), so input j drifts by k (L_in_j - mean L_in) and output i by
// k (L_out_i - mean L_out) relative to the LO.
void drift_io_phases(TileState& s, const circuit::DrawnPaths& d, const pdk::Pdk& pdk, double delta_t_k) {
  const double k_rad_per_um =
      2.0 * linalg::kPi / (pdk.wavelength_nm.value * 1e-3) * pdk.tmpl("waveguide").number("dn_dt_per_k") * delta_t_k;
  auto drift = [&](const std::vector<double>& len, std::vector<double>& out) {
    double mean = 0.0;
    for (double l : len) mean += l / static_cast<double>(len.size());
    out.clear();
    for (double l : len) out.push_back(k_rad_per_um * (l - mean));
  };
  drift(d.in_length_um, s.in_phase_rad);
  drift(d.out_length_um, s.out_phase_rad);
}

}  // namespace

DetectorModel detector_model(const pdk::Pdk& pdk) {
  DetectorModel d;
  const pdk::Template& rx = pdk.tmpl("homodyne_receiver");
  const pdk::Template& pd = pdk.tmpl("photodetector");
  d.responsivity_a_per_w = rx.number("responsivity_a_per_w");
  d.lo_power_w = rx.number("lo_power_mw") * 1e-3;
  d.receiver_bandwidth_hz = rx.number("bandwidth_ghz") * 1e9;
  // The symbol rate as analysis's throughput figure takes it: the slowest of the converters' sample rates and the
  // modulator's and receiver's bandwidths (a bandwidth of B GHz as B GBd).
  double rate_gsps = std::min(pdk.tmpl("dac").number("sample_rate_gsps"), pdk.tmpl("adc").number("sample_rate_gsps"));
  if (pdk.tmpl("modulator").has("bandwidth_ghz"))
    rate_gsps = std::min(rate_gsps, pdk.tmpl("modulator").number("bandwidth_ghz"));
  rate_gsps = std::min(rate_gsps, rx.number("bandwidth_ghz"));
  d.symbol_rate_hz = rate_gsps * 1e9;
  d.bandwidth_hz = std::min(d.receiver_bandwidth_hz, 0.5 * d.symbol_rate_hz);
  d.dark_current_a = pd.number("dark_current_na") * 1e-9;
  d.tia_noise_a_per_rthz = pd.number("tia_noise_pa_per_rthz") * 1e-12;
  const pdk::Template& laser = pdk.tmpl("laser");
  d.has_rin = laser.has("rin_db_per_hz");
  d.rin_per_hz = d.has_rin ? std::pow(10.0, laser.number("rin_db_per_hz") / 10.0) : 0.0;
  // 0 when the PDK gives none (prepare_stage refuses signal quantization then).
  d.dac_bits = pdk.tmpl("dac").has("bits") ? static_cast<int32_t>(pdk.tmpl("dac").number("bits")) : 0;
  d.adc_bits = pdk.tmpl("adc").has("bits") ? static_cast<int32_t>(pdk.tmpl("adc").number("bits")) : 0;
  return d;
}

double noise_variance_a2(const DetectorModel& d, const SimOptions& o, double signal_w) {
  double var = 0.0;
  if (o.shot_noise) {
    const double dc = d.responsivity_a_per_w * (signal_w + d.lo_power_w) + 2.0 * d.dark_current_a;
    var += 2.0 * kElectronCharge_C * dc * d.bandwidth_hz;
  }
  if (o.thermal_noise) var += d.tia_noise_a_per_rthz * d.tia_noise_a_per_rthz * d.bandwidth_hz;
  if (o.rin && d.has_rin) {
    // Signal and LO come from one laser: the homodyne current 2 R sqrt(P_LO P_s) follows its intensity.
    const double i2 = 4.0 * d.responsivity_a_per_w * d.responsivity_a_per_w * d.lo_power_w * signal_w;
    var += d.rin_per_hz * i2 * d.bandwidth_hz;
  }
  return var;
}

double full_scale_snr_db(const DetectorModel& d, const SimOptions& o, double laser_power_mw, double loss_db) {
  const double signal_w = laser_power_mw * 1e-3 * std::pow(10.0, -loss_db / 10.0);
  const double i2 = 4.0 * d.responsivity_a_per_w * d.responsivity_a_per_w * d.lo_power_w * signal_w;
  const double var = noise_variance_a2(d, o, signal_w);
  return var > 0.0 ? 10.0 * std::log10(i2 / var) : std::numeric_limits<double>::infinity();
}

double quantize_signal(double v, double full_scale, int32_t bits) {
  const double levels = std::ldexp(1.0, bits - 1) - 1.0;
  const double k = std::clamp(std::nearbyint(v / full_scale * levels), -levels, levels);
  return k * full_scale / levels;
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
  if (has_detector_noise(o) || o.signal_quantization) p.detector = detector_model(pdk);
  if (o.signal_quantization) {
    for (const auto& [name, bits] :
         {std::pair<const char*, int32_t>{"dac", p.detector.dac_bits}, {"adc", p.detector.adc_bits}}) {
      if (bits == 0)
        fail("PDK-MISSING-FIGURE",
             fmt::format("{}: {}.bits: missing; the signal path's converters need it (or simulate "
                         "with --no-signal-quantization)",
                         pdk.path, name));
      if (bits < 2)
        fail("PDK-RANGE", fmt::format("{}: {}.bits is {}: a signed converter of the signal path needs at least 2 bits "
                                      "(or simulate with --no-signal-quantization)",
                                      pdk.path, name, bits));
    }
  }
  circuit::LossOptions lo;
  lo.use_pdk_loss = o.use_pdk_loss;
  lo.use_drawn = o.use_drawn_paths;
  lo.balanced = o.balanced_mesh_loss;
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
    const circuit::TileLoss loss = circuit::tile_loss(tile, pdk, lo);
    p.drawn_paths = p.drawn_paths || loss.drawn;
    PreparedTile pt;
    pt.tile = tile;
    const auto sites = n.thermal_sites.find(tile.cell);
    pt.state = realize_tile(model, loss, pdk, o, stage_index, static_cast<int64_t>(k),
                            sites == n.thermal_sites.end() ? nullptr : &sites->second);
    if (o.delta_t_k != 0.0 && tile.drawn && o.use_drawn_paths) drift_io_phases(pt.state, *tile.drawn, pdk, o.delta_t_k);
    pt.program = FastProgram::compile(tile_path(pt.state));
    const TileState nominal = nominal_state(model, loss);
    const Eigen::MatrixXcd lossy = FastProgram::compile(tile_path(nominal)).matrix(o.threads);
    if (o.use_pdk_loss) {
      const Eigen::MatrixXcd ideal =
          FastProgram::compile(tile_path(nominal_state(model, pdk, false))).matrix(o.threads);
      calibrate(lossy, ideal, pt.row_calibration, pt.loss_calibration, pt.calibration_residual);
    }
    // The loss of the worst path, from the magnitudes of the path the simulator propagates, with every
    // attenuator at full transmission (its setting is the weight, not a loss).
    TileState open = nominal;
    std::visit(circuit::Overloaded{[](CoherentTileState& c) {
                 for (AttenuatorState& a : c.att) a.theta_rad = linalg::kPi, a.phi_rad = 0.0;
               }},
               open.body);
    pt.loss_db = path_worst_loss_db(tile_path(open));
    p.loss_db = std::max(p.loss_db, pt.loss_db);
    if (o.signal_quantization) {
      // Each receiver's full scale: the largest |Re(T x)| over real |x_j| <= 1 on the nominal chip, sum_j |Re T_ij|.
      pt.adc_full_scale.resize(static_cast<size_t>(tile.rows));
      for (int64_t i = 0; i < tile.rows; ++i) {
        const double fs = lossy.row(i).real().cwiseAbs().sum();
        pt.adc_full_scale[static_cast<size_t>(i)] = fs > 0.0 ? fs : 1.0;
      }
    }
    pt.electronic_gain = tile.gain * pt.loss_calibration;
    pt.output_gain.resize(static_cast<size_t>(tile.rows));
    for (int64_t i = 0; i < tile.rows; ++i)
      pt.output_gain[static_cast<size_t>(i)] =
          tile.gain * (pt.row_calibration.empty() ? pt.loss_calibration : pt.row_calibration[static_cast<size_t>(i)]);
    p.tiles.push_back(std::move(pt));
  }
  p.snr_db = has_detector_noise(o) ? full_scale_snr_db(p.detector, o, o.laser_power_mw, p.loss_db)
                                   : std::numeric_limits<double>::quiet_NaN();
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
  const bool quantize = o.signal_quantization;
  const DetectorModel& det = stage.detector;
  constexpr int kChunk = FastProgram::kChunk;
  const int64_t n_chunks = (batch + kChunk - 1) / kChunk;
#ifdef _OPENMP
  const int nt = o.threads > 0 ? o.threads : omp_get_max_threads();
#else
  const int nt = 1;
#endif
  // Noise in units of the normalized field (every loss is in the tile's path): I / (2 R sqrt(P_LO P_laser)).
  const double laser_w = o.laser_power_mw * 1e-3;  // per input channel, at the laser
  const double signal_scale = 2.0 * det.responsivity_a_per_w * std::sqrt(det.lo_power_w * laser_w);
  for (size_t t = 0; t < stage.tiles.size(); ++t) {
    const PreparedTile& pt = stage.tiles[t];
    const FastProgram& prog = pt.program;
    const auto cols = static_cast<int32_t>(pt.tile.cols);
    const auto rows = static_cast<int32_t>(pt.tile.rows);
    const int64_t col0 = pt.tile.col0, row0 = pt.tile.row0;
    const double* gain = pt.output_gain.data();  // per receiver
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
          for (int32_t j = 0; j < cols; ++j) m = std::max(m, std::fabs(col[j]));
          xmax[s] = m;
          if (!noise && !quantize) {
            for (int32_t j = 0; j < cols; ++j) buf[2 * j * kChunk + s] = col[j];
            continue;
          }
          // The modulator drive: x / max|x| (through the DAC when quantize is on).
          const double inv = m > 0.0 ? 1.0 / m : 0.0;
          for (int32_t j = 0; j < cols; ++j) {
            const double v = col[j] * inv;
            buf[2 * j * kChunk + s] = quantize ? quantize_signal(v, 1.0, det.dac_bits) : v;
          }
        }
        prog.run_chunk(buf);
        for (int s = 0; s < n; ++s) {
          if (xmax[s] == 0.0) continue;  // an all-zero input block: the tile is not run
          double* dst = out.col(s0 + s).data() + row0;
          if (!noise && !quantize) {
            for (int32_t i = 0; i < rows; ++i) {
              const int32_t r = prog.output_row(i);
              const cdouble z = prog.output_scale(i) * cdouble(buf[2 * r * kChunk + s], buf[(2 * r + 1) * kChunk + s]);
              dst[i] += gain[i] * z.real();
            }
            continue;
          }
          linalg::Rng rng(stream_seed(o.seed, stage.stage_index, static_cast<int64_t>(t), Stream::Detector,
                                      sample_offset + s0 + s));
          for (int32_t i = 0; i < rows; ++i) {
            const int32_t r = prog.output_row(i);
            // z: the normalized field at the receiver (input fields q(x / max|x|), every loss included).
            const cdouble z = prog.output_scale(i) * cdouble(buf[2 * r * kChunk + s], buf[(2 * r + 1) * kChunk + s]);
            double v = z.real();
            if (noise) v += std::sqrt(noise_variance_a2(det, o, laser_w * std::norm(z))) * rng.normal() / signal_scale;
            if (quantize) v = quantize_signal(v, pt.adc_full_scale[static_cast<size_t>(i)], det.adc_bits);
            dst[i] += gain[i] * xmax[s] * v;
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
