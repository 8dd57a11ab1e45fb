// Chip figures computed from the netlist (its tiles read through circuit/compiled.h) and the PDK: component
// counts, worst-path insertion loss, static heater power, latency, energy per MAC. Every figure carries the text of how
// it was computed, which the reports print next to it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/linalg/mesh.h"
#include "holo/pdk/pdk.h"

namespace holo::analysis {

struct Figure {
  std::string key;    // e.g. "worst_path_loss_db" (unit in the name)
  std::string label;  // for people
  double value = 0;
  std::string method;  // how it was computed, and what is approximate
};

// Where the laser power the figures are charged at comes from (docs/simulation.md#laser-power).
enum class LaserBasis {
  pdk,         // the PDK's laser power_per_channel_mw (compile without a calibration batch)
  calibrated,  // the power compile found by simulation on a calibration batch
  cap,         // the per-channel cap (waveguide max_power_mw): the calibration target was not reachable below it
};
const char* laser_basis_name(LaserBasis b);  // "pdk", "calibrated", "cap"

struct LaserCharge {
  double per_channel_mw = 0;  // optical power per modulator input, at the laser
  LaserBasis basis = LaserBasis::pdk;
};

struct ChipMetrics {
  std::map<std::string, int64_t> counts;  // mzis, phase_shifters, modulators, photodetectors, tiles, ...
  std::vector<Figure> figures;
  int64_t macs_per_sample = 0;
  // Per sample, what does not depend on the laser: DAC, modulator, ADC and accumulator energy (pJ).
  double electronic_energy_pj = 0;
  LaserCharge laser;  // what laser_power_mw and the energy figures are charged at

  const Figure& figure(const std::string& key) const;  // internal error if absent
};

// Instances of each PDK template in the flattened cell (hierarchy expanded with multiplicities).
std::map<std::string, int64_t> flattened_counts(const circuit::Netlist& n, const std::string& cell);

// Wrapped phase in [0, 2 pi) -> heater power P_pi * phase / pi (thermal shifters only add phase).
double heater_power_mw(double phase_rad, double p_pi_mw);

// The largest number of MZIs any input->output path of a mesh crosses (columns for Clements).
int64_t worst_path_mzis(const linalg::Mesh& mesh);

// Every figure; the laser is charged at the PDK's power_per_channel_mw (LaserBasis::pdk).
ChipMetrics analyze(const circuit::Netlist& n, const pdk::Pdk& pdk, int64_t macs_per_sample);

// Charges the laser at `per_channel_mw` per modulator input: recomputes laser_power_mw (channels x power /
// wall-plug efficiency), energy_per_sample_pj, energy_per_mac_pj and tops_per_w from the other figures.
void charge_laser(ChipMetrics& m, const pdk::Pdk& pdk, double per_channel_mw, LaserBasis basis);

// Charges the compensated heater programming (driver compile's thermal stage, docs/simulation.md#thermal-crosstalk)
// in heater_power_mw: the phases with a heater site at the powers solved for them (sited_compensated_mw, replacing
// their P_pi * phase / pi share sited_nominal_mw of the figure), the other phases as before. Call before
// charge_laser (the energy figures read it).
void charge_compensated_heaters(ChipMetrics& m, double sited_nominal_mw, double sited_compensated_mw, int64_t sites,
                                int64_t raised);

}  // namespace holo::analysis
