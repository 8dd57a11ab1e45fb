#include "holo/circuit/netlist.h"

namespace holo::circuit {

const Cell* Netlist::find_cell(const std::string& cell_name) const {
  for (const Cell& c : cells)
    if (c.name == cell_name) return &c;
  return nullptr;
}

Cell* Netlist::find_cell(const std::string& cell_name) {
  return const_cast<Cell*>(static_cast<const Netlist&>(*this).find_cell(cell_name));
}

}  // namespace holo::circuit
