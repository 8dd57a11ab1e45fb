#include "holo/driver/explore.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <thread>

#include "holo/analysis/metrics.h"
#include "holo/analysis/pareto.h"
#include "holo/driver/compile.h"
#include "holo/driver/model.h"
#include "holo/graph/dump.h"
#include "holo/graph/weights.h"
#include "holo/mapping/lower.h"
#include "holo/pdk/pdk.h"
#include "holo/pdk/variants.h"
#include "holo/report/pareto_svg.h"
#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/progress.h"

namespace holo::driver {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// The objectives of a design point, in the order of pareto.csv's columns (docs/explore.md#objectives).
const std::vector<analysis::Objective>& objectives() {
  using analysis::Sense;
  static const std::vector<analysis::Objective> o = {
      {"loss_db", Sense::minimize},    {"power_w", Sense::minimize},       {"area_mm2", Sense::minimize},
      {"latency_ns", Sense::minimize}, {"bandwidth_ghz", Sense::maximize}, {"energy_per_mac_pj", Sense::minimize},
      {"accuracy", Sense::maximize},
  };
  return o;
}

// What the screen sees without layout or simulation: schematic loss, power and energy without the laser (its
// power needs the simulation), latency, bandwidth.
const std::vector<analysis::Objective>& screen_objectives() {
  using analysis::Sense;
  static const std::vector<analysis::Objective> o = {
      {"loss_db", Sense::minimize},       {"power_w", Sense::minimize},           {"latency_ns", Sense::minimize},
      {"bandwidth_ghz", Sense::maximize}, {"energy_per_mac_pj", Sense::minimize},
  };
  return o;
}

struct Point {
  Design design;
  std::map<std::string, double> screen;  // screen_objectives() by key
  int screen_rank = 0;
  double screen_miss = 0;
  bool evaluated = false;
  std::string error;  // the compile's error (evaluated, failed)
  std::string error_code;
  std::map<std::string, double> values;  // objectives() by key, plus laser_power_per_channel_mw
  std::string laser_outcome;             // found | unreachable | ...
  double reference_accuracy = 1.0;       // the reference's accuracy on the batch (1: agreement)
  std::vector<std::string> warnings;     // warning codes of its compile
};

std::vector<double> vec(const std::map<std::string, double>& v, const std::vector<analysis::Objective>& obj) {
  std::vector<double> out;
  for (const auto& o : obj) {
    auto it = v.find(o.key);
    out.push_back(it == v.end() ? NAN : it->second);
  }
  return out;
}

std::vector<analysis::Target> targets_of(const ExploreTargets& t, double reference_accuracy) {
  using analysis::Sense;
  return {{"loss_db", Sense::minimize, t.loss_db},
          {"power_w", Sense::minimize, t.power_w},
          {"latency_ns", Sense::minimize, t.latency_ns},
          {"bandwidth_ghz", Sense::maximize, t.bandwidth_ghz},
          {"accuracy", Sense::maximize, reference_accuracy - t.accuracy_drop_pp / 100.0}};
}

double value_or_nan(const std::map<std::string, double>& v, const std::string& k) {
  auto it = v.find(k);
  return it == v.end() ? NAN : it->second;
}

// Sum of the decades by which a point misses its targets (0: meets them all), over the targets it has values for.
double total_miss(const std::map<std::string, double>& v, const std::vector<analysis::Target>& targets) {
  double miss = 0;
  for (const auto& t : targets)
    if (v.count(t.key)) miss += analysis::target_miss(v.at(t.key), t);
  return miss;
}

// ---- The knob space ------------------------------------------------------------------------------------------

// The widest weight matrix the mapping will tile (the larger of its rows and columns), as mapping::lower finds them.
int widest_layer(const graph::Graph& g) {
  int64_t widest = 1;
  for (const graph::Node& n : g.nodes) {
    int64_t out = 0, in = 0;
    std::vector<double> w;
    if ((n.op == "Gemm" || n.op == "MatMul" || n.op == "Conv") && graph::weight_matrix(g, n, out, in, w))
      widest = std::max({widest, out, in});
  }
  return static_cast<int>(std::min<int64_t>(widest, 2048));
}

std::vector<int> default_mesh_sizes(int widest) {
  std::vector<int> sizes;
  for (int m = 4; m <= 64; m *= 2) {
    sizes.push_back(m);
    if (m >= widest) break;  // a larger mesh holds the same matrices in one tile
  }
  return sizes;
}

// Per PDK knob the variants to try, each knob with "none" (the base platform's part) first.
std::vector<std::vector<std::string>> variant_combinations(const std::vector<std::string>& names) {
  std::map<std::string, std::vector<std::string>> by_knob;
  for (const std::string& n : names) by_knob[pdk::variant_knob(n)].push_back(n);
  std::vector<std::vector<std::string>> combos = {{}};
  for (auto& [knob, list] : by_knob) {
    std::sort(list.begin(), list.end());
    std::vector<std::vector<std::string>> next;
    for (const auto& c : combos) {
      next.push_back(c);
      for (const std::string& n : list) {
        auto d = c;
        d.push_back(n);
        next.push_back(std::move(d));
      }
    }
    combos = std::move(next);
  }
  return combos;
}

void check_options(const ExploreOptions& o) {
  if (o.out_dir.empty()) fail("CLI-MISSING-OPTION", "explore needs -o DIR (an output directory)");
  if (o.calibrate_paths.empty())
    fail("CLI-MISSING-OPTION",
         "explore needs --calibrate X.npy (a calibration batch, one .npy per model input): each design's accuracy "
         "and the laser power it needs come from simulating it");
  if (o.budget < 1 || o.budget > 10000)
    fail("CLI-BAD-OPTION", fmt::format("--budget {} is outside 1..10000", o.budget));
  if (o.jobs < 0 || o.jobs > 1024) fail("CLI-BAD-OPTION", fmt::format("--jobs {} is outside 0..1024", o.jobs));
  for (int m : o.mesh_sizes)
    if (m < 2 || m > 2048) fail("CLI-BAD-OPTION", fmt::format("--mesh-sizes: {} is outside 2..2048", m));
  for (const std::string& m : o.methods)
    if (m != "clements" && m != "reck")
      fail("CLI-BAD-OPTION", fmt::format("--methods: '{}' is not clements or reck", m));
  for (double e : o.rank_energies)
    if (!(e > 0.0 && e <= 1.0)) fail("CLI-BAD-OPTION", fmt::format("--rank-energies: {} is outside (0, 1]", e));
  const ExploreTargets& t = o.targets;
  for (double v : {t.loss_db, t.power_w, t.latency_ns, t.bandwidth_ghz})
    if (!(v > 0.0) || !std::isfinite(v)) fail("CLI-BAD-OPTION", "every target must be a positive number");
  if (!(t.accuracy_drop_pp >= 0.0 && t.accuracy_drop_pp < 100.0))
    fail("CLI-BAD-OPTION", fmt::format("--accuracy-drop-pp {} is outside [0, 100)", t.accuracy_drop_pp));
}

// ---- Screen --------------------------------------------------------------------------------------------------

// `m` charged with no signal light (charge_laser at 0 mW per channel): its laser power is the local oscillators'
// alone, known without simulation; the signal's share needs the laser power search.
std::map<std::string, double> screen_values(const analysis::ChipMetrics& m) {
  return {{"loss_db", m.figure("worst_path_loss_db").value},
          {"power_w", m.figure("total_power_mw").value * 1e-3},
          {"latency_ns", m.figure("latency_ps").value * 1e-3},
          {"bandwidth_ghz", m.figure("bandwidth_ghz").value},
          {"energy_per_mac_pj", m.figure("energy_per_mac_pj").value}};
}

// Every combination, screened on the schematic figures: the mapping once per structural knob setting, the
// analysis once per platform variant combination.
std::vector<Point> screen(const graph::Graph& g, const std::string& pdk_path, const std::vector<int>& meshes,
                          const std::vector<std::string>& methods, const std::vector<double>& energies,
                          const std::vector<std::vector<std::string>>& combos) {
  const std::string base_text = read_file(pdk_path);
  const pdk::Pdk base = pdk::parse_pdk(base_text, pdk_path);
  std::vector<pdk::Pdk> platforms;
  for (const auto& c : combos)
    platforms.push_back(c.empty() ? base : pdk::parse_pdk(pdk::compose_pdk_text(pdk_path, c), pdk_path));
  int64_t macs = 0;
  for (const auto& l : graph::layer_stats(g)) macs += l.macs;
  std::vector<Point> points;
  for (int mesh : meshes)
    for (const std::string& method : methods)
      for (double energy : energies) {
        mapping::MappingOptions mo;
        mo.mesh_size = mesh;
        mo.method = linalg::parse_method(method);
        mo.rank_energy = energy;
        const circuit::Netlist net = mapping::lower(g, base, mo);
        for (size_t k = 0; k < combos.size(); ++k) {
          Point p;
          p.design.mesh_size = mesh;
          p.design.method = method;
          p.design.rank_energy = energy;
          p.design.pdk_variants = combos[k];
          analysis::ChipMetrics m = analysis::analyze(net, platforms[k], macs);
          analysis::charge_laser(m, platforms[k], 0.0, analysis::LaserBasis::pdk);
          p.screen = screen_values(m);
          points.push_back(std::move(p));
        }
      }
  return points;
}

// ---- Evaluation ----------------------------------------------------------------------------------------------

void evaluate(Point& p, const std::string& model_path, const ExploreOptions& o, const std::string& scratch) {
  CompileOptions co;
  co.pdk_path = o.pdk_path;
  apply_design(co, p.design);
  co.calibrate_paths = o.calibrate_paths;
  co.calibrate_labels_path = o.calibrate_labels_path;
  co.accuracy_drop_pp = o.targets.accuracy_drop_pp;
  co.layout = true;
  co.progress = false;
  p.evaluated = true;
  try {
    const Result r = compile(model_path, scratch, co);
    const nlohmann::json& f = r.json.at("figures");
    auto fig = [&](const char* k) { return f.contains(k) ? f.at(k).get<double>() : NAN; };
    p.values["loss_db"] = fig("end_to_end_loss_db");
    p.values["power_w"] = fig("total_power_mw") * 1e-3;
    p.values["area_mm2"] = fig("die_area_mm2");
    p.values["latency_ns"] = fig("latency_ps") * 1e-3;
    p.values["bandwidth_ghz"] = fig("bandwidth_ghz");
    p.values["energy_per_mac_pj"] = fig("energy_per_mac_pj");
    const nlohmann::json& lp = r.json.at("laser_power");
    p.values["laser_power_per_channel_mw"] = lp.at("charged_per_channel_mw").get<double>();
    const nlohmann::json& cal = lp.at("calibration");
    p.laser_outcome = cal.at("outcome").get<std::string>();
    if (cal.contains("accuracy")) {
      p.values["accuracy"] = cal.at("accuracy").get<double>();
      p.reference_accuracy = cal.at("reference_accuracy").get<double>();
    } else {
      p.values["accuracy"] = cal.at("agreement").get<double>();
    }
    for (const Warning& w : r.warnings) p.warnings.push_back(w.code);
  } catch (const Error& e) {
    // A design the platform or the layout rejects is a result (kept with its error); a bug is not.
    if (e.kind() != ErrorKind::BadInput) {
      std::error_code ec;
      fs::remove_all(scratch, ec);
      throw;
    }
    p.error = fmt::format("[{}] {}", e.code(), e.what());
    p.error_code = e.code();
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
}

// Runs the evaluations on `jobs` threads; each point's result depends only on the point (compile is
// deterministic), so the outcome is the same for any thread count.
void evaluate_all(std::vector<Point*>& todo, const std::string& model_path, const ExploreOptions& o,
                  const std::string& scratch_root) {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int jobs = std::max(1, std::min<int>(o.jobs > 0 ? o.jobs : hw, static_cast<int>(todo.size())));
  Progress bar("evaluating designs", static_cast<int64_t>(todo.size()), o.progress);
  std::mutex bar_mutex;
  std::atomic<size_t> next{0};
  // An exception in a worker (a bug, out of memory) stops the others and is rethrown here, the first one by design
  // index, so the same failure reports the same way whatever the thread count.
  std::vector<std::exception_ptr> failures(todo.size());
  std::atomic<bool> stop{false};
  auto work = [&] {
    for (size_t i = next++; i < todo.size() && !stop; i = next++) {
      try {
        evaluate(*todo[i], model_path, o, (fs::path(scratch_root) / fmt::format("design-{:04d}", i)).string());
      } catch (...) {
        failures[i] = std::current_exception();
        stop = true;
      }
      std::lock_guard<std::mutex> lock(bar_mutex);
      bar.advance();
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  bar.done();
  for (const std::exception_ptr& f : failures)
    if (f) std::rethrow_exception(f);
}

// ---- Outputs -------------------------------------------------------------------------------------------------

json point_json(const Point& p, size_t id, const std::vector<analysis::Target>& targets) {
  json j;
  j["id"] = id;
  for (const auto& o : objectives())
    j[o.key] = std::isnan(value_or_nan(p.values, o.key)) ? json() : json(p.values.at(o.key));
  j["laser_power_per_channel_mw"] = value_or_nan(p.values, "laser_power_per_channel_mw");
  j["laser_power_outcome"] = p.laser_outcome;
  json misses = json::object();
  bool meets = true;
  for (const auto& t : targets) {
    const double miss = analysis::target_miss(value_or_nan(p.values, t.key), t);
    misses[t.key] = miss;
    meets = meets && miss == 0.0;
  }
  j["meets_targets"] = meets;
  j["target_miss_decades"] = misses;
  j["design"] = nlohmann::ordered_json::parse(design_json(p.design));
  j["screen"] = json::object();
  for (const auto& [k, v] : p.screen) j["screen"][k] = v;
  if (!p.error.empty()) j["error"] = p.error;
  return j;
}

std::string csv_number(double v) {
  return std::isnan(v) ? "" : fmt::format("{:.6g}", v);
}

std::string pareto_csv(const std::vector<const Point*>& front, const std::vector<size_t>& ids,
                       const std::vector<analysis::Target>& targets) {
  std::string s =
      "id,loss_db,power_w,area_mm2,latency_ns,bandwidth_ghz,energy_per_mac_pj,accuracy,meets_targets,"
      "laser_power_per_channel_mw,mesh_size,method,rank_energy,pdk_variants\n";
  for (size_t i = 0; i < front.size(); ++i) {
    const Point& p = *front[i];
    s += fmt::format("{}", ids[i]);
    for (const auto& o : objectives()) s += "," + csv_number(value_or_nan(p.values, o.key));
    s += fmt::format(",{}", total_miss(p.values, targets) == 0.0 ? "yes" : "no");
    s += "," + csv_number(value_or_nan(p.values, "laser_power_per_channel_mw"));
    s += fmt::format(",{},{},{:g},{}\n", p.design.mesh_size, p.design.method, p.design.rank_energy,
                     fmt::join(p.design.pdk_variants, "+"));
  }
  return s;
}

std::string plots(const std::vector<Point*>& evaluated, const std::set<const Point*>& front, const Point* best,
                  const ExploreTargets& t, double accuracy_target) {
  std::vector<report::PlotPoint> pts;
  for (const Point* p : evaluated) {
    if (!p->error.empty()) continue;
    report::PlotPoint q;
    q.values = p->values;
    q.front = front.count(p) != 0;
    q.best = p == best;
    pts.push_back(std::move(q));
  }
  std::vector<report::PlotPanel> panels = {
      {"power_w", "loss_db", "total power (W)", "end-to-end loss (dB)", true, false, t.power_w, t.loss_db},
      {"area_mm2", "power_w", "die area (mm2)", "total power (W)", true, true, NAN, t.power_w},
      {"latency_ns", "energy_per_mac_pj", "latency (ns)", "energy per MAC (pJ)", true, true, t.latency_ns, NAN},
      {"power_w", "accuracy", "total power (W)", "accuracy / agreement", true, false, t.power_w, accuracy_target},
  };
  return report::pareto_svg(pts, panels, "holo explore: evaluated designs (grey), Pareto front (blue), chosen (red)");
}

}  // namespace

Result explore(const std::string& model_path, const ExploreOptions& opts) {
  check_options(opts);
  const std::string pdk_path = opts.pdk_path.empty() ? pdk::default_pdk_path() : opts.pdk_path;
  graph::Graph g = load_model(model_path);
  // The batch is read and checked once, here, so a bad file stops before the search (each compile reads it again).
  (void)read_inputs(g, opts.calibrate_paths, model_path);

  // Each knob value once (a value given twice would be a design evaluated twice), in the order given.
  auto once = [](auto values) {
    auto out = values;
    out.clear();
    for (const auto& v : values)
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    return out;
  };
  const std::vector<int> meshes = once(opts.mesh_sizes.empty() ? default_mesh_sizes(widest_layer(g)) : opts.mesh_sizes);
  const std::vector<std::string> methods =
      once(opts.methods.empty() ? std::vector<std::string>{"clements", "reck"} : opts.methods);
  const std::vector<double> energies =
      once(opts.rank_energies.empty() ? std::vector<double>{1.0, 0.99} : opts.rank_energies);
  const std::vector<std::string> variant_names = once(opts.variants.empty() ? pdk::list_variants() : opts.variants);
  const auto combos = variant_combinations(variant_names);

  std::vector<Point> points = screen(g, pdk_path, meshes, methods, energies, combos);
  // Screen targets: the four photonic ones (accuracy needs the simulation).
  const std::vector<analysis::Target> screen_targets = targets_of(opts.targets, 1.0);
  {
    std::vector<std::vector<double>> sv;
    for (const Point& p : points) sv.push_back(vec(p.screen, screen_objectives()));
    const std::vector<int> ranks = analysis::front_ranks(sv, screen_objectives());
    for (size_t i = 0; i < points.size(); ++i) {
      points[i].screen_rank = ranks[i];
      std::map<std::string, double> v = points[i].screen;
      v.erase("energy_per_mac_pj");
      points[i].screen_miss = total_miss(v, {screen_targets.begin(), screen_targets.end() - 1});
    }
  }
  // The order of evaluation: the screen's fronts first (NSGA-II ranks), within a front the points nearest the
  // targets, then the lowest energy; the index breaks ties (deterministic).
  std::vector<size_t> order(points.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Point &p = points[a], &q = points[b];
    if (p.screen_rank != q.screen_rank) return p.screen_rank < q.screen_rank;
    if (p.screen_miss != q.screen_miss) return p.screen_miss < q.screen_miss;
    return p.screen.at("energy_per_mac_pj") < q.screen.at("energy_per_mac_pj");
  });
  const size_t budget = std::min(points.size(), static_cast<size_t>(opts.budget));
  std::vector<Point*> todo;
  for (size_t i = 0; i < budget; ++i) todo.push_back(&points[order[i]]);

  std::error_code ec;
  fs::create_directories(opts.out_dir, ec);
  if (ec || !fs::is_directory(opts.out_dir))
    fail("FILE-WRITE",
         fmt::format("{}: cannot create the output directory{}", opts.out_dir, ec ? ": " + ec.message() : ""));
  // Scratch directories of explores that were killed (their process is gone) are removed; a live one is left.
  for (fs::directory_iterator it(opts.out_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(".explore-", 0) != 0) continue;
    const std::string pid = name.substr(9);
    if (pid.empty() || pid.size() > 9 || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH) {
      std::error_code rm;
      fs::remove_all(it->path(), rm);
    }
  }
  ec.clear();
  const std::string scratch = (fs::path(opts.out_dir) / fmt::format(".explore-{}", ::getpid())).string();
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code e;
      fs::remove_all(dir, e);
    }
  } cleanup{scratch};
  fs::create_directories(scratch, ec);
  if (ec) fail("FILE-WRITE", fmt::format("{}: cannot create the scratch directory: {}", scratch, ec.message()));
  evaluate_all(todo, model_path, opts, scratch);

