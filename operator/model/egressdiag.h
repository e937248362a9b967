#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/result.h"
#include "operator/model/object_meta.h"

// Our own kinds, egressdiag.io/v1alpha1 (design/architecture.md "Custom resources").
namespace egressdiag::model {

// The object a diagnosis (or a finding) is about: spidernet EgressPolicy/EgressClusterPolicy or
// Azure StaticGatewayConfiguration. All fields empty = no target.
struct TargetRef {
  std::string apiGroup;
  std::string kind;
  std::string name;
  std::string namespace_;

  bool operator==(const TargetRef&) const = default;
};

struct ProbeSpec {
  std::string url;
  std::optional<Duration> timeout;
  std::vector<std::string> expectedSourceIPs;

  bool operator==(const ProbeSpec&) const = default;
};

enum class ReadinessPolicy { Reconciled, Healthy };

struct EgressDiagnosisSpec {
  TargetRef targetRef;
  Duration interval = std::chrono::seconds(30);
  std::optional<ProbeSpec> probe;
  ReadinessPolicy readinessPolicy = ReadinessPolicy::Reconciled;

  bool operator==(const EgressDiagnosisSpec&) const = default;
};

struct FailingCheck {
  std::string check;
  std::string node;
  std::string reason;
  std::string message;
  std::optional<Time> since;

  bool operator==(const FailingCheck&) const = default;
};

struct Outage {
  Time start;
  std::optional<Time> end;  // absent while the outage lasts
  std::string reason;
  std::string message;

  bool operator==(const Outage&) const = default;
};

inline constexpr std::size_t kMaxFailingChecks = 50;
inline constexpr std::size_t kMaxOutages = 20;

struct EgressDiagnosisStatus {
  std::int64_t observedGeneration = 0;
  std::vector<Condition> conditions;
  std::string egressIP;
  std::string gatewayNode;
  std::string nodes;  // "reporting/expected"
  std::optional<Time> lastProbeTime;
  std::vector<FailingCheck> failingChecks;  // at most kMaxFailingChecks
  std::vector<Outage> outages;              // ring, at most kMaxOutages, oldest first

  bool operator==(const EgressDiagnosisStatus&) const = default;
};

struct EgressDiagnosis {
  ObjectMeta metadata;
  EgressDiagnosisSpec spec;
  EgressDiagnosisStatus status;

  bool operator==(const EgressDiagnosis&) const = default;
};

// Bounds of EgressDiagnosis.status from its CRD (crds/egressdiag.io_egressdiagnoses.yaml).
struct DiagnosisLimits {
  static constexpr std::size_t kMaxConditions = 16;
  static constexpr std::size_t kMaxConditionMessageBytes = 32768;
  static constexpr std::size_t kMaxEgressIPBytes = 256;
  static constexpr std::size_t kMaxNodeBytes = 253;
  static constexpr std::size_t kMaxCheckBytes = 64;
  static constexpr std::size_t kMaxReasonBytes = 128;
  static constexpr std::size_t kMaxMessageBytes = 1024;
};

// The status cut to its CRD bounds: the first kMaxConditions conditions and kMaxFailingChecks
// checks, the newest kMaxOutages outages, long strings cut at a UTF-8 boundary with "…".
// Idempotent.
EgressDiagnosisStatus boundDiagnosisStatus(EgressDiagnosisStatus status);

// The status object as JSON, after boundDiagnosisStatus(), for a merge patch
// `{"status": ...}` on the status subresource. Every field is written (absent times as null) so
// that the patch clears what is no longer set. Never fails.
std::string toJson(const EgressDiagnosisStatus& status);

enum class CheckStatus { Pass, Fail, Warn, Unknown, Skipped };

// "Pass", "Fail", ... as written in reports; never fails.
std::string_view toString(CheckStatus status);
// InvalidInput for any string other than the five names.
Result<CheckStatus> parseCheckStatus(std::string_view text);

// One check result (design/checks.md). Evidence holds the raw lines the runbook command shows.
struct Finding {
  std::string check;  // stable ID, e.g. "SPN-IP-RULE"
  std::string layer;
  TargetRef target;
  std::string node;
  CheckStatus status = CheckStatus::Unknown;
  std::string reason;  // CamelCase
  std::string message;
  std::vector<std::string> evidence;
  std::string remediation;
  std::optional<Time> since;  // when this status was first seen

