#include "operator/controller/control_plane.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "tests/operator/controller/fixtures.h"

namespace egressdiag::controller {
namespace {

using testing::healthyAzure;
using testing::healthySpidernet;
using testing::Scenario;

struct Fault {
  std::string name;
  std::function<void(Scenario&)> apply;
  std::string check;
  model::CheckStatus status;
  std::string reason;
  std::string node;  // "" = not node-specific
};

ControlPlaneResult run(const Scenario& s) {
  auto target = resolveTarget(s.state, s.diagnosis);
  EXPECT_TRUE(target.has_value()) << (target ? "" : target.error().message);
  return evaluateControlPlane(s.state, *target, testing::at(0));
}

const model::Finding* findingOf(const ControlPlaneResult& result, std::string_view check) {
  for (const auto& f : result.findings) {
    if (f.check == check) {
      return &f;
    }
  }
  return nullptr;
}

std::vector<const model::Finding*> notPassing(const ControlPlaneResult& result) {
  std::vector<const model::Finding*> out;
  for (const auto& f : result.findings) {
    if (f.status != model::CheckStatus::Pass && f.status != model::CheckStatus::Skipped) {
      out.push_back(&f);
    }
  }
  return out;
}

std::vector<const model::Finding*> failOrWarn(const ControlPlaneResult& result) {
  std::vector<const model::Finding*> out;
  for (const auto& f : result.findings) {
    if (f.status == model::CheckStatus::Fail || f.status == model::CheckStatus::Warn) {
      out.push_back(&f);
    }
  }
  return out;
}

std::string dump(const ControlPlaneResult& result) {
  std::string out;
  for (const auto& f : result.findings) {
    out += f.check + " " + std::string(model::toString(f.status)) + " " + f.node + " " + f.reason +
           ": " + f.message + "\n";
  }
  return out;
}

TEST(ControlPlaneTest, HealthySpidernetPassesEveryCheck) {
  auto result = run(healthySpidernet());
  EXPECT_TRUE(notPassing(result).empty()) << dump(result);
  std::vector<std::string> checks;
  for (const auto& f : result.findings) {
    checks.push_back(f.check);
    EXPECT_EQ(f.target.name, "test");
    EXPECT_FALSE(f.layer.empty());
  }
  EXPECT_THAT(checks, ::testing::ElementsAre(
                          "CMP-SPN-AGENT", "CMP-SPN-CONTROLLER", "INT-CALICO-INSERT", "SPN-GATEWAY",
                          "SPN-POLICY-STATUS", "SPN-TUNNELS", "SPN-ENDPOINTS", "SPN-CLUSTER-CIDR"));
  EXPECT_EQ(result.egressIP, "172.16.25.189");
  EXPECT_EQ(result.gatewayNode, "node2");
  EXPECT_THAT(result.expectedNodes, ::testing::ElementsAre("node1", "node2"));
}

TEST(ControlPlaneTest, HealthyAzurePassesEveryCheck) {
  auto result = run(healthyAzure());
  EXPECT_TRUE(notPassing(result).empty()) << dump(result);
  EXPECT_EQ(result.findings.size(), 9u) << dump(result);
  EXPECT_EQ(result.egressIP, "20.1.2.0/31");
  EXPECT_EQ(result.gatewayNode, "gw-0");
  // Gateway nodes and the nodes of annotated pods.
  EXPECT_THAT(result.expectedNodes, ::testing::ElementsAre("gw-0", "worker-0"));
}

class FaultTest : public ::testing::TestWithParam<Fault> {};

TEST_P(FaultTest, FlagsTheRightCheck) {
  const Fault& fault = GetParam();
  Scenario s = fault.check.starts_with("SPN") || fault.check.starts_with("CMP-SPN") ||
                       fault.check.starts_with("INT")
                   ? healthySpidernet()
                   : healthyAzure();
  fault.apply(s);
  auto result = run(s);
  auto bad = failOrWarn(result);
  ASSERT_EQ(bad.size(), 1u) << dump(result);
  EXPECT_EQ(bad[0]->check, fault.check);
  EXPECT_EQ(bad[0]->status, fault.status) << dump(result);
  EXPECT_EQ(bad[0]->reason, fault.reason) << dump(result);
  EXPECT_EQ(bad[0]->node, fault.node);
  EXPECT_FALSE(bad[0]->message.empty());
  if (fault.status == model::CheckStatus::Fail) {
    EXPECT_FALSE(bad[0]->remediation.empty());
  }
}

// Failover off (the chart default): an hour-old heartbeat is normal, and nothing is due later.
TEST(HeartbeatTest, FailoverOffIgnoresHeartbeats) {
  auto result = run(healthySpidernet());
  const auto* tunnels = findingOf(result, "SPN-TUNNELS");
  ASSERT_NE(tunnels, nullptr);
  EXPECT_EQ(tunnels->status, model::CheckStatus::Pass);
  EXPECT_NE(tunnels->message.find("heartbeats not checked (gatewayFailover off in "
                                  "kube-system/egressgateway)"),
            std::string::npos)
      << tunnels->message;
  EXPECT_FALSE(result.recheckAt.has_value());
}

// Failover on, heartbeats fresh: Pass, and a recheck when the oldest one would go stale
// (renewals are not routed to diagnoses, so nothing else would re-evaluate it).
TEST(HeartbeatTest, FreshHeartbeatsPassAndRecheckAtTheirDeadline) {
  Scenario s = healthySpidernet();
  s.state.objects.configMaps[0].data["conf.yml"] =
      testing::spidernetConf("  enable: true\n  eipEvictionTimeout: 15\n");
  s.state.objects.egressTunnels[0].status.lastHeartbeatTime = testing::at(-5);
  s.state.objects.egressTunnels[1].status.lastHeartbeatTime = testing::at(-2);
  auto result = run(s);
  const auto* tunnels = findingOf(result, "SPN-TUNNELS");
  ASSERT_NE(tunnels, nullptr);
  EXPECT_EQ(tunnels->status, model::CheckStatus::Pass) << dump(result);
  EXPECT_NE(tunnels->message.find("heartbeats within gatewayFailover.eipEvictionTimeout 15 s"),
            std::string::npos)
      << tunnels->message;
  EXPECT_EQ(result.recheckAt, testing::at(10));
}

// A stale heartbeat: Fail with its age and the timeout; while stale, recheck every
// tunnelMonitorPeriod (a renewal would not be routed here).
TEST(HeartbeatTest, StaleHeartbeatNamesAgeAndPollsAtMonitorPeriod) {
  Scenario s = healthySpidernet();
  s.state.objects.configMaps[0].data["conf.yml"] = testing::spidernetConf(
      "  eipEvictionTimeout: 15\n  enable: true\n  tunnelMonitorPeriod: 3\n");
  s.state.objects.egressTunnels[0].status.lastHeartbeatTime = testing::at(-42);
  s.state.objects.egressTunnels[1].status.lastHeartbeatTime = testing::at(-1);
  auto result = run(s);
  const auto* tunnels = findingOf(result, "SPN-TUNNELS");
  ASSERT_NE(tunnels, nullptr);
  EXPECT_EQ(tunnels->status, model::CheckStatus::Fail);
  EXPECT_EQ(tunnels->node, "node1");
  EXPECT_EQ(tunnels->message,
            "EgressTunnel node1: lastHeartbeatTime 2027-01-15T07:59:18Z is 42 s old, want within "
            "gatewayFailover.eipEvictionTimeout 15 s (failover on in kube-system/egressgateway)");
  EXPECT_EQ(result.recheckAt, testing::at(3));
}

// The ConfigMap in the agent's namespace wins over one elsewhere; a lone one anywhere is used.
TEST(HeartbeatTest, ConfigMapOfTheAgentNamespace) {
  Scenario s = healthySpidernet();
  model::ConfigMap elsewhere = s.state.objects.configMaps[0];
  elsewhere.metadata.namespace_ = "other";
  elsewhere.data["conf.yml"] = testing::spidernetConf("  enable: true\n");
  s.state.objects.configMaps.insert(s.state.objects.configMaps.begin(), elsewhere);
  auto preferred = run(s);
  EXPECT_EQ(findingOf(preferred, "SPN-TUNNELS")->status, model::CheckStatus::Pass)
      << dump(preferred);
  s.state.objects.configMaps.pop_back();  // only "other" (failover on, stale heartbeats) left
  auto lone = run(s);
  EXPECT_EQ(findingOf(lone, "SPN-TUNNELS")->reason, "TunnelHeartbeatStale") << dump(lone);
}

// A Secret the operator may not read is not a missing Secret: Unknown naming the API error.
TEST(AzureKeyTest, UnreadableSecretIsUnknownNotMissing) {
  Scenario s = healthyAzure();
  const auto& meta = s.state.objects.secrets[0].metadata;
  s.state.unreadableSecrets.emplace(
      meta.namespace_ + "/" + meta.name,
      Error{ErrorCode::PermissionDenied, "Forbidden (403): secrets is forbidden"});
  s.state.objects.secrets.clear();
  auto result = run(s);
  EXPECT_TRUE(failOrWarn(result).empty()) << dump(result);
  bool seen = false;
  for (const auto& f : result.findings) {
    if (f.check == "AKS-SGC-KEY") {
      seen = true;
      EXPECT_EQ(f.status, model::CheckStatus::Unknown);
      EXPECT_EQ(f.reason, "SecretForbidden");
      EXPECT_NE(f.message.find("Forbidden (403)"), std::string::npos) << f.message;
    }
  }
  EXPECT_TRUE(seen) << dump(result);
}

model::EgressPolicy& policy(Scenario& s) {
  return s.state.objects.egressPolicies[0];
}
model::EgressTunnel& tunnelOf(Scenario& s, std::size_t i) {
  return s.state.objects.egressTunnels[i];
}
model::StaticGatewayConfiguration& sgc(Scenario& s) {
  return s.state.objects.staticGatewayConfigurations[0];
}

// Replaces conf.yml's gatewayFailover block; the fixture's heartbeats are an hour old.
void failoverOn(Scenario& s, const std::string& block) {
  s.state.objects.configMaps[0].data["conf.yml"] = testing::spidernetConf(block);
  for (auto& t : s.state.objects.egressTunnels) {
    t.status.lastHeartbeatTime = testing::at(-1);
  }
}

using model::CheckStatus;

const Fault kFaults[] = {
    // Components.
    {"AgentNotReady", [](Scenario& s) { s.state.objects.daemonSets[0].status.numberReady = 1; },
     "CMP-SPN-AGENT", CheckStatus::Fail, "DaemonSetNotReady", ""},
    {"AgentMissing", [](Scenario& s) { s.state.objects.daemonSets.clear(); }, "CMP-SPN-AGENT",
     CheckStatus::Fail, "AgentNotFound", ""},
    {"AgentCrashLoop",
     [](Scenario& s) {
       s.state.objects.pods[1].status.containerStatuses = {{"agent", false, 7}};
     },
     "CMP-SPN-AGENT", CheckStatus::Fail, "ContainerCrashLooping", "node2"},
    {"ControllerUnavailable",
     [](Scenario& s) {
       s.state.objects.deployments[0].status.conditions[0].status = model::ConditionStatus::False;
     },
     "CMP-SPN-CONTROLLER", CheckStatus::Fail, "DeploymentUnavailable", ""},
    // Interference.
    {"CalicoInsert",
     [](Scenario& s) { s.state.objects.felixConfigurations[0].chainInsertMode = "Insert"; },
     "INT-CALICO-INSERT", CheckStatus::Fail, "CalicoChainInsertMode", ""},
    {"CalicoModeUnset",
     [](Scenario& s) { s.state.objects.felixConfigurations[0].chainInsertMode.clear(); },
     "INT-CALICO-INSERT", CheckStatus::Fail, "CalicoChainInsertMode", ""},
    {"CalicoNoDefault", [](Scenario& s) { s.state.objects.felixConfigurations.clear(); },
     "INT-CALICO-INSERT", CheckStatus::Warn, "FelixConfigurationMissing", ""},
    // Control plane.
    {"GatewayMissing", [](Scenario& s) { s.state.objects.egressGateways.clear(); }, "SPN-GATEWAY",
     CheckStatus::Fail, "GatewayNotFound", ""},
    {"GatewayNodeNotReady",
     [](Scenario& s) {
       s.state.objects.egressGateways[0].status.nodeList[1].status = "NodeNotReady";
     },
     "SPN-GATEWAY", CheckStatus::Fail, "GatewayNodeNotReady", "node2"},
    {"GatewayNodeNotListed",
     [](Scenario& s) { s.state.objects.egressGateways[0].status.nodeList.pop_back(); },
     "SPN-GATEWAY", CheckStatus::Fail, "GatewayNodeNotListed", "node2"},
    {"PolicyWithoutEIP", [](Scenario& s) { policy(s).status.eipIPv4.clear(); }, "SPN-POLICY-STATUS",
     CheckStatus::Fail, "PolicyEIPUnassigned", ""},
    {"PolicyEIPMismatch", [](Scenario& s) { policy(s).spec.egressIP.ipv4 = "172.16.25.190"; },
     "SPN-POLICY-STATUS", CheckStatus::Fail, "PolicyEIPMismatch", ""},
    {"TunnelNotReady", [](Scenario& s) { tunnelOf(s, 0).status.phase = "HeartbeatTimeout"; },
     "SPN-TUNNELS", CheckStatus::Fail, "TunnelNotReady", "node1"},
    {"TunnelBaseMark", [](Scenario& s) { tunnelOf(s, 1).status.mark = "0x26000000"; },
     "SPN-TUNNELS", CheckStatus::Fail, "TunnelMarkInvalid", "node2"},
    {"TunnelForeignMark", [](Scenario& s) { tunnelOf(s, 1).status.mark = "0x27b7b4e4"; },
     "SPN-TUNNELS", CheckStatus::Fail, "TunnelMarkInvalid", "node2"},
    {"TunnelBadMAC", [](Scenario& s) { tunnelOf(s, 0).status.mac = "66:00:00:00:00:01"; },
     "SPN-TUNNELS", CheckStatus::Fail, "TunnelMACMismatch", "node1"},
    {"TunnelNoParent", [](Scenario& s) { tunnelOf(s, 0).status.parent = {}; }, "SPN-TUNNELS",
     CheckStatus::Fail, "TunnelIncomplete", "node1"},
    {"NodeWithoutTunnel", [](Scenario& s) { s.state.objects.egressTunnels.pop_back(); },
     "SPN-TUNNELS", CheckStatus::Fail, "TunnelMissing", "node2"},
    // Failover on: heartbeats must be younger than eipEvictionTimeout (here at(0) is now).
    {"HeartbeatStale",
     [](Scenario& s) {
       failoverOn(s, "  enable: true\n  eipEvictionTimeout: 15\n");
       tunnelOf(s, 0).status.lastHeartbeatTime = testing::at(-16);
     },
     "SPN-TUNNELS", CheckStatus::Fail, "TunnelHeartbeatStale", "node1"},
    {"HeartbeatMissing",
     [](Scenario& s) {
       failoverOn(s, "  enable: true\n");
       tunnelOf(s, 1).status.lastHeartbeatTime.reset();
     },
     "SPN-TUNNELS", CheckStatus::Fail, "TunnelHeartbeatStale", "node2"},
    // No gatewayFailover key: spidernet's code default is on, so the default 15 s applies.
    {"HeartbeatStaleByDefault",
     [](Scenario& s) {
       s.state.objects.configMaps[0].data["conf.yml"] = "enableIPv4: true\n";
       tunnelOf(s, 0).status.lastHeartbeatTime = testing::at(-5);
       tunnelOf(s, 1).status.lastHeartbeatTime = testing::at(-20);
     },
     "SPN-TUNNELS", CheckStatus::Fail, "TunnelHeartbeatStale", "node2"},
    {"FailoverConfigMissing", [](Scenario& s) { s.state.objects.configMaps.clear(); },
     "SPN-TUNNELS", CheckStatus::Warn, "FailoverConfigMissing", ""},
    {"FailoverConfigWithoutKey", [](Scenario& s) { s.state.objects.configMaps[0].data.clear(); },
     "SPN-TUNNELS", CheckStatus::Warn, "FailoverConfigMissing", ""},
    {"FailoverConfigInvalid", [](Scenario& s) { failoverOn(s, "  enable: maybe\n"); },
     "SPN-TUNNELS", CheckStatus::Warn, "FailoverConfigInvalid", ""},
    {"EndpointMissingPod",
     [](Scenario& s) { s.state.objects.egressEndpointSlices[0].endpoints.pop_back(); },
     "SPN-ENDPOINTS", CheckStatus::Fail, "EndpointMissing", ""},
    {"EndpointStaleIP", [](Scenario& s) { s.state.objects.pods[3].status.podIP = "10.244.1.99"; },
     "SPN-ENDPOINTS", CheckStatus::Fail, "EndpointStale", ""},
    {"EndpointExtra", [](Scenario& s) { s.state.objects.pods[3].status.phase = "Succeeded"; },
     "SPN-ENDPOINTS", CheckStatus::Fail, "EndpointExtra", ""},
    {"ClusterInfoMissing",
     [](Scenario& s) {
       policy(s).spec.destSubnet.clear();
       s.state.objects.egressClusterInfos.clear();
     },
     "SPN-CLUSTER-CIDR", CheckStatus::Fail, "ClusterInfoMissing", ""},
    {"PodCIDRNotCovered",
     [](Scenario& s) {
       policy(s).spec.destSubnet.clear();
       s.state.objects.egressClusterInfos[0].status.podCIDR.clear();  // Flannel, #2086
     },
     "SPN-CLUSTER-CIDR", CheckStatus::Fail, "PodCIDRNotCovered", ""},
    {"NodeIPNotCovered",
     [](Scenario& s) {
       policy(s).spec.destSubnet.clear();
       s.state.objects.egressClusterInfos[0].status.nodeIP.erase("node2");
     },
     "SPN-CLUSTER-CIDR", CheckStatus::Fail, "NodeIPNotCovered", ""},
    {"ServiceCIDRMissing",
     [](Scenario& s) {
       policy(s).spec.destSubnet.clear();
       s.state.objects.egressClusterInfos[0].status.clusterIP = {};
     },
     "SPN-CLUSTER-CIDR", CheckStatus::Fail, "ServiceCIDRMissing", ""},
    // Azure components.
    {"AksControllerDown",
     [](Scenario& s) {
       s.state.objects.deployments[0].status.conditions[0].status = model::ConditionStatus::False;
     },
     "CMP-AKS-CONTROLLER", CheckStatus::Fail, "DeploymentUnavailable", ""},
    {"AksDaemonNotReady", [](Scenario& s) { s.state.objects.daemonSets[0].status.numberReady = 0; },
     "CMP-AKS-DAEMON", CheckStatus::Fail, "DaemonSetNotReady", ""},
    {"AksCniNotReadyTaint",
     [](Scenario& s) {
       s.state.objects.nodes[1].spec.taints = {
           {"egressgateway.kubernetes.azure.com/cni-not-ready", "true", "NoSchedule"}};
     },
     "CMP-AKS-CNIMGR", CheckStatus::Fail, "CNINotReadyTaint", "worker-0"},
    // Azure control plane.
    {"SgcWithoutPublicKey",
     [](Scenario& s) { sgc(s).status.gatewayServerProfile.publicKey.clear(); }, "AKS-SGC-STATUS",
     CheckStatus::Fail, "SGCStatusIncomplete", ""},
    {"SgcPortOutOfRange",
     [](Scenario& s) {
       sgc(s).status.gatewayServerProfile.port = 7000;
       s.state.objects.gatewayStatuses[0].readyGatewayConfigurations[0].interfaceName = "wg-7000";
     },
     "AKS-SGC-STATUS", CheckStatus::Fail, "SGCPortOutOfRange", ""},
    {"SgcWarningEvent",
     [](Scenario& s) {
       model::Event ok;
       ok.regarding = {"", "StaticGatewayConfiguration", "aks-gw", "default", "", ""};
       ok.type = "Normal";
       ok.reason = "Reconciled";
       ok.lastSeen = testing::at(10);
       model::Event bad = ok;
       bad.type = "Warning";
       bad.reason = "ReconcileError";
       bad.note = "failed to get vmss";
       bad.lastSeen = testing::at(20);
       s.state.objects.events = {ok, bad};
     },
     "AKS-SGC-STATUS", CheckStatus::Fail, "SGCReconcileError", ""},
    {"SgcKeyMismatch",
     [](Scenario& s) {
       s.state.objects.secrets[0].data["PrivateKey"] =
           "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQT0=";
     },
     "AKS-SGC-KEY", CheckStatus::Fail, "PublicKeyMismatch", ""},
    {"SgcSecretMissing", [](Scenario& s) { s.state.objects.secrets.clear(); }, "AKS-SGC-KEY",
     CheckStatus::Fail, "SecretNotFound", ""},
    {"SgcPrivateKeyMissing", [](Scenario& s) { s.state.objects.secrets[0].data.clear(); },
     "AKS-SGC-KEY", CheckStatus::Fail, "PrivateKeyMissing", ""},
    {"VmProfileMissing",
     [](Scenario& s) {
       s.state.objects.gatewayVMConfigurations[0].status->gatewayVMProfiles.clear();
     },
     "AKS-VMCONFIG", CheckStatus::Fail, "VMProfileMissing", "gw-0"},
    {"LbConfigMissing", [](Scenario& s) { s.state.objects.gatewayLBConfigurations.clear(); },
     "AKS-VMCONFIG", CheckStatus::Fail, "LBConfigMissing", ""},
    {"GatewayStatusMissingSgc",
     [](Scenario& s) { s.state.objects.gatewayStatuses[0].readyGatewayConfigurations.clear(); },
     "AKS-GWSTATUS", CheckStatus::Fail, "GatewayConfigurationNotReady", "gw-0"},
    {"GatewayStatusWrongInterface",
     [](Scenario& s) {
       s.state.objects.gatewayStatuses[0].readyGatewayConfigurations[0].interfaceName = "wg-6001";
     },
     "AKS-GWSTATUS", CheckStatus::Fail, "GatewayInterfaceMismatch", "gw-0"},
    {"AnnotatedPodWithoutPodEndpoint",
     [](Scenario& s) {
       s.state.objects.podEndpoints.clear();
       s.state.objects.gatewayStatuses[0].readyPeerConfigurations.clear();
     },
     "AKS-PODENDPOINT", CheckStatus::Fail, "PodEndpointMissing", "worker-0"},
    {"PodEndpointStale",
     [](Scenario& s) { s.state.objects.podEndpoints[0].podIpAddress = "10.244.3.8/32"; },
     "AKS-PODENDPOINT", CheckStatus::Fail, "PodEndpointStale", "worker-0"},
    {"PeerNotReady",
     [](Scenario& s) { s.state.objects.gatewayStatuses[0].readyPeerConfigurations.clear(); },
     "AKS-PEERS-READY", CheckStatus::Fail, "PeerNotReady", "gw-0"},
    {"PeerKeyMismatch",
     [](Scenario& s) {
       s.state.objects.gatewayStatuses[0].readyPeerConfigurations[0].publicKey = "b3RoZXI=";
     },
     "AKS-PEERS-READY", CheckStatus::Fail, "PeerKeyMismatch", "gw-0"},
};

INSTANTIATE_TEST_SUITE_P(Faults, FaultTest, ::testing::ValuesIn(kFaults),
                         [](const auto& param) { return param.param.name; });

TEST(ControlPlaneTest, CalicoAbsentPasses) {
  Scenario s = healthySpidernet();
  s.state.installed.calico = false;
  s.state.objects.felixConfigurations.clear();
  auto result = run(s);
  EXPECT_TRUE(notPassing(result).empty()) << dump(result);
}

TEST(ControlPlaneTest, UseNodeIPTakesTheNodeAddress) {
  Scenario s = healthySpidernet();
  policy(s).spec.egressIP.useNodeIP = true;
  policy(s).status.eipIPv4.clear();
  auto result = run(s);
  EXPECT_TRUE(notPassing(result).empty()) << dump(result);
  EXPECT_EQ(result.egressIP, "10.6.1.22");
}

TEST(ControlPlaneTest, DuplicateMarksNameBothNodes) {
  Scenario s = healthySpidernet();
  tunnelOf(s, 0).status.mark = "0x26b7b4e4";
  auto result = run(s);
  auto bad = notPassing(result);
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0]->reason, "TunnelMarkDuplicate");
  EXPECT_EQ(bad[0]->node, "node1");
  EXPECT_EQ(bad[1]->node, "node2");
}

