#include "holo/driver/bench_model.h"

#include <fmt/format.h>
#include <malloc.h>
#include <unistd.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "holo/driver/compile.h"
#include "holo/driver/model.h"
#include "holo/frontend/onnx_writer.h"
#include "holo/graph/executor.h"
#include "holo/linalg/tiling.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"

namespace holo::driver {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Uniform in [-a, a) from the top 53 bits: portable across standard libraries.
struct Uniform {
  std::mt19937_64 rng;
  double operator()(double a) { return a * (2.0 * static_cast<double>(rng() >> 11) * 0x1.0p-53 - 1.0); }
};

int64_t status_kb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(std::string(key).size()));
  return -1;
}

bool reset_peak_rss() {
  std::ofstream f("/proc/self/clear_refs");
  if (!f) return false;
  f << "5";
  return static_cast<bool>(f.flush());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// A Gemm(transB)+ReLU MLP through the given widths, weights uniform in +-1/sqrt(fan-in).
graph::Graph make_mlp(const std::vector<int64_t>& sizes, uint64_t seed) {
  graph::Graph g;
  g.name = fmt::format("mlp_{}", fmt::join(sizes, "_"));
  auto x = g.intern("x");
  g.tensor(x).shape = {-1, sizes.front()};
  g.tensor(x).shape_known = true;
  g.inputs.push_back(x);
  Uniform u{std::mt19937_64(seed)};
  std::string prev = "x";
  const size_t layers = sizes.size() - 1;
  for (size_t l = 0; l < layers; ++l) {
    const int64_t in = sizes[l], out = sizes[l + 1];
    const double a = 1.0 / std::sqrt(static_cast<double>(in));  // keeps activations O(1) over depth
    Array w({out, in});
    for (auto& v : w.data) v = u(a);
    Array b({out});
    for (auto& v : b.data) v = u(0.1);
    std::string wn = fmt::format("fc{}.weight", l), bn = fmt::format("fc{}.bias", l);
    g.add_constant(wn, std::move(w));
    g.add_constant(bn, std::move(b));
    graph::Node n;
    n.name = fmt::format("fc{}", l);
    n.op = "Gemm";
    n.attrs["transB"] = int64_t{1};
    n.inputs = {g.intern(prev), g.intern(wn), g.intern(bn)};
    std::string h = fmt::format("h{}", l);
    n.outputs = {g.intern(h)};
    g.nodes.push_back(std::move(n));
    prev = h;
    if (l + 1 < layers) {
      graph::Node r;
      r.name = fmt::format("relu{}", l);
      r.op = "Relu";
      r.inputs = {g.intern(prev)};
      prev = fmt::format("a{}", l);
      r.outputs = {g.intern(prev)};
      g.nodes.push_back(std::move(r));
    }
  }
  g.outputs.push_back(g.intern(prev));
  return g;
}

}  // namespace

