// Electrical check of the heater wiring from the geometry alone (no use of the router's bookkeeping): nets are
// the connected components of the metal stack's rectangles (params.h, MetalStack) that overlap or touch on one
// metal, joined across metals by the vias between them (a via joins the metals under its centre); a heater is
// a connected component of HEATER rectangles (its strip and the HEATER squares of its two contacts); its
// terminals are the nets of the contact metal (M2) over the contact vias (VIA) that sit on it; a pad is a PAD
// opening, on the net under its centre (the lowest metal there).
//
// The wiring is right when every heater has exactly two terminals on different nets (no shorted heater),
// one of them a net of its own that reaches a pad (a drive: the heater can be set alone), every terminal net
// reaches a pad (no open), and every pad is on a heater's net (no dangling pad). Nets with several heater
// terminals are common (ground) returns.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "holo/layout/cell.h"
#include "holo/layout/params.h"

namespace holo::layout {

struct HeaterNets {
  int64_t heaters = 0;                // HEATER components with a via
  int64_t pads = 0;                   // PAD openings
  int64_t drive_nets = 0;             // nets with exactly one heater terminal and a pad
  int64_t common_nets = 0;            // nets with several heater terminals and a pad
  int64_t shorted_heaters = 0;        // both terminals on one net
  int64_t odd_heaters = 0;            // heaters with one via-connected terminal or more than two
  int64_t undriven_heaters = 0;       // no terminal on a padded net of its own: cannot be set independently
  int64_t open_terminals = 0;         // heater terminals on a net without a pad
  int64_t dangling_pads = 0;          // pads on no heater's net
  int64_t non_rectangles = 0;         // shapes on the wiring layers that are not rectangles (bounding box used)
  std::vector<std::string> problems;  // the first few, with coordinates in um

  bool clean() const {
    return shorted_heaters == 0 && odd_heaters == 0 && undriven_heaters == 0 && open_terminals == 0 &&
           dangling_pads == 0 && non_rectangles == 0;
  }
};

// Checks the cell `top` of `lib` with everything it references (LAYOUT-MISSING-CELL, LAYOUT-CYCLE as flatten),
// on the layers of `p` (HEATER, PAD and the metal stack).
HeaterNets extract_heater_nets(const Library& lib, const std::string& top, const LayoutParams& p,
                               size_t max_problems = 20);

// The net under each point of `top`'s coordinates (the lowest metal there; the same id for points on one net,
// across metals; -1 where no metal is), for checking what a given pad reaches.
std::vector<int64_t> metal_nets_at(const Library& lib, const std::string& top, const LayoutParams& p,
                                   const std::vector<Point>& points);

}  // namespace holo::layout
