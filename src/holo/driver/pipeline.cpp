#include "holo/driver/pipeline.h"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include "holo/support/error.h"
#include "holo/support/file_io.h"

namespace holo::driver {

int64_t peak_rss_kb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  struct rusage ru {};
  if (::getrusage(RUSAGE_SELF, &ru) == 0) return static_cast<int64_t>(ru.ru_maxrss);  // KiB on Linux
  return -1;
}

Pipeline::Pipeline(const std::vector<StageInfo>& stages, PipelineOptions opts)
    : stages_(stages), opts_(std::move(opts)) {
  std::vector<std::string> dumpable;
  for (const StageInfo& s : stages_)
    if (!s.dump.empty()) dumpable.push_back(s.name);
  for (const std::string& d : opts_.dump_after) {
    const auto it = std::find_if(stages_.begin(), stages_.end(), [&](const StageInfo& s) { return s.name == d; });
    if (it == stages_.end() || it->dump.empty())
      fail("CLI-BAD-OPTION", fmt::format("--dump-after {}: {}; stages with an intermediate form: {}", d,
                                         it == stages_.end() ? "no such stage" : "the stage has no intermediate form",
                                         fmt::join(dumpable, ", ")));
  }
}

const StageInfo& Pipeline::info(const std::string& name) const {
  for (const StageInfo& s : stages_)
    if (s.name == name) return s;
  internal_error(fmt::format("pipeline: stage '{}' was not declared", name));
}

std::string Pipeline::dump_path(const std::string& stage) const {
  const StageInfo& s = info(stage);
  return (std::filesystem::path(opts_.dump_dir) / fmt::format("{}after-{}.{}", opts_.dump_prefix, s.name, s.dump))
      .string();
}

void Pipeline::run(const std::string& name, const std::function<void()>& body,
                   const std::function<std::string()>& dump) {
  const StageInfo& s = info(name);
  using clock = std::chrono::steady_clock;
  const int64_t hwm0 = peak_rss_kb();
  const auto t0 = clock::now();
  body();
  StageRecord r;
  r.name = s.name;
  r.seconds = std::chrono::duration<double>(clock::now() - t0).count();
  const int64_t hwm1 = peak_rss_kb();
  r.peak_rss_mb = hwm0 >= 0 && hwm1 >= 0 ? static_cast<double>(std::max<int64_t>(0, hwm1 - hwm0)) / 1024.0 : 0.0;
  records_.push_back(r);
  if (std::find(opts_.dump_after.begin(), opts_.dump_after.end(), name) == opts_.dump_after.end()) return;
  if (!dump) internal_error(fmt::format("pipeline: stage '{}' declares a dump but gave none", name));
  std::error_code ec;
  if (!opts_.dump_dir.empty()) std::filesystem::create_directories(opts_.dump_dir, ec);
  if (ec) fail("FILE-WRITE", fmt::format("{}: cannot create the dump directory: {}", opts_.dump_dir, ec.message()));
  const std::string path = dump_path(name);
  write_file_atomic(path, dump());
  dumps_.push_back(path);
}

nlohmann::json stages_json(const std::vector<StageRecord>& records) {
  nlohmann::json j = nlohmann::json::array();
  for (const StageRecord& r : records)
    j.push_back({{"name", r.name}, {"seconds", r.seconds}, {"peak_rss_mb", r.peak_rss_mb}});
  return j;
}

std::string stages_table(const std::vector<StageRecord>& records) {
  std::string s = fmt::format("  {:<10} {:>10} {:>14}\n", "stage", "seconds", "peak RSS +MB");
  double seconds = 0, mb = 0;
  for (const StageRecord& r : records) {
    s += fmt::format("  {:<10} {:>10.4f} {:>14.1f}\n", r.name, r.seconds, r.peak_rss_mb);
    seconds += r.seconds;
    mb += r.peak_rss_mb;
  }
  s += fmt::format("  {:<10} {:>10.4f} {:>14.1f}\n", "total", seconds, mb);
  return s;
}

std::string stages_help(const std::vector<StageInfo>& stages) {
  std::string s;
  for (const StageInfo& st : stages)
    s += fmt::format("{}{}: {}{}", s.empty() ? "" : "\n", st.name, st.summary,
                     st.dump.empty() ? "" : fmt::format(" (dump: {})", st.dump));
  return s;
}

}  // namespace holo::driver
