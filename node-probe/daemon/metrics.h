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
#include <vector>

#include "node-probe/runner/node_checks.h"

namespace egressdiag::daemon {

// The probe's metrics (docs/metrics.md, "Probe"). The node label comes from the scrape
// (PodMonitor), so no series here carries it; labels are catalog IDs, statuses, peer node
// names, fixed result words and verbs/codes: all bounded.
class ProbeMetrics {
 public:
  ProbeMetrics();

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  void observeSnapshot(double seconds);
  // The findings of the latest runs: per check and status, how many targets.
  void setCheckResults(const std::vector<runner::FlavourFindings>& findings);
  void recordActive(const runner::ActiveObservations& observed);
  void countDriftRepair(const std::string& check);
  void countEvaluation(const std::string& trigger);
  void countReportWrite(bool ok);
  void countApiRequest(const std::string& verb, int code);
  void setLastEvaluation(double unixSeconds);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>& snapshot_;
  prometheus::Family<prometheus::Gauge>& checks_;
  prometheus::Family<prometheus::Gauge>& tunnelRtt_;
  prometheus::Family<prometheus::Counter>& sourceIp_;
  prometheus::Family<prometheus::Counter>& driftRepairs_;
  prometheus::Family<prometheus::Counter>& evaluations_;
  prometheus::Family<prometheus::Counter>& reportWrites_;
  prometheus::Family<prometheus::Counter>& apiRequests_;
  prometheus::Family<prometheus::Gauge>& lastEvaluation_;

  std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> checkSeries_;  // (check, status) set last time
  std::set<std::string> peers_;
};

}  // namespace egressdiag::daemon
