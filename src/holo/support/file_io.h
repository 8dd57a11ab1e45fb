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

}  // namespace holo
