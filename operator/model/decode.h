#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/result.h"
#include "operator/model/azure.h"
#include "operator/model/calico.h"
#include "operator/model/core.h"
#include "operator/model/egressdiag.h"
#include "operator/model/resource.h"
#include "operator/model/spidernet.h"

// The one decoder for objects, shared by watch events, List responses and `--objects FILE`.
// Strict about types (a wrong type is an InvalidInput error naming the JSON path, e.g.
// "status.eip.ipv4: expected string"), lenient about absent or unknown fields.
namespace egressdiag::model {

// Largest document decodeList()/parseJson() accept.
inline constexpr std::size_t kMaxInputBytes = 256u << 20;

// Parses untrusted JSON (iteratively: deep nesting cannot overflow the stack). InvalidInput
// for empty, oversized or malformed text, naming the byte offset of the parse error.
Result<rapidjson::Document> parseJson(std::string_view json);

// decode<T>(object) for every modelled T. The object need not carry apiVersion/kind (items of
// typed List responses do not); when it does and they do not match T, that is an error.
template <class T>
Result<T> decode(const rapidjson::Value& object);

// The ResourceType of each modelled T (Event: events.k8s.io/v1; decode<Event> also reads v1).
template <class T>
struct ResourceOf;

#define EGRESSDIAG_MODEL_KIND(Type, kConst)                  \
  template <>                                                \
  Result<Type> decode<Type>(const rapidjson::Value& object); \
  template <>                                                \
  struct ResourceOf<Type> {                                  \
    static constexpr ResourceType kType = kConst;            \
  };
EGRESSDIAG_MODEL_KIND(Namespace, kNamespace)
EGRESSDIAG_MODEL_KIND(Pod, kPod)
EGRESSDIAG_MODEL_KIND(Node, kNode)
EGRESSDIAG_MODEL_KIND(Secret, kSecret)
EGRESSDIAG_MODEL_KIND(ConfigMap, kConfigMap)
EGRESSDIAG_MODEL_KIND(Event, kEvent)
EGRESSDIAG_MODEL_KIND(DaemonSet, kDaemonSet)
EGRESSDIAG_MODEL_KIND(Deployment, kDeployment)
EGRESSDIAG_MODEL_KIND(Lease, kLease)
EGRESSDIAG_MODEL_KIND(EgressGateway, kEgressGateway)
EGRESSDIAG_MODEL_KIND(EgressPolicy, kEgressPolicy)
EGRESSDIAG_MODEL_KIND(EgressClusterPolicy, kEgressClusterPolicy)
EGRESSDIAG_MODEL_KIND(EgressTunnel, kEgressTunnel)
EGRESSDIAG_MODEL_KIND(EgressEndpointSlice, kEgressEndpointSlice)
EGRESSDIAG_MODEL_KIND(EgressClusterEndpointSlice, kEgressClusterEndpointSlice)
EGRESSDIAG_MODEL_KIND(EgressClusterInfo, kEgressClusterInfo)
EGRESSDIAG_MODEL_KIND(StaticGatewayConfiguration, kStaticGatewayConfiguration)
EGRESSDIAG_MODEL_KIND(GatewayLBConfiguration, kGatewayLBConfiguration)
EGRESSDIAG_MODEL_KIND(GatewayVMConfiguration, kGatewayVMConfiguration)
EGRESSDIAG_MODEL_KIND(GatewayStatus, kGatewayStatus)
EGRESSDIAG_MODEL_KIND(PodEndpoint, kPodEndpoint)
EGRESSDIAG_MODEL_KIND(FelixConfiguration, kFelixConfiguration)
EGRESSDIAG_MODEL_KIND(EgressDiagnosis, kEgressDiagnosis)
EGRESSDIAG_MODEL_KIND(EgressNodeReport, kEgressNodeReport)
#undef EGRESSDIAG_MODEL_KIND

// Decodes the JSON text of one object (parseJson + decode<T>).
template <class T>
Result<T> decodeJson(std::string_view json) {
  auto document = parseJson(json);
  if (!document) {
    return std::unexpected(std::move(document.error()));
  }
  return decode<T>(*document);
}

// Every modelled kind, as read from a List or a set of watches.
struct ObjectSet {
  std::vector<Namespace> namespaces;
  std::vector<Pod> pods;
  std::vector<Node> nodes;
  std::vector<Secret> secrets;
  std::vector<ConfigMap> configMaps;
  std::vector<Event> events;
  std::vector<DaemonSet> daemonSets;
  std::vector<Deployment> deployments;
  std::vector<Lease> leases;
  std::vector<EgressGateway> egressGateways;
  std::vector<EgressPolicy> egressPolicies;
  std::vector<EgressClusterPolicy> egressClusterPolicies;
  std::vector<EgressTunnel> egressTunnels;
  std::vector<EgressEndpointSlice> egressEndpointSlices;
  std::vector<EgressClusterEndpointSlice> egressClusterEndpointSlices;
  std::vector<EgressClusterInfo> egressClusterInfos;
  std::vector<StaticGatewayConfiguration> staticGatewayConfigurations;
  std::vector<GatewayLBConfiguration> gatewayLBConfigurations;
  std::vector<GatewayVMConfiguration> gatewayVMConfigurations;
  std::vector<GatewayStatus> gatewayStatuses;
  std::vector<PodEndpoint> podEndpoints;
  std::vector<FelixConfiguration> felixConfigurations;
  std::vector<EgressDiagnosis> egressDiagnoses;
  std::vector<EgressNodeReport> egressNodeReports;

  std::size_t ignoredItems = 0;    // items of kinds we do not model
  std::vector<std::string> notes;  // one line per distinct ignored apiVersion/kind

  bool operator==(const ObjectSet&) const = default;
};

// Decodes `kubectl get -o json` output: a List (kind "List" or "<Kind>List", items[]) or a
// single object, dispatching on apiVersion + kind (items of a "<Kind>List" without their own
// kind take the list's). Unknown kinds are counted in ignoredItems with a note, not an error.
// InvalidInput for oversized or malformed JSON, a document that is not an object, or a
// malformed item of a known kind ("items[3] (EgressPolicy default/test): status.eip.ipv4:
// expected string").
Result<ObjectSet> decodeList(std::string_view json);

}  // namespace egressdiag::model
