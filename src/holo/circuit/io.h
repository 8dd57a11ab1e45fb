// Deterministic serialization of the netlist: circuit.json (schema in docs/circuit-json.md, read back
// identically: write(read(write(n))) == write(n)), gdsfactory YAML netlist (*.pic.yml) and a SPICE-style
// netlist for interop.
#pragma once

#include <string>

#include "holo/circuit/netlist.h"
#include "holo/pdk/pdk.h"
#include "holo/support/file_io.h"

namespace holo::circuit {

// Doubles are printed in their shortest form that reads back to the same bits (round-trip exact). A
// non-finite number (not representable in JSON) is CIRCUIT-BAD-SETTING naming the field.
std::string to_json(const Netlist& n);
Netlist from_json(const std::string& text, const std::string& what);  // CIRCUIT-PARSE / CIRCUIT-SCHEMA errors
Netlist read_netlist(const std::string& path);

std::string to_pic_yml(const Netlist& n);  // gdsfactory schematic form: one YAML document per cell
std::string to_spice(const Netlist& n);    // .subckt per cell, one net per connection

// Logical grid placement written to the YAML: x = column * column_pitch_um, y = -mode * mode_pitch_um
// (only for instances with column >= 0 and mode >= 0). The defaults fit the default PDK's MZI (180 um
// long, 40 um tall) with routing margin.
struct PicYmlOptions {
  double column_pitch_um = 200.0;
  double mode_pitch_um = 50.0;
};
std::string to_pic_yml(const Netlist& n, const PicYmlOptions& options);

// SPICE with every instance's nets in its component's port order (the PDK template's, or the sub-cell's
// port list). The overload without a PDK orders a template's ports by the names the netlist uses (natural
// order, so e1.. before o1..) and can only list ports the netlist mentions.
std::string to_spice(const Netlist& n, const pdk::Pdk& pdk);

// Streaming forms of the writers (the same bytes): the text goes to `sink` cell by cell, so writing a
// large netlist to a file needs memory for one cell's text, not for the whole file.
void write_json(const Netlist& n, TextSink& sink);
void write_json_file(const Netlist& n, const std::string& path);  // atomically (temp file + rename)
void write_pic_yml(const Netlist& n, const PicYmlOptions& options, TextSink& sink);
void write_spice(const Netlist& n, const pdk::Pdk& pdk, TextSink& sink);

}  // namespace holo::circuit