  std::vector<Point*> ok;
  for (Point* p : todo)
    if (p->error.empty()) ok.push_back(p);
  // Every design failing is the input's fault as likely as not (a labels file that does not fit the batch): one
  // clear error, nothing written.
  if (ok.empty())
    fail(todo.front()->error_code, fmt::format("{}: every evaluated design failed to compile; the first ({}): {}",
                                               model_path, design_label(todo.front()->design), todo.front()->error));
  const double reference_accuracy = ok.empty() ? 1.0 : ok.front()->reference_accuracy;
  const std::vector<analysis::Target> targets = targets_of(opts.targets, reference_accuracy);
  // The front over the evaluated designs that compiled and reach the accuracy target: a chip that does not compute
  // the model counts for nothing, however little power it takes. When none reaches it, over all of them (and the
  // output says so).
  std::vector<Point*> candidates;
  for (Point* p : ok)
    if (analysis::target_miss(value_or_nan(p->values, "accuracy"), targets.back()) == 0.0) candidates.push_back(p);
  const bool front_accurate = !candidates.empty();
  if (!front_accurate) candidates = ok;
  std::vector<std::vector<double>> ov;
  for (const Point* p : candidates) ov.push_back(vec(p->values, objectives()));
  std::set<const Point*> front_set;
  for (size_t i : analysis::non_dominated(ov, objectives())) front_set.insert(candidates[i]);

