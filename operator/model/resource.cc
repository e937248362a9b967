#include "operator/model/resource.h"

#include <array>

namespace egressdiag::model {
namespace {

constexpr std::array kAllTypes{
    kNamespace,
    kPod,
    kNode,
    kSecret,
    kConfigMap,
    kCoreEvent,
    kEvent,
    kDaemonSet,
    kDeployment,
    kLease,
    kEgressGateway,
    kEgressPolicy,
    kEgressClusterPolicy,
    kEgressTunnel,
    kEgressEndpointSlice,
    kEgressClusterEndpointSlice,
    kEgressClusterInfo,
    kStaticGatewayConfiguration,
    kGatewayLBConfiguration,
    kGatewayVMConfiguration,
    kGatewayStatus,
    kPodEndpoint,
    kFelixConfiguration,
    kEgressDiagnosis,
    kEgressNodeReport,
};

}  // namespace

std::string ResourceType::apiVersion() const {
  if (group.empty()) {
    return std::string(version);
  }
  return std::string(group) + "/" + std::string(version);
}

std::span<const ResourceType> allResourceTypes() {
  return kAllTypes;
}

std::optional<ResourceType> findResourceType(std::string_view apiVersion, std::string_view kind) {
  for (const auto& type : kAllTypes) {
    if (type.kind == kind && type.apiVersion() == apiVersion) {
      return type;
    }
  }
  return std::nullopt;
}

}  // namespace egressdiag::model
