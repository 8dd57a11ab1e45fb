// The compiled-chip contract: kinds, names, the writers and the ideal tile matrix (compiled.h). The readers and
// verify_compiled are in compiled_read.cpp.
#include "holo/circuit/compiled.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "holo/linalg/mzi.h"
#include "holo/support/error.h"

namespace holo::circuit {

// ---- Kinds -------------------------------------------------------------------------------------------------

std::string_view to_string(CellKind k) {
  switch (k) {
    case CellKind::Mesh:
      return "mesh";
    case CellKind::Attenuators:
      return "attenuators";
    case CellKind::Tile:
      return "tile";
    case CellKind::Layer:
      return "layer";
    case CellKind::Top:
      return "top";
  }
  internal_error(fmt::format("CellKind {}", static_cast<int>(k)));
}

std::optional<CellKind> parse_cell_kind(std::string_view s) {
  for (CellKind k : kCellKinds)
    if (to_string(k) == s) return k;
  return std::nullopt;
}

CellKind kind_of(const Cell& c) {
  if (std::optional<CellKind> k = parse_cell_kind(c.kind)) return *k;
  std::string known;
  for (CellKind k : kCellKinds) known += fmt::format("{}{}", known.empty() ? "" : ", ", to_string(k));
  fail("CIRCUIT-CONTRACT",
       fmt::format("cell '{}': kind '{}' is not a kind of a compiled chip ({})", c.name, c.kind, known));
}

bool has_kind(const Cell& c, CellKind k) {
  return c.kind == to_string(k);
}

std::string_view to_string(TileKind k) {
  switch (k) {
    case TileKind::CoherentSvd:
      return "coherent_svd";
  }
  internal_error(fmt::format("TileKind {}", static_cast<int>(k)));
}

std::optional<TileKind> parse_tile_kind(std::string_view s) {
  for (TileKind k : kTileKinds)
    if (to_string(k) == s) return k;
  return std::nullopt;
}

// ---- Names -------------------------------------------------------------------------------------------------

std::string mesh_mzi_name(int64_t k) {
  return fmt::format("{}{}", kMziPrefix, k);
}
std::string mesh_screen_name(int64_t i) {
  return fmt::format("{}{}", kScreenPrefix, i);
}
std::string mesh_pass_name(int64_t i) {
  return fmt::format("{}{}", kPassPrefix, i);
}
std::string attenuator_name(int64_t k) {
  return fmt::format("{}{}", kAttenuatorPrefix, k);
}
std::string in_port(int64_t k) {
  return fmt::format("in{}", k);
}
std::string out_port(int64_t k) {
  return fmt::format("out{}", k);
}
std::string drop_port(int64_t k) {
  return fmt::format("drop{}", k);
}
std::string dark_port(int64_t k) {
  return fmt::format("dark{}", k);
}
std::string layer_slot_name(int64_t block_row, int64_t block_col) {
  return fmt::format("t{}_{}", block_row, block_col);
}
std::string modulator_name(std::string_view slot, int64_t j) {
  return fmt::format("mod{}_{}", slot, j);
}
std::string dac_name(std::string_view slot, int64_t j) {
  return fmt::format("dac{}_{}", slot, j);
}
std::string receiver_name(std::string_view slot, int64_t i) {
  return fmt::format("rx{}_{}", slot, i);
}
std::string adc_name(std::string_view slot, int64_t i) {
  return fmt::format("adc{}_{}", slot, i);
}
std::string laser_port(std::string_view slot, int64_t j) {
  return fmt::format("laser_{}_{}", slot, j);
}
std::string lo_port(std::string_view slot, int64_t i) {
  return fmt::format("lo_{}_{}", slot, i);
}
std::string exposed_port(std::string_view slot, std::string_view port) {
  return fmt::format("{}_{}", slot, port);
}
std::string top_layer_name(int64_t i) {
  return fmt::format("{}{}", kTopLayerPrefix, i);
}

// ---- Attenuators and the ideal matrix ----------------------------------------------------------------------

linalg::cdouble Attenuator::bar() const {
  return linalg::mzi_matrix(theta_rad, phi_rad)(0, 0);
}

Attenuator make_attenuator(double theta_rad, double phi_rad) {
  return {theta_rad, phi_rad, std::abs(std::sin(0.5 * theta_rad))};
}

Eigen::MatrixXcd ideal_matrix(const TileView& t) {
  return std::visit(Overloaded{[&](const CoherentTile& c) -> Eigen::MatrixXcd {
                      const Eigen::MatrixXcd v = linalg::reconstruct(c.vh.mesh);
                      const Eigen::MatrixXcd u = linalg::reconstruct(c.u.mesh);
                      const auto r = static_cast<Eigen::Index>(c.rank);
                      Eigen::VectorXcd mid(r);
                      for (Eigen::Index k = 0; k < r; ++k) mid(k) = c.att.attenuators[static_cast<size_t>(k)].bar();
                      // Coefficient-wise product: no multithreaded GEMM blocking, so the bits do not depend on
                      // the thread count.
                      const Eigen::MatrixXcd left = u.leftCols(r) * mid.asDiagonal();
                      return left.lazyProduct(v.topRows(r));
                    }},
                    t.body);
}

// ---- Writers -----------------------------------------------------------------------------------------------

namespace {

int64_t own_info_int(const Cell& c, const char* key) {
  auto it = c.info.find(key);
  int64_t v = 0;
  if (it == c.info.end() ||
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), v).ec != std::errc())
    internal_error(fmt::format("cell '{}' has no integer info '{}'", c.name, key));
  return v;
}

}  // namespace

