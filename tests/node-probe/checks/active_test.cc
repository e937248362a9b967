#include "node-probe/checks/active.h"

#include <gtest/gtest.h>

#include "spidernet_fixture.h"

namespace egressdiag::checks {
namespace {

using catalog::Status;

TEST(ReportedSourceIp, FindsFirstIpv4) {
  EXPECT_EQ(reportedSourceIp("172.16.25.189\n"), "172.16.25.189");
  EXPECT_EQ(reportedSourceIp(R"({"client-ip":"10.243.0.7","port":4242})"), "10.243.0.7");
  EXPECT_EQ(reportedSourceIp("999.1.1.1 then 1.2.3.4"), "1.2.3.4");
  EXPECT_EQ(reportedSourceIp("no address"), std::nullopt);
}

const SourceIpProbe kProbe{"default/test", "default/visitor-1", "10.200.0.22", "172.16.25.189", ""};

datapath::HttpProbeResult answer(int status, std::string body) {
  return {"http://172.16.25.183:8080/", status, std::move(body), 0.01};
}

struct JudgeCase {
  const char* name;
  SourceIpProbe probe;
  const char* url;
  Result<datapath::HttpProbeResult> outcome;
  Status want;
  const char* reason;
  const char* inMessage;
};

class SourceIpJudge : public ::testing::TestWithParam<JudgeCase> {};

TEST_P(SourceIpJudge, Verdict) {
  const JudgeCase& c = GetParam();
  catalog::Finding f = judgeSourceIp(c.probe, c.url, c.outcome);
  EXPECT_EQ(f.check, catalog::CheckId::E2eSourceIp);
  EXPECT_EQ(f.status, c.want) << f.message;
  EXPECT_EQ(f.reason, c.reason);
  EXPECT_NE(f.message.find(c.inMessage), std::string::npos) << f.message;
}

SourceIpProbe notReady() {
  SourceIpProbe p = kProbe;
  p.expected.clear();
  p.notReady = "policy default/test has no egress node";
  return p;
}

SourceIpProbe azureProbe() {
  SourceIpProbe p = kProbe;
  p.expected = "1.2.3.4/31";
  return p;
}

INSTANTIATE_TEST_SUITE_P(
    Table, SourceIpJudge,
    ::testing::Values(
        JudgeCase{"Pass", kProbe, "http://e/", answer(200, "172.16.25.189\n"), Status::Pass,
                  "SourceIPAsExpected", "172.16.25.189"},
        JudgeCase{"WrongIp", kProbe, "http://e/", answer(200, "10.6.1.21"), Status::Fail,
                  "WrongSourceIP", "egresses as 10.6.1.21"},
        JudgeCase{"InPrefix", azureProbe(), "http://e/", answer(200, "1.2.3.5"), Status::Pass,
                  "SourceIPAsExpected", "1.2.3.5"},
        JudgeCase{"OutsidePrefix", azureProbe(), "http://e/", answer(200, "1.2.3.6"), Status::Fail,
                  "WrongSourceIP", "1.2.3.6"},
        JudgeCase{"Timeout", kProbe, "http://e/",
                  std::unexpected(Error{ErrorCode::Timeout, "connect timed out"}), Status::Fail,
                  "EchoTimeout", "no answer"},
        JudgeCase{"NoNetns", kProbe, "http://e/",
                  std::unexpected(Error{ErrorCode::NotFound, "no netns holds 10.200.0.22"}),
                  Status::Unknown, "SnapshotUnavailable", "no netns"},
        JudgeCase{"NoPermission", kProbe, "http://e/",
                  std::unexpected(Error{ErrorCode::PermissionDenied, "needs CAP_SYS_ADMIN"}),
                  Status::Unknown, "PermissionDenied", "CAP_SYS_ADMIN"},
        JudgeCase{"NoUrl", kProbe, "", answer(200, "172.16.25.189"), Status::Unknown,
                  "EchoUrlNotSet", "--echo-url"},
        JudgeCase{"EchoBroken", kProbe, "http://e/", answer(502, "bad gateway"), Status::Unknown,
                  "EchoFailed", "502"},
        JudgeCase{"NoIpInBody", kProbe, "http://e/", answer(200, "hello"), Status::Unknown,
                  "EchoUnparsable", "no IPv4"},
        JudgeCase{"NoExpected", notReady(), "http://e/", answer(200, "1.1.1.1"), Status::Unknown,
                  "NoExpectedSourceIp", "no egress node"}),
    [](const auto& param) { return std::string(param.param.name); });

TEST(SourceIpProbes, OnePodPerPolicyOnThisNode) {
  model::ObjectSet objects = testing::seedObjects();
  auto probes = sourceIpProbes(objects, spidernet::expect(objects, "node1"));
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].pod, "default/visitor-1");
  EXPECT_EQ(probes[0].podIp, "10.200.0.22");
  EXPECT_EQ(probes[0].expected, "172.16.25.189");
  EXPECT_TRUE(sourceIpProbes(objects, spidernet::expect(objects, "node3")).empty());
}

