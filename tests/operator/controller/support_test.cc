#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/controller/auto_diagnose.h"
#include "operator/controller/coverage.h"
#include "operator/controller/crypto.h"
#include "operator/controller/net.h"
#include "operator/controller/target.h"
#include "tests/operator/controller/fixtures.h"

namespace egressdiag::controller {
namespace {

using testing::at;
using testing::nodeReport;
using testing::probeLease;

TEST(NetTest, ParsesPrefixes) {
  struct Case {
    std::string text;
    std::optional<Ipv4Prefix> want;
  };
  const Case cases[] = {
      {"10.0.0.0/8", Ipv4Prefix{0x0a000000, 8}},
      {"10.1.2.3", Ipv4Prefix{0x0a010203, 32}},
      {"10.1.2.3/16", Ipv4Prefix{0x0a010000, 16}},  // host bits cleared
      {"0.0.0.0/0", Ipv4Prefix{0, 0}},
      {"10.0.0.0/33", std::nullopt},
      {"10.0.0.0/", std::nullopt},
      {"10.0.0.0/8x", std::nullopt},
      {"fd00::/64", std::nullopt},
      {"", std::nullopt},
      {"300.1.1.1", std::nullopt},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parseIpv4Prefix(c.text), c.want) << c.text;
  }
}

TEST(NetTest, Covers) {
  auto p = [](const char* t) { return *parseIpv4Prefix(t); };
  EXPECT_TRUE(covers(p("10.244.0.0/16"), p("10.244.1.0/24")));
  EXPECT_TRUE(covers(p("10.244.1.0/24"), p("10.244.1.0/24")));
  EXPECT_FALSE(covers(p("10.244.1.0/24"), p("10.244.0.0/16")));
  EXPECT_FALSE(covers(p("10.245.0.0/16"), p("10.244.1.0/24")));
  EXPECT_TRUE(covers(p("0.0.0.0/0"), p("192.168.1.1")));
}

TEST(CryptoTest, TunnelMacMatchesSpidernet) {
  // From spidernet's troubleshooting doc: `kubectl get egt` shows node2 66:66:41:3e:23:6b.
  EXPECT_EQ(spidernetTunnelMac("node2"), "66:66:41:3e:23:6b");
  EXPECT_EQ(spidernetTunnelMac("node1"), "66:c5:d6:cc:29:54");
}

TEST(CryptoTest, WireGuardPublicKeyRfc7748Vector) {
  auto key = wireGuardPublicKey("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
  ASSERT_TRUE(key.has_value()) << key.error().message;
  EXPECT_EQ(*key, "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
}

TEST(CryptoTest, RejectsMalformedKeys) {
  for (const char* bad : {"", "short", "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC==",
                          "!!!!CnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=",
                          "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=extra"}) {
    auto key = wireGuardPublicKey(bad);
    EXPECT_FALSE(key.has_value()) << bad;
    if (!key) {
      EXPECT_EQ(key.error().code, ErrorCode::InvalidInput);
    }
  }
}

TEST(TargetTest, NormalisesDefaults) {
  model::EgressDiagnosis d;
  d.metadata.namespace_ = "team-a";
  d.spec.targetRef = {"", "EgressPolicy", "p", ""};
  EXPECT_EQ(normaliseTargetRef(d),
            (model::TargetRef{"egressgateway.spidernet.io", "EgressPolicy", "p", "team-a"}));
  d.spec.targetRef = {"", "EgressClusterPolicy", "c", "ignored"};
  EXPECT_EQ(normaliseTargetRef(d),
            (model::TargetRef{"egressgateway.spidernet.io", "EgressClusterPolicy", "c", ""}));
  d.spec.targetRef = {"egressgateway.kubernetes.azure.com", "StaticGatewayConfiguration", "g",
                      "other"};
  EXPECT_EQ(normaliseTargetRef(d).namespace_, "other");
  EXPECT_TRUE(sameTarget({"", "EgressPolicy", "p", "a"},
                         {"egressgateway.spidernet.io", "EgressPolicy", "p", "a"}));
  EXPECT_FALSE(sameTarget({"x.io", "EgressPolicy", "p", "a"},
                          {"egressgateway.spidernet.io", "EgressPolicy", "p", "a"}));
}

TEST(CoverageTest, LeaseExpiry) {
  model::Lease lease = probeLease("n", at(100));
  EXPECT_EQ(leaseExpiry(lease), at(140));
  lease.spec.leaseDurationSeconds.reset();
  EXPECT_EQ(leaseExpiry(lease), at(100) + kDefaultProbeLeaseDuration);
  lease.spec.renewTime.reset();
  EXPECT_FALSE(leaseExpiry(lease).has_value());
  lease.spec.acquireTime = at(5);
  EXPECT_EQ(leaseExpiry(lease), at(45));
}

TEST(CoverageTest, OnlyLiveExpectedNodesWithAnEntryReport) {
  model::TargetRef target{"egressgateway.spidernet.io", "EgressPolicy", "test", "default"};
  model::TargetRef other{"egressgateway.spidernet.io", "EgressPolicy", "else", "default"};
  model::Finding fail;
  fail.check = "SPN-ROUTE";
  fail.status = model::CheckStatus::Fail;
  model::Finding nodeWide = fail;
  nodeWide.check = "SPN-HOOK-ORDER";
  auto withNodeWide = nodeReport("a", target, {fail}, at(3));
  model::TargetReport wide;
  wide.findings = {nodeWide};
  withNodeWide.status.targets.push_back(wide);
  std::vector<model::EgressNodeReport> reports = {
      withNodeWide,
      nodeReport("b", other, {fail}, at(4)),   // no entry for the target
      nodeReport("c", target, {}, at(9)),      // Lease expired
      nodeReport("d", target, {fail}, at(9)),  // not expected
      nodeReport("e", target, {}, at(2)),
  };
  std::vector<model::Lease> leases = {probeLease("a", at(50)), probeLease("b", at(50)),
                                      probeLease("c", at(0)), probeLease("d", at(50)),
                                      probeLease("e", at(45))};
  auto aggregate =
      aggregateNodeFindings(reports, leases, {"e", "a", "b", "c", "f"}, target, at(60));
  EXPECT_THAT(aggregate.coverage.expected, ::testing::ElementsAre("a", "b", "c", "e", "f"));
  EXPECT_THAT(aggregate.coverage.reporting, ::testing::ElementsAre("a", "e"));
  EXPECT_THAT(aggregate.coverage.missing, ::testing::ElementsAre("b", "c", "f"));
  EXPECT_EQ(aggregate.coverage.lastProbeTime, at(3));
  EXPECT_EQ(aggregate.coverage.nextExpiry, at(85));
  ASSERT_EQ(aggregate.findings.size(), 2u);
  EXPECT_EQ(aggregate.findings[0].check, "SPN-ROUTE");
  EXPECT_EQ(aggregate.findings[1].check, "SPN-HOOK-ORDER");
  for (const auto& f : aggregate.findings) {
    EXPECT_EQ(f.node, "a");
    EXPECT_EQ(f.target, target);
  }
}

TEST(CoverageTest, NodeReportAges) {
  model::TargetRef target{"egressgateway.spidernet.io", "EgressPolicy", "test", "default"};
  model::ObjectSet objects;
  objects.egressNodeReports = {nodeReport("a", target, {}, at(10)),   // Lease renewed later
                               nodeReport("b", target, {}, at(30))};  // report newer than Lease
  objects.leases = {probeLease("a", at(40)), probeLease("b", at(20)),
                    probeLease("c", at(50))};  // Lease only
  for (const char* name : {"a", "old", "new"}) {
    model::Node node;
    node.metadata.name = name;
    node.metadata.creationTimestamp = at(std::string(name) == "new" ? 35 : 1);
    objects.nodes.push_back(node);
  }
  // Expected but never heard of: "old" is due since the diagnosis (at 5), "new" since the Node
  // (at 35), "ghost" has no Node and no series; "a" is heard of, so its diagnosis time is moot.
  std::map<std::string, model::Time> expectedSince = {
      {"a", at(5)}, {"old", at(5)}, {"new", at(5)}, {"ghost", at(5)}};
  auto ages = nodeReportAges(objects, expectedSince, at(60));
  EXPECT_THAT(ages, ::testing::ElementsAre(::testing::Pair("a", 20.0), ::testing::Pair("b", 30.0),
                                           ::testing::Pair("c", 10.0), ::testing::Pair("new", 25.0),
                                           ::testing::Pair("old", 55.0)));
  // A clock behind the Lease's: 0, never negative.
  EXPECT_EQ(nodeReportAges(objects, {}, at(0)).at("c"), 0.0);
}

TEST(AutoDiagnoseTest, CreatesOneOwnedDiagnosisPerUncoveredTarget) {
  auto s = testing::healthySpidernet();
  s.state.objects.egressPolicies.push_back(s.state.objects.egressPolicies[0]);
  s.state.objects.egressPolicies[1].metadata.name = "second";
  s.state.objects.egressPolicies[1].metadata.uid = "uid-second";
  model::EgressClusterPolicy cluster;
  cluster.metadata.name = "everything";
  cluster.metadata.uid = "uid-everything";
  s.state.objects.egressClusterPolicies = {cluster};
  s.state.objects.staticGatewayConfigurations.emplace_back();  // Azure not installed: ignored
  s.state.objects.egressDiagnoses = {s.diagnosis};             // covers default/test

  auto created = missingDiagnoses(s.state, "egressdiag-system");
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].metadata.name, "auto-egp-second");
  EXPECT_EQ(created[0].metadata.namespace_, "default");
  EXPECT_EQ(created[0].spec.targetRef,
            (model::TargetRef{"egressgateway.spidernet.io", "EgressPolicy", "second", "default"}));
  ASSERT_EQ(created[0].metadata.ownerReferences.size(), 1u);
  EXPECT_EQ(created[0].metadata.ownerReferences[0].uid, "uid-second");
  EXPECT_EQ(created[0].metadata.ownerReferences[0].apiVersion,
            "egressgateway.spidernet.io/v1beta1");
  EXPECT_EQ(created[1].metadata.name, "auto-egcp-everything");
  EXPECT_EQ(created[1].metadata.namespace_, "egressdiag-system");
  EXPECT_EQ(created[1].spec.targetRef.namespace_, "");

  s.state.objects.egressDiagnoses.insert(s.state.objects.egressDiagnoses.end(), created.begin(),
                                         created.end());
  EXPECT_TRUE(missingDiagnoses(s.state, "egressdiag-system").empty());
}

}  // namespace
}  // namespace egressdiag::controller
