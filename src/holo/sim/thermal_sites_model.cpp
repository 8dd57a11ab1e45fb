#include "holo/sim/thermal_sites_model.h"

#include <fmt/format.h>

#include <Eigen/SparseLU>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <numbers>
#include <tuple>
#include <variant>

#include "holo/linalg/mzi.h"
#include "holo/support/error.h"

namespace holo::sim {
namespace {

constexpr double kPi = std::numbers::pi;

Segment segment(const circuit::SegmentUm& g) {
  return {g.x0_um, g.x1_um, g.y_um};
}

void check(const Segment& s, const char* what, size_t i) {
  if (!std::isfinite(s.x0_um) || !std::isfinite(s.x1_um) || !std::isfinite(s.y_um) || !(s.x1_um > s.x0_um))
    fail("SIM-BAD-THERMAL", fmt::format("thermal crosstalk: {} {} is not a finite segment with x0 < x1 "
                                        "(x0 {} um, x1 {} um, y {} um)",
                                        what, i, s.x0_um, s.x1_um, s.y_um));
}

}  // namespace

double crosstalk_cutoff_um(const ThermalStack& s, double rel) {
  const double self = heater_rise(s, 0.0);
  double lo = 0, hi = 1;
  while (heater_rise(s, hi) > rel * self && hi < 1e6) hi *= 2;
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    (heater_rise(s, mid) > rel * self ? lo : hi) = mid;
  }
  return hi;
}

SparseMatrixD sparse_crosstalk_matrix(const ThermalStack& s, const std::vector<Segment>& heaters,
                                      const std::vector<Segment>& probes, double cutoff_um) {
  for (size_t j = 0; j < heaters.size(); ++j) check(heaters[j], "heater", j);
  for (size_t i = 0; i < probes.size(); ++i) check(probes[i], "waveguide", i);
  const double self = heater_rise(s, 0.0);
  const double per_mw = kPi / s.p_pi_mw;
  // Probes by y (then index): a heater looks only at the probes within the cutoff of its track.
  std::vector<size_t> by_y(probes.size());
  for (size_t i = 0; i < by_y.size(); ++i) by_y[i] = i;
  std::sort(by_y.begin(), by_y.end(), [&](size_t a, size_t b) {
    return probes[a].y_um != probes[b].y_um ? probes[a].y_um < probes[b].y_um : a < b;
  });
  std::map<double, double> rise;  // by |lateral offset|
  std::vector<Eigen::Triplet<double>> entries;
  for (size_t j = 0; j < heaters.size(); ++j) {
    const Segment& h = heaters[j];
    const double len = h.x1_um - h.x0_um;
    auto it = std::lower_bound(by_y.begin(), by_y.end(), h.y_um - cutoff_um,
                               [&](size_t i, double y) { return probes[i].y_um < y; });
    for (; it != by_y.end() && probes[*it].y_um <= h.y_um + cutoff_um; ++it) {
      const Segment& p = probes[*it];
      const double overlap = std::min(h.x1_um, p.x1_um) - std::max(h.x0_um, p.x0_um);
      if (overlap <= 0) continue;
      const double dy = std::fabs(p.y_um - h.y_um);
      auto r = rise.find(dy);
      if (r == rise.end()) r = rise.emplace(dy, heater_rise(s, dy) / self).first;
      entries.emplace_back(static_cast<int>(*it), static_cast<int>(j), per_mw * overlap / len * r->second);
    }
  }
  SparseMatrixD c(static_cast<Eigen::Index>(probes.size()), static_cast<Eigen::Index>(heaters.size()));
  c.setFromTriplets(entries.begin(), entries.end());
  return c;
}

