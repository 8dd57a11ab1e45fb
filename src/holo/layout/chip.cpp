#include "holo/layout/chip.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

#include "holo/layout/cells.h"
#include "holo/layout/extract.h"
#include "holo/layout/params.h"
#include "holo/layout/test_structures.h"
#include "holo/support/error.h"

namespace holo::layout {
namespace {

[[noreturn]] void bad(const std::string& cell, const std::string& what) {
  fail("LAYOUT-NETLIST", fmt::format("netlist cell '{}': {}", cell, what));
}

int64_t info_int(const circuit::Cell& c, const std::string& key) {
  auto it = c.info.find(key);
  if (it == c.info.end()) bad(c.name, fmt::format("info '{}' missing", key));
  try {
    return std::stoll(it->second);
  } catch (const std::exception&) {
    bad(c.name, fmt::format("info '{}' = '{}' is not an integer", key, it->second));
  }
}

Port optical_port(const LayoutParams& p, const std::string& name, Point at, int angle) {
  return Port{name, at, angle, p.wg_width, p.layers.wg, PortKind::Optical};
}

struct Builder {
  const pdk::Pdk& pdk;
  LayoutParams p;
  ChipLayout& chip;
  CellFactory f;
  std::string mzi, ps, att;
  Coord lm = 0, lps = 0, latt = 0;
  // Per layout cell: its x length, number of modes, worst filler length on any mode, heaters.
  struct Info {
    Coord length = 0;
    int64_t modes = 0;
    Coord worst_fill = 0;
    int64_t heaters = 0, mzis = 0;
    double track_length = 0;  // summed x extent of the optical elements, nm
  };
  std::map<std::string, Info> info;

  Builder(const pdk::Pdk& pk, ChipLayout& c) : pdk(pk), p(layout_params(pk)), chip(c), f(c.lib, p) {
    mzi = f.mzi(true);
    ps = f.phase_shifter();
    lm = chip.lib.cell(mzi).port("o3").position.x;
    lps = chip.lib.cell(ps).port("o2").position.x;
    att = attenuator_cell();
  }

  // An MZI attenuator whose two arms sit at half the mode pitch, so attenuators on neighbouring modes fit
  // one column at the mode pitch; the cross output ends open inside the cell (the dump), at half a pitch
  // below the mode's track, where no other waveguide runs.
  std::string attenuator_cell() {
    if (p.port_pitch % 4 != 0)
      fail("LAYOUT-PARAM", fmt::format("port pitch {} nm is not a multiple of 4", p.port_pitch));
    LayoutParams half = p;
    half.port_pitch = p.port_pitch / 2;
    CellFactory hf(chip.lib, half);
    std::string m = hf.mzi(false);
    std::string name = fmt::format("att_P{}", half.port_pitch);
    const Cell& mc = chip.lib.cell(m);
    latt = mc.port("o3").position.x;
    if (chip.lib.has(name)) return name;
    Cell& c = chip.lib.add_cell(name);
    c.add_ref(m, Trans{}, "mzi");
    add_attenuator_ports(c, mc);
    return name;
  }

