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

// An optical stage's worst input -> output path loss (circuit/path_loss.h: the simulator's loss model).
struct StageLoss {
  double loss_db = 0;
  bool drawn = false;  // on the layout's drawn paths (else the schematic's)
};

struct ChipMetrics {
  std::map<std::string, StageLoss> stage_loss;  // optical stage node -> its loss (report.json stages[].loss_db)
  std::map<std::string, int64_t> counts;        // mzis, phase_shifters, modulators, photodetectors, tiles, ...
  std::vector<Figure> figures;
  int64_t macs_per_sample = 0;
  // Per sample, what does not depend on the laser: DAC, modulator, ADC, accumulator and electronic nonlinearity
  // energy (pJ); `electronic_parts_pj` splits it by part (dacs, modulators, adcs, accumulators, nonlinearities).
  double electronic_energy_pj = 0;
  std::map<std::string, double> electronic_parts_pj;
  // Static power of the receivers' amplifiers (homodyne receivers x PDK tia_power_mw; 0 without the figure).
  double receiver_power_mw = 0;
  // total_power_mw split by contributor (heaters, laser, dacs, modulators, adcs, accumulators, nonlinearities,
  // receivers), at the pipelined throughput; charge_laser recomputes it.
  std::map<std::string, double> power_breakdown_mw;
  LaserCharge laser;  // what laser_power_mw and the energy figures are charged at
  // PDK phase_shifter fab_phase_spread_rad: heater_power_mw is the expected drive nulling the arms' offsets (0: none)
  double heater_fab_spread_rad = 0;

  const Figure& figure(const std::string& key) const;  // internal error if absent
};

// Instances of each PDK template in the flattened cell (hierarchy expanded with multiplicities).
std::map<std::string, int64_t> flattened_counts(const circuit::Netlist& n, const std::string& cell);

// Wrapped phase in [0, 2 pi) -> heater power P_pi * phase / pi (thermal shifters only add phase).
double heater_power_mw(double phase_rad, double p_pi_mw);

// The expected heater power (mW) to hold `phase_rad` on an arm whose static fabrication offset d is unknown and
// uniform over [-spread/2, spread/2] and nulled by calibration: P_pi / pi * E[wrap(phase - d)]. spread 2 pi: P_pi
// whatever the phase; spread <= 0: heater_power_mw(phase).
double nulled_heater_power_mw(double phase_rad, double p_pi_mw, double spread_rad);

// The largest number of MZIs any input->output path of a mesh crosses (columns for Clements).
int64_t worst_path_mzis(const linalg::Mesh& mesh);

// Every figure; the laser is charged at the PDK's power_per_channel_mw (LaserBasis::pdk). Throughput is pipelined
// (symbol_rate_gbaud, symbols_per_sample, throughput_samples_per_s, throughput_macs_per_s, throughput_tops): the
// stages work on different samples at once, a new sample entering every symbols_per_sample symbols
// (docs/physics.md#throughput-and-energy).
ChipMetrics analyze(const circuit::Netlist& n, const pdk::Pdk& pdk, int64_t macs_per_sample);

// Sets m.stage_loss from the netlist's tiles: the loss model's worst path per optical stage, on the drawn paths
// where the tiles carry them, and end_to_end_loss_db (the worst of them: laser to detector, as laid out when the
// paths are drawn). analyze() calls it; call it again once the layout's drawn paths are recorded.
void add_stage_losses(ChipMetrics& m, const circuit::Netlist& n, const pdk::Pdk& pdk);

// Charges the laser at `per_channel_mw` per modulator input: recomputes laser_power_mw (channels x power /
// wall-plug efficiency) and every energy figure from the other figures: energy_per_sample_pj, energy_per_mac_pj and
// tops_per_w (pipelined: electronic energy + (heater + laser) power / throughput), energy_per_mac_no_heaters_pj and
// tops_per_w_no_heaters (the same without the static phase-shifter power), energy_per_mac_unpipelined_pj and
// tops_per_w_unpipelined (one sample in flight: the static power x latency), and total_power_mw with its
// power_breakdown_mw (every contributor at the pipelined throughput).
void charge_laser(ChipMetrics& m, const pdk::Pdk& pdk, double per_channel_mw, LaserBasis basis);

// Charges the compensated heater programming (driver compile's thermal stage, docs/simulation.md#thermal-crosstalk)
// in heater_power_mw: the phases with a heater site at the powers solved for them (sited_compensated_mw, replacing
// their P_pi * phase / pi share sited_nominal_mw of the figure), the other phases as before; the energy and total
// power figures are recomputed.
void charge_compensated_heaters(ChipMetrics& m, double sited_nominal_mw, double sited_compensated_mw, int64_t sites,
                                int64_t raised);

}  // namespace holo::analysis
