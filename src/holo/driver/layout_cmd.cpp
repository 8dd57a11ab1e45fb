#include "holo/driver/layout_cmd.h"

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <filesystem>
#include <map>
#include <optional>

#include "holo/layout/chip.h"
#include "holo/layout/demo.h"
#include "holo/layout/drc.h"
#include "holo/layout/export.h"
#include "holo/layout/extract.h"
#include "holo/layout/gds.h"
#include "holo/layout/lvs.h"
#include "holo/layout/nets.h"
#include "holo/layout/params.h"
#include "holo/pdk/pdk.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/out_dir.h"
#include "holo/support/sha256.h"

namespace holo::driver {
namespace {

pdk::Pdk load(const std::string& path) {
  return pdk::load_pdk(path.empty() ? pdk::default_pdk_path() : path);
}

std::optional<layout::LayerSpec> port_layer(const pdk::Pdk& p) {
  for (const pdk::Layer& l : p.layers)
    if (l.name == "PORT") return layout::LayerSpec{l.layer, l.datatype};
  return std::nullopt;
}

double um(double nm) {
  return nm / 1000.0;
}

// Shapes per layer once the hierarchy is expanded, as KLayout counts them (texts included; with port labels,
// one text per port of every placed cell on the PORT layer).
std::map<layout::LayerSpec, int64_t> klayout_shape_counts(const layout::Library& lib, const std::string& top,
                                                          const layout::GdsWriteOptions& gopt) {
  auto counts = layout::flat_shape_counts(lib, top);
  if (gopt.port_layer) {
    for (const auto& [c, n] : layout::placement_counts(lib, top))
      counts[*gopt.port_layer] += n * static_cast<int64_t>(lib.cell(c).ports.size());
    if (counts[*gopt.port_layer] == 0) counts.erase(*gopt.port_layer);
  }
  return counts;
}

// How the preview of a large chip draws a cell, by the role its generator gave it: the device cells (MZI,
// attenuator, phase shifter, straight) as their outline box on WG, the heater-wiring units without their wires
// (below a pixel; their pads stay), everything else as it is.
void coarse_preview_cell(layout::Cell& c, const layout::Library& lib, const layout::LayoutParams& lp) {
  switch (c.role) {
    case layout::CellRole::Mzi:
    case layout::CellRole::Attenuator:
    case layout::CellRole::PhaseShifter:
    case layout::CellRole::Straight: {
      const layout::Box b = lib.bbox(c.name);
      c.polygons.clear();
      c.refs.clear();
      c.texts.clear();
      c.add_box(lp.layers.wg, b);
      return;
    }
    case layout::CellRole::WiringUnit:
      c.polygons.clear();
      return;
    case layout::CellRole::Other:
    case layout::CellRole::Bend:
    case layout::CellRole::Coupler:
    case layout::CellRole::Via:
    case layout::CellRole::GratingCoupler:
    case layout::CellRole::Photodetector:
    case layout::CellRole::BondPad:
    case layout::CellRole::Mesh:
    case layout::CellRole::AttenuatorColumn:
    case layout::CellRole::Tile:
    case layout::CellRole::Top:
      return;
  }
}

nlohmann::json counts_json(const std::map<layout::LayerSpec, int64_t>& counts) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [l, n] : counts) j[layout::to_string(l)] = n;
  return j;
}

}  // namespace

