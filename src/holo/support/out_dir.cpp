#include "holo/support/out_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "holo/support/error.h"
#include "holo/support/file_io.h"
#include "holo/support/json.h"
#include "holo/support/sha256.h"
#include "holo/support/version.h"

namespace holo {
namespace fs = std::filesystem;

namespace {

constexpr const char* kManifestFormat = "holo-output-manifest";

// A short exclusive lock on a directory (flock on its descriptor), released on scope exit or process death.
class DirLock {
 public:
  explicit DirLock(const std::string& dir) {
    fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) fail("FILE-WRITE", fmt::format("{}: cannot open the directory: {}", dir, std::strerror(errno)));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd_);
      fail("FILE-WRITE", fmt::format("{}: cannot lock the directory: {}", dir, std::strerror(e)));
    }
  }
  ~DirLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the lock
  }
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

// Entries of a directory (names only, sorted), without "." and "..".
std::vector<std::string> entries(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    out.push_back(it->path().filename().string());
  if (ec) fail("FILE-WRITE", fmt::format("{}: cannot list the directory: {}", dir, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

// `.<name>.holo-tmp-<pid>-<suffix>`: the pid of a staging directory's owner, or -1 when `entry` is not one of
// `name`'s staging directories.
long staging_owner(const std::string& entry, const std::string& name) {
  const std::string prefix = "." + name + ".holo-tmp-";
  if (entry.size() <= prefix.size() || entry.compare(0, prefix.size(), prefix) != 0) return -1;
  const std::string rest = entry.substr(prefix.size());
  const size_t dash = rest.find('-');
  if (dash == 0 || dash == std::string::npos || dash > 10) return -1;
  long pid = 0;
  for (size_t i = 0; i < dash; ++i) {
    if (rest[i] < '0' || rest[i] > '9') return -1;
    pid = pid * 10 + (rest[i] - '0');
  }
  return pid;
}

bool process_alive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// A file an interrupted AtomicFile of an earlier holo left behind: `.<name>.tmp.XXXXXX`.
bool atomic_leftover(const std::string& entry) {
  return entry.size() > 12 && entry[0] == '.' && entry.compare(entry.size() - 11, 5, ".tmp.") == 0;
}

// Throws OUT-FOREIGN unless `dir` may be replaced as a whole (see out_dir.h).
void check_replaceable(const std::string& dir, const std::string& shown, const std::vector<std::string>& legacy) {
  std::set<std::string> allowed(legacy.begin(), legacy.end());
  std::optional<Manifest> m;
  try {
    m = read_manifest(dir);
  } catch (const Error&) {
    m.reset();  // an unreadable manifest: judge the files by name, as for an OUT without one
  }
  if (m) {
    allowed.clear();
    allowed.insert(kManifestName);
    for (const ManifestEntry& e : m->files) allowed.insert(e.name);
  }
  std::vector<std::string> foreign;
  for (const std::string& e : entries(dir)) {
    std::error_code ec;
    const bool regular = fs::is_regular_file(fs::symlink_status(fs::path(dir) / e, ec));
    if (regular && (allowed.count(e) || atomic_leftover(e))) continue;
    foreign.push_back(e);
  }
  if (foreign.empty()) return;
  if (foreign.size() > 5) foreign.resize(5);
  fail("OUT-FOREIGN",
       fmt::format("{}: holds files holo did not write ({}); holo replaces an output directory as a whole and never "
                   "deletes other files: choose a new or empty directory, or remove them",
                   shown, fmt::join(foreign, ", ")));
}

void fsync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

[[noreturn]] void bad_manifest(const std::string& path, const std::string& what) {
  fail("OUT-MANIFEST", fmt::format("{}: not a holo output manifest: {}", path, what));
}

std::string json_string(const std::string& s) {
  return nlohmann::json(s).dump();
}

}  // namespace

const ManifestEntry* Manifest::find(const std::string& name) const {
  for (const ManifestEntry& e : files)
    if (e.name == name) return &e;
  return nullptr;
}

OutputDir::OutputDir(const std::string& out, OutputDirOptions opts) : out_(out), opts_(std::move(opts)) {
  if (out.empty()) fail("CLI-MISSING-OPTION", "an output directory is needed (-o OUT)");
  std::error_code ec;
  fs::path target = fs::absolute(out, ec).lexically_normal();
  if (ec) fail("FILE-WRITE", fmt::format("{}: not a usable path: {}", out, ec.message()));
  if (!target.has_filename()) target = target.parent_path();  // "out/" names "out"
  // A symbolic link to a directory: the directory it points to is the output.
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    target = fs::canonical(target, ec);
    if (ec) fail("OUT-NOT-DIRECTORY", fmt::format("{}: a symbolic link that does not lead to a directory", out));
  }
  const auto st = fs::status(target, ec);
  if (fs::exists(st) && !fs::is_directory(st))
    fail("OUT-NOT-DIRECTORY", fmt::format("{}: exists and is not a directory", out));
  if (!target.has_parent_path() || target == target.root_path())
    fail("OUT-NOT-DIRECTORY", fmt::format("{}: the file system root cannot be an output directory", out));
  target_ = target.string();
  parent_ = target.parent_path().string();
  fs::create_directories(parent_, ec);
  if (ec || !fs::is_directory(parent_))
    fail("FILE-WRITE",
         fmt::format("{}: cannot create the directory {}: {}", out, parent_, ec ? ec.message() : "not a directory"));
  const std::string name = target.filename().string();

  DirLock lock(parent_);
  for (const std::string& e : entries(parent_)) {
    const long pid = staging_owner(e, name);
    if (pid < 0) continue;
    // This process counts as alive too: another OutputDir of the same OUT may be open in it (a second thread).
    if (process_alive(pid))
      fail("OUT-BUSY", fmt::format("{}: another holo process (pid {}) is writing this output directory; wait for it "
                                   "or choose another directory",
                                   out, pid));
    fs::remove_all(fs::path(parent_) / e, ec);  // a killed run's staging or previous contents
  }
  if (fs::is_directory(target_)) check_replaceable(target_, out, opts_.legacy_names);
  std::string tmpl = (fs::path(parent_) / fmt::format(".{}.holo-tmp-{}-XXXXXX", name, ::getpid())).string();
  if (!::mkdtemp(tmpl.data()))
    fail("FILE-WRITE",
         fmt::format("{}: cannot create a staging directory in {}: {}", out, parent_, std::strerror(errno)));
  staging_ = tmpl;
  ::chmod(staging_.c_str(), 0755);  // mkdtemp makes it 0700; OUT gets the usual mode (umask applies)
}

OutputDir::~OutputDir() {
  if (committed_ || staging_.empty()) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

std::string OutputDir::file(const std::string& name) const {
  return (fs::path(staging_) / name).string();
}

void OutputDir::commit() {
  if (committed_) internal_error("OutputDir::commit twice");
  // The manifest: every staged regular file, sorted by name, with its size and content hash.
  std::string m = fmt::format(
      "{{\n  \"format\": \"{}\",\n  \"version\": 1,\n  \"producer\": {},\n  \"holo_version\": {},\n"
      "  \"files\": [",
      kManifestFormat, json_string(opts_.producer), json_string(kVersion));
  bool first = true;
  for (const std::string& e : entries(staging_)) {
    if (e == kManifestName) continue;
    const std::string p = file(e);
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(p, ec)))
      internal_error(fmt::format("{}: staged output '{}' is not a regular file", out_, e));
    const auto bytes = fs::file_size(p, ec);
    if (ec) fail("FILE-WRITE", fmt::format("{}: cannot stat {}: {}", out_, e, ec.message()));
    m += fmt::format("{}\n    {{\"name\": {}, \"bytes\": {}, \"sha256\": \"{}\"}}", first ? "" : ",", json_string(e),
                     bytes, sha256_file(p));
    first = false;
  }
  m += "\n  ]\n}\n";
  write_file_atomic(file(kManifestName), m);
  fsync_path(staging_, O_RDONLY | O_DIRECTORY);

  {
    DirLock lock(parent_);
    std::error_code ec;
    const bool exists = fs::exists(fs::symlink_status(target_, ec));
    if (exists) {
      if (!fs::is_directory(fs::symlink_status(target_, ec)))
        fail("OUT-NOT-DIRECTORY", fmt::format("{}: exists and is not a directory", out_));
      check_replaceable(target_, out_, opts_.legacy_names);
      if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0) {
        if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
          fail("FILE-WRITE", fmt::format("{}: cannot put the new outputs in place: {}", out_, std::strerror(errno)));
        // A file system without atomic exchange: move the old set aside under the staging name pattern (a
        // killed run's leftover is then cleaned by the next one), then move the new set in. OUT is briefly
        // absent, never mixed.
        const std::string aside = staging_ + "-old";
        if (::rename(target_.c_str(), aside.c_str()) != 0 || ::rename(staging_.c_str(), target_.c_str()) != 0)
          fail("FILE-WRITE", fmt::format("{}: cannot put the new outputs in place: {}", out_, std::strerror(errno)));
        staging_ = aside;
      }
    } else if (::rename(staging_.c_str(), target_.c_str()) != 0) {
      fail("FILE-WRITE", fmt::format("{}: cannot put the new outputs in place: {}", out_, std::strerror(errno)));
    } else {
      staging_.clear();
    }
    (void)::fsync(lock.fd());
  }
  committed_ = true;
  // The previous contents now sit at the staging path (still named for this process, so a kill here leaves
  // something the next run removes).
  if (!staging_.empty()) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
}

