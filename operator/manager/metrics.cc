#include "operator/manager/metrics.h"

namespace egressdiag::manager {
namespace {

prometheus::Histogram::BucketBoundaries reconcileBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
}

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      healthy_(prometheus::BuildGauge()
                   .Name("egressdiag_diagnosis_healthy")
                   .Help("Healthy condition of an EgressDiagnosis: 1 True, 0 False, -1 Unknown")
                   .Register(*registry_)),
      checkFailing_(prometheus::BuildGauge()
                        .Name("egressdiag_check_failing")
                        .Help("Number of diagnoses in which this check fails on this node "
                              "(node empty: not node-specific)")
                        .Register(*registry_)),
      reportAge_(prometheus::BuildGauge()
                     .Name("egressdiag_node_report_age_seconds")
                     .Help("Seconds since the node's probe last renewed its Lease or reported")
                     .Register(*registry_)),
      reconcileDuration_(prometheus::BuildHistogram()
                             .Name("egressdiag_reconcile_duration_seconds")
                             .Help("Time to reconcile one EgressDiagnosis")
                             .Register(*registry_)),
      queueDepth_(prometheus::BuildGauge()
                      .Name("egressdiag_workqueue_depth")
                      .Help("Diagnoses waiting to be reconciled")
                      .Register(*registry_)),
      apiRequests_(prometheus::BuildCounter()
                       .Name("egressdiag_api_requests_total")
                       .Help("Kubernetes API requests by verb and HTTP code (0: no response)")
                       .Register(*registry_)),
      statusWrites_(prometheus::BuildCounter()
                        .Name("egressdiag_status_writes_total")
                        .Help("EgressDiagnosis status writes")
                        .Register(*registry_)),
      events_(prometheus::BuildCounter()
                  .Name("egressdiag_events_total")
                  .Help("Events emitted, by reason")
                  .Register(*registry_)),
      leader_(prometheus::BuildGauge()
                  .Name("egressdiag_leader")
                  .Help("1 when this replica is the leader (writes status)")
                  .Register(*registry_)) {
  queueDepth_.Add({}).Set(0);
  statusWrites_.Add({});
  leader_.Add({}).Set(0);
}

void Metrics::recordDiagnosis(const std::string& ns, const std::string& name,
                              const model::EgressDiagnosisStatus& status) {
  const auto* healthy = model::findCondition(status.conditions, "Healthy");
  double value = -1;
  if (healthy != nullptr && healthy->status != model::ConditionStatus::Unknown) {
    value = healthy->status == model::ConditionStatus::True ? 1 : 0;
  }
  healthy_.Add({{"namespace", ns}, {"name", name}}).Set(value);

  std::set<CheckKey> failing;
  for (const auto& check : status.failingChecks) {
    failing.insert({check.check, check.node});
  }
  std::lock_guard lock(mutex_);
  auto& previous = failingByDiagnosis_[ns + "/" + name];
  for (const auto& key : previous) {
    if (!failing.contains(key)) {
      --failingCount_[key];
      setCheckCountLocked(key);
    }
  }
  for (const auto& key : failing) {
    if (!previous.contains(key)) {
      ++failingCount_[key];
      setCheckCountLocked(key);
    }
  }
  previous = std::move(failing);
}

void Metrics::forgetDiagnosis(const std::string& ns, const std::string& name) {
  auto& gauge = healthy_.Add({{"namespace", ns}, {"name", name}});
  healthy_.Remove(&gauge);
  std::lock_guard lock(mutex_);
  auto it = failingByDiagnosis_.find(ns + "/" + name);
  if (it == failingByDiagnosis_.end()) {
    return;
  }
  for (const auto& key : it->second) {
    --failingCount_[key];
    setCheckCountLocked(key);
  }
  failingByDiagnosis_.erase(it);
}

void Metrics::setCheckCountLocked(const CheckKey& key) {
  auto& gauge = checkFailing_.Add({{"check", key.first}, {"node", key.second}});
  int count = failingCount_[key];
  if (count <= 0) {
    checkFailing_.Remove(&gauge);
    failingCount_.erase(key);
  } else {
    gauge.Set(count);
  }
}

void Metrics::observeReconcile(double seconds) {
  reconcileDuration_.Add({}, reconcileBuckets()).Observe(seconds);
}

void Metrics::setQueueDepth(std::size_t depth) {
  queueDepth_.Add({}).Set(static_cast<double>(depth));
}

void Metrics::setNodeReportAges(const std::map<std::string, double>& ages) {
  std::lock_guard lock(mutex_);
  for (const auto& node : reportAgeNodes_) {
    if (!ages.contains(node)) {
      reportAge_.Remove(&reportAge_.Add({{"node", node}}));
    }
  }
  reportAgeNodes_.clear();
  for (const auto& [node, seconds] : ages) {
    reportAge_.Add({{"node", node}}).Set(seconds);
    reportAgeNodes_.insert(node);
  }
}

void Metrics::countApiRequest(const std::string& verb, int code) {
  apiRequests_.Add({{"verb", verb}, {"code", std::to_string(code)}}).Increment();
}

void Metrics::countStatusWrite() {
  statusWrites_.Add({}).Increment();
}

void Metrics::countEvent(const std::string& reason) {
  events_.Add({{"reason", reason}}).Increment();
}

void Metrics::setLeader(bool leader) {
  leader_.Add({}).Set(leader ? 1 : 0);
}

}  // namespace egressdiag::manager