Cell mesh_cell(const std::string& name, const linalg::Mesh& mesh) {
  Cell c;
  c.name = name;
  c.kind = to_string(CellKind::Mesh);
  const int32_t n = mesh.n;
  c.info["n"] = std::to_string(n);
  c.info["method"] = linalg::method_name(mesh.method);
  c.info["columns"] = std::to_string(mesh.columns);
  // The port each mode's light currently sits at, walking in optical order.
  std::vector<PortRef> cur(static_cast<size_t>(n));
  std::vector<CellPort> in_ports(static_cast<size_t>(n));
  std::vector<bool> exposed_in(static_cast<size_t>(n), false);
  // Exact capacities: a 50-layer chip holds millions of these, and growth by doubling wastes up to half.
  c.instances.reserve(mesh.mzis.size() + static_cast<size_t>(n));
  c.connections.reserve(2 * mesh.mzis.size() + static_cast<size_t>(n));
  c.ports.reserve(2 * static_cast<size_t>(n));
  auto link = [&](int32_t mode, const PortRef& next_in) {
    auto m = static_cast<size_t>(mode);
    if (!exposed_in[m]) {
      in_ports[m] = {in_port(mode), "optical", next_in};
      exposed_in[m] = true;
    } else {
      c.connections.push_back({cur[m], next_in});
    }
  };
  for (size_t k = 0; k < mesh.mzis.size(); ++k) {
    const auto& z = mesh.mzis[k];
    std::string inst = mesh_mzi_name(static_cast<int64_t>(k));
    c.instances.push_back(
        {inst, std::string(kMziTemplate), {{"theta_rad", z.theta_rad}, {"phi_rad", z.phi_rad}}, z.column, z.mode});
    link(z.mode, {inst, "o2"});      // upper mode enters at west-top
    link(z.mode + 1, {inst, "o1"});  // lower mode enters at west-bottom
    cur[static_cast<size_t>(z.mode)] = {inst, "o3"};
    cur[static_cast<size_t>(z.mode + 1)] = {inst, "o4"};
  }
  const bool screen = !mesh.output_phase_rad.empty();
  if (screen && static_cast<int32_t>(mesh.output_phase_rad.size()) != n)
    internal_error(
        fmt::format("mesh_cell {}: output screen of {} phases for {} modes", name, mesh.output_phase_rad.size(), n));
  std::vector<CellPort> out_ports;
  out_ports.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    auto m = static_cast<size_t>(i);
    if (screen) {
      std::string inst = mesh_screen_name(i);
      c.instances.push_back({inst,
                             std::string(kPhaseShifterTemplate),
                             {{"phi_rad", linalg::wrap_phase(mesh.output_phase_rad[m])}},
                             mesh.columns,
                             i});
      link(i, {inst, "o1"});
      cur[m] = {inst, "o2"};
    } else if (!exposed_in[m]) {  // untouched mode: a plain waveguide carries it through
      std::string inst = mesh_pass_name(i);
      c.instances.push_back({inst, std::string(kWaveguideTemplate), {}, mesh.columns, i});
      link(i, {inst, "o1"});
      cur[m] = {inst, "o2"};
    }
    out_ports.push_back({out_port(i), "optical", cur[m]});
  }
  // Ports in mode order: in0..in(n-1), out0..out(n-1).
  for (CellPort& p : in_ports) c.ports.push_back(std::move(p));
  for (CellPort& p : out_ports) c.ports.push_back(std::move(p));
  return c;
}

Cell attenuator_cell(const std::string& name, const std::vector<Attenuator>& attenuators) {
  Cell c;
  c.name = name;
  c.kind = to_string(CellKind::Attenuators);
  c.info["n"] = std::to_string(attenuators.size());
  for (size_t k = 0; k < attenuators.size(); ++k) {
    const Attenuator& a = attenuators[k];
    if (!(std::abs(std::abs(a.bar()) - a.transmission) <= kAttenuatorTolerance))
      internal_error(fmt::format("attenuator_cell {}: attenuator {} declares transmission {} for theta {} phi {}", name,
                                 k, a.transmission, a.theta_rad, a.phi_rad));
    c.instances.push_back({attenuator_name(static_cast<int64_t>(k)),
                           std::string(kAttenuatorTemplate),
                           {{"theta_rad", a.theta_rad}, {"phi_rad", a.phi_rad}, {"transmission", a.transmission}},
                           0,
                           static_cast<int32_t>(k)});
  }
  for (size_t k = 0; k < attenuators.size(); ++k)
    c.ports.push_back({in_port(static_cast<int64_t>(k)), "optical", {attenuator_name(static_cast<int64_t>(k)), "o1"}});
  for (size_t k = 0; k < attenuators.size(); ++k)
    c.ports.push_back({out_port(static_cast<int64_t>(k)), "optical", {attenuator_name(static_cast<int64_t>(k)), "o2"}});
  return c;
}

