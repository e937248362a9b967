#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/model/core.h"
#include "operator/model/decode.h"
#include "operator/model/egressdiag.h"

namespace egressdiag::controller {

// The probe on node N renews the Lease "egressdiag-probe-N" (in the operator's namespace); a
// Lease without leaseDurationSeconds counts as this long.
inline constexpr std::string_view kProbeLeasePrefix = "egressdiag-probe-";
inline constexpr std::chrono::seconds kDefaultProbeLeaseDuration{40};

// Which of the nodes that matter for a target have a live probe that evaluated the target.
struct NodeCoverage {
  std::vector<std::string> expected;         // sorted
  std::vector<std::string> reporting;        // sorted, subset of expected
  std::vector<std::string> missing;          // expected - reporting
  std::optional<model::Time> lastProbeTime;  // newest lastProbeTime of a reporting node
  // Earliest time a reporting node's Lease lapses: when coverage must be recomputed.
  std::optional<model::Time> nextExpiry;

  bool operator==(const NodeCoverage&) const = default;
};

struct NodeAggregate {
  std::vector<model::Finding> findings;  // of reporting expected nodes, node and target filled
  NodeCoverage coverage;
};

// When the Lease lapses: renewTime (else acquireTime) + leaseDurationSeconds; nullopt when it
// has never been renewed.
std::optional<model::Time> leaseExpiry(const model::Lease& lease);

// A node reports for `target` when its Lease is live at `now` and its EgressNodeReport has an
// entry for the target. Findings come from that entry and from the node-wide entry (empty
// target); reports of nodes that are not expected or not live are ignored (stale data is not a
// result).
NodeAggregate aggregateNodeFindings(const std::vector<model::EgressNodeReport>& reports,
                                    const std::vector<model::Lease>& leases,
                                    const std::vector<std::string>& expectedNodes,
                                    const model::TargetRef& target, model::Time now);

// Seconds since each node's probe was last heard of: the later of its Lease renewal and its
// report's lastProbeTime, for every node with either. A node some diagnosis expects
// (`expectedSince`: node -> when the earliest such diagnosis was created) that was never heard
// of counts from when a report became due: the later of that time and the Node's creation (a
// never-reporting probe then ages and alerts like a silent one, rather than having no series).
// Nodes with neither are absent. Negative ages (clock skew) are clamped to 0.
std::map<std::string, double> nodeReportAges(
    const model::ObjectSet& objects, const std::map<std::string, model::Time>& expectedSince,
    model::Time now);

}  // namespace egressdiag::controller
