#include "holo/sim/smatrix.h"

#include <fmt/format.h>

#include <Eigen/SparseCore>
#include <Eigen/SparseLU>
#include <algorithm>
#include <map>
#include <set>

#include "holo/sim/components.h"
#include "holo/support/error.h"

namespace holo::sim {

namespace {

using cdouble = std::complex<double>;

struct Leaf {
  std::string path;
  const pdk::Template* tmpl = nullptr;
  const circuit::Instance* inst = nullptr;
  int64_t first = 0;               // global index of its first optical port
  std::vector<std::string> ports;  // optical ports, template order
};

class Flattener {
 public:
  Flattener(const circuit::Netlist& n, const pdk::Pdk& pdk) : n_(n), pdk_(pdk) {}

  void add_cell(const circuit::Cell& c, const std::string& prefix) {
    if (std::find(stack_.begin(), stack_.end(), c.name) != stack_.end()) {
      std::string cycle;
      for (const std::string& s : stack_) cycle += s + " -> ";
      fail("SIM-RECURSIVE-CELL", fmt::format("cell '{}' contains itself: {}{}", c.name, cycle, c.name));
    }
    stack_.push_back(c.name);
    for (const circuit::Instance& inst : c.instances) {
      const std::string path = prefix + inst.name;
      if (const circuit::Cell* sub = n_.find_cell(inst.component)) {
        add_cell(*sub, path + "/");
        continue;
      }
      auto it = pdk_.templates.find(inst.component);
      if (it == pdk_.templates.end()) {
        fail("SIM-UNKNOWN-COMPONENT", fmt::format("cell '{}' instance '{}': component '{}' is neither a cell nor a "
                                                  "template of PDK '{}'",
                                                  c.name, path, inst.component, pdk_.name));
      }
      Leaf leaf;
      leaf.path = path;
      leaf.tmpl = &it->second;
      leaf.inst = &inst;
      leaf.first = static_cast<int64_t>(partner_.size());
      leaf.ports = optical_ports(it->second);
      for (size_t k = 0; k < leaf.ports.size(); ++k) {
        index_[path + "\n" + leaf.ports[k]] = leaf.first + static_cast<int64_t>(k);
        names_.push_back(path + "." + leaf.ports[k]);
        partner_.push_back(-1);
        external_.push_back(false);
      }
      for (const pdk::Port& p : it->second.ports) {
        if (p.kind != "optical") electrical_ports_.insert(path + "\n" + p.name);
      }
      leaves_.push_back(std::move(leaf));
    }
    for (const circuit::Connection& k : c.connections) {
      const int64_t a = resolve(c, prefix, k.a), b = resolve(c, prefix, k.b);
      const std::string what = fmt::format("cell '{}' connection {}.{} -- {}.{}", c.name, prefix + k.a.instance,
                                           k.a.port, prefix + k.b.instance, k.b.port);
      if (a < 0 && b < 0) continue;  // electrical wiring
      if (a < 0 || b < 0) fail("SIM-BAD-CONNECTION", what + ": joins an optical port to an electrical one");
      if (a == b) fail("SIM-BAD-CONNECTION", what + ": connects a port to itself");
      for (int64_t p : {a, b}) {
        if (partner_[static_cast<size_t>(p)] >= 0 || external_[static_cast<size_t>(p)]) {
          fail("SIM-BAD-CONNECTION", fmt::format("{}: port {} is already used", what, names_[static_cast<size_t>(p)]));
        }
      }
      partner_[static_cast<size_t>(a)] = b;
      partner_[static_cast<size_t>(b)] = a;
    }
    stack_.pop_back();
  }

  // Global optical port of an instance port of cell c (instances named relative to `prefix`); -1 when the port
  // is electrical.
  int64_t resolve(const circuit::Cell& c, const std::string& prefix, const circuit::PortRef& r) const {
    const circuit::Instance* inst = nullptr;
    for (const circuit::Instance& i : c.instances) {
      if (i.name == r.instance) {
        inst = &i;
        break;
      }
    }
    if (!inst) fail("SIM-BAD-CONNECTION", fmt::format("cell '{}': no instance '{}'", c.name, prefix + r.instance));
    if (const circuit::Cell* sub = n_.find_cell(inst->component)) {
      for (const circuit::CellPort& p : sub->ports) {
        if (p.name == r.port) return resolve(*sub, prefix + r.instance + "/", p.inner);
      }
      fail("SIM-BAD-CONNECTION", fmt::format("cell '{}': instance '{}' (cell '{}') has no port '{}'", c.name,
                                             prefix + r.instance, sub->name, r.port));
    }
    const std::string key = prefix + r.instance + "\n" + r.port;
    auto it = index_.find(key);
    if (it != index_.end()) return it->second;
    if (electrical_ports_.count(key)) return -1;
    fail("SIM-BAD-CONNECTION", fmt::format("cell '{}': instance '{}' ({}) has no port '{}'", c.name,
                                           prefix + r.instance, inst->component, r.port));
  }

  void expose(int64_t p, const std::string& what) {
    if (partner_[static_cast<size_t>(p)] >= 0 || external_[static_cast<size_t>(p)]) {
      fail("SIM-BAD-CONNECTION", fmt::format("{}: port {} is already used", what, names_[static_cast<size_t>(p)]));
    }
    external_[static_cast<size_t>(p)] = true;
  }

  const std::vector<Leaf>& leaves() const { return leaves_; }
  const std::vector<int64_t>& partner() const { return partner_; }
  const std::vector<bool>& external() const { return external_; }
  const std::string& name(int64_t p) const { return names_[static_cast<size_t>(p)]; }

