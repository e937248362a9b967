#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/model/object_meta.h"

// Azure/kube-egress-gateway, egressgateway.kubernetes.azure.com/v1alpha1
// (reference/azure.md §1.2).
namespace egressdiag::model {

struct GatewayVmssProfile {
  std::string vmssResourceGroup;
  std::string vmssName;
  std::int64_t publicIpPrefixSize = 0;

  bool operator==(const GatewayVmssProfile&) const = default;
};

struct StaticGatewayConfigurationSpec {
  std::string gatewayNodepoolName;
  GatewayVmssProfile gatewayVmssProfile;
  std::string defaultRoute;  // azureNetworking | staticEgressGateway; empty when absent
  bool provisionPublicIps = true;
  std::string publicIpPrefixId;
  std::vector<std::string> excludeCidrs;

  bool operator==(const StaticGatewayConfigurationSpec&) const = default;
};

struct GatewayServerProfile {
  std::string ip;
  std::int64_t port = 0;
  std::string publicKey;
  std::optional<ObjectReference> privateKeySecretRef;

  bool operator==(const GatewayServerProfile&) const = default;
};

struct StaticGatewayConfigurationStatus {
  std::string egressIpPrefix;
  GatewayServerProfile gatewayServerProfile;
  // True when the profile was read from the v0.0.1-0.0.5 `gatewayWireguardProfile` keys
  // (wireguardServerIp/Port/PublicKey/PrivateKeySecretRef); it is never written back.
  bool legacyProfileKeys = false;

  bool operator==(const StaticGatewayConfigurationStatus&) const = default;
};

struct StaticGatewayConfiguration {
  ObjectMeta metadata;
  StaticGatewayConfigurationSpec spec;
  StaticGatewayConfigurationStatus status;

  bool operator==(const StaticGatewayConfiguration&) const = default;
};

// Spec shared by GatewayLBConfiguration and GatewayVMConfiguration (copied from the SGC).
struct GatewayConfigurationSpec {
  std::string gatewayNodepoolName;
  GatewayVmssProfile gatewayVmssProfile;
  bool provisionPublicIps = true;
  std::string publicIpPrefixId;

  bool operator==(const GatewayConfigurationSpec&) const = default;
};

struct GatewayLBConfigurationStatus {
  std::string frontendIp;
  std::int64_t serverPort = 0;
  std::string egressIpPrefix;

  bool operator==(const GatewayLBConfigurationStatus&) const = default;
};

struct GatewayLBConfiguration {
  ObjectMeta metadata;
  GatewayConfigurationSpec spec;
  std::optional<GatewayLBConfigurationStatus> status;  // a pointer upstream: may be absent

  bool operator==(const GatewayLBConfiguration&) const = default;
};

struct GatewayVMProfile {
  std::string nodeName;
  std::string primaryIP;
  std::string secondaryIP;

  bool operator==(const GatewayVMProfile&) const = default;
};

struct GatewayVMConfigurationStatus {
  std::string egressIpPrefix;
  std::vector<GatewayVMProfile> gatewayVMProfiles;

  bool operator==(const GatewayVMConfigurationStatus&) const = default;
};

struct GatewayVMConfiguration {
  ObjectMeta metadata;
  GatewayConfigurationSpec spec;
  std::optional<GatewayVMConfigurationStatus> status;

  bool operator==(const GatewayVMConfiguration&) const = default;
};

// Current layout (v0.0.8+) fills interfaceName; legacy (<= v0.0.7) fills netnsName.
struct ReadyGatewayConfiguration {
  std::string staticGatewayConfiguration;  // "<ns>/<name>"
  std::string interfaceName;               // "wg-<port>"
  std::string netnsName;                   // legacy "gw-<uid>-<ILB IP with _>"

  bool operator==(const ReadyGatewayConfiguration&) const = default;
};

struct ReadyPeerConfiguration {
  std::string podEndpoint;  // "<ns>/<name>"
  std::string interfaceName;
  std::string netnsName;  // legacy
  std::string publicKey;

  bool operator==(const ReadyPeerConfiguration&) const = default;
};

enum class GatewayLayout { Current, Legacy };

// Name = node name.
struct GatewayStatus {
  ObjectMeta metadata;
  // spec.readyGatewayConfigurations, or legacy spec.readyGatewayNamespaces.
  std::vector<ReadyGatewayConfiguration> readyGatewayConfigurations;
  std::vector<ReadyPeerConfiguration> readyPeerConfigurations;
  // Legacy when spec.readyGatewayNamespaces is present or any entry carries netnsName.
  GatewayLayout layout = GatewayLayout::Current;

  bool operator==(const GatewayStatus&) const = default;
};

// Name/namespace = the pod's.
struct PodEndpoint {
  ObjectMeta metadata;
  std::string staticGatewayConfiguration;  // SGC name, in the PodEndpoint's namespace
  std::string podIpAddress;                // "<pod IPv4>/32"
  std::string podPublicKey;

  bool operator==(const PodEndpoint&) const = default;
};

// Pod annotation naming the SGC (in the pod's namespace).
inline constexpr std::string_view kStaticGatewayAnnotation =
    "kubernetes.azure.com/static-gateway-configuration";

}  // namespace egressdiag::model
