#include "holo/driver/model.h"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "holo/frontend/load.h"
#include "holo/graph/dump.h"
#include "holo/graph/executor.h"
#include "holo/runtime/evaluate.h"
#include "holo/support/error.h"
#include "holo/support/npy.h"

namespace holo::driver {
namespace {

nlohmann::json shape_json(const Shape& s) {
  nlohmann::json j = nlohmann::json::array();
  for (int64_t d : s) {
    if (d < 0)
      j.push_back("N");
    else
      j.push_back(d);
  }
  return j;
}

}  // namespace

std::vector<Array> read_inputs(const graph::Graph& g, const std::vector<std::string>& paths,
                               const std::string& model_name) {
  if (paths.size() != g.inputs.size())
    fail("CLI-INPUT-COUNT", fmt::format("{}: the model takes {} input(s) but {} --input file(s) were given", model_name,
                                        g.inputs.size(), paths.size()));
  std::vector<Array> in;
  for (size_t i = 0; i < paths.size(); ++i) {
    Array a = read_npy(paths[i]);
    for (double v : a.data)
      if (!std::isfinite(v))
        fail("NPY-NONFINITE", fmt::format("{}: input data holds {} (must be finite)", paths[i], v));
    in.push_back(std::move(a));
  }
  try {
    graph::check_inputs(g, in);
  } catch (const Error& e) {
    // Name the file the user gave, not only the model input.
    fail(e.code(), fmt::format("{}: {}", fmt::join(paths, ", "), e.what()));
  }
  return in;
}

graph::Graph load_model(const std::string& path, const LoadOptions& opts, std::vector<graph::PassStats>* stats) {
  graph::Graph g = frontend::load_model(path);
  if (opts.simplify) {
    auto s = graph::simplify(g);
    if (stats) *stats = std::move(s);
  }
  return g;
}

Result inspect(const std::string& model_path, const InspectOptions& opts) {
  std::vector<graph::PassStats> stats;
  graph::Graph g = load_model(model_path, opts.load, &stats);
  auto layers = graph::layer_stats(g);
  Result r;
  auto& j = r.json;
  j["model"] = std::filesystem::path(model_path).filename().string();
  j["name"] = g.name;
  j["opset"] = g.opset;
  j["inputs"] = nlohmann::json::array();
  for (auto id : g.inputs)
    j["inputs"].push_back({{"name", g.tensor(id).name}, {"shape", shape_json(g.tensor(id).shape)}});
  j["outputs"] = nlohmann::json::array();
  for (auto id : g.outputs)
    j["outputs"].push_back({{"name", g.tensor(id).name}, {"shape", shape_json(g.tensor(id).shape)}});
  j["layers"] = nlohmann::json::array();
  int64_t total_macs = 0;
  std::string table = fmt::format("{:<28} {:<20} {:<18} {:>10} {:>12}\n", "node", "op", "output", "params", "MACs");
  for (auto& l : layers) {
    nlohmann::json ins = nlohmann::json::array(), outs = nlohmann::json::array();
    for (auto& s : l.input_shapes) ins.push_back(shape_json(s));
    for (auto& s : l.output_shapes) outs.push_back(shape_json(s));
    j["layers"].push_back({{"name", l.node},
                           {"op", l.op},
                           {"input_shapes", ins},
                           {"output_shapes", outs},
                           {"params", l.params},
                           {"macs", l.macs}});
    total_macs += l.macs;
    table += fmt::format("{:<28} {:<20} {:<18} {:>10} {:>12}\n", l.node, l.op,
                         l.output_shapes.empty() ? "" : shape_str(l.output_shapes[0]), l.params, l.macs);
  }
  j["parameters"] = g.parameter_count();
  j["macs"] = total_macs;
  j["macs_note"] = "multiply-accumulates per sample (batch dimension = 1) in Gemm, MatMul and Conv";
  j["passes"] = nlohmann::json::object();
  for (auto& s : stats) j["passes"][s.pass] = s.changed;
  if (opts.dump) j["dump"] = graph::dump(g);

  std::string ins;
  for (auto id : g.inputs) ins += fmt::format(" {}:{}", g.tensor(id).name, shape_str(g.tensor(id).shape));
  std::string outs;
  for (auto id : g.outputs) outs += fmt::format(" {}:{}", g.tensor(id).name, shape_str(g.tensor(id).shape));
  r.text = fmt::format(
      "model {} (opset {}), {} nodes\ninputs:{}\noutputs:{}\n\n{}\ntotal: {} parameters, {} MACs per sample\n",
      model_path, g.opset, g.nodes.size(), ins, outs, table, g.parameter_count(), total_macs);
  if (!stats.empty()) {
    r.text += "simplified:";
    for (auto& s : stats) r.text += fmt::format(" {}={}", s.pass, s.changed);
    r.text += "\n";
  }
  if (opts.dump) r.text += "\n" + graph::dump(g);
  return r;
}

Result run(const std::string& model_path, const RunOptions& opts) {
  if (opts.output_path.empty()) fail("CLI-MISSING-OPTION", "run needs --output FILE.npy");
  graph::Graph g = load_model(model_path, opts.load);
  std::vector<Array> in = read_inputs(g, opts.input_paths, g.source);
  std::vector<Array> out = graph::execute(g, in);
  write_npy(opts.output_path, out[0], opts.float32_output ? NpyDtype::Float32 : NpyDtype::Float64);
  Result r;
  r.json["output"] = opts.output_path;
  r.json["output_name"] = g.tensor(g.outputs[0]).name;
  r.json["shape"] = shape_json(out[0].shape);
  r.json["dtype"] = opts.float32_output ? "float32" : "float64";
  r.text = fmt::format("wrote {} {} to {}\n", g.tensor(g.outputs[0]).name, shape_str(out[0].shape), opts.output_path);
  return r;
}

Result eval(const std::string& model_path, const EvalOptions& opts) {
  if (opts.labels_path.empty()) fail("CLI-MISSING-OPTION", "eval needs --labels FILE.npy");
  graph::Graph g = load_model(model_path, opts.load);
  std::vector<Array> in = read_inputs(g, opts.input_paths, g.source);
  Array labels = read_npy(opts.labels_path);
  std::vector<Array> out = graph::execute(g, in);
  Array logits = out[0];
  if (logits.rank() > 2) {  // e.g. [N,C,1,1]: flatten the trailing dims
    logits.shape = {logits.dim(0), logits.numel() / std::max<int64_t>(logits.dim(0), 1)};
  }
  auto pred = runtime::argmax_rows(logits);
  if (labels.rank() != 1 || labels.dim(0) != static_cast<int64_t>(pred.size()))
    fail("EVAL-LABELS", fmt::format("{}: labels have shape {} but the batch has {} samples; expected [{}]",
                                    opts.labels_path, shape_str(labels.shape), pred.size(), pred.size()));
  int64_t correct = 0;
  for (size_t i = 0; i < pred.size(); ++i) {
    double l = labels.data[i];
    if (l != std::floor(l) || l < 0 || l >= static_cast<double>(logits.dim(1)))
      fail("EVAL-LABELS", fmt::format("{}: label {} at index {} is not a class index in [0, {})", opts.labels_path, l,
                                      i, logits.dim(1)));
    correct += static_cast<int64_t>(l) == pred[i];
  }
  double acc = pred.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(pred.size());
  Result r;
  r.json["accuracy"] = acc;
  r.json["correct"] = correct;
  r.json["samples"] = static_cast<int64_t>(pred.size());
  r.text = fmt::format("accuracy {:.4f} ({} of {} correct)\n", acc, correct, pred.size());
  return r;
}

}  // namespace holo::driver
