#include "holo/driver/decompose.h"

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "holo/linalg/mesh_io.h"
#include "holo/linalg/random.h"
#include "holo/linalg/tiling.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/npy.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace holo::driver {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// Median over `repeats` samples of the time of one call. A sample repeats the call until it lasts >= 20 ms
// (one warm-up call sizes that), so microsecond-scale calls are not lost in timer noise.
template <class F>
double median_seconds(F&& call, int repeats) {
  const Clock::time_point t0 = Clock::now();
  call();
  const double once = std::max(seconds_since(t0), 1e-9);
  const int inner = static_cast<int>(std::clamp(std::ceil(0.02 / once), 1.0, 100000.0));
  std::vector<double> samples;
  for (int r = 0; r < repeats; ++r) {
    const Clock::time_point t = Clock::now();
    for (int i = 0; i < inner; ++i) call();
    samples.push_back(seconds_since(t) / inner);
  }
  return median(samples);
}

// One thread for OpenMP and Eigen while alive (the bench protocol); restores both.
class SingleThread {
 public:
  SingleThread() {
#ifdef _OPENMP
    saved_ = omp_get_max_threads();
    omp_set_num_threads(1);
#endif
    Eigen::setNbThreads(1);
  }
  ~SingleThread() {
#ifdef _OPENMP
    omp_set_num_threads(saved_);
#endif
    Eigen::setNbThreads(0);  // back to Eigen's default (OpenMP's thread count)
  }
  SingleThread(const SingleThread&) = delete;
  SingleThread& operator=(const SingleThread&) = delete;

 private:
  int saved_ = 1;
};

std::string tiled_bytes(const linalg::TiledLayer& t) {
  std::string s;
  for (const linalg::Tile& tile : t.tiles) {
    s += linalg::mesh_json_text(tile.layer.v_mesh) + linalg::mesh_json_text(tile.layer.u_mesh);
    for (double th : tile.layer.attenuator_theta_rad) s += fmt::format("{} ", th);
    s += fmt::format("{}\n", tile.layer.gain);
  }
  return s;
}

}  // namespace

Result decompose_unitary(const DecomposeCommandOptions& o) {
  const linalg::MeshMethod method = linalg::parse_method(o.method);
  const ComplexArray a = read_npy_complex(o.input_path);
  if (a.shape.size() != 2 || a.shape[0] != a.shape[1] || a.shape[0] < 1) {
    fail("DECOMPOSE-BAD-SHAPE", fmt::format("{}: expected a square 2-D array (N, N) with N >= 1, got shape {}",
                                            o.input_path, shape_str(a.shape)));
  }
  const Eigen::Index n = a.shape[0];
  // .npy is C order: row-major.
  const Eigen::MatrixXcd u =
      Eigen::Map<const Eigen::Matrix<std::complex<double>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          a.data.data(), n, n);

  linalg::DecomposeOptions d;
  d.method = method;
  d.unitarity_tolerance = o.tolerance;
  d.reorthonormalize = o.reorthonormalize;
  linalg::DecomposeInfo info;
  linalg::Mesh mesh;
  const Clock::time_point t0 = Clock::now();
  try {
    mesh = linalg::decompose(u, d, &info);
  } catch (const Error& e) {
    const bool hint = e.code() == "LINALG-NOT-UNITARY";
    throw Error(
        e.code(),
        fmt::format("{}: {}{}", o.input_path, e.what(),
                    hint ? " (--reorthonormalize decomposes its nearest unitary; --tolerance raises the bound)" : ""),
        e.kind());
  }
  const double decompose_s = seconds_since(t0);

  const Eigen::MatrixXcd u_hat = linalg::reconstruct(mesh);  // from the hardware MZI model
  const double eps_f = (u - u_hat).norm() / std::sqrt(static_cast<double>(n));
  const double eps_max = (u - u_hat).cwiseAbs().maxCoeff();
  const double unitarity = linalg::unitarity_error(u_hat);

  if (!o.out_path.empty()) write_file_atomic(o.out_path, linalg::mesh_json_text(mesh));

  Result r;
  r.json = {{"input", o.input_path},
            {"n", n},
            {"method", linalg::method_name(method)},
            {"mzis", mesh.mzis.size()},
            {"columns", mesh.columns},
            {"phase_shifters", mesh.phase_shifters()},
            {"reconstruction_error", eps_f},
            {"max_abs_error", eps_max},
            {"unitarity_error", unitarity},
            {"residual", info.residual},
            {"reorthonormalized", info.reorthonormalized},
            {"decompose_s", decompose_s},
            {"out", o.out_path.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.out_path)}};
  if (info.input_unitarity_error >= 0.0) r.json["input_unitarity_error"] = info.input_unitarity_error;
  r.text = fmt::format(
      "{}: {}x{} unitary, {} mesh: {} MZIs in {} columns, {} phase shifters ({:.3g} s)\n"
      "reconstruction error ||U - U_hat||_F / sqrt(N) = {:.3e} (max |U - U_hat| = {:.3e}), "
      "||U_hat^H U_hat - I||_F = {:.3e}\n",
      o.input_path, n, n, linalg::method_name(method), mesh.mzis.size(), mesh.columns, mesh.phase_shifters(),
      decompose_s, eps_f, eps_max, unitarity);
  if (info.reorthonormalized) {
    r.text += fmt::format("re-orthonormalized first: input ||U^H U - I||_F = {:.3e}\n", info.input_unitarity_error);
  }
  if (!o.out_path.empty()) r.text += fmt::format("phases written to {}\n", o.out_path);
  return r;
}

