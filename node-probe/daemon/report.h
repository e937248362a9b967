#pragma once

// The functional core of the daemon: findings -> this node's EgressNodeReport status, the
// change test that decides whether it is written, and drift (a check that healed by itself).

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/runner/node_checks.h"
#include "operator/model/egressdiag.h"

namespace egressdiag::daemon {

// One finding in the report's typed form (target kind from the flavour).
model::Finding toReportFinding(runner::Flavour flavour, const catalog::Finding& finding);

// The report of `node` from every finding of the latest passive and active runs, bounded to
// the CRD (boundNodeReport). A finding keeps the `since` of the same check, target and status
// in `previous`; new ones start at `now`.
model::EgressNodeReport buildReport(const std::string& node,
                                    const std::vector<runner::FlavourFindings>& findings,
                                    const model::EgressNodeReportStatus* previous,
                                    model::Time now, std::chrono::milliseconds snapshot,
                                    std::string_view probeVersion);

// True when the two statuses say the same (ignoring lastProbeTime and the snapshot time):
// there is nothing worth a write.
bool sameResults(const model::EgressNodeReportStatus& a, const model::EgressNodeReportStatus& b);

// Counts checks that went from Fail to Pass while the objects stayed the same (no object
// change between the failing and the passing evaluation): something outside the egress
// controller's reconcile repaired the datapath, or something keeps breaking it.
class DriftTracker {
 public:
  // Feeds one run's findings; returns the check IDs that healed by themselves.
  std::vector<std::string> update(const std::vector<runner::FlavourFindings>& findings,
                                  std::uint64_t objectsGeneration);

 private:
  std::map<std::string, std::uint64_t> failing_;  // "check|target" -> generation last seen Fail
};

}  // namespace egressdiag::daemon