TEST(ControlPlaneTest, ClusterPolicySelectsByNamespaceSelector) {
  Scenario s = healthySpidernet();
  model::EgressClusterPolicy cluster;
  cluster.metadata.name = "all";
  cluster.spec = policy(s).spec;
  cluster.spec.appliedTo.namespaceSelector =
      model::LabelSelector{{{"kubernetes.io/metadata.name", "default"}}, {}};
  cluster.status = policy(s).status;
  s.state.objects.egressClusterPolicies = {cluster};
  model::EgressClusterEndpointSlice slice;
  slice.metadata.name = "all-x";
  slice.metadata.labels = {{"spidernet.io/policy-name", "all"}};
  slice.endpoints = s.state.objects.egressEndpointSlices[0].endpoints;
  s.state.objects.egressClusterEndpointSlices = {slice};
  s.diagnosis.spec.targetRef = {"", "EgressClusterPolicy", "all", ""};
  auto result = run(s);
  EXPECT_TRUE(notPassing(result).empty()) << dump(result);
  s.state.objects.egressClusterEndpointSlices.clear();
  auto broken = run(s);
  auto bad = notPassing(broken);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0]->reason, "EndpointMissing");
  EXPECT_EQ(bad[0]->evidence.size(), 2u);
}

TEST(ControlPlaneTest, LegacyGatewayStatusUsesNetnsName) {
  Scenario s = healthyAzure();
  auto& gs = s.state.objects.gatewayStatuses[0];
  gs.layout = model::GatewayLayout::Legacy;
  gs.readyGatewayConfigurations = {{"default/aks-gw", "", "gw-6a1b2c3d-10_224_0_10"}};
  EXPECT_TRUE(notPassing(run(s)).empty()) << dump(run(s));
  gs.readyGatewayConfigurations[0].netnsName = "gw-other-10_224_0_10";
  auto result = run(s);
  auto bad = notPassing(result);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0]->reason, "GatewayInterfaceMismatch");
}

