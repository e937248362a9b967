#include "node-probe/checks/spidernet_checks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <regex>

#include "node-probe/checks/ipv4.h"
#include "spidernet_fixture.h"

namespace egressdiag::checks::spidernet {
namespace {

using catalog::CheckId;
using catalog::Finding;
using catalog::Status;
using datapath::NetnsSnapshot;

std::vector<Finding> of(const std::vector<Finding>& all, CheckId id) {
  std::vector<Finding> out;
  for (const Finding& f : all) {
    if (f.check == id) {
      out.push_back(f);
    }
  }
  return out;
}

struct HealthyCase {
  const char* node;
  CheckId id;
  Status want;
};

class SpidernetHealthy : public ::testing::TestWithParam<HealthyCase> {};

TEST_P(SpidernetHealthy, Passes) {
  const HealthyCase& c = GetParam();
  std::vector<Finding> all =
      checkAll(expect(testing::seedObjects(), c.node), testing::healthySnapshot(c.node));
  std::vector<Finding> found = of(all, c.id);
  ASSERT_FALSE(found.empty()) << catalog::toString(c.id);
  for (const Finding& f : found) {
    EXPECT_EQ(f.status, c.want) << catalog::toJsonString(f);
    EXPECT_EQ(f.node, c.node);
    EXPECT_TRUE(std::regex_match(f.reason, std::regex("[A-Z][A-Za-z0-9]*"))) << f.reason;
    EXPECT_FALSE(f.message.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, SpidernetHealthy,
    ::testing::Values(HealthyCase{"node1", CheckId::SpnHookOrder, Status::Pass},
                      HealthyCase{"node2", CheckId::SpnHookOrder, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnIptReadable, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnIpsetSrc, Status::Pass},
                      HealthyCase{"node2", CheckId::SpnIpsetSrc, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnIpsetDst, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnMarkRule, Status::Pass},
                      HealthyCase{"node2", CheckId::SpnMarkRule, Status::Skipped},
                      HealthyCase{"node1", CheckId::SpnSnatRule, Status::Skipped},
                      HealthyCase{"node2", CheckId::SpnSnatRule, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnReplyRouting, Status::Skipped},
                      HealthyCase{"node2", CheckId::SpnReplyRouting, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnIpRule, Status::Pass},
                      HealthyCase{"node2", CheckId::SpnIpRule, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnRoute, Status::Pass},
                      HealthyCase{"node2", CheckId::SpnRoute, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnVxlan, Status::Pass},
                      HealthyCase{"node2", CheckId::SpnVxlan, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnNeigh, Status::Pass},
                      HealthyCase{"node2", CheckId::SpnNeigh, Status::Pass},
                      HealthyCase{"node1", CheckId::SpnRpFilter, Status::Pass},
                      HealthyCase{"node1", CheckId::E2eRouteGet, Status::Skipped},
                      HealthyCase{"node2", CheckId::E2eRouteGet, Status::Pass}));

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string dropLineWith(const std::string& text, const std::string& needle) {
  std::string out;
  std::size_t start = 0;
  bool dropped = false;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start + 1);
    if (!dropped && line.find(needle) != std::string::npos) {
      dropped = true;
    } else {
      out += line;
    }
    start = end + 1;
  }
  EXPECT_TRUE(dropped) << needle;
  return out;
}

struct FaultCase {
  const char* name;
  const char* node;
  std::function<void(NetnsSnapshot&, const std::string& save)> mutate;
  CheckId id;
  Status want;
  const char* reason;
  const char* inMessage;
};

class SpidernetFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(SpidernetFault, IsReported) {
  const FaultCase& c = GetParam();
  NetnsSnapshot snapshot = testing::healthySnapshot(c.node);
  c.mutate(snapshot, testing::healthyIptablesSave(c.node));
  std::vector<Finding> all = checkAll(expect(testing::seedObjects(), c.node), snapshot);
  std::vector<Finding> found = of(all, c.id);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].status, c.want) << catalog::toJsonString(found[0]);
  EXPECT_EQ(found[0].reason, c.reason) << found[0].message;
  EXPECT_NE(found[0].message.find(c.inMessage), std::string::npos) << found[0].message;
  if (c.want == Status::Fail) {
    EXPECT_FALSE(found[0].remediation.empty());
  }
  // A fault reports only on its own check: every other finding stays as healthy.
  for (const Finding& f : all) {
    if (f.check != c.id) {
      EXPECT_NE(f.status, Status::Fail) << catalog::toJsonString(f);
    }
  }
}

