// One impairment draw of a tile: from the programmed (nominal) tile read from the netlist (circuit::read_tile)
// to the physical state of the chip as built and programmed: coupler splitting errors, their correction, the
// phase DAC, static phase noise, insertion losses. Then the optical path the fast simulator compiles, and the
// per-instance overrides that make the S-matrix solver see the same physical state (cross-checks). The state is
// per tile kind (TileBodyState); every function here handles each kind through std::visit.
//
// Order of a draw of a coherent tile (each step only when its option is on):
//   0. attenuator extinction: each attenuator's two couplers are off by delta = asin(10^(-ER/20)) / 2 (ER the
//      PDK's attenuator extinction_db), so its bar power spans [10^(-ER/10), 1]; the leak is in quadrature with
//      the programmed amplitude, which theta keeps giving (the in-phase amplitude is what homodyne detection
//      calibrates);
//   1. coupler errors a, b ~ N(0, sigma) per MZI: vh MZIs in optical order, then the attenuators, then the u
//      MZIs, drawn from the stream (seed, stage, tile, "coupler");
//   2. correction for those (known, characterized) errors: linalg::correct_couplers on V^H, correct_attenuator's
//      theta per attenuator, then the phases V^H and the attenuators leave on each mode (no V^H screen and no
//      attenuator phi heater on the chip) absorbed by U's phi and screen, and U corrected against that;
//   3. the DAC: every theta / phi / screen phase to the nearest of 2^b levels over [0, 2 pi);
//   4. phase noise N(0, sigma) added to every phase shifter (vh theta, phi per MZI then its screen, the
//      attenuators' theta, phi, then u), stream (seed, stage, tile, "phase").
//   5. thermal crosstalk (SimOptions::thermal_crosstalk, when the netlist has the tile's heater sites from the
//      layout: sim/thermal_sites_model.h): the heaters are driven with the programmed powers P (compile's
//      compensated powers, or P_i = target_i P_pi / pi uncompensated); every heater-driven phase gets the error
//      of its realized phase D P against its (compiled) target, wrapped to [-pi, pi] (~1e-12 rad compensated),
//      on top of steps 3 and 4 (the DAC and the noise act on the drive, the crosstalk on the heat: their errors
//      add), and every MZI (attenuator) the common phase K P of its other arms, a factor e^{i c} on the MZI.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "holo/circuit/compiled.h"
#include "holo/circuit/path_loss.h"
#include "holo/linalg/mesh.h"
#include "holo/pdk/pdk.h"
#include "holo/sim/fast_path.h"
#include "holo/sim/options.h"
#include "holo/sim/smatrix.h"

namespace holo::sim {

struct MeshState {
  linalg::Mesh mesh;                         // phases as physically applied
  std::vector<linalg::CouplerError> errors;  // per MZI; empty: perfect couplers
  std::vector<double> common_rad = {};       // per MZI, the phase both its arms share (heat); empty: none
};

struct AttenuatorState {
  double theta_rad = 0.0;
  double phi_rad = 0.0;
  linalg::CouplerError error;  // zero: perfect couplers
  double common_rad = 0.0;     // the phase both its arms share (heat)
};

// The physical state of a coherent SVD tile (circuit::CoherentTile): its meshes and attenuators as applied.
struct CoherentTileState {
  int64_t rank = 0;
  MeshState vh, u;
  std::vector<AttenuatorState> att;
};

// One alternative per circuit::TileKind, in its order (a ring-bank tile's state is one more struct here).
using TileBodyState = std::variant<CoherentTileState>;
static_assert(std::variant_size_v<TileBodyState> == circuit::kTileKinds.size(), "one state per tile kind");

struct TileState {
  std::string cell;
  int64_t rows = 0, cols = 0;
  TileBodyState body;
  bool coupler_errors = false;
  // Field factors of the losses (1 = lossless), from circuit::TileLoss (circuit/path_loss.h).
  double mzi_loss = 1.0, phase_shifter_loss = 1.0, attenuator_loss = 1.0;
  double idle_loss = 1.0;                 // an idle mesh slot (a drawn straight, a loss-matched dummy, or nothing)
  double fill_loss = 1.0;                 // every mode, inside the tile besides its components
  std::vector<double> in_loss, out_loss;  // per input / output: the I/O path (empty: lossless)
  // Per input / output: the phase the I/O path has drifted by since calibration (empty: none; prepare_stage sets
  // it for SimOptions::delta_t_k).
  std::vector<double> in_phase_rad, out_phase_rad;
  int64_t out_of_range = 0;  // MZIs and attenuators whose corrected target was out of reach
  // --correct-couplers: the correction was computed (tried) and kept, because the real part of the tile
  // matrix (what the homodyne receivers detect) is closer to the target with it than without; the two
  // errors are Frobenius norms of Re(T_realized) - Re(T_ideal), lossless, in units of the tile matrix.
  bool correction_tried = false, correction_kept = false;
  double correction_error = 0.0, uncorrected_error = 0.0;
  // Step 5 (thermal crosstalk) was applied; compensated: with compile's heater powers; the largest error it left
  // on a programmed phase (rad, wrapped) and the largest common phase it gave an MZI.
  bool thermal = false, thermal_compensated = false;
  double thermal_residual_rad = 0.0, thermal_common_rad = 0.0;