  bool operator==(const Finding&) const = default;
};

// One finding as a JSON object (all fields; absent `since` as null). Never fails.
std::string toJson(const Finding& finding);

struct CheckCounts {
  std::int64_t pass = 0;
  std::int64_t fail = 0;
  std::int64_t warn = 0;
  std::int64_t unknown = 0;
  std::int64_t skipped = 0;

  bool operator==(const CheckCounts&) const = default;
};

// The report's key for a target: "<Kind>/<namespace>/<name>", or "<Kind>/<name>" without a
// namespace; "" for an empty ref.
std::string targetKey(const TargetRef& target);

// The inverse of targetKey(). apiGroup is filled for the spidernet and Azure target kinds;
// "" and "Node/<name>" (a report's node-wide entry) give an empty ref. InvalidInput for any
// other shape.
Result<TargetRef> parseTargetKey(std::string_view key);

// Per target (empty TargetRef = node-wide checks): the findings that are not Pass, and this
// target's tally. Only the node total is stored: boundNodeReport() moves `counts` into
// EgressNodeReportStatus::counts, and decoding leaves it zero.
struct TargetReport {
  TargetRef target;
  CheckCounts counts;
  std::vector<Finding> findings;

  bool operator==(const TargetReport&) const = default;
};

struct EgressNodeReportStatus {
  std::string probeVersion;
  std::optional<Time> lastProbeTime;
  Duration snapshotDuration{0};  // stored as status.snapshotSeconds
  CheckCounts counts;            // over all checks and targets (plus the targets' counts)
  std::vector<TargetReport> targets;

  bool operator==(const EgressNodeReportStatus&) const = default;
};

// Cluster-scoped, name = node name, owned by its Node. `spec` is empty; nodeName is
// metadata.name.
struct EgressNodeReport {
  ObjectMeta metadata;
  std::string nodeName;
  EgressNodeReportStatus status;

  bool operator==(const EgressNodeReport&) const = default;
};

// Bounds of a report, from its CRD (crds/egressdiag.io_egressnodereports.yaml, docs/crds.md),
// so that etcd's 1.5 MB limit is never reached (upstream GatewayStatus once was). Byte caps are
// at or below the schema's character caps. Findings also share an encoded-size budget, so
// text that JSON escapes (up to 6 bytes per character) cannot blow the bound: the worst case
// encodes to about 0.53 MB (527 KB measured in tests/operator/model/encode_test.cc).
struct ReportLimits {
  static constexpr std::size_t kMaxTargets = 64;
  static constexpr std::size_t kMaxFindings = 64;  // over all targets (a CEL rule)
  static constexpr std::size_t kMaxFindingsPerTarget = 32;
  static constexpr std::size_t kMaxFindingsBytes = 512 * 1024;  // encoded, over all targets
  static constexpr std::size_t kMaxEvidenceLines = 16;
  static constexpr std::size_t kMaxEvidenceLineBytes = 512;
  static constexpr std::size_t kMaxMessageBytes = 1024;
  static constexpr std::size_t kMaxRemediationBytes = 512;
  static constexpr std::size_t kMaxTargetBytes = 320;
  static constexpr std::size_t kMaxNodeBytes = 253;
  static constexpr std::size_t kMaxReasonBytes = 128;
  static constexpr std::size_t kMaxCheckBytes = 64;
  static constexpr std::size_t kMaxProbeVersionBytes = 64;
  static constexpr std::size_t kMaxLayerBytes = 32;
};

// The report cut to ReportLimits: the targets' counts are added to status.counts, Pass
// findings are removed (they are only counted), targets with the same key are merged, extra targets
// and findings are dropped, long strings are cut at a UTF-8 boundary with a "…" marker, and a cut
// evidence list ends in a "… N more line(s)" line. Findings are kept by status (Fail, then Unknown,
// Warn, Skipped), in input order within a status. Idempotent.
EgressNodeReport boundNodeReport(EgressNodeReport report);

// The whole object after boundNodeReport(), for create (metadata, empty spec) and for
// /status updates. The node-wide entry's key is "Node/<metadata.name>". Never fails.
std::string toJson(const EgressNodeReport& report);

}  // namespace egressdiag::model
