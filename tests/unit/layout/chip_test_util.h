// Test helper for the chip layout: netlists of tiles built with mapping's cell writers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/linalg/decompose.h"
#include "holo/linalg/random.h"
#include "holo/mapping/cells.h"

namespace holo::layout {

// A netlist of tiles (rows x cols each) built with mapping's cell writers from Haar-random meshes; with
// `screen` false the V^H mesh has no output phase screen (as when map_svd pushes it into the next stage).
inline circuit::Netlist make_netlist(const std::vector<std::pair<int, int>>& tiles, bool screen = true) {
  circuit::Netlist nl;
  nl.name = "t";
  nl.pdk = "generic_soi220";
  circuit::Cell top;
  top.name = "t_top";
  top.kind = "top";
  uint64_t seed = 1;
  for (size_t t = 0; t < tiles.size(); ++t) {
    const auto [rows, cols] = tiles[t];
    const int rank = std::min(rows, cols);
    linalg::Mesh vh = linalg::decompose(linalg::haar_unitary(cols, seed++));
    linalg::Mesh u = linalg::decompose(linalg::haar_unitary(rows, seed++));
    if (!screen) vh.output_phase_rad.clear();
    std::vector<double> th;
    for (int k = 0; k < rank; ++k) th.push_back(0.5 + 0.1 * k);
    std::string b = "t" + std::to_string(t);
    nl.cells.push_back(mapping::mesh_cell(b + "_vh", vh));
    nl.cells.push_back(mapping::attenuator_cell(b + "_att", th));
    nl.cells.push_back(mapping::mesh_cell(b + "_u", u));
    nl.cells.push_back(mapping::tile_cell(b + "_tile", b + "_vh", b + "_att", b + "_u", rows, cols, rank));
    top.instances.push_back({b, b + "_tile", {}, -1, -1});
  }
  nl.cells.push_back(top);
  nl.top = top.name;
  return nl;
}

}  // namespace holo::layout
