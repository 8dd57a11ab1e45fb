#include "holo/support/file_io.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "holo/support/error.h"

namespace holo {

std::string read_file(const std::string& path, bool allow_empty, uint64_t max_bytes) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) fail("FILE-NOT-FOUND", fmt::format("{}: no such file", path));
    fail("FILE-UNREADABLE", fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  }
  if (S_ISDIR(st.st_mode)) fail("FILE-UNREADABLE", fmt::format("{}: is a directory, expected a file", path));
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("FILE-UNREADABLE", fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  std::string out;
  if (S_ISREG(st.st_mode)) {
    if (static_cast<uint64_t>(st.st_size) > max_bytes) {
      ::close(fd);
      fail("FILE-TOO-LARGE", fmt::format("{}: {} bytes, more than the limit of {}", path, st.st_size, max_bytes));
    }
    out.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      fail("FILE-UNREADABLE", fmt::format("{}: read error: {}", path, std::strerror(e)));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      ::close(fd);
      fail("FILE-TOO-LARGE", fmt::format("{}: more than the limit of {} bytes", path, max_bytes));
    }
  }
  ::close(fd);
  if (out.empty() && !allow_empty) fail("FILE-EMPTY", fmt::format("{}: file is empty", path));
  return out;
}

void write_file_atomic(const std::string& path, std::string_view content) {
  AtomicFile f(path);
  f.write(content);
  f.commit();
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  namespace fs = std::filesystem;
  fs::path target(path_);
  fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  tmp_ = (dir / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
  fd_ = ::mkstemp(tmp_.data());
  if (fd_ < 0)
    fail("FILE-WRITE",
         fmt::format("{}: cannot create a temporary file in {}: {}", path_, dir.string(), std::strerror(errno)));
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

void AtomicFile::write(std::string_view bytes) {
  if (fd_ < 0) internal_error("AtomicFile::write after commit");
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t n = ::write(fd_, bytes.data() + off, bytes.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("FILE-WRITE", fmt::format("{}: write error: {}", path_, std::strerror(errno)));
    }
    off += static_cast<size_t>(n);
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) internal_error("AtomicFile::commit twice");
  ::fchmod(fd_, 0644);
  const int fd = fd_;
  fd_ = -1;
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int e = errno;
    ::unlink(tmp_.c_str());
    fail("FILE-WRITE", fmt::format("{}: cannot flush: {}", path_, std::strerror(e)));
  }
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp_.c_str());
    fail("FILE-WRITE", fmt::format("{}: cannot rename the temporary file into place: {}", path_, std::strerror(e)));
  }
}

}  // namespace holo
