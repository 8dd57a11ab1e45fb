// Every number the layout needs, read once from the PDK and converted to integer nanometres. Each field names
// the PDK figure it comes from; a figure the PDK lacks falls back to the value written here (the bundled
// pdk/generic_soi220.json defines all of them) and is listed in `fallbacks`, so the caller can tell the user.
// Build it once per compile (layout_params) and pass it to everything in layout/ that needs it.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "holo/layout/geometry.h"
#include "holo/pdk/pdk.h"

namespace holo::layout {

// The fixed device layers. The metals (and the vias between them) are in the MetalStack.
struct LayerMap {
  LayerSpec wg, slab, heater, pad, pd, text, devrec, floorplan;
  std::optional<LayerSpec> port;  // PORT layer (port labels); none when the PDK lacks it
};

// A square via joining the layer below to a metal: its layer, edge length, and the metal it needs around it on
// every side (the largest `enclosure` rule of the via layer).
struct ViaSpec {
  std::string name;  // PDK layer name (VIA, VIA2, ...)
  LayerSpec layer;
  Coord size = 0;
  Coord enclosure = 0;
};

// One routing metal: its layer, the width and space of the wires drawn on it, and the via that joins it to the
// layer below (the heater for the first metal, the metal under it for the others).
struct RoutingLayer {
  std::string name;  // PDK layer name (M2, M3, ...)
  LayerSpec layer;
  Coord wire_width = 0;
  Coord wire_space = 0;
  ViaSpec via_below;
};

// The metals available for wiring, bottom up, as data read from the PDK: the first is the PDK layer M2 over the
// via layer VIA (the heaters' contact metal); each further metal M<k+1> over the via layer VIA<k> that the PDK
// defines is stacked on it (M3 over VIA2, M4 over VIA3, ...). A second metal is a PDK change, not a code change.
// Roles: layers[0] carries the heater contacts, the wires inside cells and the bond pads; the heater router
// (routing.h) draws its x-running wires on layers[0] and its y-running wires on layers[1] when there is one,
// with a via wherever the two meet; with one metal everything is on layers[0].
struct MetalStack {
  std::vector<RoutingLayer> layers;

  const RoutingLayer& contact() const { return layers.front(); }
  const RoutingLayer& horizontal() const { return layers.front(); }
  const RoutingLayer& vertical() const { return layers.size() > 1 ? layers[1] : layers.front(); }
  bool split() const { return layers.size() > 1; }  // x and y wires on different metals
  // The router's wires: one width and space that meet the rules of both routing metals (one track pitch).
  Coord wire_width() const { return std::max(horizontal().wire_width, vertical().wire_width); }
  Coord wire_space() const { return std::max(horizontal().wire_space, vertical().wire_space); }
};

// A layout figure the PDK did not give and the default used instead, for the user to see (a warning).
struct ParamFallback {
  std::string figure;  // e.g. "grating_coupler.period_um", "rule width on M3"
  std::string value;   // the default used, with its unit, e.g. "0.63 um"
  std::string reason;  // e.g. "not in the PDK's template 'grating_coupler'"
  std::string message() const { return figure + ": " + reason + "; using " + value; }
};

struct LayoutParams {
  std::string pdk_name;
  LayerMap layers;
  MetalStack metals;
  // waveguide
  Coord wg_width = 500;          // waveguide.width_um (0.5)
  Coord bend_radius = 10000;     // waveguide.bend_radius_um (10)
  Coord min_bend_radius = 5000;  // rule of kind bend_radius on the WG layer (5); else bend_radius
  double euler_p = 0.5;          // waveguide.euler_p (0.5)
  double arc_tolerance_nm = 1;   // waveguide.arc_tolerance_nm (1)
  // Straight stub at each end of a bend or S-bend: KLayout-style width checks compare an end edge with the
  // curved edges beside it, so the curve must start at least the largest WG width/space rule away from a
  // free end. Derived: that rule rounded up to 100 nm, plus 100 nm (500 nm for generic_soi220).
  Coord end_stub = 500;
  // losses the layout adds to a path (ChipFigures::worst_path_added_loss_db)
  double wg_loss_db_per_cm = 0;    // waveguide.loss_db_per_cm
  double bend_loss_db_per_90 = 0;  // waveguide.bend_loss_db_per_90
  double crossing_loss_db = 0;     // waveguide.crossing_loss_db
  // directional coupler
  Coord dc_gap = 200;       // directional_coupler.gap_um (0.2)
  Coord dc_length = 13000;  // directional_coupler.length_um (13)
  // MZI
  Coord port_pitch = 20000;  // mzi.port_pitch_um (20): arm and port pitch = mesh mode pitch
  // thermal phase shifter (its contact via and metal are metals.contact())
  Coord heater_length = 61600;  // phase_shifter.length_um (61.6)
  Coord heater_width = 2000;    // phase_shifter.heater_width_um (2)
  Coord contact_size = 10000;   // phase_shifter.contact_size_um (10)
  Coord via_pitch = 4000;       // phase_shifter.via_pitch_um (4)
  // grating coupler
  Coord gc_period = 630;           // grating_coupler.period_um (0.63)
  double gc_fill = 0.5;            // grating_coupler.fill_factor (0.5)
  int gc_teeth = 20;               // grating_coupler.teeth (20)
  Coord gc_width = 10000;          // grating_coupler.width_um (10)
  Coord gc_taper_length = 200000;  // grating_coupler.taper_length_um (200)
  Coord gc_pitch = 127000;         // grating_coupler.pitch_um (127): chip I/O couplers, fibre-array pitch
  // photodetector
  Coord pd_length = 20000;          // photodetector.length_um (20)
  Coord pd_width = 4000;            // photodetector.width_um (4)
  Coord pd_si_width = 3000;         // photodetector.si_width_um (3)
  Coord pd_taper_length = 10000;    // photodetector.taper_length_um (10)
  Coord pd_contact_length = 10000;  // photodetector.contact_length_um (10)
  // bond pad
  Coord pad_size = 80000;           // bond_pad.size_um (80)
  Coord pad_opening_margin = 5000;  // bond_pad.opening_margin_um (5)
  Coord pad_pitch = 100000;         // bond_pad.pitch_um (100)

  std::vector<ParamFallback> fallbacks;  // what the PDK lacked, in the order it was read
};

// Reads the parameters (PDK-MISSING-LAYER for a missing layer among WG SLAB HEATER M2 VIA PAD PD TEXT DEVREC
// FLOORPLAN; LAYOUT-PARAM when a value is not positive, a length is odd where it must be halved exactly, or a
// wire is below its metal's rules or too narrow to enclose its vias).
LayoutParams layout_params(const pdk::Pdk& pdk);

}  // namespace holo::layout
