// runtime: a chip runs its model. On an ideal chip the optical stages (Gemm with bias and alpha/beta, MatMul,
// Conv, tiled below the mesh size) reproduce the reference executor; Monte-Carlo statistics are the per-draw
// figures' mean / sample std / min, and draw d equals a chip prepared alone with seed + d; the binding check
// rejects a chip that is not the model's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "holo/graph/executor.h"
#include "holo/graph/verify.h"
#include "holo/mapping/lower.h"
#include "holo/pdk/pdk.h"
#include "holo/runtime/binding.h"
#include "holo/runtime/chip.h"
#include "holo/runtime/evaluate.h"
#include "test_support.h"

namespace holo::runtime {
namespace {

std::vector<double> randv(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> v(n);
  for (auto& x : v) x = 2.0 * static_cast<double>(rng() >> 11) * 0x1.0p-53 - 1.0;
  return v;
}

struct Builder {
  graph::Graph g;
  void node(const char* name, const char* op, std::vector<std::string> in, const char* out,
            graph::Attributes attrs = {}) {
    graph::Node n;
    n.name = name;
    n.op = op;
    n.attrs = std::move(attrs);
    for (auto& s : in) n.inputs.push_back(g.intern(s));
    n.outputs.push_back(g.intern(out));
    g.nodes.push_back(n);
  }
  void input(const char* name, Shape shape) {
    auto x = g.intern(name);
    g.tensor(x).shape = std::move(shape);
    g.tensor(x).shape_known = true;
    g.inputs.push_back(x);
  }
  graph::Graph done(const char* out) {
    g.outputs.push_back(g.intern(out));
    graph::verify(g);
    return std::move(g);
  }
};

// x[N,7] -> Gemm(transB, W1 [5,7], bias, alpha 0.5, beta 2) -> Relu -> MatMul(W2 [5,4]) -> [N,4]
graph::Graph mlp() {
  Builder b;
  b.g.name = "mlp";
  b.input("x", {-1, 7});
  b.g.add_constant("w1", Array({5, 7}, randv(35, 1)));
  b.g.add_constant("b1", Array({5}, randv(5, 2)));
  b.g.add_constant("w2", Array({5, 4}, randv(20, 3)));
  b.node("fc1", "Gemm", {"x", "w1", "b1"}, "h", {{"transB", int64_t{1}}, {"alpha", 0.5}, {"beta", 2.0}});
  b.node("act", "Relu", {"h"}, "a");
  b.node("fc2", "MatMul", {"a", "w2"}, "y");
  return b.done("y");
}

// x[N,2,5,5] -> Conv(3 x 2 x 3 x 3, bias, pad 1) -> Relu -> Flatten -> Gemm(transB, [4, 75]) -> [N,4]
graph::Graph cnn() {
  Builder b;
  b.g.name = "cnn";
  b.input("x", {-1, 2, 5, 5});
  b.g.add_constant("k", Array({3, 2, 3, 3}, randv(54, 4)));
  b.g.add_constant("kb", Array({3}, randv(3, 5)));
  b.g.add_constant("w", Array({4, 75}, randv(300, 6)));
  b.node("conv", "Conv", {"x", "k", "kb"}, "c", {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  b.node("act", "Relu", {"c"}, "r");
  b.node("flat", "Flatten", {"r"}, "f");
  b.node("fc", "Gemm", {"f", "w"}, "y", {{"transB", int64_t{1}}});
  return b.done("y");
}

pdk::Pdk platform() {
  return pdk::load_pdk(pdk::default_pdk_path());
}

circuit::Netlist lower(const graph::Graph& g, const pdk::Pdk& p, int mesh_size, const char* activation = "oeo") {
  mapping::MappingOptions o;
  o.mesh_size = mesh_size;
  o.activation = activation;
  return mapping::lower(g, p, o);
}

double max_abs_diff(const Array& a, const Array& b) {
  EXPECT_EQ(a.shape, b.shape);
  double m = 0;
  for (int64_t i = 0; i < a.numel(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

double max_abs(const Array& a) {
  double m = 0;
  for (double v : a.data) m = std::max(m, std::fabs(v));
  return m;
}

sim::SimOptions ideal() {
  sim::SimOptions o = sim::SimOptions::nominal();
  o.ideal = true;
  return o;
}

TEST(RuntimeChip, IdealChipAgreesWithTheReferenceExecutor) {
  const pdk::Pdk p = platform();
  struct Case {
    graph::Graph g;
    Shape x;
  };
  std::vector<Case> cases;
  cases.push_back({mlp(), {6, 7}});
  cases.push_back({cnn(), {3, 2, 5, 5}});
  for (const Case& c : cases) {
    for (int mesh : {3, 64}) {  // tiled into 3 x 3 blocks, and one tile per layer
      const circuit::Netlist net = lower(c.g, p, mesh);
      check_binding(c.g, net, "chip.json");
      const Chip chip(c.g, net, p, ideal());
      int64_t n = 1;
      for (int64_t d : c.x) n *= d;
      const std::vector<Array> in = {Array(c.x, randv(static_cast<size_t>(n), 7))};
      const Array ref = graph::execute(c.g, in)[0];
      const Array got = chip.run(in)[0];
      // The ideal chip is the reference computation up to double rounding through a few MZIs per path and the
      // SVD of each tile: 1e-12 of the output scale is far above that and far below any mapping error.
      EXPECT_LT(max_abs_diff(got, ref), 1e-12 * max_abs(ref)) << c.g.name << " mesh " << mesh;
      EXPECT_EQ(chip.stats().out_of_range, 0);
      EXPECT_EQ(chip.stats().tiles_tried, 0);
      // The node override computes exactly the optical nodes.
      std::vector<Array> out(1);
      int computed = 0;
      for (const graph::Node& node : c.g.nodes) {
        const bool optical = node.op == "Gemm" || node.op == "MatMul" || node.op == "Conv";
        std::vector<const Array*> none;
        if (!optical) computed += chip.compute(node, none, out) ? 1 : 0;
      }
      EXPECT_EQ(computed, 0);
    }
  }
}

TEST(RuntimeChip, EoActivationRunsOnTheChip) {
  const pdk::Pdk p = platform();
  const graph::Graph g = mlp();
  const circuit::Netlist net = lower(g, p, 64, "eo");
  check_binding(g, net, "chip.json");
  const std::vector<Array> in = {Array({4, 7}, randv(28, 9))};
  const Array got = Chip(g, net, p, ideal()).run(in)[0];
  const Array ref = graph::execute(g, in)[0];
  // The EO nonlinearity is not a ReLU: the outputs differ, but stay finite and of the reference's scale.
  EXPECT_GT(max_abs_diff(got, ref), 0.0);
  for (double v : got.data) EXPECT_TRUE(std::isfinite(v));
}

TEST(RuntimeEvaluate, StatisticsOfATinyBatch) {
  Array logits({3, 2}, {0.1, 0.9, 2.0, -1.0, 0.5, 0.5});
  EXPECT_EQ(argmax_rows(logits), (std::vector<int64_t>{1, 0, 0}));  // ties: the first maximum
  EXPECT_EQ(test::error_code([] { argmax_rows(Array({3}, {1, 2, 3})); }), "EVAL-OUTPUT-SHAPE");
  EXPECT_EQ(flatten_batch(Array({2, 3, 1, 1}, randv(6, 1))).shape, (Shape{2, 3}));
  EXPECT_DOUBLE_EQ(mean({1, 2, 3, 6}), 3.0);
  EXPECT_DOUBLE_EQ(sample_std({1, 2, 3, 6}), std::sqrt((4.0 + 1.0 + 0.0 + 9.0) / 3.0));
  EXPECT_EQ(sample_std({5}), 0.0);
  EXPECT_EQ(mean({}), 0.0);

  const graph::Graph g = mlp();
  const std::vector<Array> in = {Array({5, 7}, randv(35, 11))};
  const Reference ref = reference(g, in, "x.npy");
  EXPECT_EQ(ref.samples(), 5);
  EXPECT_EQ(ref.classes(), 4);
  EXPECT_EQ(ref.output_scale, max_abs(ref.output));
  // Labels: the reference's own predictions, then one changed.
  Array labels(Shape{5});
  for (int64_t i = 0; i < 5; ++i) labels[i] = static_cast<double>(ref.predictions[static_cast<size_t>(i)]);
  labels[0] = static_cast<double>((ref.predictions[0] + 1) % 4);
  const std::vector<int64_t> cls = class_labels(labels, ref, "y.npy");
  EXPECT_EQ(test::error_code([&] { class_labels(Array({4}, {0, 1, 2, 3}), ref, "y.npy"); }), "EVAL-LABELS");
  EXPECT_EQ(test::error_code([&] { class_labels(Array({5}, {0, 1, 2, 3, 4}), ref, "y.npy"); }), "EVAL-LABELS");
  EXPECT_EQ(test::error_code([&] { class_labels(Array({5}, {0, 1, 2, 0.5, 1}), ref, "y.npy"); }), "EVAL-LABELS");
  EXPECT_EQ(test::error_code([&] { reference(g, {Array(Shape{0, 7})}, "x.npy"); }), "INPUT-EMPTY");

  const pdk::Pdk p = platform();
  const circuit::Netlist net = lower(g, p, 3);
  // Ideal: the chip agrees with the reference on every sample.
  const DrawStats exact = evaluate(Chip(g, net, p, ideal()), in, ref, cls);
  EXPECT_EQ(exact.agreement, 1.0);
  EXPECT_EQ(exact.accuracy, 0.8);
  EXPECT_LT(exact.max_abs_error, 1e-12 * ref.output_scale);

  // Impaired, three draws: each draw is the chip prepared alone with seed + d; the statistics are theirs.
  sim::SimOptions so = sim::SimOptions::nominal();
  so.coupler_sigma_rad = 0.2;
  so.phase_noise_rad = 0.2;
  so.seed = 40;
  MonteCarloOptions mc;
  mc.draws = 3;
  int calls = 0;
  mc.on_draw = [&calls] { ++calls; };
  const Statistics st = monte_carlo(g, net, p, so, in, ref, cls, mc);
  EXPECT_EQ(calls, 3);
  ASSERT_EQ(st.per_draw.size(), 3u);
  EXPECT_EQ(st.samples, 5);
  EXPECT_TRUE(st.labelled);
  EXPECT_EQ(st.reference_accuracy, 0.8);
  std::vector<double> acc, agree, rms;
  double worst = 0;
  for (int d = 0; d < 3; ++d) {
    sim::SimOptions one = so;
    one.seed = so.seed + static_cast<uint64_t>(d);
    const DrawStats alone = evaluate(Chip(g, net, p, one), in, ref, cls);
    const DrawStats& got = st.per_draw[static_cast<size_t>(d)];
    EXPECT_EQ(got.accuracy, alone.accuracy);
    EXPECT_EQ(got.agreement, alone.agreement);
    EXPECT_EQ(got.max_abs_error, alone.max_abs_error);
    EXPECT_EQ(got.rms_error, alone.rms_error);
    EXPECT_GT(got.max_abs_error, exact.max_abs_error);  // the impairments show
    acc.push_back(got.accuracy);
    agree.push_back(got.agreement);
    rms.push_back(got.rms_error);
    worst = std::max(worst, got.max_abs_error);
  }
  EXPECT_NE(st.per_draw[0].max_abs_error, st.per_draw[1].max_abs_error);  // independent draws
  EXPECT_EQ(st.accuracy_mean, mean(acc));
  EXPECT_EQ(st.accuracy_std, sample_std(acc));
  EXPECT_EQ(st.accuracy_min, *std::min_element(acc.begin(), acc.end()));
  EXPECT_EQ(st.agreement_mean, mean(agree));
  EXPECT_EQ(st.agreement_std, sample_std(agree));
  EXPECT_EQ(st.rms_error_mean, mean(rms));
  EXPECT_EQ(st.max_abs_error, worst);
  EXPECT_EQ(st.output_scale, ref.output_scale);

  // Without labels: no accuracy.
  MonteCarloOptions once;
  once.draws = 1;
  MonteCarloOptions none;
  none.draws = 0;
  const Statistics unlabelled = monte_carlo(g, net, p, so, in, ref, {}, once);
  EXPECT_FALSE(unlabelled.labelled);
  EXPECT_EQ(unlabelled.accuracy_mean, 0.0);
  EXPECT_EQ(unlabelled.per_draw[0].agreement, st.per_draw[0].agreement);
  EXPECT_EQ(test::error_code([&] { monte_carlo(g, net, p, so, in, ref, {}, none); }), "RUNTIME-BAD-OPTION");
}

// Re-powering a prepared chip (what the laser power search does between probes) gives exactly the chip prepared at
// that power: the draw does not depend on the power, and the detector noise streams do not either.
TEST(RuntimeChip, SetLaserPowerEqualsPreparingAtThatPower) {
  const graph::Graph g = mlp();
  const std::vector<Array> in = {Array({6, 7}, randv(42, 13))};
  const pdk::Pdk p = platform();
  const circuit::Netlist net = lower(g, p, 3);
  sim::SimOptions so;  // the realistic default: detector noise on
  so.seed = 3;
  so.laser_power_mw = 0.02;
  Chip direct(g, net, p, so);
  so.laser_power_mw = 5.0;
  Chip repowered(g, net, p, so);
  repowered.set_laser_power_mw(0.02);
  const std::vector<Array> a = direct.run(in), b = repowered.run(in);
  ASSERT_EQ(a.size(), b.size());
  EXPECT_EQ(a[0].data, b[0].data);
  ASSERT_EQ(direct.stats().stages.size(), repowered.stats().stages.size());
  for (size_t k = 0; k < direct.stats().stages.size(); ++k)
    EXPECT_EQ(direct.stats().stages[k].snr_db, repowered.stats().stages[k].snr_db);
  EXPECT_EQ(test::error_code([&] { repowered.set_laser_power_mw(0.0); }), "SIM-BAD-OPTION");
}

TEST(RuntimeBinding, RejectsAChipOfAnotherModel) {
  const pdk::Pdk p = platform();
  const graph::Graph g = mlp();
  const circuit::Netlist net = lower(g, p, 3);
  EXPECT_NO_THROW(check_binding(g, net, "c.json"));
  auto code = [&](const circuit::Netlist& n) { return test::error_code([&] { check_binding(g, n, "c.json"); }); };
  circuit::Netlist renamed = net;
  renamed.stages[0].node = "other";
  EXPECT_EQ(code(renamed), "CHIP-STAGE-MISMATCH");
  circuit::Netlist electronic = net;
  electronic.stages[0].domain = "electronic";
  EXPECT_EQ(code(electronic), "CHIP-STAGE-MISMATCH");
  circuit::Netlist gain = net;
  gain.stages[0].tiles[0].gain *= 10;
  EXPECT_EQ(code(gain), "CHIP-STAGE-MISMATCH");
  circuit::Netlist short_program = net;
  short_program.stages.pop_back();
  EXPECT_EQ(code(short_program), "CHIP-STAGE-MISMATCH");
  // Another model's chip: the same structure with other weights.
  graph::Graph other = mlp();
  auto& w = *other.tensor(other.find("w1")).value;
  for (double& v : w.data) v *= 3;
  EXPECT_EQ(test::error_code([&] { check_binding(other, net, "c.json"); }), "CHIP-STAGE-MISMATCH");
}

}  // namespace
}  // namespace holo::runtime
