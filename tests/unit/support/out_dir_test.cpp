// The output-directory protocol (support/out_dir.h, docs/outputs.md) on its own: staging, manifest, swap,
// refusals. tests/e2e/test_reliability_out.py kills a real compile at every file-system call.
#include "holo/support/out_dir.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "holo/support/file_io.h"
#include "holo/support/sha256.h"
#include "test_support.h"

namespace holo {
namespace {
namespace fs = std::filesystem;
using test::error_code;

// A fresh scratch directory per test (the working directory is the build tree).
fs::path scratch(const std::string& name) {
  fs::path p = fs::absolute(fs::path("out_dir_test") / name);
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

std::set<std::string> names(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
  return out;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

TEST(Sha256, KnownDigests) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const fs::path d = scratch("sha");
  write(d / "f", "abc");
  EXPECT_EQ(sha256_file((d / "f").string()), sha256_hex("abc"));
  EXPECT_EQ(error_code([&] { sha256_file((d / "missing").string()); }), "FILE-NOT-FOUND");
}

TEST(OutputDir, CommitCreatesOutWithManifest) {
  const fs::path d = scratch("create");
  const fs::path out = d / "OUT";
  {
    OutputDir o(out.string(), {"test", {}});
    write_file_atomic(o.file("a.txt"), "alpha");
    write_file_atomic(o.file("b.txt"), "beta");
    EXPECT_FALSE(fs::exists(out));  // nothing visible before commit
    o.commit();
  }
  EXPECT_EQ(names(out), (std::set<std::string>{"a.txt", "b.txt", "manifest.json"}));
  EXPECT_EQ(names(d), (std::set<std::string>{"OUT"}));  // no staging left beside it
  const auto m = read_manifest(out.string());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->producer, "test");
  ASSERT_EQ(m->files.size(), 2u);
  EXPECT_EQ(m->find("a.txt")->sha256, sha256_hex("alpha"));
  EXPECT_EQ(m->find("b.txt")->bytes, 4);
}

TEST(OutputDir, ReplacesTheWholeSetAndDropsStaleFiles) {
  const fs::path d = scratch("replace");
  const fs::path out = d / "OUT";
  {
    OutputDir o(out.string(), {"test", {}});
    write_file_atomic(o.file("old_only.txt"), "1");
    write_file_atomic(o.file("both.txt"), "old");
    o.commit();
  }
  {
    OutputDir o(out.string(), {"test", {}});
    write_file_atomic(o.file("both.txt"), "new");
    o.commit();
  }
  EXPECT_EQ(names(out), (std::set<std::string>{"both.txt", "manifest.json"}));
  EXPECT_EQ(read_file((out / "both.txt").string()), "new");
  EXPECT_EQ(names(d), (std::set<std::string>{"OUT"}));
}

TEST(OutputDir, WithoutCommitOutIsUntouched) {
  const fs::path d = scratch("abandon");
  const fs::path out = d / "OUT";
  {
    OutputDir o(out.string(), {"test", {}});
    write_file_atomic(o.file("x.txt"), "1");
    o.commit();
  }
  {
    OutputDir o(out.string(), {"test", {}});
    write_file_atomic(o.file("y.txt"), "2");
    // an error on the way: no commit
  }
  EXPECT_EQ(names(out), (std::set<std::string>{"x.txt", "manifest.json"}));
  EXPECT_EQ(names(d), (std::set<std::string>{"OUT"}));
}

TEST(OutputDir, RefusesForeignFilesAndNeverDeletesThem) {
  const fs::path d = scratch("foreign");
  const fs::path out = d / "OUT";
  fs::create_directories(out);
  write(out / "mine.txt", "keep");
  EXPECT_EQ(error_code([&] { OutputDir o(out.string(), {"test", {"circuit.json"}}); }), "OUT-FOREIGN");
  fs::create_directories(out / "sub");
  fs::remove(out / "mine.txt");
  EXPECT_EQ(error_code([&] { OutputDir o(out.string(), {"test", {"circuit.json"}}); }), "OUT-FOREIGN");
  EXPECT_TRUE(fs::is_directory(out / "sub"));
  EXPECT_EQ(names(d), (std::set<std::string>{"OUT"}));
}

TEST(OutputDir, AcceptsAnOutOfAnEarlierVersionByItsFileNames) {
  const fs::path d = scratch("legacy");
  const fs::path out = d / "OUT";
  fs::create_directories(out);
  write(out / "circuit.json", "old");
  write(out / ".circuit.json.tmp.aB3dE9", "partial");  // an interrupted atomic write of an earlier version
  {
    OutputDir o(out.string(), {"test", {"circuit.json"}});
    write_file_atomic(o.file("circuit.json"), "new");
    o.commit();
  }
  EXPECT_EQ(names(out), (std::set<std::string>{"circuit.json", "manifest.json"}));
}

TEST(OutputDir, CleansDeadStagingAndRefusesLiveOnes) {
  const fs::path d = scratch("busy");
  const fs::path out = d / "OUT";
  const fs::path dead = d / ".OUT.holo-tmp-4206629-AbCdEf";  // above Linux's largest pid (2^22)
  fs::create_directories(dead);
  write(dead / "partial", "x");
  {
    OutputDir o(out.string(), {"test", {}});
    EXPECT_FALSE(fs::exists(dead));
    const fs::path live = d / fmt::format(".OUT.holo-tmp-{}-XyZxYz", ::getppid());  // our parent is alive
    fs::create_directories(live);
    EXPECT_EQ(error_code([&] { OutputDir other(out.string(), {"test", {}}); }), "OUT-BUSY");
    fs::remove(live);
    o.commit();
  }
  EXPECT_EQ(names(d), (std::set<std::string>{"OUT"}));
}

TEST(OutputDir, RefusesFilesAndTheRoot) {
  const fs::path d = scratch("file");
  write(d / "f", "x");
  EXPECT_EQ(error_code([&] { OutputDir o((d / "f").string(), {"test", {}}); }), "OUT-NOT-DIRECTORY");
  EXPECT_EQ(error_code([&] { OutputDir o("/", {"test", {}}); }), "OUT-NOT-DIRECTORY");
  EXPECT_EQ(error_code([&] { OutputDir o("", {"test", {}}); }), "CLI-MISSING-OPTION");
}

TEST(Manifest, MalformedOrDuplicatedEntriesAreRefused) {
  const fs::path d = scratch("manifest");
  EXPECT_FALSE(read_manifest(d.string()));
  write(d / "manifest.json", "{\"format\": \"holo-output-manifest\", \"version\": 1, \"files\": [");
  EXPECT_EQ(error_code([&] { read_manifest(d.string()); }), "OUT-MANIFEST");
  write(d / "manifest.json", R"({"format": "holo-output-manifest", "version": 1, "files": [], "files": []})");
  EXPECT_EQ(error_code([&] { read_manifest(d.string()); }), "OUT-MANIFEST");
  write(d / "manifest.json",
        R"({"format": "holo-output-manifest", "version": 1, "files": [{"name": "../x", "bytes": 1, "sha256": "0"}]})");
  EXPECT_EQ(error_code([&] { read_manifest(d.string()); }), "OUT-MANIFEST");
  write(d / "manifest.json", R"({"format": "other", "version": 1, "files": []})");
  EXPECT_EQ(error_code([&] { read_manifest(d.string()); }), "OUT-MANIFEST");
}

}  // namespace
}  // namespace holo
