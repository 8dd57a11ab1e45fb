// Cells, ports, references and the library that owns them (the GDSII structure model): a cell holds
// polygons per layer, text labels, references to other cells (SREF, or AREF when it is an array) and named
// ports. Cells refer to each other by name; the library keeps them in creation order, which is the order
// they are written in (children are created before their parents by the generators).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "holo/layout/geometry.h"

namespace holo::layout {

enum class PortKind { Optical, Electrical };
const char* to_string(PortKind k);

// Where light or current leaves a cell: `angle_deg` is the direction pointing out of the cell (0 = east,
// 90 = north), `width` the waveguide or wire width, `layer` the layer it lies on.
struct Port {
  std::string name;
  Point position;
  int angle_deg = 0;  // 0, 90, 180 or 270
  Coord width = 0;
  LayerSpec layer;
  PortKind kind = PortKind::Optical;

  Port transformed(const Trans& t) const;
  friend bool operator==(const Port&, const Port&) = default;
};

struct Text {
  std::string text;
  Point position;
  LayerSpec layer;
  friend bool operator==(const Text&, const Text&) = default;
};

// A placement of another cell. cols x rows > 1 makes it an array (GDS AREF): element (i, j) sits at
// trans.disp + i * col_step + j * row_step, with col_step / row_step in the parent's coordinates.
struct Ref {
  std::string cell;
  Trans trans;
  int32_t cols = 1;
  int32_t rows = 1;
  Point col_step;
  Point row_step;
  std::string name;  // instance name (written as GDS property 1 on SREFs); may be empty

  bool is_array() const { return cols != 1 || rows != 1; }
  Trans element(int32_t i, int32_t j) const;  // transformation of array element (i, j)
  friend bool operator==(const Ref&, const Ref&) = default;
};

// What a cell is, set by the code that generates it, for tools that treat cells by what they are rather than by
// their names (the chip preview draws the device cells as outline boxes). Layout metadata only: GDSII has no
// place for it, so a library read from GDS has Other everywhere.
enum class CellRole : uint8_t {
  Other,             // a cell nobody tagged (the demo's and the broken layouts' cells, the chip's furniture, ...)
  Straight,          // wg_L<len>
  Bend,              // bend_*, euler_*
  Coupler,           // dc_*: directional coupler
  Via,               // via_*, htr_contact_*: a via and a heater contact
  PhaseShifter,      // ps_L<len>
  Mzi,               // mzi_P<pitch>, mzi_theta_P<pitch>, mzi_w_P<pitch> (with its wires)
  Attenuator,        // att_P<pitch> (the chip's wired attenuator), mzi_attenuator
  GratingCoupler,    // grating_coupler
  Photodetector,     // photodetector
  BondPad,           // bond_pad
  WiringUnit,        // wires_<k>: a heater-wiring channel and its pad fields (routing.h)
  Mesh,              // the layout cell of a netlist mesh cell (tile_cells.h)
  AttenuatorColumn,  // ... of a netlist attenuator column
  Tile,              // ... of a netlist tile cell
  Top,               // the chip's top cell (floorplan.h)
};

struct Cell {
  std::string name;
  std::map<LayerSpec, std::vector<Polygon>> polygons;
  std::vector<Text> texts;
  std::vector<Ref> refs;
  std::vector<Port> ports;
  CellRole role = CellRole::Other;

  void add_polygon(LayerSpec l, Polygon p);  // LAYOUT-POLYGON for fewer than 3 distinct points
  void add_box(LayerSpec l, const Box& b);
  void add_text(LayerSpec l, std::string text, Point at);
  Ref& add_ref(const std::string& cell, const Trans& t, std::string name = "");
  Ref& add_array(const std::string& cell, const Trans& t, int32_t cols, int32_t rows, Point col_step, Point row_step,
                 std::string name = "");
  void add_port(Port p);  // LAYOUT-DUPLICATE-PORT when the name exists

  const Port& port(const std::string& name) const;  // LAYOUT-MISSING-PORT
  const Port* find_port(const std::string& name) const;
  size_t polygon_count() const;
};

class Library {
 public:
  explicit Library(std::string name = "holo") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  // Creates an empty cell. LAYOUT-DUPLICATE-CELL when the name is taken, LAYOUT-CELL-NAME when it is
  // empty, longer than 64 characters or holds characters outside [A-Za-z0-9_$.?-].
  Cell& add_cell(const std::string& name);
  bool has(const std::string& name) const { return index_.count(name) != 0; }
  const Cell& cell(const std::string& name) const;  // LAYOUT-MISSING-CELL
  Cell& cell(const std::string& name);
  const Cell* find(const std::string& name) const;
  const std::deque<Cell>& cells() const { return cells_; }
  std::deque<Cell>& cells() { return cells_; }
  size_t size() const { return cells_.size(); }

  // Cells no other cell references, in creation order.
  std::vector<std::string> top_cells() const;
  // The single top cell; LAYOUT-TOP when there is none or more than one.
  std::string top_cell() const;
  // Removes every cell `top` does not reach through its references (generators may build a unit cell that a
  // degenerate chip never places: a GDS file then has one top cell, as holo drc and KLayout expect). Keeps
  // the creation order of the rest; returns how many cells went. LAYOUT-MISSING-CELL when `top` is unknown.
  size_t remove_unreachable(const std::string& top);