std::optional<Manifest> read_manifest(const std::string& dir) {
  const std::string path = (fs::path(dir) / kManifestName).string();
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return std::nullopt;
  const std::string text = read_file(path, false, uint64_t{64} << 20);
  auto bad = [&path](const std::string& what) { bad_manifest(path, what); };
  const nlohmann::json j = parse_json_strict(text, "OUT-MANIFEST", path);
  if (!j.is_object() || j.value("format", "") != kManifestFormat) bad("\"format\" is not \"holo-output-manifest\"");
  if (!j.contains("version") || j["version"] != 1) bad("\"version\" is not 1");
  if (!j.contains("files") || !j["files"].is_array()) bad("\"files\" is not a list");
  Manifest m;
  if (j.contains("producer") && j["producer"].is_string()) m.producer = j["producer"].get<std::string>();
  if (j.contains("holo_version") && j["holo_version"].is_string()) m.version = j["holo_version"].get<std::string>();
  std::set<std::string> seen;
  for (const auto& f : j["files"]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("sha256") ||
        !f["sha256"].is_string() || !f.contains("bytes") || !f["bytes"].is_number_integer())
      bad("a file entry needs name, bytes and sha256");
    ManifestEntry e{f["name"].get<std::string>(), f["bytes"].get<int64_t>(), f["sha256"].get<std::string>()};
    if (e.name.empty() || e.name.find('/') != std::string::npos || e.name == "." || e.name == "..")
      bad(fmt::format("file name '{}' is not a plain name", e.name));
    if (!seen.insert(e.name).second) bad(fmt::format("file '{}' is listed twice", e.name));
    m.files.push_back(std::move(e));
  }
  return m;
}

}  // namespace holo
