#include "operator/controller/control_plane.h"

#include <algorithm>
#include <tuple>

#include "operator/controller/check_support.h"

namespace egressdiag::controller {
namespace detail {
namespace {

// A container that is not ready and has restarted this often is crash-looping, not starting.
constexpr std::int64_t kCrashLoopRestarts = 3;

std::string key(const model::ObjectMeta& meta) {
  return meta.namespace_ + "/" + meta.name;
}

}  // namespace

bool podOwnedBy(const model::Pod& pod, const model::ObjectMeta& owner,
                const std::optional<model::LabelSelector>& selector) {
  return pod.metadata.namespace_ == owner.namespace_ && selector.has_value() &&
         model::matches(*selector, pod.metadata.labels);
}

model::StringMap namespaceLabels(const std::vector<model::Namespace>& namespaces,
                                 const std::string& ns) {
  for (const auto& namespaceObject : namespaces) {
    if (namespaceObject.metadata.name == ns) {
      return namespaceObject.metadata.labels;
    }
  }
  return {{"kubernetes.io/metadata.name", ns}};
}

void Issues::add(const std::string& node, std::string reason, std::string message,
                 model::CheckStatus status) {
  auto& group = byNode_[node];
  if (group.messages.empty()) {
    group.status = status;
    group.reason = std::move(reason);
  } else if (status == model::CheckStatus::Fail && group.status != model::CheckStatus::Fail) {
    // A failure outranks a warning or an unknown on the same node.
    group.status = status;
    group.reason = std::move(reason);
    group.messages.insert(group.messages.begin(), std::move(message));
    return;
  }
  group.messages.push_back(std::move(message));
}

void Issues::emit(std::vector<model::Finding>& out, std::string passReason,
                  std::string passMessage) const {
  if (byNode_.empty()) {
    out.push_back(makeFinding(check_, model::CheckStatus::Pass, target_, "", std::move(passReason),
                              std::move(passMessage)));
    return;
  }
  for (const auto& [node, group] : byNode_) {
    std::string message = group.messages.front();
    if (group.messages.size() > 1) {
      message += " (and " + std::to_string(group.messages.size() - 1) + " more)";
    }
    std::vector<std::string> evidence(
        group.messages.begin(), group.messages.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                             group.messages.size(), kMaxEvidence)));
    out.push_back(makeFinding(check_, group.status, target_, node, group.reason, std::move(message),
                              std::move(evidence)));
  }
}

std::vector<const model::DaemonSet*> findDaemonSets(const model::ObjectSet& objects,
                                                    std::string_view labelKey,
                                                    std::string_view labelValue,
                                                    std::string_view name) {
  std::vector<const model::DaemonSet*> out;
  for (const auto& ds : objects.daemonSets) {
    auto it = ds.podLabels.find(std::string(labelKey));
    if ((it != ds.podLabels.end() && it->second == labelValue) || ds.metadata.name == name) {
      out.push_back(&ds);
    }
  }
  return out;
}

std::vector<const model::Deployment*> findDeployments(const model::ObjectSet& objects,
                                                      std::string_view labelKey,
                                                      std::string_view labelValue,
                                                      std::string_view name) {
  std::vector<const model::Deployment*> out;
  for (const auto& deployment : objects.deployments) {
    auto it = deployment.podLabels.find(std::string(labelKey));
    if ((it != deployment.podLabels.end() && it->second == labelValue) ||
        deployment.metadata.name == name) {
      out.push_back(&deployment);
    }
  }
  return out;
}

void checkDaemonSet(const model::ObjectSet& objects, const model::DaemonSet& ds,
                    std::string_view what, Issues& issues) {
  const auto& st = ds.status;
  std::string prefix = std::string(what) + " DaemonSet " + key(ds.metadata);
  if (st.desiredNumberScheduled == 0) {
    issues.add("", "DaemonSetNotScheduled", prefix + " schedules no pod (desired 0)");
  } else if (st.numberReady < st.desiredNumberScheduled) {
    issues.add("", "DaemonSetNotReady",
               prefix + ": " + std::to_string(st.numberReady) + "/" +
                   std::to_string(st.desiredNumberScheduled) + " pods ready");
  }
  for (const auto& pod : objects.pods) {
    if (!podOwnedBy(pod, ds.metadata, ds.selector)) {
      continue;
    }
    for (const auto& container : pod.status.containerStatuses) {
      if (!container.ready && container.restartCount >= kCrashLoopRestarts) {
        issues.add(pod.spec.nodeName, "ContainerCrashLooping",
                   prefix + ": pod " + pod.metadata.name + " container " + container.name +
                       " not ready after " + std::to_string(container.restartCount) + " restarts");
      }
    }
  }
}

