#include "operator/controller/coverage.h"

#include <algorithm>
#include <map>

#include "operator/controller/target.h"

namespace egressdiag::controller {

std::optional<model::Time> leaseExpiry(const model::Lease& lease) {
  auto renewed = lease.spec.renewTime ? lease.spec.renewTime : lease.spec.acquireTime;
  if (!renewed) {
    return std::nullopt;
  }
  std::chrono::seconds duration = lease.spec.leaseDurationSeconds
                                      ? std::chrono::seconds(*lease.spec.leaseDurationSeconds)
                                      : kDefaultProbeLeaseDuration;
  return *renewed + duration;
}

NodeAggregate aggregateNodeFindings(const std::vector<model::EgressNodeReport>& reports,
                                    const std::vector<model::Lease>& leases,
                                    const std::vector<std::string>& expectedNodes,
                                    const model::TargetRef& target, model::Time now) {
  NodeAggregate out;
  out.coverage.expected = expectedNodes;
  std::ranges::sort(out.coverage.expected);

  std::map<std::string_view, std::optional<model::Time>> expiryByNode;
  for (const auto& lease : leases) {
    std::string_view name = lease.metadata.name;
    if (name.starts_with(kProbeLeasePrefix)) {
      auto expiry = leaseExpiry(lease);
      auto& slot = expiryByNode[name.substr(kProbeLeasePrefix.size())];
      if (expiry && (!slot || *expiry > *slot)) {
        slot = expiry;
      }
    }
  }
  std::map<std::string_view, const model::EgressNodeReport*> reportByNode;
  for (const auto& report : reports) {
    reportByNode[report.nodeName.empty() ? report.metadata.name : report.nodeName] = &report;
  }

  for (const auto& node : out.coverage.expected) {
    auto expiry = expiryByNode.find(node);
    auto report = reportByNode.find(node);
    bool live = expiry != expiryByNode.end() && expiry->second && *expiry->second > now;
    const model::TargetReport* entry = nullptr;
    if (live && report != reportByNode.end()) {
      for (const auto& targetReport : report->second->status.targets) {
        if (sameTarget(targetReport.target, target)) {
          entry = &targetReport;
        }
      }
    }
    if (entry == nullptr) {
      out.coverage.missing.push_back(node);
      continue;
    }
    out.coverage.reporting.push_back(node);
    const auto& status = report->second->status;
    if (status.lastProbeTime &&
        (!out.coverage.lastProbeTime || *status.lastProbeTime > *out.coverage.lastProbeTime)) {
      out.coverage.lastProbeTime = status.lastProbeTime;
    }
    if (!out.coverage.nextExpiry || *expiry->second < *out.coverage.nextExpiry) {
      out.coverage.nextExpiry = expiry->second;
    }
    for (const auto& targetReport : status.targets) {
      bool nodeWide = targetReport.target == model::TargetRef{};
      if (&targetReport != entry && !nodeWide) {
        continue;
      }
      for (auto finding : targetReport.findings) {
        finding.node = node;
        finding.target = target;
        out.findings.push_back(std::move(finding));
      }
    }
  }
  return out;
}

std::map<std::string, double> nodeReportAges(
    const model::ObjectSet& objects, const std::map<std::string, model::Time>& expectedSince,
    model::Time now) {
  std::map<std::string, model::Time> heard;
  auto hear = [&](const std::string& node, const std::optional<model::Time>& at) {
    if (node.empty() || !at) {
      return;
    }
    auto [it, inserted] = heard.try_emplace(node, *at);
    if (!inserted && *at > it->second) {
      it->second = *at;
    }
  };
  for (const auto& report : objects.egressNodeReports) {
    hear(report.nodeName.empty() ? report.metadata.name : report.nodeName,
         report.status.lastProbeTime);
  }
  for (const auto& lease : objects.leases) {
    std::string_view name = lease.metadata.name;
    if (name.starts_with(kProbeLeasePrefix)) {
      hear(std::string(name.substr(kProbeLeasePrefix.size())),
           lease.spec.renewTime ? lease.spec.renewTime : lease.spec.acquireTime);
    }
  }
  for (const auto& [node, since] : expectedSince) {
    if (heard.contains(node)) {
      continue;
    }
    auto found = std::ranges::find_if(
        objects.nodes, [&](const model::Node& n) { return n.metadata.name == node; });
    if (found == objects.nodes.end()) {
      continue;  // not a node (yet): nothing is due from it
    }
    model::Time due = since;
    if (found->metadata.creationTimestamp && *found->metadata.creationTimestamp > due) {
      due = *found->metadata.creationTimestamp;
    }
    heard.emplace(node, due);
  }
  std::map<std::string, double> ages;
  for (const auto& [node, at] : heard) {
    ages[node] = std::max(0.0, std::chrono::duration<double>(now - at).count());
  }
  return ages;
}

}  // namespace egressdiag::controller
