#include "node-probe/daemon/report.h"

#include <tuple>

namespace egressdiag::daemon {
namespace {

model::CheckStatus toModel(catalog::Status status) {
  switch (status) {
    case catalog::Status::Pass:
      return model::CheckStatus::Pass;
    case catalog::Status::Fail:
      return model::CheckStatus::Fail;
    case catalog::Status::Warn:
      return model::CheckStatus::Warn;
    case catalog::Status::Unknown:
      return model::CheckStatus::Unknown;
    case catalog::Status::Skipped:
      return model::CheckStatus::Skipped;
  }
  return model::CheckStatus::Unknown;
}

void count(model::CheckCounts& counts, model::CheckStatus status) {
  switch (status) {
    case model::CheckStatus::Pass:
      ++counts.pass;
      break;
    case model::CheckStatus::Fail:
      ++counts.fail;
      break;
    case model::CheckStatus::Warn:
      ++counts.warn;
      break;
    case model::CheckStatus::Unknown:
      ++counts.unknown;
      break;
    case model::CheckStatus::Skipped:
      ++counts.skipped;
      break;
  }
}

auto identity(const model::Finding& f) {
  return std::tie(f.check, f.target, f.node, f.status);
}

}  // namespace

model::Finding toReportFinding(runner::Flavour flavour, const catalog::Finding& finding) {
  model::Finding out;
  out.check = std::string(catalog::toString(finding.check));
  out.layer = std::string(catalog::toString(finding.layer));
  out.target = runner::targetRefOf(flavour, finding.target);
  out.node = finding.node;
  out.status = toModel(finding.status);
  out.reason = finding.reason;
  out.message = finding.message;
  out.evidence = finding.evidence;
  out.remediation = finding.remediation;
  return out;
}

model::EgressNodeReport buildReport(const std::string& node,
                                    const std::vector<runner::FlavourFindings>& findings,
                                    const model::EgressNodeReportStatus* previous,
                                    model::Time now, std::chrono::milliseconds snapshot,
                                    std::string_view probeVersion) {
  model::EgressNodeReport report;
  report.metadata.name = node;
  report.nodeName = node;
  auto& status = report.status;
  status.probeVersion = std::string(probeVersion);
  status.lastProbeTime = now;
  status.snapshotDuration = snapshot;
  std::map<std::string, std::size_t> byTarget;
  for (const auto& run : findings) {
    for (const auto& f : run.findings) {
      model::Finding finding = toReportFinding(run.flavour, f);
      std::string key = model::targetKey(finding.target);
      auto [it, inserted] = byTarget.try_emplace(key, status.targets.size());
      if (inserted) {
        status.targets.push_back({finding.target, {}, {}});
      }
      auto& target = status.targets[it->second];
      count(target.counts, finding.status);
      target.findings.push_back(std::move(finding));
    }
  }
  report = model::boundNodeReport(std::move(report));
  for (auto& target : report.status.targets) {
    for (auto& finding : target.findings) {
      finding.since = now;
      if (previous == nullptr) {
        continue;
      }
      for (const auto& before : previous->targets) {
        for (const auto& old : before.findings) {
          if (identity(old) == identity(finding) && old.since) {
            finding.since = old.since;
          }
        }
      }
    }
  }
  return report;
}

bool sameResults(const model::EgressNodeReportStatus& a, const model::EgressNodeReportStatus& b) {
  auto strip = [](model::EgressNodeReportStatus s) {
    s.lastProbeTime.reset();
    s.snapshotDuration = {};
    return s;
  };
  return strip(a) == strip(b);
}

std::vector<std::string> DriftTracker::update(const std::vector<runner::FlavourFindings>& findings,
                                              std::uint64_t objectsGeneration) {
  std::vector<std::string> healed;
  for (const auto& run : findings) {
    for (const auto& f : run.findings) {
      std::string key = std::string(catalog::toString(f.check)) + "|" + f.target;
      if (f.status == catalog::Status::Fail) {
        failing_[key] = objectsGeneration;
        continue;
      }
      auto it = failing_.find(key);
      if (it == failing_.end() || f.status != catalog::Status::Pass) {
        continue;
      }
      if (it->second == objectsGeneration) {
        healed.emplace_back(catalog::toString(f.check));
      }
      failing_.erase(it);
    }
  }
  return healed;
}

}  // namespace egressdiag::daemon
