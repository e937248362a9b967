#include "operator/controller/auto_diagnose.h"

#include <algorithm>

#include "operator/controller/target.h"

namespace egressdiag::controller {
namespace {

// Kubernetes object names are at most 253 characters.
constexpr std::size_t kMaxNameLength = 253;

template <class T>
void addMissing(const std::vector<T>& targets, const model::ResourceType& type,
                std::string_view prefix, std::string_view clusterNamespace,
                const std::vector<model::TargetRef>& covered,
                std::vector<model::EgressDiagnosis>& out) {
  for (const auto& object : targets) {
    const auto& meta = object.metadata;
    if (meta.deletionTimestamp) {
      continue;
    }
    model::TargetRef ref{std::string(type.group), std::string(type.kind), meta.name,
                         type.namespaced ? meta.namespace_ : std::string()};
    if (std::ranges::any_of(covered, [&](const auto& c) { return sameTarget(c, ref); })) {
      continue;
    }
    model::EgressDiagnosis diagnosis;
    diagnosis.metadata.name = (std::string(prefix) + meta.name).substr(0, kMaxNameLength);
    diagnosis.metadata.namespace_ =
        type.namespaced ? meta.namespace_ : std::string(clusterNamespace);
    diagnosis.metadata.labels["egressdiag.io/auto"] = "true";
    diagnosis.metadata.ownerReferences.push_back(model::OwnerReference{
        type.apiVersion(), std::string(type.kind), meta.name, meta.uid, false});
    diagnosis.spec.targetRef = ref;
    out.push_back(std::move(diagnosis));
  }
}

}  // namespace

std::vector<model::EgressDiagnosis> missingDiagnoses(const ClusterState& state,
                                                     std::string_view clusterNamespace) {
  std::vector<model::TargetRef> covered;
  for (const auto& diagnosis : state.objects.egressDiagnoses) {
    covered.push_back(normaliseTargetRef(diagnosis));
  }
  std::vector<model::EgressDiagnosis> out;
  const auto& objects = state.objects;
  if (state.installed.spidernet) {
    addMissing(objects.egressPolicies, model::kEgressPolicy, "auto-egp-", clusterNamespace, covered,
               out);
    addMissing(objects.egressClusterPolicies, model::kEgressClusterPolicy, "auto-egcp-",
               clusterNamespace, covered, out);
  }
  if (state.installed.azure) {
    addMissing(objects.staticGatewayConfigurations, model::kStaticGatewayConfiguration, "auto-sgc-",
               clusterNamespace, covered, out);
  }
  return out;
}

}  // namespace egressdiag::controller