SiteCrosstalk site_crosstalk(const ThermalStack& s, const std::vector<circuit::ThermalSite>& sites, double rel_cutoff) {
  const size_t n = sites.size();
  SiteCrosstalk x;
  x.cutoff_um = crosstalk_cutoff_um(s, rel_cutoff);
  x.self_rad_per_mw = kPi / s.p_pi_mw;
  std::vector<Segment> heaters, probes;
  std::vector<size_t> other_of;  // probe index of site i's other arm, or n * 2 (none)
  heaters.reserve(n);
  probes.reserve(2 * n);
  for (const circuit::ThermalSite& t : sites) {
    heaters.push_back(segment(t.heater));
    probes.push_back(segment(t.arm));
  }
  for (size_t i = 0; i < n; ++i) {
    if (!sites[i].has_other_arm) continue;
    other_of.push_back(i);
    probes.push_back(segment(sites[i].other_arm));
  }
  const SparseMatrixD c = sparse_crosstalk_matrix(s, heaters, probes, x.cutoff_um);
  // Row p of C: the arm of site p (p < n) or the other arm of site other_of[p - n].
  std::vector<Eigen::Triplet<double>> d, k;
  for (Eigen::Index col = 0; col < c.outerSize(); ++col)
    for (SparseMatrixD::InnerIterator it(c, col); it; ++it) {
      const auto p = static_cast<size_t>(it.row());
      if (p < n) {
        d.emplace_back(static_cast<int>(p), static_cast<int>(col), it.value());
      } else {
        const auto i = static_cast<int>(other_of[p - n]);
        d.emplace_back(i, static_cast<int>(col), -it.value());
        k.emplace_back(i, static_cast<int>(col), it.value());
      }
    }
  const auto nn = static_cast<Eigen::Index>(n);
  x.effective.resize(nn, nn);
  x.effective.setFromTriplets(d.begin(), d.end());
  x.common.resize(nn, nn);
  x.common.setFromTriplets(k.begin(), k.end());
  return x;
}

Eigen::VectorXd site_targets_rad(const circuit::TileView& t, const std::vector<circuit::ThermalSite>& sites) {
  Eigen::VectorXd out(static_cast<Eigen::Index>(sites.size()));
  for (size_t i = 0; i < sites.size(); ++i) {
    const circuit::ThermalSite& st = sites[i];
    const auto k = static_cast<size_t>(st.index);
    bool found = false;
    double v = 0;
    std::visit(circuit::Overloaded{[&](const circuit::CoherentTile& c) {
                 if (st.part == circuit::kTileAtt) {
                   if (st.shifter == circuit::Shifter::Theta && st.index >= 0 && k < c.att.attenuators.size()) {
                     v = c.att.attenuators[k].theta_rad;
                     found = true;
                   }
                   return;
                 }
                 if (st.part != circuit::kTileVh && st.part != circuit::kTileU) return;
                 const linalg::Mesh& m = st.part == circuit::kTileVh ? c.vh.mesh : c.u.mesh;
                 if (st.index < 0) return;
                 if (st.shifter == circuit::Shifter::Screen) {
                   if (k < m.output_phase_rad.size()) {
                     v = m.output_phase_rad[k];
                     found = true;
                   }
                 } else if (k < m.mzis.size()) {
                   v = st.shifter == circuit::Shifter::Theta ? m.mzis[k].theta_rad : m.mzis[k].phi_rad;
                   found = true;
                 }
               }},
               t.body);
    if (!found)
      fail("SIM-BAD-THERMAL", fmt::format("tile '{}': thermal site {} ('{}' {}) is not a phase shifter of the tile",
                                          t.cell, i, circuit::site_instance(st), circuit::shifter_name(st.shifter)));
    out(static_cast<Eigen::Index>(i)) = linalg::wrap_phase(v);
  }
  return out;
}

