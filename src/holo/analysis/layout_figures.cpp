#include "holo/analysis/layout_figures.h"

#include <fmt/format.h>

#include <algorithm>

namespace holo::analysis {

void add_layout_figures(ChipMetrics& m, const LayoutFacts& facts) {
  const layout::ChipFigures& f = facts.figures;
  const double base_db = m.figure("worst_path_loss_db").value;
  m.figures.push_back({"die_area_mm2", "die area", f.die_area_mm2,
                       fmt::format("bounding box of the laid-out chip (chip.gds), {:.0f} x {:.0f} um", f.die_width_um,
                                   f.die_height_um)});
  m.figures.push_back({"waveguide_length_um", "total waveguide length", f.waveguide_length_um,
                       "x extent of every placed optical element summed over the mode tracks (mesh "
                       "components, equal-length fillers, I/O waveguides)"});
  m.figures.push_back(
      {"layout_added_loss_db", "insertion loss added by the layout", f.worst_path_added_loss_db,
       fmt::format("worst path: {:.0f} um of fillers and coupler fan-out waveguide at the PDK's "
                   "propagation loss, plus its {} fan-out bends and {} crossings (PDK figures); the grating "
                   "couplers' own loss is in worst_path_loss_db",
                   f.worst_path_added_length_um, f.worst_path_bends, f.crossings)});
  m.figures.push_back(
      {"io_length_spread_um", "I/O waveguide length spread", f.io_length_spread_um,
       fmt::format("longest minus shortest coupler-to-tile waveguide among one tile's inputs or outputs ({} "
                   "grating couplers at the PDK's fibre pitch fanned out to the mode pitch): a static phase "
                   "per channel, calibrated through the input modulators and the receivers' local oscillator at "
                   "a reference temperature; holo simulate --delta-t-k models its drift (the per-channel lengths "
                   "are in circuit.json's drawn paths)",
                   f.io_couplers)});
  // With the drawn paths recorded in the chip (compile does it before this), the loss model's worst path on them;
  // otherwise the upper bound of the two worst cases added.
  double drawn_db = 0;
  bool drawn = false;
  for (const auto& [node, s] : m.stage_loss)
    if (s.drawn) drawn = true, drawn_db = std::max(drawn_db, s.loss_db);
  if (drawn)
    m.figures.push_back({"worst_path_loss_with_layout_db", "worst-path insertion loss on the drawn paths", drawn_db,
                         "max over optical stages of report stages[].loss_db: the loss model of "
                         "docs/simulation.md#losses on the paths the layout drew (fan-in and fan-out waveguides and "
                         "bends, output grating couplers, wiring-channel straights, idle slots as straights), the "
                         "same numbers holo simulate propagates"});
  else
    m.figures.push_back({"worst_path_loss_with_layout_db", "worst-path insertion loss incl. layout",
                         base_db + f.worst_path_added_loss_db,
                         "worst_path_loss_db + layout_added_loss_db (an upper bound: the two worst cases are "
                         "added)"});
  if (f.cutback_length_um.size() >= 2)
    m.figures.push_back(
        {"cutback_length_step_um", "cut-back set: length added per waveguide",
         f.cutback_length_um[1] - f.cutback_length_um[0],
         fmt::format("test structure: {} waveguides between the die edges, {:.3f} um long (centrelines of the "
                     "placed straights and circular bends); fit insertion loss against length for the "
                     "propagation loss",
                     f.cutback_length_um.size(), fmt::join(f.cutback_length_um, ", "))});
  m.counts["alignment_marks"] = f.alignment_marks;
  m.counts["test_structures"] = f.test_structures;
  m.counts["layout_bends"] = f.bends;
  m.counts["io_couplers"] = f.io_couplers;
  m.counts["layout_crossings"] = f.crossings;
  m.counts["layout_cells"] = f.layout_cells;
  m.counts["bond_pads"] = f.bond_pads;
  m.counts["ground_pads"] = f.ground_pads;
  const layout::HeaterNets& hn = facts.heater_nets;
  m.counts["wired_heaters"] = hn.heaters;
  m.counts["wiring_drive_nets"] = hn.drive_nets;
  m.counts["wiring_common_nets"] = hn.common_nets;
  m.counts["wiring_opens"] = hn.open_terminals + hn.dangling_pads;
  m.counts["wiring_shorts"] = hn.shorted_heaters + hn.undriven_heaters;
  m.figures.push_back(
      {"heater_wiring_length_um", "heater wiring on M2", f.wire_length_um,
       fmt::format("M2 length of the channel tracks, fan-outs and pad entries of the meshes' heater wiring "
                   "(one pad per heater, {} for ground tracks; the wires inside each MZI cell and the test "
                   "structure's not counted); checked from the geometry of the whole chip ({} bond pads): {} "
                   "heaters, {} own drive nets, {} common nets, {} shorts, {} opens",
                   f.ground_pads, f.bond_pads, hn.heaters, hn.drive_nets, hn.common_nets, m.counts["wiring_shorts"],
                   m.counts["wiring_opens"])});
  m.counts["lvs_mismatches"] = facts.lvs_mismatches;
  // What an independent reader must find in chip.gds (tests/e2e/test_chip_layout.py checks it with KLayout).
  for (const auto& [layer, n] : facts.shapes_per_layer) m.counts["layout_shapes_" + layer] = n;
}

}  // namespace holo::analysis
