#include "operator/model/egressdiag.h"

#include <algorithm>
#include <array>
#include <map>

#include "operator/model/resource.h"

namespace egressdiag::model {
namespace {

constexpr std::array<std::pair<std::string_view, CheckStatus>, 5> kCheckStatuses{{
    {"Pass", CheckStatus::Pass},
    {"Fail", CheckStatus::Fail},
    {"Warn", CheckStatus::Warn},
    {"Unknown", CheckStatus::Unknown},
    {"Skipped", CheckStatus::Skipped},
}};

// The kinds a diagnosis can target, with their API groups (for parseTargetKey).
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kTargetKinds{{
    {kEgressPolicy.kind, kSpidernetGroup},
    {kEgressClusterPolicy.kind, kSpidernetGroup},
    {kStaticGatewayConfiguration.kind, kAzureGroup},
}};

constexpr std::string_view kEllipsis = "\xe2\x80\xa6";  // "…"

// Cuts `text` to at most `limit` bytes, ending in "…", without splitting a UTF-8 sequence.
void cut(std::string& text, std::size_t limit) {
  if (text.size() <= limit) {
    return;
  }
  std::size_t end = limit > kEllipsis.size() ? limit - kEllipsis.size() : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) {
    --end;
  }
  text.resize(end);
  text += kEllipsis;
}

// Keeps targetKey() within its cap: kind and namespace are short in practice, the name gives.
void boundTarget(TargetRef& target) {
  cut(target.kind, ReportLimits::kMaxCheckBytes);
  cut(target.namespace_, ReportLimits::kMaxCheckBytes);
  std::size_t size = targetKey(target).size();
  if (size > ReportLimits::kMaxTargetBytes) {
    cut(target.name, target.name.size() - (size - ReportLimits::kMaxTargetBytes));
  }
}

void boundFinding(Finding& finding) {
  boundTarget(finding.target);
  cut(finding.check, ReportLimits::kMaxCheckBytes);
  cut(finding.layer, ReportLimits::kMaxLayerBytes);
  cut(finding.node, ReportLimits::kMaxNodeBytes);
  cut(finding.reason, ReportLimits::kMaxReasonBytes);
  cut(finding.message, ReportLimits::kMaxMessageBytes);
  cut(finding.remediation, ReportLimits::kMaxRemediationBytes);
  if (finding.evidence.size() > ReportLimits::kMaxEvidenceLines) {
    std::size_t omitted = finding.evidence.size() - (ReportLimits::kMaxEvidenceLines - 1);
    finding.evidence.resize(ReportLimits::kMaxEvidenceLines - 1);
    finding.evidence.push_back(std::string(kEllipsis) + " " + std::to_string(omitted) +
                               " more line(s)");
  }
  for (auto& line : finding.evidence) {
    cut(line, ReportLimits::kMaxEvidenceLineBytes);
  }
}

// Lower keeps first when a bound is reached.
int keepRank(CheckStatus status) {
  switch (status) {
    case CheckStatus::Fail:
      return 0;
    case CheckStatus::Unknown:
      return 1;
    case CheckStatus::Warn:
      return 2;
    case CheckStatus::Skipped:
      return 3;
    case CheckStatus::Pass:
      return 4;
  }
  return 4;
}

void add(CheckCounts& total, const CheckCounts& more) {
  total.pass += more.pass;
  total.fail += more.fail;
  total.warn += more.warn;
  total.unknown += more.unknown;
  total.skipped += more.skipped;
}

// Merges targets with the same key (the CRD's list-map key) into the first of them.
std::vector<TargetReport> mergeTargets(std::vector<TargetReport> targets) {
  std::vector<TargetReport> merged;
  std::map<std::string, std::size_t> index;
  for (auto& target : targets) {
    auto [found, inserted] = index.try_emplace(targetKey(target.target), merged.size());
    if (inserted) {
      merged.push_back(std::move(target));
      continue;
    }
    TargetReport& into = merged[found->second];
    std::ranges::move(target.findings, std::back_inserter(into.findings));
  }
  return merged;
}

}  // namespace

std::string_view toString(CheckStatus status) {
  for (const auto& [name, value] : kCheckStatuses) {
    if (value == status) {
      return name;
    }
  }
  return "Unknown";
}

Result<CheckStatus> parseCheckStatus(std::string_view text) {
  for (const auto& [name, value] : kCheckStatuses) {
    if (name == text) {
      return value;
    }
  }
  return fail(ErrorCode::InvalidInput,
              "expected one of Pass, Fail, Warn, Unknown, Skipped, got \"" +
                  std::string(text.substr(0, 64)) + "\"");
}

