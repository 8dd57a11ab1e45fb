#include "holo/runtime/evaluate.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "holo/graph/executor.h"
#include "holo/support/error.h"

namespace holo::runtime {

std::vector<int64_t> argmax_rows(const Array& logits) {
  if (logits.rank() != 2)
    fail("EVAL-OUTPUT-SHAPE", fmt::format("expected [batch, classes] scores, got {}", shape_str(logits.shape)));
  std::vector<int64_t> pred(static_cast<size_t>(logits.dim(0)));
  const int64_t c = logits.dim(1);
  for (int64_t i = 0; i < logits.dim(0); ++i) {
    int64_t best = 0;
    for (int64_t k = 1; k < c; ++k)
      if (logits[i * c + k] > logits[i * c + best]) best = k;
    pred[static_cast<size_t>(i)] = best;
  }
  return pred;
}

Array flatten_batch(const Array& a) {
  Array r = a;
  if (r.rank() != 2) r.shape = {r.dim(0), r.numel() / std::max<int64_t>(r.dim(0), 1)};
  return r;
}

Reference reference(const graph::Graph& g, const std::vector<Array>& inputs, const std::string& inputs_name) {
  Reference ref;
  ref.output = flatten_batch(graph::execute(g, inputs)[0]);
  ref.predictions = argmax_rows(ref.output);
  if (ref.predictions.empty())
    fail("INPUT-EMPTY",
         fmt::format("{}: the batch holds no samples; accuracy and agreement need at least one", inputs_name));
  for (double v : ref.output.data) ref.output_scale = std::max(ref.output_scale, std::fabs(v));
  return ref;
}

std::vector<int64_t> class_labels(const Array& labels, const Reference& ref, const std::string& labels_name) {
  const int64_t batch = ref.samples();
  if (labels.rank() != 1 || labels.dim(0) != batch)
    fail("EVAL-LABELS", fmt::format("{}: labels have shape {} but the batch has {} samples", labels_name,
                                    shape_str(labels.shape), batch));
  std::vector<int64_t> out(static_cast<size_t>(batch));
  for (int64_t i = 0; i < batch; ++i) {
    if (labels[i] != std::floor(labels[i]) || labels[i] < 0 || labels[i] >= static_cast<double>(ref.classes()))
      fail("EVAL-LABELS", fmt::format("{}: label {} at index {} is not a class index in [0, {})", labels_name,
                                      labels[i], i, ref.classes()));
    out[static_cast<size_t>(i)] = static_cast<int64_t>(labels[i]);
  }
  return out;
}

DrawStats evaluate(const Chip& chip, const std::vector<Array>& inputs, const Reference& ref,
                   const std::vector<int64_t>& labels) {
  const Array y = flatten_batch(chip.run(inputs)[0]);
  const auto pred = argmax_rows(y);
  const int64_t batch = ref.samples();
  int64_t agree = 0, correct = 0;
  for (int64_t i = 0; i < batch; ++i) {
    const auto k = static_cast<size_t>(i);
    agree += pred[k] == ref.predictions[k];
    if (!labels.empty()) correct += pred[k] == labels[k];
  }
  double mx = 0, ss = 0;
  for (int64_t i = 0; i < y.numel(); ++i) {
    const double d = y[i] - ref.output[i];
    mx = std::max(mx, std::fabs(d));
    ss += d * d;
  }
  DrawStats s;
  s.accuracy = batch ? static_cast<double>(correct) / static_cast<double>(batch) : 0.0;
  s.agreement = batch ? static_cast<double>(agree) / static_cast<double>(batch) : 0.0;
  s.max_abs_error = mx;
  s.rms_error = y.numel() ? std::sqrt(ss / static_cast<double>(y.numel())) : 0.0;
  s.chip = chip.stats();
  return s;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

double sample_std(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return v.size() > 1 ? std::sqrt(s / static_cast<double>(v.size() - 1)) : 0.0;
}

Statistics monte_carlo(const graph::Graph& g, const circuit::Netlist& net, const pdk::Pdk& pdk,
                       const sim::SimOptions& options, const std::vector<Array>& inputs, const Reference& ref,
                       const std::vector<int64_t>& labels, const MonteCarloOptions& mc) {
  if (mc.draws < 1) fail("RUNTIME-BAD-OPTION", fmt::format("monte carlo needs at least one draw, got {}", mc.draws));
  Statistics st;
  st.samples = ref.samples();
  st.draws = mc.draws;
  st.labelled = !labels.empty();
  st.output_scale = ref.output_scale;
  if (st.labelled) {
    int64_t ref_correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) ref_correct += ref.predictions[i] == labels[i];
    st.reference_accuracy = static_cast<double>(ref_correct) / static_cast<double>(st.samples);
  }
  std::vector<double> accs, agrees, max_errs, rms;
  for (int draw = 0; draw < mc.draws; ++draw) {
    sim::SimOptions so = options;
    so.seed = options.seed + static_cast<uint64_t>(draw);
    const Chip chip =
        mc.chip_name.empty() ? Chip(g, net, pdk, so) : in_file(mc.chip_name, [&] { return Chip(g, net, pdk, so); });
    const DrawStats d = evaluate(chip, inputs, ref, labels);
    st.out_of_range = std::max(st.out_of_range, d.chip.out_of_range);
    st.tiles_tried += d.chip.tiles_tried;
    st.tiles_corrected += d.chip.tiles_corrected;
    st.calibration_residual = std::max(st.calibration_residual, d.chip.worst_calibration_residual);
    if (draw == 0) st.stages = d.chip.stages;
    accs.push_back(d.accuracy);
    agrees.push_back(d.agreement);
    max_errs.push_back(d.max_abs_error);
    rms.push_back(d.rms_error);
    st.per_draw.push_back(d);
    if (mc.on_draw) mc.on_draw();
  }
  st.accuracy_mean = mean(accs);
  st.accuracy_std = sample_std(accs);
  st.accuracy_min = *std::min_element(accs.begin(), accs.end());
  st.agreement_mean = mean(agrees);
  st.agreement_std = sample_std(agrees);
  st.max_abs_error = *std::max_element(max_errs.begin(), max_errs.end());
  st.rms_error_mean = mean(rms);
  return st;
}

}  // namespace holo::runtime