  // The chosen design: among those meeting every target the least energy per MAC; else the nearest to the targets.
  const Point* best = nullptr;
  auto better = [&](const Point* a, const Point* b) {
    const double ma = total_miss(a->values, targets), mb = total_miss(b->values, targets);
    if (ma != mb) return ma < mb;
    return a->values.at("energy_per_mac_pj") < b->values.at("energy_per_mac_pj");
  };
  // Only a design on the front can be chosen (no design it dominates), and the front holds only designs reaching
  // the accuracy target whenever any does.
  for (const Point* p : candidates)
    if (front_set.count(p) && (!best || better(p, best))) best = p;
  const bool met = best && total_miss(best->values, targets) == 0.0;

  // Which targets bind: per target, how many evaluated designs meet it; the chosen design's misses.
  json binding = json::array();
  for (const auto& t : targets) {
    int64_t meeting = 0;
    for (const Point* p : ok) meeting += analysis::target_miss(value_or_nan(p->values, t.key), t) == 0.0;
    json b = {{"target", t.key},
              {"bound", t.bound},
              {"sense", t.sense == analysis::Sense::minimize ? "at most" : "at least"},
              {"designs_meeting", meeting}};
    if (best) b["chosen_value"] = value_or_nan(best->values, t.key);
    binding.push_back(b);
  }

