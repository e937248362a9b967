// Control-plane checks of a spidernet EgressPolicy / EgressClusterPolicy (design/checks.md:
// CMP-SPN-*, INT-CALICO-INSERT, SPN-GATEWAY, SPN-POLICY-STATUS, SPN-TUNNELS, SPN-ENDPOINTS,
// SPN-CLUSTER-CIDR). Facts from reference/spidernet.md §1-§4.

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "operator/controller/check_support.h"
#include "operator/controller/crypto.h"
#include "operator/controller/net.h"
#include "operator/model/spidernet_config.h"

namespace egressdiag::controller::detail {
namespace {

using catalog::CheckId;
using model::CheckStatus;

constexpr std::string_view kComponentLabel = "app.kubernetes.io/component";
constexpr std::string_view kPhaseReady = "Ready";
constexpr std::uint32_t kBaseMark = 0x26000000;

std::string policyName(const PolicyTarget& policy) {
  return policy.clusterScoped ? policy.metadata->name
                              : policy.metadata->namespace_ + "/" + policy.metadata->name;
}

const model::EgressGateway* findGateway(const model::ObjectSet& objects, std::string_view name) {
  auto it = std::ranges::find_if(objects.egressGateways, [&](const model::EgressGateway& gw) {
    return gw.metadata.name == name;
  });
  return it == objects.egressGateways.end() ? nullptr : &*it;
}

void checkComponents(const ClusterState& state, const Target& target,
                     std::vector<model::Finding>& out) {
  Issues agent(CheckId::CmpSpnAgent, target.ref);
  auto daemonSets =
      findDaemonSets(state.objects, kComponentLabel, "egressgateway-agent", "egressgateway-agent");
  if (daemonSets.empty()) {
    agent.add("", "AgentNotFound",
              "no DaemonSet egressgateway-agent (pod label " + std::string(kComponentLabel) +
                  "=egressgateway-agent) in any namespace");
  }
  for (const auto* ds : daemonSets) {
    checkDaemonSet(state.objects, *ds, "agent", agent);
  }
  agent.emit(out, "AgentReady", "egressgateway-agent is ready on every scheduled node");

  Issues controller(CheckId::CmpSpnController, target.ref);
  auto deployments = findDeployments(state.objects, kComponentLabel, "egressgateway-controller",
                                     "egressgateway-controller");
  if (deployments.empty()) {
    controller.add("", "ControllerNotFound",
                   "no Deployment egressgateway-controller (pod label " +
                       std::string(kComponentLabel) + "=egressgateway-controller)");
  }
  for (const auto* deployment : deployments) {
    checkDeployment(*deployment, "controller", controller);
  }
  controller.emit(out, "ControllerAvailable", "egressgateway-controller is available");
}

void checkCalico(const ClusterState& state, const Target& target,
                 std::vector<model::Finding>& out) {
  Issues issues(CheckId::IntCalicoInsert, target.ref);
  if (!state.installed.calico) {
    issues.emit(out, "CalicoAbsent", "Calico (crd.projectcalico.org) is not installed");
    return;
  }
  auto it = std::ranges::find_if(state.objects.felixConfigurations,
                                 [](const auto& fc) { return fc.metadata.name == "default"; });
  if (it == state.objects.felixConfigurations.end()) {
    issues.add("", "FelixConfigurationMissing",
               "Calico is installed but FelixConfiguration default does not exist; Felix then "
               "inserts its chains first (chainInsertMode Insert)",
               CheckStatus::Warn);
  } else if (it->chainInsertMode != "Append") {
    std::string mode = it->chainInsertMode.empty() ? "unset (Insert)" : it->chainInsertMode;
    issues.add("", "CalicoChainInsertMode",
               "FelixConfiguration default has chainInsertMode " + mode +
                   ", want Append: Calico's rules run before the egress gateway's");
  }
  issues.emit(out, "CalicoAppends", "FelixConfiguration default has chainInsertMode Append");
}

void checkPolicyStatus(const PolicyTarget& policy, const model::EgressGateway* gateway,
                       const Target& target, std::vector<model::Finding>& out) {
  Issues issues(CheckId::SpnPolicyStatus, target.ref);
  const auto& spec = *policy.spec;
  const auto& status = *policy.status;
  std::string name = policyName(policy);
  if (status.node.empty()) {
    issues.add("", "PolicyNodeUnassigned", "policy " + name + " has no status.node");
  }
  if (!spec.egressIP.useNodeIP) {
    bool gatewayV6Only = gateway != nullptr && gateway->spec.ippools.ipv4.empty() &&
                         !gateway->spec.ippools.ipv6.empty();
    bool needV4 = !spec.egressIP.ipv4.empty() || !gatewayV6Only;
    bool needV6 =
        !spec.egressIP.ipv6.empty() || (gateway != nullptr && !gateway->spec.ippools.ipv6.empty());
    if (needV4 && status.eipIPv4.empty()) {
      issues.add("", "PolicyEIPUnassigned", "policy " + name + " has no status.eip.ipv4");
    } else if (!spec.egressIP.ipv4.empty() && status.eipIPv4 != spec.egressIP.ipv4) {
      issues.add("", "PolicyEIPMismatch",
                 "policy " + name + " asks for EIP " + spec.egressIP.ipv4 + " but status has " +
                     status.eipIPv4);
    }
    if (needV6 && status.eipIPv6.empty()) {
      issues.add("", "PolicyEIPUnassigned", "policy " + name + " has no status.eip.ipv6");
    }
  }
  issues.emit(out, "PolicyAssigned",
              "policy " + name + " is assigned to node " + status.node +
                  (spec.egressIP.useNodeIP ? " (node IP)" : " with EIP " + status.eipIPv4));
}

void checkGateway(const PolicyTarget& policy, const model::EgressGateway* gateway,
                  const Target& target, std::vector<model::Finding>& out) {
  Issues issues(CheckId::SpnGateway, target.ref);
  const std::string& gatewayName = policy.spec->egressGatewayName;
  const std::string& node = policy.status->node;
  if (gatewayName.empty()) {
    issues.add("", "GatewayNameMissing",
               "policy " + policyName(policy) + " has no spec.egressGatewayName");
  } else if (gateway == nullptr) {
    issues.add("", "GatewayNotFound", "EgressGateway " + gatewayName + " does not exist");
  } else if (node.empty()) {
    issues.add("", "PolicyNodeUnassigned",
               "policy " + policyName(policy) + " has no status.node to look up in EgressGateway " +
                   gatewayName,
               CheckStatus::Unknown);
  } else {
    const auto& nodes = gateway->status.nodeList;
    auto it = std::ranges::find_if(nodes, [&](const auto& entry) { return entry.name == node; });
    if (it == nodes.end()) {
      issues.add(node, "GatewayNodeNotListed",
                 "EgressGateway " + gatewayName + " status.nodeList does not list node " + node);
    } else if (it->status != kPhaseReady) {
      issues.add(node, "GatewayNodeNotReady",
                 "EgressGateway " + gatewayName + " lists node " + node + " as " +
                     (it->status.empty() ? std::string("(empty)") : it->status) + ", want Ready");
    }
  }
  issues.emit(out, "GatewayNodeReady",
              "EgressGateway " + gatewayName + " lists node " + node + " as Ready");
}

// The gatewayFailover spidernet runs with, from its ConfigMap in the agent's namespace.
struct FailoverSetting {
  std::optional<model::GatewayFailover> failover;  // nullopt: unknown, see reason/problem
  std::string source;                              // "ns/name" of the ConfigMap
  std::string reason;
  std::string problem;
};

FailoverSetting failoverSetting(const ClusterState& state) {
  auto agents =
      findDaemonSets(state.objects, kComponentLabel, "egressgateway-agent", "egressgateway-agent");
  std::string agentNamespace = agents.empty() ? "" : agents.front()->metadata.namespace_;
  const model::ConfigMap* config =
      model::findSpidernetConfig(state.objects.configMaps, agentNamespace);
  FailoverSetting setting;
  if (config == nullptr) {
    setting.reason = "FailoverConfigMissing";
    setting.problem = "no ConfigMap " + std::string(model::kSpidernetConfigMapName) +
                      (agentNamespace.empty() ? std::string(" (agent namespace unknown)")
                                              : " in namespace " + agentNamespace) +
                      ": whether gatewayFailover (and so the tunnel heartbeat) is on is unknown";
    return setting;
  }
  setting.source = config->metadata.namespace_ + "/" + config->metadata.name;
  auto text = config->data.find(std::string(model::kSpidernetConfigKey));
  if (text == config->data.end()) {
    setting.reason = "FailoverConfigMissing";
    setting.problem = "ConfigMap " + setting.source + " has no key " +
                      std::string(model::kSpidernetConfigKey) +
                      ": whether gatewayFailover is on is unknown";
    return setting;
  }
  auto failover = model::parseGatewayFailover(text->second);
  if (!failover) {
    setting.reason = "FailoverConfigInvalid";
    setting.problem = "ConfigMap " + setting.source + " " +
                      std::string(model::kSpidernetConfigKey) + ": " + failover.error().message;
    return setting;
  }
  setting.failover = *failover;
  return setting;
}

std::string secondsText(std::chrono::microseconds d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

// With failover on, the agent renews status.lastHeartbeatTime every tunnelUpdatePeriod and the
// controller evicts a tunnel whose heartbeat is older than eipEvictionTimeout: a stale heartbeat
// is a dead or stuck agent (and, if the phase is still Ready, a controller that is not
// watching). With failover off the heartbeat is never renewed, which is normal
// (reference/spidernet.md §4.1). Returns when a verdict may change with no object changing.
std::optional<model::Time> checkHeartbeats(const ClusterState& state, model::Time now,
                                           Issues& issues, std::string& note) {
  FailoverSetting setting = failoverSetting(state);
  if (!setting.failover) {
    issues.add("", setting.reason, setting.problem, CheckStatus::Warn);
    return std::nullopt;
  }
  const model::GatewayFailover& failover = *setting.failover;
  if (!failover.enabled) {
    note = "; heartbeats not checked (gatewayFailover off in " + setting.source + ")";
    return std::nullopt;
  }
  auto timeout = std::chrono::microseconds(std::chrono::seconds(failover.eipEvictionTimeout));
  note = "; heartbeats within gatewayFailover.eipEvictionTimeout " + secondsText(timeout) + " (" +
         setting.source + ")";
  std::optional<model::Time> recheck;
  auto sooner = [&](model::Time at) { recheck = recheck ? std::min(*recheck, at) : at; };
  for (const auto& tunnel : state.objects.egressTunnels) {
    const std::string& node = tunnel.metadata.name;
    const auto& last = tunnel.status.lastHeartbeatTime;
    if (last && now - *last <= timeout) {
      sooner(*last + timeout);
      continue;
    }
    // Heartbeat renewals are not routed to diagnoses (routing.h): poll while one is stale.
    sooner(now + std::chrono::seconds(failover.tunnelMonitorPeriod));
    issues.add(node, "TunnelHeartbeatStale",
               "EgressTunnel " + node + ": " +
                   (last ? "lastHeartbeatTime " + model::formatTime(*last) + " is " +
                               secondsText(now - *last) + " old"
                         : std::string("no status.lastHeartbeatTime")) +
                   ", want within gatewayFailover.eipEvictionTimeout " + secondsText(timeout) +
                   " (failover on in " + setting.source + ")");
  }
  return recheck;
}

std::optional<model::Time> checkTunnels(const ClusterState& state, const Target& target,
                                        model::Time now, std::vector<model::Finding>& out) {
  static const std::regex kMarkPattern("^0x26[0-9a-f]{6}$");
  Issues issues(CheckId::SpnTunnels, target.ref);
  const auto& tunnels = state.objects.egressTunnels;
  std::map<std::string, std::vector<std::string>> nodesByMark;
  for (const auto& tunnel : tunnels) {
    if (!tunnel.status.mark.empty()) {
      nodesByMark[tunnel.status.mark].push_back(tunnel.metadata.name);
    }
  }
  std::set<std::string> tunnelNames;
  for (const auto& tunnel : tunnels) {
    const std::string& node = tunnel.metadata.name;
    const auto& st = tunnel.status;
    tunnelNames.insert(node);
    std::string prefix = "EgressTunnel " + node + ": ";
    if (st.phase != kPhaseReady) {
      issues.add(node, "TunnelNotReady",
                 prefix + "phase " + (st.phase.empty() ? std::string("(empty)") : st.phase) +
                     ", want Ready");
    }
    auto mark = model::tunnelMark(tunnel);
    if (!std::regex_match(st.mark, kMarkPattern) || !mark || *mark == kBaseMark) {
      issues.add(node, "TunnelMarkInvalid",
                 prefix + "mark " + (st.mark.empty() ? std::string("(empty)") : st.mark) +
                     " is not a node mark 0x26xxxxxx other than 0x26000000");
    } else if (nodesByMark[st.mark].size() > 1) {
      std::string others;
      for (const auto& other : nodesByMark[st.mark]) {
        others += (others.empty() ? "" : ",") + other;
      }
      issues.add(node, "TunnelMarkDuplicate",
                 prefix + "mark " + st.mark + " is shared by nodes " + others);
    }
    std::string wantMac = spidernetTunnelMac(node);
    if (st.mac != wantMac) {
      issues.add(node, "TunnelMACMismatch",
                 prefix + "MAC " + (st.mac.empty() ? std::string("(empty)") : st.mac) + ", want " +
                     wantMac);
    }
    if (st.tunnelIPv4.empty() && st.tunnelIPv6.empty()) {
      issues.add(node, "TunnelIncomplete", prefix + "no tunnel IP");
    }
    if (st.parent.name.empty() || (st.parent.ipv4.empty() && st.parent.ipv6.empty())) {
      issues.add(node, "TunnelIncomplete", prefix + "no parent interface or parent IP");
    }
  }
  for (const auto& node : state.objects.nodes) {
    if (!tunnelNames.contains(node.metadata.name)) {
      issues.add(node.metadata.name, "TunnelMissing",
                 "node " + node.metadata.name + " has no EgressTunnel");
    }
  }
  if (tunnels.empty() && state.objects.nodes.empty()) {
    issues.add("", "TunnelMissing", "there is no EgressTunnel");
  }
  std::string heartbeatNote;
  auto recheck = checkHeartbeats(state, now, issues, heartbeatNote);
  issues.emit(out, "TunnelsReady",
              std::to_string(tunnels.size()) + " EgressTunnels Ready with valid marks and MACs" +
                  heartbeatNote);
  return recheck;
}

// Pods the policy selects that spidernet should list: Running, not being deleted, with an IP.
std::vector<const model::Pod*> selectedPods(const model::ObjectSet& objects,
                                            const PolicyTarget& policy) {
  std::vector<const model::Pod*> out;
  const auto& appliedTo = policy.spec->appliedTo;
  if (!appliedTo.podSelector) {
    return out;
  }
  std::map<std::string, bool> namespaceMatch;
  for (const auto& pod : objects.pods) {
    const std::string& ns = pod.metadata.namespace_;
    if (policy.clusterScoped) {
      if (appliedTo.namespaceSelector) {
        auto [it, inserted] = namespaceMatch.try_emplace(ns, false);
        if (inserted) {
          it->second =
              model::matches(*appliedTo.namespaceSelector, namespaceLabels(objects.namespaces, ns));
        }
        if (!it->second) {
          continue;
        }
      }
    } else if (ns != policy.metadata->namespace_) {
      continue;
    }
    if (pod.status.phase != "Running" || pod.metadata.deletionTimestamp || !model::podIPv4(pod) ||
        !model::matches(*appliedTo.podSelector, pod.metadata.labels)) {
      continue;
    }
    out.push_back(&pod);
  }
  return out;
}

void checkEndpoints(const ClusterState& state, const PolicyTarget& policy, const Target& target,
                    std::vector<model::Finding>& out) {
  Issues issues(CheckId::SpnEndpoints, target.ref);
  const auto& objects = state.objects;
  const std::string& name = policy.metadata->name;
  auto labelled = [&](const model::ObjectMeta& meta) {
    auto it = meta.labels.find(std::string(model::kPolicyNameLabel));
    return it != meta.labels.end() && it->second == name;
  };
  std::map<std::string, const model::EgressEndpoint*> listed;  // "ns/pod"
  auto collect = [&](const auto& slices, bool namespaced) {
    for (const auto& slice : slices) {
      if (!labelled(slice.metadata) ||
          (namespaced && slice.metadata.namespace_ != policy.metadata->namespace_)) {
        continue;
      }
      for (const auto& endpoint : slice.endpoints) {
        listed[endpoint.ns + "/" + endpoint.pod] = &endpoint;
      }
    }
  };
  if (policy.clusterScoped) {
    collect(objects.egressClusterEndpointSlices, false);
  } else {
    collect(objects.egressEndpointSlices, true);
  }
  auto pods = selectedPods(objects, policy);
  std::set<std::string> selected;
  for (const auto* pod : pods) {
    std::string podKey = pod->metadata.namespace_ + "/" + pod->metadata.name;
    selected.insert(podKey);
    std::string ip = *model::podIPv4(*pod);
    auto it = listed.find(podKey);
    if (it == listed.end()) {
      issues.add("", "EndpointMissing",
                 "pod " + podKey + " (" + ip + " on " + pod->spec.nodeName +
                     ") is selected but not in any EgressEndpointSlice");
      continue;
    }
    const auto& endpoint = *it->second;
    bool ipListed = std::ranges::find(endpoint.ipv4, ip) != endpoint.ipv4.end();
    if (!ipListed || endpoint.node != pod->spec.nodeName) {
      std::string listedIp = endpoint.ipv4.empty() ? "(none)" : endpoint.ipv4.front();
      issues.add("", "EndpointStale",
                 "pod " + podKey + " is listed with " + listedIp + " on " + endpoint.node +
                     ", actual " + ip + " on " + pod->spec.nodeName);
    }
  }
  for (const auto& [podKey, endpoint] : listed) {
    if (!selected.contains(podKey)) {
      issues.add("", "EndpointExtra",
                 "EgressEndpointSlice lists pod " + podKey +
                     " which is not a running pod selected by the policy");
    }
  }
  issues.emit(out, "EndpointsCurrent",
              "EgressEndpointSlices list exactly the " + std::to_string(pods.size()) +
                  " selected running pods");
}

bool coveredBy(const std::string& cidr, const std::vector<Ipv4Prefix>& covering) {
  auto inner = parseIpv4Prefix(cidr);
  if (!inner) {
    return true;  // IPv6 or malformed: not this check's business
  }
  return std::ranges::any_of(covering,
                             [&](const Ipv4Prefix& outer) { return covers(outer, *inner); });
}

void checkClusterCidr(const ClusterState& state, const PolicyTarget& policy, const Target& target,
                      std::vector<model::Finding>& out) {
  Issues issues(CheckId::SpnClusterCidr, target.ref);
  if (!policy.spec->destSubnet.empty()) {
    out.push_back(makeFinding(CheckId::SpnClusterCidr, CheckStatus::Skipped, target.ref, "",
                              "DestSubnetSet",
                              "the policy has destSubnet; the cluster CIDR set is not used"));
    return;
  }
  const auto& infos = state.objects.egressClusterInfos;
  auto info =
      std::ranges::find_if(infos, [](const auto& i) { return i.metadata.name == "default"; });
  if (info == infos.end()) {
    issues.add("", "ClusterInfoMissing",
               "EgressClusterInfo default does not exist; policies without destSubnet cannot "
               "exclude cluster traffic");
    issues.emit(out, "", "");
    return;
  }
  const auto& st = info->status;
  std::vector<Ipv4Prefix> podCovering;
  for (const auto& [pool, lists] : st.podCIDR) {
    for (const auto& cidr : lists.ipv4) {
      if (auto prefix = parseIpv4Prefix(cidr)) {
        podCovering.push_back(*prefix);
      }
    }
  }
  for (const auto* extras : {&st.extraCidr, &info->spec.extraCidr}) {
    for (const auto& cidr : *extras) {
      if (auto prefix = parseIpv4Prefix(cidr)) {
        podCovering.push_back(*prefix);
      }
    }
  }
  for (const auto& node : state.objects.nodes) {
    const std::string& nodeName = node.metadata.name;
    if (info->spec.nodeIP) {
      auto ip = model::nodeInternalIPv4(node);
      auto listed = st.nodeIP.find(nodeName);
      bool ok = !ip || (listed != st.nodeIP.end() &&
                        std::ranges::find(listed->second.ipv4, *ip) != listed->second.ipv4.end());
      if (!ok) {
        issues.add("", "NodeIPNotCovered",
                   "EgressClusterInfo default status.nodeIP lacks node " + nodeName + " " + *ip);
      }
    }
    for (const auto& cidr : node.spec.podCIDRs) {
      if (!coveredBy(cidr, podCovering)) {
        issues.add("", "PodCIDRNotCovered",
                   "pod CIDR " + cidr + " of node " + nodeName +
                       " is in neither status.podCIDR nor extraCidr of EgressClusterInfo "
                       "default (podCidrMode " +
                       st.podCidrMode + ")");
      }
    }
  }
  if (info->spec.clusterIP && st.clusterIP.ipv4.empty() && st.clusterIP.ipv6.empty()) {
    issues.add("", "ServiceCIDRMissing",
               "EgressClusterInfo default has no status.clusterIP (service CIDR not detected)");
  }
  issues.emit(out, "ClusterCIDRCovered",
              "EgressClusterInfo default covers node IPs, pod CIDRs and the service CIDR");
}

}  // namespace

std::optional<model::Time> checkSpidernet(const ClusterState& state, const Target& target,
                                          const PolicyTarget& policy, model::Time now,
                                          std::vector<model::Finding>& out) {
  const model::EgressGateway* gateway = findGateway(state.objects, policy.spec->egressGatewayName);
  checkComponents(state, target, out);
  checkCalico(state, target, out);
  checkGateway(policy, gateway, target, out);
  checkPolicyStatus(policy, gateway, target, out);
  auto recheck = checkTunnels(state, target, now, out);
  checkEndpoints(state, policy, target, out);
  checkClusterCidr(state, policy, target, out);
  return recheck;
}

}  // namespace egressdiag::controller::detail
