// Lowering a graph onto the netlist: tiles cover each weight matrix, the programmed tiles rebuilt from the
// hardware MZI model (through sim's contract reader) reproduce the weights, nonlinearities and the rest get the
// right domains, and the result does not depend on the thread count.
#include "holo/mapping/lower.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <map>
#include <random>

#include "holo/circuit/compiled.h"
#include "holo/circuit/io.h"
#include "holo/circuit/verify.h"
#include "holo/graph/verify.h"
#include "holo/graph/weights.h"
#include "holo/pdk/pdk.h"
#include "holo/support/error.h"

namespace {

using holo::Array;
namespace graph = holo::graph;

std::vector<double> randv(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> v(n);
  for (auto& x : v) x = 2.0 * static_cast<double>(rng() >> 11) * 0x1.0p-53 - 1.0;
  return v;
}

// x[N,7] -> Gemm(transB, W1 [5,7]) -> Relu -> MatMul(W2 [5,3]) -> Softmax
graph::Graph small_net() {
  graph::Graph g;
  g.name = "small";
  auto x = g.intern("x");
  g.tensor(x).shape = {-1, 7};
  g.tensor(x).shape_known = true;
  g.inputs.push_back(x);
  g.add_constant("w1", Array({5, 7}, randv(35, 1)));
  g.add_constant("w2", Array({5, 3}, randv(15, 2)));
  auto node = [&](const char* name, const char* op, std::vector<std::string> in, const char* out) {
    graph::Node n;
    n.name = name;
    n.op = op;
    for (auto& s : in) n.inputs.push_back(g.intern(s));
    n.outputs.push_back(g.intern(out));
    if (std::string(op) == "Gemm") n.attrs["transB"] = int64_t{1};
    g.nodes.push_back(n);
  };
  node("fc1", "Gemm", {"x", "w1"}, "h");
  node("act", "Relu", {"h"}, "a");
  node("fc2", "MatMul", {"a", "w2"}, "z");
  node("prob", "Softmax", {"z"}, "y");
  g.outputs.push_back(g.intern("y"));
  graph::verify(g);
  return g;
}

holo::pdk::Pdk platform() {
  return holo::pdk::load_pdk(holo::pdk::default_pdk_path());
}

}  // namespace

TEST(Lower, TilesRebuildTheWeights) {
  const graph::Graph g = small_net();
  const auto pdk = platform();
  holo::mapping::MappingOptions o;
  o.mesh_size = 3;  // forces edge tiles: 5x7 -> 2x3 blocks, 3x5 -> 1x2 blocks
  holo::mapping::MappingSummary sum;
  auto net = holo::mapping::lower(g, pdk, o, &sum);
  holo::circuit::verify(net, pdk);
  holo::circuit::verify_compiled(net);  // the compiled-chip contract, as every reader sees it
  EXPECT_EQ(sum.optical_stages, 2);
  EXPECT_EQ(sum.electronic_stages, 2);
  EXPECT_EQ(sum.tiles, 2 * 3 + 1 * 2);
  for (const auto& st : net.stages) {
    if (st.domain != "optical") {
      EXPECT_FALSE(st.reason.empty()) << st.node;
      continue;
    }
    int64_t out = 0, in = 0;
    std::vector<double> w;
    const graph::Node* node = nullptr;
    for (const auto& n : g.nodes)
      if (n.name == st.node) node = &n;
    ASSERT_TRUE(node && holo::graph::weight_matrix(g, *node, out, in, w));
    std::vector<int> covered(static_cast<size_t>(out * in), 0);
    for (const auto& t : st.tiles) {
      const Eigen::MatrixXcd T = holo::circuit::ideal_matrix(holo::circuit::read_tile(net, t.cell));
      for (int64_t i = 0; i < t.rows; ++i)
        for (int64_t j = 0; j < t.cols; ++j) {
          const double want = w[static_cast<size_t>((t.row0 + i) * in + t.col0 + j)];
          // gain * U A V^H in double precision through O(10) 2x2 products: 1e-12 is rounding headroom.
          EXPECT_NEAR((t.gain * T(i, j)).real(), want, 1e-12);
          EXPECT_NEAR((t.gain * T(i, j)).imag(), 0.0, 1e-12);
          ++covered[static_cast<size_t>((t.row0 + i) * in + t.col0 + j)];
        }
    }
    for (int c : covered) EXPECT_EQ(c, 1);
  }
}

TEST(Lower, DomainsAndEoActivation) {
  const auto pdk = platform();
  holo::mapping::MappingOptions o;
  o.activation = "eo";
  auto net = holo::mapping::lower(small_net(), pdk, o);
  holo::circuit::verify_compiled(net);
  std::map<std::string, std::string> domain;
  for (const auto& st : net.stages) domain[st.node] = st.domain;
  EXPECT_EQ(domain["fc1"], "optical");
  EXPECT_EQ(domain["act"], "optical_activation");
  EXPECT_EQ(domain["fc2"], "optical");
  EXPECT_EQ(domain["prob"], "electronic");
}

TEST(Lower, SameBytesForAnyThreadCount) {
  const auto pdk = platform();
  holo::mapping::MappingOptions o;
  o.mesh_size = 4;
  omp_set_num_threads(1);
  const std::string a = holo::circuit::to_json(holo::mapping::lower(small_net(), pdk, o));
  omp_set_num_threads(2);
  const std::string b = holo::circuit::to_json(holo::mapping::lower(small_net(), pdk, o));
  EXPECT_EQ(a, b);
}

TEST(Lower, ImpossibleOptions) {
  const auto pdk = platform();
  auto code = [&](holo::mapping::MappingOptions o) {
    try {
      holo::mapping::lower(small_net(), pdk, o);
    } catch (const holo::Error& e) {
      return e.code();
    }
    return std::string("no error");
  };
  holo::mapping::MappingOptions o;
  o.mesh_size = 0;
  EXPECT_EQ(code(o), "MAP-BAD-OPTION");
  o = {};
  o.activation = "magic";
  EXPECT_EQ(code(o), "MAP-BAD-OPTION");
  o = {};
  o.rank_energy = 0.0;
  EXPECT_EQ(code(o), "MAP-BAD-OPTION");
}

TEST(Lower, SanitizeKeepsNamesShortAndDistinct) {
  const std::string a(100, 'a'), b = a + "b";
  const std::string sa = holo::mapping::sanitize("/model/" + a), sb = holo::mapping::sanitize("/model/" + b);
  EXPECT_LE(sa.size(), 40u);  // room for the "_t<r>_<c>_att" / "_top" suffixes within the layout's 64
  EXPECT_NE(sa, sb);
  EXPECT_EQ(holo::mapping::sanitize("/fc1/Gemm"), "fc1_Gemm");
  EXPECT_EQ(holo::mapping::sanitize("3d"), "n3d");
}