  circuit::TileKind kind() const { return circuit::kTileKinds[body.index()]; }
};

// The nominal chip: the programmed phases, perfect couplers, the losses of `loss`.
TileState nominal_state(const circuit::TileView& t, const circuit::TileLoss& loss);
// The same with the tile's interior losses only (no I/O, no drawn straights): the PDK's component losses when
// `use_pdk_loss`, with loss-matched idle slots when `balanced_loss`.
TileState nominal_state(const circuit::TileView& t, const pdk::Pdk& pdk, bool use_pdk_loss, bool balanced_loss = false);

// One draw of every impairment of `o` (call effective(o) first to honour `ideal`) on the chip with losses
// `loss`. Deterministic in (o.seed, stage, tile). `sites`: the tile's heater sites (Netlist::thermal_sites), for
// step 5; null or empty: no thermal crosstalk. SIM-BAD-THERMAL for sites that do not match the tile or lack the
// compensated powers while o.compensated_crosstalk.
TileState realize_tile(const circuit::TileView& t, const circuit::TileLoss& loss, const pdk::Pdk& pdk,
                       const SimOptions& o, int64_t stage, int64_t tile,
                       const std::vector<circuit::ThermalSite>* sites = nullptr);
// The same with the interior losses of nominal_state(t, pdk, o.use_pdk_loss, o.balanced_mesh_loss).
TileState realize_tile(const circuit::TileView& t, const pdk::Pdk& pdk, const SimOptions& o, int64_t stage,
                       int64_t tile, const std::vector<circuit::ThermalSite>* sites = nullptr);

// The optical path of a tile state: vh MZIs, its screen, attenuators (dropped modes blocked), u MZIs, its
// screen; cols inputs, rows outputs, max(rows, cols) modes.
OpticalPath tile_path(const TileState& s);

// The path of one mesh (n inputs and outputs) with optional coupler errors and losses; `balanced`: every
// idle slot of columns 0..mesh.columns-1 loses mzi_loss too.
OpticalPath mesh_path(const MeshState& m, double mzi_loss = 1.0, double phase_shifter_loss = 1.0,
                      bool balanced = false);

// Overrides for solve_cell on the tile cell so the solver computes the same physical state: every MZI,
// screen shifter and attenuator gets its applied phases and coupler error (paths "vh/mzi<k>", "vh/ps<i>",
// "att/a<k>", "u/..."). Losses are the solver's use_pdk_loss. The solver sees only the netlist's
// components: compare with states whose idle, fill and I/O losses are 1.
SolverOptions solver_options(const TileState& s, bool use_pdk_loss);

// Corrects one attenuator MZI for its coupler error: theta' reproduces the target bar power |t|^2 (when
// reachable) and phi' its phase. in_range is false when |t|^2 lies outside the reachable bar powers.
struct AttenuatorCorrection {
  double theta_rad = 0.0;
  double phi_rad = 0.0;
  bool in_range = true;
};
AttenuatorCorrection correct_attenuator(double theta_rad, double phi_rad, const linalg::CouplerError& e);

// Seed of an independent random stream for (seed, stage, tile, purpose, sample): SplitMix64 mixing, so
// streams do not depend on the order in which they are used (or on threads).
enum class Stream : uint64_t { Coupler = 1, Phase = 2, Detector = 3 };
uint64_t stream_seed(uint64_t seed, int64_t stage, int64_t tile, Stream purpose, int64_t sample = 0);

}  // namespace holo::sim
