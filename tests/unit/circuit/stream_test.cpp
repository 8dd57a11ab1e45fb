// The streaming writers (cell by cell into a file through TextSink) give exactly the bytes of the in-memory
// writers, whatever the block size, and a failed write leaves neither the target nor a temporary file. The
// compact Settings map behaves like the std::map it replaced (sorted iteration decides the output bytes).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <stdexcept>

#include "demo_netlist.h"
#include "holo/circuit/io.h"
#include "holo/support/file_io.h"
#include "test_support.h"

namespace circuit = holo::circuit;
namespace fs = std::filesystem;
using holo::test::default_pdk;
using holo::test::demo_netlist;

namespace {

fs::path fresh_dir(const std::string& name) {
  fs::path dir = fs::path(holo::test::binary_dir()) / "circuit_stream_tmp" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

template <class Write>
std::string streamed(const fs::path& path, size_t block_bytes, Write write) {
  holo::AtomicFile file(path.string());
  holo::TextSink sink{{}, &file, block_bytes};
  write(sink);
  file.commit();
  return holo::read_file(path.string());
}

}  // namespace

TEST(CircuitStream, FileWritersGiveTheInMemoryBytesForEveryBlockSize) {
  const circuit::Netlist n = demo_netlist();
  const fs::path dir = fresh_dir("bytes");
  // 1 byte: a flush after every cell; 1 MiB: everything in one block at the end.
  for (size_t block : {size_t{1}, size_t{100}, size_t{1} << 20}) {
    SCOPED_TRACE(block);
    EXPECT_EQ(streamed(dir / "c.json", block, [&](holo::TextSink& s) { circuit::write_json(n, s); }),
              circuit::to_json(n));
    EXPECT_EQ(streamed(dir / "n.pic.yml", block,
                       [&](holo::TextSink& s) { circuit::write_pic_yml(n, circuit::PicYmlOptions{}, s); }),
              circuit::to_pic_yml(n));
    EXPECT_EQ(streamed(dir / "n.spi", block, [&](holo::TextSink& s) { circuit::write_spice(n, default_pdk(), s); }),
              circuit::to_spice(n, default_pdk()));
  }
  circuit::write_json_file(n, (dir / "whole.json").string());
  EXPECT_EQ(holo::read_file((dir / "whole.json").string()), circuit::to_json(n));
}

TEST(CircuitStream, AFailedWriteLeavesNoFile) {
  const fs::path dir = fresh_dir("failed");
  circuit::Netlist n = demo_netlist();
  holo::write_file_atomic((dir / "c.json").string(), "old");
  // A non-finite setting is found in the middle of writing: the target keeps its old content and the
  // temporary file is gone.
  n.cells.back().instances.front().settings["theta_rad"] = std::nan("");
  EXPECT_EQ(holo::test::error_code([&] { circuit::write_json_file(n, (dir / "c.json").string()); }),
            "CIRCUIT-BAD-SETTING");
  EXPECT_EQ(holo::read_file((dir / "c.json").string()), "old");
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(files, 1u) << "a temporary file was left behind";
}

TEST(CircuitSettings, BehavesLikeAStdMap) {
  // Random operations on both; the contents (in iteration order) must agree after every step.
  circuit::Settings s;
  std::map<std::string, double> m;
  const char* keys[] = {"theta_rad", "phi_rad", "transmission", "length_um", "a", "zz"};
  uint64_t state = 12345;
  auto next = [&] { return (state = state * 6364136223846793005ull + 1442695040888963407ull) >> 33; };
  for (int step = 0; step < 2000; ++step) {
    const std::string k = keys[next() % 6];
    const double v = static_cast<double>(next() % 1000) / 7.0;
    switch (next() % 4) {
      case 0:
        s[k] = v;
        m[k] = v;
        break;
      case 1:
        EXPECT_EQ(s.emplace(k, v).second, m.emplace(k, v).second);
        break;
      case 2:
        EXPECT_EQ(s.erase(k), m.erase(k));
        break;
      default:
        EXPECT_EQ(s.count(k), m.count(k));
        if (m.count(k)) {
          EXPECT_EQ(s.at(k), m.at(k));
        } else {
          EXPECT_THROW((void)s.at(k), std::out_of_range);
        }
        break;
    }
    ASSERT_EQ(s.size(), m.size());
    auto it = m.begin();
    for (const auto& [key, value] : s) {
      ASSERT_EQ(key, it->first);
      ASSERT_EQ(value, it->second);
      ++it;
    }
  }
  const circuit::Settings a{{"phi_rad", 1.0}, {"theta_rad", 2.0}};
  const circuit::Settings b{{"theta_rad", 2.0}, {"phi_rad", 1.0}};
  EXPECT_EQ(a, b);  // sorted on construction, whatever the order given
  EXPECT_EQ(a.begin()->first, "phi_rad");
}
