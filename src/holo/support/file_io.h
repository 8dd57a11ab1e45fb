// File I/O with the guarantees the CLI promises: clear errors naming the file, and outputs that appear
// whole or not at all (write to a temporary file in the same directory, then rename).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace holo {

// Reads a whole file. Errors: FILE-NOT-FOUND, FILE-UNREADABLE, FILE-EMPTY (when !allow_empty),
// FILE-TOO-LARGE (past max_bytes, checked before reading).
std::string read_file(const std::string& path, bool allow_empty = false, uint64_t max_bytes = (1ull << 34));

// Writes `content` to `path` atomically (temp file + fsync + rename). Error: FILE-WRITE.
void write_file_atomic(const std::string& path, std::string_view content);

// A file written in pieces that appears whole or not at all: the pieces go to a temporary file in the same
// directory, commit() flushes and renames it into place; destroyed without commit() (an error on the way),
// the temporary file is removed and `path` is untouched. Error: FILE-WRITE.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view bytes);
  void commit();
  const std::string& path() const { return path_; }

 private:
  std::string path_, tmp_;
  int fd_ = -1;
};

// Text produced in order by a writer: appended to `text`, and handed to the file (when there is one) each
// time flush() finds more than `block_bytes` pending, so a large file needs memory for one block, not for
// the whole file. Without a file it only collects: text holds everything.
struct TextSink {
  std::string text;
  AtomicFile* file = nullptr;
  size_t block_bytes = size_t{1} << 20;

  void flush() {
    if (file && text.size() >= block_bytes) drain();
  }
  void drain() {
    if (!file) return;
    file->write(text);
    text.clear();
  }
};

}  // namespace holo