  // Bounding box of a cell with everything it references (memoised per call).
  Box bbox(const std::string& cell) const;

 private:
  std::string name_;
  std::deque<Cell> cells_;  // stable references
  std::map<std::string, size_t> index_;
};

// The placement that puts `port` (a port of the cell being placed, in that cell's coordinates) onto
// `target` (a port in the parent's coordinates) facing it: same position, opposite directions. With
// `mirror` the cell is reflected about its x axis first (a left bend then turns right).
Trans connect(const Port& port, const Port& target, bool mirror = false);

// ---------------------------------------------------------------------------------------------
// Walks of the cell hierarchy. None of them recurses: each works through an explicit order or stack, so a
// hierarchy of any depth is safe (the GDS reader refuses files deeper than GdsReadOptions::max_depth). Each
// fails with LAYOUT-MISSING-CELL for a reference to a cell the library lacks and LAYOUT-CYCLE (naming the loop)
// for a cell that references itself through its children. Counts saturate at INT64_MAX instead of overflowing.

// The longest chain of references in the whole library (0 when no cell references another) and the cell
// it starts from.
struct HierarchyDepth {
  int64_t levels = 0;
  std::string cell;
};
HierarchyDepth deepest_hierarchy(const Library& lib);

// How many times each cell under `top` appears once every reference and array is expanded (top: 1).
std::map<std::string, int64_t> placement_counts(const Library& lib, const std::string& top);

// What flattening `top` would produce, computed from the hierarchy without expanding it. `layers` limits
// the count to those layers when non-empty, as flatten does.
struct FlatSize {
  int64_t polygons = 0;
  int64_t texts = 0;
  int64_t vertices = 0;    // of the polygons
  int64_t placements = 0;  // placements (expanded references) of cells with something on the counted layers
  int64_t levels = 0;      // depth of the hierarchy under top
  // A bound on |x| and |y| of every flattened point and of every placement's origin, in nm.
  Coord extent_nm = 0;
  int64_t shapes() const { return polygons > INT64_MAX - texts ? INT64_MAX : polygons + texts; }
};
FlatSize flat_size(const Library& lib, const std::string& top, const std::vector<LayerSpec>& layers = {});

// Budgets of a flattening (docs/layout.md "Resource budgets"). `holo drc` peaks at ~170 bytes per flat vertex
// (library, flat copy and the DRC's edges): 1.8 GB for the digits MLP chip, which flattens to 426k shapes and
// 10.4M vertices (the digits CNN: 266k and 6.5M). The defaults leave 12x and 5x on that chip and keep a run
// below ~9 GB.
inline constexpr int64_t kDefaultMaxFlatShapes = 5'000'000;
inline constexpr int64_t kDefaultMaxFlatVertices = 50'000'000;
// Flattened coordinates stay within +-2^53 nm (9,000 km): exact in doubles (the DRC), and differences and
// sums of two coordinates cannot overflow int64.
inline constexpr Coord kMaxFlatExtentNm = Coord{1} << 53;

struct FlatLimits {
  int64_t max_shapes = kDefaultMaxFlatShapes;      // polygons + texts, and also cell placements
  int64_t max_vertices = kDefaultMaxFlatVertices;  // polygon vertices
  // No budget: only counts beyond int64 (saturated) and the extent are refused.
  static FlatLimits unlimited() { return {INT64_MAX, INT64_MAX}; }
};

// LAYOUT-TOO-LARGE when `size` exceeds `limits` (shapes, vertices or placements), LAYOUT-RANGE when its extent
// exceeds kMaxFlatExtentNm. `what` starts the message (e.g. "chip.gds: cell 'top'").
void check_flat_size(const FlatSize& size, const FlatLimits& limits, const std::string& what);

// The flattened geometry of a cell: every polygon and text moved into the top cell's coordinates.
struct FlatLayout {
  std::map<LayerSpec, std::vector<Polygon>> polygons;
  std::vector<Text> texts;
  size_t polygon_count() const;
};

// Flattens `top`, after checking flat_size against `limits` (check_flat_size) so nothing is allocated for a
// layout over budget. `layers` limits the output to those layers when non-empty. Order: a cell's polygons
// (by layer), its texts, then its references in order (array elements row by row), depth first.
FlatLayout flatten(const Library& lib, const std::string& top, const std::vector<LayerSpec>& layers = {},
                   const FlatLimits& limits = {});

// Calls visit(cell, trans) for every placement of a cell under `top` (top first, with the identity) in
// flatten's order, skipping the placements of cells for which neither `has_content(cell)` nor has_content of
// anything below holds (so an array of empty cells costs nothing). No budget: callers check flat_size first.
void for_each_placement(const Library& lib, const std::string& top, const std::function<bool(const Cell&)>& has_content,
                        const std::function<void(const Cell&, const Trans&)>& visit);

// Counts of a hierarchy as KLayout reports them: for each layer the number of polygons once every array
// and reference is expanded (texts counted on their layer as well).
std::map<LayerSpec, int64_t> flat_shape_counts(const Library& lib, const std::string& top);

}  // namespace holo::layout
