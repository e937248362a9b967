#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace egressdiag::model {

// What the API client needs to build a path for a kind. `group` is empty for the core group.
struct ResourceType {
  std::string_view group;
  std::string_view version;
  std::string_view kind;
  std::string_view plural;
  bool namespaced = true;

  // "v1" for the core group, else "group/version".
  std::string apiVersion() const;
  bool operator==(const ResourceType&) const = default;
};

// Core Kubernetes.
inline constexpr ResourceType kNamespace{"", "v1", "Namespace", "namespaces", false};
inline constexpr ResourceType kPod{"", "v1", "Pod", "pods", true};
inline constexpr ResourceType kNode{"", "v1", "Node", "nodes", false};
inline constexpr ResourceType kSecret{"", "v1", "Secret", "secrets", true};
inline constexpr ResourceType kConfigMap{"", "v1", "ConfigMap", "configmaps", true};
inline constexpr ResourceType kCoreEvent{"", "v1", "Event", "events", true};
inline constexpr ResourceType kEvent{"events.k8s.io", "v1", "Event", "events", true};
inline constexpr ResourceType kDaemonSet{"apps", "v1", "DaemonSet", "daemonsets", true};
inline constexpr ResourceType kDeployment{"apps", "v1", "Deployment", "deployments", true};
inline constexpr ResourceType kLease{"coordination.k8s.io", "v1", "Lease", "leases", true};

// spidernet-io/egressgateway.
inline constexpr std::string_view kSpidernetGroup = "egressgateway.spidernet.io";
inline constexpr ResourceType kEgressGateway{kSpidernetGroup, "v1beta1", "EgressGateway",
                                             "egressgateways", false};
inline constexpr ResourceType kEgressPolicy{kSpidernetGroup, "v1beta1", "EgressPolicy",
                                            "egresspolicies", true};
inline constexpr ResourceType kEgressClusterPolicy{
    kSpidernetGroup, "v1beta1", "EgressClusterPolicy", "egressclusterpolicies", false};
inline constexpr ResourceType kEgressTunnel{kSpidernetGroup, "v1beta1", "EgressTunnel",
                                            "egresstunnels", false};
inline constexpr ResourceType kEgressEndpointSlice{
    kSpidernetGroup, "v1beta1", "EgressEndpointSlice", "egressendpointslices", true};
inline constexpr ResourceType kEgressClusterEndpointSlice{
    kSpidernetGroup, "v1beta1", "EgressClusterEndpointSlice", "egressclusterendpointslices", false};
inline constexpr ResourceType kEgressClusterInfo{kSpidernetGroup, "v1beta1", "EgressClusterInfo",
                                                 "egressclusterinfos", false};

// Azure/kube-egress-gateway: all namespaced.
inline constexpr std::string_view kAzureGroup = "egressgateway.kubernetes.azure.com";
inline constexpr ResourceType kStaticGatewayConfiguration{
    kAzureGroup, "v1alpha1", "StaticGatewayConfiguration", "staticgatewayconfigurations", true};
inline constexpr ResourceType kGatewayLBConfiguration{
    kAzureGroup, "v1alpha1", "GatewayLBConfiguration", "gatewaylbconfigurations", true};
inline constexpr ResourceType kGatewayVMConfiguration{
    kAzureGroup, "v1alpha1", "GatewayVMConfiguration", "gatewayvmconfigurations", true};
inline constexpr ResourceType kGatewayStatus{kAzureGroup, "v1alpha1", "GatewayStatus",
                                             "gatewaystatuses", true};
inline constexpr ResourceType kPodEndpoint{kAzureGroup, "v1alpha1", "PodEndpoint", "podendpoints",
                                           true};

// Calico.
inline constexpr ResourceType kFelixConfiguration{
    "crd.projectcalico.org", "v1", "FelixConfiguration", "felixconfigurations", false};

// Ours.
inline constexpr std::string_view kEgressDiagGroup = "egressdiag.io";
inline constexpr ResourceType kEgressDiagnosis{kEgressDiagGroup, "v1alpha1", "EgressDiagnosis",
                                               "egressdiagnoses", true};
inline constexpr ResourceType kEgressNodeReport{kEgressDiagGroup, "v1alpha1", "EgressNodeReport",
                                                "egressnodereports", false};

// Every kind above, in a stable order.
std::span<const ResourceType> allResourceTypes();

// The kind with this apiVersion ("v1", "apps/v1", ...) and kind, if we model it.
std::optional<ResourceType> findResourceType(std::string_view apiVersion, std::string_view kind);

}  // namespace egressdiag::model
