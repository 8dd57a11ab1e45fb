#include "holo/pdk/schema.h"

#include <fmt/format.h>

#include <numbers>

namespace holo::pdk {
namespace {

constexpr Range closed(double a, double b) {
  return {a, b, true, true};
}
constexpr Range open_closed(double a, double b) {
  return {a, b, false, true};
}
constexpr Range open(double a, double b) {
  return {a, b, false, false};
}

// The quantities, each with the physical reason for its bounds. Lower bounds are physical (no gain in a
// passive part, no negative power or time, a fraction within [0, 1]); upper bounds are ceilings far past any
// real device, there to catch unit mistakes (Hz for GHz, um for nm, a linear ratio for dB) and absurd values
// (1e300) before they reach a report, not to encode design opinions.
// clang-format off
constexpr Quantity kLength{"um", closed(0.001, 1e5), false,
    "a length is at least the 1 nm layout grid (shorter rounds to nothing) and at most 10 cm, past any die "
    "(a reticle field is 26 x 33 mm)"};
constexpr Quantity kDeviceLoss{"dB", closed(0, 100), false,
    "a passive part cannot add power (a negative loss is gain); 100 dB is 1e-10 transmission, past any usable "
    "component"};
constexpr Quantity kLossPerCm{"dB/cm", closed(0, 1000), false,
    "propagation loss is not gain; 1000 dB/cm (0.1 dB per um) is lossier than plasmonic waveguides"};
constexpr Quantity kExtinction{"dB", open_closed(0, 100), false,
    "the on/off power ratio of a part that switches is above 0 dB; 100 dB is past any measured extinction"};
constexpr Quantity kPPi{"mW", open_closed(0, 1e4), false,
    "holding a phase costs a thermo-optic shifter power (0 would report a free mesh; give a non-volatile "
    "shifter's holding power, e.g. 2e-5 mW); 10 W per shifter is past any heater (SiN needs 100-300 mW)"};
constexpr Quantity kOpticalPower{"mW", open_closed(0, 1000), false,
    "a source delivers some light; 1 W is past the damage and two-photon-absorption limits of an on-chip "
    "waveguide (~100 mW in Si, a few 100 mW in SiN)"};
constexpr Quantity kWaveguidePower{"mW", open_closed(0, 1e4), false,
    "a waveguide carries some light (0 would allow no laser at all); 10 W is past any integrated waveguide (Si "
    "strips ~0.1 W before two-photon and free-carrier absorption, SiN guides a few W)"};
constexpr Quantity kRin{"dB/Hz", closed(-200, -80), false,
    "relative intensity noise of a laser: -200 dB/Hz is below the shot-noise limit of any milliwatt source, -80 "
    "dB/Hz is a noisy multimode diode; a positive value is a sign mistake"};
constexpr Quantity kPhaseSpread{"rad", closed(0, 2 * std::numbers::pi), false,
    "the range of an arm's static fabrication phase offset: 0 (none) to 2 pi (unknown: any phase)"};
constexpr Quantity kWallPlug{"1", open_closed(0, 1), false,
    "energy conservation: a laser emits at most the electrical power it draws; 0 would be infinite draw"};
constexpr Quantity kCouplingPower{"1", closed(0, 1), false,
    "the fraction of the power crossing over, from 0 (bar) to 1 (cross); outside it power is not conserved"};
constexpr Quantity kTapFraction{"1", closed(0, 1), false,
    "the fraction of the power tapped to the photodiode: between none and all of it"};
constexpr Quantity kFillFactor{"1", open(0, 1), false,
    "the unetched fraction of a grating period: at 0 or 1 there is no grating"};
constexpr Quantity kEulerP{"1", closed(0, 1), false,
    "the fraction of the bend angle on clothoid transitions, from 0 (circular arc) to 1 (all Euler)"};
constexpr Quantity kArcTolerance{"nm", closed(0.1, 100), false,
    "vertices snap to the 1 nm grid, so a finer tolerance only multiplies them (1e-6 nm would give ~1e5 per "
    "bend); a 100 nm chord error is a fifth of a strip waveguide's width, no longer the designed curve"};
constexpr Quantity kWavelength{"nm", closed(200, 20000), false,
    "integrated photonics runs from the deep UV (AlN and alumina guides, ~200 nm) to the mid-IR (Ge and "
    "chalcogenide guides, ~20 um); 1.55 would be um typed for nm"};
constexpr Quantity kOpticalBandwidth{"nm", open_closed(0, 20000), false,
    "a spectral width is positive and no wider than the optical band"};
constexpr Quantity kBandwidthGhz{"GHz", open_closed(0, 1e4), false,
    "a part with no bandwidth passes no signal; 10 THz is far past any modulator or photodiode (records are a "
    "few 100 GHz)"};
constexpr Quantity kBandwidthKhz{"kHz", open_closed(0, 1e9), false,
    "a shifter with no bandwidth never settles; 1 THz is past any phase shifter"};
constexpr Quantity kNeff{"1", closed(1, 5), false,
    "a guided mode's effective index lies above the cladding's (at least 1, vacuum) and below the core's; no "
    "transparent core exceeds 5 (Ge ~4.3, Si 3.48 at 1550 nm)"};
constexpr Quantity kNg{"1", closed(1, 1000), false,
    "a guided pulse travels at most at c (group index >= 1); slow-light photonic-crystal guides reach a few 100"};
constexpr Quantity kResponsivity{"A/W", open_closed(0, 0), false,
    "a photodiode without gain gives at most one electron per photon, R <= q lambda / (h c) = "
    "wavelength_nm / 1239.84 A/W (1.25 A/W at 1550 nm); the noise model has no avalanche gain",
    true};
constexpr Quantity kDarkCurrent{"nA", closed(0, 1e6), false,
    "a current magnitude is not negative; 1 mA of dark current is past any photodiode"};
constexpr Quantity kNoiseDensity{"pA/sqrt(Hz)", closed(0, 1e5), false,
    "a noise density is not negative (0: noiseless); 100 nA/sqrt(Hz) is past any amplifier"};
constexpr Quantity kElectricalPower{"mW", closed(0, 1e5), false,
                                    "a circuit draws no negative power; 100 W is past any single amplifier on a chip"};
constexpr Quantity kEnergy{"pJ", closed(0, 1e6), false,
    "the energy an operation draws is not negative; 1 uJ per sample or operation is past any converter or "
    "logic (pJ class)"};
constexpr Quantity kSampleRate{"GS/s", open_closed(0, 1e4), false,
    "a converter samples at some rate (the latency divides by it); 10 TS/s is past any converter (~200 GS/s)"};
constexpr Quantity kLatency{"ps", closed(0, 1e9), false,
    "a delay is not negative; 1 ms per stage is past any on-chip path"};
constexpr Quantity kBits{"bits", closed(1, 24), true,
    "a converter resolves at least one bit; 24 bits is the most any converter claims"};
constexpr Quantity kTeeth{"1", closed(1, 1000), true,
    "a grating has at least one period; 1000 periods is far past the ~20 a fibre mode needs"};
constexpr Quantity kVPi{"V", open_closed(0, 1000), false,
    "the voltage for a pi phase is positive (the activation gain divides by it); 1 kV is past any on-chip drive"};
constexpr Quantity kTransimpedance{"Ohm", open_closed(0, 1e9), false,
    "a transimpedance amplifier has a positive gain; 1 GOhm is past any TIA"};
constexpr Quantity kPhase{"rad", closed(-2 * std::numbers::pi, 2 * std::numbers::pi), false,
    "a phase is defined modulo 2 pi; more than a turn either way is a unit mistake (degrees)"};
constexpr Quantity kThermalConductivity{"W/(m K)", open_closed(0, 5000), false,
    "heat flows down a temperature gradient (k > 0); diamond, the best solid conductor, has ~2200 W/(m K)"};
constexpr Quantity kThermoOptic{"1/K", open_closed(0, 0.001), false,
    "a heater adds phase only if the index rises with temperature (the model normalises to a positive P_pi); "
    "1e-3 /K is past any waveguide material (Si 1.86e-4, polymers a few 1e-4 in magnitude)"};
constexpr Quantity kRuleMin{"um", closed(0.001, 1e4), false,
    "a rule minimum is at least the 1 nm layout grid; a minimum width, space or radius of 1 cm leaves no room "
    "on a die"};

constexpr std::string_view kNotRead = "not read";
constexpr std::string_view kLayout = "layout (a built-in default if absent)";
constexpr std::string_view kThermal = "sim: thermal crosstalk model (an error if absent when asked)";

std::vector<TemplateSpec> make_specs() {
  return {
      {"waveguide", "waveguide", true, {
          {"width_um", &kLength, false, kLayout},
          {"n_eff", &kNeff, true, "sim: waveguide phase"},
          {"n_g", &kNg, true, "analysis: time of flight"},
          {"loss_db_per_cm", &kLossPerCm, true, "analysis: worst-path loss; layout: added loss; sim"},
          {"bend_radius_um", &kLength, false, kLayout},
          {"bend_loss_db_per_90", &kDeviceLoss, false, "layout: added loss (0 if absent)"},
          {"crossing_loss_db", &kDeviceLoss, false, "layout: added loss (0 if absent)"},
          {"pitch_um", &kLength, false, kNotRead},
          {"euler_p", &kEulerP, false, kLayout},
          {"arc_tolerance_nm", &kArcTolerance, false, kLayout},
          {"max_power_mw", &kWaveguidePower, false, "compile: cap on the laser power per channel (needed by --calibrate)"},
          {"thickness_um", &kLength, false, kThermal},
          {"box_thickness_um", &kLength, false, kThermal},
          {"cladding_thickness_um", &kLength, false, kThermal},
          {"oxide_thermal_conductivity_w_per_m_k", &kThermalConductivity, false, kThermal},
          {"dn_dt_per_k", &kThermoOptic, false, kThermal},
      }},
      {"directional_coupler", "coupler", true, {
          {"coupling_power", &kCouplingPower, false, "sim: coupler (0.5 if absent)"},
          {"excess_loss_db", &kDeviceLoss, false, "sim: coupler loss (0 if absent)"},
          {"gap_um", &kLength, false, kLayout},
          {"length_um", &kLength, false, kLayout},
          {"bandwidth_nm", &kOpticalBandwidth, false, kNotRead},
      }},
      {"phase_shifter", "phase_shifter", true, {
          {"p_pi_mw", &kPPi, true, "analysis: heater power; program.csv"},
          {"length_um", &kLength, false, kLayout},
          {"bandwidth_khz", &kBandwidthKhz, false, kNotRead},
          {"insertion_loss_db", &kDeviceLoss, true, "analysis: worst-path loss; sim"},
          {"heater_width_um", &kLength, false, kLayout},
          {"v_pi_v", &kVPi, false, kNotRead},
          {"contact_size_um", &kLength, false, kLayout},
          {"via_size_um", &kLength, false, kLayout},
          {"via_pitch_um", &kLength, false, kLayout},
          {"wire_width_um", &kLength, false, kLayout},
          {"wire_space_um", &kLength, false, kLayout},
          {"heater_height_um", &kLength, false, kThermal},
          {"fab_phase_spread_rad", &kPhaseSpread, false, "analysis: heater power (offset nulling)"},
      }},
      {"mzi", "mzi", true, {
          {"insertion_loss_db", &kDeviceLoss, true, "analysis: worst-path loss; sim"},
          {"length_um", &kLength, true, "analysis: worst-path length"},
          {"height_um", &kLength, false, kNotRead},
          {"port_pitch_um", &kLength, false, kLayout},
          {"bandwidth_nm", &kOpticalBandwidth, false, kNotRead},
      }},
      {"attenuator", "attenuator", true, {
          {"insertion_loss_db", &kDeviceLoss, true, "analysis: worst-path loss; sim"},
          {"extinction_db", &kExtinction, false, "sim: attenuator extinction (off when absent)"},
      }},
      {"modulator", "modulator", true, {
          {"bandwidth_ghz", &kBandwidthGhz, false, "analysis: throughput (symbol rate)"},
          {"insertion_loss_db", &kDeviceLoss, true, "analysis: worst-path loss; sim: input power"},
          {"energy_pj_per_symbol", &kEnergy, true, "analysis: energy"},
          {"length_um", &kLength, false, kNotRead},
      }},
      {"photodetector", "photodetector", true, {
          {"responsivity_a_per_w", &kResponsivity, false, kNotRead},
          {"dark_current_na", &kDarkCurrent, true, "sim: detector noise"},
          {"bandwidth_ghz", &kBandwidthGhz, false, kNotRead},
          {"tia_noise_pa_per_rthz", &kNoiseDensity, true, "sim: detector noise"},
          {"length_um", &kLength, false, kLayout},
          {"width_um", &kLength, false, kLayout},
          {"si_width_um", &kLength, false, kLayout},
          {"taper_length_um", &kLength, false, kLayout},
          {"contact_length_um", &kLength, false, kLayout},
      }},
      {"homodyne_receiver", "homodyne_receiver", true, {
          {"responsivity_a_per_w", &kResponsivity, true, "sim: detector signal and noise"},
          {"bandwidth_ghz", &kBandwidthGhz, true, "sim: detector noise; analysis: throughput (symbol rate)"},
          {"insertion_loss_db", &kDeviceLoss, true, "analysis: worst-path loss; sim: received power"},
          {"lo_power_mw", &kOpticalPower, true, "sim: detector signal and noise"},
          {"tia_power_mw", &kElectricalPower, false, "analysis: total power (the receiver's amplifier)"},
      }},
      {"dac", "electronic", true, {
          {"bits", &kBits, false, "sim: signal-path DAC (the --dac-bits option sets the phase resolution)"},
          {"sample_rate_gsps", &kSampleRate, true, "analysis: latency, throughput (symbol rate); sim: symbol rate"},
          {"energy_pj_per_sample", &kEnergy, true, "analysis: energy"},
      }},
      {"adc", "electronic", true, {
          {"bits", &kBits, false, "sim: signal-path ADC"},
          {"sample_rate_gsps", &kSampleRate, true, "analysis: latency, throughput (symbol rate); sim: symbol rate"},
          {"energy_pj_per_sample", &kEnergy, true, "analysis: energy"},
      }},
      {"nonlinearity", "electronic", true, {
          {"energy_pj_per_op", &kEnergy, false, kNotRead},
          {"latency_ps", &kLatency, true, "analysis: latency"},
      }},
      {"accumulator", "electronic", true, {
          {"energy_pj_per_op", &kEnergy, true, "analysis: energy"},
          {"latency_ps", &kLatency, false, kNotRead},
      }},
      {"laser", "source", true, {
          {"power_per_channel_mw", &kOpticalPower, true,
           "analysis: laser power of a compile without --calibrate; simulate: a chip recording none; sim: eo activation"},
          {"wall_plug_efficiency", &kWallPlug, true, "analysis: laser power"},
          {"rin_db_per_hz", &kRin, false, "sim: laser intensity noise (off when absent)"},
      }},
      {"grating_coupler", "coupler_io", false, {
          {"insertion_loss_db", &kDeviceLoss, true, "analysis: worst-path loss; sim: input power"},
          {"bandwidth_nm", &kOpticalBandwidth, false, kNotRead},
          {"period_um", &kLength, false, kLayout},
          {"pitch_um", &kLength, false, kLayout},
          {"fill_factor", &kFillFactor, false, kLayout},
          {"teeth", &kTeeth, false, kLayout},
          {"width_um", &kLength, false, kLayout},
          {"taper_length_um", &kLength, false, kLayout},
      }},
      {"bond_pad", "pad", false, {
          {"size_um", &kLength, false, kLayout},
          {"opening_margin_um", &kLength, false, kLayout},
          {"pitch_um", &kLength, false, kLayout},
      }},
      {"eo_activation", "eo_activation", false, {
          {"alpha", &kTapFraction, true, "sim: eo activation"},
          {"responsivity_a_per_w", &kResponsivity, true, "sim: eo activation"},
          {"v_pi_v", &kVPi, true, "sim: eo activation"},
          {"tia_gain_ohm", &kTransimpedance, true, "sim: eo activation"},
          {"phi_b_rad", &kPhase, true, "sim: eo activation"},
          {"latency_ps", &kLatency, true, "analysis: latency"},
      }},
  };
}
// clang-format on

std::string number_text(double v) {
  return fmt::format("{}", v);
}

}  // namespace

bool Range::contains(double v) const {
  const bool above = min_inclusive ? v >= min : v > min;
  const bool below = max_inclusive ? v <= max : v < max;
  return above && below;
}

std::string Range::text() const {
  return fmt::format("{}{}, {}{}", min_inclusive ? "[" : "(", number_text(min), number_text(max),
                     max_inclusive ? "]" : ")");
}

const FigureSpec* TemplateSpec::find(std::string_view key) const {
  for (const FigureSpec& f : figures)
    if (f.key == key) return &f;
  return nullptr;
}

const std::vector<TemplateSpec>& template_specs() {
  static const std::vector<TemplateSpec> specs = make_specs();
  return specs;
}

const TemplateSpec* find_template_spec(std::string_view name) {
  for (const TemplateSpec& t : template_specs())
    if (t.name == name) return &t;
  return nullptr;
}

Range figure_range(const Quantity& q, double wavelength_nm) {
  Range r = q.range;
  if (q.quantum_limit) r.max = wavelength_nm / kHcOverQ_nm;
  return r;
}

const Quantity& wavelength_quantity() {
  return kWavelength;
}

const Quantity& rule_min_quantity() {
  return kRuleMin;
}

}  // namespace holo::pdk
