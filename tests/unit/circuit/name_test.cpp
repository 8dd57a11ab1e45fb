// circuit::Name, the 16-byte string of port references and setting keys: every length around the inline /
// heap boundary survives construction, copy, move, swap and assignment; it orders and compares like
// std::string (against Names, std::string, string_view and C strings) and formats the same.
#include "holo/circuit/name.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace circuit = holo::circuit;
using circuit::Name;

namespace {

std::string text(size_t n, char c = 'a') {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += static_cast<char>(c + i % 26);
  return s;
}

}  // namespace

TEST(CircuitName, EveryLengthRoundTripsThroughCopyMoveAndSwap) {
  for (size_t n : {0, 1, 2, 7, 14, 15, 16, 17, 31, 64, 1000}) {
    SCOPED_TRACE(n);
    const std::string s = text(n);
    Name a(s);
    EXPECT_EQ(a.size(), n);
    EXPECT_EQ(a.empty(), n == 0);
    EXPECT_EQ(std::string(a.view()), s);
    EXPECT_EQ(a.str(), s);
    EXPECT_EQ(a.data()[n], '\0');  // inline (size 15 included) and heap names are zero-terminated
    Name b = a;                    // copy
    EXPECT_EQ(b, a);
    Name c = std::move(b);  // move leaves an empty name
    EXPECT_EQ(c, s);
    EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): documented state
    Name d("other");
    d.swap(c);
    EXPECT_EQ(d, s);
    EXPECT_EQ(c, "other");
    c = d;  // copy-assign over a name of another storage kind
    EXPECT_EQ(c, s);
    c = std::move(d);
    EXPECT_EQ(c, s);
    c = c;  // self-assignment keeps the value
    EXPECT_EQ(c, s);
    c = std::string_view("x");
    EXPECT_EQ(c, "x");
  }
}

TEST(CircuitName, OrdersComparesAndFormatsLikeStdString) {
  std::vector<std::string> words = {"", "a", "o1", "o10", "o2", "mzi2015", text(15), text(16), text(40), "zz"};
  std::vector<Name> names(words.begin(), words.end());
  std::sort(words.begin(), words.end());
  std::sort(names.begin(), names.end());
  for (size_t i = 0; i < words.size(); ++i) {
    EXPECT_EQ(names[i], words[i]);
    EXPECT_EQ(names[i], std::string_view(words[i]));
    EXPECT_EQ(names[i], words[i].c_str());
    EXPECT_EQ(words[i], names[i]);  // reversed operands
    EXPECT_EQ(fmt::format("[{}]", names[i]), "[" + words[i] + "]");
    std::ostringstream os;
    os << names[i];
    EXPECT_EQ(os.str(), words[i]);
    if (i > 0) {
      EXPECT_LT(names[i - 1], names[i]);
      EXPECT_LT(names[i - 1], words[i]);
    }
  }
  EXPECT_EQ(Name("mzi") + "." + "o1", "mzi.o1");
  EXPECT_EQ(std::string("top/") + Name("vh"), "top/vh");
  const std::unordered_set<Name> set(names.begin(), names.end());
  EXPECT_EQ(set.size(), words.size());
  EXPECT_TRUE(set.count(Name(text(40))));
  static_assert(sizeof(Name) == 16);
}