const std::string kCaliTop =
    "-A PREROUTING -m comment --comment \"cali:6gwbT8clXdHdC1b1\" -j cali-PREROUTING\n";
const Error kEperm{ErrorCode::PermissionDenied, "netlink: needs CAP_NET_ADMIN"};

INSTANTIATE_TEST_SUITE_P(Table, SpidernetFault,
                         ::testing::Values(
                             FaultCase{
                                 "CalicoAboveMarkRequest", "node1",
                                 [](NetnsSnapshot& s, const std::string& save) {
                                   std::string text = dropLineWith(save, "cali:6gwbT8clXdHdC1b1");
                                   text = replace(
                                       text, "-A PREROUTING -m comment --comment \"egw:Lh98",
                                       kCaliTop + "-A PREROUTING -m comment --comment \"egw:Lh98");
                                   testing::setIptables(s, text);
                                 },
                                 CheckId::SpnHookOrder, Status::Fail, "ForeignRuleAbove",
                                 "cali-PREROUTING"},
                             FaultCase{"SnatJumpMissing", "node2",
                                       [](NetnsSnapshot& s, const std::string& save) {
                                         testing::setIptables(
                                             s, dropLineWith(save, "egw:x1tdBi75jif7GCxh"));
                                       },
                                       CheckId::SpnHookOrder, Status::Fail, "HookRuleMissing",
                                       "x1tdBi75jif7GCxh"},
                             FaultCase{"IptablesUnreadable", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.iptables = std::unexpected(kEperm);
                                       },
                                       CheckId::SpnHookOrder, Status::Unknown, "PermissionDenied",
                                       "CAP_NET_ADMIN"},
                             FaultCase{"NftIncompatible", "node1",
                                       [](NetnsSnapshot& s, const std::string& save) {
                                         testing::setIptables(
                                             s,
                                             "# Table `filter' is incompatible, use 'nft' tool.\n" +
                                                 save);
                                       },
                                       CheckId::SpnIptReadable, Status::Fail,
                                       "IptablesIncompatible", "filter"},
                             FaultCase{"SrcSetMissingPod", "node2",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         auto members = s.ipsets->at(0).members.texts();
                                         members.pop_back();
                                         s.ipsets->at(0).members = datapath::IpsetMembers(members);
                                       },
                                       CheckId::SpnIpsetSrc, Status::Fail, "IpsetMembersMissing",
                                       "10.200.1.7"},
                             FaultCase{"SrcSetExtraPod", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.ipsets->at(0).members.addText("10.200.9.9");
                                       },
                                       CheckId::SpnIpsetSrc, Status::Fail, "IpsetExtraMembers",
                                       "extra 10.200.9.9"},
                             FaultCase{"SrcSetGone", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.ipsets->erase(s.ipsets->begin());
                                       },
                                       CheckId::SpnIpsetSrc, Status::Fail, "IpsetMissing",
                                       "egress-src-v4-738bb014438bdbfe7"},
                             FaultCase{"DstSetWrongType", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.ipsets->at(1).type = "hash:ip";
                                       },
                                       CheckId::SpnIpsetDst, Status::Fail, "IpsetWrongType",
                                       "hash:ip"},
                             FaultCase{"DstSetWrongMember", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.ipsets->at(1).members = {"172.16.25.184"};
                                       },
                                       CheckId::SpnIpsetDst, Status::Fail, "IpsetMembersMissing",
                                       "172.16.25.183"},
                             FaultCase{"MarkRuleMissing", "node1",
                                       [](NetnsSnapshot& s, const std::string& save) {
                                         testing::setIptables(
                                             s, dropLineWith(save, "egw:c2Rxsf_p-hXQYsiG"));
                                       },
                                       CheckId::SpnMarkRule, Status::Fail, "MarkRuleMissing",
                                       "0x26b7b4e4"},
                             FaultCase{"MarkRuleWrongMark", "node1",
                                       [](NetnsSnapshot& s, const std::string& save) {
                                         testing::setIptables(
                                             s, replace(save, "--set-xmark 0x26b7b4e4/0xffffffff",
                                                        "--set-xmark 0x2698ee37/0xffffffff"));
                                       },
                                       CheckId::SpnMarkRule, Status::Fail, "MarkRuleWrong",
                                       "0x2698ee37"},
                             FaultCase{"SnatRuleWrongIp", "node2",
                                       [](NetnsSnapshot& s, const std::string& save) {
                                         testing::setIptables(
                                             s, replace(save, "--to-source 172.16.25.189",
                                                        "--to-source 172.16.25.200"));
                                       },
                                       CheckId::SpnSnatRule, Status::Fail, "SNATRuleWrong",
                                       "172.16.25.200"},
                             FaultCase{"SnatRuleMissing", "node2",
                                       [](NetnsSnapshot& s, const std::string& save) {
                                         testing::setIptables(
                                             s, dropLineWith(save, "egw:Jv9_F-2cYSllqljc"));
                                       },
                                       CheckId::SpnSnatRule, Status::Fail, "SNATRuleMissing",
                                       "172.16.25.189"},
                             FaultCase{"ReplyRoutingRuleMissing", "node2",
                                       [](NetnsSnapshot& s, const std::string& save) {
                                         testing::setIptables(
                                             s, dropLineWith(save, "egw:dddddddddddddddd"));
                                       },
                                       CheckId::SpnReplyRouting, Status::Fail,
                                       "ReplyRoutingRuleMissing", "1 of 4 expected rules missing"},
                             FaultCase{"IpRuleMissing", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.rules->erase(s.rules->begin() + 1);
                                       },
                                       CheckId::SpnIpRule, Status::Fail, "IPRuleMissing",
                                       "fwmark 0x26b7b4e4 lookup 649573604"},
                             FaultCase{"IpRuleStale", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         datapath::Rule stale = s.rules->at(1);
                                         stale.fwmark = stale.table = 0x26123456;
                                         s.rules->push_back(stale);
                                       },
                                       CheckId::SpnIpRule, Status::Fail, "IPRuleStale",
                                       "0x26123456"},
                             FaultCase{"RouteMissing", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.routes->erase(s.routes->begin());
                                       },
                                       CheckId::SpnRoute, Status::Fail, "RouteMissing",
                                       "table 649573604"},
                             FaultCase{"RouteWrongGateway", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.routes->at(0).gateway = "192.200.1.1";
                                       },
                                       CheckId::SpnRoute, Status::Fail, "RouteWrong",
                                       "192.200.1.1"},
                             FaultCase{
                                 "VxlanMissing", "node1",
                                 [](NetnsSnapshot& s, const std::string&) { s.links->pop_back(); },
                                 CheckId::SpnVxlan, Status::Fail, "VxlanMissing", "egress.vxlan"},
                             FaultCase{"VxlanDown", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.links->back().adminUp = false;
                                         s.links->back().operState = "DOWN";
                                       },
                                       CheckId::SpnVxlan, Status::Fail, "VxlanDown", "DOWN"},
                             FaultCase{"VxlanWrongPort", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.links->back().vxlan->port = 4789;
                                       },
                                       CheckId::SpnVxlan, Status::Fail, "VxlanWrongParams", "4789"},
                             FaultCase{"VxlanWrongLocal", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.links->back().vxlan->local = "10.9.9.9";
                                       },
                                       CheckId::SpnVxlan, Status::Fail, "VxlanWrongLocal",
                                       "10.6.1.21"},
                             FaultCase{"VxlanNoAddress", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.addresses->pop_back();
                                       },
                                       CheckId::SpnVxlan, Status::Fail, "VxlanAddressMissing",
                                       "192.200.142.89"},
                             FaultCase{"LinksUnreadable", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.links = std::unexpected(kEperm);
                                       },
                                       CheckId::SpnVxlan, Status::Unknown, "PermissionDenied",
                                       "CAP_NET_ADMIN"},
                             FaultCase{"NeighbourMissing", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.neighbours->clear();
                                       },
                                       CheckId::SpnNeigh, Status::Fail, "NeighbourMissing",
                                       "66:66:41:3e:23:6b"},
                             FaultCase{"NeighbourWrongMac", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.neighbours->at(0).lladdr = "66:00:00:00:00:01";
                                       },
                                       CheckId::SpnNeigh, Status::Fail, "NeighbourWrong",
                                       "66:00:00:00:00:01"},
                             FaultCase{"FdbMissing", "node1",
                                       [](NetnsSnapshot& s, const std::string&) { s.fdb->clear(); },
                                       CheckId::SpnNeigh, Status::Fail, "FdbMissing", "10.6.1.22"},
                             FaultCase{"RpFilterStrict", "node1",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.sysctls->rpFilter["egress.vxlan"] = 1;
                                         s.sysctls->rpFilterAll = 0;
                                       },
                                       CheckId::SpnRpFilter, Status::Fail, "RpFilterStrict",
                                       "is 1"},
                             FaultCase{"RouteLeavesWrongInterface", "node2",
                                       [](NetnsSnapshot& s, const std::string&) {
                                         s.routes->erase(s.routes->begin() + 2);
                                       },
                                       CheckId::E2eRouteGet, Status::Fail,
                                       "RouteLeavesWrongInterface", "eth1"}),
                         [](const auto& param) { return std::string(param.param.name); });