Result drc(const DrcCommandOptions& opts) {
  namespace fs = std::filesystem;
  if (opts.gds_path.empty()) fail("CLI-MISSING-OPTION", "drc needs a GDS file");
  // A chip from holo compile is checked against the platform it was compiled for (OUT/pdk.json beside it),
  // unless --pdk says otherwise.
  std::string pdk_path = opts.pdk_path;
  Diagnostics diag;
  const fs::path beside = fs::path(opts.gds_path).parent_path() / "pdk.json";
  std::error_code ec;
  if (pdk_path.empty() && fs::is_regular_file(beside, ec)) {
    pdk_path = beside.string();
    const auto manifest = read_manifest(fs::path(opts.gds_path).parent_path().string());
    const ManifestEntry* e = manifest ? manifest->find("pdk.json") : nullptr;
    if (e && e->sha256 != sha256_file(pdk_path))
      fail("CHIP-PDK-MISMATCH", fmt::format("{}: not the platform the chip was compiled for ({} lists another "
                                            "sha256); the file was changed after compile",
                                            pdk_path, kManifestName));
    const ManifestEntry* g = manifest ? manifest->find(fs::path(opts.gds_path).filename().string()) : nullptr;
    if (g && g->sha256 != sha256_file(opts.gds_path))
      diag.warn("OUT-MODIFIED", fmt::format("{}: differs from the file holo compile wrote ({}); checking it as it is",
                                            opts.gds_path, kManifestName));
  }
  pdk::Pdk p = load(pdk_path);
  layout::GdsReadOptions ropt;
  ropt.port_layer = port_layer(p);
  layout::Library lib = layout::read_gds_file(opts.gds_path, ropt);
  const layout::DrcDeck deck = layout::drc_deck(p);
  std::string top;
  layout::FlatLayout flat;
  layout::DrcReport rep;
  try {
    top = lib.top_cell();
    // flatten checks the budget from the hierarchy before expanding anything (one 32767 x 32767 array in a
    // 258-byte file would otherwise flatten to a billion shapes); the DRC keeps to its own budget of work.
    flat = layout::flatten(lib, top, {}, opts.limits);
    layout::DrcOptions dopt;
    dopt.max_per_rule = opts.max_listed;
    dopt.max_work_per_vertex = opts.drc_work_per_vertex;
    rep = layout::run_drc(flat, deck, dopt);
  } catch (const Error& e) {
    throw Error(e.code(), fmt::format("{}: {}", opts.gds_path, e.what()), e.kind());
  }
  if (!opts.deck_path.empty()) write_file_atomic(opts.deck_path, layout::klayout_deck(deck));

  Result r;
  auto& j = r.json;
  j["gds"] = opts.gds_path;
  j["pdk"] = p.name;
  j["top"] = top;
  j["polygons"] = static_cast<int64_t>(flat.polygon_count());
  j["rules"] = static_cast<int64_t>(deck.rules.size());
  j["clean"] = rep.clean();
  j["total"] = rep.total;
  j["counts"] = rep.counts;
  j["violations"] = nlohmann::json::array();
  for (const layout::Violation& v : rep.violations) {
    j["violations"].push_back({{"rule", v.rule},
                               {"kind", v.kind},
                               {"layer", v.layer},
                               {"x_um", um(static_cast<double>(v.where.x0 + v.where.x1) / 2)},
                               {"y_um", um(static_cast<double>(v.where.y0 + v.where.y1) / 2)},
                               {"bbox_um",
                                {um(static_cast<double>(v.where.x0)), um(static_cast<double>(v.where.y0)),
                                 um(static_cast<double>(v.where.x1)), um(static_cast<double>(v.where.y1))}},
                               {"measured_um", um(v.measured_nm)},
                               {"min_um", um(static_cast<double>(v.min_nm))},
                               {"detail", v.detail}});
  }
  if (!opts.deck_path.empty()) j["deck"] = opts.deck_path;
  j["pdk_file"] = pdk_path.empty() ? pdk::default_pdk_path() : pdk_path;
  j["warnings"] = nlohmann::json::array();
  for (const Warning& w : diag.warnings()) j["warnings"].push_back({{"code", w.code}, {"message", w.message}});
  r.warnings = diag.warnings();
  r.text = fmt::format("DRC of {} (top cell {}, {} polygons) against PDK {} ({} rules): ", opts.gds_path, top,
                       flat.polygon_count(), p.name, deck.rules.size());
  if (rep.clean()) {
    r.text += "clean\n";
  } else {
    r.text += fmt::format("{} violation(s)\n", rep.total);
    for (const auto& [rule, n] : rep.counts)
      if (n) r.text += fmt::format("  {:<10} {}\n", rule, n);
    for (const layout::Violation& v : rep.violations)
      r.text += fmt::format("  {:<10} {:<7} at ({:.3f}, {:.3f}) um: {}\n", v.rule, v.layer,
                            um(static_cast<double>(v.where.x0 + v.where.x1) / 2),
                            um(static_cast<double>(v.where.y0 + v.where.y1) / 2), v.detail);
    if (static_cast<int64_t>(rep.violations.size()) < rep.total)
      r.text += fmt::format("  ({} listed; at most {} per rule)\n", rep.violations.size(), opts.max_listed);
    r.exit_code = 2;
  }
  return r;
}

