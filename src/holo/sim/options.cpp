#include "holo/sim/options.h"

#include <fmt/format.h>

#include <cmath>

#include "holo/support/error.h"

namespace holo::sim {

void validate(const SimOptions& o) {
  auto bad = [](const std::string& msg) { fail("SIM-BAD-OPTION", msg); };
  if (o.dac_bits < 0 || o.dac_bits > 24) bad(fmt::format("dac_bits is {}, expected 0 (off) or 1..24", o.dac_bits));
  if (!(o.coupler_sigma_rad >= 0.0) || !std::isfinite(o.coupler_sigma_rad)) {
    bad(fmt::format("coupler_sigma_rad is {}, expected a finite value >= 0", o.coupler_sigma_rad));
  }
  if (!(o.phase_noise_rad >= 0.0) || !std::isfinite(o.phase_noise_rad)) {
    bad(fmt::format("phase_noise_rad is {}, expected a finite value >= 0", o.phase_noise_rad));
  }
  if (!std::isfinite(o.laser_power_mw) || (has_detector_noise(o) && !(o.laser_power_mw > 0.0))) {
    bad(fmt::format("laser_power_mw is {}, expected a finite value > 0 when detector noise is on", o.laser_power_mw));
  }
}

SimOptions effective(const SimOptions& o) {
  if (!o.ideal) return o;
  SimOptions e;
  e.ideal = true;
  e.use_pdk_loss = false;
  e.thermal_crosstalk = false;
  e.laser_power_mw = o.laser_power_mw;
  e.seed = o.seed;
  e.threads = o.threads;
  return e;
}

}  // namespace holo::sim
