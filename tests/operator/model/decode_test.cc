// Per-kind decoding of the corpus fixtures (the runbook seed values among them).
#include <gtest/gtest.h>

#include "tests/operator/model/fixtures.h"

namespace egressdiag::model {
namespace {

using testing::at;
using testing::loadFixture;

TEST(DecodeSpidernet, SeedPolicyTunnelsGateway) {
  ObjectSet set = loadFixture("spidernet_list.json");
  ASSERT_EQ(set.egressPolicies.size(), 1u);
  const EgressPolicy& policy = set.egressPolicies[0];
  EXPECT_EQ(policy.metadata.name, "test");
  EXPECT_EQ(policy.metadata.namespace_, "default");
  EXPECT_EQ(policy.metadata.generation, 1);
  EXPECT_EQ(policy.metadata.resourceVersion, "4711");
  EXPECT_EQ(policy.metadata.creationTimestamp, at("2024-03-01T08:00:00Z"));
  EXPECT_EQ(policy.spec.egressGatewayName, "default");
  EXPECT_EQ(policy.spec.destSubnet, std::vector<std::string>{"172.16.25.183/32"});
  EXPECT_EQ(policy.spec.egressIP.allocatorPolicy, "default");
  EXPECT_FALSE(policy.spec.egressIP.useNodeIP);
  ASSERT_TRUE(policy.spec.appliedTo.podSelector);
  EXPECT_EQ(policy.spec.appliedTo.podSelector->matchLabels, (StringMap{{"app", "visitor"}}));
  EXPECT_FALSE(policy.spec.appliedTo.namespaceSelector);
  EXPECT_EQ(policy.status.eipIPv4, "172.16.25.189");
  EXPECT_EQ(policy.status.eipIPv6, "");
  EXPECT_EQ(policy.status.node, "node2");

  struct TunnelCase {
    std::string node, mac, mark, ip, parent;
    std::uint32_t markValue;
  };
  const std::vector<TunnelCase> tunnels = {
      {"node1", "66:c5:d6:cc:29:54", "0x2698ee37", "192.200.142.89", "10.6.1.21", 0x2698ee37u},
      {"node2", "66:66:41:3e:23:6b", "0x26b7b4e4", "192.200.201.40", "10.6.1.22", 649573604u},
  };
  ASSERT_EQ(set.egressTunnels.size(), tunnels.size());
  for (std::size_t i = 0; i < tunnels.size(); ++i) {
    const EgressTunnel& tunnel = set.egressTunnels[i];
    EXPECT_EQ(tunnel.metadata.name, tunnels[i].node);
    EXPECT_EQ(tunnel.status.mac, tunnels[i].mac);
    EXPECT_EQ(tunnel.status.mark, tunnels[i].mark);
    EXPECT_EQ(tunnelMark(tunnel), tunnels[i].markValue);
    EXPECT_EQ(tunnel.status.tunnelIPv4, tunnels[i].ip);
    EXPECT_EQ(tunnel.status.parent.ipv4, tunnels[i].parent);
    EXPECT_EQ(tunnel.status.parent.name, "ens160");
    EXPECT_EQ(tunnel.status.phase, "Ready");
  }
  EXPECT_EQ(set.egressTunnels[0].status.lastHeartbeatTime, at("2024-03-01T08:10:00Z"));
  EXPECT_EQ(set.egressTunnels[1].status.lastHeartbeatTime, std::nullopt);
  EXPECT_EQ(set.egressTunnels[0].metadata.finalizers,
            std::vector<std::string>{"egressgateway.spidernet.io/egresstunnel"});

  ASSERT_EQ(set.egressGateways.size(), 1u);
  const EgressGateway& gateway = set.egressGateways[0];
  EXPECT_TRUE(gateway.spec.clusterDefault);
  EXPECT_EQ(gateway.spec.ippools.ipv4DefaultEIP, "172.16.25.189");
  ASSERT_TRUE(gateway.spec.nodeSelector);
  EXPECT_EQ(gateway.spec.nodeSelector->matchLabels, (StringMap{{"egress", "true"}}));
  EXPECT_EQ(gateway.status.ipv4Total, 6);
  EXPECT_EQ(gateway.status.ipv4Free, 5);
  ASSERT_EQ(gateway.status.nodeList.size(), 2u);
  EXPECT_EQ(gateway.status.nodeList[0].name, "node2");
  ASSERT_EQ(gateway.status.nodeList[0].eips.size(), 1u);
  EXPECT_EQ(gateway.status.nodeList[0].eips[0].ipv4, "172.16.25.189");
  EXPECT_EQ(gateway.status.nodeList[0].eips[0].policies,
            (std::vector<PolicyRef>{{"test", "default"}}));
  EXPECT_TRUE(gateway.status.nodeList[1].eips.empty());

  ASSERT_EQ(set.egressEndpointSlices.size(), 1u);
  const auto& slice = set.egressEndpointSlices[0];
  EXPECT_EQ(slice.metadata.labels.at(std::string(kPolicyNameLabel)), "test");
  ASSERT_EQ(slice.endpoints.size(), 1u);
  EXPECT_EQ(slice.endpoints[0].ns, "default");
  EXPECT_EQ(slice.endpoints[0].pod, "visitor-6d8f9c7b5-abcde");
  EXPECT_EQ(slice.endpoints[0].ipv4, std::vector<std::string>{"10.244.1.7"});
  EXPECT_EQ(slice.endpoints[0].node, "node1");

  ASSERT_EQ(set.egressClusterPolicies.size(), 1u);
  const auto& clusterPolicy = set.egressClusterPolicies[0];
  EXPECT_TRUE(clusterPolicy.spec.egressIP.useNodeIP);
  ASSERT_TRUE(clusterPolicy.spec.appliedTo.podSelector);
  ASSERT_EQ(clusterPolicy.spec.appliedTo.podSelector->matchExpressions.size(), 1u);
  EXPECT_EQ(clusterPolicy.spec.appliedTo.podSelector->matchExpressions[0],
            (LabelSelectorRequirement{"tier", SelectorOperator::In, {"web", "api"}}));
  ASSERT_TRUE(clusterPolicy.spec.appliedTo.namespaceSelector);
  EXPECT_EQ(clusterPolicy.status.node, "node1");
  EXPECT_EQ(clusterPolicy.status.eipIPv4, "");

  ASSERT_EQ(set.egressClusterInfos.size(), 1u);
  const auto& info = set.egressClusterInfos[0];
  EXPECT_EQ(info.spec.podCidrMode, "auto");
  EXPECT_TRUE(info.spec.clusterIP);
  EXPECT_EQ(info.status.podCidrMode, "calico");
  EXPECT_EQ(info.status.nodeIP.at("node2").ipv4, std::vector<std::string>{"10.6.1.22"});
  EXPECT_EQ(info.status.clusterIP.ipv4, std::vector<std::string>{"10.233.0.0/18"});
  EXPECT_EQ(info.status.podCIDR.at("default-ipv4-ippool").ipv4,
            std::vector<std::string>{"10.244.0.0/16"});
  EXPECT_EQ(set.ignoredItems, 0u);
}

TEST(DecodeSpidernet, ClusterInfoDefaultsWhenAbsent) {
  auto info = decodeJson<EgressClusterInfo>(R"({"metadata":{"name":"default"}})");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_TRUE(info->spec.clusterIP);
  EXPECT_TRUE(info->spec.nodeIP);
  auto off = decodeJson<EgressClusterInfo>(R"({"spec":{"autoDetect":{"nodeIP":false}}})");
  ASSERT_TRUE(off);
  EXPECT_FALSE(off->spec.nodeIP);
  EXPECT_TRUE(off->spec.clusterIP);
}

TEST(DecodeAzure, CurrentAndLegacyForms) {
  ObjectSet set = loadFixture("azure_list.json");
  ASSERT_EQ(set.staticGatewayConfigurations.size(), 2u);
  const auto& sgc = set.staticGatewayConfigurations[0];
  EXPECT_EQ(sgc.spec.gatewayNodepoolName, "gwpool");
  EXPECT_EQ(sgc.spec.defaultRoute, "staticEgressGateway");
  EXPECT_TRUE(sgc.spec.provisionPublicIps);
  EXPECT_EQ(sgc.spec.excludeCidrs, std::vector<std::string>{"10.0.0.0/8"});
  EXPECT_EQ(sgc.status.egressIpPrefix, "20.1.2.0/31");
  EXPECT_EQ(sgc.status.gatewayServerProfile.ip, "10.243.0.7");
  EXPECT_EQ(sgc.status.gatewayServerProfile.port, 6000);
  EXPECT_EQ(sgc.status.gatewayServerProfile.publicKey, "pubkeyAAA=");
  ASSERT_TRUE(sgc.status.gatewayServerProfile.privateKeySecretRef);
  EXPECT_EQ(sgc.status.gatewayServerProfile.privateKeySecretRef->name,
            "sgw-0b7a3e5c-1111-2222-3333-444455556666");
  EXPECT_EQ(sgc.status.gatewayServerProfile.privateKeySecretRef->namespace_,
            "kube-egress-gateway-system");
  EXPECT_FALSE(sgc.status.legacyProfileKeys);

  const auto& old = set.staticGatewayConfigurations[1];
  EXPECT_EQ(old.spec.gatewayVmssProfile, (GatewayVmssProfile{"rg", "gwvmss", 31}));
  EXPECT_FALSE(old.spec.provisionPublicIps);
  EXPECT_TRUE(old.status.legacyProfileKeys);
  EXPECT_EQ(old.status.gatewayServerProfile.ip, "10.243.0.8");
  EXPECT_EQ(old.status.gatewayServerProfile.port, 6001);
  EXPECT_EQ(old.status.gatewayServerProfile.publicKey, "oldpub=");
  ASSERT_TRUE(old.status.gatewayServerProfile.privateKeySecretRef);
  EXPECT_EQ(old.status.gatewayServerProfile.privateKeySecretRef->name, "oldgateway");

  ASSERT_EQ(set.gatewayLBConfigurations.size(), 1u);
  ASSERT_TRUE(set.gatewayLBConfigurations[0].status);
  EXPECT_EQ(*set.gatewayLBConfigurations[0].status,
            (GatewayLBConfigurationStatus{"10.243.0.7", 6000, "20.1.2.0/31"}));
  ASSERT_EQ(set.gatewayVMConfigurations.size(), 1u);
  ASSERT_TRUE(set.gatewayVMConfigurations[0].status);
  EXPECT_EQ(set.gatewayVMConfigurations[0].status->gatewayVMProfiles,
            (std::vector<GatewayVMProfile>{{"aks-gwpool-0", "10.243.0.4", "10.243.0.5"}}));
  EXPECT_TRUE(set.gatewayVMConfigurations[0].spec.provisionPublicIps);

  ASSERT_EQ(set.gatewayStatuses.size(), 2u);
  const auto& current = set.gatewayStatuses[0];
  EXPECT_EQ(current.layout, GatewayLayout::Current);
  EXPECT_EQ(current.readyGatewayConfigurations,
            (std::vector<ReadyGatewayConfiguration>{{"default/myegressgateway", "wg-6000", ""}}));
  EXPECT_EQ(current.readyPeerConfigurations,
            (std::vector<ReadyPeerConfiguration>{{"default/client", "wg-6000", "", "podpub="}}));
  const auto& legacy = set.gatewayStatuses[1];
  EXPECT_EQ(legacy.layout, GatewayLayout::Legacy);
  ASSERT_EQ(legacy.readyGatewayConfigurations.size(), 1u);
  EXPECT_EQ(legacy.readyGatewayConfigurations[0].netnsName,
            "gw-0b7a3e5c-1111-2222-3333-444455556666-10_243_0_7");
  EXPECT_EQ(legacy.readyGatewayConfigurations[0].interfaceName, "");

  ASSERT_EQ(set.podEndpoints.size(), 1u);
  EXPECT_EQ(set.podEndpoints[0].staticGatewayConfiguration, "myegressgateway");
  EXPECT_EQ(set.podEndpoints[0].podIpAddress, "10.244.2.9/32");
  EXPECT_EQ(set.podEndpoints[0].podPublicKey, "podpub=");

  ASSERT_EQ(set.secrets.size(), 1u);
  EXPECT_EQ(secretValue(set.secrets[0], "PrivateKey"), "hello wireguard");
}

TEST(DecodeAzure, AbsentStatusStaysAbsent) {
  auto lb = decodeJson<GatewayLBConfiguration>(R"({"spec":{},"status":null})");
  ASSERT_TRUE(lb);
  EXPECT_FALSE(lb->status);
  auto vm = decodeJson<GatewayVMConfiguration>(R"({"spec":{}})");
  ASSERT_TRUE(vm);
  EXPECT_FALSE(vm->status);
}

TEST(DecodeCore, PodsFromTypedList) {
  ObjectSet set = loadFixture("pod_list.json");
  ASSERT_EQ(set.pods.size(), 2u);
  const Pod& pod = set.pods[0];
  EXPECT_EQ(pod.metadata.labels, (StringMap{{"app", "visitor"}}));
  ASSERT_EQ(pod.metadata.ownerReferences.size(), 1u);
  EXPECT_EQ(pod.metadata.ownerReferences[0],
            (OwnerReference{"apps/v1", "ReplicaSet", "visitor-6d8f9c7b5", "u1", true}));
  EXPECT_EQ(pod.spec.nodeName, "node1");
  EXPECT_FALSE(pod.spec.hostNetwork);
  EXPECT_EQ(pod.status.phase, "Running");
  EXPECT_EQ(pod.status.hostIP, "10.6.1.21");
  EXPECT_EQ(pod.status.podIPs, (std::vector<std::string>{"10.244.1.7", "fd00:10:244::7"}));
  EXPECT_EQ(podIPv4(pod), "10.244.1.7");
  EXPECT_EQ(pod.status.containerStatuses, (std::vector<ContainerStatus>{{"curl", true, 3}}));
  const Pod& agent = set.pods[1];
  EXPECT_TRUE(agent.spec.hostNetwork);
  EXPECT_EQ(agent.status.phase, "Pending");
  EXPECT_TRUE(agent.status.podIPs.empty());
  EXPECT_EQ(podIPv4(agent), std::nullopt);
}

TEST(DecodeCore, NodeWorkloadsEventsLeaseFelix) {
  ObjectSet set = loadFixture("core_list.json");
  ASSERT_EQ(set.nodes.size(), 1u);
  const Node& node = set.nodes[0];
  EXPECT_EQ(nodeInternalIPv4(node), "10.6.1.21");
  EXPECT_EQ(nodeReady(node), ConditionStatus::True);
  EXPECT_EQ(node.spec.taints,
            (std::vector<Taint>{{"kubeegressgateway.azure.com/mode", "true", "NoSchedule"}}));
  EXPECT_EQ(node.spec.podCIDRs, std::vector<std::string>{"10.244.1.0/24"});
  const Condition* ready = findCondition(node.status.conditions, "Ready");
  ASSERT_NE(ready, nullptr);
  EXPECT_EQ(ready->reason, "KubeletReady");
  EXPECT_EQ(ready->lastTransitionTime, at("2024-03-01T07:00:00Z"));

  ASSERT_EQ(set.daemonSets.size(), 1u);
  const DaemonSet& ds = set.daemonSets[0];
  EXPECT_EQ(ds.status, (DaemonSetStatus{4, 3, 3, 3, 2, 2, 1, 0}));
  ASSERT_TRUE(ds.selector);
  EXPECT_TRUE(matches(*ds.selector, ds.podLabels));

  ASSERT_EQ(set.deployments.size(), 1u);
  const Deployment& deployment = set.deployments[0];
  EXPECT_EQ(deployment.replicas, 1);  // Kubernetes default when spec.replicas is absent
  EXPECT_EQ(deployment.status.replicas, 1);
  EXPECT_EQ(deployment.status.availableReplicas, 0);
  const Condition* available = findCondition(deployment.status.conditions, "Available");
  ASSERT_NE(available, nullptr);
  EXPECT_EQ(available->status, ConditionStatus::False);
  EXPECT_EQ(available->reason, "MinimumReplicasUnavailable");

  ASSERT_EQ(set.events.size(), 2u);
  const Event& core = set.events[0];
  EXPECT_EQ(core.regarding.kind, "StaticGatewayConfiguration");
  EXPECT_EQ(core.regarding.name, "myegressgateway");
  EXPECT_EQ(core.reason, "ReconcileError");
  EXPECT_EQ(core.type, "Warning");
  EXPECT_EQ(core.note, "failed to reconcile");
  EXPECT_EQ(core.count, 4);
  EXPECT_EQ(core.reportingController, "staticGatewayConfiguration-controller");
  EXPECT_EQ(core.lastSeen, at("2024-03-01T08:05:00Z"));
  const Event& modern = set.events[1];
  EXPECT_EQ(modern.regarding.name, "myegressgateway");
  EXPECT_EQ(modern.reason, "Reconciled");
  EXPECT_EQ(modern.note, "StaticGatewayConfiguration provisioned with egress prefix 20.1.2.0/31");
  EXPECT_EQ(modern.count, 2);
  EXPECT_EQ(modern.lastSeen, at("2024-03-01T08:07:00Z"));

  ASSERT_EQ(set.leases.size(), 1u);
  const Lease& lease = set.leases[0];
  EXPECT_EQ(lease.spec.holderIdentity, "node1");
  EXPECT_EQ(lease.spec.leaseDurationSeconds, 40);
  EXPECT_EQ(lease.spec.acquireTime, at("2024-03-01T08:00:00Z"));
  EXPECT_EQ(lease.spec.renewTime, at("2024-03-01T08:09:30.5Z"));
  EXPECT_EQ(lease.spec.leaseTransitions, 2);

  ASSERT_EQ(set.felixConfigurations.size(), 1u);
  EXPECT_EQ(set.felixConfigurations[0].chainInsertMode, "Append");
  ASSERT_EQ(set.namespaces.size(), 1u);
  EXPECT_EQ(set.namespaces[0].metadata.labels, (StringMap{{"egress", "on"}}));
}

TEST(DecodeCore, LeaseWithoutDuration) {
  auto lease = decodeJson<Lease>(R"({"kind":"Lease","apiVersion":"coordination.k8s.io/v1",
                                    "spec":{"holderIdentity":"x"}})");
  ASSERT_TRUE(lease) << lease.error().message;
  EXPECT_EQ(lease->spec.leaseDurationSeconds, std::nullopt);
  EXPECT_EQ(lease->spec.renewTime, std::nullopt);
}

TEST(DecodeOurs, DiagnosisAndNodeReport) {
  ObjectSet set = loadFixture("egressdiag_objects.json");
  ASSERT_EQ(set.egressDiagnoses.size(), 1u);
  const EgressDiagnosis& d = set.egressDiagnoses[0];
  EXPECT_EQ(d.spec.targetRef,
            (TargetRef{"egressgateway.spidernet.io", "EgressPolicy", "test", ""}));
  EXPECT_EQ(d.spec.interval, Duration(90000));
  ASSERT_TRUE(d.spec.probe);
  EXPECT_EQ(d.spec.probe->url, "http://172.16.25.183:8080/ip");
  EXPECT_EQ(d.spec.probe->timeout, Duration(2000));
  EXPECT_EQ(d.spec.probe->expectedSourceIPs, std::vector<std::string>{"172.16.25.189"});
  EXPECT_EQ(d.spec.readinessPolicy, ReadinessPolicy::Healthy);
  EXPECT_EQ(d.status.observedGeneration, 3);
  ASSERT_EQ(d.status.conditions.size(), 1u);
  EXPECT_EQ(d.status.conditions[0].observedGeneration, 3);
  EXPECT_EQ(d.status.conditions[0].reason, "IPRuleMissing");
  EXPECT_EQ(d.status.egressIP, "172.16.25.189");
  EXPECT_EQ(d.status.gatewayNode, "node2");
  EXPECT_EQ(d.status.nodes, "2/2");
  ASSERT_EQ(d.status.failingChecks.size(), 1u);
  EXPECT_EQ(d.status.failingChecks[0].since, at("2024-03-01T08:09:00Z"));
  ASSERT_EQ(d.status.outages.size(), 2u);
  EXPECT_EQ(d.status.outages[0].end, std::nullopt);
  EXPECT_EQ(d.status.outages[1].end, at("2024-02-01T00:05:00Z"));

  ASSERT_EQ(set.egressNodeReports.size(), 1u);
  const EgressNodeReport& r = set.egressNodeReports[0];
  EXPECT_EQ(r.nodeName, "node1");
  EXPECT_EQ(r.status.probeVersion, "0.1.0");
  EXPECT_EQ(r.status.lastProbeTime, at("2024-03-01T08:10:30Z"));
  EXPECT_EQ(r.status.snapshotDuration, Duration(42));
  EXPECT_EQ(r.status.counts, (CheckCounts{10, 1, 0, 1, 2}));
  ASSERT_EQ(r.status.targets.size(), 2u);
  EXPECT_EQ(r.status.targets[0].target,
            (TargetRef{"egressgateway.spidernet.io", "EgressPolicy", "test", "default"}));
  EXPECT_EQ(r.status.targets[1].target, TargetRef{});  // "Node/node1": node-wide
  ASSERT_EQ(r.status.targets[0].findings.size(), 1u);
  const Finding& f = r.status.targets[0].findings[0];
  EXPECT_EQ(f.check, "SPN-IP-RULE");
  EXPECT_EQ(f.target, r.status.targets[0].target);
  EXPECT_EQ(f.status, CheckStatus::Fail);
  EXPECT_EQ(f.evidence.size(), 2u);
  EXPECT_EQ(f.evidence[0], "0:\tfrom all lookup local");
  EXPECT_EQ(f.since, at("2024-03-01T08:09:00Z"));
  ASSERT_EQ(r.status.targets[1].findings.size(), 1u);
  EXPECT_EQ(r.status.targets[1].findings[0].status, CheckStatus::Unknown);
  EXPECT_EQ(r.status.targets[1].findings[0].since, std::nullopt);
}

// A node report is named after its Node; a name the API server would refuse is an error naming
// the field (found by model_decode_fuzzer: "a/b/c" did not read back once encoded).
TEST(DecodeOurs, NodeReportNameMustBeANodeName) {
  for (const char* name : {"node2", "aks-gw-0", "ip-10-0-0-1.ec2.internal", "a"}) {
    auto ok = decodeJson<EgressNodeReport>(std::string(R"({"metadata":{"name":")") + name +
                                           R"("},"status":{}})");
    EXPECT_TRUE(ok) << name << ": " << ok.error().message;
  }
  for (const char* name : {"a/b/c", "Node2", "-a", "a-", "a..b", ".a", "a_b", "n\u00e9"}) {
    auto bad = decodeJson<EgressNodeReport>(std::string(R"({"metadata":{"name":")") + name +
                                            R"("},"status":{}})");
    ASSERT_FALSE(bad) << name;
    EXPECT_NE(bad.error().message.find("metadata.name"), std::string::npos) << bad.error().message;
    EXPECT_NE(bad.error().message.find("not a Node name"), std::string::npos)
        << bad.error().message;
  }
  EXPECT_FALSE(isDnsSubdomain(std::string(254, 'a')));
  EXPECT_TRUE(isDnsSubdomain(std::string(253, 'a')));
  EXPECT_FALSE(isDnsSubdomain(""));
}

TEST(DecodeOurs, DiagnosisDefaults) {
  auto d = decodeJson<EgressDiagnosis>(R"({"spec":{"targetRef":{"kind":"EgressPolicy"}}})");
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->spec.interval, Duration(30000));
  EXPECT_EQ(d->spec.readinessPolicy, ReadinessPolicy::Reconciled);
  EXPECT_FALSE(d->spec.probe);
  EXPECT_TRUE(d->status.conditions.empty());
}

}  // namespace
}  // namespace egressdiag::model
