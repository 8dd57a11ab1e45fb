// holo::layout: GDSII writing throughput (issue 5's bar: at least 1 million polygons per second on one
// core), reading, and DRC of a flattened MZI array. Run: build/bench/bench_layout
// items_per_second = polygons per second; bytes_per_second = GDSII bytes produced / consumed.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <streambuf>

#include "holo/circuit/compiled.h"
#include "holo/layout/cells.h"
#include "holo/layout/chip.h"
#include "holo/layout/drc.h"
#include "holo/layout/gds.h"
#include "holo/layout/nets.h"
#include "holo/linalg/decompose.h"
#include "holo/linalg/random.h"
#include "holo/pdk/pdk.h"

namespace {

using namespace holo::layout;

// A stream that only counts what it is given (isolates formatting from the disk).
class CountingBuf : public std::streambuf {
 public:
  size_t bytes = 0;

 protected:
  std::streamsize xsputn(const char*, std::streamsize n) override {
    bytes += static_cast<size_t>(n);
    return n;
  }
  int overflow(int c) override {
    ++bytes;
    return c;
  }
};

Library flat_library(int64_t n, int vertices) {
  Library lib("bench");
  Cell& c = lib.add_cell("top");
  auto& wg = c.polygons[LayerSpec{1, 0}];
  wg.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    Coord x = (i % 1000) * 2000, y = (i / 1000) * 2000;
    if (vertices == 4) {
      wg.push_back(box_polygon(Box{x, y, x + 1000, y + 500}));
    } else {
      Polygon p;
      for (int k = 0; k < vertices; ++k) {
        double a = 2 * 3.141592653589793 * k / vertices;
        p.push_back({x + static_cast<Coord>(std::lround(500 * std::cos(a))),
                     y + static_cast<Coord>(std::lround(500 * std::sin(a)))});
      }
      wg.push_back(std::move(p));
    }
  }
  return lib;
}

void BM_GdsWrite(benchmark::State& state) {
  const int64_t n = state.range(0);
  const int vertices = static_cast<int>(state.range(1));
  Library lib = flat_library(n, vertices);
  size_t bytes = 0;
  for (auto _ : state) {
    CountingBuf buf;
    std::ostream out(&buf);
    write_gds(lib, out);
    bytes = buf.bytes;
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_GdsWrite)->Args({1000000, 4})->Args({1000000, 8})->Args({100000, 64})->Unit(benchmark::kMillisecond);

// The same, through the atomic file writer to a real file (page cache; includes the write calls).
void BM_GdsWriteFile(benchmark::State& state) {
  const int64_t n = state.range(0);
  Library lib = flat_library(n, 4);
  auto path = (std::filesystem::temp_directory_path() / "holo_bench_layout.gds").string();
  for (auto _ : state) write_gds_file(lib, path);
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(std::filesystem::file_size(path)));
  std::filesystem::remove(path);
}
BENCHMARK(BM_GdsWriteFile)->Arg(1000000)->Unit(benchmark::kMillisecond);