Cell coherent_tile_cell(const std::string& name, int64_t rows, int64_t cols, int64_t rank, const std::string& vh,
                        const std::string& att, const std::string& u, int64_t rank_kept) {
  Cell c;
  c.name = name;
  c.kind = to_string(CellKind::Tile);
  // info "tile_kind" is left out: absent means coherent_svd (compiled.h), and compiled chips keep their bytes.
  c.info["rows"] = std::to_string(rows);
  c.info["cols"] = std::to_string(cols);
  c.info["rank"] = std::to_string(rank);
  if (rank_kept >= 0) c.info["rank_kept"] = std::to_string(rank_kept);
  const std::string v(kTileVh), a(kTileAtt), w(kTileU);
  c.instances.push_back({v, vh, {}, -1, -1});
  c.instances.push_back({a, att, {}, -1, -1});
  c.instances.push_back({w, u, {}, -1, -1});
  for (int64_t j = 0; j < cols; ++j) c.ports.push_back({in_port(j), "optical", {v, in_port(j)}});
  for (int64_t i = 0; i < rows; ++i) c.ports.push_back({out_port(i), "optical", {w, out_port(i)}});
  for (int64_t k = 0; k < rank; ++k) {
    c.connections.push_back({{v, out_port(k)}, {a, in_port(k)}});
    c.connections.push_back({{a, out_port(k)}, {w, in_port(k)}});
  }
  for (int64_t k = rank; k < cols; ++k) c.ports.push_back({drop_port(k), "optical", {v, out_port(k)}});
  for (int64_t k = rank; k < rows; ++k) c.ports.push_back({dark_port(k), "optical", {w, in_port(k)}});
  return c;
}

Cell layer_cell(const std::string& name, const std::string& node, const std::string& op) {
  Cell c;
  c.name = name;
  c.kind = to_string(CellKind::Layer);
  c.info["node"] = node;
  c.info["op"] = op;
  return c;
}

void add_layer_slot(Cell& layer, int64_t block_row, int64_t block_col, const Cell& tile) {
  if (!has_kind(tile, CellKind::Tile)) internal_error(fmt::format("add_layer_slot: '{}' is not a tile", tile.name));
  const int64_t rows = own_info_int(tile, "rows"), cols = own_info_int(tile, "cols");
  const std::string ti = layer_slot_name(block_row, block_col);
  // A modulator (driven by a DAC) per tile input, a homodyne receiver (read by an ADC) per tile output; laser,
  // local-oscillator and the tile's other ports are exposed.
  layer.instances.push_back({ti, tile.name, {}, -1, -1});
  for (int64_t j = 0; j < cols; ++j) {
    std::string mod = modulator_name(ti, j), dac = dac_name(ti, j);
    layer.instances.push_back({mod, std::string(kModulatorTemplate), {}, -1, static_cast<int32_t>(j)});
    layer.instances.push_back({dac, std::string(kDacTemplate), {}, -1, static_cast<int32_t>(j)});
    layer.connections.push_back({{mod, "o2"}, {ti, in_port(j)}});
    layer.connections.push_back({{dac, "e1"}, {mod, "e1"}});
    layer.ports.push_back({laser_port(ti, j), "optical", {mod, "o1"}});
  }
  for (int64_t i = 0; i < rows; ++i) {
    std::string rx = receiver_name(ti, i), adc = adc_name(ti, i);
    layer.instances.push_back({rx, std::string(kReceiverTemplate), {}, -1, static_cast<int32_t>(i)});
    layer.instances.push_back({adc, std::string(kAdcTemplate), {}, -1, static_cast<int32_t>(i)});
    layer.connections.push_back({{ti, out_port(i)}, {rx, "o1"}});
    layer.connections.push_back({{rx, "e1"}, {adc, "e1"}});
    layer.ports.push_back({lo_port(ti, i), "optical", {rx, "o2"}});
  }
  const size_t io = static_cast<size_t>(rows + cols);
  for (size_t k = 0; k < tile.ports.size(); ++k)  // the tile writes in<j>, out<i> first, then the others
    if (k >= io) layer.ports.push_back({exposed_port(ti, tile.ports[k].name), "optical", {ti, tile.ports[k].name}});
}

Cell top_cell(const std::string& name, const Netlist& n, const std::vector<std::string>& layers) {
  Cell top;
  top.name = name;
  top.kind = to_string(CellKind::Top);
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string inst = top_layer_name(static_cast<int64_t>(i));
    top.instances.push_back({inst, layers[i], {}, -1, -1});
    const Cell* lc = n.find_cell(layers[i]);
    if (!lc) internal_error(fmt::format("top_cell: no layer cell '{}'", layers[i]));
    for (const auto& p : lc->ports) top.ports.push_back({exposed_port(inst, p.name), p.kind, {inst, p.name}});
  }
  return top;
}

}  // namespace holo::circuit
