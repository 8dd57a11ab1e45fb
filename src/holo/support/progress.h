// Progress for long work: a one-line counter on stderr, shown only when stderr is a terminal and the
// user did not ask for --quiet. Cheap to call often (redraws at most every 100 ms).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace holo {

class Progress {
 public:
  Progress(std::string label, int64_t total, bool enabled);
  ~Progress();
  void advance(int64_t n = 1);
  void done();

  // True when progress would be visible: stderr is a TTY.
  static bool terminal_attached();

 private:
  void draw(bool force);
  std::string label_;
  int64_t total_;
  int64_t count_ = 0;
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace holo
