// Test helpers for the sim module: netlists of compiled tiles written per the compiled-chip contract of
// circuit/netlist.h (the mapping module has the production writer; these are written independently from the
// contract text so the reader is tested against the contract, not against mapping's code).
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/linalg/decompose.h"
#include "holo/linalg/mzi.h"
#include "holo/linalg/random.h"
#include "holo/pdk/pdk.h"
#include "test_support.h"

namespace holo::sim::test {

inline std::string idx(const char* prefix, int64_t k) {
  return std::string(prefix) + std::to_string(k);
}

inline const pdk::Pdk& test_pdk() {
  static const pdk::Pdk p = pdk::load_pdk(holo::test::source_path("pdk/generic_soi220.json"));
  return p;
}

// Mesh cell: mzi<k> in optical order, then ps<i>; each mode's light goes port to port in optical order.
inline circuit::Cell mesh_cell(const std::string& name, const linalg::Mesh& mesh) {
  circuit::Cell c;
  c.name = name;
  c.kind = "mesh";
  c.info["n"] = std::to_string(mesh.n);
  c.info["method"] = linalg::method_name(mesh.method);
  c.info["columns"] = std::to_string(mesh.columns);
  std::vector<circuit::PortRef> at(static_cast<size_t>(mesh.n));
  std::vector<bool> started(static_cast<size_t>(mesh.n), false);
  std::vector<circuit::CellPort> ins;
  auto enter = [&](int32_t mode, circuit::PortRef next) {
    const auto m = static_cast<size_t>(mode);
    if (started[m]) {
      c.connections.push_back({at[m], next});
    } else {
      ins.push_back({idx("in", mode), "optical", next});
      started[m] = true;
    }
  };
  for (size_t k = 0; k < mesh.mzis.size(); ++k) {
    const linalg::MziSetting& z = mesh.mzis[k];
    const std::string inst = idx("mzi", static_cast<int64_t>(k));
    c.instances.push_back({inst, "mzi", {{"theta_rad", z.theta_rad}, {"phi_rad", z.phi_rad}}, z.column, z.mode});
    enter(z.mode, {inst, "o2"});
    enter(z.mode + 1, {inst, "o1"});
    at[static_cast<size_t>(z.mode)] = {inst, "o3"};
    at[static_cast<size_t>(z.mode + 1)] = {inst, "o4"};
  }
  std::vector<circuit::CellPort> outs;
  for (int32_t i = 0; i < mesh.n; ++i) {
    const std::string inst = idx("ps", i);
    c.instances.push_back(
        {inst, "phase_shifter", {{"phi_rad", mesh.output_phase_rad[static_cast<size_t>(i)]}}, mesh.columns, i});
    enter(i, {inst, "o1"});
    outs.push_back({idx("out", i), "optical", {inst, "o2"}});
  }
  std::sort(ins.begin(), ins.end(),
            [](const auto& a, const auto& b) { return std::stoi(a.name.substr(2)) < std::stoi(b.name.substr(2)); });
  c.ports = ins;
  c.ports.insert(c.ports.end(), outs.begin(), outs.end());
  return c;
}

// theta, phi with M(theta, phi)[0][0] = t (real, >= 0): sin(theta/2) = t, phase of i e^{i(theta/2 + phi)} cancelled.
inline void attenuator_phases(double t, double& theta, double& phi) {
  theta = 2.0 * std::asin(std::min(t, 1.0));
  phi = linalg::wrap_phase(-0.5 * linalg::kPi - 0.5 * theta);
}

inline circuit::Cell attenuator_cell(const std::string& name, const std::vector<double>& t) {
  circuit::Cell c;
  c.name = name;
  c.kind = "attenuators";
  c.info["n"] = std::to_string(t.size());
  for (size_t k = 0; k < t.size(); ++k) {
    double th = 0, ph = 0;
    attenuator_phases(t[k], th, ph);
    c.instances.push_back({idx("a", static_cast<int64_t>(k)),
                           "attenuator",
                           {{"theta_rad", th}, {"phi_rad", ph}, {"transmission", t[k]}},
                           0,
                           static_cast<int32_t>(k)});
  }
  for (size_t k = 0; k < t.size(); ++k) {
    c.ports.push_back({idx("in", static_cast<int64_t>(k)), "optical", {idx("a", static_cast<int64_t>(k)), "o1"}});
  }
  for (size_t k = 0; k < t.size(); ++k) {
    c.ports.push_back({idx("out", static_cast<int64_t>(k)), "optical", {idx("a", static_cast<int64_t>(k)), "o2"}});
  }
  return c;
}

inline circuit::Cell tile_cell(const std::string& name, const std::string& vh, const std::string& att,
                               const std::string& u, int64_t rows, int64_t cols, int64_t rank) {
  circuit::Cell c;
  c.name = name;
  c.kind = "tile";
  c.info = {{"rows", std::to_string(rows)}, {"cols", std::to_string(cols)}, {"rank", std::to_string(rank)}};
  c.instances = {{"vh", vh, {}, -1, -1}, {"att", att, {}, -1, -1}, {"u", u, {}, -1, -1}};
  for (int64_t j = 0; j < cols; ++j) c.ports.push_back({idx("in", j), "optical", {"vh", idx("in", j)}});
  for (int64_t i = 0; i < rows; ++i) c.ports.push_back({idx("out", i), "optical", {"u", idx("out", i)}});
  for (int64_t k = 0; k < rank; ++k) {
    c.connections.push_back({{"vh", idx("out", k)}, {"att", idx("in", k)}});
    c.connections.push_back({{"att", idx("out", k)}, {"u", idx("in", k)}});
  }
  for (int64_t k = rank; k < cols; ++k) c.ports.push_back({idx("drop", k), "optical", {"vh", idx("out", k)}});
  for (int64_t k = rank; k < rows; ++k) c.ports.push_back({idx("dark", k), "optical", {"u", idx("in", k)}});
  return c;
}

inline linalg::Mesh haar_mesh(int n, uint64_t seed, linalg::MeshMethod method = linalg::MeshMethod::Clements) {
  linalg::DecomposeOptions o;
  o.method = method;
  return linalg::decompose(linalg::haar_unitary(n, seed), o);
}

// Adds the cells of one tile realizing w / sigma_max (full SVD; tile gain sigma_max) to `n`; returns the gain.
inline double add_tile(circuit::Netlist& n, const std::string& name, const Eigen::MatrixXcd& w,
                       linalg::MeshMethod method = linalg::MeshMethod::Clements) {
  const auto rows = w.rows(), cols = w.cols(), rank = std::min(rows, cols);
  Eigen::JacobiSVD<Eigen::MatrixXcd> svd(w, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::VectorXd s = svd.singularValues();
  const double gain = s.size() > 0 ? s(0) : 0.0;
  std::vector<double> t(static_cast<size_t>(rank));
  for (Eigen::Index k = 0; k < rank; ++k) t[static_cast<size_t>(k)] = gain > 0 ? s(k) / gain : 0.0;
  linalg::DecomposeOptions o;
  o.method = method;
  o.reorthonormalize = true;  // Jacobi SVD factors are unitary to ~1e-15; polish for the 1e-10 check
  const linalg::Mesh vh = linalg::decompose(svd.matrixV().adjoint(), o);
  const linalg::Mesh u = linalg::decompose(svd.matrixU(), o);
  n.cells.push_back(mesh_cell(name + "_vh", vh));
  n.cells.push_back(attenuator_cell(name + "_att", t));
  n.cells.push_back(mesh_cell(name + "_u", u));
  n.cells.push_back(tile_cell(name, name + "_vh", name + "_att", name + "_u", rows, cols, rank));
  return gain;
}

inline Eigen::MatrixXcd random_complex(int rows, int cols, uint64_t seed) {
  linalg::Rng rng(seed);
  return linalg::gaussian_matrix(rows, cols, rng, true);
}

inline Eigen::MatrixXd random_real(int rows, int cols, uint64_t seed) {
  linalg::Rng rng(seed);
  return linalg::gaussian_matrix(rows, cols, rng, false).real();
}

// A netlist holding one optical stage computing w (out x in), tiled into blocks of at most k x k.
inline circuit::Netlist stage_netlist(const Eigen::MatrixXd& w, int k, circuit::Stage& stage) {
  circuit::Netlist n;
  n.name = "test";
  n.pdk = "generic_soi220";
  stage = circuit::Stage{};
  stage.node = "fc";
  stage.op = "Gemm";
  stage.domain = "optical";
  stage.out_features = w.rows();
  stage.in_features = w.cols();
  int t = 0;
  for (int64_t r0 = 0; r0 < w.rows(); r0 += k) {
    for (int64_t c0 = 0; c0 < w.cols(); c0 += k) {
      const int64_t rows = std::min<int64_t>(k, w.rows() - r0), cols = std::min<int64_t>(k, w.cols() - c0);
      const std::string name = idx("tile", t++);
      circuit::Tile tile;
      tile.cell = name;
      tile.row0 = r0;
      tile.rows = rows;
      tile.col0 = c0;
      tile.cols = cols;
      tile.gain = add_tile(n, name, w.block(r0, c0, rows, cols).cast<linalg::cdouble>());
      stage.tiles.push_back(tile);
    }
  }
  n.stages.push_back(stage);
  return n;
}

inline double max_abs(const Eigen::MatrixXcd& a) {
  return a.size() ? a.cwiseAbs().maxCoeff() : 0.0;
}

}  // namespace holo::sim::test
