// The stage pipeline of a driver command (docs/architecture.md: stages are instrumented uniformly). A command declares
// its stages once (name, what it does, the intermediate form it can dump) and runs each through Pipeline::run, which
// times it, measures how much the process's peak memory grew during it, and writes its intermediate form when
// asked (--dump-after). Modules hold no timers: the instrumentation is here, once.
//
//   Pipeline pipe(compile_stages(), {.dump_after = {"map"}, .dump_dir = "/tmp", .dump_prefix = "out."});
//   pipe.run("map", [&] { net = mapping::lower(...); }, [&] { return circuit::to_json(net); });
//   pipe.records();  // [{name, seconds, peak_rss_mb}] of the stages that ran, in order
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace holo::driver {

// A stage as the command declares it.
struct StageInfo {
  std::string name;     // e.g. "map"
  std::string summary;  // what it does, for --help and docs
  std::string dump;     // file suffix of its intermediate form (e.g. "circuit.json"); empty: nothing to dump
};

struct StageRecord {
  std::string name;
  double seconds = 0;  // wall time of the stage (steady clock)
  // Growth of the process's peak resident set (VmHWM, which only rises) during the stage, in MiB: 0 when the
  // stage stayed below an earlier stage's peak. Summed over the stages: the command's growth of the peak.
  double peak_rss_mb = 0;
};

struct PipelineOptions {
  std::vector<std::string> dump_after;  // stages whose intermediate form is written after they finish
  std::string dump_dir;                 // the directory the dumps go to (created when needed)
  std::string dump_prefix;              // file names: <dump_dir>/<dump_prefix>after-<stage>.<suffix>
};

class Pipeline {
 public:
  // Errors: CLI-BAD-OPTION for a dump_after name that is not a stage, or a stage without an intermediate form
  // (the message lists those that have one).
  Pipeline(const std::vector<StageInfo>& stages, PipelineOptions opts);

  // Runs `body` as stage `name` (one of the declared stages; an internal error otherwise) and records it. When
  // the stage is in dump_after, `dump` (called after the timer stopped) gives the text written to the dump file.
  void run(const std::string& name, const std::function<void()>& body, const std::function<std::string()>& dump = {});

  const std::vector<StageRecord>& records() const { return records_; }
  const std::vector<std::string>& dumps_written() const { return dumps_; }
  // The path the dump of `stage` is written to.
  std::string dump_path(const std::string& stage) const;

 private:
  const StageInfo& info(const std::string& name) const;

  std::vector<StageInfo> stages_;
  PipelineOptions opts_;
  std::vector<StageRecord> records_;
  std::vector<std::string> dumps_;
};

// [{name, seconds, peak_rss_mb}, ...]
nlohmann::json stages_json(const std::vector<StageRecord>& records);
// The --stats table: one line per stage and a total.
std::string stages_table(const std::vector<StageRecord>& records);
// "name: summary (dump: form)" per stage, one per line, no final newline (for --help).
std::string stages_help(const std::vector<StageInfo>& stages);

// The process's peak resident set so far (VmHWM of /proc/self/status; getrusage's ru_maxrss where /proc is
// missing), in KiB; -1 when neither is available.
int64_t peak_rss_kb();

}  // namespace holo::driver
