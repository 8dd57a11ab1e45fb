#include "holo/circuit/links.h"

namespace holo::circuit {

bool analog_passable(const std::string& op) {
  return op == "Relu" || op == "Flatten" || op == "Reshape" || op == "Identity";
}

bool analog_inter_layer(const Netlist& n) {
  auto it = n.info.find("inter_layer");
  return it != n.info.end() && it->second == "analog";
}

std::vector<StageLink> stage_links(const Netlist& n) {
  std::vector<StageLink> links(n.stages.size());
  if (!analog_inter_layer(n)) return links;
  for (size_t i = 0; i < n.stages.size(); ++i) {
    const Stage& a = n.stages[i];
    if (a.domain != "optical" || a.positions != 1) continue;
    for (size_t j = i + 1; j < n.stages.size(); ++j) {
      const Stage& b = n.stages[j];
      if (b.domain == "optical") {
        if (b.positions == 1) links[i].analog_out = links[j].analog_in = true;
        break;
      }
      if (b.domain != "electronic" || !analog_passable(b.op)) break;
    }
  }
  return links;
}

}  // namespace holo::circuit
