// Control-plane checks of an Azure StaticGatewayConfiguration (design/checks.md: CMP-AKS-*,
// AKS-SGC-STATUS, AKS-SGC-KEY, AKS-VMCONFIG, AKS-GWSTATUS, AKS-PODENDPOINT, AKS-PEERS-READY).
// Facts from reference/azure.md §1 and §3.

#include <algorithm>
#include <cctype>

#include "operator/controller/check_support.h"
#include "operator/controller/crypto.h"

namespace egressdiag::controller {
namespace {

using catalog::CheckId;
using model::CheckStatus;

constexpr std::string_view kControlPlaneLabel = "kube-egress-gateway-control-plane";
constexpr std::string_view kCniNotReadyTaint = "egressgateway.kubernetes.azure.com/cni-not-ready";
constexpr std::string_view kAgentPoolLabel = "kubernetes.azure.com/agentpool";
constexpr int kMinPort = 6000;
constexpr int kMaxPortExclusive = 7000;

bool hasLabel(const model::ObjectMeta& meta, std::string_view key, std::string_view value) {
  auto it = meta.labels.find(std::string(key));
  return it != meta.labels.end() && it->second == value;
}

std::string sgcKey(const model::StaticGatewayConfiguration& sgc) {
  return sgc.metadata.namespace_ + "/" + sgc.metadata.name;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

const model::GatewayStatus* findGatewayStatus(const model::ObjectSet& objects,
                                              const std::string& node) {
  auto it = std::ranges::find_if(objects.gatewayStatuses,
                                 [&](const auto& gs) { return gs.metadata.name == node; });
  return it == objects.gatewayStatuses.end() ? nullptr : &*it;
}

template <class T>
const T* findSameName(const std::vector<T>& objects, const model::ObjectMeta& meta) {
  auto it = std::ranges::find_if(objects, [&](const T& object) {
    return object.metadata.name == meta.name && object.metadata.namespace_ == meta.namespace_;
  });
  return it == objects.end() ? nullptr : &*it;
}

void checkComponents(const ClusterState& state, const Target& target,
                     std::vector<model::Finding>& out) {
  using detail::Issues;
  Issues controller(CheckId::CmpAksController, target.ref);
  auto deployments =
      detail::findDeployments(state.objects, kControlPlaneLabel, "controller-manager",
                              "kube-egress-gateway-controller-manager");
  if (deployments.empty()) {
    controller.add("", "ControllerNotFound",
                   "no Deployment kube-egress-gateway-controller-manager in any namespace");
  }
  for (const auto* deployment : deployments) {
    detail::checkDeployment(*deployment, "controller-manager", controller);
  }
  controller.emit(out, "ControllerAvailable", "kube-egress-gateway-controller-manager available");

  Issues daemon(CheckId::CmpAksDaemon, target.ref);
  auto daemons = detail::findDaemonSets(state.objects, kControlPlaneLabel, "daemon-manager",
                                        "kube-egress-gateway-daemon-manager");
  if (daemons.empty()) {
    daemon.add("", "DaemonNotFound",
               "no DaemonSet kube-egress-gateway-daemon-manager in any namespace");
  }
  for (const auto* ds : daemons) {
    detail::checkDaemonSet(state.objects, *ds, "gateway daemon", daemon);
  }
  daemon.emit(out, "DaemonReady", "kube-egress-gateway-daemon-manager ready on gateway nodes");

  Issues cni(CheckId::CmpAksCniMgr, target.ref);
  auto cniManagers = detail::findDaemonSets(state.objects, kControlPlaneLabel, "cni-manager",
                                            "kube-egress-gateway-cni-manager");
  if (cniManagers.empty()) {
    cni.add("", "CNIManagerNotFound",
            "no DaemonSet kube-egress-gateway-cni-manager in any namespace");
  }
  for (const auto* ds : cniManagers) {
    detail::checkDaemonSet(state.objects, *ds, "cni-manager", cni);
  }
  for (const auto& node : state.objects.nodes) {
    for (const auto& taint : node.spec.taints) {
      if (taint.key == kCniNotReadyTaint) {
        cni.add(node.metadata.name, "CNINotReadyTaint",
                "node " + node.metadata.name + " carries taint " + taint.key + ":" + taint.effect +
                    " (cni-manager has not installed the CNI config there)");
      }
    }
  }
  cni.emit(out, "CNIManagerReady", "kube-egress-gateway-cni-manager ready, no cni-not-ready taint");
}

void checkSgcStatus(const ClusterState& state, const model::StaticGatewayConfiguration& sgc,
                    const Target& target, std::vector<model::Finding>& out) {
  detail::Issues issues(CheckId::AksSgcStatus, target.ref);
  const auto& st = sgc.status;
  const auto& profile = st.gatewayServerProfile;
  std::vector<std::string> missing;
  if (st.egressIpPrefix.empty()) {
    missing.emplace_back("egressIpPrefix");
  }
  if (profile.ip.empty()) {
    missing.emplace_back("gatewayServerProfile.ip");
  }
  if (profile.port == 0) {
    missing.emplace_back("gatewayServerProfile.port");
  }
  if (profile.publicKey.empty()) {
    missing.emplace_back("gatewayServerProfile.publicKey");
  }
  if (!profile.privateKeySecretRef) {
    missing.emplace_back("gatewayServerProfile.privateKeySecretRef");
  }
  if (!missing.empty()) {
    std::string list;
    for (const auto& field : missing) {
      list += (list.empty() ? "" : ", ") + field;
    }
    issues.add("", "SGCStatusIncomplete",
               "StaticGatewayConfiguration " + sgcKey(sgc) + " status lacks " + list);
  }
  if (profile.port != 0 && (profile.port < kMinPort || profile.port >= kMaxPortExclusive)) {
    issues.add("", "SGCPortOutOfRange",
               "StaticGatewayConfiguration " + sgcKey(sgc) + " port " +
                   std::to_string(profile.port) + " is outside [6000,7000)");
  }
  // A Warning newer than the last Normal (success) event means the controller is failing now.
  const model::Event* lastWarning = nullptr;
  std::optional<model::Time> lastNormal;
  for (const auto& event : state.objects.events) {
    const auto& ref = event.regarding;
    if (ref.kind != model::kStaticGatewayConfiguration.kind || ref.name != sgc.metadata.name ||
        ref.namespace_ != sgc.metadata.namespace_ || !event.lastSeen) {
      continue;
    }
    if (event.type == "Warning") {
      if (lastWarning == nullptr || *event.lastSeen > *lastWarning->lastSeen) {
        lastWarning = &event;
      }
    } else if (!lastNormal || *event.lastSeen > *lastNormal) {
      lastNormal = event.lastSeen;
    }
  }
  if (lastWarning != nullptr && (!lastNormal || *lastWarning->lastSeen > *lastNormal)) {
    issues.add("", "SGCReconcileError",
               "StaticGatewayConfiguration " + sgcKey(sgc) + " Warning event " +
                   lastWarning->reason + ": " + lastWarning->note.substr(0, 512));
  }
  issues.emit(out, "SGCProvisioned",
              "StaticGatewayConfiguration " + sgcKey(sgc) + " provisioned with egress prefix " +
                  st.egressIpPrefix);
}

void checkSgcKey(const ClusterState& state, const model::StaticGatewayConfiguration& sgc,
                 const Target& target, std::vector<model::Finding>& out) {
  detail::Issues issues(CheckId::AksSgcKey, target.ref);
  const auto& profile = sgc.status.gatewayServerProfile;
  if (!profile.privateKeySecretRef || profile.publicKey.empty()) {
    issues.add("", "KeyNotPublished",
               "StaticGatewayConfiguration " + sgcKey(sgc) +
                   " has no publicKey or privateKeySecretRef yet",
               CheckStatus::Unknown);
    issues.emit(out, "", "");
    return;
  }
  const auto& ref = *profile.privateKeySecretRef;
  std::string ns = ref.namespace_.empty() ? sgc.metadata.namespace_ : ref.namespace_;
  auto secret = std::ranges::find_if(state.objects.secrets, [&](const model::Secret& s) {
    return s.metadata.name == ref.name && s.metadata.namespace_ == ns;
  });
  std::string secretName = "Secret " + ns + "/" + ref.name;
  if (auto unreadable = state.unreadableSecrets.find(ns + "/" + ref.name);
      secret == state.objects.secrets.end() && unreadable != state.unreadableSecrets.end()) {
    issues.add("",
               unreadable->second.code == ErrorCode::PermissionDenied ? "SecretForbidden"
                                                                       : "SecretUnreadable",
               secretName + " (privateKeySecretRef) cannot be read: " +
                   unreadable->second.message,
               CheckStatus::Unknown);
  } else if (secret == state.objects.secrets.end()) {
    issues.add("", "SecretNotFound", secretName + " (privateKeySecretRef) does not exist");
  } else if (auto value = model::secretValue(*secret, "PrivateKey"); !value) {
    issues.add(
        "", value.error().code == ErrorCode::NotFound ? "PrivateKeyMissing" : "PrivateKeyInvalid",
        secretName + " data.PrivateKey: " + value.error().message);
  } else if (auto derived = wireGuardPublicKey(*value); !derived) {
    issues.add("", "PrivateKeyInvalid",
               secretName + " data.PrivateKey: " + derived.error().message);
  } else if (*derived != profile.publicKey) {
    issues.add("", "PublicKeyMismatch",
               "the public key of " + secretName + " is " + *derived +
                   " but status.gatewayServerProfile.publicKey is " + profile.publicKey);
  }
  issues.emit(out, "KeyPairMatches",
              secretName + " holds the private key of status.gatewayServerProfile.publicKey");
}

void checkVmConfig(const ClusterState& state, const model::StaticGatewayConfiguration& sgc,
                   const std::vector<std::string>& gateways, const Target& target,
                   std::vector<model::Finding>& out) {
  detail::Issues issues(CheckId::AksVmConfig, target.ref);
  const auto* lb = findSameName(state.objects.gatewayLBConfigurations, sgc.metadata);
  const auto* vm = findSameName(state.objects.gatewayVMConfigurations, sgc.metadata);
  if (lb == nullptr) {
    issues.add("", "LBConfigMissing", "GatewayLBConfiguration " + sgcKey(sgc) + " does not exist");
  }
  if (vm == nullptr) {
    issues.add("", "VMConfigMissing", "GatewayVMConfiguration " + sgcKey(sgc) + " does not exist");
  }
  if (gateways.empty()) {
    issues.add("", "NoGatewayNodes",
               "no node is labelled as a gateway node (kubeegressgateway.azure.com/mode=true or "
               "kubernetes.azure.com/mode=gateway) for StaticGatewayConfiguration " +
                   sgcKey(sgc));
  }
  if (vm != nullptr) {
    for (const auto& node : gateways) {
      const model::GatewayVMProfile* profile = nullptr;
      if (vm->status) {
        for (const auto& p : vm->status->gatewayVMProfiles) {
          if (equalsIgnoreCase(p.nodeName, node)) {
            profile = &p;
          }
        }
      }
      if (profile == nullptr) {
        issues.add(node, "VMProfileMissing",
                   "GatewayVMConfiguration " + sgcKey(sgc) +
                       " has no gatewayVMProfiles entry for " + node);
      } else if (profile->primaryIP.empty() || profile->secondaryIP.empty()) {
        issues.add(node, "VMProfileIncomplete",
                   "GatewayVMConfiguration " + sgcKey(sgc) + " profile of " + node +
                       " lacks primaryIP or secondaryIP");
      }
    }
  }
  issues.emit(out, "VMConfigReady",
              "GatewayLB/VMConfiguration exist with a profile for each of " +
                  std::to_string(gateways.size()) + " gateway nodes");
}

std::string legacyNetns(const model::StaticGatewayConfiguration& sgc) {
  std::string ip = sgc.status.gatewayServerProfile.ip;
  std::ranges::replace(ip, '.', '_');
  return "gw-" + sgc.metadata.uid + "-" + ip;
}

void checkGatewayStatus(const ClusterState& state, const model::StaticGatewayConfiguration& sgc,
                        const std::vector<std::string>& gateways, const Target& target,
                        std::vector<model::Finding>& out) {
  detail::Issues issues(CheckId::AksGwStatus, target.ref);
  std::string wantInterface = "wg-" + std::to_string(sgc.status.gatewayServerProfile.port);
  for (const auto& node : gateways) {
    const auto* status = findGatewayStatus(state.objects, node);
    if (status == nullptr) {
      issues.add(node, "GatewayStatusMissing", "no GatewayStatus " + node);
      continue;
    }
    const auto& entries = status->readyGatewayConfigurations;
    auto it = std::ranges::find_if(
        entries, [&](const auto& e) { return e.staticGatewayConfiguration == sgcKey(sgc); });
    if (it == entries.end()) {
      issues.add(node, "GatewayConfigurationNotReady",
                 "GatewayStatus " + node + " does not list " + sgcKey(sgc) + " as ready");
    } else if (status->layout == model::GatewayLayout::Current &&
               it->interfaceName != wantInterface) {
      issues.add(node, "GatewayInterfaceMismatch",
                 "GatewayStatus " + node + " lists " + sgcKey(sgc) + " on " + it->interfaceName +
                     ", want " + wantInterface);
    } else if (status->layout == model::GatewayLayout::Legacy &&
               it->netnsName != legacyNetns(sgc)) {
      issues.add(node, "GatewayInterfaceMismatch",
                 "GatewayStatus " + node + " lists " + sgcKey(sgc) + " in " + it->netnsName +
                     ", want " + legacyNetns(sgc));
    }
  }
  issues.emit(out, "GatewaysReady",
              "every gateway node's GatewayStatus lists " + sgcKey(sgc) + " as ready");
}

std::vector<const model::PodEndpoint*> podEndpointsOf(
    const model::ObjectSet& objects, const model::StaticGatewayConfiguration& sgc) {
  std::vector<const model::PodEndpoint*> out;
  for (const auto& endpoint : objects.podEndpoints) {
    if (endpoint.metadata.namespace_ == sgc.metadata.namespace_ &&
        endpoint.staticGatewayConfiguration == sgc.metadata.name) {
      out.push_back(&endpoint);
    }
  }
  return out;
}

void checkPodEndpoints(const ClusterState& state, const model::StaticGatewayConfiguration& sgc,
                       const Target& target, std::vector<model::Finding>& out) {
  detail::Issues issues(CheckId::AksPodEndpoint, target.ref);
  auto pods = annotatedPods(state, sgc);
  for (const auto* pod : pods) {
    const auto* endpoint = findSameName(state.objects.podEndpoints, pod->metadata);
    std::string podKey = pod->metadata.namespace_ + "/" + pod->metadata.name;
    auto ip = model::podIPv4(*pod);
    if (endpoint == nullptr) {
      issues.add(pod->spec.nodeName, "PodEndpointMissing",
                 "annotated pod " + podKey + " has no PodEndpoint");
    } else if (endpoint->staticGatewayConfiguration != sgc.metadata.name) {
      issues.add(pod->spec.nodeName, "PodEndpointWrongGateway",
                 "PodEndpoint " + podKey + " names " + endpoint->staticGatewayConfiguration +
                     ", want " + sgc.metadata.name);
    } else if (ip && endpoint->podIpAddress != *ip + "/32") {
      issues.add(pod->spec.nodeName, "PodEndpointStale",
                 "PodEndpoint " + podKey + " has podIpAddress " + endpoint->podIpAddress +
                     ", want " + *ip + "/32");
    }
  }
  issues.emit(out, "PodEndpointsCurrent",
              std::to_string(pods.size()) + " annotated pods each have a current PodEndpoint");
}

void checkPeers(const ClusterState& state, const model::StaticGatewayConfiguration& sgc,
                const std::vector<std::string>& gateways, const Target& target,
                std::vector<model::Finding>& out) {
  detail::Issues issues(CheckId::AksPeersReady, target.ref);
  auto endpoints = podEndpointsOf(state.objects, sgc);
  for (const auto& node : gateways) {
    const auto* status = findGatewayStatus(state.objects, node);
    if (status == nullptr) {
      issues.add(node, "GatewayStatusMissing", "no GatewayStatus " + node + " to read peers from",
                 CheckStatus::Unknown);
      continue;
    }
    for (const auto* endpoint : endpoints) {
      std::string key = endpoint->metadata.namespace_ + "/" + endpoint->metadata.name;
      const auto& peers = status->readyPeerConfigurations;
      auto it = std::ranges::find_if(peers, [&](const auto& p) { return p.podEndpoint == key; });
      if (it == peers.end()) {
        issues.add(node, "PeerNotReady",
                   "GatewayStatus " + node + " does not list PodEndpoint " + key + " as a peer");
      } else if (it->publicKey != endpoint->podPublicKey) {
        issues.add(node, "PeerKeyMismatch",
                   "GatewayStatus " + node + " lists PodEndpoint " + key + " with key " +
                       it->publicKey + ", PodEndpoint has " + endpoint->podPublicKey);
      }
    }
  }
  issues.emit(out, "PeersReady",
              std::to_string(endpoints.size()) + " PodEndpoints are ready peers on every gateway");
}

}  // namespace

std::vector<std::string> gatewayNodesOf(const ClusterState& state,
                                        const model::StaticGatewayConfiguration& sgc) {
  std::vector<std::string> out;
  const std::string& pool = sgc.spec.gatewayNodepoolName;
  for (const auto& node : state.objects.nodes) {
    const auto& meta = node.metadata;
    if (!hasLabel(meta, "kubeegressgateway.azure.com/mode", "true") &&
        !hasLabel(meta, "kubernetes.azure.com/mode", "gateway")) {
      continue;
    }
    auto poolLabel = meta.labels.find(std::string(kAgentPoolLabel));
    if (!pool.empty() && poolLabel != meta.labels.end() && poolLabel->second != pool) {
      continue;
    }
    out.push_back(meta.name);
  }
  std::ranges::sort(out);
  return out;
}

std::vector<const model::Pod*> annotatedPods(const ClusterState& state,
                                             const model::StaticGatewayConfiguration& sgc) {
  std::vector<const model::Pod*> out;
  for (const auto& pod : state.objects.pods) {
    if (pod.metadata.namespace_ != sgc.metadata.namespace_ || pod.status.phase != "Running" ||
        pod.metadata.deletionTimestamp) {
      continue;
    }
    auto it = pod.metadata.annotations.find(std::string(model::kStaticGatewayAnnotation));
    if (it != pod.metadata.annotations.end() && it->second == sgc.metadata.name) {
      out.push_back(&pod);
    }
  }
  return out;
}

namespace detail {

void checkAzure(const ClusterState& state, const Target& target,
                const model::StaticGatewayConfiguration& sgc, std::vector<model::Finding>& out) {
  auto gateways = gatewayNodesOf(state, sgc);
  checkComponents(state, target, out);
  checkSgcStatus(state, sgc, target, out);
  checkSgcKey(state, sgc, target, out);
  checkVmConfig(state, sgc, gateways, target, out);
  checkGatewayStatus(state, sgc, gateways, target, out);
  checkPodEndpoints(state, sgc, target, out);
  checkPeers(state, sgc, gateways, target, out);
}

}  // namespace detail
}  // namespace egressdiag::controller
