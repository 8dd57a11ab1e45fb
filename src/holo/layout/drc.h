// Design-rule check of flattened geometry against the PDK's rules, and the same rules written as a
// KLayout DRC deck. Semantics follow KLayout's flat checks with merged polygons and the Euclidean metric:
//  - width:     two boundary edges of the merged layer facing each other across its inside, closer than min;
//  - space:     two boundary edges facing each other across the outside (different shapes or a notch);
//  - enclosure: a boundary edge of the enclosed layer (e.g. VIA) closer than min to an edge of the
//               enclosing layer (M2) outside it, or any part of the enclosed layer not covered at all;
//  - bend_radius: estimated on the drawn outlines (see docs/layout.md): along each run of short boundary
//               edges (<= 2 um) that turn the same way by at most 15 degrees per vertex, each window of
//               3 um of outline gives the radius of the circle through its first, middle and last vertex;
//               the centreline radius is that minus (convex side) or plus (concave side) half the
//               waveguide width; flagged when below the minimum by more than 1% (vertices rounded to the
//               grid make the estimate uncertain by a few tenths of a percent).
// Edge pairs are considered only when the edges enclose an angle below 90 degrees (KLayout's default), so
// right-angle and obtuse corners pass and acute corners are flagged, as in KLayout.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "holo/layout/cell.h"
#include "holo/pdk/pdk.h"

namespace holo::layout {

struct DrcRule {
  std::string name;  // e.g. "WG.W.1"
  std::string kind;  // width | space | enclosure | bend_radius
  std::string layer_name;
  LayerSpec layer;
  std::string other_name;  // enclosure: the enclosed layer
  LayerSpec other;
  Coord min_nm = 0;
  std::string source;
};

struct DrcDeck {
  std::string pdk_name;
  std::vector<DrcRule> rules;
  Coord wg_width_nm = 500;  // waveguide width for the centreline radius of bend_radius rules
};

// The deck of a PDK (PDK-MISSING-LAYER for a rule on an unknown layer).
DrcDeck drc_deck(const pdk::Pdk& pdk);

// Bend-radius estimator constants (shared with the KLayout deck).
inline constexpr double kBendMaxTurnDeg = 15.0;
inline constexpr Coord kBendMaxEdgeNm = 2000;
inline constexpr Coord kBendWindowNm = 3000;
inline constexpr double kBendSlack = 0.01;

struct Violation {
  std::string rule;
  std::string kind;
  std::string layer;       // layer name (enclosure: the enclosing layer)
  Box where;               // nm, around the offending edges
  double measured_nm = 0;  // distance or radius found (0 for an uncovered enclosed shape)
  Coord min_nm = 0;
  std::string detail;  // e.g. "width 0.300 um < 0.400 um", "VIA not covered by M2"
};

struct DrcReport {
  std::vector<Violation> violations;      // at most max_per_rule per rule, rules in deck order
  std::map<std::string, int64_t> counts;  // every rule of the deck, 0 when clean
  int64_t total = 0;
  double work = 0;  // edge comparisons made (what DrcOptions::max_work_per_vertex bounds)
  bool clean() const { return total == 0; }
};

struct DrcOptions {
  size_t max_per_rule = 200;
  // Budget of edge comparisons: min_work + max_work_per_vertex x the flat vertices (DRC-TOO-COMPLEX beyond it;
  // <= 0: none). A real layout's shapes meet only their neighbours: the digits chips need ~95 per vertex (968M
  // for the MLP's 10.4M vertices, ~12 s). Shapes piled on one another or a polygon whose edges all cross need
  // about as many per vertex as there are vertices (docs/layout.md, "Resource budgets"). min_work is ~1 s.
  double max_work_per_vertex = 1000;
  double min_work = 1e8;
};

DrcReport run_drc(const FlatLayout& flat, const DrcDeck& deck, const DrcOptions& opts = {});

// The deck as a KLayout DRC script (plain DSL; save it with the .drc extension) checking the same rules
// on flat, merged geometry. Run: klayout -b -r chip.drc -rd input=chip.gds -rd report=report.lyrdb
std::string klayout_deck(const DrcDeck& deck);

}  // namespace holo::layout