Result bench_model(const BenchModelOptions& o) {
  if (o.layers < 1 || o.width < 1 || o.batch < 1 || o.repeats < 1)
    fail("CLI-BAD-OPTION", "bench model: --layers, --width, --batch and --repeats must be positive");
  namespace fs = std::filesystem;
  fs::path path = fs::temp_directory_path() / fmt::format("holo-bench-mlp-{}.onnx", ::getpid());
  const int64_t weights = int64_t{o.layers} * o.width * (o.width + 1);
  {
    graph::Graph g = make_mlp(std::vector<int64_t>(static_cast<size_t>(o.layers) + 1, o.width), o.seed);
    frontend::write_onnx(g, path.string());
  }
  const auto file_bytes = static_cast<int64_t>(fs::file_size(path));
  ::malloc_trim(0);

  // Import: peak resident memory above the level before the import.
  const bool peak_reset = reset_peak_rss();
  const int64_t rss0_kb = status_kb("VmRSS:");
  auto t0 = std::chrono::steady_clock::now();
  graph::Graph g = load_model(path.string());
  const double import_s = seconds_since(t0);
  const int64_t hwm_kb = status_kb("VmHWM:");
  fs::remove(path);
  const double peak_mb = static_cast<double>(hwm_kb - rss0_kb) / 1024.0;

  // Forward pass of a batch through the reference executor.
  Uniform u{std::mt19937_64(o.seed + 1)};
  Array x({o.batch, o.width});
  for (auto& v : x.data) v = u(1.0);
  std::vector<double> fwd;
  Array y;
  for (int r = 0; r < o.repeats; ++r) {
    auto t = std::chrono::steady_clock::now();
    y = graph::execute(g, {x})[0];
    fwd.push_back(seconds_since(t));
  }

  // Baseline: the same network as plain Eigen products (row-major, bias broadcast, ReLU), same threads.
  std::vector<RowMat> W;
  std::vector<Eigen::RowVectorXd> B;
  for (int l = 0; l < o.layers; ++l) {
    const Array& w = *g.tensor(g.find(fmt::format("fc{}.weight", l))).value;
    const Array& b = *g.tensor(g.find(fmt::format("fc{}.bias", l))).value;
    W.push_back(Eigen::Map<const RowMat>(w.data.data(), o.width, o.width));
    B.push_back(Eigen::Map<const Eigen::RowVectorXd>(b.data.data(), o.width));
  }
  std::vector<double> base;
  RowMat out;
  for (int r = 0; r < o.repeats; ++r) {
    auto t = std::chrono::steady_clock::now();
    RowMat h = Eigen::Map<const RowMat>(x.data.data(), o.batch, o.width);
    for (int l = 0; l < o.layers; ++l) {
      RowMat next = h * W[static_cast<size_t>(l)].transpose();
      next.rowwise() += B[static_cast<size_t>(l)];
      if (l + 1 < o.layers) next = next.cwiseMax(0.0);
      h = std::move(next);
    }
    out = std::move(h);
    base.push_back(seconds_since(t));
  }
  double max_diff = 0;
  for (int64_t i = 0; i < y.numel(); ++i) max_diff = std::max(max_diff, std::fabs(y[i] - out.data()[i]));

  Result res;
  auto& j = res.json;
  j["layers"] = o.layers;
  j["width"] = o.width;
  j["batch"] = o.batch;
  j["weights"] = weights;
  j["onnx_file_bytes"] = file_bytes;
  j["weight_bytes_float32"] = weights * 4;
  j["import_s"] = import_s;
  j["import_peak_mb"] = peak_mb;
  j["import_peak_over_weight_bytes"] = peak_mb * 1024 * 1024 / static_cast<double>(weights * 4);
  j["peak_measurement"] = peak_reset
                              ? "VmHWM after resetting it (/proc/self/clear_refs 5) minus VmRSS before the import"
                              : "VmHWM minus VmRSS before the import (peak reset unavailable: an upper bound)";
  j["forward_s"] = median(fwd);
  j["eigen_baseline_s"] = median(base);
  j["forward_over_baseline"] = median(fwd) / median(base);
  j["max_abs_diff_vs_baseline"] = max_diff;
  res.text = fmt::format(
      "generated MLP: {} layers x {} wide ({} weights, {:.1f} MB as float32 ONNX)\n"
      "import (parse + verify + simplify): {:.3f} s, peak memory +{:.1f} MB = {:.2f}x the float32 weight bytes\n"
      "forward, batch {}: {:.4f} s (median of {}); plain Eigen baseline {:.4f} s; ratio {:.2f}\n"
      "max |holo - baseline| = {:.3g}\n",
      o.layers, o.width, weights, static_cast<double>(file_bytes) / 1e6, import_s, peak_mb,
      j["import_peak_over_weight_bytes"].get<double>(), o.batch, median(fwd), o.repeats, median(base),
      median(fwd) / median(base), max_diff);
  return res;
}

}  // namespace holo::driver