EgressDiagnosisStatus boundDiagnosisStatus(EgressDiagnosisStatus status) {
  using L = DiagnosisLimits;
  if (status.conditions.size() > L::kMaxConditions) {
    status.conditions.resize(L::kMaxConditions);
  }
  for (auto& condition : status.conditions) {
    cut(condition.message, L::kMaxConditionMessageBytes);
  }
  cut(status.egressIP, L::kMaxEgressIPBytes);
  cut(status.gatewayNode, L::kMaxNodeBytes);
  if (status.failingChecks.size() > kMaxFailingChecks) {
    status.failingChecks.resize(kMaxFailingChecks);
  }
  for (auto& check : status.failingChecks) {
    cut(check.check, L::kMaxCheckBytes);
    cut(check.node, L::kMaxNodeBytes);
    cut(check.reason, L::kMaxReasonBytes);
    cut(check.message, L::kMaxMessageBytes);
  }
  if (status.outages.size() > kMaxOutages) {
    status.outages.erase(status.outages.begin(),
                         status.outages.end() - static_cast<std::ptrdiff_t>(kMaxOutages));
  }
  for (auto& outage : status.outages) {
    cut(outage.reason, L::kMaxReasonBytes);
    cut(outage.message, L::kMaxMessageBytes);
  }
  return status;
}

std::string targetKey(const TargetRef& target) {
  if (target.kind.empty() && target.name.empty()) {
    return {};
  }
  if (target.namespace_.empty()) {
    return target.kind + "/" + target.name;
  }
  return target.kind + "/" + target.namespace_ + "/" + target.name;
}

Result<TargetRef> parseTargetKey(std::string_view key) {
  if (key.empty()) {
    return TargetRef{};
  }
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    std::size_t slash = key.find('/', start);
    parts.push_back(key.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) {
    return fail(ErrorCode::InvalidInput,
                "expected <Kind>/<namespace>/<name> or <Kind>/<name>, got \"" +
                    std::string(key.substr(0, 64)) + "\"");
  }
  if (parts[0] == kNode.kind && parts.size() == 2) {
    return TargetRef{};  // a report's node-wide entry
  }
  TargetRef target;
  target.kind = parts[0];
  target.name = parts.back();
  if (parts.size() == 3) {
    target.namespace_ = parts[1];
  }
  for (const auto& [kind, group] : kTargetKinds) {
    if (kind == target.kind) {
      target.apiGroup = group;
    }
  }
  return target;
}

EgressNodeReport boundNodeReport(EgressNodeReport report) {
  EgressNodeReportStatus& status = report.status;
  cut(status.probeVersion, ReportLimits::kMaxProbeVersionBytes);
  for (auto& target : status.targets) {
    boundTarget(target.target);
    // Only the node total is stored.
    add(status.counts, target.counts);
    target.counts = {};
  }
  status.targets = mergeTargets(std::move(status.targets));
  if (status.targets.size() > ReportLimits::kMaxTargets) {
    status.targets.resize(ReportLimits::kMaxTargets);
  }
  for (auto& target : status.targets) {
    // Pass results are only counted, never listed.
    std::erase_if(target.findings, [](const Finding& f) { return f.status == CheckStatus::Pass; });
    for (auto& finding : target.findings) {
      boundFinding(finding);
    }
  }
  // Choose which findings survive across all targets: by rank, then input order, within the
  // per-target and total counts and the encoded-size budget.
  struct Slot {
    int rank;
    std::size_t target;
    std::size_t finding;
  };
  std::vector<Slot> slots;
  std::vector<std::vector<bool>> keep(status.targets.size());
  for (std::size_t t = 0; t < status.targets.size(); ++t) {
    keep[t].assign(status.targets[t].findings.size(), false);
    for (std::size_t f = 0; f < status.targets[t].findings.size(); ++f) {
      slots.push_back(Slot{keepRank(status.targets[t].findings[f].status), t, f});
    }
  }
  std::ranges::stable_sort(slots, {}, &Slot::rank);
  std::vector<std::size_t> perTarget(status.targets.size(), 0);
  std::size_t kept = 0;
  std::size_t bytes = 0;
  for (const Slot& slot : slots) {
    if (kept == ReportLimits::kMaxFindings) {
      break;
    }
    if (perTarget[slot.target] == ReportLimits::kMaxFindingsPerTarget) {
      continue;
    }
    bytes += toJson(status.targets[slot.target].findings[slot.finding]).size();
    if (bytes > ReportLimits::kMaxFindingsBytes) {
      break;
    }
    keep[slot.target][slot.finding] = true;
    ++perTarget[slot.target];
    ++kept;
  }
  for (std::size_t t = 0; t < status.targets.size(); ++t) {
    std::vector<Finding> survivors;
    auto& findings = status.targets[t].findings;
    for (std::size_t f = 0; f < findings.size(); ++f) {
      if (keep[t][f]) {
        survivors.push_back(std::move(findings[f]));
      }
    }
    findings = std::move(survivors);
  }
  return report;
}

}  // namespace egressdiag::model
