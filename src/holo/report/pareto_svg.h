// Scatter plots of design points for `holo explore` (DIR/pareto.svg): one panel per pair of objectives, every
// evaluated point in grey, the Pareto front in blue, the chosen point in red, the targets as dashed lines. Plain
// SVG 1.1 with no script or external reference, so any browser shows it offline.
#pragma once

#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace holo::report {

struct PlotPoint {
  std::map<std::string, double> values;
  bool front = false;
  bool best = false;
};

struct PlotPanel {
  std::string x, y;              // keys into PlotPoint::values
  std::string x_label, y_label;  // axis titles (units in them)
  bool log_x = false, log_y = false;
  double x_target = NAN, y_target = NAN;  // dashed target lines (NaN: none)
};

// Panels laid out two per row. Points without a finite value (or non-positive on a log axis) are left out of
// that panel. Deterministic text for the same input.
std::string pareto_svg(const std::vector<PlotPoint>& points, const std::vector<PlotPanel>& panels,
                       const std::string& title);

}  // namespace holo::report
