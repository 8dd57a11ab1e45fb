#include "holo/layout/params.h"

#include <fmt/format.h>

#include <algorithm>

#include "holo/support/error.h"

namespace holo::layout {
namespace {

// The end stubs clear the largest WG width/space rule rounded up to this grid, plus one more step (params.h).
constexpr Coord kEndStubStep = 100;

LayerSpec spec(const pdk::Pdk& p, const std::string& name) {
  const pdk::Layer& l = p.layer(name);
  return {l.layer, l.datatype};
}

const pdk::Layer* find_layer(const pdk::Pdk& p, const std::string& name) {
  for (const pdk::Layer& l : p.layers)
    if (l.name == name) return &l;
  return nullptr;
}

std::string um_text(Coord nm) {
  return fmt::format("{} um", static_cast<double>(nm) / 1000.0);
}

// The largest minimum of the rules of `kind` on `layer` (of_layer: the enclosed layer, for enclosure rules);
// nullopt when the PDK has none.
std::optional<Coord> rule_min(const pdk::Pdk& p, const std::string& kind, const std::string& layer,
                              const std::string& of_layer = "") {
  std::optional<Coord> out;
  for (const pdk::Rule& r : p.rules) {
    if (r.kind != kind) continue;
    if (kind == "enclosure" ? r.of_layer != of_layer : r.layer != layer) continue;
    out = std::max(out.value_or(0), um_to_nm(r.min_um));
  }
  return out;
}

// Reads the figures, recording each one the PDK lacks.
struct Reader {
  const pdk::Pdk& p;
  std::vector<ParamFallback>& fallbacks;

  double value(const std::string& tmpl, const std::string& key, double fallback, const char* unit = "") {
    auto it = p.templates.find(tmpl);
    if (it != p.templates.end() && it->second.has(key)) return it->second.number(key);
    fallbacks.push_back({tmpl + "." + key, fmt::format("{}{}", fallback, unit),
                         it == p.templates.end() ? fmt::format("the PDK has no template '{}'", tmpl)
                                                 : fmt::format("not in the PDK's template '{}'", tmpl)});
    return fallback;
  }

  Coord length(const std::string& tmpl, const std::string& key, Coord fallback_nm, bool even = false) {
    double um = value(tmpl, key, static_cast<double>(fallback_nm) / 1000.0, " um");
    Coord nm = um_to_nm(um);
    if (nm <= 0) fail("LAYOUT-PARAM", fmt::format("{}: {}.{} = {} um must be positive", p.path, tmpl, key, um));
    if (even && nm % 2)
      fail("LAYOUT-PARAM", fmt::format("{}: {}.{} = {} um must be an even number of nm (it is halved on the grid)",
                                       p.path, tmpl, key, um));
    return nm;
  }