Result bench_decompose(const BenchDecomposeOptions& o) {
  if (o.sizes.empty() || o.repeats < 1 || o.tiling_size < 0 || o.tile < 1 || o.threads < 1) {
    fail("CLI-BAD-OPTION",
         "bench decompose: --sizes must be non-empty; --repeats, --tile and --threads >= 1; "
         "--tiling-size >= 0");
  }
  for (int n : o.sizes) {
    if (n < 1 || n > 8192) fail("CLI-BAD-OPTION", fmt::format("bench decompose: size {} outside 1..8192", n));
  }
  const linalg::MeshMethod method = linalg::parse_method(o.method);
  Result r;
  r.json["method"] = linalg::method_name(method);
  r.json["repeats"] = o.repeats;
  r.json["results"] = nlohmann::json::array();
  r.text = fmt::format(
      "{:>6} {:>12} {:>12} {:>8}   ({} decomposition of a Haar unitary vs one complex NxN "
      "Eigen product, one thread, median of {})\n",
      "N", "decompose_s", "gemm_s", "ratio", linalg::method_name(method), o.repeats);
  volatile double sink = 0.0;
  for (int n : o.sizes) {
    const Eigen::MatrixXcd u = linalg::haar_unitary(n, o.seed + static_cast<uint64_t>(n));
    const Eigen::MatrixXcd b = linalg::haar_unitary(n, o.seed + 7919 + static_cast<uint64_t>(n));
    Eigen::MatrixXcd c(n, n);
    double dec_s = 0.0, gemm_s = 0.0;
    {
      SingleThread one;
      linalg::DecomposeOptions d;
      d.method = method;
      dec_s = median_seconds([&] { sink = sink + linalg::decompose(u, d).mzis.size(); }, o.repeats);
      gemm_s = median_seconds(
          [&] {
            c.noalias() = u * b;
            sink = sink + c(0, 0).real();
          },
          o.repeats);
    }
    const double ratio = dec_s / gemm_s;
    r.json["results"].push_back({{"n", n}, {"decompose_s", dec_s}, {"gemm_s", gemm_s}, {"ratio", ratio}});
    r.text += fmt::format("{:>6} {:>12.4g} {:>12.4g} {:>8.2f}\n", n, dec_s, gemm_s, ratio);
  }

  if (o.tiling_size > 0) {
    linalg::Rng rng(o.seed + 17);
    const Eigen::MatrixXd w = linalg::gaussian_matrix(o.tiling_size, o.tiling_size, rng, false).real();
    linalg::TilingOptions t;
    t.tile = o.tile;
    t.svd.method = method;
    linalg::TiledLayer serial, parallel;
    t.threads = 1;
    const double serial_s = median_seconds([&] { serial = linalg::map_tiled(w, t); }, o.repeats);
    t.threads = o.threads;
    const double parallel_s = median_seconds([&] { parallel = linalg::map_tiled(w, t); }, o.repeats);
    const std::string bytes1 = tiled_bytes(serial), bytes2 = tiled_bytes(parallel);
    const int64_t tiles =
        static_cast<int64_t>((o.tiling_size + o.tile - 1) / o.tile) * ((o.tiling_size + o.tile - 1) / o.tile);
    r.json["tiling"] = {{"rows", o.tiling_size},
                        {"cols", o.tiling_size},
                        {"tile", o.tile},
                        {"tiles", tiles},
                        {"threads", o.threads},
                        {"serial_s", serial_s},
                        {"parallel_s", parallel_s},
                        {"speedup", serial_s / parallel_s},
                        {"identical", bytes1 == bytes2}};
    r.text += fmt::format(
        "tiled {0}x{0} layer, {1}x{1} tiles ({2}): {3:.4g} s on 1 thread, {4:.4g} s on {5} threads, speed-up "
        "{6:.2f}, results {7}\n",
        o.tiling_size, o.tile, tiles, serial_s, parallel_s, o.threads, serial_s / parallel_s,
        bytes1 == bytes2 ? "bit-identical" : "DIFFERENT");
  }
  return r;
}

}  // namespace holo::driver
