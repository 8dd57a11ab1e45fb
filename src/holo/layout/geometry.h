// Integer-nm geometry: points, boxes, polygons, Manhattan transformations, and waveguide centerlines
// (straight, circular arc, Euler bend, S-bend) turned into polygons on the 1 nm grid. Doubles appear only
// while a curve is computed; every stored coordinate is an int64 count of nanometres (GDS database unit).
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <vector>

namespace holo::layout {

using Coord = int64_t;  // nanometres

struct Point {
  Coord x = 0;
  Coord y = 0;
  friend Point operator+(Point a, Point b) { return {a.x + b.x, a.y + b.y}; }
  friend Point operator-(Point a, Point b) { return {a.x - b.x, a.y - b.y}; }
  friend Point operator*(Coord k, Point a) { return {k * a.x, k * a.y}; }
  friend auto operator<=>(const Point&, const Point&) = default;
};

// Axis-aligned box [x0, x1] x [y0, y1]; empty when x0 > x1.
struct Box {
  Coord x0 = 1, y0 = 1, x1 = 0, y1 = 0;                     // empty
  static Box of(Coord x0, Coord y0, Coord x1, Coord y1);    // normalised corners
  static Box centered(Point c, Coord width, Coord height);  // width and height must be even for exactness
  bool empty() const { return x0 > x1 || y0 > y1; }
  Coord width() const { return empty() ? 0 : x1 - x0; }
  Coord height() const { return empty() ? 0 : y1 - y0; }
  void add(Point p);
  void add(const Box& b);
  bool overlaps(const Box& b) const {  // closed boxes share a point
    return !empty() && !b.empty() && x0 <= b.x1 && b.x0 <= x1 && y0 <= b.y1 && b.y0 <= y1;
  }
  Box enlarged(Coord d) const { return empty() ? *this : Box{x0 - d, y0 - d, x1 + d, y1 + d}; }
  friend bool operator==(const Box&, const Box&) = default;
};

// A GDS layer / datatype pair.
struct LayerSpec {
  int layer = 0;
  int datatype = 0;
  friend auto operator<=>(const LayerSpec&, const LayerSpec&) = default;
};
std::string to_string(LayerSpec l);  // "1/0"

// A simple polygon: vertices in order, the first not repeated at the end. Either orientation.
using Polygon = std::vector<Point>;

Box bbox(const Polygon& p);
// Twice the signed area (positive when counter-clockwise), exact in 128-bit arithmetic narrowed to double.
double signed_area2(const Polygon& p);
Polygon box_polygon(const Box& b);  // counter-clockwise from the lower-left corner
// Removes repeated points and points on the straight line between their neighbours (exact integer test).
void compress(Polygon& p);
// Counter-clockwise orientation (reverses a clockwise polygon).
void make_ccw(Polygon& p);

// Boundary of a GDS PATH: segments through `pts` of `width`, extended by `begin_ext` / `end_ext` beyond the
// first / last point, with mitred corners. LAYOUT-PARAM when it folds back on itself (180-degree turn).
Polygon path_polygon(const std::vector<Point>& pts, Coord width, Coord begin_ext, Coord end_ext);

// Rounds a double nanometre value to the grid (round half away from zero); LAYOUT-RANGE when |v| >= 2^62.
Coord round_nm(double v);
// A length given in micrometres (PDK units) as integer nanometres.
Coord um_to_nm(double um);

// Manhattan transformation: optional mirror about the x axis, then a counter-clockwise rotation by
// rot * 90 degrees, then a displacement (the GDS SREF convention: STRANS reflection before ANGLE).
struct Trans {
  int rot = 0;  // 0..3 quarter turns
  bool mirror = false;
  Point disp;

  static Trans translate(Point d) { return Trans{0, false, d}; }
  static Trans make(int angle_deg, bool mirror, Point d);  // LAYOUT-ANGLE unless angle is a multiple of 90
  Point apply(Point p) const;
  Point apply_vector(Point v) const;          // without the displacement
  int apply_angle(int angle_deg) const;       // direction angle in degrees, result in [0, 360)
  Trans operator*(const Trans& inner) const;  // (this * inner)(p) = this(inner(p))
  Trans inverted() const;
  int angle_deg() const { return rot * 90; }
  friend bool operator==(const Trans&, const Trans&) = default;
};

Polygon transformed(const Polygon& p, const Trans& t);
Box transformed(const Box& b, const Trans& t);

// ---------------------------------------------------------------------------------------------
// Centerlines. A Centerline is a sequence of samples (position in nm as doubles, tangent angle in rad)
// built from straight, arc, Euler and taper pieces; `polygon()` offsets it by +-width/2 along the normals
// and rounds to the grid. At both ends the first and last boundary edges are made collinear with the
// end tangent, so an end whose tangent is a multiple of 90 degrees has exact right-angle corners and an
// end edge that meets the next piece's end edge exactly (no slivers, no acute corners for DRC).
struct CurveSample {
  double x = 0, y = 0;  // nm
  double angle = 0;     // tangent direction, rad
  double width = 0;     // path width at this sample, nm
};

class Centerline {
 public:
  // Starts at `start` heading along `angle_deg` (a multiple of 90 keeps the ends exact), for a path of
  // `width_nm`; arcs are sampled so no boundary edge deviates more than `tolerance_nm` from the true curve.
  Centerline(Point start, double angle_deg, double width_nm, double tolerance_nm);

  void straight(double length_nm);
  // Circular arc; angle_deg > 0 turns left (counter-clockwise).
  void arc(double radius_nm, double angle_deg);
  // Euler bend: clothoid transitions (curvature growing linearly from 0) over the fraction p of the
  // angle, circular at `min_radius_nm` in between (p = 1: pure clothoid, p = 0: circular arc).
  void euler(double min_radius_nm, double angle_deg, double p);
  // S-bend of two opposite circular arcs moving the path sideways by `offset_nm` (to the left when
  // positive) over `length_nm` (see sbend_radius). LAYOUT-PARAM unless 0 < |offset| <= length.
  void sbend(double length_nm, double offset_nm);
  // Straight linear taper from the current width to `end_width_nm` over `length_nm`.
  void taper(double length_nm, double end_width_nm);

  // Snaps the current end point to the grid (following pieces continue from the snapped point).
  void snap_end();

  Point end() const;             // rounded current end point
  double end_angle_deg() const;  // current tangent direction
  double length_nm() const { return length_; }
  double min_radius_nm() const { return min_radius_; }  // smallest radius used; +inf when straight only
  const std::vector<CurveSample>& samples() const { return samples_; }

  // Boundary polygon (CCW, compressed) of the path.
  Polygon polygon() const;

 private:
  void push(double x, double y, double angle, double width);
  double width_;
  double tolerance_;
  std::vector<CurveSample> samples_;
  double length_ = 0;
  double min_radius_;
};

// Radius of each of the two arcs of an S-bend with the given length and lateral offset.
double sbend_radius(double length_nm, double offset_nm);
// Shortest S-bend length (rounded up to an even number of nm) whose arcs have at least `radius_nm`.
Coord sbend_min_length(double offset_nm, double radius_nm);

// Number of segments for an arc of `radius_nm` through `angle_rad` with at most `tolerance_nm` sagitta.
int arc_segments(double radius_nm, double angle_rad, double tolerance_nm);

}  // namespace holo::layout
