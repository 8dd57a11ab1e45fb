// Geometry: integer transformations, polygon helpers, and curves discretised on the nm grid.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "holo/layout/geometry.h"
#include "holo/support/error.h"

namespace holo::layout {
namespace {

std::vector<Trans> all_orientations(Point d) {
  std::vector<Trans> v;
  for (int r = 0; r < 4; ++r)
    for (bool m : {false, true}) v.push_back(Trans{r, m, d});
  return v;
}

TEST(Trans, ComposeAndInvertAllEightOrientations) {
  const std::vector<Point> pts = {{0, 0}, {1, 0}, {0, 1}, {3, -7}, {-100000, 2500}};
  for (const Trans& a : all_orientations({17, -5}))
    for (const Trans& b : all_orientations({-300, 41})) {
      Trans ab = a * b;
      for (Point p : pts) {
        EXPECT_EQ(ab.apply(p), a.apply(b.apply(p)));
        EXPECT_EQ(a.inverted().apply(a.apply(p)), p);
      }
    }
}

TEST(Trans, AnglesFollowVectors) {
  // A unit vector along angle a maps to a unit vector along apply_angle(a).
  const Point unit[4] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
  for (const Trans& t : all_orientations({5, 6}))
    for (int k = 0; k < 4; ++k) EXPECT_EQ(t.apply_vector(unit[k]), unit[t.apply_angle(90 * k) / 90]);
}

TEST(Trans, MirrorIsAboutXBeforeRotation) {
  // GDS STRANS: reflect about x, then rotate counter-clockwise.
  Trans t = Trans::make(90, true, {0, 0});
  EXPECT_EQ(t.apply({2, 3}), (Point{3, 2}));  // (2,3) -> (2,-3) -> rot90 -> (3,2)
  EXPECT_THROW(Trans::make(45, false, {0, 0}), Error);
}

TEST(Polygon, CompressRemovesRepeatsAndCollinearPoints) {
  Polygon p = {{0, 0}, {5, 0}, {10, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 5}};
  compress(p);
  EXPECT_EQ(p, (Polygon{{0, 0}, {10, 0}, {10, 10}, {0, 10}}));
  Polygon line = {{0, 0}, {1, 1}, {2, 2}};
  compress(line);
  EXPECT_TRUE(line.empty());
}

TEST(Polygon, OrientationAndArea) {
  Polygon p = {{0, 0}, {0, 10}, {10, 10}, {10, 0}};  // clockwise
  EXPECT_EQ(signed_area2(p), -200.0);
  make_ccw(p);
  EXPECT_EQ(signed_area2(p), 200.0);
}

TEST(Geometry, RoundingIsHalfAwayFromZero) {
  EXPECT_EQ(round_nm(1.5), 2);
  EXPECT_EQ(round_nm(-1.5), -2);
  EXPECT_EQ(round_nm(2.4999), 2);
  EXPECT_EQ(um_to_nm(0.63), 630);
  EXPECT_THROW(round_nm(std::nan("")), Error);
}

TEST(Geometry, PathPolygonMitresManhattanCorners) {
  // An L-shaped path of width 2: the corner's outer mitre lands exactly on (11, -1).
  Polygon p = path_polygon({{0, 0}, {10, 0}, {10, 10}}, 2, 0, 0);
  Polygon want = {{0, -1}, {11, -1}, {11, 10}, {9, 10}, {9, 1}, {0, 1}};
  ASSERT_EQ(p.size(), want.size());
  EXPECT_TRUE(std::is_permutation(p.begin(), p.end(), want.begin()));
  EXPECT_GT(signed_area2(p), 0);
  // Pathtype-2 style extension by half the width at both ends.
  Polygon q = path_polygon({{0, 0}, {10, 0}}, 4, 2, 2);
  EXPECT_EQ(bbox(q), (Box{-2, -2, 12, 2}));
}

TEST(Centerline, CircularBendHasExactEndsAndStaysOnTheArc) {
  const double R = 10000, w = 500, tol = 1;
  Centerline cl({0, 0}, 0, w, tol);
  cl.arc(R, 90);
  EXPECT_EQ(cl.end(), (Point{10000, 10000}));
  Polygon p = cl.polygon();
  // End edges exactly on the ports: (0, +-250) and (R +- 250, R).
  for (Point q : {Point{0, -250}, Point{0, 250}, Point{9750, 10000}, Point{10250, 10000}})
    EXPECT_NE(std::find(p.begin(), p.end(), q), p.end()) << q.x << "," << q.y;
  // Every vertex lies within the annulus R +- w/2 up to rounding (0.71 nm, half a grid diagonal), except
  // the vertices moved onto the end tangents: a chord c with sagitta tol has c^2 = 8 R tol, and moving
  // its far end onto the tangent puts it c^2 / (2 R) = 4 tol further out.
  for (Point q : p) {
    double r = std::hypot(static_cast<double>(q.x), static_cast<double>(q.y) - R);
    EXPECT_GE(r, R - w / 2 - tol - 0.71);
    EXPECT_LE(r, R + w / 2 + 4 * tol + 0.71);
  }
  EXPECT_DOUBLE_EQ(cl.min_radius_nm(), R);
}

TEST(Centerline, FirstAndLastBoundaryEdgesFollowTheEndTangents) {
  // Right-angle corners at both ends (no acute corner for a width check).
  Centerline cl({0, 0}, 0, 500, 1);
  cl.arc(5000, 90);
  Polygon p = cl.polygon();
  const size_t n = p.size();
  for (size_t i = 0; i < n; ++i) {
    Point a = p[(i + n - 1) % n], b = p[i], c = p[(i + 1) % n];
    bool end_corner =
        (b == Point{0, 250}) || (b == Point{0, -250}) || (b == Point{4750, 5000}) || (b == Point{5250, 5000});
    if (!end_corner) continue;
    int64_t dot = (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y);
    EXPECT_EQ(dot, 0) << "corner at " << b.x << "," << b.y;
  }
}

TEST(Centerline, ArcSegmentsRespectTheTolerance) {
  for (double r : {2000.0, 10000.0, 250000.0}) {
    int n = arc_segments(r, std::numbers::pi / 2, 1.0);
    double step = std::numbers::pi / 2 / n;
    EXPECT_LE(r * (1 - std::cos(step / 2)), 1.0 + 1e-9) << r;  // sagitta of one segment
  }
}

TEST(Centerline, EulerBendIsSymmetricAndWiderThanTheCircle) {
  const double r0 = 10000;
  Centerline cl({0, 0}, 0, 500, 1);
  cl.euler(r0, 90, 0.5);
  cl.snap_end();
  Point e = cl.end();
  // By symmetry the end lies on the diagonal; rounding each coordinate moves it by at most 1 nm.
  EXPECT_LE(std::abs(e.x - e.y), 1);
  EXPECT_GT(e.x, 10000);  // the clothoid transitions make it larger than the circular bend of radius r0
  EXPECT_NEAR(cl.end_angle_deg(), 90.0, 1e-9);
  // Curvature from consecutive samples never exceeds 1/r0 (up to the sampling: 1e-3 relative).
  const auto& s = cl.samples();
  for (size_t i = 1; i < s.size(); ++i) {
    double ds = std::hypot(s[i].x - s[i - 1].x, s[i].y - s[i - 1].y);
    EXPECT_LE(std::fabs(s[i].angle - s[i - 1].angle) / ds, (1 / r0) * (1 + 1e-3));
  }
}

TEST(Centerline, SBendLandsExactlyAndHasTheFormulaRadius) {
  const double R = 10000, h = 9650;
  Coord L = sbend_min_length(h, R);
  EXPECT_EQ(L % 2, 0);
  EXPECT_GE(sbend_radius(static_cast<double>(L), h), R);
  EXPECT_LT(sbend_radius(static_cast<double>(L - 2), h), R);  // L is the shortest even length
  Centerline cl({0, 0}, 0, 500, 1);
  cl.sbend(static_cast<double>(L), -h);
  EXPECT_EQ(cl.end(), (Point{L, -9650}));
  EXPECT_NEAR(cl.end_angle_deg(), 0.0, 1e-12);
  EXPECT_THROW(cl.sbend(100, 200), Error);  // offset larger than length
}

TEST(Centerline, TaperChangesTheWidth) {
  Centerline cl({0, 0}, 0, 500, 1);
  cl.taper(10000, 3000);
  EXPECT_EQ(bbox(cl.polygon()), (Box{0, -1500, 10000, 1500}));
}

}  // namespace
}  // namespace holo::layout
