// How the values of one optical stage reach the next (docs/physics.md#analog-links): through an ADC, the
// electronics and a DAC (digital, the default), or on an analog path (inter_layer "analog": the receiver's
// transimpedance amplifier drives the next stage's modulator through an analog nonlinearity, no conversion). The
// netlist records the choice in info "inter_layer"; the analysis (energy, latency, converter counts) and the
// simulator (signal quantization) read it through stage_links, once.
#pragma once

#include <string>
#include <vector>

#include "holo/circuit/netlist.h"

namespace holo::circuit {

struct StageLink {
  bool analog_in = false;   // an optical stage whose modulators are driven by the previous stage's receivers
  bool analog_out = false;  // an optical stage whose receivers drive the next stage's modulators
};

// One entry per n.stages element (electronic stages: both false). A link is analog when the netlist asks for it,
// both optical stages have one output position (a Conv's time-multiplexed positions need storage) and every stage
// between them is an op an analog circuit does exactly: Relu (a clamp), or a pure reshape.
std::vector<StageLink> stage_links(const Netlist& n);

// The ops an analog link passes through (Relu, Flatten, Reshape, Identity).
bool analog_passable(const std::string& op);

// True when the netlist asks for analog links between optical stages.
bool analog_inter_layer(const Netlist& n);

}  // namespace holo::circuit
