#include "holo/circuit/path_loss.h"

#include <algorithm>
#include <limits>
#include <variant>

namespace holo::circuit {

namespace {

constexpr double kCmPerUm = 1e-4;
constexpr double kDead = -std::numeric_limits<double>::infinity();  // a mode no light reaches

double figure(const pdk::Pdk& pdk, const char* tmpl, const char* key) {
  return pdk.tmpl(tmpl).number(key);
}

// What a mode's worst path so far has crossed (WorstPath's counts).
struct Crossed {
  int64_t input = -1;
  int64_t mzis[2] = {0, 0}, idle[2] = {0, 0}, screens[2] = {0, 0};
  int64_t attenuators = 0;
};

// Accumulated worst loss per mode through one mesh (the same slot order as sim's mesh path), and what that
// worst path crossed (`which`: 0 the V^H mesh, 1 the U mesh).
void through_mesh(std::vector<double>& acc, std::vector<Crossed>& path, int which, const linalg::Mesh& mesh,
                  const TileLoss& l) {
  std::vector<int32_t> done(static_cast<size_t>(mesh.n), 0);
  auto pad_to = [&](int32_t mode, int32_t column) {
    auto m = static_cast<size_t>(mode);
    if (column > done[m] && acc[m] != kDead) {
      acc[m] += static_cast<double>(column - done[m]) * l.idle_slot_db;
      path[m].idle[which] += column - done[m];
    }
    done[m] = std::max(done[m], column);
  };
  for (const linalg::MziSetting& z : mesh.mzis) {
    pad_to(z.mode, z.column);
    pad_to(z.mode + 1, z.column);
    auto a = static_cast<size_t>(z.mode), b = a + 1;
    const double worst = std::max(acc[a], acc[b]);
    const Crossed from = path[acc[a] >= acc[b] ? a : b];  // ties: the lower mode's path
    acc[a] = acc[b] = worst == kDead ? kDead : worst + l.mzi_db;
    path[a] = path[b] = from;
    ++path[a].mzis[which];
    ++path[b].mzis[which];
    done[a] = done[b] = z.column + 1;
  }
  for (int32_t m = 0; m < mesh.n; ++m) pad_to(m, mesh.columns);
  if (!mesh.output_phase_rad.empty())
    for (size_t m = 0; m < mesh.output_phase_rad.size(); ++m)
      if (acc[m] != kDead) {
        acc[m] += l.screen_db;
        ++path[m].screens[which];
      }
}

}  // namespace

TileLoss tile_loss(const Tile& tile, const pdk::Pdk& pdk, const LossOptions& o) {
  TileLoss l;
  l.in_db.assign(static_cast<size_t>(tile.cols), 0.0);
  l.out_db.assign(static_cast<size_t>(tile.rows), 0.0);
  if (!o.use_pdk_loss) return l;
  const double gc_db =
      pdk.templates.count("grating_coupler") ? figure(pdk, "grating_coupler", "insertion_loss_db") : 0.0;
  const double mod_db = figure(pdk, "modulator", "insertion_loss_db");
  const double rx_db = figure(pdk, "homodyne_receiver", "insertion_loss_db");
  // Thermo-optic MZIs and shifters: the insertion loss plus propagation over the part's length (an attenuator
  // is the same MZI); the modulator's, couplers' and receiver's figures are whole-device losses.
  const double wg_db_per_um = figure(pdk, "waveguide", "loss_db_per_cm") * kCmPerUm;
  const double mzi_len_um = figure(pdk, "mzi", "length_um");
  const pdk::Template& ps = pdk.tmpl("phase_shifter");
  l.mzi_db = figure(pdk, "mzi", "insertion_loss_db") + wg_db_per_um * mzi_len_um;
  l.attenuator_db = figure(pdk, "attenuator", "insertion_loss_db") + wg_db_per_um * mzi_len_um;
  l.screen_db = ps.number("insertion_loss_db") + (ps.has("length_um") ? wg_db_per_um * ps.number("length_um") : 0.0);
  for (double& v : l.in_db) v = gc_db + mod_db;
  for (double& v : l.out_db) v = rx_db;
  const DrawnPaths* d = o.use_drawn && tile.drawn ? &*tile.drawn : nullptr;
  if (d) {
    l.drawn = true;
    const double bend_db = figure(pdk, "waveguide", "bend_loss_db_per_90");
    const double cross_db = d->crossings > 0 ? figure(pdk, "waveguide", "crossing_loss_db") : 0.0;
    for (size_t j = 0; j < l.in_db.size() && j < d->in_length_um.size(); ++j)
      l.in_db[j] += wg_db_per_um * d->in_length_um[j] + bend_db * static_cast<double>(d->in_bends[j]);
    for (size_t i = 0; i < l.out_db.size() && i < d->out_length_um.size(); ++i)
      l.out_db[i] += wg_db_per_um * d->out_length_um[i] + bend_db * static_cast<double>(d->out_bends[i]) +
                     (d->output_couplers ? gc_db : 0.0);
    l.fill_db = wg_db_per_um * d->fill_length_um + cross_db * static_cast<double>(d->crossings);
    l.idle_slot_db = wg_db_per_um * d->slot_length_um;
  }
  if (o.balanced) l.idle_slot_db = l.mzi_db;
  return l;
}

double worst_path_loss_db(const TileView& tile, const TileLoss& loss) {
  return worst_path(tile, loss).loss_db;
}

WorstPath worst_path(const TileView& tile, const TileLoss& loss) {
  double worst = kDead;
  WorstPath out;
  std::visit(Overloaded{[&](const CoherentTile& c) {
               const int64_t modes = std::max(tile.rows, tile.cols);
               std::vector<double> acc(static_cast<size_t>(modes), kDead);
               std::vector<Crossed> path(static_cast<size_t>(modes));
               for (int64_t j = 0; j < tile.cols; ++j) {
                 acc[static_cast<size_t>(j)] = loss.in_db[static_cast<size_t>(j)];
                 path[static_cast<size_t>(j)].input = j;
               }
               through_mesh(acc, path, 0, c.vh.mesh, loss);
               for (int64_t k = 0; k < modes; ++k) {
                 const auto m = static_cast<size_t>(k);
                 acc[m] = k < c.rank && acc[m] != kDead ? acc[m] + loss.attenuator_db : kDead;
                 if (acc[m] != kDead) ++path[m].attenuators;
               }
               through_mesh(acc, path, 1, c.u.mesh, loss);
               for (int64_t i = 0; i < tile.rows; ++i) {
                 const auto m = static_cast<size_t>(i);
                 if (acc[m] == kDead) continue;
                 const double total = acc[m] + loss.fill_db + loss.out_db[m];
                 if (total <= worst) continue;
                 worst = total;
                 const Crossed& p = path[m];
                 out.input = p.input;
                 out.output = i;
                 out.vh_mzis = p.mzis[0];
                 out.vh_idle_slots = p.idle[0];
                 out.vh_screens = p.screens[0];
                 out.attenuators = p.attenuators;
                 out.u_mzis = p.mzis[1];
                 out.u_idle_slots = p.idle[1];
                 out.u_screens = p.screens[1];
               }
             }},
             tile.body);
  out.loss_db = worst == kDead ? 0.0 : worst;
  return out;
}

}  // namespace holo::circuit