// Set members compare as ipset lists them: the kernel's network form, "/32" dropped, duplicates
// ignored; expected members are taken literally.
struct MemberFormCase {
  const char* name;
  std::vector<std::string> want;
  std::vector<std::string> have;
  Status status;
  const char* reason;
};

class IpsetMemberForms : public ::testing::TestWithParam<MemberFormCase> {};

TEST_P(IpsetMemberForms, CompareAsIpsetLists) {
  const MemberFormCase& c = GetParam();
  Expectation e;
  e.node = "node1";
  PolicyExpectation p;
  p.target = "default/t";
  p.srcSet = "egress-src-v4-t";
  p.srcMembers = c.want;
  e.policies.push_back(p);
  // The members as the text parsers hold them, and as the kernel reader does (IPv4 as numbers,
  // host bits as listed): both read the same.
  datapath::IpsetMembers numeric;
  for (const std::string& m : c.have) {
    if (const auto prefix = parseIpv4Prefix(m)) {
      numeric.addIpv4(prefix->addr, static_cast<unsigned>(prefix->len));
    } else {
      numeric.addText(m);
    }
  }
  for (const datapath::IpsetMembers& have : {datapath::IpsetMembers(c.have), numeric}) {
    NetnsSnapshot snap;
    snap.ipsets = std::vector<datapath::IpsetSet>{
        {"egress-src-v4-t", "hash:net", "inet", "create egress-src-v4-t hash:net", have}};
    const std::vector<Finding> found = checkIpsetSrc(e, snap);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].status, c.status) << catalog::toJsonString(found[0]);
    EXPECT_EQ(found[0].reason, c.reason) << catalog::toJsonString(found[0]);
  }
}

