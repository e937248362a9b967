#include "node-probe/datapath/ipset_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace egressdiag::datapath {
namespace {

// Seed 000 §4, `ipset list egress-src-…` and `ipset list egress-dst-…` (verbatim, joined).
constexpr std::string_view kSeedList = R"(Name: egress-src-v4-738bb014438bdbfe7
Type: hash:net
Revision: 7
Header: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x498b6df2
Size in memory: 504
References: 1
Number of entries: 1
Members:
10.200.0.22

Name: egress-dst-v4-738bb014438bdbfe7
Type: hash:net
Revision: 7
Header: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x14fe6b9e
Size in memory: 504
References: 1
Number of entries: 1
Members:
172.16.25.183
)";

// The same sets in save form, plus an IPv6 set, the split 0.0.0.0/0 and a member with options.
constexpr std::string_view kSave =
    "create egress-src-v4-738bb014438bdbfe7 hash:net family inet hashsize 1024 maxelem 65536 "
    "bucketsize 12 initval 0x498b6df2\n"
    "add egress-src-v4-738bb014438bdbfe7 10.200.0.22\n"
    "create egress-dst-v4-738bb014438bdbfe7 hash:net family inet hashsize 1024 maxelem 65536\n"
    "add egress-dst-v4-738bb014438bdbfe7 0.0.0.0/1\n"
    "add egress-dst-v4-738bb014438bdbfe7 128.0.0.0/1\n"
    "add egress-dst-v4-738bb014438bdbfe7 10.1.2.3/32\n"
    "create egress-src-v6-738bb014438bdbfe7 hash:net family inet6 hashsize 1024 maxelem 65536\n"
    "add egress-src-v6-738bb014438bdbfe7 fd00::1/128\n"
    "add egress-src-v6-738bb014438bdbfe7 fd00:10::/64 timeout 0\n"
    "create empty hash:ip\n";

TEST(IpsetParser, SaveForm) {
  auto sets = parseIpsetSave(kSave);
  ASSERT_TRUE(sets) << sets.error().message;
  ASSERT_EQ(sets->size(), 4u);
  const auto& src = (*sets)[0];
  EXPECT_EQ(src.name, "egress-src-v4-738bb014438bdbfe7");
  EXPECT_EQ(src.type, "hash:net");
  EXPECT_EQ(src.family, "inet");
  EXPECT_EQ(src.members, std::vector<std::string>{"10.200.0.22"});
  EXPECT_TRUE(src.createLine.starts_with("create egress-src-v4-738bb014438bdbfe7 hash:net"));
  EXPECT_EQ((*sets)[1].members, (std::vector<std::string>{"0.0.0.0/1", "128.0.0.0/1", "10.1.2.3"}));
  EXPECT_EQ((*sets)[2].family, "inet6");
  EXPECT_EQ((*sets)[2].members, (std::vector<std::string>{"fd00::1", "fd00:10::/64"}));
  EXPECT_EQ((*sets)[3].type, "hash:ip");
  EXPECT_EQ((*sets)[3].family, "inet");
  EXPECT_TRUE((*sets)[3].members.empty());
}

TEST(IpsetParser, ListFormFromSeed) {
  auto sets = parseIpsetList(kSeedList);
  ASSERT_TRUE(sets) << sets.error().message;
  ASSERT_EQ(sets->size(), 2u);
  EXPECT_EQ((*sets)[0].name, "egress-src-v4-738bb014438bdbfe7");
  EXPECT_EQ((*sets)[0].type, "hash:net");
  EXPECT_EQ((*sets)[0].members, std::vector<std::string>{"10.200.0.22"});
  EXPECT_EQ((*sets)[1].members, std::vector<std::string>{"172.16.25.183"});
  EXPECT_NE((*sets)[1].createLine.find("initval 0x14fe6b9e"), std::string::npos);
}

TEST(IpsetParser, ListAndSaveAgree) {
  auto list = parseIpsetList(kSeedList);
  auto save = parseIpsetSave(
      "create egress-src-v4-738bb014438bdbfe7 hash:net family inet\n"
      "add egress-src-v4-738bb014438bdbfe7 10.200.0.22\n"
      "create egress-dst-v4-738bb014438bdbfe7 hash:net family inet\n"
      "add egress-dst-v4-738bb014438bdbfe7 172.16.25.183\n");
  ASSERT_TRUE(list);
  ASSERT_TRUE(save);
  ASSERT_EQ(list->size(), save->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    EXPECT_EQ((*list)[i].name, (*save)[i].name);
    EXPECT_EQ((*list)[i].type, (*save)[i].type);
    EXPECT_EQ((*list)[i].members, (*save)[i].members);
  }
}

TEST(IpsetParser, Normalise) {
  EXPECT_EQ(normaliseIpsetMember("1.2.3.4/32", "inet"), "1.2.3.4");
  EXPECT_EQ(normaliseIpsetMember("1.2.3.0/24", "inet"), "1.2.3.0/24");
  EXPECT_EQ(normaliseIpsetMember("fd00::1/128", "inet6"), "fd00::1");
  EXPECT_EQ(normaliseIpsetMember("fd00::/32", "inet6"), "fd00::/32");
}

struct BadCase {
  const char* name;
  std::string_view text;
  bool listForm;
  const char* messagePart;
};

class IpsetParserRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(IpsetParserRejects, Clearly) {
  const auto& c = GetParam();
  auto sets = c.listForm ? parseIpsetList(c.text) : parseIpsetSave(c.text);
  ASSERT_FALSE(sets);
  EXPECT_EQ(sets.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(sets.error().message.find(c.messagePart), std::string::npos) << sets.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IpsetParserRejects,
    ::testing::Values(
        BadCase{"AddBeforeCreate", "add s 1.2.3.4\n", false, "line 1: add to unknown set s"},
        BadCase{"CreateTwice", "create s hash:ip\ncreate s hash:ip\n", false, "created twice"},
        BadCase{"NoType", "create s\n", false, "missing set type"},
        BadCase{"NoMember", "create s hash:ip\nadd s\n", false, "line 2: add without a member"},
        BadCase{"UnknownKeyword", "destroy s\n", false, "unknown keyword destroy"},
        BadCase{"NoName", "create\n", false, "missing set name"},
        BadCase{"ListOutsideBlock", "10.0.0.1\n", true, "outside a set block"},
        BadCase{"ListNoType", "Name: x\nMembers:\n", true, "without Name or Type"}),
    [](const ::testing::TestParamInfo<BadCase>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace egressdiag::datapath