TEST(SourceIpProbes, UseNodeIpExpectsEipNodeAddress) {
  model::ObjectSet objects = testing::seedObjects();
  objects.egressPolicies[0].spec.egressIP.useNodeIP = true;
  objects.egressPolicies[0].status.eipIPv4.clear();
  auto probes = sourceIpProbes(objects, spidernet::expect(objects, "node1"));
  ASSERT_EQ(probes.size(), 1u);
  EXPECT_EQ(probes[0].expected, "10.6.1.22");  // node2's tunnel parent (no Node objects here)
}

TEST(PingOutput, Parses) {
  auto ok = parsePingOutput(
      "PING 192.200.201.40 (192.200.201.40) from 192.200.142.89 egress.vxlan: 56(84) bytes\n\n"
      "--- 192.200.201.40 ping statistics ---\n"
      "3 packets transmitted, 3 received, 0% packet loss, time 404ms\n"
      "rtt min/avg/max/mdev = 0.061/0.181/0.301/0.098 ms\n");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->sent, 3);
  EXPECT_EQ(ok->received, 3);
  ASSERT_TRUE(ok->rttSeconds.has_value());
  EXPECT_NEAR(*ok->rttSeconds, 0.000181, 1e-9);
  auto lost = parsePingOutput("3 packets transmitted, 0 received, 100% packet loss, time 2040ms\n");
  ASSERT_TRUE(lost.has_value());
  EXPECT_EQ(lost->received, 0);
  EXPECT_FALSE(lost->rttSeconds.has_value());
  EXPECT_FALSE(parsePingOutput("ping: unknown iface").has_value());
}

TEST(TunnelPing, Verdicts) {
  spidernet::Expectation e = spidernet::expect(testing::seedObjects(), "node1");
  PingOutcome good{3, 3, 0.0002, "3 packets transmitted, 3 received"};
  PingOutcome silent{3, 0, std::nullopt, "3 packets transmitted, 0 received"};
  using Outcomes = std::vector<std::pair<std::string, Result<PingOutcome>>>;
  auto pass = judgeTunnelPing(e, Outcomes{{"node2 192.200.201.40", good}});
  EXPECT_EQ(pass.status, Status::Pass);
  EXPECT_NE(pass.message.find("0.200ms"), std::string::npos) << pass.message;
  auto failed = judgeTunnelPing(e, Outcomes{{"node2 192.200.201.40", silent}});
  EXPECT_EQ(failed.status, Status::Fail);
  EXPECT_EQ(failed.reason, "TunnelPeerUnreachable");
  auto cannot = judgeTunnelPing(
      e, Outcomes{{"node2 192.200.201.40",
                   std::unexpected(Error{ErrorCode::PermissionDenied, "needs CAP_NET_RAW"})}});
  EXPECT_EQ(cannot.status, Status::Unknown);
  EXPECT_EQ(judgeTunnelPing(e, Outcomes{}).status, Status::Skipped);
}

// SPN-EIP-ARP: which policies are probed from a node, and the verdicts on the answers.
TEST(EipArp, ProbesOffTheEipNodeOnly) {
  const auto off = eipArpProbes(spidernet::expect(testing::seedObjects(), "node1"));
  ASSERT_EQ(off.size(), 1u);
  EXPECT_EQ(off[0].skipReason, "");
  EXPECT_EQ(off[0].eip, "172.16.25.189");
  EXPECT_EQ(off[0].eipNode, "node2");
  EXPECT_FALSE(off[0].ownerIp.empty());
  const auto on = eipArpProbes(spidernet::expect(testing::seedObjects(), "node2"));
  ASSERT_EQ(on.size(), 1u);
  EXPECT_EQ(on[0].skipReason, "OnEipNode");
  spidernet::Expectation e;
  e.node = "node1";
  spidernet::PolicyExpectation nodeIp;
  nodeIp.target = "default/node-ip";
  nodeIp.eipNode = "node2";
  nodeIp.useNodeIP = true;
  spidernet::PolicyExpectation unassigned;
  unassigned.target = "default/unassigned";
  e.policies = {nodeIp, unassigned};
  const auto skipped = eipArpProbes(e);
  ASSERT_EQ(skipped.size(), 2u);
  EXPECT_EQ(skipped[0].skipReason, "UseNodeIP");
  EXPECT_EQ(skipped[1].skipReason, "NoEipNode");
  EXPECT_EQ(judgeEipArp(skipped[0], fail(ErrorCode::Unavailable, "not run"), nullptr).status,
            Status::Skipped);
  // Turned off on the probe: the policy that would be probed is Skipped, saying why.
  const auto disabled = eipArpProbes(spidernet::expect(testing::seedObjects(), "node1"), false);
  ASSERT_EQ(disabled.size(), 1u);
  EXPECT_EQ(disabled[0].skipReason, "ArpProbeDisabled");
  const auto f = judgeEipArp(disabled[0], fail(ErrorCode::Unavailable, "not run"), nullptr);
  EXPECT_EQ(f.status, Status::Skipped);
  EXPECT_NE(f.message.find("--arp-probe=false"), std::string::npos) << f.message;
}

