// Test helper for the chip layout: compiled chips of tiles built with the contract's writers (circuit/compiled.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "holo/circuit/compiled.h"
#include "holo/circuit/netlist.h"
#include "holo/linalg/decompose.h"
#include "holo/linalg/random.h"

namespace holo::layout {

// A compiled chip of tiles (rows x cols each) from Haar-random meshes, one optical stage per tile (its layer cell
// holds the tile alone), written with the contract's writers; with `screen` false the V^H mesh has no output
// phase screen (as when map_svd pushes it into the next stage). Cells "t<k>_vh", "t<k>_att", "t<k>_u",
// "t<k>_tile", "t<k>_layer", then the top "t_top".
inline circuit::Netlist make_netlist(const std::vector<std::pair<int, int>>& tiles, bool screen = true) {
  circuit::Netlist nl;
  nl.name = "t";
  nl.pdk = "generic_soi220";
  std::vector<std::string> layers;
  uint64_t seed = 1;
  for (size_t t = 0; t < tiles.size(); ++t) {
    const auto [rows, cols] = tiles[t];
    const int rank = std::min(rows, cols);
    linalg::Mesh vh = linalg::decompose(linalg::haar_unitary(cols, seed++));
    linalg::Mesh u = linalg::decompose(linalg::haar_unitary(rows, seed++));
    if (!screen) vh.output_phase_rad.clear();
    std::vector<circuit::Attenuator> att;
    for (int k = 0; k < rank; ++k) att.push_back(circuit::make_attenuator(0.5 + 0.1 * k));
    const std::string b = "t" + std::to_string(t);
    nl.cells.push_back(circuit::mesh_cell(b + "_vh", vh));
    nl.cells.push_back(circuit::attenuator_cell(b + "_att", att));
    nl.cells.push_back(circuit::mesh_cell(b + "_u", u));
    circuit::Cell tile = circuit::coherent_tile_cell(b + "_tile", rows, cols, rank, b + "_vh", b + "_att", b + "_u");
    circuit::Cell layer = circuit::layer_cell(b + "_layer", b, "MatMul");
    circuit::add_layer_slot(layer, 0, 0, tile);
    nl.stages.push_back({b, "MatMul", "optical", "", layer.name, rows, cols, 1, {{tile.name, 0, rows, 0, cols, 1.0}}});
    layers.push_back(layer.name);
    nl.cells.push_back(std::move(tile));
    nl.cells.push_back(std::move(layer));
  }
  circuit::Cell top = circuit::top_cell("t_top", nl, layers);
  nl.top = top.name;
  nl.cells.push_back(std::move(top));
  return nl;
}

}  // namespace holo::layout
