// Fault injection for the output-directory tests (tests/e2e/test_reliability_out.py), loaded with LD_PRELOAD
// into the real holo binary: every libc call that changes the file system (create, write, sync, rename,
// remove) is counted, and the call numbered HOLO_FAULT_KILL_AT (1-based) kills the process with SIGKILL
// before it happens: the harshest interruption, no destructor or handler runs. With HOLO_FAULT_COUNT_FILE set,
// the number of calls seen is written there at exit (how many kill points a run has). Without either variable
// the shim only counts. Test code only: nothing in holo knows about it.
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

namespace {

std::atomic<long> calls{0};

long kill_at() {
  static const long k = [] {
    const char* s = getenv("HOLO_FAULT_KILL_AT");
    return s ? atol(s) : 0L;
  }();
  return k;
}

void step() {
  const long n = ++calls;
  if (n == kill_at()) raise(SIGKILL);
}

template <typename F>
F real(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

struct Report {
  ~Report() {
    const char* path = getenv("HOLO_FAULT_COUNT_FILE");
    if (!path) return;
    using OpenFn = int (*)(const char*, int, ...);
    using WriteFn = ssize_t (*)(int, const void*, size_t);
    int fd = real<OpenFn>("open")(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", calls.load());
    (void)real<WriteFn>("write")(fd, buf, static_cast<size_t>(len));
    close(fd);
  }
} report;

}  // namespace

extern "C" {

int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  if (flags & (O_CREAT | O_TRUNC | O_TMPFILE)) step();
  return real<int (*)(const char*, int, ...)>("open")(path, flags, mode);
}
int open64(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  if (flags & (O_CREAT | O_TRUNC | O_TMPFILE)) step();
  return real<int (*)(const char*, int, ...)>("open64")(path, flags, mode);
}
int openat(int dir, const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = va_arg(ap, mode_t);
    va_end(ap);
  }
  if (flags & (O_CREAT | O_TRUNC | O_TMPFILE)) step();
  return real<int (*)(int, const char*, int, ...)>("openat")(dir, path, flags, mode);
}
ssize_t write(int fd, const void* buf, size_t n) {
  if (fd > 2) step();  // not the terminal: holo's own messages are not file-system changes
  return real<ssize_t (*)(int, const void*, size_t)>("write")(fd, buf, n);
}
int fsync(int fd) {
  step();
  return real<int (*)(int)>("fsync")(fd);
}
int fdatasync(int fd) {
  step();
  return real<int (*)(int)>("fdatasync")(fd);
}
int fchmod(int fd, mode_t mode) {
  step();
  return real<int (*)(int, mode_t)>("fchmod")(fd, mode);
}
int chmod(const char* path, mode_t mode) {
  step();
  return real<int (*)(const char*, mode_t)>("chmod")(path, mode);
}
int rename(const char* a, const char* b) {
  step();
  return real<int (*)(const char*, const char*)>("rename")(a, b);
}
int renameat(int da, const char* a, int db, const char* b) {
  step();
  return real<int (*)(int, const char*, int, const char*)>("renameat")(da, a, db, b);
}
int renameat2(int da, const char* a, int db, const char* b, unsigned int flags) {
  step();
  return real<int (*)(int, const char*, int, const char*, unsigned int)>("renameat2")(da, a, db, b, flags);
}
int unlink(const char* path) {
  step();
  return real<int (*)(const char*)>("unlink")(path);
}
int unlinkat(int dir, const char* path, int flags) {
  step();
  return real<int (*)(int, const char*, int)>("unlinkat")(dir, path, flags);
}
int remove(const char* path) {
  step();
  return real<int (*)(const char*)>("remove")(path);
}
int rmdir(const char* path) {
  step();
  return real<int (*)(const char*)>("rmdir")(path);
}
int mkdir(const char* path, mode_t mode) {
  step();
  return real<int (*)(const char*, mode_t)>("mkdir")(path, mode);
}
char* mkdtemp(char* tmpl) {
  step();
  return real<char* (*)(char*)>("mkdtemp")(tmpl);
}
int mkstemp(char* tmpl) {
  step();
  return real<int (*)(char*)>("mkstemp")(tmpl);
}
int mkstemp64(char* tmpl) {
  step();
  return real<int (*)(char*)>("mkstemp64")(tmpl);
}

}  // extern "C"