  std::string mesh(const circuit::Cell& nc) {
    const int64_t n = info_int(nc, "n");
    const int64_t cols = info_int(nc, "columns");
    if (n < 1 || cols < 0) bad(nc.name, "n must be >= 1 and columns >= 0");
    const Coord P = p.port_pitch;
    // Which (column, mode) slots the netlist fills, and the final column (screen or plain waveguides).
    std::map<std::pair<int64_t, int64_t>, const circuit::Instance*> mzis;
    std::map<int64_t, const circuit::Instance*> last;
    for (const circuit::Instance& in : nc.instances) {
      if (in.component == "mzi") {
        if (in.column < 0 || in.column >= cols || in.mode < 0 || in.mode + 1 >= n)
          bad(nc.name, fmt::format("{} at column {} mode {} is outside the {}-mode, {}-column mesh", in.name, in.column,
                                   in.mode, n, cols));
        if (!mzis.emplace(std::make_pair(int64_t{in.column}, int64_t{in.mode}), &in).second)
          bad(nc.name, fmt::format("two MZIs at column {} mode {}", in.column, in.mode));
      } else if (in.component == "phase_shifter" || in.component == "waveguide") {
        if (in.mode < 0 || in.mode >= n) bad(nc.name, fmt::format("{} on mode {} of {}", in.name, in.mode, n));
        last[in.mode] = &in;
      } else {
        bad(nc.name, fmt::format("instance {} of '{}' does not belong in a mesh", in.name, in.component));
      }
    }
    const bool screen =
        std::any_of(last.begin(), last.end(), [](const auto& kv) { return kv.second->component == "phase_shifter"; });
    const Coord l_last = last.empty() ? 0 : (screen ? lps : lm);
    Info inf;
    inf.modes = n;
    inf.length = cols * lm + l_last;
    std::vector<Coord> fill(static_cast<size_t>(n), 0);
    std::vector<bool> busy(static_cast<size_t>(n));
    Cell& c = chip.lib.add_cell(nc.name);
    const std::string wg_m = f.straight(lm);
    for (int64_t col = 0; col < cols; ++col) {
      std::fill(busy.begin(), busy.end(), false);
      for (auto it = mzis.lower_bound({col, 0}); it != mzis.end() && it->first.first == col;) {
        // A run of MZIs at modes m0, m0 + 2, ... becomes one array reference.
        const int64_t m0 = it->first.second;
        int64_t count = 0;
        while (it != mzis.end() && it->first.first == col && it->first.second == m0 + 2 * count) {
          busy[static_cast<size_t>(it->first.second)] = busy[static_cast<size_t>(it->first.second + 1)] = true;
          ++count;
          ++it;
        }
        if (busy.size() > 0 && count == 0) internal_error("mesh layout: empty MZI run");
        const Trans t = Trans::translate({col * lm, -m0 * P});
        if (count == 1)
          c.add_ref(mzi, t, mzis.at({col, m0})->name);
        else
          c.add_array(mzi, t, 1, static_cast<int32_t>(count), {lm, 0}, {0, -2 * P}, fmt::format("zc{}m{}", col, m0));
        inf.mzis += count;
      }
      for (int64_t m = 0; m < n; ++m)
        if (!busy[static_cast<size_t>(m)]) {
          c.add_ref(wg_m, Trans::translate({col * lm, -m * P}), fmt::format("fill_c{}_m{}", col, m));
          fill[static_cast<size_t>(m)] += lm;
        }
    }
    if (!last.empty()) {
      const std::string wg_last = f.straight(l_last);
      for (int64_t m = 0; m < n; ++m) {
        const Trans t = Trans::translate({cols * lm, -m * P});
        auto it = last.find(m);
        if (it == last.end()) {
          c.add_ref(wg_last, t, fmt::format("fill_c{}_m{}", cols, m));
          fill[static_cast<size_t>(m)] += l_last;
        } else if (it->second->component == "phase_shifter") {
          c.add_ref(ps, t, it->second->name);
          ++inf.heaters;
        } else {
          c.add_ref(wg_last, t, it->second->name);
        }
      }
    }
    inf.heaters += 2 * inf.mzis;
    inf.worst_fill = fill.empty() ? 0 : *std::max_element(fill.begin(), fill.end());
    inf.track_length = static_cast<double>(inf.length) * static_cast<double>(n);
    for (int64_t m = 0; m < n; ++m) {
      c.add_port(optical_port(p, fmt::format("in{}", m), {0, -m * P}, 180));
      c.add_port(optical_port(p, fmt::format("out{}", m), {inf.length, -m * P}, 0));
    }
    info[nc.name] = inf;
    return nc.name;
  }

  std::string attenuators(const circuit::Cell& nc) {
    const int64_t n = info_int(nc, "n");
    const Coord P = p.port_pitch;
    Cell& c = chip.lib.add_cell(nc.name);
    std::set<int64_t> seen;
    for (const circuit::Instance& in : nc.instances) {
      if (in.component != "attenuator" || in.mode < 0 || in.mode >= n || !seen.insert(in.mode).second)
        bad(nc.name,
            fmt::format("instance {} ({} on mode {}) is not one attenuator per mode", in.name, in.component, in.mode));
      c.add_ref(att, Trans::translate({0, -in.mode * P}), in.name);
    }
    Info inf;
    inf.modes = n;
    inf.length = latt;
    inf.mzis = inf.heaters = static_cast<int64_t>(nc.instances.size());
    inf.track_length = static_cast<double>(latt) * static_cast<double>(n);
    for (int64_t m = 0; m < n; ++m) {
      c.add_port(optical_port(p, fmt::format("in{}", m), {0, -m * P}, 180));
      c.add_port(optical_port(p, fmt::format("out{}", m), {latt, -m * P}, 0));
    }
    info[nc.name] = inf;
    return nc.name;
  }