// The expected members' comparable form is computed once, when the expectation is built; text
// that cannot be compared as numbers leaves it out, and the check compares text instead.
TEST(ExpectedMembers, ComparableForm) {
  const ExpectedMembers plain(std::vector<std::string>{"10.0.0.1", "10.1.0.0/16", "fd00::1"});
  ASSERT_NE(plain.keys(), nullptr);
  EXPECT_EQ(plain.keys()->ipv4,
            (std::vector<datapath::Ipv4Packed>{datapath::packIpv4(0x0a000001, 32),
                                               datapath::packIpv4(0x0a010000, 16)}));
  EXPECT_EQ(plain.keys()->other, std::vector<std::string>{"fd00::1"});
  EXPECT_EQ(plain, (std::vector<std::string>{"10.0.0.1", "10.1.0.0/16", "fd00::1"}));
  EXPECT_EQ(ExpectedMembers(std::vector<std::string>{"10.0.0.1/32"}).keys(), nullptr);
  EXPECT_EQ(ExpectedMembers(std::vector<std::string>{"10.0.0.5/24"}).keys(), nullptr);
  EXPECT_EQ(ExpectedMembers(std::vector<std::string>{"10.0.0.1", "10.0.0.1"}).keys(), nullptr);
  ASSERT_NE(ExpectedMembers().keys(), nullptr);
  EXPECT_TRUE(ExpectedMembers().keys()->ipv4.empty());
}

struct MemberKeyCase {
  const char* text;
  std::optional<datapath::Ipv4Packed> key;
  bool canonical;
};

