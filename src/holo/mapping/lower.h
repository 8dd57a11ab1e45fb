// Lowering a verified, simplified graph onto a photonic netlist: every linear layer with a constant weight
// (Gemm, MatMul, Conv unrolled to a matrix applied at each output position) onto tiled coherent SVD meshes
// (V^H mesh -> attenuators -> U mesh, per K x K block); nonlinearities as O-E-O stages (default) or the
// electro-optic activation of Williamson et al.; everything else electronic, with the reason recorded.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "holo/circuit/netlist.h"
#include "holo/graph/graph.h"
#include "holo/linalg/mesh.h"
#include "holo/pdk/pdk.h"

namespace holo::mapping {

struct MappingOptions {
  int mesh_size = 64;  // K: largest mesh; bigger matrices are tiled into K x K blocks
  linalg::MeshMethod method = linalg::MeshMethod::Clements;
  std::string activation = "oeo";  // "oeo" (detect, apply electronically, re-modulate) or "eo" (Williamson)
  double rank_energy = 1.0;        // keep the smallest rank whose sigma^2 sum reaches this fraction (1 = full)
  std::function<void(int64_t done, int64_t total)> progress;  // called as optical layers finish (may be empty)
};

struct MappingSummary {
  int64_t optical_stages = 0;
  int64_t electronic_stages = 0;
  int64_t tiles = 0;
  int64_t mzis = 0;  // mesh MZIs plus attenuator MZIs
  int64_t phase_shifters = 0;
};

// Errors: MAP-BAD-OPTION (impossible options), MAP-UNSUPPORTED (a node that cannot be mapped at all).
circuit::Netlist lower(const graph::Graph& g, const pdk::Pdk& pdk, const MappingOptions& opts,
                       MappingSummary* summary = nullptr);

// A name usable as a cell/instance name (letters, digits, underscore).
std::string sanitize(const std::string& s);

}  // namespace holo::mapping