  std::string tile(const circuit::Cell& nc) {
    std::map<std::string, const circuit::Instance*> by;
    for (const circuit::Instance& in : nc.instances) by[in.name] = &in;
    for (const char* k : {"vh", "att", "u"})
      if (!by.count(k) || !chip.cell_of.count(by[k]->component))
        bad(nc.name, fmt::format("instance '{}' missing or not a laid-out cell", k));
    const Info& vh = info.at(chip.cell_of.at(by["vh"]->component));
    const Info& at = info.at(chip.cell_of.at(by["att"]->component));
    const Info& u = info.at(chip.cell_of.at(by["u"]->component));
    Cell& c = chip.lib.add_cell(nc.name);
    c.add_ref(chip.cell_of.at(by["vh"]->component), Trans{}, "vh");
    c.add_ref(chip.cell_of.at(by["att"]->component), Trans::translate({vh.length, 0}), "att");
    c.add_ref(chip.cell_of.at(by["u"]->component), Trans::translate({vh.length + at.length, 0}), "u");
    const Coord P = p.port_pitch, len = vh.length + at.length + u.length;
    for (int64_t j = 0; j < vh.modes; ++j) c.add_port(optical_port(p, fmt::format("in{}", j), {0, -j * P}, 180));
    for (int64_t i = 0; i < u.modes; ++i) c.add_port(optical_port(p, fmt::format("out{}", i), {len, -i * P}, 0));
    for (int64_t k = at.modes; k < vh.modes; ++k)
      c.add_port(optical_port(p, fmt::format("drop{}", k), {vh.length, -k * P}, 0));
    for (int64_t k = at.modes; k < u.modes; ++k)
      c.add_port(optical_port(p, fmt::format("dark{}", k), {vh.length + at.length, -k * P}, 180));
    Info inf;
    inf.modes = std::max(vh.modes, u.modes);
    inf.length = len;
    inf.worst_fill = vh.worst_fill + u.worst_fill;
    inf.heaters = vh.heaters + at.heaters + u.heaters;
    inf.mzis = vh.mzis + at.mzis + u.mzis;
    inf.track_length = vh.track_length + at.track_length + u.track_length;
    info[nc.name] = inf;
    return nc.name;
  }

