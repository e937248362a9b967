#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/controller/cluster_state.h"
#include "operator/controller/coverage.h"
#include "operator/controller/target.h"
#include "operator/model/egressdiag.h"

namespace egressdiag::controller {

// Condition types of EgressDiagnosis (design/architecture.md).
inline constexpr std::string_view kCondReady = "Ready";
inline constexpr std::string_view kCondHealthy = "Healthy";
inline constexpr std::string_view kCondStalled = "Stalled";
inline constexpr std::string_view kCondProbeCoverage = "ProbeCoverage";
inline constexpr std::string_view kCondComponentsReady = "ComponentsReady";
inline constexpr std::string_view kCondControlPlaneReady = "ControlPlaneReady";
inline constexpr std::string_view kCondDatapathProgrammed = "DatapathProgrammed";
inline constexpr std::string_view kCondTunnelHealthy = "TunnelHealthy";
inline constexpr std::string_view kCondEgressVerified = "EgressVerified";

// Everything computeStatus() needs about one diagnosis, gathered from the cluster.
struct Evaluation {
  std::optional<Stall> stall;            // set: nothing else is meaningful
  std::vector<model::Finding> findings;  // control-plane and node findings, sorted
  NodeCoverage coverage;
  std::string egressIP;
  std::string gatewayNode;
  bool probeConfigured = false;  // spec.probe.url set: end-to-end checks are expected to run
  // Evaluate again then even if nothing changes: a probe Lease lapses, a tunnel heartbeat goes
  // stale. nullopt: only object changes can change the verdict.
  std::optional<model::Time> recheckAt;
};

// Resolves the target, runs the control-plane checks and aggregates the node reports and probe
// Leases of the nodes that matter. Never fails: problems become a stall or findings.
Evaluation evaluateDiagnosis(const ClusterState& state, const model::EgressDiagnosis& diagnosis,
                             model::Time now);

// The new status from the previous one (diagnosis.status) and an evaluation at `now`.
// Conditions keep their lastTransitionTime while their status is unchanged; nothing is True
// without a real result (Healthy is never True while a node that matters is not reporting);
// outages open when Healthy turns False and close when it turns True. Deterministic: the same
// inputs give an equal status, so an unchanged cluster causes no write.
model::EgressDiagnosisStatus computeStatus(const model::EgressDiagnosis& diagnosis,
                                           const Evaluation& evaluation, model::Time now);

// An Event to emit about a diagnosis.
struct EventIntent {
  std::string type;    // Normal | Warning
  std::string reason;  // EgressDegraded | EgressRestored
  std::string note;

  bool operator==(const EventIntent&) const = default;
};

inline constexpr std::string_view kEventDegraded = "EgressDegraded";
inline constexpr std::string_view kEventRestored = "EgressRestored";

// Events for the transition before -> after: EgressDegraded when an outage opens (naming the
// failing check and node), EgressRestored when it closes (with its duration). None otherwise,
// so repeated rounds in the same state emit nothing.
std::vector<EventIntent> decideEvents(const model::EgressDiagnosisStatus& before,
                                      const model::EgressDiagnosisStatus& after);

}  // namespace egressdiag::controller