TEST(ExpectedMembers, Ipv4MemberKeyReadsWhatInetPtonReads) {
  for (const MemberKeyCase& c :
       std::vector<MemberKeyCase>{{"10.0.0.1", datapath::packIpv4(0x0a000001, 32), true},
                                  {"10.0.0.1/32", datapath::packIpv4(0x0a000001, 32), false},
                                  {"10.0.0.5/24", datapath::packIpv4(0x0a000000, 24), false},
                                  {"0.0.0.0/0", datapath::packIpv4(0, 0), true},
                                  {"255.255.255.255", datapath::packIpv4(0xffffffff, 32), true},
                                  {"01.0.0.1", std::nullopt, false},
                                  {"256.0.0.1", std::nullopt, false},
                                  {"1.2.3", std::nullopt, false},
                                  {"1.2.3.4/33", std::nullopt, false},
                                  {"1.2.3.4/", std::nullopt, false},
                                  {"1.2.3.4 ", std::nullopt, false},
                                  {"fd00::1", std::nullopt, false},
                                  {"", std::nullopt, false}}) {
    const auto k = ipv4MemberKey(c.text);
    ASSERT_EQ(k.has_value(), c.key.has_value()) << c.text;
    if (k) {
      EXPECT_EQ(k->key, *c.key) << c.text;
      EXPECT_EQ(k->canonical, c.canonical) << c.text;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, IpsetMemberForms,
    ::testing::Values(
        MemberFormCase{"Equal",
                       {"10.0.0.0/24", "10.200.0.22"},
                       {"10.200.0.22", "10.0.0.0/24"},
                       Status::Pass,
                       "IpsetAsExpected"},
        MemberFormCase{
            "HostLength", {"10.200.0.22"}, {"10.200.0.22/32"}, Status::Pass, "IpsetAsExpected"},
        MemberFormCase{
            "HostBitsCleared", {"10.0.0.0/24"}, {"10.0.0.5/24"}, Status::Pass, "IpsetAsExpected"},
        MemberFormCase{"DuplicateMember",
                       {"10.200.0.22"},
                       {"10.200.0.22", "10.200.0.22"},
                       Status::Pass,
                       "IpsetAsExpected"},
        MemberFormCase{"Ipv6Text", {"fd00::1"}, {"fd00::1"}, Status::Pass, "IpsetAsExpected"},
        MemberFormCase{"ExpectedNotNetworkForm",
                       {"10.0.0.5/24"},
                       {"10.0.0.0/24"},
                       Status::Fail,
                       "IpsetMembersMissing"},
        MemberFormCase{"OtherPrefixLength",
                       {"10.0.0.0/24"},
                       {"10.0.0.0/25"},
                       Status::Fail,
                       "IpsetMembersMissing"},
        MemberFormCase{
            "Extra", {"10.0.0.1"}, {"10.0.0.1", "10.0.0.2"}, Status::Fail, "IpsetExtraMembers"},
        MemberFormCase{"Empty", {}, {}, Status::Pass, "IpsetAsExpected"}),
    [](const ::testing::TestParamInfo<MemberFormCase>& p) { return std::string(p.param.name); });

// A healthy set's message stays one readable line: up to ten members named, the rest counted;
// the evidence lists up to 32 members.
TEST(IpsetPassMessage, NamesTenMembersAndCountsTheRest) {
  auto run = [](std::size_t count) {
    Expectation e;
    e.node = "node1";
    PolicyExpectation p;
    p.target = "default/t";
    p.srcSet = "egress-src-v4-t";
    std::vector<std::string> members;
    for (std::size_t i = 0; i < count; ++i) {
      members.push_back("10.0.0." + std::to_string(10 + i));
    }
    std::sort(members.begin(), members.end());
    p.srcMembers = members;
    e.policies.push_back(p);
    NetnsSnapshot snap;
    snap.ipsets = std::vector<datapath::IpsetSet>{{"egress-src-v4-t", "hash:net", "inet",
                                                   "create egress-src-v4-t hash:net",
                                                   datapath::IpsetMembers(members)}};
    auto found = checkIpsetSrc(e, snap);
    EXPECT_EQ(found.size(), 1u);
    return found.at(0);
  };
  Finding few = run(2);
  EXPECT_EQ(few.status, Status::Pass);
  EXPECT_EQ(few.message, "ipset egress-src-v4-t holds 10.0.0.10, 10.0.0.11");
  Finding many = run(12);
  EXPECT_EQ(many.status, Status::Pass);
  EXPECT_EQ(many.message,
            "ipset egress-src-v4-t holds 10.0.0.10, 10.0.0.11, 10.0.0.12, 10.0.0.13, 10.0.0.14, "
            "10.0.0.15, 10.0.0.16, 10.0.0.17, 10.0.0.18, 10.0.0.19 and 2 more expected members");
  ASSERT_EQ(many.evidence.size(), 3u);
  EXPECT_NE(many.evidence[2].find("10.0.0.20, 10.0.0.21"), std::string::npos) << many.evidence[2];
  // The evidence lists the set's first 32 members and counts the rest.
  Finding large = run(40);
  ASSERT_EQ(large.evidence.size(), 3u);
  EXPECT_TRUE(large.evidence[2].starts_with("Members: 10.0.0.10, 10.0.0.11, "))
      << large.evidence[2];
  EXPECT_TRUE(large.evidence[2].ends_with(", 10.0.0.41 and 8 more")) << large.evidence[2];
}

}  // namespace
}  // namespace egressdiag::checks::spidernet
