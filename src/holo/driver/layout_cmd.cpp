#include "holo/driver/layout_cmd.h"

#include <fmt/format.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include "holo/layout/demo.h"
#include "holo/layout/drc.h"
#include "holo/layout/export.h"
#include "holo/layout/extract.h"
#include "holo/layout/gds.h"
#include "holo/layout/params.h"
#include "holo/pdk/pdk.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"

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

nlohmann::json counts_json(const std::map<layout::LayerSpec, int64_t>& counts) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [l, n] : counts) j[layout::to_string(l)] = n;
  return j;
}

}  // namespace

Result drc(const DrcCommandOptions& opts) {
  if (opts.gds_path.empty()) fail("CLI-MISSING-OPTION", "drc needs a GDS file");
  pdk::Pdk p = load(opts.pdk_path);
  layout::Library lib = layout::read_gds_file(opts.gds_path, {port_layer(p)});
  std::string top = lib.top_cell();
  layout::FlatLayout flat = layout::flatten(lib, top);
  layout::DrcDeck deck = layout::drc_deck(p);
  layout::DrcReport rep = layout::run_drc(flat, deck, {opts.max_listed});
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
  auto counts = layout::flat_shape_counts(lib, top);
  if (gopt.port_layer) {
    std::map<std::string, int64_t> placements;  // how many times each cell appears in the flat layout
    std::function<void(const std::string&, int64_t)> walk = [&](const std::string& c, int64_t times) {
      placements[c] += times;
      for (const layout::Ref& ref : lib.cell(c).refs) walk(ref.cell, times * ref.cols * ref.rows);
    };
    walk(top, 1);
    for (const auto& [c, n] : placements)
      counts[*gopt.port_layer] += n * static_cast<int64_t>(lib.cell(c).ports.size());
    if (counts[*gopt.port_layer] == 0) counts.erase(*gopt.port_layer);
  }
  j["shapes"] = counts_json(counts);
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

}  // namespace holo::driver