struct EipArpCase {
  const char* name;
  Result<datapath::ArpProbeResult> eip;
  std::optional<Result<datapath::ArpProbeResult>> owner;
  Status want;
  const char* reason;
  const char* messagePart;
};

datapath::ArpProbeResult arpAnswer(std::string target, std::vector<std::string> macs) {
  datapath::ArpProbeResult r;
  r.target = std::move(target);
  r.ifname = "eth0";
  r.senderIp = "10.6.1.21";
  r.requests = macs.empty() ? 3 : 1;
  r.replyMacs = std::move(macs);
  if (!r.replyMacs.empty()) {
    r.firstReplySeconds = 0.0004;
  }
  return r;
}

class EipArpVerdicts : public ::testing::TestWithParam<EipArpCase> {};

TEST_P(EipArpVerdicts, Judge) {
  const EipArpCase& c = GetParam();
  const EipArpProbe probe{"default/test", "172.16.25.189", "node2", "10.6.1.22", "", ""};
  const Result<datapath::ArpProbeResult>* owner = c.owner ? &*c.owner : nullptr;
  const catalog::Finding f = judgeEipArp(probe, c.eip, owner);
  EXPECT_EQ(f.status, c.want) << f.message;
  EXPECT_EQ(f.reason, c.reason) << f.message;
  EXPECT_NE(f.message.find(c.messagePart), std::string::npos) << f.message;
  EXPECT_EQ(f.check, catalog::CheckId::SpnEipArp);
  EXPECT_EQ(f.target, "default/test");
}

const char* const kMacA = "aa:bb:cc:00:00:02";
const char* const kMacB = "aa:bb:cc:00:00:09";

INSTANTIATE_TEST_SUITE_P(
    Table, EipArpVerdicts,
    ::testing::Values(
        EipArpCase{"AnsweredByEipNode", arpAnswer("172.16.25.189", {kMacA}),
                   arpAnswer("10.6.1.22", {kMacA}), Status::Pass, "EipAnsweredByEipNode",
                   "by aa:bb:cc:00:00:02, the MAC of node2"},
        EipArpCase{"Unanswered", arpAnswer("172.16.25.189", {}), std::nullopt, Status::Fail,
                   "EipArpUnanswered", "no ARP reply for EIP 172.16.25.189 on eth0"},
        EipArpCase{"TwoHosts", arpAnswer("172.16.25.189", {kMacA, kMacB}),
                   arpAnswer("10.6.1.22", {kMacA}), Status::Fail, "EipArpConflict",
                   "answered by 2 hosts"},
        EipArpCase{"OtherHost", arpAnswer("172.16.25.189", {kMacB}),
                   arpAnswer("10.6.1.22", {kMacA}), Status::Fail, "EipAnsweredByOtherHost",
                   "but node2 (10.6.1.22) is aa:bb:cc:00:00:02"},
        EipArpCase{"OwnerSilent", arpAnswer("172.16.25.189", {kMacA}), arpAnswer("10.6.1.22", {}),
                   Status::Warn, "EipOwnerUnverified", "no ARP reply from 10.6.1.22"},
        EipArpCase{"NoOwnerToAsk", arpAnswer("172.16.25.189", {kMacA}), std::nullopt, Status::Warn,
                   "EipOwnerUnverified", "has no tunnel parent IP"},
        EipArpCase{
            "NotOnLink",
            fail(ErrorCode::NotFound, "no UP interface has an IPv4 subnet holding 172.16.25.189"),
            std::nullopt, Status::Skipped, "EipNotOnLink", "on none of this node's"},
        EipArpCase{"NoCapability",
                   fail(ErrorCode::PermissionDenied, "packet socket refused (needs CAP_NET_RAW)"),
                   std::nullopt, Status::Unknown, "PermissionDenied", "CAP_NET_RAW"}),
    [](const ::testing::TestParamInfo<EipArpCase>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace egressdiag::checks
