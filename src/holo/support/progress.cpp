#include "holo/support/progress.h"

#include <unistd.h>

#include <cstdio>

namespace holo {

Progress::Progress(std::string label, int64_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled && terminal_attached()) {
  last_ = std::chrono::steady_clock::now() - std::chrono::seconds(1);
}

Progress::~Progress() {
  done();
}

bool Progress::terminal_attached() {
  return ::isatty(STDERR_FILENO) == 1;
}

void Progress::advance(int64_t n) {
  count_ += n;
  draw(false);
}

void Progress::draw(bool force) {
  if (!enabled_ || finished_) return;
  auto now = std::chrono::steady_clock::now();
  if (!force && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  if (total_ > 0)
    std::fprintf(stderr, "\r%s: %lld/%lld (%.0f%%)", label_.c_str(), static_cast<long long>(count_),
                 static_cast<long long>(total_), 100.0 * static_cast<double>(count_) / static_cast<double>(total_));
  else
    std::fprintf(stderr, "\r%s: %lld", label_.c_str(), static_cast<long long>(count_));
  std::fflush(stderr);
}

void Progress::done() {
  if (!enabled_ || finished_) return;
  draw(true);
  std::fprintf(stderr, "\n");
  finished_ = true;
}

}  // namespace holo