  std::map<const Point*, size_t> ids;
  for (size_t i = 0; i < todo.size(); ++i) ids[todo[i]] = i;
  std::vector<const Point*> front;
  std::vector<size_t> front_ids;
  for (const Point* p : candidates)
    if (front_set.count(p)) front.push_back(p), front_ids.push_back(ids[p]);

  json pj;
  pj["format"] = "holo-pareto";
  pj["version"] = 1;
  pj["model"] = fs::path(model_path).filename().string();
  pj["objectives"] = json::array();
  for (const auto& o : objectives())
    pj["objectives"].push_back({{"key", o.key}, {"sense", o.sense == analysis::Sense::minimize ? "min" : "max"}});
  pj["targets"] = json::array();
  for (const auto& t : targets)
    pj["targets"].push_back(
        {{"key", t.key}, {"sense", t.sense == analysis::Sense::minimize ? "at most" : "at least"}, {"bound", t.bound}});
  pj["accuracy"] = opts.calibrate_labels_path.empty()
                       ? "agreement of the predicted class with the reference executor on the calibration batch"
                       : "accuracy on the labelled calibration batch (reference accuracy in targets)";
  pj["search"] = {
      {"combinations", points.size()},
      {"evaluated", todo.size()},
      {"failed", todo.size() - ok.size()},
      {"mesh_sizes", meshes},
      {"methods", methods},
      {"rank_energies", energies},
      {"pdk_variant_combinations", combos.size()},
      {"method",
       "every knob combination screened on the schematic figures (map + analyse, no layout; the laser charged "
       "for the local oscillators only: the signal's power needs the simulation); the screen's non-dominated fronts "
       "ranked (NSGA-II sorting), within a "
       "front the nearest to the targets first; the first `evaluated` compiled in full (layout, thermal "
       "crosstalk, the laser power the realistic simulator needs on the calibration batch) and the front taken "
       "over those. Designs the budget did not reach are not on it (docs/explore.md#search)"}};
  pj["front_over"] = front_accurate ? "the evaluated designs that reach the accuracy target"
                                    : "every evaluated design (none reaches the accuracy target)";
  pj["front"] = json::array();
  for (size_t i = 0; i < front.size(); ++i) pj["front"].push_back(point_json(*front[i], front_ids[i], targets));
  pj["evaluated"] = json::array();
  for (size_t i = 0; i < todo.size(); ++i) pj["evaluated"].push_back(point_json(*todo[i], i, targets));
  pj["chosen"] = best ? json(ids[best]) : json();
  pj["chosen_meets_targets"] = met;
  pj["binding"] = binding;

