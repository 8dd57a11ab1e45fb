// The compiled-chip contract as types (docs/architecture.md: circuit owns it). mapping/ writes a chip only through the
// writers below; sim/, layout/, analysis/ and report/ read it only through the readers, which check a cell
// against the whole contract (kind, info, instance names and order, components, settings, modes, columns, and
// the wiring: every connection and cell port the contract implies, and no other) and return a typed view.
// docs/circuit-json.md states the same contract in prose for people rebuilding a chip from circuit.json.
//
// Cells of a compiled chip (Cell::kind, CellKind below; leaves first, top last):
//   mesh         a programmed MZI mesh (linalg::Mesh): "mzi<k>" in optical order, then an optional output phase
//                screen "ps<i>", or "wg<i>" pass-through waveguides on modes no MZI touches; ports in<i>, out<i>
//   attenuators  a column of MZIs used through their bar path: "a<k>" on mode k; ports in<k>, out<k>
//   tile         one block of a weight matrix; TileKind says how it computes (today: CoherentSvd, vh -> att -> u)
//   layer        the tiles of one optical stage ("t<r>_<c>"), a modulator + DAC per tile input, a homodyne
//                receiver + ADC per tile output
//   top          the layers, "L<i>", in the order of the optical stages
//
// Errors: CIRCUIT-CONTRACT for every violation (a cell asked for or referenced that the netlist lacks included);
// the message names the cell, the instance or port, and the field.
//
// How to read a chip (the API layout, analysis and report use):
//
//   for (const Cell& c : net.cells) {
//     switch (kind_of(c)) {  // no default: -Wswitch lists the places a new kind must be handled
//       case CellKind::Mesh: {
//         const MeshView m = read_mesh(c);  // m.mesh.mzis[k] is instance mesh_mzi_name(k): mode, column, phases
//         break;                            // m.mesh.output_phase_rad[i] is mesh_screen_name(i); m.pass_modes
//       }
//       case CellKind::Attenuators: { const AttenuatorColumn a = read_attenuators(c); break; }  // attenuator_name(k)
//       case CellKind::Tile: {
//         const TileView t = read_tile(net, c);  // reads and checks its sub-cells too
//         std::visit(Overloaded{[&](const CoherentTile& ct) { /* ct.vh, ct.att, ct.u, ct.rank */ }}, t.body);
//         break;
//       }
//       case CellKind::Layer: { const LayerView l = read_layer(net, c); break; }  // l.slots: tile instances
//       case CellKind::Top: { const TopView top = read_top(net, c); break; }
//     }
//   }
//
// std::visit over TileBody with one lambda per alternative (no generic lambda) fails to compile when a tile kind
// is added and not handled: that is how the compiler lists the places a new kind needs. verify_compiled(net)
// checks the whole chip once (every cell, the layers against the stages, the top against the layers).
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/linalg/mesh.h"

