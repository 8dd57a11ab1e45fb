// Where the heaters of a laid-out tile sit (docs/circuit-json.md, "thermal_sites"): per phase shifter the heater
// segment and the waveguide segments its phase acts on, in um in the tile cell's coordinates (x along the light,
// mode m's track at y = -m * pitch). The layout writes them (layout/tile_cells.cpp through driver/compile.cpp);
// the thermal crosstalk model (sim/thermal_sites_model.h) reads them. A netlist without a layout has none.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace holo::circuit {

// A straight segment along x at height y, um.
struct SegmentUm {
  double x0_um = 0, x1_um = 0;
  double y_um = 0;
  bool operator==(const SegmentUm&) const = default;
};

// Which phase shifter of its instance a site is: a mesh MZI's theta (internal upper arm) or phi (upper input
// arm), a mesh output screen shifter ps<i> (phi_rad), an attenuator's theta.
enum class Shifter { Theta, Phi, Screen };
std::string_view shifter_name(Shifter s);  // "theta", "phi", "screen"

struct ThermalSite {
  std::string part;   // the tile's instance: kTileVh, kTileAtt or kTileU ("vh", "att", "u")
  int64_t index = 0;  // mzi<index>, ps<index> (screen) or a<index> (attenuator) inside the part
  Shifter shifter = Shifter::Theta;
  SegmentUm heater;  // the resistive part of the heater (between its contacts)
  SegmentUm arm;     // the waveguide under the heater: the setting's phase is this arm's minus other_arm's
  bool has_other_arm = false;
  SegmentUm other_arm;  // theta: the MZI's lower internal arm; phi: its lower input arm; screen: none
  // The compensated programming (driver compile, docs/simulation.md#thermal-crosstalk): the heater's power and the
  // turns of 2 pi added to its target so that every power is >= 0. power_mw < 0: not computed.
  double power_mw = -1;
  int32_t turns = 0;
  // The phase the power was solved for, in [0, 2 pi) (turns not included): the setting's phase, for phi and screen
  // shifters moved by the phases the MZIs before them share (carried forward, sim/thermal_sites_model.h).
  double target_rad = 0;
  // Attenuator sites: the phase the attenuator's phi (a setting the layout draws no heater for) adds to cancel the
  // common phase reaching and made in the attenuator.
  double phi_offset_rad = 0;
  bool operator==(const ThermalSite&) const = default;
};

// The setting a site programs: "theta_rad" or "phi_rad".
std::string_view site_setting(const ThermalSite& s);
// The instance path inside the tile cell, e.g. "vh/mzi3", "u/ps2", "att/a0".
std::string site_instance(const ThermalSite& s);

// Sites by tile cell name (deterministic order: the layout's order inside each tile: vh, att, u; by instance).
using ThermalSites = std::map<std::string, std::vector<ThermalSite>>;

}  // namespace holo::circuit
