// Model-level commands: load (+ simplify), inspect, run, eval.
#pragma once

#include <string>
#include <vector>

#include "holo/driver/result.h"
#include "holo/graph/graph.h"
#include "holo/graph/passes.h"

namespace holo::driver {

struct LoadOptions {
  bool simplify = true;  // remove Identity/Dropout, fold BatchNorm and constant subgraphs
};

// Loads an .onnx or .json model, verifies it and (by default) simplifies it.
graph::Graph load_model(const std::string& path, const LoadOptions& opts = {},
                        std::vector<graph::PassStats>* stats = nullptr);

struct InspectOptions {
  LoadOptions load;
  bool dump = false;  // append the deterministic text dump of the graph
};
Result inspect(const std::string& model_path, const InspectOptions& opts);

struct RunOptions {
  LoadOptions load;
  std::vector<std::string> input_paths;  // one .npy per graph input, in model order
  std::string output_path;               // first graph output, float64 unless float32_output
  bool float32_output = false;
};
Result run(const std::string& model_path, const RunOptions& opts);

struct EvalOptions {
  LoadOptions load;
  std::vector<std::string> input_paths;
  std::string labels_path;  // integer class labels, one per sample
};
Result eval(const std::string& model_path, const EvalOptions& opts);

// Reads one .npy per graph input (in model order) and checks them against the graph: CLI-INPUT-COUNT (naming
// `model_name`), NPY-NONFINITE, the npy reader's errors, GRAPH-INPUT-SHAPE (naming the files).
std::vector<Array> read_inputs(const graph::Graph& g, const std::vector<std::string>& paths,
                               const std::string& model_name);

}  // namespace holo::driver