  void top(const circuit::Netlist& nl) {
    std::vector<std::string> tiles;
    for (const circuit::Cell& nc : nl.cells)
      if (nc.kind == "tile") tiles.push_back(chip.cell_of.at(nc.name));
    const std::string pad = f.bond_pad();
    const Coord P = p.port_pitch, io = 200000, gap = 200000, pad_gap = 100000;
    Coord max_len = 0;
    for (const std::string& t : tiles) max_len = std::max(max_len, info.at(t).length);
    const Coord die_w = std::max(2 * io + max_len, furniture_min_width(p));
    std::string top_name = nl.top.empty() ? "chip" : nl.top;
    if (chip.lib.has(top_name)) top_name += "_chip";
    Cell& top = chip.lib.add_cell(top_name);
    ChipFigures& fig = chip.figures;
    Coord y = -gap;  // top edge of the next tile's block
    double track_nm = 0;
    Coord worst_added = 0;
    for (const std::string& t : tiles) {
      const Info& ti = info.at(t);
      const Cell& tc = chip.lib.cell(t);
      // Bond pads (one per heater plus a common ground) in a block above the tile; not wired (known gap).
      const int64_t pads = ti.heaters + 1;
      const int64_t pcols = std::max<int64_t>(1, ti.length / p.pad_pitch);
      const int64_t prows = (pads + pcols - 1) / pcols;
      if (prows > 32767 || pcols > 32767) fail("LAYOUT-ARRAY", fmt::format("tile {}: {} pads do not fit", t, pads));
      const Coord pad_top = y - p.pad_size / 2;
      top.add_array(pad, Trans::translate({io + p.pad_pitch / 2, pad_top}), static_cast<int32_t>(pcols),
                    static_cast<int32_t>(prows), {p.pad_pitch, 0}, {0, -p.pad_pitch}, "pads_" + t);
      fig.bond_pads += pcols * prows;
      const Coord y0 = pad_top - (prows - 1) * p.pad_pitch - p.pad_size / 2 - pad_gap;  // mode 0 of the tile
      top.add_ref(t, Trans::translate({io, y0}), t);
      f.add_label(top, t, {io, y0 + pad_gap / 2});
      // Straight waveguides from the west die edge to the inputs and from the outputs to the east edge.
      int64_t nin = 0, nout = 0;
      for (const Port& pt : tc.ports) {
        if (pt.name.rfind("in", 0) == 0) ++nin;
        if (pt.name.rfind("out", 0) == 0) ++nout;
      }
      const std::string win = f.straight(io);
      const Coord out_len = die_w - io - ti.length;
      const std::string wout = f.straight(out_len);
      if (nin > 0)
        top.add_array(win, Trans::translate({0, y0}), 1, static_cast<int32_t>(nin), {io, 0}, {0, -P}, "io_in_" + t);
      if (nout > 0)
        top.add_array(wout, Trans::translate({io + ti.length, y0}), 1, static_cast<int32_t>(nout), {out_len, 0},
                      {0, -P}, "io_out_" + t);
      track_nm += ti.track_length + static_cast<double>(nin * io + nout * out_len);
      worst_added = std::max(worst_added, ti.worst_fill + io + out_len);
      fig.heaters += ti.heaters;
      fig.mzi_instances += ti.mzis;
      y = y0 - (ti.modes - 1) * P - gap;
    }
    // Alignment marks and the test structures (bare MZI, cut-back set) below the circuit.
    FurnitureFigures furniture;
    const Box die = place_chip_furniture(chip.lib, top, p, Box{0, y, die_w, 0}, furniture);
    y = die.y0;
    fig.alignment_marks = furniture.alignment_marks;
    fig.test_structures = furniture.test_structures;
    fig.bond_pads += furniture.bond_pads;
    fig.cutback_length_um = furniture.cutback_length_um;
    const Coord die_h = -y;
    top.add_box(p.layers.floorplan, Box{0, y, die_w, 0});
    f.add_label(top, fmt::format("{} {}", nl.name.empty() ? "holo" : nl.name, pdk.name), {io, -gap / 2});
    chip.top = top_name;
    fig.tiles = static_cast<int64_t>(tiles.size());
    fig.die_width_um = static_cast<double>(die_w) / 1000.0;
    fig.die_height_um = static_cast<double>(die_h) / 1000.0;
    fig.die_area_mm2 = fig.die_width_um * fig.die_height_um * 1e-6;
    fig.waveguide_length_um = track_nm / 1000.0;
    fig.worst_path_added_length_um = static_cast<double>(worst_added) / 1000.0;
    const pdk::Template* wg = pdk.templates.count("waveguide") ? &pdk.templates.at("waveguide") : nullptr;
    auto fig_of = [&](const char* key) { return wg && wg->has(key) ? wg->number(key) : 0.0; };
    fig.worst_path_added_loss_db = fig.worst_path_added_length_um * 1e-4 * fig_of("loss_db_per_cm") +
                                   static_cast<double>(fig.bends) * fig_of("bend_loss_db_per_90") +
                                   static_cast<double>(fig.crossings) * fig_of("crossing_loss_db");
    fig.layout_cells = static_cast<int64_t>(chip.lib.size());
  }
};

}  // namespace

ChipLayout layout_chip(const circuit::Netlist& netlist, const pdk::Pdk& pdk) {
  ChipLayout chip;
  Builder b(pdk, chip);
  // Leaves first (the netlist's order), so a tile's meshes exist when the tile is laid out.
  for (const circuit::Cell& nc : netlist.cells) {
    if (nc.kind == "mesh")
      chip.cell_of[nc.name] = b.mesh(nc);
    else if (nc.kind == "attenuators")
      chip.cell_of[nc.name] = b.attenuators(nc);
  }
  for (const circuit::Cell& nc : netlist.cells)
    if (nc.kind == "tile") chip.cell_of[nc.name] = b.tile(nc);
  b.top(netlist);
  return chip;
}

// ---------------------------------------------------------------------------------------------------------
namespace {

using Key = std::pair<std::string, std::string>;  // (instance, port); instance "" = the cell's own port

std::string show(const Key& k) {
  return k.first.empty() ? "<cell>." + k.second : k.first + "." + k.second;
}

// The netlist instance an extracted instance name stands for ("" for a filler).
std::string canonical(const std::string& inst, const std::map<std::pair<int64_t, int64_t>, std::string>& at) {
  if (inst.rfind("fill_", 0) == 0) return "";
  // "zc<col>m<m0><0.j>"
  if (inst.rfind("zc", 0) == 0) {
    unsigned long long col = 0, m0 = 0, i = 0, j = 0;
    if (std::sscanf(inst.c_str(), "zc%llum%llu<%llu.%llu>", &col, &m0, &i, &j) == 4) {
      auto it = at.find({static_cast<int64_t>(col), static_cast<int64_t>(m0 + 2 * j)});
      return it == at.end() ? inst : it->second;
    }
  }
  return inst;
}

void check_cell(const Library& lib, const std::string& lcell, const circuit::Cell& nc, std::vector<LvsMismatch>& out) {
  auto report = [&](const std::string& kind, const std::string& detail) { out.push_back({nc.name, kind, detail}); };
  std::map<std::pair<int64_t, int64_t>, std::string> at;
  for (const circuit::Instance& in : nc.instances)
    if (in.component == "mzi") at[{in.column, in.mode}] = in.name;
  const Connectivity con = extract_connectivity(lib, lcell, PortKind::Optical);
  // Graph of extracted links, in canonical names; fillers keep their own names to be walked through.
  std::map<Key, Key> adj;
  auto name_of = [&](const PlacedPort& pp) {
    std::string c = canonical(pp.instance, at);
    return Key{c.empty() ? pp.instance : c, pp.port.name};
  };
  std::set<std::string> placed;
  auto note = [&](const PlacedPort& pp) {
    std::string c = canonical(pp.instance, at);
    if (!c.empty()) placed.insert(c);
  };
  for (const PortLink& l : con.links) {
    adj[name_of(l.a)] = name_of(l.b);
    adj[name_of(l.b)] = name_of(l.a);
    note(l.a);
    note(l.b);
  }
  for (const auto& [cp, pp] : con.exposed) {
    adj[name_of(pp)] = Key{"", cp};
    adj[Key{"", cp}] = name_of(pp);
    note(pp);
  }
  for (const PlacedPort& pp : con.open) note(pp);
  for (const PortMismatch& m : con.mismatches)
    report("bad_meet",
           fmt::format("{}.{} / {}.{}: {}", m.a.instance, m.a.port.name, m.b.instance, m.b.port.name, m.reason));
  for (const std::string& cp : con.unexposed_cell_ports)
    report("port", fmt::format("cell port {} has nothing under it", cp));
  // Follow a port through fillers (straights o1 <-> o2) to the next netlist port or cell port.
  auto resolve = [&](Key k) -> std::optional<Key> {
    for (int guard = 0; guard < 100000; ++guard) {
      auto it = adj.find(k);
      if (it == adj.end()) return std::nullopt;
      Key nxt = it->second;
      if (nxt.first.rfind("fill_", 0) != 0) return nxt;
      k = Key{nxt.first, nxt.second == "o1" ? "o2" : "o1"};
    }
    return std::nullopt;
  };
  std::set<std::string> expected_inst;
  for (const circuit::Instance& in : nc.instances) {
    expected_inst.insert(in.name);
    if (!placed.count(in.name)) report("missing_instance", in.name);
  }
  for (const std::string& s : placed)
    if (!expected_inst.count(s)) report("extra_instance", s);
  // Expected: every connection and every cell port, as unordered pairs of keys.
  std::set<std::pair<Key, Key>> want, got;
  auto pair_of = [](Key a, Key b) { return a < b ? std::make_pair(a, b) : std::make_pair(b, a); };
  std::set<Key> ends;
  for (const circuit::Connection& c : nc.connections) {
    want.insert(pair_of({c.a.instance, c.a.port}, {c.b.instance, c.b.port}));
    ends.insert({c.a.instance, c.a.port});
    ends.insert({c.b.instance, c.b.port});
  }
  for (const circuit::CellPort& cp : nc.ports) {
    if (cp.kind != "optical") continue;
    want.insert(pair_of({"", cp.name}, {cp.inner.instance, cp.inner.port}));
    ends.insert({cp.inner.instance, cp.inner.port});
    ends.insert({"", cp.name});
  }
  for (const auto& [k, v] : adj) {
    if (k.first.rfind("fill_", 0) == 0) continue;
    std::optional<Key> r = resolve(k);
    if (r) got.insert(pair_of(k, *r));
  }
  for (const auto& w : want)
    if (!got.count(w)) report("missing_connection", show(w.first) + " -- " + show(w.second));
  for (const auto& g : got)
    if (!want.count(g)) report("extra_connection", show(g.first) + " -- " + show(g.second));
}

}  // namespace

std::vector<LvsMismatch> check_layout_vs_netlist(const Library& lib, const std::map<std::string, std::string>& cell_of,
                                                 const circuit::Netlist& netlist) {
  std::vector<LvsMismatch> out;
  for (const circuit::Cell& nc : netlist.cells) {
    if (nc.kind != "mesh" && nc.kind != "attenuators" && nc.kind != "tile") continue;
    auto it = cell_of.find(nc.name);
    if (it == cell_of.end() || !lib.has(it->second)) {
      out.push_back({nc.name, "missing_cell", "no layout cell"});
      continue;
    }
    check_cell(lib, it->second, nc, out);
  }
  return out;
}

}  // namespace holo::layout
