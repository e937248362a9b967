#include "operator/kube/line_splitter.h"

#include <gtest/gtest.h>

#include <vector>

namespace egressdiag::kube {
namespace {

struct Case {
  const char* name;
  std::vector<std::string> chunks;
  std::vector<std::string> lines;
  size_t pending;
  bool ok = true;
};

TEST(LineSplitterTest, SplitsAcrossChunkBoundaries) {
  const std::vector<Case> cases = {
      {"one chunk two lines", {"{\"a\":1}\n{\"b\":2}\n"}, {"{\"a\":1}", "{\"b\":2}"}, 0},
      {"line split mid-token", {"{\"a\"", ":1}\n{\"b", "\":2}\n"}, {"{\"a\":1}", "{\"b\":2}"}, 0},
      {"newline alone in a chunk", {"{\"a\":1}", "\n", "x", "\n"}, {"{\"a\":1}", "x"}, 0},
      {"byte at a time", {"a", "b", "\n", "c", "\n"}, {"ab", "c"}, 0},
      {"crlf", {"a\r\nb\r", "\n"}, {"a", "b"}, 0},
      {"empty lines skipped", {"\n\na\n\n"}, {"a"}, 0},
      {"unterminated tail", {"a\nbc"}, {"a"}, 2},
      {"nothing", {}, {}, 0},
      {"exactly at limit", {"12345678\n"}, {"12345678"}, 0},
      {"over limit in one chunk", {"123456789\n"}, {}, 0, false},
      {"over limit across chunks", {"12345", "6789"}, {}, 0, false},
      {"line before overflow delivered", {"ok\n123456789"}, {"ok"}, 0, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    LineSplitter splitter(8);
    std::vector<std::string> got;
    bool ok = true;
    for (const auto& chunk : c.chunks) {
      auto fed = splitter.feed(chunk, [&](std::string_view line) { got.emplace_back(line); });
      if (!fed) {
        ok = false;
        EXPECT_NE(fed.error().message.find("exceeds 8 bytes"), std::string::npos);
        break;
      }
    }
    EXPECT_EQ(ok, c.ok);
    EXPECT_EQ(got, c.lines);
    if (c.ok) {
      EXPECT_EQ(splitter.pendingBytes(), c.pending);
    }
  }
}

TEST(LineSplitterTest, EverySplitPointGivesTheSameLines) {
  const std::string stream = "{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\r\n\n{\"x\":[1,2]}\n";
  const std::vector<std::string> want = {"{\"type\":\"ADDED\"}", "{\"type\":\"MODIFIED\"}",
                                         "{\"x\":[1,2]}"};
  for (size_t i = 0; i <= stream.size(); ++i) {
    for (size_t j = i; j <= stream.size(); ++j) {
      LineSplitter splitter(1024);
      std::vector<std::string> got;
      auto collect = [&](std::string_view line) { got.emplace_back(line); };
      ASSERT_TRUE(splitter.feed(stream.substr(0, i), collect));
      ASSERT_TRUE(splitter.feed(stream.substr(i, j - i), collect));
      ASSERT_TRUE(splitter.feed(stream.substr(j), collect));
      EXPECT_EQ(got, want) << i << "," << j;
      EXPECT_EQ(splitter.pendingBytes(), 0u);
    }
  }
}

}  // namespace
}  // namespace egressdiag::kube