TEST(ControlPlaneTest, SortFindingsOrdersByLayerThenCatalog) {
  model::TargetRef t;
  std::vector<model::Finding> findings = {
      makeFinding(catalog::CheckId::E2eSourceIp, model::CheckStatus::Fail, t, "a", "X", ""),
      makeFinding(catalog::CheckId::SpnVxlan, model::CheckStatus::Fail, t, "b", "X", ""),
      makeFinding(catalog::CheckId::SpnIpRule, model::CheckStatus::Fail, t, "b", "X", ""),
      makeFinding(catalog::CheckId::SpnIpsetSrc, model::CheckStatus::Fail, t, "c", "X", ""),
      makeFinding(catalog::CheckId::SpnIpsetSrc, model::CheckStatus::Fail, t, "a", "X", ""),
      makeFinding(catalog::CheckId::CmpSpnAgent, model::CheckStatus::Fail, t, "", "X", ""),
  };
  sortFindings(findings);
  std::vector<std::string> order;
  for (const auto& f : findings) {
    order.push_back(f.check + "@" + f.node);
  }
  EXPECT_THAT(order, ::testing::ElementsAre("CMP-SPN-AGENT@", "SPN-IPSET-SRC@a", "SPN-IPSET-SRC@c",
                                            "SPN-IP-RULE@b", "SPN-VXLAN@b", "E2E-SOURCE-IP@a"));
}

}  // namespace
}  // namespace egressdiag::controller