Result layout_demo(const LayoutDemoOptions& opts) {
  namespace fs = std::filesystem;
  if (opts.out_dir.empty()) fail("CLI-MISSING-OPTION", "layout-demo needs an output directory");
  pdk::Pdk p = load(opts.pdk_path);
  std::error_code ec;
  fs::create_directories(fs::path(opts.out_dir) / "broken", ec);
  if (ec) fail("FILE-WRITE", fmt::format("{}: cannot create the directory: {}", opts.out_dir, ec.message()));
  const fs::path out(opts.out_dir);
  layout::GdsWriteOptions gopt;
  gopt.port_layer = port_layer(p);

  layout::Library lib = layout::demo_chip(p);
  const std::string top = lib.top_cell();
  layout::write_gds_file(lib, (out / "demo.gds").string(), gopt);
  write_file_atomic((out / "demo.lyp").string(), layout::lyp_text(p));
  write_file_atomic((out / "demo.layermap").string(), layout::layer_map_text(p));
  layout::DrcDeck deck = layout::drc_deck(p);
  write_file_atomic((out / "demo.drc").string(), layout::klayout_deck(deck));
  layout::FlatLayout flat = layout::flatten(lib, top);
  write_file_atomic((out / "demo.svg").string(), layout::svg_preview(flat, p));
  layout::DrcReport rep = layout::run_drc(flat, deck);
  layout::Connectivity conn = layout::extract_connectivity(lib, top);

  Result r;
  auto& j = r.json;
  j["pdk"] = p.name;
  j["gds"] = (out / "demo.gds").string();
  j["deck"] = (out / "demo.drc").string();
  j["top"] = top;
  j["cells"] = static_cast<int64_t>(lib.size());
  // Shapes per layer once the hierarchy is expanded, as KLayout counts them (texts included; port labels
  // on the PORT layer are one text per port of every placed cell).
  j["shapes"] = counts_json(klayout_shape_counts(lib, top, gopt));
  j["polygons"] = static_cast<int64_t>(flat.polygon_count());
  j["drc_total"] = rep.total;
  j["links"] = static_cast<int64_t>(conn.links.size());
  j["open_ports"] = nlohmann::json::array();
  for (const auto& op : conn.open) j["open_ports"].push_back(op.instance + "." + op.port.name);
  j["mismatches"] = static_cast<int64_t>(conn.mismatches.size());
  j["broken"] = nlohmann::json::array();
  std::string text =
      fmt::format("wrote {} (top {}, {} cells, {} polygons flat; holo DRC: {} violations; {} optical links)\n",
                  (out / "demo.gds").string(), top, lib.size(), flat.polygon_count(), rep.total, conn.links.size());
  for (const layout::BrokenLayout& b : layout::broken_layouts(p)) {
    std::string path = (out / "broken" / (b.name + ".gds")).string();
    layout::write_gds_file(b.lib, path, gopt);
    j["broken"].push_back({{"name", b.name}, {"gds", path}, {"rules", b.rules}, {"description", b.description}});
    text += fmt::format("wrote {}: {}\n", path, b.description);
  }
  r.text = text;
  return r;
}