namespace holo::circuit {

// ---- Kinds -------------------------------------------------------------------------------------------------

enum class CellKind : uint8_t { Mesh, Attenuators, Tile, Layer, Top };
inline constexpr std::array<CellKind, 5> kCellKinds = {CellKind::Mesh, CellKind::Attenuators, CellKind::Tile,
                                                       CellKind::Layer, CellKind::Top};

// "mesh", "attenuators", "tile", "layer", "top": the spelling in Cell::kind and circuit.json.
std::string_view to_string(CellKind k);
std::optional<CellKind> parse_cell_kind(std::string_view s);
// The kind of a cell of a compiled chip; CIRCUIT-CONTRACT when Cell::kind is none of the above.
CellKind kind_of(const Cell& c);
bool has_kind(const Cell& c, CellKind k);  // never throws

// How a tile cell computes its block. Spelled in the tile cell's info "tile_kind"; absent means coherent_svd
// (chips compiled before the key, and the writer leaves it out for coherent tiles so that their bytes stay).
enum class TileKind : uint8_t {
  CoherentSvd,  // "coherent_svd": V^H mesh -> attenuator column -> U mesh, read out by homodyne receivers
};
inline constexpr std::array<TileKind, 1> kTileKinds = {TileKind::CoherentSvd};
std::string_view to_string(TileKind k);
std::optional<TileKind> parse_tile_kind(std::string_view s);

// ---- Names (the contract's vocabulary, spelled once) -------------------------------------------------------

// PDK templates a compiled chip instantiates.
inline constexpr std::string_view kMziTemplate = "mzi";
inline constexpr std::string_view kPhaseShifterTemplate = "phase_shifter";
inline constexpr std::string_view kWaveguideTemplate = "waveguide";
inline constexpr std::string_view kAttenuatorTemplate = "attenuator";
inline constexpr std::string_view kModulatorTemplate = "modulator";
inline constexpr std::string_view kDacTemplate = "dac";
inline constexpr std::string_view kReceiverTemplate = "homodyne_receiver";
inline constexpr std::string_view kAdcTemplate = "adc";

// Instance-name prefixes of the indexed instances (the readers parse "<prefix><index>", no leading zeros).
inline constexpr std::string_view kMziPrefix = "mzi";
inline constexpr std::string_view kScreenPrefix = "ps";
inline constexpr std::string_view kPassPrefix = "wg";
inline constexpr std::string_view kAttenuatorPrefix = "a";
inline constexpr std::string_view kTopLayerPrefix = "L";
std::string mesh_mzi_name(int64_t k);     // "mzi<k>"
std::string mesh_screen_name(int64_t i);  // "ps<i>"
std::string mesh_pass_name(int64_t i);    // "wg<i>"
std::string attenuator_name(int64_t k);   // "a<k>"
std::string in_port(int64_t k);           // "in<k>"
std::string out_port(int64_t k);          // "out<k>"
std::string drop_port(int64_t k);         // "drop<k>": a V^H output beyond the rank
std::string dark_port(int64_t k);         // "dark<k>": a U input beyond the rank
// The instances of a coherent tile cell, in this order.
inline constexpr std::string_view kTileVh = "vh";
inline constexpr std::string_view kTileAtt = "att";
inline constexpr std::string_view kTileU = "u";
// Layer cells: slot "t<r>_<c>" holds the tile of block (r, c); its j-th input is driven by "mod<slot>_<j>"
// (from "dac<slot>_<j>", light from port "laser_<slot>_<j>"), its i-th output read by "rx<slot>_<i>" (into
// "adc<slot>_<i>", local oscillator from port "lo_<slot>_<i>"); other tile ports are exposed as "<slot>_<port>".
std::string layer_slot_name(int64_t block_row, int64_t block_col);
std::string modulator_name(std::string_view slot, int64_t j);
std::string dac_name(std::string_view slot, int64_t j);
std::string receiver_name(std::string_view slot, int64_t i);
std::string adc_name(std::string_view slot, int64_t i);
std::string laser_port(std::string_view slot, int64_t j);
std::string lo_port(std::string_view slot, int64_t i);
std::string exposed_port(std::string_view slot, std::string_view port);
// Top cell: instance "L<i>" of the i-th optical stage's layer cell, its ports exposed as "L<i>_<port>".
std::string top_layer_name(int64_t i);

// ---- Views -------------------------------------------------------------------------------------------------

// A mesh cell. The realized matrix is linalg's U = diag(e^{i output_phase_rad}) M_K ... M_1 (identity screen
// when output_phase_rad is empty).
struct MeshView {
  std::string cell;
  linalg::Mesh mesh;                // n, method, columns; mzis[k] is instance "mzi<k>"; screen "ps<i>"
  std::vector<int32_t> pass_modes;  // modes carried by a "wg<i>" (no MZI touches them, no screen), ascending
};

// One attenuator: an MZI used through its bar path, realizing the complex field factor
// M(theta, phi)[0][0] = i e^{i(theta/2 + phi)} sin(theta/2) (linalg/mzi.h). `transmission` is its declared
// magnitude |sin(theta/2)|, checked against the phases to kAttenuatorTolerance.
struct Attenuator {
  double theta_rad = 0.0;
  double phi_rad = 0.0;
  double transmission = 0.0;
  linalg::cdouble bar() const;  // M(theta, phi)[0][0]
};
// The attenuator programmed with (theta, phi), its transmission computed: what writers use.
Attenuator make_attenuator(double theta_rad, double phi_rad = 0.0);
// |M(theta, phi)[0][0] - transmission| bound: mapping computes theta from the transmission with asin, a few ulp.
inline constexpr double kAttenuatorTolerance = 1e-9;

struct AttenuatorColumn {
  std::string cell;
  std::vector<Attenuator> attenuators;  // attenuators[k] is instance "a<k>" on mode k
};

// TileKind::CoherentSvd: T = U[:, :rank] diag(att[k].bar()) V^H[:rank, :] (rows x cols); the V^H outputs and U
// inputs k >= rank are exposed as drop<k> / dark<k> (no light from them reaches an output).
struct CoherentTile {
  int64_t rank = 0;
  MeshView vh;           // cols modes
  AttenuatorColumn att;  // rank attenuators
  MeshView u;            // rows modes
};

// One alternative per TileKind, in the enum's order (a ring-bank tile is one more struct here).
using TileBody = std::variant<CoherentTile>;
static_assert(std::variant_size_v<TileBody> == kTileKinds.size(), "one TileBody alternative per TileKind");
static_assert(
    std::is_same_v<std::variant_alternative_t<static_cast<size_t>(TileKind::CoherentSvd), TileBody>, CoherentTile>);

// A tile cell: ports in<j> (j < cols, input x_{col0+j} of its block), out<i> (i < rows, output y_{row0+i}).
// The stage's Tile says where the block sits and its electronic gain: W_block = gain * T.
struct TileView {
  std::string cell;
  int64_t rows = 0, cols = 0;
  TileBody body;
  TileKind kind() const { return kTileKinds[body.index()]; }
};

struct LayerSlot {
  std::string instance;  // "t<block_row>_<block_col>"
  std::string tile_cell;
  int64_t block_row = 0, block_col = 0;
  int64_t rows = 0, cols = 0;        // receivers and modulators of the slot (the tile's outputs and inputs)
  std::vector<std::string> exposed;  // the tile's other ports (drop<k>, dark<k>), exposed as "<slot>_<port>"
};

struct LayerView {
  std::string cell;
  std::string node, op;          // info "node", "op": the stage it computes
  std::vector<LayerSlot> slots;  // in instance order
};

struct TopView {
  std::string cell;
  std::vector<std::string> layers;  // layers[i] is the layer cell of instance "L<i>"
};

// For std::visit over TileBody: Overloaded{[&](const CoherentTile& t) { ... }}.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// ---- Readers (each checks its cell against the contract; CIRCUIT-CONTRACT) ---------------------------------

MeshView read_mesh(const Cell& c);
MeshView read_mesh(const Netlist& n, const std::string& cell);
AttenuatorColumn read_attenuators(const Cell& c);
AttenuatorColumn read_attenuators(const Netlist& n, const std::string& cell);
TileView read_tile(const Netlist& n, const Cell& c);  // with its sub-cells
TileView read_tile(const Netlist& n, const std::string& cell);
// A tile cell's kind and shape from its kind and info alone (sub-cells not read): for cheap checks before reading.
struct TileShape {
  int64_t rows = 0, cols = 0;
  TileKind kind = TileKind::CoherentSvd;
};
TileShape read_tile_shape(const Cell& c);
// A layer cell and the shape of the tiles it holds (their info and ports; read_tile checks the tiles themselves).
LayerView read_layer(const Netlist& n, const Cell& c);
TopView read_top(const Netlist& n, const Cell& c);

// The whole chip: every cell is of a contract kind and reads; every optical stage's layer cell holds exactly
// its tiles (same cells, rows and cols, node and op); the top cell holds the optical stages' layers in order.
// Use after circuit::verify (which checks names, ports and the stages' tiling).
void verify_compiled(const Netlist& n);

// The ideal (lossless, nominal) transfer matrix T of a tile, rows x cols, rebuilt from the hardware MZI model
// (linalg::reconstruct); the block it computes is Tile::gain * T (real part for real weights).
Eigen::MatrixXcd ideal_matrix(const TileView& t);

// ---- Writers (mapping builds chips only through these) -----------------------------------------------------

Cell mesh_cell(const std::string& name, const linalg::Mesh& mesh);
// Each attenuator's transmission must be its phases' (make_attenuator); internal error otherwise.
Cell attenuator_cell(const std::string& name, const std::vector<Attenuator>& attenuators);
// A coherent tile wiring vh (cols modes) -> att (rank) -> u (rows modes); rank_kept >= 0 is recorded in info
// "rank_kept" (singular values kept by the mapping; informational).
Cell coherent_tile_cell(const std::string& name, int64_t rows, int64_t cols, int64_t rank, const std::string& vh,
                        const std::string& att, const std::string& u, int64_t rank_kept = -1);
Cell layer_cell(const std::string& name, const std::string& node, const std::string& op);
// Adds slot "t<block_row>_<block_col>" holding `tile` (a tile cell written above) with its modulators and receivers.
void add_layer_slot(Cell& layer, int64_t block_row, int64_t block_col, const Cell& tile);
// The top cell over `layers` (cells of `n`, in the order of the optical stages).
Cell top_cell(const std::string& name, const Netlist& n, const std::vector<std::string>& layers);

}  // namespace holo::circuit
