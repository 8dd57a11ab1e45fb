#include "holo/circuit/thermal_sites.h"

#include <fmt/format.h>

#include "holo/circuit/compiled.h"

namespace holo::circuit {

std::string_view shifter_name(Shifter s) {
  switch (s) {
    case Shifter::Theta:
      return "theta";
    case Shifter::Phi:
      return "phi";
    case Shifter::Screen:
      return "screen";
  }
  return "theta";
}

std::string_view site_setting(const ThermalSite& s) {
  return s.shifter == Shifter::Theta ? "theta_rad" : "phi_rad";
}

std::string site_instance(const ThermalSite& s) {
  const std::string name = s.part == kTileAtt             ? attenuator_name(s.index)
                           : s.shifter == Shifter::Screen ? mesh_screen_name(s.index)
                                                          : mesh_mzi_name(s.index);
  return fmt::format("{}/{}", s.part, name);
}

}  // namespace holo::circuit