  // A rule's minimum, or `fallback` (recorded, with what it stands for) when the PDK has no such rule.
  Coord rule(const std::string& kind, const std::string& layer, const std::string& of_layer, Coord fallback,
             const std::string& fallback_is) {
    if (auto v = rule_min(p, kind, layer, of_layer)) return *v;
    const std::string what =
        kind == "enclosure" ? fmt::format("rule enclosure of {}", of_layer) : fmt::format("rule {} on {}", kind, layer);
    fallbacks.push_back({what, fallback_is, "the PDK has no such rule"});
    return fallback;
  }
};

// The metal stack: M2 over VIA (wire width and space from the phase-shifter figures, at least the M2 rules),
// then each M<k+1> over VIA<k> the PDK defines (wires at least as wide and as far apart as those on M2 and as
// the layer's rules; the via as wide as its width rule, else as the contact via).
MetalStack metal_stack(const pdk::Pdk& p, Reader& rd) {
  MetalStack s;
  RoutingLayer m2;
  m2.name = "M2";
  m2.layer = spec(p, "M2");
  m2.via_below.name = "VIA";
  m2.via_below.layer = spec(p, "VIA");
  m2.via_below.size = rd.length("phase_shifter", "via_size_um", 2000, true);
  m2.via_below.enclosure = rd.rule("enclosure", "", "VIA", 0, "0 um");
  m2.wire_width = rd.length("phase_shifter", "wire_width_um", 3000, true);
  m2.wire_space = rd.length("phase_shifter", "wire_space_um", 3000);
  for (const pdk::Rule& r : p.rules) {
    if (r.layer != "M2") continue;
    if (r.kind == "width" && m2.wire_width < um_to_nm(r.min_um))
      fail("LAYOUT-PARAM", fmt::format("{}: phase_shifter.wire_width_um = {} um is below rule {} ({} um)", p.path,
                                       static_cast<double>(m2.wire_width) / 1000.0, r.name, r.min_um));
    if (r.kind == "space" && m2.wire_space < um_to_nm(r.min_um))
      fail("LAYOUT-PARAM", fmt::format("{}: phase_shifter.wire_space_um = {} um is below rule {} ({} um)", p.path,
                                       static_cast<double>(m2.wire_space) / 1000.0, r.name, r.min_um));
  }
  s.layers.push_back(m2);
  for (int k = 2;; ++k) {
    const std::string metal = fmt::format("M{}", k + 1), via = fmt::format("VIA{}", k);
    const pdk::Layer* ml = find_layer(p, metal);
    const pdk::Layer* vl = find_layer(p, via);
    if (!ml || !vl) break;
    const RoutingLayer& below = s.layers.back();
    RoutingLayer m;
    m.name = metal;
    m.layer = {ml->layer, ml->datatype};
    m.wire_width = std::max(m2.wire_width, rd.rule("width", metal, "", 0, um_text(m2.wire_width) + " (as on M2)"));
    m.wire_space = std::max(m2.wire_space, rd.rule("space", metal, "", 0, um_text(m2.wire_space) + " (as on M2)"));
    m.wire_width += m.wire_width % 2;  // halved on the grid
    m.via_below.name = via;
    m.via_below.layer = {vl->layer, vl->datatype};
    m.via_below.size = rd.rule("width", via, "", m2.via_below.size, um_text(m2.via_below.size) + " (as VIA)");
    m.via_below.enclosure = rd.rule("enclosure", "", via, 0, "0 um");
    // The router puts this via where a wire of the metal below meets one of this metal: both must enclose it.
    for (const RoutingLayer* l : {&below, static_cast<const RoutingLayer*>(&m)})
      if (l->wire_width < m.via_below.size + 2 * m.via_below.enclosure)
        fail("LAYOUT-PARAM",
             fmt::format("{}: {} wires ({} um) cannot enclose a {} via of {} um with {} um on each side", p.path,
                         l->name, static_cast<double>(l->wire_width) / 1000.0, via,
                         static_cast<double>(m.via_below.size) / 1000.0,
                         static_cast<double>(m.via_below.enclosure) / 1000.0));
    if (m.via_below.size % 2)
      fail("LAYOUT-PARAM",
           fmt::format("{}: {} width must be an even number of nm (it is centred on the grid)", p.path, via));
    s.layers.push_back(m);
  }
  return s;
}

}  // namespace

LayoutParams layout_params(const pdk::Pdk& p) {
  LayoutParams lp;
  lp.pdk_name = p.name;
  LayerMap& L = lp.layers;
  L.wg = spec(p, "WG");
  L.slab = spec(p, "SLAB");
  L.heater = spec(p, "HEATER");
  spec(p, "M2");  // required, in this order of the checks (the stack reads it below)
  spec(p, "VIA");
  L.pad = spec(p, "PAD");
  L.pd = spec(p, "PD");
  L.text = spec(p, "TEXT");
  L.devrec = spec(p, "DEVREC");
  L.floorplan = spec(p, "FLOORPLAN");
  if (const pdk::Layer* l = find_layer(p, "PORT")) L.port = LayerSpec{l->layer, l->datatype};
  Reader rd{p, lp.fallbacks};

  lp.wg_width = rd.length("waveguide", "width_um", 500, true);
  lp.bend_radius = rd.length("waveguide", "bend_radius_um", 10000);
  lp.euler_p = rd.value("waveguide", "euler_p", 0.5);
  lp.arc_tolerance_nm = rd.value("waveguide", "arc_tolerance_nm", 1.0, " nm");
  lp.min_bend_radius =
      rd.rule("bend_radius", "WG", "", lp.bend_radius, um_text(lp.bend_radius) + " (waveguide.bend_radius_um)");
  const Coord wg_rule = std::max(rule_min(p, "width", "WG").value_or(0), rule_min(p, "space", "WG").value_or(0));
  if (wg_rule == 0)
    lp.fallbacks.push_back(
        {"rules width / space on WG", "end stubs of " + um_text(kEndStubStep), "the PDK has no such rule"});
  lp.end_stub = (wg_rule + kEndStubStep - 1) / kEndStubStep * kEndStubStep + kEndStubStep;
  lp.wg_loss_db_per_cm = rd.value("waveguide", "loss_db_per_cm", 0.0, " dB/cm");
  lp.bend_loss_db_per_90 = rd.value("waveguide", "bend_loss_db_per_90", 0.0, " dB");
  lp.crossing_loss_db = rd.value("waveguide", "crossing_loss_db", 0.0, " dB");

  lp.dc_gap = rd.length("directional_coupler", "gap_um", 200, true);
  lp.dc_length = rd.length("directional_coupler", "length_um", 13000);
  lp.port_pitch = rd.length("mzi", "port_pitch_um", 20000, true);

  lp.heater_length = rd.length("phase_shifter", "length_um", 61600);
  lp.heater_width = rd.length("phase_shifter", "heater_width_um", 2000, true);
  lp.contact_size = rd.length("phase_shifter", "contact_size_um", 10000, true);
  lp.metals = metal_stack(p, rd);
  lp.via_pitch = rd.length("phase_shifter", "via_pitch_um", 4000, true);

  lp.gc_period = rd.length("grating_coupler", "period_um", 630);
  lp.gc_fill = rd.value("grating_coupler", "fill_factor", 0.5);
  lp.gc_teeth = static_cast<int>(rd.value("grating_coupler", "teeth", 20));
  lp.gc_width = rd.length("grating_coupler", "width_um", 10000, true);
  lp.gc_taper_length = rd.length("grating_coupler", "taper_length_um", 200000);
  lp.gc_pitch = rd.length("grating_coupler", "pitch_um", 127000, true);

  lp.pd_length = rd.length("photodetector", "length_um", 20000);
  lp.pd_width = rd.length("photodetector", "width_um", 4000, true);
  lp.pd_si_width = rd.length("photodetector", "si_width_um", 3000, true);
  lp.pd_taper_length = rd.length("photodetector", "taper_length_um", 10000);
  lp.pd_contact_length = rd.length("photodetector", "contact_length_um", 10000);

  lp.pad_size = rd.length("bond_pad", "size_um", 80000, true);
  lp.pad_opening_margin = rd.length("bond_pad", "opening_margin_um", 5000);
  lp.pad_pitch = rd.length("bond_pad", "pitch_um", 100000);

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
