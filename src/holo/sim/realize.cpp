#include "holo/sim/realize.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <variant>

#include "holo/linalg/correction.h"
#include "holo/linalg/quantize.h"
#include "holo/linalg/random.h"
#include "holo/sim/components.h"
#include "holo/sim/fast_path.h"
#include "holo/sim/thermal_sites_model.h"
#include "holo/support/error.h"

namespace holo::sim {

namespace {

uint64_t splitmix(uint64_t x) {
  uint64_t z = x + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Coupling constants of an imperfect MZI (docs/physics.md#coupler-error-correction): cross power = A + B cos(theta).
void cross_power_coefficients(const linalg::CouplerError& e, double& a, double& b) {
  const double s1 = 0.25 * linalg::kPi + e.a_rad, s2 = 0.25 * linalg::kPi + e.b_rad;
  a = std::pow(std::sin(s2) * std::cos(s1), 2) + std::pow(std::cos(s2) * std::sin(s1), 2);
  b = 0.5 * std::sin(2.0 * s1) * std::sin(2.0 * s2);
}

template <class F>
void for_each_phase(MeshState& m, F f) {
  for (linalg::MziSetting& z : m.mesh.mzis) {
    f(z.theta_rad);
    f(z.phi_rad);
  }
  for (double& p : m.mesh.output_phase_rad) f(p);
}

}  // namespace

uint64_t stream_seed(uint64_t seed, int64_t stage, int64_t tile, Stream purpose, int64_t sample) {
  uint64_t h = splitmix(seed);
  h = splitmix(h ^ static_cast<uint64_t>(stage));
  h = splitmix(h ^ static_cast<uint64_t>(tile));
  h = splitmix(h ^ static_cast<uint64_t>(purpose));
  return splitmix(h ^ static_cast<uint64_t>(sample));
}

AttenuatorCorrection correct_attenuator(double theta_rad, double phi_rad, const linalg::CouplerError& e) {
  const linalg::cdouble target = linalg::mzi_matrix(theta_rad, phi_rad)(0, 0);
  double a = 0.0, b = 0.0;
  cross_power_coefficients(e, a, b);
  // Bar power = 1 - cross power = 1 - A - B cos(theta').
  AttenuatorCorrection out;
  double arg = b > 0.0 ? (1.0 - std::norm(target) - a) / b : 2.0;
  // Targets at the very edge of the range land a few ulp outside after rounding.
  constexpr double kRangeSlack = 1e-12;
  out.in_range = std::isfinite(arg) && arg >= -1.0 - kRangeSlack && arg <= 1.0 + kRangeSlack;
  arg = std::isfinite(arg) ? std::clamp(arg, -1.0, 1.0) : 1.0;
  out.theta_rad = std::acos(arg);
  // The bar entry with phi' = 0; phi' (on the upper input) then supplies the missing phase.
  const linalg::cdouble bar0 = linalg::mzi_matrix(out.theta_rad, 0.0, e)(0, 0);
  out.phi_rad = linalg::wrap_phase(std::arg(linalg::unit_phase(target) * std::conj(linalg::unit_phase(bar0))));
  return out;
}

namespace {

double field_factor(double db) {
  return std::pow(10.0, -db / 20.0);
}

}  // namespace

TileState nominal_state(const circuit::TileView& t, const circuit::TileLoss& loss) {
  TileState s;
  s.cell = t.cell;
  s.rows = t.rows;
  s.cols = t.cols;
  s.body = std::visit(circuit::Overloaded{[](const circuit::CoherentTile& c) -> TileBodyState {
                        CoherentTileState b;
                        b.rank = c.rank;
                        b.vh.mesh = c.vh.mesh;
                        b.u.mesh = c.u.mesh;
                        for (const circuit::Attenuator& a : c.att.attenuators)
                          b.att.push_back({a.theta_rad, a.phi_rad, {}});
                        return b;
                      }},
                      t.body);
  s.mzi_loss = field_factor(loss.mzi_db);
  s.phase_shifter_loss = field_factor(loss.screen_db);
  s.attenuator_loss = field_factor(loss.attenuator_db);
  s.idle_loss = field_factor(loss.idle_slot_db);
  s.fill_loss = field_factor(loss.fill_db);
  for (double db : loss.in_db) s.in_loss.push_back(field_factor(db));
  for (double db : loss.out_db) s.out_loss.push_back(field_factor(db));
  return s;
}

TileState nominal_state(const circuit::TileView& t, const pdk::Pdk& pdk, bool use_pdk_loss, bool balanced_loss) {
  circuit::TileLoss loss;
  if (use_pdk_loss) {
    loss.mzi_db = -20.0 * std::log10(loss_factor(pdk, "mzi", true));
    loss.screen_db = -20.0 * std::log10(loss_factor(pdk, "phase_shifter", true));
    loss.attenuator_db = -20.0 * std::log10(loss_factor(pdk, "attenuator", true));
    if (balanced_loss) loss.idle_slot_db = loss.mzi_db;
  }
  TileState s = nominal_state(t, loss);
  // Exactly the PDK's factors (no round trip through dB).
  s.mzi_loss = loss_factor(pdk, "mzi", use_pdk_loss);
  s.phase_shifter_loss = loss_factor(pdk, "phase_shifter", use_pdk_loss);
  s.attenuator_loss = loss_factor(pdk, "attenuator", use_pdk_loss);
  s.idle_loss = use_pdk_loss && balanced_loss ? s.mzi_loss : 1.0;
  return s;
}

namespace {

// Step 0 (realize.h): finite attenuator extinction as a static coupler imbalance. Its leak is in quadrature with
// the programmed bar entry (bar = e^{i phi} e^{i theta/2} (i sin(theta/2) - sin(2 delta) cos(theta/2))), so the
// programmed theta still gives the in-phase amplitude a homodyne calibration would set: theta is kept.
void limit_extinction(TileState& s, const pdk::Pdk& pdk) {
  const pdk::Template& att = pdk.tmpl("attenuator");
  if (!att.has("extinction_db")) return;
  const double delta = 0.5 * std::asin(std::pow(10.0, -att.number("extinction_db") / 20.0));
  CoherentTileState& c = std::get<CoherentTileState>(s.body);
  s.coupler_errors = true;
  for (AttenuatorState& a : c.att) a.error = {delta, delta};
}

// Cancels phases d on a mesh's inputs through its own programming: an MZI on (m, m + 1) seeing d_m, d_{m+1} is
// e^{i d_{m+1}} M(theta, phi + d_m - d_{m+1}), so its phi is lowered by d_m - d_{m+1} and d_{m+1} goes on to both
// outputs; the output screen takes what reaches it (a mesh without a screen keeps it).
void absorb_input_phases(linalg::Mesh& mesh, std::vector<double> d) {
  for (linalg::MziSetting& z : mesh.mzis) {
    const auto m = static_cast<size_t>(z.mode);
    z.phi_rad = linalg::wrap_phase(z.phi_rad - (d[m] - d[m + 1]));
    d[m] = d[m + 1];
  }
  for (size_t i = 0; i < mesh.output_phase_rad.size() && i < d.size(); ++i)
    mesh.output_phase_rad[i] = linalg::wrap_phase(mesh.output_phase_rad[i] - d[i]);
}

// Steps 1 and 2 of a coherent tile's draw (realize.h): coupler errors and, when asked, their correction.
void draw_coherent_couplers(TileState& s, const circuit::TileView& t, const pdk::Pdk& pdk, const SimOptions& o,
                            int64_t stage, int64_t tile) {
  CoherentTileState& c = std::get<CoherentTileState>(s.body);
  linalg::Rng rng(stream_seed(o.seed, stage, tile, Stream::Coupler));
  s.coupler_errors = true;
  c.vh.errors = linalg::random_coupler_errors(c.vh.mesh.mzis.size(), o.coupler_sigma_rad, rng);
  const std::vector<linalg::CouplerError> att = linalg::random_coupler_errors(c.att.size(), o.coupler_sigma_rad, rng);
  for (size_t k = 0; k < att.size(); ++k) {
    c.att[k].error.a_rad += att[k].a_rad;  // on top of the extinction imbalance (step 0), if any
    c.att[k].error.b_rad += att[k].b_rad;
  }
  c.u.errors = linalg::random_coupler_errors(c.u.mesh.mzis.size(), o.coupler_sigma_rad, rng);
  if (!o.correct_couplers) return;
  const TileState uncorrected = s;
  // V^H, then the attenuators, then U. The V^H mesh has no screen on the chip and the layout draws no phi heater
  // on the attenuators: the phase each mode leaves them with (V^H's corrected output phase, the attenuator's phase
  // error) is carried into the U mesh on that mode, whose phi heaters and screen absorb it (absorb_input_phases),
  // and U is then corrected for its own couplers against that programming. Modes >= rank are dropped.
  const bool vh_screen = !c.vh.mesh.output_phase_rad.empty();
  linalg::CorrectionResult rv = linalg::correct_couplers(c.vh.mesh, c.vh.errors);
  s.out_of_range += static_cast<int64_t>(rv.out_of_range.size());
  c.vh.mesh = std::move(rv.mesh);
  // into_u: the phase each mode carries into U relative to the target (a screen phase s not applied leaves -s).
  std::vector<double> into_u(static_cast<size_t>(c.u.mesh.n), 0.0);
  if (!vh_screen) {
    for (size_t k = 0; k < c.att.size() && k < into_u.size() && k < c.vh.mesh.output_phase_rad.size(); ++k)
      into_u[k] = -c.vh.mesh.output_phase_rad[k];
    c.vh.mesh.output_phase_rad.clear();
  }
  const std::vector<circuit::Attenuator>& programmed = std::get<circuit::CoherentTile>(t.body).att.attenuators;
  for (size_t k = 0; k < c.att.size(); ++k) {
    AttenuatorState& a = c.att[k];
    // The programmed theta is the target; phi' - phi is the phase the attenuator lacks (kept at its phi: no heater),
    // carried into U.
    const AttenuatorCorrection r = correct_attenuator(programmed[k].theta_rad, a.phi_rad, a.error);
    a.theta_rad = r.theta_rad;
    if (k < into_u.size()) into_u[k] -= r.phi_rad - a.phi_rad;
    if (!r.in_range) ++s.out_of_range;
  }
  absorb_input_phases(c.u.mesh, into_u);
  linalg::CorrectionResult ru = linalg::correct_couplers(c.u.mesh, c.u.errors);
  s.out_of_range += static_cast<int64_t>(ru.out_of_range.size());
  c.u.mesh = std::move(ru.mesh);
  // The correction reproduces the complex matrix; homodyne detection reads its real part (LO phase 0).
  // Where MZIs are out of reach the corrected residual can be in phase with the signal while the
  // uncorrected one is mostly in quadrature (docs/physics.md#coupler-error-correction): keep whichever
  // programming is closer to the target in what the receivers detect. Both are computed from the same
  // calibrated coupler errors the correction needs, so a real chip can make the same choice.
  const Eigen::MatrixXd target = FastProgram::compile(tile_path(nominal_state(t, pdk, false))).matrix(1).real();
  auto detected_error = [&](const TileState& st) {
    TileState lossless = st;
    lossless.mzi_loss = lossless.phase_shifter_loss = lossless.attenuator_loss = 1.0;
    lossless.idle_loss = lossless.fill_loss = 1.0;
    lossless.in_loss.clear();
    lossless.out_loss.clear();
    return (FastProgram::compile(tile_path(lossless)).matrix(1).real() - target).norm();
  };
  s.correction_error = detected_error(s);
  s.uncorrected_error = detected_error(uncorrected);
  s.correction_kept = s.correction_error <= s.uncorrected_error;
  if (!s.correction_kept) {
    const double ce = s.correction_error, ue = s.uncorrected_error;
    const int64_t oor = s.out_of_range;
    s = uncorrected;
    s.correction_error = ce;
    s.uncorrected_error = ue;
    s.out_of_range = oor;
    s.correction_kept = false;
  }
  s.correction_tried = true;
}

// Steps 3 and 4 (realize.h): f applied to every phase of a coherent tile, in the documented order.
template <class F>
void for_each_tile_phase(CoherentTileState& c, F f) {
  for_each_phase(c.vh, f);
  for (AttenuatorState& a : c.att) {
    f(a.theta_rad);
    f(a.phi_rad);
  }
  for_each_phase(c.u, f);
}

// Step 5 (realize.h) of a coherent tile: the crosstalk error of the programmed heater powers on every
// heater-driven phase and the common phase of every MZI's other arm.
void apply_thermal(TileState& s, const circuit::CoherentTile& nominal, const std::vector<circuit::ThermalSite>& sites,
                   const pdk::Pdk& pdk, const SimOptions& o) {
  CoherentTileState& c = std::get<CoherentTileState>(s.body);
  const auto n = static_cast<Eigen::Index>(sites.size());
  auto bad = [&](size_t i, const std::string& why) {
    fail("SIM-BAD-THERMAL",
         fmt::format("tile '{}': thermal site {} ('{}' {}): {}", s.cell, i, circuit::site_instance(sites[i]),
                     circuit::shifter_name(sites[i].shifter), why));
  };
  // The phase a site drives in the state and its compiled target; the MZI (or attenuator) whose common phase
  // its other arm sets.
  std::vector<double*> phase(sites.size());
  std::vector<double*> common(sites.size(), nullptr);
  Eigen::VectorXd target(n);
  for (MeshState* m : {&c.vh, &c.u})
    if (m->common_rad.empty()) m->common_rad.assign(m->mesh.mzis.size(), 0.0);
  for (size_t i = 0; i < sites.size(); ++i) {
    const circuit::ThermalSite& st = sites[i];
    const bool vh = st.part == circuit::kTileVh, u = st.part == circuit::kTileU;
    const auto k = static_cast<size_t>(st.index);
    double nominal_rad = 0;
    if (vh || u) {
      MeshState& m = vh ? c.vh : c.u;
      const linalg::Mesh& nm = vh ? nominal.vh.mesh : nominal.u.mesh;
      if (st.shifter == circuit::Shifter::Screen) {
        if (st.index < 0 || k >= m.mesh.output_phase_rad.size() || k >= nm.output_phase_rad.size())
          bad(i, "no such screen shifter");
        phase[i] = &m.mesh.output_phase_rad[k];
        nominal_rad = nm.output_phase_rad[k];
      } else {
        if (st.index < 0 || k >= m.mesh.mzis.size() || k >= nm.mzis.size()) bad(i, "no such MZI");
        const bool theta = st.shifter == circuit::Shifter::Theta;
        phase[i] = theta ? &m.mesh.mzis[k].theta_rad : &m.mesh.mzis[k].phi_rad;
        nominal_rad = theta ? nm.mzis[k].theta_rad : nm.mzis[k].phi_rad;
        common[i] = &m.common_rad[k];
      }
    } else if (st.part == circuit::kTileAtt && st.shifter == circuit::Shifter::Theta) {
      if (st.index < 0 || k >= c.att.size() || k >= nominal.att.attenuators.size()) bad(i, "no such attenuator");
      phase[i] = &c.att[k].theta_rad;
      nominal_rad = nominal.att.attenuators[k].theta_rad;
      common[i] = &c.att[k].common_rad;
    } else {
      bad(i, "not a phase shifter of a coherent tile");
    }
    target(static_cast<Eigen::Index>(i)) = linalg::wrap_phase(nominal_rad) + 2 * linalg::kPi * st.turns;
  }
  const SiteCrosstalk x = site_crosstalk(thermal_stack(pdk), sites);
  // The powers and what they were solved for: compile's (target_rad, the settings' phases with the common phases
  // carried forward, plus its turns), or each heater alone for its setting's phase.
  Eigen::VectorXd power(n), solved_for(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const circuit::ThermalSite& st = sites[static_cast<size_t>(i)];
    target(i) -= 2 * linalg::kPi * st.turns;  // the setting's own phase, wrapped
    if (o.compensated_crosstalk) {
      if (!(st.power_mw >= 0))
        bad(static_cast<size_t>(i),
            "no compensated heater power (a netlist from before compile wrote them: "
            "compile again, or simulate with --uncompensated-crosstalk)");
      power(i) = st.power_mw;
      solved_for(i) = st.target_rad + 2 * linalg::kPi * st.turns;
    } else {
      power(i) = target(i) / x.self_rad_per_mw;
      solved_for(i) = target(i);
    }
  }
  const Eigen::VectorXd realized = x.effective * power;
  const Eigen::VectorXd shared = x.common * power;
  s.thermal = true;
  s.thermal_compensated = o.compensated_crosstalk;
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto si = static_cast<size_t>(i);
    s.thermal_residual_rad =
        std::max(s.thermal_residual_rad, std::fabs(std::remainder(realized(i) - solved_for(i), 2 * linalg::kPi)));
    // The realized phase replaces the setting's (the DAC and noise errors of steps 3 and 4 kept on top).
    double& p = *phase[si];
    p = linalg::wrap_phase(p + std::remainder(realized(i) - target(i), 2 * linalg::kPi));
    if (double* cm = common[si]) *cm += shared(i);
    if (o.compensated_crosstalk && sites[si].part == circuit::kTileAtt)
      c.att[static_cast<size_t>(sites[si].index)].phi_rad =
          linalg::wrap_phase(c.att[static_cast<size_t>(sites[si].index)].phi_rad + sites[si].phi_offset_rad);
  }
  for (const MeshState* m : {&c.vh, &c.u})
    for (double v : m->common_rad) s.thermal_common_rad = std::max(s.thermal_common_rad, std::fabs(v));
  for (const AttenuatorState& a : c.att) s.thermal_common_rad = std::max(s.thermal_common_rad, std::fabs(a.common_rad));
}

}  // namespace

TileState realize_tile(const circuit::TileView& t, const pdk::Pdk& pdk, const SimOptions& o, int64_t stage,
                       int64_t tile, const std::vector<circuit::ThermalSite>* sites) {
  TileState s = nominal_state(t, pdk, o.use_pdk_loss, o.balanced_mesh_loss);
  circuit::TileLoss none;  // realize from the state just built: its losses are already set
  TileState out = realize_tile(t, none, pdk, o, stage, tile, sites);
  out.mzi_loss = s.mzi_loss;
  out.phase_shifter_loss = s.phase_shifter_loss;
  out.attenuator_loss = s.attenuator_loss;
  out.idle_loss = s.idle_loss;
  out.fill_loss = 1.0;
  out.in_loss.clear();
  out.out_loss.clear();
  return out;
}

TileState realize_tile(const circuit::TileView& t, const circuit::TileLoss& loss, const pdk::Pdk& pdk,
                       const SimOptions& o, int64_t stage, int64_t tile,
                       const std::vector<circuit::ThermalSite>* sites) {
  TileState s = nominal_state(t, loss);
  switch (s.kind()) {
    case circuit::TileKind::CoherentSvd:
      if (o.attenuator_extinction) limit_extinction(s, pdk);
      if (o.coupler_sigma_rad > 0.0) draw_coherent_couplers(s, t, pdk, o, stage, tile);
      break;
  }
  // Phases, whatever the tile kind: each kind lists its phase shifters in its documented order.
  auto for_each = [&](auto f) {
    std::visit(circuit::Overloaded{[&](CoherentTileState& c) { for_each_tile_phase(c, f); }}, s.body);
  };
  if (o.dac_bits > 0) {
    linalg::QuantizeOptions q;
    q.bits = o.dac_bits;
    q.model = linalg::DacModel::LinearPhase;
    for_each([&](double& p) { p = linalg::quantize_phase(p, q); });
  }
  if (o.phase_noise_rad > 0.0) {
    linalg::Rng rng(stream_seed(o.seed, stage, tile, Stream::Phase));
    for_each([&](double& p) { p = linalg::wrap_phase(p + o.phase_noise_rad * rng.normal()); });
  }
  if (o.thermal_crosstalk && sites != nullptr && !sites->empty())
    std::visit(circuit::Overloaded{[&](const circuit::CoherentTile& c) { apply_thermal(s, c, *sites, pdk, o); }},
               t.body);
  return s;
}

namespace {

// idle_loss: the field factor of an idle slot (1: nothing there).
void append_mesh(OpticalPath& p, const MeshState& m, double mzi_loss, double ps_loss, double idle_loss) {
  const bool balanced = idle_loss != 1.0;
  const bool err = !m.errors.empty();
  if (err && m.errors.size() != m.mesh.mzis.size()) {
    internal_error(fmt::format("{} coupler errors for {} MZIs", m.errors.size(), m.mesh.mzis.size()));
  }
  // done[mode]: the columns the light on that mode has passed (idle slots lose idle_loss, placed between the
  // MZIs that surround them).
  std::vector<int32_t> done(static_cast<size_t>(m.mesh.n), 0);
  auto pad_to = [&](int32_t mode, int32_t column) {
    int32_t& d = done[static_cast<size_t>(mode)];
    if (balanced) {
      for (; d < column; ++d) p.scale(mode, idle_loss);
    }
    d = std::max(d, column);
  };
  for (size_t k = 0; k < m.mesh.mzis.size(); ++k) {
    const linalg::MziSetting& z = m.mesh.mzis[k];
    if (balanced &&
        (z.column < done[static_cast<size_t>(z.mode)] || z.column < done[static_cast<size_t>(z.mode + 1)])) {
      internal_error(fmt::format("MZI {} of a mesh sits in column {}, before the MZIs that precede it", k, z.column));
    }
    pad_to(z.mode, z.column);
    pad_to(z.mode + 1, z.column);
    const linalg::Mat2 e =
        err ? linalg::mzi_matrix(z.theta_rad, z.phi_rad, m.errors[k]) : linalg::mzi_matrix(z.theta_rad, z.phi_rad);
    // A common phase (heat on both arms) makes the MZI e^{i c} M: still a scalar times a unitary.
    const linalg::cdouble shared = m.common_rad.empty() ? linalg::cdouble(1.0) : std::polar(1.0, m.common_rad[k]);
    p.mix(z.mode, (mzi_loss * shared) * e);
    done[static_cast<size_t>(z.mode)] = done[static_cast<size_t>(z.mode + 1)] = z.column + 1;
  }
  for (int32_t i = 0; i < m.mesh.n; ++i) pad_to(i, m.mesh.columns);
  for (size_t i = 0; i < m.mesh.output_phase_rad.size(); ++i) {
    p.scale(static_cast<int32_t>(i), ps_loss * std::polar(1.0, m.mesh.output_phase_rad[i]));
  }
}

}  // namespace

OpticalPath mesh_path(const MeshState& m, double mzi_loss, double phase_shifter_loss, bool balanced) {
  OpticalPath p;
  p.modes = p.inputs = p.outputs = m.mesh.n;
  append_mesh(p, m, mzi_loss, phase_shifter_loss, balanced ? mzi_loss : 1.0);
  return p;
}

OpticalPath tile_path(const TileState& s) {
  OpticalPath p;
  p.modes = static_cast<int32_t>(std::max(s.rows, s.cols));
  p.inputs = static_cast<int32_t>(s.cols);
  p.outputs = static_cast<int32_t>(s.rows);
  for (size_t j = 0; j < s.in_loss.size(); ++j) p.scale(static_cast<int32_t>(j), s.in_loss[j]);
  for (size_t j = 0; j < s.in_phase_rad.size(); ++j)
    p.scale(static_cast<int32_t>(j), std::polar(1.0, s.in_phase_rad[j]));
  std::visit(circuit::Overloaded{[&](const CoherentTileState& c) {
               append_mesh(p, c.vh, s.mzi_loss, s.phase_shifter_loss, s.idle_loss);
               for (int64_t k = 0; k < c.rank; ++k) {
                 const AttenuatorState& a = c.att[static_cast<size_t>(k)];
                 const linalg::cdouble bar = (s.coupler_errors ? linalg::mzi_matrix(a.theta_rad, a.phi_rad, a.error)
                                                               : linalg::mzi_matrix(a.theta_rad, a.phi_rad))(0, 0);
                 p.scale(static_cast<int32_t>(k), s.attenuator_loss * std::polar(1.0, a.common_rad) * bar);
               }
               // vh outputs rank..cols-1 are dropped; u inputs rank..rows-1 are dark. Modes that are both (only
               // when rank < min(rows, cols)) must be blocked; modes >= cols start dark and modes >= rows are
               // never read.
               for (int64_t k = c.rank; k < std::min(s.rows, s.cols); ++k) p.scale(static_cast<int32_t>(k), 0.0);
               append_mesh(p, c.u, s.mzi_loss, s.phase_shifter_loss, s.idle_loss);
             }},
             s.body);
  for (int32_t i = 0; i < p.outputs; ++i) {
    const double f =
        s.fill_loss * (static_cast<size_t>(i) < s.out_loss.size() ? s.out_loss[static_cast<size_t>(i)] : 1.0);
    if (f != 1.0) p.scale(i, f);
    if (static_cast<size_t>(i) < s.out_phase_rad.size())
      p.scale(i, std::polar(1.0, s.out_phase_rad[static_cast<size_t>(i)]));
  }
  return p;
}

SolverOptions solver_options(const TileState& s, bool use_pdk_loss) {
  SolverOptions o;
  o.use_pdk_loss = use_pdk_loss;
  auto add_mesh = [&](std::string_view inst, const MeshState& m) {
    for (size_t k = 0; k < m.mesh.mzis.size(); ++k) {
      InstanceOverride ov;
      ov.settings = {{"theta_rad", m.mesh.mzis[k].theta_rad}, {"phi_rad", m.mesh.mzis[k].phi_rad}};
      if (!m.errors.empty()) {
        ov.has_coupler_error = true;
        ov.coupler_error = m.errors[k];
      }
      o.overrides[fmt::format("{}/{}", inst, circuit::mesh_mzi_name(static_cast<int64_t>(k)))] = ov;
    }
    for (size_t i = 0; i < m.mesh.output_phase_rad.size(); ++i) {
      InstanceOverride ov;
      ov.settings = {{"phi_rad", m.mesh.output_phase_rad[i]}};
      o.overrides[fmt::format("{}/{}", inst, circuit::mesh_screen_name(static_cast<int64_t>(i)))] = ov;
    }
  };
  std::visit(
      circuit::Overloaded{[&](const CoherentTileState& c) {
        add_mesh(circuit::kTileVh, c.vh);
        add_mesh(circuit::kTileU, c.u);
        for (size_t k = 0; k < c.att.size(); ++k) {
          InstanceOverride ov;
          ov.settings = {{"theta_rad", c.att[k].theta_rad}, {"phi_rad", c.att[k].phi_rad}};
          if (s.coupler_errors) {
            ov.has_coupler_error = true;
            ov.coupler_error = c.att[k].error;
          }
          o.overrides[fmt::format("{}/{}", circuit::kTileAtt, circuit::attenuator_name(static_cast<int64_t>(k)))] = ov;
        }
      }},
      s.body);
  return o;
}

}  // namespace holo::sim
