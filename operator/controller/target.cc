#include "operator/controller/target.h"

#include <algorithm>

#include "operator/model/resource.h"

namespace egressdiag::controller {
namespace {

// The group each supported target kind belongs to; empty for an unsupported kind.
std::string_view groupOfKind(std::string_view kind) {
  if (kind == model::kEgressPolicy.kind || kind == model::kEgressClusterPolicy.kind) {
    return model::kSpidernetGroup;
  }
  if (kind == model::kStaticGatewayConfiguration.kind) {
    return model::kAzureGroup;
  }
  return {};
}

template <class T>
const T* findObject(const std::vector<T>& objects, std::string_view ns, std::string_view name) {
  auto it = std::ranges::find_if(objects, [&](const T& object) {
    return object.metadata.name == name && object.metadata.namespace_ == ns;
  });
  return it == objects.end() ? nullptr : &*it;
}

std::string describe(const model::TargetRef& ref) {
  std::string out = ref.kind + " ";
  if (!ref.namespace_.empty()) {
    out += ref.namespace_ + "/";
  }
  return out + ref.name;
}

}  // namespace

model::TargetRef normaliseTargetRef(const model::EgressDiagnosis& diagnosis) {
  model::TargetRef ref = diagnosis.spec.targetRef;
  if (ref.apiGroup.empty()) {
    ref.apiGroup = std::string(groupOfKind(ref.kind));
  }
  if (ref.kind == model::kEgressClusterPolicy.kind) {
    ref.namespace_.clear();
  } else if (ref.namespace_.empty()) {
    ref.namespace_ = diagnosis.metadata.namespace_;
  }
  return ref;
}

bool sameTarget(const model::TargetRef& a, const model::TargetRef& b) {
  if (a.kind != b.kind || a.name != b.name || a.namespace_ != b.namespace_) {
    return false;
  }
  return a.apiGroup.empty() || b.apiGroup.empty() || a.apiGroup == b.apiGroup;
}

std::expected<Target, Stall> resolveTarget(const ClusterState& state,
                                           const model::EgressDiagnosis& diagnosis) {
  model::TargetRef ref = normaliseTargetRef(diagnosis);
  if (ref.kind.empty() || ref.name.empty()) {
    return std::unexpected(
        Stall{std::string(kReasonTargetRefMissing), "spec.targetRef needs a kind and a name"});
  }
  std::string_view group = groupOfKind(ref.kind);
  if (group.empty() || ref.apiGroup != group) {
    return std::unexpected(
        Stall{std::string(kReasonUnsupportedTargetKind),
              "spec.targetRef " + ref.apiGroup + "/" + ref.kind +
                  " is not one of egressgateway.spidernet.io EgressPolicy, EgressClusterPolicy "
                  "or egressgateway.kubernetes.azure.com StaticGatewayConfiguration"});
  }
  bool installed =
      group == model::kSpidernetGroup ? state.installed.spidernet : state.installed.azure;
  if (!installed) {
    return std::unexpected(
        Stall{std::string(kReasonTargetKindNotInstalled),
              "the API group " + std::string(group) + " is not served by this cluster"});
  }
  const auto& objects = state.objects;
  Target target{ref, PolicyTarget{}};
  if (ref.kind == model::kEgressPolicy.kind) {
    if (const auto* policy = findObject(objects.egressPolicies, ref.namespace_, ref.name)) {
      target.object = PolicyTarget{false, &policy->metadata, &policy->spec, &policy->status};
      return target;
    }
  } else if (ref.kind == model::kEgressClusterPolicy.kind) {
    if (const auto* policy = findObject(objects.egressClusterPolicies, "", ref.name)) {
      target.object = PolicyTarget{true, &policy->metadata, &policy->spec, &policy->status};
      return target;
    }
  } else if (const auto* sgc =
                 findObject(objects.staticGatewayConfigurations, ref.namespace_, ref.name)) {
    target.object = sgc;
    return target;
  }
  return std::unexpected(
      Stall{std::string(kReasonTargetNotFound), describe(ref) + " does not exist"});
}

}  // namespace egressdiag::controller
