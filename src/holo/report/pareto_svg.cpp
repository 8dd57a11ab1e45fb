#include "holo/report/pareto_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "holo/support/text.h"

namespace holo::report {
namespace {

constexpr double kPanelW = 420, kPanelH = 320, kMarginL = 70, kMarginR = 20, kMarginT = 30, kMarginB = 50;

struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  double map(double v, double a, double b) const {  // value -> pixel between a (lo) and b (hi)
    const double t = log ? (std::log10(v) - lo) / (hi - lo) : (v - lo) / (hi - lo);
    return a + t * (b - a);
  }
};

bool usable(double v, bool log) {
  return std::isfinite(v) && (!log || v > 0);
}

Axis axis_for(std::vector<double> vals, double target, bool log) {
  if (usable(target, log)) vals.push_back(target);
  Axis a;
  a.log = log;
  if (vals.empty()) return a;
  double lo = *std::min_element(vals.begin(), vals.end()), hi = *std::max_element(vals.begin(), vals.end());
  if (log) lo = std::log10(lo), hi = std::log10(hi);
  if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
  const double pad = 0.06 * (hi - lo);
  a.lo = lo - pad;
  a.hi = hi + pad;
  return a;
}

std::string tick_text(double v) {
  return fmt::format("{:.3g}", v);
}

std::string panel(const std::vector<PlotPoint>& pts, const PlotPanel& p, double ox, double oy) {
  std::vector<double> xs, ys;
  for (const PlotPoint& q : pts) {
    auto x = q.values.find(p.x), y = q.values.find(p.y);
    if (x == q.values.end() || y == q.values.end()) continue;
    if (!usable(x->second, p.log_x) || !usable(y->second, p.log_y)) continue;
    xs.push_back(x->second);
    ys.push_back(y->second);
  }
  const Axis ax = axis_for(xs, p.x_target, p.log_x), ay = axis_for(ys, p.y_target, p.log_y);
  const double x0 = ox + kMarginL, x1 = ox + kPanelW - kMarginR, y0 = oy + kPanelH - kMarginB, y1 = oy + kMarginT;
  std::string s = fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"white\" stroke=\"#444\"/>\n", x0, y1,
      x1 - x0, y0 - y1);
  // Five ticks per axis (in decades on a log axis).
  for (int i = 0; i <= 4; ++i) {
    const double tx = ax.lo + (ax.hi - ax.lo) * i / 4, ty = ay.lo + (ay.hi - ay.lo) * i / 4;
    const double vx = ax.log ? std::pow(10, tx) : tx, vy = ay.log ? std::pow(10, ty) : ty;
    const double px = x0 + (x1 - x0) * i / 4, py = y0 + (y1 - y0) * i / 4;
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n", px, y0, px,
                     y1);
    s += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>\n", x0, py, x1,
                     py);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" text-anchor=\"middle\">{}</text>\n", px, y0 + 14,
                     tick_text(vx));
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" text-anchor=\"end\">{}</text>\n", x0 - 4, py + 3,
                     tick_text(vy));
  }
  s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\" text-anchor=\"middle\">{}{}</text>\n",
                   (x0 + x1) / 2, y0 + 32, xml_escape(p.x_label), p.log_x ? " (log)" : "");
  s += fmt::format(
      "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 {:.1f} "
      "{:.1f})\">{}{}</text>\n",
      ox + 16, (y0 + y1) / 2, ox + 16, (y0 + y1) / 2, xml_escape(p.y_label), p.log_y ? " (log)" : "");
  if (usable(p.x_target, p.log_x)) {
    const double px = ax.map(p.x_target, x0, x1);
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c00\" stroke-dasharray=\"5,4\"/>\n",
        px, y0, px, y1);
  }
  if (usable(p.y_target, p.log_y)) {
    const double py = ay.map(p.y_target, y0, y1);
    s += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#c00\" stroke-dasharray=\"5,4\"/>\n",
        x0, py, x1, py);
  }
  // Grey first, then the front, then the chosen point on top.
  for (int layer = 0; layer < 3; ++layer)
    for (const PlotPoint& q : pts) {
      const int l = q.best ? 2 : q.front ? 1 : 0;
      if (l != layer) continue;
      auto x = q.values.find(p.x), y = q.values.find(p.y);
      if (x == q.values.end() || y == q.values.end()) continue;
      if (!usable(x->second, p.log_x) || !usable(y->second, p.log_y)) continue;
      const char* fill = l == 2 ? "#d00" : l == 1 ? "#1f5fbf" : "#aaa";
      s += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{}\" fill=\"{}\" fill-opacity=\"0.85\"/>\n",
                       ax.map(x->second, x0, x1), ay.map(y->second, y0, y1), l == 2 ? 6 : 4, fill);
    }
  return s;
}

}  // namespace

std::string pareto_svg(const std::vector<PlotPoint>& points, const std::vector<PlotPanel>& panels,
                       const std::string& title) {
  const size_t rows = (panels.size() + 1) / 2;
  const double w = 2 * kPanelW, h = 30 + static_cast<double>(rows) * kPanelH;
  std::string s = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
      "width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\" font-family=\"sans-serif\">\n"
      "<rect width=\"100%\" height=\"100%\" fill=\"#fafafa\"/>\n"
      "<text x=\"10\" y=\"20\" font-size=\"14\">{}</text>\n",
      w, h, w, h, xml_escape(title));
  for (size_t i = 0; i < panels.size(); ++i)
    s += panel(points, panels[i], static_cast<double>(i % 2) * kPanelW, 30 + static_cast<double>(i / 2) * kPanelH);
  return s + "</svg>\n";
}

}  // namespace holo::report
