#include "holo/layout/params.h"

#include <fmt/format.h>

#include <algorithm>

#include "holo/support/error.h"

namespace holo::layout {
namespace {

LayerSpec spec(const pdk::Pdk& p, const std::string& name) {
  const pdk::Layer& l = p.layer(name);
  return {l.layer, l.datatype};
}

}  // namespace

LayoutParams layout_params(const pdk::Pdk& p) {
  LayoutParams lp;
  lp.pdk_name = p.name;
  LayerMap& L = lp.layers;
  L.wg = spec(p, "WG");
  L.slab = spec(p, "SLAB");
  L.heater = spec(p, "HEATER");
  L.m2 = spec(p, "M2");
  L.via = spec(p, "VIA");
  L.pad = spec(p, "PAD");
  L.pd = spec(p, "PD");
  L.text = spec(p, "TEXT");
  L.devrec = spec(p, "DEVREC");
  L.floorplan = spec(p, "FLOORPLAN");
  for (const pdk::Layer& l : p.layers)
    if (l.name == "PORT") L.port = LayerSpec{l.layer, l.datatype};

  auto value = [&](const std::string& tmpl, const std::string& key, double fallback) {
    auto it = p.templates.find(tmpl);
    if (it != p.templates.end() && it->second.has(key)) return it->second.number(key);
    lp.fallbacks.push_back(tmpl + "." + key);
    return fallback;
  };
  auto length = [&](const std::string& tmpl, const std::string& key, Coord fallback_nm, bool even = false) {
    double um = value(tmpl, key, static_cast<double>(fallback_nm) / 1000.0);
    Coord nm = um_to_nm(um);
    if (nm <= 0) fail("LAYOUT-PARAM", fmt::format("{}: {}.{} = {} um must be positive", p.path, tmpl, key, um));
    if (even && nm % 2)
      fail("LAYOUT-PARAM", fmt::format("{}: {}.{} = {} um must be an even number of nm (it is halved on the grid)",
                                       p.path, tmpl, key, um));
    return nm;
  };

  lp.wg_width = length("waveguide", "width_um", 500, true);
  lp.bend_radius = length("waveguide", "bend_radius_um", 10000);
  lp.euler_p = value("waveguide", "euler_p", 0.5);
  lp.arc_tolerance_nm = value("waveguide", "arc_tolerance_nm", 1.0);
  lp.min_bend_radius = lp.bend_radius;
  for (const pdk::Rule& r : p.rules)
    if (r.kind == "bend_radius" && r.layer == "WG") lp.min_bend_radius = um_to_nm(r.min_um);

  Coord wg_rule = 0;
  for (const pdk::Rule& r : p.rules)
    if (r.layer == "WG" && (r.kind == "width" || r.kind == "space")) wg_rule = std::max(wg_rule, um_to_nm(r.min_um));
  lp.end_stub = (wg_rule + 99) / 100 * 100 + 100;

  lp.dc_gap = length("directional_coupler", "gap_um", 200, true);
  lp.dc_length = length("directional_coupler", "length_um", 13000);
  lp.port_pitch = length("mzi", "port_pitch_um", 20000, true);

  lp.heater_length = length("phase_shifter", "length_um", 61600);
  lp.heater_width = length("phase_shifter", "heater_width_um", 2000, true);
  lp.contact_size = length("phase_shifter", "contact_size_um", 10000, true);
  lp.via_size = length("phase_shifter", "via_size_um", 2000, true);
  lp.via_pitch = length("phase_shifter", "via_pitch_um", 4000, true);
  for (const pdk::Rule& r : p.rules)
    if (r.kind == "enclosure" && r.of_layer == "VIA")
      lp.via_enclosure_min = std::max(lp.via_enclosure_min, um_to_nm(r.min_um));
  lp.wire_width = length("phase_shifter", "wire_width_um", 3000, true);
  lp.wire_space = length("phase_shifter", "wire_space_um", 3000);
  for (const pdk::Rule& r : p.rules) {
    if (r.layer != "M2") continue;
    if (r.kind == "width" && lp.wire_width < um_to_nm(r.min_um))
      fail("LAYOUT-PARAM", fmt::format("{}: phase_shifter.wire_width_um = {} um is below rule {} ({} um)", p.path,
                                       static_cast<double>(lp.wire_width) / 1000.0, r.name, r.min_um));
    if (r.kind == "space" && lp.wire_space < um_to_nm(r.min_um))
      fail("LAYOUT-PARAM", fmt::format("{}: phase_shifter.wire_space_um = {} um is below rule {} ({} um)", p.path,
                                       static_cast<double>(lp.wire_space) / 1000.0, r.name, r.min_um));
  }

  lp.gc_period = length("grating_coupler", "period_um", 630);
  lp.gc_fill = value("grating_coupler", "fill_factor", 0.5);
  lp.gc_teeth = static_cast<int>(value("grating_coupler", "teeth", 20));
  lp.gc_width = length("grating_coupler", "width_um", 10000, true);
  lp.gc_taper_length = length("grating_coupler", "taper_length_um", 200000);
  lp.gc_pitch = length("grating_coupler", "pitch_um", 127000, true);

  lp.pd_length = length("photodetector", "length_um", 20000);
  lp.pd_width = length("photodetector", "width_um", 4000, true);
  lp.pd_si_width = length("photodetector", "si_width_um", 3000, true);
  lp.pd_taper_length = length("photodetector", "taper_length_um", 10000);
  lp.pd_contact_length = length("photodetector", "contact_length_um", 10000);

  lp.pad_size = length("bond_pad", "size_um", 80000, true);
  lp.pad_opening_margin = length("bond_pad", "opening_margin_um", 5000);
  lp.pad_pitch = length("bond_pad", "pitch_um", 100000);

  if (!(lp.euler_p >= 0 && lp.euler_p <= 1))
    fail("LAYOUT-PARAM", fmt::format("{}: waveguide.euler_p = {} must lie in [0, 1]", p.path, lp.euler_p));
  if (!(lp.arc_tolerance_nm > 0))
    fail("LAYOUT-PARAM", fmt::format("{}: waveguide.arc_tolerance_nm must be positive", p.path));
  if (!(lp.gc_fill > 0 && lp.gc_fill < 1))
    fail("LAYOUT-PARAM", fmt::format("{}: grating_coupler.fill_factor = {} must lie in (0, 1)", p.path, lp.gc_fill));
  if (lp.gc_teeth < 1 || lp.gc_teeth > 1000)
    fail("LAYOUT-PARAM", fmt::format("{}: grating_coupler.teeth = {} must lie in 1..1000", p.path, lp.gc_teeth));
  if ((lp.dc_gap + lp.wg_width) % 2)
    fail("LAYOUT-PARAM", fmt::format("{}: coupler gap + waveguide width must be an even number of nm", p.path));
  return lp;
}

}  // namespace holo::layout
