// Every number the cell generators need, read once from the PDK and converted to integer nanometres.
// Each field names the PDK figure it comes from; a figure the PDK lacks falls back to the value written
// here (the bundled pdk/generic_soi220.json defines all of them) and is listed in `fallbacks`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "holo/layout/geometry.h"
#include "holo/pdk/pdk.h"

namespace holo::layout {

struct LayerMap {
  LayerSpec wg, slab, heater, m2, via, pad, pd, text, devrec, floorplan;
  std::optional<LayerSpec> port;  // PORT layer (port labels); none when the PDK lacks it
};

struct LayoutParams {
  std::string pdk_name;
  LayerMap layers;
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
  // directional coupler
  Coord dc_gap = 200;       // directional_coupler.gap_um (0.2)
  Coord dc_length = 13000;  // directional_coupler.length_um (13)
  // MZI
  Coord port_pitch = 20000;  // mzi.port_pitch_um (20): arm and port pitch = mesh mode pitch
  // thermal phase shifter
  Coord heater_length = 61600;  // phase_shifter.length_um (61.6)
  Coord heater_width = 2000;    // phase_shifter.heater_width_um (2)
  Coord contact_size = 10000;   // phase_shifter.contact_size_um (10)
  Coord via_size = 2000;        // phase_shifter.via_size_um (2)
  Coord via_pitch = 4000;       // phase_shifter.via_pitch_um (4)
  Coord via_enclosure_min = 0;  // rule of kind enclosure of VIA (M2 around VIA); 0 when none
  // heater wiring on M2 (chip.h): wire width and spacing; both at least the M2 width / space rules
  Coord wire_width = 3000;  // phase_shifter.wire_width_um (3)
  Coord wire_space = 3000;  // phase_shifter.wire_space_um (3)
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

  std::vector<std::string> fallbacks;  // "template.figure" the PDK lacked
};

// Reads the parameters (PDK-MISSING-LAYER for a missing layer among WG SLAB HEATER M2 VIA PAD PD TEXT DEVREC
// FLOORPLAN; LAYOUT-PARAM when a value is not positive or a length is odd where it must be halved exactly).
LayoutParams layout_params(const pdk::Pdk& pdk);

}  // namespace holo::layout