namespace holo::driver {

Result bench_compile(const BenchCompileOptions& o) {
  namespace fs = std::filesystem;
  if (o.sizes.size() < 2) fail("CLI-BAD-OPTION", "bench compile: --sizes needs at least an input and an output width");
  for (int64_t v : o.sizes)
    if (v < 1 || v > 65536) fail("CLI-BAD-OPTION", fmt::format("bench compile: width {} is outside 1..65536", v));
  fs::path dir = fs::temp_directory_path() / fmt::format("holo-bench-compile-{}", ::getpid());
  fs::create_directories(dir);
  const std::string model = (dir / "mlp.onnx").string();
  int64_t weights = 0;
  std::vector<Eigen::MatrixXd> layer_weights;  // for the decomposition baseline below
  {
    graph::Graph g = make_mlp(o.sizes, o.seed);
    for (const auto& t : g.tensors)
      if (t.value) weights += t.value->numel();
    for (size_t l = 0; l + 1 < o.sizes.size(); ++l) {
      const Array& w = *g.tensor(g.find(fmt::format("fc{}.weight", l))).value;
      layer_weights.push_back(Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          w.data.data(), o.sizes[l + 1], o.sizes[l]));
    }
    frontend::write_onnx(g, model);
  }
  ::malloc_trim(0);
  const bool peak_reset = reset_peak_rss();
  const int64_t rss0_kb = status_kb("VmRSS:");
  CompileOptions co;
  co.mesh_size = o.mesh_size;
  co.layout = o.layout;
  auto t0 = std::chrono::steady_clock::now();
  Result inner = compile(model, (dir / "out").string(), co);
  const double compile_s = seconds_since(t0);
  const double peak_mb = static_cast<double>(status_kb("VmHWM:") - rss0_kb) / 1024.0;
  int64_t out_bytes = 0;
  for (const auto& e : fs::directory_iterator(dir / "out")) out_bytes += static_cast<int64_t>(e.file_size());
  fs::remove_all(dir / "out");

  // In-run baselines, the two floors a compile cannot go below: the mesh decomposition of the same weights
  // (linalg::map_tiled, same mesh size, same threads) and writing the same number of bytes to a file in the
  // same directory through the same atomic writer. compile_s / (decompose_s + write_s) is the overhead of
  // building, verifying and formatting the netlist.
  auto t1 = std::chrono::steady_clock::now();
  int64_t baseline_mzis = 0;
  for (const Eigen::MatrixXd& w : layer_weights) {
    linalg::TilingOptions to;
    to.tile = static_cast<int32_t>(o.mesh_size);
    const linalg::TiledLayer tiled = linalg::map_tiled(w, to);
    baseline_mzis += linalg::plan(tiled).mzis;
  }
  const double decompose_s = seconds_since(t1);
  layer_weights.clear();
  auto t2 = std::chrono::steady_clock::now();
  {
    AtomicFile f((dir / "floor.bin").string());
    const std::string block(size_t{1} << 20, 'x');
    for (int64_t left = out_bytes; left > 0; left -= static_cast<int64_t>(block.size()))
      f.write(std::string_view(block).substr(0, static_cast<size_t>(std::min<int64_t>(left, block.size()))));
    f.commit();
  }
  const double write_s = seconds_since(t2);
  fs::remove_all(dir);

  Result r;
  r.json["sizes"] = o.sizes;
  r.json["weights"] = weights;
  r.json["mesh_size"] = o.mesh_size;
  r.json["layout"] = o.layout;
  r.json["compile_s"] = compile_s;
  r.json["peak_mb"] = peak_mb;
  r.json["output_bytes"] = out_bytes;
  r.json["decompose_s"] = decompose_s;
  r.json["write_s"] = write_s;
  r.json["ratio_to_floor"] = compile_s / (decompose_s + write_s);
  // Peak memory per placed MZI (mesh and attenuator MZIs of the decomposition): what a bigger chip costs.
  r.json["peak_bytes_per_mzi"] = peak_mb * 1024.0 * 1024.0 / static_cast<double>(std::max<int64_t>(1, baseline_mzis));
  r.json["baseline"] =
      "decompose_s: linalg::map_tiled of the same weights (same mesh size and threads); write_s: the same number "
      "of bytes written to a file in the same directory through the same atomic writer";
  r.json["tiles"] = inner.json["counts"]["tiles"];
  r.json["mzis"] = inner.json["counts"]["mzis"];
  r.json["peak_measurement"] = peak_reset
                                   ? "VmHWM after resetting it minus VmRSS before the compile"
                                   : "VmHWM minus VmRSS before the compile (peak reset unavailable: an upper bound)";
  r.text = fmt::format(
      "compile of a generated MLP {} ({} weights, mesh {}): {:.3f} s, peak memory +{:.1f} MB, "
      "{} tiles, {} MZIs, {:.1f} MB written\n"
      "in-run floors: decomposition alone {:.3f} s, writing the same bytes {:.3f} s; compile / floors = {:.2f}\n",
      fmt::join(o.sizes, "-"), weights, o.mesh_size, compile_s, peak_mb, inner.json["counts"]["tiles"].get<int64_t>(),
      inner.json["counts"]["mzis"].get<int64_t>(), static_cast<double>(out_bytes) / 1e6, decompose_s, write_s,
      compile_s / (decompose_s + write_s));
  return r;
}

}  // namespace holo::driver
