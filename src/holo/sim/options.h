// Options of the chip simulation: which impairments are on, their sizes, and the seed that makes every
// random draw reproducible (docs/simulation.md). The defaults simulate the nominal chip with the PDK's
// insertion losses and no noise.
#pragma once

#include <cstdint>

namespace holo::sim {

struct SimOptions {
  bool ideal = false;        // every impairment off (overrides all fields below except seed/threads)
  int32_t dac_bits = 0;      // phase DAC resolution, linear in phase over [0, 2 pi); 0 = unquantized, else 1..24
  bool use_pdk_loss = true;  // insertion loss of every component from the PDK figures
  // Every idle slot of a mesh column (a mode no MZI of that column touches, e.g. the edge modes of a
  // Clements mesh in alternate columns) loses as much as an MZI, as a loss-matched dummy section in the
  // layout would: every path through a mesh then sees the same loss and the gain calibration is exact.
  // false: only the netlist's components lose light (edge paths lose less; docs/simulation.md).
  bool balanced_mesh_loss = true;
  double coupler_sigma_rad = 0.0;  // per-coupler splitting error a, b ~ N(0, sigma) (coupling angle, rad)
  bool correct_couplers = false;   // re-program phases for the (known) coupler errors (docs/physics.md)
  double phase_noise_rad = 0.0;    // per phase shifter, static per draw, N(0, sigma) added to the programmed phase
  double laser_power_mw = 1.0;     // laser power per input channel (modulator input), at the laser
  bool shot_noise = false;         // 2 q (I + I_dark) B at each homodyne receiver
  bool thermal_noise = false;      // TIA input noise i_n^2 B at each receiver
  uint64_t seed = 0;               // all random draws derive from (seed, stage, tile, [sample])
  int32_t threads = 0;             // <= 0: OpenMP default; results do not depend on it
  // Thermal crosstalk between the placed heaters (docs/simulation.md#thermal-crosstalk), applied to the tiles whose
  // heater sites the netlist records (a chip compiled with a layout); compensated: the heaters get the powers
  // compile solved for (else each heater the power of its own target alone).
  bool thermal_crosstalk = true;
  bool compensated_crosstalk = true;
};

// Throws SIM-BAD-OPTION for a negative sigma, dac_bits outside 0..24, or a non-positive laser power while noise
// is on.
void validate(const SimOptions& o);

// The options actually applied: with `ideal`, every impairment off.
SimOptions effective(const SimOptions& o);

// True when any random impairment (coupler errors, phase noise) is drawn per prepared stage.
inline bool has_static_draws(const SimOptions& o) {
  return o.coupler_sigma_rad > 0.0 || o.phase_noise_rad > 0.0;
}
inline bool has_detector_noise(const SimOptions& o) {
  return o.shot_noise || o.thermal_noise;
}

}  // namespace holo::sim
