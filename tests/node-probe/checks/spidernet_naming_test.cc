#include "node-probe/checks/spidernet_naming.h"

#include <gtest/gtest.h>

namespace egressdiag::checks::spidernet {
namespace {

struct HashCase {
  const char* chain;
  std::vector<AgentRule> rules;  // the chain's rules up to and including the one under test
  const char* want;              // egw: hash of the last rule (spidernet.md §3.2 table)
};

class RuleHash : public ::testing::TestWithParam<HashCase> {};

TEST_P(RuleHash, MatchesUpstream) {
  auto hashes = ruleHashes(GetParam().chain, GetParam().rules);
  ASSERT_EQ(hashes.size(), GetParam().rules.size());
  EXPECT_EQ(hashes.back(), GetParam().want);
}

const std::string kAnyMark = "-m mark --mark 0x26000000/0xff000000";
const std::string kExactMark = "-m mark --mark 0x26000000/0xffffffff";
const std::string kAccept = "Accept for egress traffic from pod going to EgressTunnel";
const std::string kReply = "EgressGateway reply datapath rule, rule is from the EgressGateway";
const AgentRule kPre1{
    {"Checking for EgressPolicy matched traffic"}, "", "--jump EGRESSGATEWAY-MARK-REQUEST"};
const AgentRule kPre2{{"EgressGateway traffic accept datapath rule"}, kAnyMark, "--jump ACCEPT"};
const AgentRule kPre3{{kReply}, "", "--jump EGRESSGATEWAY-REPLY-ROUTING"};
const AgentRule kPost1{{"SNAT for egress traffic"}, "", "--jump EGRESSGATEWAY-SNAT-EIP"};
const AgentRule kPost2{{kAccept}, kExactMark, "--jump ACCEPT"};
const std::string kSets =
    "-m set --match-set egress-src-v4-738bb014438bdbfe7 src -m set --match-set "
    "egress-dst-v4-738bb014438bdbfe7 dst -m conntrack --ctdir ORIGINAL";

INSTANTIATE_TEST_SUITE_P(
    Seed, RuleHash,
    ::testing::Values(
        HashCase{"PREROUTING", {kPre1}, "Lh98b3mb9WlZrgw7"},
        HashCase{"PREROUTING", {kPre1, kPre2}, "4vaggeYl6c-Gn0Yv"},
        HashCase{"PREROUTING", {kPre1, kPre2, kPre3}, "2kqsECEMrvzlVMA3"},
        HashCase{"PREROUTING",
                 {kPre1, kPre2, kPre3, {{kReply}, kAnyMark, "--jump ACCEPT"}},
                 "OmRHwNHpRbvgdaPu"},
        // Before v0.6.6 the REPLY-ROUTING jump was second (seen in spidernet #1670).
        HashCase{"PREROUTING", {kPre1, kPre3}, "T0xtgSfAE9gtzdEV"},
        HashCase{"POSTROUTING", {kPost1}, "x1tdBi75jif7GCxh"},
        HashCase{"POSTROUTING", {kPost1, kPost2}, "lefvkAAcigCbsdOb"},
        HashCase{"PREROUTING",
                 {{{"EgressGateway traffic accept datapath rule"}, kAnyMark, "--jump ACCEPT"}},
                 "bx14gEwdI2z4JR7V"},
        HashCase{"FORWARD", {{{kAccept}, kExactMark, "--jump ACCEPT"}}, "k9r8D6t2n2nfb88V"},
        HashCase{"OUTPUT", {{{kAccept}, kExactMark, "--jump ACCEPT"}}, "1l0yvxSlKPV6W8en"},
        HashCase{"FORWARD",
                 {{{kAccept}, kAnyMark, "--jump MARK --set-mark 0x26000000/0xffffffff"}},
                 "QZatZARIgegXh8rb"},
        HashCase{"POSTROUTING", {{{kAccept}, kExactMark, "--jump ACCEPT"}}, "ymEAarDWTR9SHgDS"},
        HashCase{"POSTROUTING",
                 {{{kAccept}, kExactMark, "--jump ACCEPT"},
                  {{"clear the Mark of the inner package, rule is from the EgressGateway"},
                   "-m mark --mark 0x27/0xffffffff",
                   "--jump MARK --set-mark 0x0/0xffffffff"}},
                 "AROneiv3FWSogWf-"},
        HashCase{"EGRESSGATEWAY-MARK-REQUEST",
                 {{{"Set mark for EgressPolicy default-test"},
                   kSets,
                   "--jump MARK --set-mark 0x26b7b4e4/0xffffffff"}},
                 "c2Rxsf_p-hXQYsiG"},
        HashCase{"EGRESSGATEWAY-SNAT-EIP",
                 {{{"snat policy default-test"}, kSets, "--jump SNAT --to-source 172.16.25.189"}},
                 "Jv9_F-2cYSllqljc"}));

struct NameCase {
  const char* prefix;
  const char* name;
  const char* want;
};

class IpsetNameTest : public ::testing::TestWithParam<NameCase> {};

TEST_P(IpsetNameTest, Sha1Prefix) {
  EXPECT_EQ(ipsetName(GetParam().prefix, GetParam().name), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Table, IpsetNameTest,
    ::testing::Values(NameCase{"egress-src-v4-", "default-test", "egress-src-v4-738bb014438bdbfe7"},
                      NameCase{"egress-dst-v4-", "default-test", "egress-dst-v4-738bb014438bdbfe7"},
                      // 31 - len("egress-src-v6-") = 17 hex characters as well.
                      NameCase{"egress-src-v6-", "default-test", "egress-src-v6-738bb014438bdbfe7"},
                      // sha1("a") = 86f7e437faa5a7fce15d1ddcb9eaeaea377667b8
                      NameCase{"egress-src-v4-", "a", "egress-src-v4-86f7e437faa5a7fce"},
                      NameCase{"p-", "a", "p-86f7e437faa5a7fce15d1ddcb9eae"}));

TEST(TunnelMac, MatchesSeedTunnels) {
  EXPECT_EQ(tunnelMac("node1"), "66:c5:d6:cc:29:54");
  EXPECT_EQ(tunnelMac("node2"), "66:66:41:3e:23:6b");
}

TEST(HexMark, GoPercentHashX) {
  EXPECT_EQ(hexMark(0x26b7b4e4), "0x26b7b4e4");
  EXPECT_EQ(hexMark(0), "0x0");
  EXPECT_EQ(hexMark(0x27), "0x27");
  // The routing table id is the mark as a decimal number (000 §4).
  EXPECT_EQ(std::to_string(0x26b7b4e4u), "649573604");
}

TEST(SanitizeComment, ReplacesOutsideAllowedSet) {
  EXPECT_EQ(sanitizeComment("Set mark for EgressPolicy default-test"),
            "Set mark for EgressPolicy default-test");
  EXPECT_EQ(sanitizeComment("a\"b;c(d)"), "a_b_c_d_");
  EXPECT_EQ(sanitizeComment(std::string(300, 'x')).size(), 256u);
}

}  // namespace
}  // namespace egressdiag::checks::spidernet
