#pragma once

#include <expected>
#include <string>
#include <variant>

#include "operator/controller/cluster_state.h"
#include "operator/model/egressdiag.h"

namespace egressdiag::controller {

// Why a diagnosis cannot be evaluated: the Stalled condition's reason (CamelCase) and message.
struct Stall {
  std::string reason;
  std::string message;

  bool operator==(const Stall&) const = default;
};

// A spidernet EgressPolicy or EgressClusterPolicy: both share spec and status.
struct PolicyTarget {
  bool clusterScoped = false;
  const model::ObjectMeta* metadata = nullptr;
  const model::EgressPolicySpec* spec = nullptr;
  const model::EgressPolicyStatus* status = nullptr;
};

// The resolved target of a diagnosis. Pointers point into the ClusterState it was resolved
// from and are valid as long as that state is.
struct Target {
  model::TargetRef ref;  // normalised: apiGroup filled, namespace defaulted or cleared
  std::variant<PolicyTarget, const model::StaticGatewayConfiguration*> object;
};

// Stall reasons (also the Stalled condition's reasons).
inline constexpr std::string_view kReasonTargetRefMissing = "TargetRefMissing";
inline constexpr std::string_view kReasonUnsupportedTargetKind = "UnsupportedTargetKind";
inline constexpr std::string_view kReasonTargetKindNotInstalled = "TargetKindNotInstalled";
inline constexpr std::string_view kReasonTargetNotFound = "TargetNotFound";

// The targetRef with its defaults applied: the namespace of a namespaced kind defaults to the
// diagnosis' own, a cluster-scoped kind has none, an empty apiGroup is inferred from the kind.
model::TargetRef normaliseTargetRef(const model::EgressDiagnosis& diagnosis);

// True when a finding's or report's target names the same object as `ref` (an empty apiGroup
// on either side matches the group of the kind).
bool sameTarget(const model::TargetRef& a, const model::TargetRef& b);

// Looks the target up in `state`. Fails with a Stall when the reference is empty, names an
// unsupported kind, a kind whose CRD is not installed, or an object that does not exist.
std::expected<Target, Stall> resolveTarget(const ClusterState& state,
                                           const model::EgressDiagnosis& diagnosis);

}  // namespace egressdiag::controller
