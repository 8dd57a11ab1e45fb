// Options of the chip simulation: which impairments are on, their sizes, and the seed that makes every
// random draw reproducible (docs/simulation.md). The defaults simulate the chip as compiled and laid out: every
// loss on the drawn paths, detector noise and laser RIN over the symbol-rate bandwidth, the signal path's DAC and
// ADC, finite attenuator extinction. `ideal` turns all of it off; SimOptions::nominal() is the lossy nominal chip.
#pragma once

#include <cstdint>

namespace holo::sim {

struct SimOptions {
  bool ideal = false;        // every impairment off (overrides all fields below except seed/threads/laser power)
  int32_t dac_bits = 0;      // phase DAC resolution, linear in phase over [0, 2 pi); 0 = unquantized, else 1..24
  bool use_pdk_loss = true;  // insertion loss of every element on the path (circuit/path_loss.h)
  // The paths the layout drew (circuit::DrawnPaths: fan-out waveguides and bends, output grating couplers,
  // wiring-channel straights, idle slots as straights) when the chip has them; false: the schematic's paths.
  bool use_drawn_paths = true;
  // Idle mesh slots lose as much as an MZI (loss-matched dummy sections; the layout does not draw them, so
  // this is a hypothetical chip): every path loses the same and the gain calibration is exact.
  bool balanced_mesh_loss = false;
  double coupler_sigma_rad = 0.0;  // per-coupler splitting error a, b ~ N(0, sigma) (coupling angle, rad)
  bool correct_couplers = false;   // re-program phases for the (known) coupler errors (docs/physics.md)
  double phase_noise_rad = 0.0;    // per phase shifter, static per draw, N(0, sigma) added to the programmed phase
  double laser_power_mw = 1.0;     // laser power per input channel (modulator input), at the laser
  bool shot_noise = true;          // 2 q (I + I_dark) B at each homodyne receiver
  bool thermal_noise = true;       // TIA input noise i_n^2 B at each receiver
  bool rin = true;                 // laser relative intensity noise, RIN I^2 B (PDK laser rin_db_per_hz)
  // The signal path's converters at the PDK's bits: the modulator drive from the DAC (dac.bits), the detected
  // value through the ADC (adc.bits) over each receiver's full scale.
  bool signal_quantization = true;
  bool attenuator_extinction = true;  // attenuators reach no lower than the PDK's extinction_db (calibrated above it)
  // Die temperature minus the temperature the chip was calibrated at (K): every drawn I/O waveguide's phase drifts
  // by (2 pi / lambda) dn/dT dT L, and the calibrated fan-in and LO phases no longer match (docs/simulation.md).
  double delta_t_k = 0.0;
  // Thermal crosstalk between the placed heaters (docs/simulation.md#thermal-crosstalk), applied to the tiles whose
  // heater sites the netlist records (a chip compiled with a layout); compensated: the heaters get the powers
  // compile solved for (else each heater the power of its own target alone).
  bool thermal_crosstalk = true;
  bool compensated_crosstalk = true;
  uint64_t seed = 0;    // all random draws derive from (seed, stage, tile, [sample])
  int32_t threads = 0;  // <= 0: OpenMP default; results do not depend on it

  // The nominal chip: PDK losses on the schematic's paths, loss-matched idle slots, nothing else (no noise, no
  // converters, ideal attenuators): the reference the impairments are measured against in tests.
  static SimOptions nominal() {
    SimOptions o;
    o.use_drawn_paths = false;
    o.balanced_mesh_loss = true;
    o.shot_noise = o.thermal_noise = o.rin = false;
    o.signal_quantization = false;
    o.attenuator_extinction = false;
    o.thermal_crosstalk = false;
    return o;
  }
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
  return o.shot_noise || o.thermal_noise || o.rin;
}

}  // namespace holo::sim