Compensation compensate_sparse(const SparseMatrixD& c, const Eigen::VectorXd& target_rad, int32_t max_turns) {
  const Eigen::Index n = target_rad.size();
  if (c.rows() != n || c.cols() != n)
    fail("SIM-BAD-THERMAL",
         fmt::format("thermal compensation: crosstalk matrix {} x {} for {} target phases", c.rows(), c.cols(), n));
  for (Eigen::Index i = 0; i < n; ++i)
    if (!std::isfinite(target_rad(i)) || target_rad(i) < 0)
      fail("SIM-BAD-THERMAL", fmt::format("thermal compensation: target phase {} is {} rad (must be finite and "
                                          ">= 0: a heater only adds phase)",
                                          i, target_rad(i)));
  Compensation r;
  r.raised.assign(static_cast<size_t>(n), 0);
  const Eigen::VectorXd diag = c.diagonal();
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(diag(i) > 0))
      fail("SIM-BAD-THERMAL", fmt::format("thermal compensation: heater {} does not shift its own phase", i));
    r.power_uncompensated_mw += target_rad(i) / diag(i);
  }
  if (n == 0) {
    r.power_mw = r.phase_rad = Eigen::VectorXd::Zero(0);
    return r;
  }
  Eigen::SparseLU<SparseMatrixD, Eigen::COLAMDOrdering<int>> lu;
  lu.compute(c);
  if (lu.info() != Eigen::Success)
    fail("SIM-BAD-THERMAL", "thermal compensation: the crosstalk matrix is singular (sparse LU failed)");
  Eigen::VectorXd phase = target_rad;
  int64_t turns = 0;
  for (;;) {
    r.power_mw = lu.solve(phase);
    if (!r.power_mw.allFinite())
      fail("SIM-BAD-THERMAL", "thermal compensation: the crosstalk matrix is singular (non-finite powers)");
    const double floor_mw = 1e-12 * std::max(1.0, r.power_mw.cwiseAbs().maxCoeff());
    bool any = false;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (r.power_mw(i) >= -floor_mw) continue;
      phase(i) += 2 * kPi;
      ++r.raised[static_cast<size_t>(i)];
      any = true;
      if (++turns > max_turns)
        fail("SIM-BAD-THERMAL", fmt::format("thermal compensation: more than {} turns of 2 pi added to the targets "
                                            "without reaching non-negative heater powers",
                                            max_turns));
    }
    if (!any) break;
  }
  r.power_mw = r.power_mw.cwiseMax(0.0);
  r.phase_rad = c * r.power_mw;
  r.power_compensated_mw = r.power_mw.sum();
  r.max_residual_rad = (r.phase_rad - phase).cwiseAbs().maxCoeff();
  return r;
}

