// Thermal crosstalk of thermo-optic phase shifters (docs/physics.md#thermal-crosstalk): the steady-state
// temperature rise of a waveguide from a heater in the oxide above a heat-sunk substrate (image method), the
// crosstalk matrix C of a set of heaters and the waveguides they shift (phase per mW), and the compensated
// programming: heater powers P >= 0 with C P equal to the target phases modulo 2 pi.
//
// The model is a 2-D cross-section (heaters long beside the oxide thickness): the oxide between the substrate
// surface (y = 0, held at the heat-sink temperature: silicon conducts ~100x better than oxide) and the die's top
// surface (y = D, no heat flow: air above) is homogeneous, the heater a strip of uniform power per length, the
// waveguide probed at its centre. Phases come from the overlap of the heater and the waveguide along the light
// path; heat flowing around a heater's ends is left out. The self-heating of each shifter is normalised to the
// PDK's measured P_pi, which scales every entry of C by the same factor (ThermalStack::model_p_pi_mw says how
// far the model's own P_pi is from the measured one).
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "holo/pdk/pdk.h"

namespace holo::sim {

// The die cross-section, heights from the substrate surface, in um (from the PDK: waveguide.box_thickness_um,
// thickness_um, cladding_thickness_um, oxide_thermal_conductivity_w_per_m_k, dn_dt_per_k; phase_shifter.
// heater_height_um, heater_width_um, p_pi_mw; wavelength_nm).
struct ThermalStack {
  double waveguide_y_um = 2.11;  // waveguide centre: BOX + half the core thickness
  double heater_y_um = 4.22;     // heater: waveguide top + heater_height_um
  double top_y_um = 5.22;        // die top surface (adiabatic): waveguide top + cladding_thickness_um
  bool adiabatic_top = true;     // false: oxide above without end (the single image pair of docs/physics.md)
  double heater_width_um = 2.0;  // the heater's power is spread uniformly over this width
  double k_w_per_m_k = 1.4;      // oxide thermal conductivity
  double dn_dt_per_k = 1.86e-4;  // thermo-optic coefficient of the waveguide
  double wavelength_nm = 1550;
  double p_pi_mw = 24.77;  // measured power for pi (the diagonal of C is normalised to it)
};

// The cross-section of a PDK. PDK-MISSING-FIGURE names a thermal figure the PDK lacks; PDK-RANGE when the heater
// does not sit between the waveguide and the top surface.
ThermalStack thermal_stack(const pdk::Pdk& pdk);

// Temperature rise times k / P' (dimensionless; P' the power per length in W/m, k in W/m/K) at lateral offset
// x_um and height y_um from a line source at height h_um, with the substrate at y = 0 and, if adiabatic_top,
// the insulating surface at top_y_um (closed form of the infinite image series; else the one image pair
// (1 / 4 pi) ln[(x^2 + (y + h)^2) / (x^2 + (y - h)^2)]).
double line_source_rise(const ThermalStack& s, double x_um, double y_um, double h_um);

// The same for the stack's heater (its width averaged: 16 panels of 3-point Gauss-Legendre) probed at the
// waveguide height, at lateral offset x_um between heater and waveguide centres.
double heater_rise(const ThermalStack& s, double x_um);

// The phase per mW the model gives a waveguide directly under a long heater, and the P_pi it implies
// (independent of the heater length in the 2-D model).
double model_phase_per_mw(const ThermalStack& s);
inline double model_p_pi_mw(const ThermalStack& s) {
  return 3.141592653589793 / model_phase_per_mw(s);
}

// A straight heater or waveguide segment along the light path (layout x) at lateral position y (layout y,
// the waveguide's centre line), both in um.
struct Segment {
  double x0_um = 0, x1_um = 0;  // x0 < x1
  double y_um = 0;
};

// Phase (rad) added to waveguide segment `probes[i]` per mW in heater `heaters[j]`: (2 pi / lambda) dn/dT times
// the overlap of the two along x times the rise at their lateral offset, scaled so that a waveguide under its
// own heater gets pi / p_pi_mw per mW. Throws SIM-BAD-THERMAL for an empty or non-finite segment.
Eigen::MatrixXd crosstalk_matrix(const ThermalStack& s, const std::vector<Segment>& heaters,
                                 const std::vector<Segment>& probes);

// Heater powers that give target phases through a crosstalk matrix.
struct Compensation {
  Eigen::VectorXd power_mw;           // P >= 0
  Eigen::VectorXd phase_rad;          // C P: the target, raised by 2 pi where `raised` says so
  std::vector<int32_t> raised;        // turns (of 2 pi) added to each target to keep its power >= 0
  double power_uncompensated_mw = 0;  // sum target_i / C_ii: the programming that ignores crosstalk
  double power_compensated_mw = 0;    // sum P
  double max_residual_rad = 0;        // max |C P - target - 2 pi raised|
};

// Solves C P = target + 2 pi n with P >= 0: first n = 0; while some P_i < 0, every such target is raised by one
// turn (a heater only adds phase, and a phase is defined modulo 2 pi) and the system solved again (one LU of C).
// Targets must be finite and >= 0 (programmed phases are wrapped to [0, 2 pi)). SIM-BAD-THERMAL for a C that is
// not square, singular, or a target that needs more than `max_turns` raises in all.
Compensation compensate(const Eigen::MatrixXd& c, const Eigen::VectorXd& target_rad, int32_t max_turns = 100000);

}  // namespace holo::sim