nlohmann::json LayoutOutputs::to_json() const {
  nlohmann::json j;
  j["gds"] = gds_path;
  j["lyp"] = lyp_path;
  j["layermap"] = layermap_path;
  j["drc_deck"] = drc_deck_path;
  j["svg"] = svg_path;
  j["gds_bytes"] = gds_bytes;
  j["flat_polygons"] = flat_polygons;
  j["die_width_um"] = figures.die_width_um;
  j["die_height_um"] = figures.die_height_um;
  j["die_area_mm2"] = figures.die_area_mm2;
  j["waveguide_length_um"] = figures.waveguide_length_um;
  j["bends"] = figures.bends;
  j["worst_path_bends"] = figures.worst_path_bends;
  j["io_couplers"] = figures.io_couplers;
  j["io_length_spread_um"] = figures.io_length_spread_um;
  j["crossings"] = figures.crossings;
  j["worst_path_added_length_um"] = figures.worst_path_added_length_um;
  j["worst_path_added_loss_db"] = figures.worst_path_added_loss_db;
  j["mzi_instances"] = figures.mzi_instances;
  j["heaters"] = figures.heaters;
  j["bond_pads"] = figures.bond_pads;
  j["pads"] = pads_path;
  const layout::HeaterNets& hn = heater_nets;
  j["heater_wiring"] = {{"heaters", hn.heaters},
                        {"pads", hn.pads},
                        {"drive_nets", hn.drive_nets},
                        {"common_nets", hn.common_nets},
                        {"shorted_heaters", hn.shorted_heaters},
                        {"undriven_heaters", hn.undriven_heaters},
                        {"open_terminals", hn.open_terminals},
                        {"dangling_pads", hn.dangling_pads},
                        {"odd_heaters", hn.odd_heaters},
                        {"non_rectangles", hn.non_rectangles},
                        {"problems", hn.problems},
                        {"wire_length_um", figures.wire_length_um},
                        {"ground_pads", figures.ground_pads}};
  j["layout_cells"] = figures.layout_cells;
  j["tiles"] = figures.tiles;
  j["drc_checked"] = drc_checked;
  j["drc_violations"] = drc_violations;
  nlohmann::json dv = nlohmann::json::array();
  for (const layout::Violation& v : drc_listed)
    dv.push_back({{"rule", v.rule},
                  {"layer", v.layer},
                  {"x_um", um(static_cast<double>(v.where.x0))},
                  {"y_um", um(static_cast<double>(v.where.y0))},
                  {"detail", v.detail}});
  j["drc_listed"] = dv;
  j["lvs_mismatches"] = lvs_mismatches;
  nlohmann::json lv = nlohmann::json::array();
  for (const layout::LvsMismatch& m : lvs_listed)
    lv.push_back({{"cell", m.cell}, {"kind", m.kind}, {"detail", m.detail}});
  j["lvs_listed"] = lv;
  j["layout_seconds"] = layout_seconds;
  j["drc_seconds"] = drc_seconds;
  j["nets_seconds"] = nets_seconds;
  return j;
}