TileCompensation compensate_tile(const ThermalStack& s, const circuit::TileView& t,
                                 std::vector<circuit::ThermalSite> sites) {
  using clock = std::chrono::steady_clock;
  TileCompensation out;
  const auto n = static_cast<Eigen::Index>(sites.size());
  const Eigen::VectorXd nominal = site_targets_rad(t, sites);
  const auto t0 = clock::now();
  const SiteCrosstalk x = site_crosstalk(s, sites);
  out.build_s = std::chrono::duration<double>(clock::now() - t0).count();
  out.nonzeros = x.effective.nonZeros() + x.common.nonZeros();
  for (Eigen::Index i = 0; i < n; ++i) out.nominal_power_mw += nominal(i) / x.self_rad_per_mw;
  // The sites of each part by (shifter, index).
  std::map<std::tuple<std::string, circuit::Shifter, int64_t>, Eigen::Index> at;
  for (Eigen::Index i = 0; i < n; ++i) {
    const circuit::ThermalSite& st = sites[static_cast<size_t>(i)];
    at[{st.part, st.shifter, st.index}] = i;
  }
  auto find = [&](std::string_view part, circuit::Shifter k, int64_t index) -> Eigen::Index {
    auto it = at.find({std::string(part), k, index});
    return it == at.end() ? -1 : it->second;
  };
  Eigen::VectorXd shift = Eigen::VectorXd::Zero(n), offset = Eigen::VectorXd::Zero(n);
  // Carries the common phases c forward (the struct's comment): the phi and screen shifts, the attenuator offsets.
  auto carry = [&](const Eigen::VectorXd& c, Eigen::VectorXd& sh, Eigen::VectorXd& off) {
    sh.setZero();
    off.setZero();
    std::visit(circuit::Overloaded{[&](const circuit::CoherentTile& ct) {
                 auto mesh = [&](std::string_view part, const linalg::Mesh& m, std::vector<double>& d) {
                   for (size_t k = 0; k < m.mzis.size(); ++k) {
                     const auto mode = static_cast<size_t>(m.mzis[k].mode);
                     const Eigen::Index phi = find(part, circuit::Shifter::Phi, static_cast<int64_t>(k));
                     const Eigen::Index theta = find(part, circuit::Shifter::Theta, static_cast<int64_t>(k));
                     if (phi >= 0) sh(phi) = -(d[mode] - d[mode + 1]);
                     const double common = (phi >= 0 ? c(phi) : 0.0) + (theta >= 0 ? c(theta) : 0.0);
                     d[mode] = d[mode + 1] = common + d[mode + 1];
                   }
                   if (m.output_phase_rad.empty()) return;
                   for (size_t i = 0; i < m.output_phase_rad.size() && i < d.size(); ++i) {
                     const Eigen::Index ps = find(part, circuit::Shifter::Screen, static_cast<int64_t>(i));
                     if (ps < 0) continue;
                     sh(ps) = -d[i];
                     d[i] = 0;
                   }
                 };
                 std::vector<double> d(static_cast<size_t>(ct.vh.mesh.n), 0.0);
                 mesh(circuit::kTileVh, ct.vh.mesh, d);
                 // The V^H mesh has no screen and the attenuators no phi heater on the chip: the phase each mode
                 // carries out of V^H, plus its attenuator's common phase, enters the U mesh on that mode, whose
                 // phi heaters and screen absorb it like the U mesh's own common phases (no attenuator offset).
                 std::vector<double> du(static_cast<size_t>(ct.u.mesh.n), 0.0);
                 for (size_t k = 0; k < ct.att.attenuators.size() && k < du.size(); ++k) {
                   const Eigen::Index a = find(circuit::kTileAtt, circuit::Shifter::Theta, static_cast<int64_t>(k));
                   du[k] = (a >= 0 ? c(a) : 0.0) + (k < d.size() ? d[k] : 0.0);
                 }
                 mesh(circuit::kTileU, ct.u.mesh, du);
               }},
               t.body);
  };
  Compensation r;
  Eigen::VectorXd target(n), next(n), next_offset(n);
  for (;;) {
    for (Eigen::Index i = 0; i < n; ++i) target(i) = linalg::wrap_phase(nominal(i) + shift(i));
    const auto t1 = clock::now();
    r = compensate_sparse(x.effective, target);
    out.solve_s += std::chrono::duration<double>(clock::now() - t1).count();
    ++out.rounds;
    carry(x.common * r.power_mw, next, next_offset);
    double moved = 0;
    for (Eigen::Index i = 0; i < n; ++i)
      moved = std::max(moved, std::fabs(std::remainder(next(i) - shift(i), 2 * kPi)));
    shift = next;
    offset = next_offset;
    if (moved < 1e-13) break;
    if (out.rounds >= 50)
      fail("SIM-BAD-THERMAL", fmt::format("tile '{}': carrying the common phases forward did not converge in 50 "
                                          "rounds (last move {:.3g} rad)",
                                          t.cell, moved));
  }
  out.max_residual_rad = r.max_residual_rad;
  out.power_mw = r.power_compensated_mw;
  for (Eigen::Index i = 0; i < n; ++i) {
    circuit::ThermalSite& st = sites[static_cast<size_t>(i)];
    st.power_mw = r.power_mw(i);
    st.turns = r.raised[static_cast<size_t>(i)];
    st.target_rad = target(i);
    st.phi_offset_rad = st.part == circuit::kTileAtt ? offset(i) : 0.0;
    out.raised += st.turns;
  }
  out.sites = std::move(sites);
  return out;
}

}  // namespace holo::sim