// In-run floor: copying as many bytes as the rectangle file holds (what any writer must at least touch).
void BM_MemcpyFloor(benchmark::State& state) {
  const size_t bytes = static_cast<size_t>(state.range(0)) * 64;  // 64 bytes per rectangle BOUNDARY
  std::vector<char> a(bytes, 1), b(bytes);
  for (auto _ : state) {
    std::memcpy(b.data(), a.data(), bytes);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_MemcpyFloor)->Arg(1000000)->Unit(benchmark::kMillisecond);

void BM_GdsRead(benchmark::State& state) {
  const int64_t n = state.range(0);
  std::string bytes = gds_bytes(flat_library(n, 4));
  for (auto _ : state) {
    Library lib = read_gds(bytes, "bench");
    benchmark::DoNotOptimize(lib.size());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_GdsRead)->Arg(1000000)->Unit(benchmark::kMillisecond);

// DRC of k x k MZIs placed at the port pitch (every rule of the PDK, flat geometry).
void BM_DrcMziArray(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  holo::pdk::Pdk pdk = holo::pdk::load_pdk(holo::pdk::default_pdk_path());
  LayoutParams lp = layout_params(pdk);
  Library lib("bench");
  CellFactory f(lib, lp);
  std::string mzi = f.mzi();
  Coord len = lib.cell(mzi).port("o3").position.x;
  lib.add_cell("top").add_array(mzi, Trans{}, k, k, {len, 0}, {0, 2 * lp.port_pitch});
  FlatLayout flat = flatten(lib, "top");
  DrcDeck deck = drc_deck(pdk);
  for (auto _ : state) {
    DrcReport rep = run_drc(flat, deck);
    if (!rep.clean()) state.SkipWithError("the MZI array is not clean");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(flat.polygon_count()));
  state.counters["polygons"] = static_cast<double>(flat.polygon_count());
}
BENCHMARK(BM_DrcMziArray)->Arg(8)->Arg(32)->Unit(benchmark::kMillisecond);

}  // namespace

namespace {

// A compiled chip of `tiles` n x n tiles from Haar-random meshes, one optical stage each, written with the
// contract's writers (circuit/compiled.h); the digits MLP's chip has three 64-mode tiles.
holo::circuit::Netlist chip_netlist(int tiles, int n) {
  namespace circuit = holo::circuit;
  circuit::Netlist nl;
  nl.name = "bench";
  std::vector<std::string> layers;
  for (int t = 0; t < tiles; ++t) {
    const std::string b = "t" + std::to_string(t);
    const std::vector<circuit::Attenuator> att(static_cast<size_t>(n), circuit::make_attenuator(1.0));
    nl.cells.push_back(
        circuit::mesh_cell(b + "_vh", holo::linalg::decompose(holo::linalg::haar_unitary(n, 2 * t + 1))));
    nl.cells.push_back(circuit::attenuator_cell(b + "_att", att));
    nl.cells.push_back(circuit::mesh_cell(b + "_u", holo::linalg::decompose(holo::linalg::haar_unitary(n, 2 * t + 2))));
    circuit::Cell tile = circuit::coherent_tile_cell(b + "_tile", n, n, n, b + "_vh", b + "_att", b + "_u");
    circuit::Cell layer = circuit::layer_cell(b + "_layer", b, "MatMul");
    circuit::add_layer_slot(layer, 0, 0, tile);
    nl.stages.push_back({b, "MatMul", "optical", "", layer.name, n, n, 1, {{tile.name, 0, n, 0, n, 1.0}}});
    layers.push_back(layer.name);
    nl.cells.push_back(std::move(tile));
    nl.cells.push_back(std::move(layer));
  }
  circuit::Cell top = circuit::top_cell("bench_top", nl, layers);
  nl.top = top.name;
  nl.cells.push_back(std::move(top));
  return nl;
}

// Heater-wiring check (layout/nets.h) of the digits-sized chip; its floor: flattening the same four layers
// with the general flatten (BM_FlattenWiringLayers), geometry the check must visit at least once.
void BM_HeaterNets(benchmark::State& st) {
  const holo::pdk::Pdk p = holo::pdk::load_pdk(holo::pdk::default_pdk_path());
  const LayoutParams lp = layout_params(p);
  const ChipLayout chip = layout_chip(chip_netlist(3, 64), lp);
  int64_t heaters = 0;
  for (auto _ : st) {
    const HeaterNets hn = extract_heater_nets(chip.lib, chip.top, lp);
    heaters = hn.heaters;
    benchmark::DoNotOptimize(hn.drive_nets);
  }
  st.counters["heaters"] = static_cast<double>(heaters);
  st.SetItemsProcessed(st.iterations() * heaters);
}
BENCHMARK(BM_HeaterNets)->Unit(benchmark::kMillisecond);

void BM_FlattenWiringLayers(benchmark::State& st) {
  const holo::pdk::Pdk p = holo::pdk::load_pdk(holo::pdk::default_pdk_path());
  const LayoutParams lp = layout_params(p);
  const ChipLayout chip = layout_chip(chip_netlist(3, 64), lp);
  const RoutingLayer& m2 = lp.metals.contact();
  for (auto _ : st) {
    FlatLayout f = flatten(chip.lib, chip.top, {m2.layer, lp.layers.heater, m2.via_below.layer, lp.layers.pad});
    benchmark::DoNotOptimize(f.polygons.size());
  }
}
BENCHMARK(BM_FlattenWiringLayers)->Unit(benchmark::kMillisecond);

// Chip layout with heater wiring (layout_chip) of the same chip, the parameters derived from the PDK in each
// iteration (as write_chip_layout does once per compile).
void BM_ChipLayout(benchmark::State& st) {
  const holo::pdk::Pdk p = holo::pdk::load_pdk(holo::pdk::default_pdk_path());
  const holo::circuit::Netlist nl = chip_netlist(3, 64);
  for (auto _ : st) {
    ChipLayout chip = layout_chip(nl, layout_params(p));
    benchmark::DoNotOptimize(chip.pads.size());
  }
}
BENCHMARK(BM_ChipLayout)->Unit(benchmark::kMillisecond);

}  // namespace