 private:
  const circuit::Netlist& n_;
  const pdk::Pdk& pdk_;
  std::vector<std::string> stack_;
  std::vector<Leaf> leaves_;
  std::map<std::string, int64_t> index_;  // "path\nport" -> global optical port
  std::set<std::string> electrical_ports_;
  std::vector<std::string> names_;
  std::vector<int64_t> partner_;
  std::vector<bool> external_;
};

}  // namespace

Eigen::Index NetworkSMatrix::index(const std::string& port) const {
  for (size_t i = 0; i < ports.size(); ++i) {
    if (ports[i] == port) return static_cast<Eigen::Index>(i);
  }
  fail("SIM-BAD-CONNECTION", fmt::format("the solved network has no optical port '{}'", port));
}

NetworkSMatrix solve_cell(const circuit::Netlist& n, const pdk::Pdk& pdk, const std::string& cell,
                          const SolverOptions& options) {
  const circuit::Cell* top = n.find_cell(cell);
  if (!top) fail("SIM-MISSING-CELL", fmt::format("netlist '{}' has no cell '{}'", n.name, cell));
  Flattener f(n, pdk);
  f.add_cell(*top, "");

  NetworkSMatrix out;
  std::vector<int64_t> ext;
  for (const circuit::CellPort& p : top->ports) {
    const int64_t g = f.resolve(*top, "", p.inner);
    if (g < 0) continue;
    f.expose(g, fmt::format("cell '{}' port '{}'", cell, p.name));
    ext.push_back(g);
    out.ports.push_back(p.name);
  }
  const auto total = static_cast<int64_t>(f.partner().size());
  std::vector<int64_t> eidx(static_cast<size_t>(total), -1), iidx(static_cast<size_t>(total), -1);
  for (size_t e = 0; e < ext.size(); ++e) eidx[static_cast<size_t>(ext[e])] = static_cast<int64_t>(e);
  int64_t n_int = 0;
  for (int64_t p = 0; p < total; ++p) {
    if (f.external()[static_cast<size_t>(p)]) continue;
    if (f.partner()[static_cast<size_t>(p)] < 0) {
      fail("SIM-UNCONNECTED-PORT",
           fmt::format("cell '{}': optical port {} is neither connected nor exposed", cell, f.name(p)));
    }
    iidx[static_cast<size_t>(p)] = n_int++;
  }
  const auto n_ext = static_cast<Eigen::Index>(ext.size());
  out.leaf_instances = static_cast<int64_t>(f.leaves().size());
  out.internal_ports = n_int;

  std::vector<Eigen::Triplet<cdouble>> triplets;
  triplets.reserve(static_cast<size_t>(n_int) * 3);
  for (int64_t r = 0; r < n_int; ++r) triplets.emplace_back(r, r, cdouble(1.0, 0.0));
  Eigen::MatrixXcd rhs = Eigen::MatrixXcd::Zero(n_int, n_ext);
  out.s = Eigen::MatrixXcd::Zero(n_ext, n_ext);
  struct Tail {  // S_EI entries: (external row, internal port, value)
    Eigen::Index e;
    int64_t p;
    cdouble v;
  };
  std::vector<Tail> tail;

  for (const Leaf& leaf : f.leaves()) {
    circuit::Settings settings = leaf.inst->settings;
    ComponentOptions copt;
    copt.use_loss = options.use_pdk_loss;
    auto ov = options.overrides.find(leaf.path);
    if (ov != options.overrides.end()) {
      for (const auto& [k, v] : ov->second.settings) settings[k] = v;
      if (ov->second.has_coupler_error) copt.coupler_error = &ov->second.coupler_error;
    }
    const Eigen::MatrixXcd s = component_smatrix(pdk, *leaf.tmpl, settings, copt, leaf.path);
    for (Eigen::Index c = 0; c < s.cols(); ++c) {
      for (Eigen::Index r = 0; r < s.rows(); ++r) {
        const cdouble v = s(r, c);
        if (v == cdouble(0.0, 0.0)) continue;
        const auto gr = static_cast<size_t>(leaf.first + r), gc = static_cast<size_t>(leaf.first + c);
        if (iidx[gr] >= 0 && iidx[gc] >= 0) {
          triplets.emplace_back(iidx[gr], iidx[static_cast<size_t>(f.partner()[gc])], -v);
        } else if (iidx[gr] >= 0) {
          rhs(iidx[gr], eidx[gc]) += v;
        } else if (iidx[gc] >= 0) {
          tail.push_back({eidx[gr], static_cast<int64_t>(gc), v});
        } else {
          out.s(eidx[gr], eidx[gc]) += v;
        }
      }
    }
  }
  if (n_int > 0) {  // solved even when no internal wave reaches a port: a decoupled lossless cavity is an error
    Eigen::SparseMatrix<cdouble> a(n_int, n_int);
    a.setFromTriplets(triplets.begin(), triplets.end());
    a.makeCompressed();
    Eigen::SparseLU<Eigen::SparseMatrix<cdouble>, Eigen::COLAMDOrdering<int>> lu;
    lu.analyzePattern(a);
    lu.factorize(a);
    if (lu.info() != Eigen::Success) {
      fail("SIM-SINGULAR", fmt::format("cell '{}': the network equations of {} internal ports are singular ({})", cell,
                                       n_int, lu.lastErrorMessage()));
    }
    const Eigen::MatrixXcd x = lu.solve(rhs);
    if (lu.info() != Eigen::Success || !x.allFinite()) {
      fail("SIM-SINGULAR", fmt::format("cell '{}': the network equations could not be solved", cell));
    }
    for (const Tail& t : tail) {
      const int64_t q = iidx[static_cast<size_t>(f.partner()[static_cast<size_t>(t.p)])];
      out.s.row(t.e) += t.v * x.row(q);
    }
  }
  return out;
}

}  // namespace holo::sim
