#include "node-probe/daemon/metrics.h"

namespace egressdiag::daemon {

ProbeMetrics::ProbeMetrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      snapshot_(prometheus::BuildHistogram()
                    .Name("egressdiag_probe_snapshot_seconds")
                    .Help("Time to read one datapath snapshot of this node")
                    .Register(*registry_)),
      checks_(prometheus::BuildGauge()
                  .Name("egressdiag_probe_checks")
                  .Help("Targets per check and status in this node's latest evaluation")
                  .Register(*registry_)),
      tunnelRtt_(prometheus::BuildGauge()
                     .Name("egressdiag_tunnel_rtt_seconds")
                     .Help("Round-trip time of the last answered tunnel ping to a peer node")
                     .Register(*registry_)),
      sourceIp_(prometheus::BuildCounter()
                    .Name("egressdiag_source_ip_checks_total")
                    .Help("Source-IP echo probes by result: match, mismatch, error")
                    .Register(*registry_)),
      driftRepairs_(prometheus::BuildCounter()
                        .Name("egressdiag_drift_repairs_total")
                        .Help("Checks that went from failing to passing with no object change")
                        .Register(*registry_)),
      evaluations_(prometheus::BuildCounter()
                       .Name("egressdiag_probe_evaluations_total")
                       .Help("Evaluations by trigger: netlink, objects, poll, active, start")
                       .Register(*registry_)),
      reportWrites_(prometheus::BuildCounter()
                        .Name("egressdiag_probe_report_writes_total")
                        .Help("EgressNodeReport writes by result: ok, error")
                        .Register(*registry_)),
      apiRequests_(prometheus::BuildCounter()
                       .Name("egressdiag_api_requests_total")
                       .Help("Kubernetes API requests by verb and HTTP code (0: no response)")
                       .Register(*registry_)),
      lastEvaluation_(prometheus::BuildGauge()
                          .Name("egressdiag_probe_last_evaluation_timestamp_seconds")
                          .Help("Unix time of the latest completed evaluation (0: none yet)")
                          .Register(*registry_)) {
  for (const char* result : {"match", "mismatch", "error"}) {
    sourceIp_.Add({{"result", result}});
  }
  for (const char* result : {"ok", "error"}) {
    reportWrites_.Add({{"result", result}});
  }
  lastEvaluation_.Add({}).Set(0);
}

void ProbeMetrics::observeSnapshot(double seconds) {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  snapshot_.Add({}, kBuckets).Observe(seconds);
}

void ProbeMetrics::setCheckResults(const std::vector<runner::FlavourFindings>& findings) {
  std::map<std::pair<std::string, std::string>, int> counts;
  for (const auto& run : findings) {
    for (const auto& f : run.findings) {
      ++counts[{std::string(catalog::toString(f.check)), std::string(catalog::toString(f.status))}];
    }
  }
  std::lock_guard lock(mutex_);
  for (const auto& key : checkSeries_) {
    if (!counts.contains(key)) {
      checks_.Remove(&checks_.Add({{"check", key.first}, {"status", key.second}}));
    }
  }
  checkSeries_.clear();
  for (const auto& [key, n] : counts) {
    checks_.Add({{"check", key.first}, {"status", key.second}}).Set(n);
    checkSeries_.insert(key);
  }
}

void ProbeMetrics::recordActive(const runner::ActiveObservations& observed) {
  sourceIp_.Add({{"result", "match"}}).Increment(observed.sourceIpMatch);
  sourceIp_.Add({{"result", "mismatch"}}).Increment(observed.sourceIpMismatch);
  sourceIp_.Add({{"result", "error"}}).Increment(observed.sourceIpError);
  std::lock_guard lock(mutex_);
  std::set<std::string> answered;
  for (const auto& tunnel : observed.tunnels) {
    if (tunnel.seconds) {
      tunnelRtt_.Add({{"peer_node", tunnel.peerNode}}).Set(*tunnel.seconds);
      answered.insert(tunnel.peerNode);
    }
  }
  // A silent peer loses its series: a stale RTT would look like a healthy tunnel.
  for (const auto& peer : peers_) {
    if (!answered.contains(peer)) {
      tunnelRtt_.Remove(&tunnelRtt_.Add({{"peer_node", peer}}));
    }
  }
  peers_ = std::move(answered);
}

void ProbeMetrics::countDriftRepair(const std::string& check) {
  driftRepairs_.Add({{"check", check}}).Increment();
}

void ProbeMetrics::countEvaluation(const std::string& trigger) {
  evaluations_.Add({{"trigger", trigger}}).Increment();
}

void ProbeMetrics::countReportWrite(bool ok) {
  reportWrites_.Add({{"result", ok ? "ok" : "error"}}).Increment();
}

void ProbeMetrics::countApiRequest(const std::string& verb, int code) {
  apiRequests_.Add({{"verb", verb}, {"code", std::to_string(code)}}).Increment();
}

void ProbeMetrics::setLastEvaluation(double unixSeconds) {
  lastEvaluation_.Add({}).Set(unixSeconds);
}

}  // namespace egressdiag::daemon
