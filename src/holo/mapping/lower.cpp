#include "holo/mapping/lower.h"

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "holo/circuit/compiled.h"
#include "holo/graph/weights.h"
#include "holo/linalg/tiling.h"
#include "holo/support/error.h"

namespace holo::mapping {
namespace {

std::string activation_reason(const std::string& op) {
  return fmt::format("{} as an optical-electrical-optical stage: detect, apply electronically, re-modulate", op);
}

bool is_activation(const std::string& op) {
  return op == "Relu" || op == "LeakyRelu" || op == "Sigmoid" || op == "Tanh";
}

std::string electronic_reason(const graph::Graph& g, const graph::Node& n) {
  const std::string& op = n.op;
  if (op == "Softmax" || op == "LogSoftmax") return "normalization over all outputs (exp, sum, divide): electronic";
  if (op == "MaxPool") return "comparison (max) has no linear optical form: electronic";
  if (op == "AveragePool" || op == "GlobalAveragePool") return "pooling on detected values: electronic (cheap)";
  if (op == "BatchNormalization") return "per-channel affine on detected values: electronic";
  if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div")
    return "element-wise arithmetic on detected values: electronic";
  if (op == "Flatten" || op == "Reshape" || op == "Transpose" || op == "Concat" || op == "Pad")
    return "data movement / re-indexing: no computation, done in the electronic buffer";
  if (op == "Gemm" || op == "MatMul" || op == "Conv")
    return "no constant weight operand (both operands are data): electronic";
  (void)g;
  return "not mappable to the coherent templates: electronic";
}

struct Names {
  std::set<std::string> used;
  std::string unique(const std::string& base) {
    std::string n = base;
    for (int k = 2; used.count(n); ++k) n = fmt::format("{}_{}", base, k);
    used.insert(n);
    return n;
  }
};

// The attenuator column of a tile as linalg::map_svd programs it: theta_k, phi = 0, realizing the bar factor
// M(theta_k, 0)[0][0] = i e^{i theta_k/2} sin(theta_k/2) (its phase is absorbed by the following U mesh).
std::vector<circuit::Attenuator> attenuators(const linalg::SvdLayer& L) {
  std::vector<circuit::Attenuator> a;
  a.reserve(L.attenuator_theta_rad.size());
  for (double t : L.attenuator_theta_rad) a.push_back(circuit::make_attenuator(t, 0.0));
  return a;
}

}  // namespace

std::string sanitize(const std::string& s) {
  std::string r;
  for (char c : s) r += (std::isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  while (!r.empty() && r.front() == '_') r.erase(r.begin());
  if (r.empty() || std::isdigit(static_cast<unsigned char>(r.front()))) r = "n" + r;
  // Cell names built from this get suffixes ("_t12_3_att", "_top") and must stay within GDSII-friendly
  // lengths (the layout accepts 64): long names keep a prefix plus a hash of the whole name.
  constexpr size_t kMax = 40;
  if (r.size() > kMax) {
    uint64_t h = 1469598103934665603ull;  // FNV-1a of the original name: deterministic, distinct per name
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    r = fmt::format("{}_{:08x}", r.substr(0, kMax - 9), static_cast<uint32_t>(h ^ (h >> 32)));
  }
  return r;
}

circuit::Netlist lower(const graph::Graph& g, const pdk::Pdk& pdk, const MappingOptions& opts,
                       MappingSummary* summary) {
  if (opts.mesh_size < 1 || opts.mesh_size > 2048)
    fail("MAP-BAD-OPTION", fmt::format("mesh size {} is outside 1..2048", opts.mesh_size));
  if (opts.activation != "oeo" && opts.activation != "eo")
    fail("MAP-BAD-OPTION", fmt::format("activation '{}' is not one of oeo, eo", opts.activation));
  if (!(opts.rank_energy > 0.0 && opts.rank_energy <= 1.0))
    fail("MAP-BAD-OPTION", fmt::format("retained energy {} is outside (0, 1]", opts.rank_energy));
  for (std::string_view t :
       {circuit::kMziTemplate, circuit::kAttenuatorTemplate, circuit::kPhaseShifterTemplate,
        circuit::kModulatorTemplate, circuit::kReceiverTemplate, circuit::kDacTemplate, circuit::kAdcTemplate})
    (void)pdk.tmpl(std::string(t));

  circuit::Netlist net;
  net.name = sanitize(g.name.empty() ? "chip" : g.name);
  net.pdk = pdk.name;
  // The model's file name, not its path: a compiled chip does not point into the machine it was made on.
  net.info["source"] = std::filesystem::path(g.source).filename().string();
  net.info["mesh_size"] = std::to_string(opts.mesh_size);
  net.info["method"] = linalg::method_name(opts.method);
  net.info["activation"] = opts.activation;
  Names names;
  MappingSummary sum;

  const int64_t K = opts.mesh_size;
  std::vector<std::string> layer_cells;
  for (const graph::Node& n : g.nodes) {
    int64_t out = 0, in = 0;
    std::vector<double> w;
    if ((n.op == "Gemm" || n.op == "MatMul" || n.op == "Conv") && graph::weight_matrix(g, n, out, in, w))
      ++sum.optical_stages;
  }
  int64_t stage_done = 0;
  for (const graph::Node& n : g.nodes) {
    circuit::Stage st;
    st.node = n.name;
    st.op = n.op;
    int64_t out = 0, in = 0;
    std::vector<double> w;
    if (!((n.op == "Gemm" || n.op == "MatMul" || n.op == "Conv") && graph::weight_matrix(g, n, out, in, w))) {
      if (is_activation(n.op) && opts.activation == "eo") {
        st.domain = "optical_activation";
        st.reason = "electro-optic activation (Williamson et al. 2020) replaces " + n.op + " on the optical path";
      } else {
        st.domain = "electronic";
        st.reason = is_activation(n.op) ? activation_reason(n.op) : electronic_reason(g, n);
      }
      ++sum.electronic_stages;
      net.stages.push_back(std::move(st));
      continue;
    }
    st.domain = "optical";
    st.out_features = out;
    st.in_features = in;
    if (n.op == "Conv") {
      const Shape& y = g.tensor(n.outputs[0]).shape;
      st.positions = (y.size() == 4 && y[2] > 0 && y[3] > 0) ? y[2] * y[3] : 1;
    }
    // Tiles decompose in parallel inside linalg (bit-identical for any thread count).
    Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> wm(w.data(), out, in);
    linalg::TilingOptions to;
    to.tile = static_cast<int32_t>(K);
    to.svd.method = opts.method;
    to.svd.retained_energy = opts.rank_energy;
    linalg::TiledLayer tiled = linalg::map_tiled(Eigen::MatrixXd(wm), to);

    const std::string base = sanitize(st.node);
    circuit::Cell layer = circuit::layer_cell(names.unique(base + "_layer"), st.node, st.op);
    for (const linalg::Tile& t : tiled.tiles) {
      const linalg::SvdLayer& L = t.layer;
      std::string tb = fmt::format("{}_t{}_{}", base, t.block_row, t.block_col);
      const auto rank = static_cast<int64_t>(L.attenuator_theta_rad.size());
      circuit::Cell vh = circuit::mesh_cell(names.unique(tb + "_vh"), L.v_mesh);
      circuit::Cell att = circuit::attenuator_cell(names.unique(tb + "_att"), attenuators(L));
      circuit::Cell u = circuit::mesh_cell(names.unique(tb + "_u"), L.u_mesh);
      circuit::Cell tile =
          circuit::coherent_tile_cell(names.unique(tb), t.rows, t.cols, rank, vh.name, att.name, u.name, L.rank);
      sum.mzis += L.mzis();
      sum.phase_shifters += L.phase_shifters() + rank;  // attenuators have theta and phi heaters
      ++sum.tiles;
      st.tiles.push_back({tile.name, t.row0, t.rows, t.col0, t.cols, L.gain});
      circuit::add_layer_slot(layer, t.block_row, t.block_col, tile);
      net.cells.push_back(std::move(vh));
      net.cells.push_back(std::move(att));
      net.cells.push_back(std::move(u));
      net.cells.push_back(std::move(tile));
    }
    st.layer_cell = layer.name;
    layer_cells.push_back(layer.name);
    net.cells.push_back(std::move(layer));
    net.stages.push_back(std::move(st));
    if (opts.progress) opts.progress(++stage_done, sum.optical_stages);
  }

  circuit::Cell top = circuit::top_cell(names.unique(net.name + "_top"), net, layer_cells);
  net.top = top.name;
  net.cells.push_back(std::move(top));
  if (summary) *summary = sum;
  return net;
}

}  // namespace holo::mapping
