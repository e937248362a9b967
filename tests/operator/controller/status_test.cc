#include "operator/controller/status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/controller/control_plane.h"
#include "tests/operator/controller/fixtures.h"

namespace egressdiag::controller {
namespace {

using model::CheckStatus;
using model::ConditionStatus;
using testing::addHealthyReports;
using testing::at;
using testing::healthyAzure;
using testing::healthySpidernet;
using testing::nodeReport;
using testing::probeLease;
using testing::Scenario;

const model::Condition& cond(const model::EgressDiagnosisStatus& status, std::string_view type) {
  const auto* c = model::findCondition(status.conditions, type);
  if (c == nullptr) {
    static const model::Condition kMissing{"missing", ConditionStatus::Unknown, "", "", {}, 0};
    ADD_FAILURE() << "no condition " << type;
    return kMissing;
  }
  return *c;
}

std::string dump(const model::EgressDiagnosisStatus& status) {
  std::string out;
  for (const auto& c : status.conditions) {
    out += c.type + "=" + std::string(model::toString(c.status)) + " " + c.reason + ": " +
           c.message + "\n";
  }
  return out;
}

// One reconcile: evaluates at `now`, computes the status, stores it back like the API would.
// The probes keep renewing their Leases unless `renewLeases` is false.
struct Round {
  model::EgressDiagnosisStatus status;
  std::vector<EventIntent> events;
};
Round reconcile(Scenario& s, model::Time now, bool renewLeases = true) {
  if (renewLeases) {
    for (auto& lease : s.state.objects.leases) {
      lease.spec.renewTime = now;
    }
  }
  Evaluation evaluation = evaluateDiagnosis(s.state, s.diagnosis, now);
  auto status = computeStatus(s.diagnosis, evaluation, now);
  auto events = decideEvents(s.diagnosis.status, status);
  s.diagnosis.status = status;
  return {status, events};
}

Scenario reportingSpidernet(model::Time now) {
  Scenario s = healthySpidernet();
  addHealthyReports(s, {"node1", "node2"}, now);
  return s;
}

model::Finding nodeFinding(catalog::CheckId check, std::string reason, std::string message) {
  return makeFinding(check, CheckStatus::Fail, {}, "", std::move(reason), std::move(message));
}

void setReportFindings(Scenario& s, const std::string& node, std::vector<model::Finding> findings,
                       model::Time now) {
  for (auto& report : s.state.objects.egressNodeReports) {
    if (report.nodeName == node) {
      report = nodeReport(node, normaliseTargetRef(s.diagnosis), std::move(findings), now);
    }
  }
}

TEST(StatusTest, HealthyTargetWithReportsIsHealthyAndReady) {
  Scenario s = reportingSpidernet(at(0));
  s.diagnosis.metadata.generation = 3;
  auto status = reconcile(s, at(5)).status;
  EXPECT_EQ(cond(status, kCondHealthy).status, ConditionStatus::True) << dump(status);
  EXPECT_EQ(cond(status, kCondHealthy).reason, "EgressHealthy");
  EXPECT_EQ(cond(status, kCondReady).status, ConditionStatus::True);
  EXPECT_EQ(cond(status, kCondReady).reason, "DiagnosisActive");
  EXPECT_EQ(cond(status, kCondStalled).status, ConditionStatus::False);
  EXPECT_EQ(cond(status, kCondProbeCoverage).status, ConditionStatus::True);
  for (auto type : {kCondComponentsReady, kCondControlPlaneReady, kCondDatapathProgrammed,
                    kCondTunnelHealthy}) {
    EXPECT_EQ(cond(status, type).status, ConditionStatus::True) << type;
  }
  // No probe URL: egress is not verified end to end, and Healthy does not wait for it.
  EXPECT_EQ(cond(status, kCondEgressVerified).status, ConditionStatus::Unknown);
  EXPECT_EQ(cond(status, kCondEgressVerified).reason, "ProbeNotConfigured");
  EXPECT_EQ(status.egressIP, "172.16.25.189");
  EXPECT_EQ(status.gatewayNode, "node2");
  EXPECT_EQ(status.nodes, "2/2");
  EXPECT_EQ(status.lastProbeTime, at(0));
  EXPECT_EQ(status.observedGeneration, 3);
  for (const auto& c : status.conditions) {
    EXPECT_EQ(c.observedGeneration, 3) << c.type;
    EXPECT_EQ(c.lastTransitionTime, at(5)) << c.type;
    EXPECT_FALSE(c.reason.empty()) << c.type;
  }
  EXPECT_TRUE(status.failingChecks.empty());
  EXPECT_TRUE(status.outages.empty());
}

TEST(StatusTest, ProbeConfiguredCountsEndToEnd) {
  Scenario s = reportingSpidernet(at(0));
  s.diagnosis.spec.probe = model::ProbeSpec{"http://echo.example/ip", {}, {}};
  auto status = reconcile(s, at(1)).status;
  EXPECT_EQ(cond(status, kCondEgressVerified).status, ConditionStatus::True) << dump(status);
  EXPECT_EQ(cond(status, kCondHealthy).status, ConditionStatus::True);
  setReportFindings(s, "node1",
                    {nodeFinding(catalog::CheckId::E2eSourceIp, "SourceIPMismatch",
                                 "echo saw 10.6.1.21, want 172.16.25.189")},
                    at(2));
  status = reconcile(s, at(3)).status;
  EXPECT_EQ(cond(status, kCondEgressVerified).status, ConditionStatus::False);
  EXPECT_EQ(cond(status, kCondHealthy).reason, "SourceIPMismatch");
}

TEST(StatusTest, NothingIsHealthyBeforeTheFirstProbeResult) {
  Scenario s = healthySpidernet();  // control plane fine, no probe has reported yet
  auto status = reconcile(s, at(0)).status;
  EXPECT_EQ(cond(status, kCondHealthy).status, ConditionStatus::Unknown) << dump(status);
  EXPECT_EQ(cond(status, kCondProbeCoverage).status, ConditionStatus::False);
  EXPECT_EQ(cond(status, kCondProbeCoverage).reason, "NodesNotReporting");
  EXPECT_EQ(cond(status, kCondDatapathProgrammed).status, ConditionStatus::Unknown);
  EXPECT_EQ(cond(status, kCondTunnelHealthy).status, ConditionStatus::Unknown);
  EXPECT_EQ(cond(status, kCondReady).status, ConditionStatus::False);
  EXPECT_EQ(cond(status, kCondComponentsReady).status, ConditionStatus::True);
  EXPECT_EQ(status.nodes, "0/2");
  EXPECT_FALSE(status.lastProbeTime.has_value());
}

struct ControlPlaneFault {
  std::string name;
  std::function<void(Scenario&)> apply;
  std::string check;
  std::string reason;
};

class ControlPlaneFaultTest : public ::testing::TestWithParam<ControlPlaneFault> {};

TEST_P(ControlPlaneFaultTest, FlipsHealthyAndRecordsOneOutage) {
  const auto& fault = GetParam();
  bool azure = fault.check.starts_with("AKS") || fault.check.starts_with("CMP-AKS");
  Scenario s = azure ? healthyAzure() : healthySpidernet();
  addHealthyReports(s,
                    azure ? std::vector<std::string>{"gw-0", "worker-0"}
                          : std::vector<std::string>{"node1", "node2"},
                    at(0));
  Scenario healthy = s;
  auto before = reconcile(s, at(10));
  ASSERT_EQ(cond(before.status, kCondHealthy).status, ConditionStatus::True) << dump(before.status);
  EXPECT_TRUE(before.events.empty());

  fault.apply(s);
  auto broken = reconcile(s, at(20));
  const auto& healthyCond = cond(broken.status, kCondHealthy);
  EXPECT_EQ(healthyCond.status, ConditionStatus::False) << dump(broken.status);
  EXPECT_EQ(healthyCond.reason, fault.reason);
  EXPECT_THAT(healthyCond.message, ::testing::HasSubstr(fault.check));
  EXPECT_EQ(healthyCond.lastTransitionTime, at(20));
  ASSERT_EQ(broken.events.size(), 1u);
  EXPECT_EQ(broken.events[0].type, "Warning");
  EXPECT_EQ(broken.events[0].reason, "EgressDegraded");
  EXPECT_THAT(broken.events[0].note, ::testing::HasSubstr(fault.check));
  ASSERT_FALSE(broken.status.failingChecks.empty());
  EXPECT_EQ(broken.status.failingChecks[0].check, fault.check);

  // Still broken: no new event, no status change.
  auto still = reconcile(s, at(40));
  EXPECT_TRUE(still.events.empty());
  EXPECT_EQ(still.status, broken.status);

  // Repaired.
  s.state = healthy.state;
  auto repaired = reconcile(s, at(110));
  EXPECT_EQ(cond(repaired.status, kCondHealthy).status, ConditionStatus::True);
  ASSERT_EQ(repaired.events.size(), 1u);
  EXPECT_EQ(repaired.events[0].type, "Normal");
  EXPECT_EQ(repaired.events[0].reason, "EgressRestored");
  EXPECT_THAT(repaired.events[0].note, ::testing::HasSubstr("1m30s"));
  ASSERT_EQ(repaired.status.outages.size(), 1u);
  EXPECT_EQ(repaired.status.outages[0].start, at(20));
  EXPECT_EQ(repaired.status.outages[0].end, at(110));
  EXPECT_EQ(repaired.status.outages[0].reason, fault.reason);
  EXPECT_TRUE(repaired.status.failingChecks.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Faults, ControlPlaneFaultTest,
    ::testing::Values(
        ControlPlaneFault{
            "TunnelNotReady",
            [](Scenario& s) { s.state.objects.egressTunnels[0].status.phase = "Init"; },
            "SPN-TUNNELS", "TunnelNotReady"},
        ControlPlaneFault{
            "BadMark",
            [](Scenario& s) { s.state.objects.egressTunnels[1].status.mark = "0x26000000"; },
            "SPN-TUNNELS", "TunnelMarkInvalid"},
        ControlPlaneFault{
            "PolicyWithoutEIP",
            [](Scenario& s) { s.state.objects.egressPolicies[0].status.eipIPv4 = ""; },
            "SPN-POLICY-STATUS", "PolicyEIPUnassigned"},
        ControlPlaneFault{"GatewayNodeNotReady",
                          [](Scenario& s) {
                            s.state.objects.egressGateways[0].status.nodeList[1].status = "Pending";
                          },
                          "SPN-GATEWAY", "GatewayNodeNotReady"},
        ControlPlaneFault{
            "EndpointSliceMissingPod",
            [](Scenario& s) { s.state.objects.egressEndpointSlices[0].endpoints.pop_back(); },
            "SPN-ENDPOINTS", "EndpointMissing"},
        ControlPlaneFault{"AgentNotReady",
                          [](Scenario& s) { s.state.objects.daemonSets[0].status.numberReady = 0; },
                          "CMP-SPN-AGENT", "DaemonSetNotReady"},
        ControlPlaneFault{
            "CalicoInsert",
            [](Scenario& s) { s.state.objects.felixConfigurations[0].chainInsertMode = "Insert"; },
            "INT-CALICO-INSERT", "CalicoChainInsertMode"},
        ControlPlaneFault{"SgcWithoutPublicKey",
                          [](Scenario& s) {
                            s.state.objects.staticGatewayConfigurations[0]
                                .status.gatewayServerProfile.publicKey.clear();
                          },
                          "AKS-SGC-STATUS", "SGCStatusIncomplete"},
        ControlPlaneFault{"GatewayStatusMissingSgc",
                          [](Scenario& s) {
                            s.state.objects.gatewayStatuses[0].readyGatewayConfigurations.clear();
                          },
                          "AKS-GWSTATUS", "GatewayConfigurationNotReady"},
        ControlPlaneFault{"AnnotatedPodWithoutPodEndpoint",
                          [](Scenario& s) { s.state.objects.podEndpoints.clear(); },
                          "AKS-PODENDPOINT", "PodEndpointMissing"},
        ControlPlaneFault{"CniNotReadyTaint",
                          [](Scenario& s) {
                            s.state.objects.nodes[1].spec.taints = {
                                {"egressgateway.kubernetes.azure.com/cni-not-ready", "true",
                                 "NoSchedule"}};
                          },
                          "CMP-AKS-CNIMGR", "CNINotReadyTaint"}),
    [](const auto& param) { return param.param.name; });

TEST(StatusTest, DatapathFailureNamesNodeAndCheck) {
  Scenario s = reportingSpidernet(at(0));
  setReportFindings(s, "node1",
                    {nodeFinding(catalog::CheckId::SpnIpRule, "IPRuleMissing",
                                 "no rule 99: from all fwmark 0x26b7b4e4 lookup 649573604")},
                    at(1));
  auto status = reconcile(s, at(2)).status;
  const auto& datapath = cond(status, kCondDatapathProgrammed);
  EXPECT_EQ(datapath.status, ConditionStatus::False) << dump(status);
  EXPECT_EQ(datapath.reason, "IPRuleMissing");
  EXPECT_THAT(datapath.message, ::testing::HasSubstr("SPN-IP-RULE on node1"));
  EXPECT_EQ(cond(status, kCondHealthy).status, ConditionStatus::False);
  EXPECT_EQ(cond(status, kCondTunnelHealthy).status, ConditionStatus::True);
  ASSERT_EQ(status.failingChecks.size(), 1u);
  EXPECT_EQ(status.failingChecks[0].node, "node1");
  EXPECT_EQ(status.lastProbeTime, at(1));
}

TEST(StatusTest, HealthyReasonIsTheFirstFailingCheckInLayerOrder) {
  Scenario s = reportingSpidernet(at(0));
  setReportFindings(s, "node2",
                    {nodeFinding(catalog::CheckId::SpnTunnelPing, "TunnelPingFailed", "no reply"),
                     nodeFinding(catalog::CheckId::SpnSnatRule, "SNATRuleMissing", "no SNAT")},
                    at(1));
  auto status = reconcile(s, at(2)).status;
  EXPECT_EQ(cond(status, kCondHealthy).reason, "SNATRuleMissing") << dump(status);
  s.state.objects.daemonSets[0].status.numberReady = 1;
  status = reconcile(s, at(3)).status;
  EXPECT_EQ(cond(status, kCondHealthy).reason, "DaemonSetNotReady") << dump(status);
  EXPECT_EQ(status.failingChecks.size(), 3u);
  EXPECT_EQ(status.failingChecks[0].check, "CMP-SPN-AGENT");
}

TEST(StatusTest, ExpiredLeaseDropsCoverageAndNeverReportsHealthy) {
  Scenario s = reportingSpidernet(at(0));
  ASSERT_EQ(cond(reconcile(s, at(10), false).status, kCondHealthy).status, ConditionStatus::True);
  // node1's Lease (40 s) lapses at 40 s; its old report also carried a failure, which is
  // stale and ignored.
  s.state.objects.leases[1] = probeLease("node2", at(30));
  setReportFindings(s, "node1",
                    {nodeFinding(catalog::CheckId::SpnIpRule, "IPRuleMissing", "stale")}, at(0));
  auto status = reconcile(s, at(41), false).status;
  EXPECT_EQ(cond(status, kCondProbeCoverage).status, ConditionStatus::False) << dump(status);
  EXPECT_THAT(cond(status, kCondProbeCoverage).message, ::testing::HasSubstr("node1"));
  EXPECT_EQ(cond(status, kCondHealthy).status, ConditionStatus::Unknown);
  EXPECT_EQ(cond(status, kCondReady).status, ConditionStatus::False);
  EXPECT_EQ(status.nodes, "1/2");
  // The other node failing makes it False, never True.
  setReportFindings(s, "node2",
                    {nodeFinding(catalog::CheckId::SpnRoute, "RouteMissing", "no route")}, at(30));
  status = reconcile(s, at(42), false).status;
  EXPECT_EQ(cond(status, kCondHealthy).status, ConditionStatus::False);
  EXPECT_THAT(cond(status, kCondHealthy).message, ::testing::HasSubstr("node2"));
}

TEST(StatusTest, UnchangedInputsGiveAnEqualStatusAndNoEvents) {
  Scenario s = reportingSpidernet(at(0));
  auto first = reconcile(s, at(1));
  for (int t = 2; t < 30; t += 3) {
    auto again = reconcile(s, at(t));
    EXPECT_EQ(again.status, first.status) << "at " << t;
    EXPECT_TRUE(again.events.empty());
  }
}

TEST(StatusTest, TransitionTimeMovesOnlyWithStatus) {
  Scenario s = reportingSpidernet(at(0));
  reconcile(s, at(1));
  s.state.objects.egressTunnels[0].status.phase = "Init";
  auto status = reconcile(s, at(5)).status;
  EXPECT_EQ(cond(status, kCondControlPlaneReady).lastTransitionTime, at(5));
  EXPECT_EQ(cond(status, kCondComponentsReady).lastTransitionTime, at(1));
  // A different failure keeps the False condition's transition time.
  s.state.objects.egressTunnels[0].status.phase = "Ready";
  s.state.objects.egressPolicies[0].status.eipIPv4.clear();
  status = reconcile(s, at(9)).status;
  EXPECT_EQ(cond(status, kCondControlPlaneReady).reason, "PolicyEIPUnassigned");
  EXPECT_EQ(cond(status, kCondControlPlaneReady).lastTransitionTime, at(5));
  ASSERT_EQ(status.outages.size(), 1u);  // still the same outage
  EXPECT_FALSE(status.outages[0].end.has_value());
}

TEST(StatusTest, MissingTargetStallsAndRecovers) {
  Scenario s = reportingSpidernet(at(0));
  s.diagnosis.spec.targetRef.name = "nope";
  auto round = reconcile(s, at(1));
  EXPECT_EQ(cond(round.status, kCondStalled).status, ConditionStatus::True);
  EXPECT_EQ(cond(round.status, kCondStalled).reason, "TargetNotFound");
  EXPECT_THAT(cond(round.status, kCondStalled).message, ::testing::HasSubstr("default/nope"));
  EXPECT_EQ(cond(round.status, kCondHealthy).status, ConditionStatus::Unknown);
  EXPECT_EQ(cond(round.status, kCondReady).status, ConditionStatus::False);
  EXPECT_TRUE(round.events.empty());
  s.diagnosis.spec.targetRef.name = "test";
  s.diagnosis.metadata.generation = 2;
  round = reconcile(s, at(2));
  EXPECT_EQ(cond(round.status, kCondStalled).status, ConditionStatus::False);
  EXPECT_EQ(cond(round.status, kCondHealthy).status, ConditionStatus::True);
  EXPECT_EQ(round.status.observedGeneration, 2);
}

TEST(StatusTest, StallReasons) {
  struct Case {
    model::TargetRef ref;
    InstalledGroups installed;
    std::string reason;
  };
  const Case cases[] = {
      {{}, {true, true, false}, "TargetRefMissing"},
      {{"apps", "Deployment", "x", ""}, {true, true, false}, "UnsupportedTargetKind"},
      {{"", "EgressPolicy", "test", ""}, {false, true, false}, "TargetKindNotInstalled"},
      {{"", "StaticGatewayConfiguration", "aks-gw", ""},
       {true, false, false},
       "TargetKindNotInstalled"},
      {{"", "EgressPolicy", "test", "other"}, {true, true, false}, "TargetNotFound"},
  };
  for (const auto& c : cases) {
    Scenario s = healthySpidernet();
    s.state.installed = c.installed;
    s.diagnosis.spec.targetRef = c.ref;
    auto status = reconcile(s, at(0)).status;
    EXPECT_EQ(cond(status, kCondStalled).status, ConditionStatus::True) << c.reason;
    EXPECT_EQ(cond(status, kCondStalled).reason, c.reason);
  }
}

TEST(StatusTest, ReadinessPolicyHealthyGatesReady) {
  Scenario s = reportingSpidernet(at(0));
  s.diagnosis.spec.readinessPolicy = model::ReadinessPolicy::Healthy;
  EXPECT_EQ(cond(reconcile(s, at(1)).status, kCondReady).status, ConditionStatus::True);
  s.state.objects.egressPolicies[0].status.eipIPv4.clear();
  auto status = reconcile(s, at(2)).status;
  EXPECT_EQ(cond(status, kCondReady).status, ConditionStatus::False);
  EXPECT_EQ(cond(status, kCondReady).reason, "PolicyEIPUnassigned");
  // The default policy keeps Ready=True during an egress outage (GitOps waits pass).
  s.diagnosis.spec.readinessPolicy = model::ReadinessPolicy::Reconciled;
  EXPECT_EQ(cond(reconcile(s, at(3)).status, kCondReady).status, ConditionStatus::True);
}

TEST(StatusTest, RestartWithAnOpenOutageEmitsNothingNew) {
  Scenario s = reportingSpidernet(at(0));
  s.state.objects.egressPolicies[0].status.eipIPv4.clear();
  auto first = reconcile(s, at(1));
  ASSERT_EQ(first.events.size(), 1u);
  // A new leader reads the stored status and recomputes from the same cluster.
  Scenario restarted = s;
  auto second = reconcile(restarted, at(100));
  EXPECT_TRUE(second.events.empty());
  EXPECT_EQ(second.status, first.status);
}

TEST(StatusTest, OutageRingAndFailingChecksAreBounded) {
  Scenario s = reportingSpidernet(at(0));
  Scenario good = s;
  for (int i = 0; i < 25; ++i) {
    s.state.objects.egressPolicies[0].status.eipIPv4.clear();
    reconcile(s, at(10 * i + 1));
    s.state = good.state;
    reconcile(s, at(10 * i + 5));
  }
  ASSERT_EQ(s.diagnosis.status.outages.size(), model::kMaxOutages);
  EXPECT_EQ(s.diagnosis.status.outages.back().start, at(241));
  EXPECT_EQ(s.diagnosis.status.outages.front().start, at(51));

  std::vector<model::Finding> many;
  for (int i = 0; i < 80; ++i) {
    many.push_back(
        nodeFinding(catalog::CheckId::SpnIpsetSrc, "IPSetStale", "member " + std::to_string(i)));
  }
  setReportFindings(s, "node1", many, at(300));
  auto status = reconcile(s, at(301)).status;
  EXPECT_EQ(status.failingChecks.size(), model::kMaxFailingChecks);
  EXPECT_EQ(status.failingChecks[0].since, at(301));
  setReportFindings(s, "node1", {many[0]}, at(302));
  status = reconcile(s, at(303)).status;
  ASSERT_EQ(status.failingChecks.size(), 1u);
  EXPECT_EQ(status.failingChecks[0].since, at(301));  // kept across rounds
}

TEST(StatusTest, AzureCoverageIncludesNodesOfAnnotatedPods) {
  Scenario s = healthyAzure();
  addHealthyReports(s, {"gw-0"}, at(0));
  auto status = reconcile(s, at(1)).status;
  EXPECT_EQ(status.nodes, "1/2");
  EXPECT_THAT(cond(status, kCondProbeCoverage).message, ::testing::HasSubstr("worker-0"));
  addHealthyReports(s, {"worker-0"}, at(0));
  status = reconcile(s, at(2)).status;
  EXPECT_EQ(cond(status, kCondHealthy).status, ConditionStatus::True) << dump(status);
  EXPECT_EQ(status.egressIP, "20.1.2.0/31");
}

}  // namespace
}  // namespace egressdiag::controller
