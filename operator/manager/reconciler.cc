#include "operator/manager/reconciler.h"

#include <algorithm>

#include "operator/common/logging.h"
#include "operator/controller/status.h"

namespace egressdiag::manager {
namespace {

kube::ResourceRef diagnosisResource() {
  const auto& type = model::kEgressDiagnosis;
  return {std::string(type.group), std::string(type.version), std::string(type.plural), true};
}

// Status times are stored with seconds precision; computing with the same precision keeps a
// freshly computed status equal to the stored one.
model::Time nowSeconds() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
}

}  // namespace

Reconciler::Reconciler(kube::Client& client, ClusterCache& cache, kube::EventRecorder& events,
                       Metrics& metrics)
    : client_(client), cache_(cache), events_(events), metrics_(metrics) {}

void Reconciler::reset() {
  std::lock_guard lock(mutex_);
  written_.clear();
}

std::map<std::string, model::Time> Reconciler::expectedSince() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, model::Time> since;
  for (const auto& [key, expectation] : expected_) {
    for (const auto& node : expectation.nodes) {
      auto [it, inserted] = since.try_emplace(node, expectation.created);
      if (!inserted && expectation.created < it->second) {
        it->second = expectation.created;
      }
    }
  }
  return since;
}

ReconcileResult Reconciler::reconcile(const std::string& key) {
  auto started = std::chrono::steady_clock::now();
  auto state = cache_.snapshot();
  std::size_t slash = key.find('/');
  std::string ns = key.substr(0, slash);
  std::string name = key.substr(slash + 1);
  auto found = std::ranges::find_if(state->objects.egressDiagnoses, [&](const auto& d) {
    return d.metadata.namespace_ == ns && d.metadata.name == name;
  });
  if (found == state->objects.egressDiagnoses.end()) {
    metrics_.forgetDiagnosis(ns, name);
    std::lock_guard lock(mutex_);
    written_.erase(key);
    expected_.erase(key);
    return {};
  }
  model::EgressDiagnosis diagnosis = *found;
  {
    std::lock_guard lock(mutex_);
    auto it = written_.find(key);
    if (it != written_.end()) {
      if (it->second.uid != diagnosis.metadata.uid || it->second.status == diagnosis.status) {
        written_.erase(it);  // recreated, or the informer has caught up
      } else {
        diagnosis.status = it->second.status;
      }
    }
  }
  model::Time now = nowSeconds();
  controller::Evaluation evaluation = controller::evaluateDiagnosis(*state, diagnosis, now);
  model::EgressDiagnosisStatus status = controller::computeStatus(diagnosis, evaluation, now);
  if (diagnosis.metadata.creationTimestamp) {
    std::lock_guard lock(mutex_);
    expected_[key] =
        Expectation{*diagnosis.metadata.creationTimestamp, evaluation.coverage.expected};
  }
  ReconcileResult result;
  if (evaluation.recheckAt) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*evaluation.recheckAt - now);
    result.requeue = std::max(wait, std::chrono::milliseconds(0)) + std::chrono::seconds(1);
  }
  if (status != diagnosis.status) {
    std::string body = "{\"status\":" + model::toJson(status) + "}";
    auto patched = client_.patch(diagnosisResource(), ns, name, kube::PatchType::Merge, body,
                                 kube::PatchOptions{"status", "egressdiag-operator", false});
    if (!patched) {
      if (patched.error().reason == kube::ApiReason::NotFound) {
        return result;
      }
      logging::log(spdlog::level::warn, "status write failed",
                   {{"namespace", ns}, {"name", name}, {"error", patched.error().describe()}});
      result.ok = false;
      return result;
    }
    metrics_.countStatusWrite();
    const auto* healthy = model::findCondition(status.conditions, controller::kCondHealthy);
    logging::log(spdlog::level::info, "status updated",
                 {{"namespace", ns},
                  {"name", name},
                  {"healthy", healthy ? model::toString(healthy->status) : "Unknown"},
                  {"reason", healthy ? healthy->reason : ""},
                  {"nodes", status.nodes}});
    for (const auto& event : controller::decideEvents(diagnosis.status, status)) {
      kube::EventSpec spec{
          {"egressdiag.io/v1alpha1", "EgressDiagnosis", ns, name, diagnosis.metadata.uid},
          event.type,
          event.reason,
          "Diagnose",
          event.note};
      if (auto recorded = events_.record(spec); !recorded) {
        logging::log(spdlog::level::warn, "event not recorded",
                     {{"namespace", ns},
                      {"name", name},
                      {"reason", event.reason},
                      {"error", recorded.error().describe()}});
      } else {
        metrics_.countEvent(event.reason);
      }
    }
    std::lock_guard lock(mutex_);
    written_[key] = Written{diagnosis.metadata.uid, status};
  }
  metrics_.recordDiagnosis(ns, name, status);
  metrics_.observeReconcile(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return result;
}

}  // namespace egressdiag::manager
