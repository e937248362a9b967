#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "operator/model/egressdiag.h"

namespace egressdiag::manager {

// The operator's metrics (prefix egressdiag_, base units, bounded labels: namespace/name of
// diagnoses, check IDs from the catalog, node names, HTTP verbs and codes).
class Metrics {
 public:
  Metrics();

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // After a reconcile: health gauge (1 True, 0 False, -1 Unknown) and the failing checks of
  // this diagnosis, aggregated per (check, node) over all diagnoses.
  void recordDiagnosis(const std::string& ns, const std::string& name,
                       const model::EgressDiagnosisStatus& status);
  // The diagnosis is gone: its series are removed.
  void forgetDiagnosis(const std::string& ns, const std::string& name);
  void observeReconcile(double seconds);
  void setQueueDepth(std::size_t depth);
  // Ages of every node's probe report; series of nodes no longer in `ages` are removed.
  void setNodeReportAges(const std::map<std::string, double>& ages);
  void countApiRequest(const std::string& verb, int code);
  void countStatusWrite();
  void countEvent(const std::string& reason);
  void setLeader(bool leader);

 private:
  using CheckKey = std::pair<std::string, std::string>;  // check, node
  void setCheckCountLocked(const CheckKey& key);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Gauge>& healthy_;
  prometheus::Family<prometheus::Gauge>& checkFailing_;
  prometheus::Family<prometheus::Gauge>& reportAge_;
  prometheus::Family<prometheus::Histogram>& reconcileDuration_;
  prometheus::Family<prometheus::Gauge>& queueDepth_;
  prometheus::Family<prometheus::Counter>& apiRequests_;
  prometheus::Family<prometheus::Counter>& statusWrites_;
  prometheus::Family<prometheus::Counter>& events_;
  prometheus::Family<prometheus::Gauge>& leader_;

  std::mutex mutex_;
  std::map<std::string, std::set<CheckKey>> failingByDiagnosis_;  // "ns/name" -> failing
  std::map<CheckKey, int> failingCount_;
  std::set<std::string> reportAgeNodes_;
};

}  // namespace egressdiag::manager
