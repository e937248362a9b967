#include "node-probe/datapath/rule_parser.h"

#include <gtest/gtest.h>

namespace egressdiag::datapath {
namespace {

TEST(IpRuleParser, SpidernetSeed) {
  // Seed 000 §4 `ip rule` (verbatim, tab after the priority).
  constexpr std::string_view kText =
      "0:\tfrom all lookup local\n"
      "99:\tfrom all fwmark 0x26b7b4e4 lookup 649573604\n"
      "32766:\tfrom all lookup main\n"
      "32767:\tfrom all lookup default\n";
  auto rules = parseIpRules(kText, IpFamily::V4);
  ASSERT_TRUE(rules) << rules.error().message;
  ASSERT_EQ(rules->size(), 4u);
  EXPECT_EQ((*rules)[0].priority, 0u);
  EXPECT_EQ((*rules)[0].table, 255u);
  EXPECT_FALSE((*rules)[0].hasFwmark);
  const auto& egress = (*rules)[1];
  EXPECT_EQ(egress.priority, 99u);
  EXPECT_TRUE(egress.hasFwmark);
  EXPECT_EQ(egress.fwmark, 0x26b7b4e4u);
  EXPECT_EQ(egress.fwmask, 0xffffffffu);
  EXPECT_EQ(egress.table, 649573604u);  // the mark as a decimal table id
  EXPECT_EQ(egress.action, "lookup");
  EXPECT_EQ(egress.src, "all");
  EXPECT_EQ((*rules)[2].table, 254u);
  EXPECT_EQ((*rules)[3].table, 253u);
}

TEST(IpRuleParser, AzurePodSeedAndOtherForms) {
  struct Case {
    std::string_view line;
    Rule want;
  };
  auto rule = [](std::uint32_t prio, bool hasMark, std::uint32_t mark, std::uint32_t mask,
                 std::uint32_t table, const char* action) {
    Rule r;
    r.priority = prio;
    r.hasFwmark = hasMark;
    r.fwmark = mark;
    r.fwmask = mask;
    r.table = table;
    r.action = action;
    r.src = "all";
    r.dst = "all";
    return r;
  };
  std::vector<Case> cases = {
      // Seed 001 pod netns (spaces after the colon).
      {"32765:  from all fwmark 0x2222 lookup 8738",
       rule(32765, true, 0x2222, ~0u, 8738, "lookup")},
      {"500:\tfrom all fwmark 0x1000/0xf000 lookup 100",
       rule(500, true, 0x1000, 0xf000, 100, "lookup")},
      {"1000:\tfrom all blackhole", rule(1000, false, 0, 0, 0, "blackhole")},
      {"2000:\tfrom all goto 3000", rule(2000, false, 0, 0, 3000, "goto")},
  };
  Rule withSrc = rule(10, false, 0, 0, 254, "lookup");
  withSrc.src = "10.0.0.0/8";
  withSrc.dst = "1.2.3.4";
  withSrc.iif = "eth0";
  withSrc.invert = true;
  cases.push_back({"10:\tnot from 10.0.0.0/8 to 1.2.3.4 iif eth0 lookup main", withSrc});
  for (const auto& c : cases) {
    auto rules = parseIpRules(c.line, IpFamily::V6);
    ASSERT_TRUE(rules) << c.line << ": " << rules.error().message;
    ASSERT_EQ(rules->size(), 1u);
    const auto& r = rules->front();
    EXPECT_EQ(r.family, IpFamily::V6) << c.line;
    EXPECT_EQ(r.priority, c.want.priority) << c.line;
    EXPECT_EQ(r.hasFwmark, c.want.hasFwmark) << c.line;
    EXPECT_EQ(r.fwmark, c.want.fwmark) << c.line;
    EXPECT_EQ(r.fwmask, c.want.fwmask) << c.line;
    EXPECT_EQ(r.table, c.want.table) << c.line;
    EXPECT_EQ(r.action, c.want.action) << c.line;
    EXPECT_EQ(r.src, c.want.src) << c.line;
    EXPECT_EQ(r.dst, c.want.dst) << c.line;
    EXPECT_EQ(r.iif, c.want.iif) << c.line;
    EXPECT_EQ(r.invert, c.want.invert) << c.line;
  }
}

TEST(IpRuleParser, Rejects) {
  const std::vector<std::pair<std::string_view, const char*>> cases = {
      {"from all lookup main", "line 1: missing priority"},
      {"x:\tfrom all lookup main", "bad priority"},
      {"1:\tfrom all fwmark zz lookup main", "bad fwmark"},
      {"1:\tfrom all lookup mytable", "unknown table mytable"},
      {"1:\tfrom all frobnicate", "unknown keyword frobnicate"},
      {"1:\tfrom all", "rule without an action"},
      {"1:\tfrom", "from without a value"},
      {"0:\tfrom all lookup local\n\n7:", "line 3: rule without an action"},
  };
  for (const auto& [text, part] : cases) {
    auto rules = parseIpRules(text, IpFamily::V4);
    ASSERT_FALSE(rules) << text;
    EXPECT_EQ(rules.error().code, ErrorCode::InvalidInput);
    EXPECT_NE(rules.error().message.find(part), std::string::npos) << rules.error().message;
  }
}

TEST(RouteTable, Names) {
  EXPECT_EQ(parseRouteTable("main"), 254u);
  EXPECT_EQ(parseRouteTable("649573604"), 649573604u);
  EXPECT_EQ(parseRouteTable("0x10"), std::nullopt);
  EXPECT_EQ(routeTableName(255), "local");
  EXPECT_EQ(routeTableName(8738), "8738");
}

}  // namespace
}  // namespace egressdiag::datapath
