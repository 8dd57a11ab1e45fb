// Cell generators driven by the PDK (LayoutParams): each creates a cell in a Library, with named ports,
// and returns its name; asking twice for the same parameters returns the existing cell. Every cell is
// clean under the PDK's DRC on its own (tests/unit/layout checks it), and cells whose ports meet abut
// exactly (same end edge), so chains of them are clean too.
//
// Port conventions (as in circuit/netlist.h): optical ports o1, o2, ... counter-clockwise from the
// west-bottom; a 2x2 cell (directional coupler, MZI) has o2 (west) and o3 (east) on its upper waveguide at
// y = 0 and o1 / o4 on the lower one at y = -port_pitch. Port angles point out of the cell.
#pragma once

#include <map>
#include <string>

#include "holo/layout/cell.h"
#include "holo/layout/params.h"

namespace holo::layout {

// Exposes an MZI cell `mzi` (referenced in `c`) as an attenuator: its bar path o2 -> o3 as o1 -> o2 and the
// theta heater's contacts as e1, e2.
void add_attenuator_ports(Cell& c, const Cell& mzi);

class CellFactory {
 public:
  CellFactory(Library& lib, LayoutParams params) : lib_(lib), p_(std::move(params)) {}

  const LayoutParams& params() const { return p_; }
  Library& library() { return lib_; }

  // Straight waveguide from o1 (0,0) west to o2 (length,0) east.                 "wg_L<length>"
  std::string straight(Coord length);
  // Bends from o1 (0,0) heading east, turning left (counter-clockwise) by angle_deg (90 or 180), with a
  // straight stub of params().end_stub at both ends; place with a mirror to turn right.
  // LAYOUT-BEND-RADIUS below the PDK's minimum radius.
  std::string bend_circular(Coord radius, int angle_deg = 90);   // "bend_R<r>_A<a>"
  std::string bend_euler(Coord min_radius, int angle_deg = 90);  // "euler_R<r>_A<a>_P<p%>"
  // Centreline length in nm of a straight or bend this factory made (LAYOUT-MISSING-CELL otherwise).
  double centerline_length_nm(const std::string& cell) const;
  // 50:50 directional coupler: S-bends from the port pitch to the coupling gap, coupling length.
  std::string directional_coupler();  // "dc_G<gap>_L<length>_P<pitch>"
  // One via (VIA square) and the heater contact (HEATER + contact-metal squares with an AREF of vias).
  std::string via();             // "via_<size>"
  std::string heater_contact();  // "htr_contact_<size>"
  // Thermal phase shifter: straight waveguide with a heater over it between two contacts.
  // Ports o1, o2 (optical), e1, e2 (M2, pointing north from each contact).  "ps_L<heater length>"
  std::string phase_shifter();
  // MZI: [phase shifter phi on the upper arm] coupler [phase shifter theta on the upper arm] coupler
  // (docs/linalg.md section 1); electrical ports phi_e1, phi_e2, theta_e1, theta_e2. Without phi the first
  // section is left out (used by the attenuator).        "mzi_P<pitch>" / "mzi_theta_P<pitch>"
  std::string mzi(bool with_phi = true);
  // The mesh MZI with its heaters wired on the contact metal (M2; routing.h): the two middle contacts (phi_e2,
  // theta_e1) joined as the MZI's common terminal, which rises to a wire `wire_offset()` above the arm and leaves the
  // east edge (port "gnd"); phi's drive contact phi_e1 sits on the west edge (port "phi", on the arm); theta's drive
  // contact theta_e2 drops to a wire `wire_offset()` below the arm that leaves the west edge (port "theta").
  // Optical ports as mzi(true). LAYOUT-PARAM when the mode pitch leaves no room for the two wires between
  // MZIs two modes apart.                                                                     "mzi_w_P<pitch>"
  std::string mzi_wired();
  // Distance of the wired MZI's ground and theta wires from the arm: contact half-size + space + half width (of
  // the wires on the contact metal).
  Coord wire_offset() const {
    return p_.contact_size / 2 + p_.metals.contact().wire_space + p_.metals.contact().wire_width / 2;
  }
  // MZI attenuator: input o1 = the MZI's upper-left port, output o2 = the bar (upper-right) output, the
  // cross output turned away by an Euler bend; electrical e1, e2 = the theta heater.  "mzi_attenuator"
  std::string mzi_attenuator();
  // Fibre grating coupler: taper and grating to the west of o1 (0,0), which points east.  "grating_coupler"
  std::string grating_coupler();
  // Germanium photodetector: light enters o1 (0,0) pointing west; e1 on the M2 contact.  "photodetector"
  std::string photodetector();
  // Wire-bond pad centred at (0,0): M2 square and PAD opening; e1 on its south edge.  "bond_pad"
  std::string bond_pad();

  // A TEXT label on the PDK's TEXT layer.
  void add_label(Cell& cell, const std::string& text, Point at) const;

 private:
  Port optical(const std::string& name, Point at, int angle) const;
  Cell* existing(const std::string& name);

  Library& lib_;
  LayoutParams p_;
  std::map<std::string, double> lengths_;  // centreline length of the straights and bends made here, nm
};

}  // namespace holo::layout