  // The chosen design compiled into DIR/best (an ordinary compile output, with its design.json).
  Result r;
  std::string best_text;
  if (best) {
    CompileOptions co;
    co.pdk_path = opts.pdk_path;
    apply_design(co, best->design);
    co.calibrate_paths = opts.calibrate_paths;
    co.calibrate_labels_path = opts.calibrate_labels_path;
    co.accuracy_drop_pp = opts.targets.accuracy_drop_pp;
    co.progress = opts.progress;
    const Result b = compile(model_path, (fs::path(opts.out_dir) / "best").string(), co);
    r.warnings = b.warnings;
  }
  write_file_atomic((fs::path(opts.out_dir) / "pareto.csv").string(), pareto_csv(front, front_ids, targets));
  write_file_atomic((fs::path(opts.out_dir) / "pareto.json").string(), pj.dump(2) + "\n");
  write_file_atomic((fs::path(opts.out_dir) / "pareto.svg").string(),
                    plots(todo, front_set, best, opts.targets, targets.back().bound));

  r.json = pj;
  r.json["out"] = opts.out_dir;
  r.text = fmt::format("explored {}: {} combinations screened, {} evaluated ({} failed), {} on the front\n", model_path,
                       points.size(), todo.size(), todo.size() - ok.size(), front.size());
  r.text += fmt::format(
      "  front over {} (loss dB, power W, area mm2, latency ns, bandwidth GHz, energy/MAC pJ, "
      "accuracy):\n",
      front_accurate ? "the designs reaching the accuracy target" : "every design (none reaches the accuracy target)");
  for (size_t i = 0; i < front.size(); ++i) {
    const Point& p = *front[i];
    r.text +=
        fmt::format("  {:>4} {:>7.3g} {:>9.3g} {:>9.3g} {:>7.3g} {:>6.3g} {:>9.3g} {:>7.4f}  {}{}\n", front_ids[i],
                    p.values.at("loss_db"), p.values.at("power_w"), value_or_nan(p.values, "area_mm2"),
                    p.values.at("latency_ns"), p.values.at("bandwidth_ghz"), p.values.at("energy_per_mac_pj"),
                    p.values.at("accuracy"), design_label(p.design), &p == best ? "  <- chosen" : "");
  }
  if (!best) {
    r.text += "  no design compiled: see pareto.json evaluated[].error\n";
  } else if (met) {
    r.text += fmt::format("  chosen: design {} meets every target ({}); compiled into {}\n", ids[best],
                          design_label(best->design), (fs::path(opts.out_dir) / "best").string());
  } else {
    r.text += fmt::format("  no evaluated design meets every target; nearest: design {} ({}), compiled into {}\n",
                          ids[best], design_label(best->design), (fs::path(opts.out_dir) / "best").string());
    for (size_t i = 0; i < targets.size(); ++i) {
      const analysis::Target& t = targets[i];
      const double v = value_or_nan(best->values, t.key);
      if (analysis::target_miss(v, t) > 0.0)
        r.text += fmt::format("    binds: {} {} {:g} (nearest design {:.4g}; {} of {} evaluated designs meet it)\n",
                              t.key, binding[i].at("sense").get<std::string>(), t.bound, v,
                              binding[i].at("designs_meeting").get<int64_t>(), ok.size());
    }
  }
  return r;
}

}  // namespace holo::driver