void checkDeployment(const model::Deployment& deployment, std::string_view what, Issues& issues) {
  std::string prefix = std::string(what) + " Deployment " + key(deployment.metadata);
  const auto* available = model::findCondition(deployment.status.conditions, "Available");
  bool ok = available != nullptr ? available->status == model::ConditionStatus::True
                                 : deployment.status.availableReplicas > 0;
  if (!ok) {
    std::string detail =
        available != nullptr && !available->reason.empty() ? " (" + available->reason + ")" : "";
    issues.add("", "DeploymentUnavailable",
               prefix +
                   " is not available: " + std::to_string(deployment.status.availableReplicas) +
                   "/" + std::to_string(deployment.replicas) + " replicas available" + detail);
  }
}

}  // namespace detail

model::Finding makeFinding(catalog::CheckId check, model::CheckStatus status,
                           const model::TargetRef& target, std::string node, std::string reason,
                           std::string message, std::vector<std::string> evidence) {
  const auto& info = catalog::info(check);
  model::Finding finding;
  finding.check = std::string(info.name);
  finding.layer = std::string(catalog::toString(info.layer));
  finding.target = target;
  finding.node = std::move(node);
  finding.status = status;
  finding.reason = std::move(reason);
  finding.message = std::move(message);
  finding.evidence = std::move(evidence);
  if (status != model::CheckStatus::Pass && status != model::CheckStatus::Skipped) {
    finding.remediation = std::string(info.remediation);
  }
  return finding;
}

int layerRank(const model::Finding& finding) {
  if (auto id = catalog::parseCheckId(finding.check)) {
    return static_cast<int>(catalog::info(*id).layer);
  }
  if (auto layer = catalog::parseLayer(finding.layer)) {
    return static_cast<int>(*layer);
  }
  return static_cast<int>(catalog::Layer::EndToEnd) + 1;
}

void sortFindings(std::vector<model::Finding>& findings) {
  auto order = [](const model::Finding& f) {
    auto id = catalog::parseCheckId(f.check);
    int index = id ? static_cast<int>(*id) : 1 << 20;
    return std::make_tuple(layerRank(f), index, std::cref(f.check), std::cref(f.node));
  };
  std::ranges::stable_sort(findings, [&](const model::Finding& a, const model::Finding& b) {
    return order(a) < order(b);
  });
}

ControlPlaneResult evaluateControlPlane(const ClusterState& state, const Target& target,
                                        model::Time now) {
  ControlPlaneResult result;
  if (const auto* policy = std::get_if<PolicyTarget>(&target.object)) {
    result.recheckAt = detail::checkSpidernet(state, target, *policy, now, result.findings);
    result.egressIP =
        !policy->status->eipIPv4.empty() ? policy->status->eipIPv4 : policy->status->eipIPv6;
    result.gatewayNode = policy->status->node;
    if (result.egressIP.empty() && policy->spec->egressIP.useNodeIP) {
      auto node = std::ranges::find_if(state.objects.nodes, [&](const model::Node& n) {
        return n.metadata.name == policy->status->node;
      });
      if (node != state.objects.nodes.end()) {
        result.egressIP = model::nodeInternalIPv4(*node).value_or("");
      }
    }
    // Every node with an egress tunnel programs the policy (spidernet.md §3.5).
    for (const auto& tunnel : state.objects.egressTunnels) {
      result.expectedNodes.push_back(tunnel.metadata.name);
    }
  } else {
    const auto& sgc = *std::get<const model::StaticGatewayConfiguration*>(target.object);
    detail::checkAzure(state, target, sgc, result.findings);
    result.egressIP = sgc.status.egressIpPrefix;
    std::vector<std::string> gateways = gatewayNodesOf(state, sgc);
    for (const auto& node : gateways) {
      result.gatewayNode += (result.gatewayNode.empty() ? "" : ",") + node;
    }
    result.expectedNodes = gateways;
    for (const auto& pod : annotatedPods(state, sgc)) {
      result.expectedNodes.push_back(pod->spec.nodeName);
    }
  }
  std::ranges::sort(result.expectedNodes);
  auto [first, last] = std::ranges::unique(result.expectedNodes);
  result.expectedNodes.erase(first, last);
  std::erase(result.expectedNodes, std::string());
  sortFindings(result.findings);
  return result;
}

}  // namespace egressdiag::controller
