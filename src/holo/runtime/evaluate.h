// Evaluating a compiled chip on a batch against the reference executor: top-1 accuracy (with labels),
// agreement with the reference's predictions, output error (chip minus reference over every sample and output),
// and the same over independent impairment draws (Monte Carlo: mean, sample standard deviation, minimum).
//
//   runtime::Reference ref = runtime::reference(g, inputs, "x.npy");
//   runtime::MonteCarloOptions mc;
//   mc.draws = 10;
//   runtime::Statistics s = runtime::monte_carlo(g, net, pdk, sim_options, inputs, ref, labels, mc);
//
// Draws are independent: draw d uses seed options.seed + d, so draw d of a Monte-Carlo run equals
// evaluate(Chip(... seed + d ...)) on its own.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "holo/circuit/netlist.h"
#include "holo/graph/graph.h"
#include "holo/pdk/pdk.h"
#include "holo/runtime/chip.h"
#include "holo/sim/options.h"
#include "holo/support/array.h"

namespace holo::runtime {

// Top-1 predictions (argmax over the last axis, first maximum wins) of a [batch, classes] array.
// EVAL-OUTPUT-SHAPE for another rank.
std::vector<int64_t> argmax_rows(const Array& logits);

// An output as [batch, rest]: trailing dimensions flattened (e.g. [N, C, 1, 1] -> [N, C]).
Array flatten_batch(const Array& a);

// The reference executor's answer on a batch, computed once and compared with every draw.
struct Reference {
  Array output;                      // the first graph output, flatten_batch'ed
  std::vector<int64_t> predictions;  // argmax_rows(output)
  double output_scale = 0;           // largest |output|

  int64_t samples() const { return static_cast<int64_t>(predictions.size()); }
  int64_t classes() const { return output.rank() == 2 ? output.dim(1) : 0; }
};

// Runs the reference executor on checked inputs (graph::check_inputs). INPUT-EMPTY (naming `inputs_name`, the
// input files) when the batch holds no samples; EVAL-OUTPUT-SHAPE.
Reference reference(const graph::Graph& g, const std::vector<Array>& inputs, const std::string& inputs_name);

// Labels as class indices, one per sample of the reference's batch. EVAL-LABELS (naming `labels_name`) for
// another shape or a value that is not an integer class index.
std::vector<int64_t> class_labels(const Array& labels, const Reference& ref, const std::string& labels_name);

// One chip on one batch.
struct DrawStats {
  double accuracy = 0;       // share of samples whose prediction is their label (0 without labels)
  double agreement = 0;      // share of samples whose prediction is the reference's
  double max_abs_error = 0;  // max |chip - reference| over every sample and output
  double rms_error = 0;      // rms of the same
  ChipStats chip;            // what preparing the chip found
};
// `labels` empty: no accuracy. Errors: the executor's.
DrawStats evaluate(const Chip& chip, const std::vector<Array>& inputs, const Reference& ref,
                   const std::vector<int64_t>& labels);

struct MonteCarloOptions {
  int draws = 1;                  // independent impairment draws, seeds options.seed, seed + 1, ...
  std::string chip_name;          // prefixed to bad-input errors of preparing the chip (e.g. the circuit file)
  std::function<void()> on_draw;  // called after each draw (a progress bar); may be empty
};

struct Statistics {
  int64_t samples = 0;
  int draws = 0;
  bool labelled = false;
  double reference_accuracy = 0;  // the reference executor against the labels
  // Over draws: the mean, the sample standard deviation (n - 1; 0 for one draw) and the minimum.
  double accuracy_mean = 0, accuracy_std = 0, accuracy_min = 0;
  double agreement_mean = 0, agreement_std = 0;
  double max_abs_error = 0;                      // the largest of the draws'
  double rms_error_mean = 0;                     // the mean of the draws' rms errors
  double output_scale = 0;                       // the reference's largest |output|
  int64_t out_of_range = 0;                      // the largest of the draws'
  int64_t tiles_tried = 0, tiles_corrected = 0;  // summed over the draws
  double calibration_residual = 0;               // the largest of the draws'
  std::vector<StageFigures> stages;              // the first draw's (losses and SNR do not vary between draws)
  std::vector<DrawStats> per_draw;
};

// Prepares a Chip per draw and evaluates it. RUNTIME-BAD-OPTION when draws < 1; the errors of Chip and evaluate.
Statistics monte_carlo(const graph::Graph& g, const circuit::Netlist& net, const pdk::Pdk& pdk,
                       const sim::SimOptions& options, const std::vector<Array>& inputs, const Reference& ref,
                       const std::vector<int64_t>& labels, const MonteCarloOptions& mc);

double mean(const std::vector<double>& v);        // 0 when empty
double sample_std(const std::vector<double>& v);  // with n - 1; 0 for fewer than two values

}  // namespace holo::runtime
