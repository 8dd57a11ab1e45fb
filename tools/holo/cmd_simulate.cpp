// holo simulate OUT --input X.npy [--labels y.npy] [impairments]
#include <numbers>

#include "cli.h"
#include "holo/driver/simulate.h"
#include "holo/runtime/laser_power.h"
#include "holo/support/progress.h"

namespace holo::cli {

namespace {
// A wrapped normal phase or angle error with sigma >= pi is already uniform to within exp(-pi^2 / 2) < 1%.
constexpr Interval kSigmaRange{.lo = 0.0, .hi = std::numbers::pi, .unit = "rad", .hi_text = "pi"};
// Up to runtime::kMaxLaserPowerPerChannelMw (10 W per channel); 0 mW carries no signal.
// sim::validate's bound: past +-200 K the die is outside any operating range.
constexpr Interval kDeltaTRange{.lo = -200.0, .hi = 200.0, .unit = "K"};
constexpr Interval kLaserPowerRange{
    .lo = 0.0, .hi = runtime::kMaxLaserPowerPerChannelMw, .lo_open = true, .unit = "mW"};
}  // namespace

void register_simulate(CLI::App& app, CommonFlags& flags) {
  auto* sub =
      app.add_subcommand("simulate", "Run a compiled chip on a batch: accuracy, agreement with the reference, error");
  auto out = std::make_shared<std::string>();
  auto opts = std::make_shared<driver::SimulateOptions>();
  // The realistic chip is the default (docs/simulation.md): each --no-* flag turns one effect off.
  struct Off {
    bool loss = false, drawn = false, shot = false, thermal = false, rin = false, noise = false, quantization = false,
         extinction = false;
  };
  auto off = std::make_shared<Off>();
  auto balanced = std::make_shared<bool>(false);
  sub->add_option("OUT", *out, "Output directory of holo compile")->required();
  sub->add_option("-i,--input", opts->input_paths, "Input .npy (repeat once per model input)")->required();
  sub->add_option("-l,--labels", opts->labels_path, "Integer class labels .npy, for accuracy");
  sub->add_option("--pdk", opts->pdk_path, "Platform file (default: the one the chip was compiled with)");
  sub->add_flag("--ideal", opts->sim.ideal, "Turn every non-ideality off");
  // Ranges: sim::validate (sim/options.cpp) and driver/simulate.cpp (--monte-carlo); the CLI is stricter where the
  // library accepts values without physical meaning (sigmas above pi, laser power <= 0 without detector noise).
  sub->add_option("--dac-bits", opts->sim.dac_bits, "Quantize every phase to this many bits (0 = exact)")
      ->transform(integer_in<int32_t>(0, 24))
      ->capture_default_str();
  sub->add_flag("--no-loss", off->loss, "Ignore every insertion loss");
  sub->add_flag("--schematic-paths", off->drawn,
                "Simulate the netlist's paths only, not the layout's (no fan-out waveguides, output couplers, "
                "wiring-channel straights; idle mesh slots empty)");
  sub->add_flag("--balanced-loss", *balanced,
                "Idle mesh slots lose as much as an MZI (loss-matched dummies the layout does not draw: a hypothetical "
                "chip)");
  sub->add_option("--coupler-sigma", opts->sim.coupler_sigma_rad,
                  "Std. dev. of each coupler's splitting angle error (rad; 0.01 ~ 1% splitting-ratio error)")
      ->transform(number_in(kSigmaRange))
      ->capture_default_str();
  sub->add_flag("--correct-couplers", opts->sim.correct_couplers,
                "Re-program phases for the coupler errors (Bandyopadhyay, Hamerly, Englund 2021)");
  sub->add_option("--phase-noise", opts->sim.phase_noise_rad, "Std. dev. of a static phase error per shifter (rad)")
      ->transform(number_in(kSigmaRange))
      ->capture_default_str();
  sub->add_option("--laser-power-mw", opts->laser_power_per_channel_mw,
                  "Laser power per input channel (mW; default: the power holo compile charged, circuit.json info "
                  "laser_power_per_channel_mw; docs/simulation.md, 'Laser power')")
      ->transform(number_in(kLaserPowerRange));
  sub->add_flag("--no-shot-noise", off->shot, "No detector shot noise");
  sub->add_flag("--no-thermal-noise", off->thermal, "No receiver (TIA) thermal noise");
  sub->add_flag("--no-rin", off->rin, "No laser relative intensity noise");
  sub->add_flag("--no-detector-noise", off->noise, "No shot, thermal or RIN noise");
  sub->add_flag("--no-signal-quantization", off->quantization,
                "No DAC at the modulators nor ADC after the receivers (exact analog signal path)");
  sub->add_flag("--no-extinction", off->extinction, "Attenuators reach zero transmission (infinite extinction)");
  sub->add_option("--delta-t-k", opts->sim.delta_t_k,
                  "Die temperature minus the calibration temperature (K): the drawn I/O waveguides' phases drift "
                  "away from the calibrated fan-in and LO phases")
      ->transform(number_in(kDeltaTRange))
      ->capture_default_str();
  auto no_crosstalk = std::make_shared<bool>(false);
  auto uncompensated = std::make_shared<bool>(false);
  sub->add_flag("--no-thermal-crosstalk", *no_crosstalk,
                "Leave out the heat a heater gives the waveguides beside it (docs/simulation.md, 'Thermal crosstalk')");
  sub->add_flag("--uncompensated-crosstalk", *uncompensated,
                "Drive each heater with its own target's power (not compile's compensated powers)");
  sub->add_option("--seed", opts->sim.seed, "Seed of every random draw")
      ->transform(seed_value())
      ->capture_default_str();
  sub->add_option("--monte-carlo", opts->monte_carlo, "Independent impairment draws (seeds seed, seed+1, ...)")
      ->transform(integer_in<int>(1, 100000))
      ->capture_default_str();
  add_common_flags(*sub, flags);
  set_action(*sub, [out, opts, off, balanced, no_crosstalk, uncompensated](const CommonFlags& f) {
    opts->sim.use_pdk_loss = !off->loss;
    opts->sim.use_drawn_paths = !off->drawn;
    opts->sim.balanced_mesh_loss = *balanced;
    opts->sim.shot_noise = !off->shot && !off->noise;
    opts->sim.thermal_noise = !off->thermal && !off->noise;
    opts->sim.rin = !off->rin && !off->noise;
    opts->sim.signal_quantization = !off->quantization;
    opts->sim.attenuator_extinction = !off->extinction;
    opts->sim.thermal_crosstalk = !*no_crosstalk;
    opts->sim.compensated_crosstalk = !*uncompensated;
    opts->progress = !f.quiet && !f.json && Progress::terminal_attached();
    return driver::simulate(*out, *opts);
  });
}

}  // namespace holo::cli