LayoutOutputs write_chip_layout(const circuit::Netlist& netlist, const pdk::Pdk& pdk, const std::string& out_dir,
                                const ChipLayoutOptions& opts) {
  namespace fs = std::filesystem;
  using clock = std::chrono::steady_clock;
  std::error_code ec;
  fs::create_directories(fs::path(out_dir), ec);
  if (ec) fail("FILE-WRITE", fmt::format("{}: cannot create the directory: {}", out_dir, ec.message()));
  const fs::path out(out_dir);
  LayoutOutputs r;
  auto t0 = clock::now();
  const layout::LayoutParams lp = layout::layout_params(pdk);
  r.fallbacks = lp.fallbacks;
  layout::ChipLayout chip = layout::layout_chip(netlist, lp);
  if (chip.lib.top_cells() != std::vector<std::string>{chip.top})
    internal_error(fmt::format("the chip layout has top cells {}, expected only '{}'",
                               fmt::join(chip.lib.top_cells(), ", "), chip.top));
  r.layout_seconds = std::chrono::duration<double>(clock::now() - t0).count();
  r.figures = chip.figures;
  r.drawn = chip.drawn;
  r.thermal_sites = chip.thermal_sites;

  layout::GdsWriteOptions gopt;
  gopt.port_layer = lp.layers.port;
  r.gds_path = (out / "chip.gds").string();
  r.lyp_path = (out / "chip.lyp").string();
  r.layermap_path = (out / "chip.layermap").string();
  r.drc_deck_path = (out / "chip.drc").string();
  r.svg_path = (out / "chip.svg").string();
  const std::string bytes = layout::gds_bytes(chip.lib, gopt);
  r.gds_bytes = static_cast<int64_t>(bytes.size());
  write_file_atomic(r.gds_path, bytes);
  write_file_atomic(r.lyp_path, layout::lyp_text(pdk));
  write_file_atomic(r.layermap_path, layout::layer_map_text(pdk));
  const layout::DrcDeck deck = layout::drc_deck(pdk);
  write_file_atomic(r.drc_deck_path, layout::klayout_deck(deck));

  int64_t flat_polygons = 0;
  for (const auto& [l, n] : layout::flat_shape_counts(chip.lib, chip.top)) flat_polygons += n;
  r.flat_polygons = flat_polygons;
  for (const auto& [l, n] : klayout_shape_counts(chip.lib, chip.top, gopt))
    r.shapes_per_layer[fmt::format("{}/{}", l.layer, l.datatype)] = n;
  const bool small = flat_polygons <= opts.drc_max_polygons;
  // The checks read the finished library only: layout-versus-netlist on one thread while the preview, the DRC
  // and the heater-wiring check run on another (sequential with one OpenMP thread; same results either way).
  std::vector<layout::LvsMismatch> lvs;
  std::exception_ptr lvs_error, other_error;
#pragma omp parallel sections
  {
#pragma omp section
    {
      try {
        lvs = layout::check_layout_vs_netlist(chip.lib, chip.cell_of, netlist);
      } catch (...) {
        lvs_error = std::current_exception();
      }
    }
#pragma omp section
    {
      try {
        // The DRC needs the flat geometry. The preview of a large chip draws every leaf cell (MZI, phase shifter,
        // attenuator, straight) as its outline box on WG: the detail is below a pixel and the full SVG of the
        // digits MLP would be ~200 MB.
        // The chip was built here, not read: its size is what the netlist asked for (no flat budget).
        const layout::FlatLimits any = layout::FlatLimits::unlimited();
        const layout::FlatLayout flat = small ? layout::flatten(chip.lib, chip.top, {}, any) : layout::FlatLayout{};
        if (flat_polygons <= opts.svg_full_max_polygons) {
          write_file_atomic(r.svg_path,
                            layout::svg_preview(small ? flat : layout::flatten(chip.lib, chip.top, {}, any), pdk));
        } else {
          layout::Library coarse = chip.lib;
          for (layout::Cell& c : coarse.cells()) coarse_preview_cell(c, chip.lib, lp);
          write_file_atomic(r.svg_path, layout::svg_preview(layout::flatten(coarse, chip.top, {}, any), pdk));
        }
        if (small) {
          auto t1 = clock::now();
          layout::DrcOptions dopt;
          dopt.max_per_rule = 20;
          dopt.max_work_per_vertex = 0;  // the chip built here: no budget, as for its flattening
          layout::DrcReport rep = layout::run_drc(flat, deck, dopt);
          r.drc_seconds = std::chrono::duration<double>(clock::now() - t1).count();
          r.drc_checked = true;
          r.drc_violations = rep.total;
          r.drc_listed = std::move(rep.violations);
        }
        // Heater wiring, from the geometry of the layers that carry it (HEATER, the metal stack, PAD).
        auto t2 = clock::now();
        r.heater_nets = layout::extract_heater_nets(chip.lib, chip.top, lp);
        r.nets_seconds = std::chrono::duration<double>(clock::now() - t2).count();
      } catch (...) {
        other_error = std::current_exception();
      }
    }
  }
  if (lvs_error) std::rethrow_exception(lvs_error);
  if (other_error) std::rethrow_exception(other_error);
  r.lvs_mismatches = static_cast<int64_t>(lvs.size());
  if (lvs.size() > 50) lvs.resize(50);
  r.lvs_listed = std::move(lvs);
  // What each pad drives, by program.csv's names (the test structures' pads are not listed).
  r.pads_path = (out / "pads.csv").string();
  std::string csv = "pad,x_um,y_um,tile,cell,instance,parameter\n";
  for (size_t i = 0; i < chip.pads.size(); ++i) {
    const layout::WiredPad& pd = chip.pads[i];
    csv += fmt::format("{},{:.3f},{:.3f},{},{},{},{}\n", i, um(static_cast<double>(pd.center.x)),
                       um(static_cast<double>(pd.center.y)), pd.tile, pd.cell, pd.instance, pd.parameter);
  }
  write_file_atomic(r.pads_path, csv);
  return r;
}

}  // namespace holo::driver
