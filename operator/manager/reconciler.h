#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "operator/kube/client.h"
#include "operator/kube/events.h"
#include "operator/manager/cache.h"
#include "operator/manager/metrics.h"
#include "operator/model/egressdiag.h"

namespace egressdiag::manager {

struct ReconcileResult {
  bool ok = true;                                    // false: retry with backoff
  std::optional<std::chrono::milliseconds> requeue;  // recheck then (Evaluation::recheckAt)
};

// The imperative shell around the pure core for one EgressDiagnosis: snapshot -> evaluate ->
// computeStatus -> write /status only when it changed (merge patch) -> Events on transitions.
class Reconciler {
 public:
  Reconciler(kube::Client& client, ClusterCache& cache, kube::EventRecorder& events,
             Metrics& metrics);

  ReconcileResult reconcile(const std::string& key);
  // Forget what this replica wrote (on gaining leadership the API is the only truth).
  void reset();
  // Node -> creation time of the earliest diagnosis reconciled here that expects a report from
  // it (input of controller::nodeReportAges).
  std::map<std::string, model::Time> expectedSince() const;

 private:
  kube::Client& client_;
  ClusterCache& cache_;
  kube::EventRecorder& events_;
  Metrics& metrics_;
  mutable std::mutex mutex_;
  // Status this replica wrote per "ns/name" (with the object's uid), used as the previous
  // status until the informer has caught up, so no transition is seen (or announced) twice.
  struct Written {
    std::string uid;
    model::EgressDiagnosisStatus status;
  };
  std::map<std::string, Written> written_;
  struct Expectation {
    model::Time created;
    std::vector<std::string> nodes;
  };
  std::map<std::string, Expectation> expected_;  // per "ns/name"
};

}  // namespace egressdiag::manager
