#include "operator/controller/status.h"

#include <algorithm>
#include <array>

#include "operator/catalog/catalog.h"
#include "operator/controller/control_plane.h"

namespace egressdiag::controller {
namespace {

using model::ConditionStatus;

constexpr std::size_t kMaxNamesInMessage = 10;

struct Verdict {
  ConditionStatus status = ConditionStatus::Unknown;
  std::string reason;
  std::string message;
};

struct LayerSpec {
  catalog::Layer layer;
  std::string_view type;
  bool fromNodes;  // evaluated by the node probes rather than from the API
};

constexpr std::array kLayers = {
    LayerSpec{catalog::Layer::Components, kCondComponentsReady, false},
    LayerSpec{catalog::Layer::ControlPlane, kCondControlPlaneReady, false},
    LayerSpec{catalog::Layer::Datapath, kCondDatapathProgrammed, true},
    LayerSpec{catalog::Layer::Tunnel, kCondTunnelHealthy, true},
    LayerSpec{catalog::Layer::EndToEnd, kCondEgressVerified, true},
};

std::string joinNames(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kMaxNamesInMessage; ++i) {
    out += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > kMaxNamesInMessage) {
    out += " and " + std::to_string(names.size() - kMaxNamesInMessage) + " more";
  }
  return out;
}

// "SPN-IP-RULE on node-a: <message>": the check and node always lead the message.
std::string describe(const model::Finding& finding) {
  std::string out = finding.check;
  if (!finding.node.empty()) {
    out += " on " + finding.node;
  }
  return out + ": " + finding.message;
}

Verdict coverageVerdict(const NodeCoverage& coverage) {
  std::size_t expected = coverage.expected.size();
  if (expected == 0) {
    return {ConditionStatus::Unknown, "NoNodesExpected",
            "no node is expected to probe this target yet"};
  }
  std::string counts = std::to_string(coverage.reporting.size()) + "/" + std::to_string(expected);
  if (coverage.missing.empty()) {
    return {ConditionStatus::True, "AllNodesReporting", counts + " nodes reporting"};
  }
  return {ConditionStatus::False, "NodesNotReporting",
          counts + " nodes reporting; no live probe result from " + joinNames(coverage.missing)};
}

Verdict layerVerdict(const LayerSpec& spec, const Evaluation& evaluation, const Verdict& coverage) {
  std::vector<const model::Finding*> fails;
  const model::Finding* unknown = nullptr;
  std::size_t count = 0;
  for (const auto& finding : evaluation.findings) {
    if (layerRank(finding) != static_cast<int>(spec.layer)) {
      continue;
    }
    ++count;
    if (finding.status == model::CheckStatus::Fail) {
      fails.push_back(&finding);
    } else if (finding.status == model::CheckStatus::Unknown && unknown == nullptr) {
      unknown = &finding;
    }
  }
  if (!fails.empty()) {
    std::string message = describe(*fails.front());
    if (fails.size() > 1) {
      message += " (" + std::to_string(fails.size() - 1) + " more failing)";
    }
    return {ConditionStatus::False, fails.front()->reason, message};
  }
  if (spec.fromNodes && coverage.status != ConditionStatus::True) {
    return {ConditionStatus::Unknown, coverage.reason, coverage.message};
  }
  if (unknown != nullptr) {
    return {ConditionStatus::Unknown, unknown->reason, describe(*unknown)};
  }
  if (spec.layer == catalog::Layer::EndToEnd && !evaluation.probeConfigured) {
    return {ConditionStatus::Unknown, "ProbeNotConfigured",
            "spec.probe.url is not set: egress is not verified end to end"};
  }
  if (!spec.fromNodes && count == 0) {
    return {ConditionStatus::Unknown, "NotEvaluated", "no check of this layer applies"};
  }
  std::string scope = spec.fromNodes
                          ? "on " + std::to_string(evaluation.coverage.reporting.size()) + " nodes"
                          : "(" + std::to_string(count) + " checks)";
  return {ConditionStatus::True, "ChecksPassed",
          "all " + std::string(catalog::toString(spec.layer)) + " checks pass " + scope};
}

model::Condition makeCondition(const model::EgressDiagnosis& diagnosis, std::string_view type,
                               Verdict verdict, model::Time now) {
  model::Condition condition;
  condition.type = std::string(type);
  condition.status = verdict.status;
  condition.reason = std::move(verdict.reason);
  condition.message = std::move(verdict.message);
  condition.observedGeneration = diagnosis.metadata.generation;
  const auto* previous = model::findCondition(diagnosis.status.conditions, type);
  condition.lastTransitionTime =
      previous != nullptr && previous->status == condition.status && previous->lastTransitionTime
          ? previous->lastTransitionTime
          : std::optional<model::Time>(now);
  return condition;
}

std::vector<model::FailingCheck> failingChecks(const model::EgressDiagnosis& diagnosis,
                                               const Evaluation& evaluation, model::Time now) {
  std::vector<model::FailingCheck> out;
  for (const auto& finding : evaluation.findings) {
    if (finding.status != model::CheckStatus::Fail) {
      continue;
    }
    if (out.size() == model::kMaxFailingChecks) {
      break;
    }
    model::FailingCheck entry{finding.check, finding.node, finding.reason, finding.message,
                              finding.since};
    const auto& previous = diagnosis.status.failingChecks;
    auto it = std::ranges::find_if(previous, [&](const model::FailingCheck& p) {
      return p.check == entry.check && p.node == entry.node;
    });
    if (it != previous.end() && it->since) {
      entry.since = it->since;
    } else if (!entry.since) {
      entry.since = now;
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::vector<model::Outage> updateOutages(std::vector<model::Outage> outages,
                                         const model::Condition& healthy, model::Time now) {
  bool open = !outages.empty() && !outages.back().end;
  if (healthy.status == ConditionStatus::False && !open) {
    outages.push_back(model::Outage{now, std::nullopt, healthy.reason, healthy.message});
  } else if (healthy.status == ConditionStatus::True && open) {
    outages.back().end = now;
  }
  if (outages.size() > model::kMaxOutages) {
    outages.erase(outages.begin(), outages.begin() + static_cast<std::ptrdiff_t>(
                                                         outages.size() - model::kMaxOutages));
  }
  return outages;
}

}  // namespace

Evaluation evaluateDiagnosis(const ClusterState& state, const model::EgressDiagnosis& diagnosis,
                             model::Time now) {
  Evaluation evaluation;
  const auto& probe = diagnosis.spec.probe;
  evaluation.probeConfigured = probe.has_value() && !probe->url.empty();
  auto target = resolveTarget(state, diagnosis);
  if (!target) {
    evaluation.stall = std::move(target.error());
    return evaluation;
  }
  ControlPlaneResult controlPlane = evaluateControlPlane(state, *target, now);
  NodeAggregate nodes = aggregateNodeFindings(state.objects.egressNodeReports, state.objects.leases,
                                              controlPlane.expectedNodes, target->ref, now);
  evaluation.findings = std::move(controlPlane.findings);
  std::ranges::move(nodes.findings, std::back_inserter(evaluation.findings));
  sortFindings(evaluation.findings);
  evaluation.coverage = std::move(nodes.coverage);
  evaluation.egressIP = std::move(controlPlane.egressIP);
  evaluation.gatewayNode = std::move(controlPlane.gatewayNode);
  evaluation.recheckAt = evaluation.coverage.nextExpiry;
  if (controlPlane.recheckAt) {
    evaluation.recheckAt =
        std::min(evaluation.recheckAt.value_or(*controlPlane.recheckAt), *controlPlane.recheckAt);
  }
  return evaluation;
}

model::EgressDiagnosisStatus computeStatus(const model::EgressDiagnosis& diagnosis,
                                           const Evaluation& evaluation, model::Time now) {
  model::EgressDiagnosisStatus status;
  status.observedGeneration = diagnosis.metadata.generation;
  auto add = [&](std::string_view type, Verdict verdict) -> model::Condition {
    status.conditions.push_back(makeCondition(diagnosis, type, std::move(verdict), now));
    return status.conditions.back();
  };

  if (evaluation.stall) {
    const Stall& stall = *evaluation.stall;
    Verdict unknown{ConditionStatus::Unknown, stall.reason, "stalled: " + stall.message};
    add(kCondReady, {ConditionStatus::False, stall.reason, stall.message});
    model::Condition healthy = add(kCondHealthy, unknown);
    add(kCondStalled, {ConditionStatus::True, stall.reason, stall.message});
    add(kCondProbeCoverage, unknown);
    for (const auto& layer : kLayers) {
      add(layer.type, unknown);
    }
    status.outages = updateOutages(diagnosis.status.outages, healthy, now);
    status.nodes = "0/0";
    return status;
  }

  Verdict coverage = coverageVerdict(evaluation.coverage);
  std::vector<Verdict> layers;
  for (const auto& layer : kLayers) {
    layers.push_back(layerVerdict(layer, evaluation, coverage));
  }
  // Healthy: the first failing layer names the outage; otherwise True only with full coverage
  // and every counted layer True (end-to-end counts only when a probe URL is configured).
  Verdict healthy{ConditionStatus::True, "EgressHealthy", "every check passes"};
  auto firstFalse = std::ranges::find_if(
      layers, [](const Verdict& v) { return v.status == ConditionStatus::False; });
  if (firstFalse != layers.end()) {
    healthy = *firstFalse;
  } else if (coverage.status != ConditionStatus::True) {
    healthy = {ConditionStatus::Unknown, coverage.reason, coverage.message};
  } else {
    for (std::size_t i = 0; i < kLayers.size(); ++i) {
      bool counted = kLayers[i].layer != catalog::Layer::EndToEnd || evaluation.probeConfigured;
      if (counted && layers[i].status == ConditionStatus::Unknown) {
        healthy = layers[i];
        break;
      }
    }
  }
  Verdict ready;
  if (diagnosis.spec.readinessPolicy == model::ReadinessPolicy::Healthy) {
    ready = healthy.status == ConditionStatus::True
                ? Verdict{ConditionStatus::True, "EgressHealthy", "egress is healthy"}
                : Verdict{ConditionStatus::False, healthy.reason, healthy.message};
  } else {
    ready = coverage.status == ConditionStatus::True
                ? Verdict{ConditionStatus::True, "DiagnosisActive",
                          "the diagnosis is running with full probe coverage"}
                : Verdict{ConditionStatus::False, coverage.reason, coverage.message};
  }

  add(kCondReady, std::move(ready));
  model::Condition healthyCondition = add(kCondHealthy, healthy);
  add(kCondStalled, {ConditionStatus::False, "TargetResolved", "the target exists"});
  add(kCondProbeCoverage, coverage);
  for (std::size_t i = 0; i < kLayers.size(); ++i) {
    add(kLayers[i].type, std::move(layers[i]));
  }
  status.outages = updateOutages(diagnosis.status.outages, healthyCondition, now);
  status.egressIP = evaluation.egressIP;
  status.gatewayNode = evaluation.gatewayNode;
  status.nodes = std::to_string(evaluation.coverage.reporting.size()) + "/" +
                 std::to_string(evaluation.coverage.expected.size());
  status.lastProbeTime = evaluation.coverage.lastProbeTime;
  status.failingChecks = failingChecks(diagnosis, evaluation, now);
  return status;
}

std::vector<EventIntent> decideEvents(const model::EgressDiagnosisStatus& before,
                                      const model::EgressDiagnosisStatus& after) {
  std::vector<EventIntent> events;
  const model::Outage* wasOpen =
      !before.outages.empty() && !before.outages.back().end ? &before.outages.back() : nullptr;
  const model::Outage* isOpen =
      !after.outages.empty() && !after.outages.back().end ? &after.outages.back() : nullptr;
  if (isOpen != nullptr && (wasOpen == nullptr || wasOpen->start != isOpen->start)) {
    events.push_back({"Warning", std::string(kEventDegraded),
                      "Egress degraded (" + isOpen->reason + "): " + isOpen->message});
  }
  if (wasOpen != nullptr && isOpen == nullptr) {
    auto closed = std::ranges::find_if(after.outages, [&](const model::Outage& o) {
      return o.start == wasOpen->start && o.end.has_value();
    });
    if (closed != after.outages.end()) {
      auto seconds =
          std::chrono::duration_cast<std::chrono::milliseconds>(*closed->end - closed->start);
      events.push_back({"Normal", std::string(kEventRestored),
                        "Egress restored after " + model::formatDuration(seconds) + " (was " +
                            closed->reason + ")"});
    }
  }
  return events;
}

}  // namespace egressdiag::controller
