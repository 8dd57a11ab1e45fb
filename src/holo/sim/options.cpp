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
  if (!std::isfinite(o.delta_t_k) || std::fabs(o.delta_t_k) > 200.0)
    bad(fmt::format("delta_t_k is {} K, expected a finite value within +-200 K", o.delta_t_k));
  if (!std::isfinite(o.laser_power_mw) || (has_detector_noise(o) && !(o.laser_power_mw > 0.0))) {
    bad(fmt::format("laser_power_mw is {}, expected a finite value > 0 when detector noise is on", o.laser_power_mw));
  }
}

SimOptions effective(const SimOptions& o) {
  if (!o.ideal) return o;
  SimOptions e;
  e.ideal = true;
  e.use_pdk_loss = false;
  e.use_drawn_paths = false;
  e.balanced_mesh_loss = false;
  e.shot_noise = e.thermal_noise = e.rin = false;
  e.signal_quantization = false;
  e.attenuator_extinction = false;
  e.thermal_crosstalk = false;
  e.laser_power_mw = o.laser_power_mw;
  e.seed = o.seed;
  e.threads = o.threads;
  return e;
}

}  // namespace holo::sim
