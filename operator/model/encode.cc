// JSON encoders for the kinds egressdiag writes. Every field is written, absent optionals as
// null, so a JSON merge patch built from the output clears what is no longer set.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "operator/model/egressdiag.h"
#include "operator/model/resource.h"

namespace egressdiag::model {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& w, std::string_view name) {
  w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

void string(Writer& w, std::string_view name, std::string_view value) {
  key(w, name);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void integer(Writer& w, std::string_view name, std::int64_t value) {
  key(w, name);
  w.Int64(value);
}

void timestamp(Writer& w, std::string_view name, const std::optional<Time>& value) {
  key(w, name);
  if (value) {
    std::string text = formatTime(*value);
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  } else {
    w.Null();
  }
}

void strings(Writer& w, std::string_view name, const std::vector<std::string>& values) {
  key(w, name);
  w.StartArray();
  for (const auto& value : values) {
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  w.EndArray();
}

void stringMap(Writer& w, std::string_view name, const StringMap& values) {
  key(w, name);
  w.StartObject();
  for (const auto& [k, v] : values) {
    string(w, k, v);
  }
  w.EndObject();
}

void writeCondition(Writer& w, const Condition& condition) {
  w.StartObject();
  string(w, "type", condition.type);
  string(w, "status", toString(condition.status));
  integer(w, "observedGeneration", condition.observedGeneration);
  timestamp(w, "lastTransitionTime", condition.lastTransitionTime);
  string(w, "reason", condition.reason);
  string(w, "message", condition.message);
  w.EndObject();
}

void writeFinding(Writer& w, const Finding& finding) {
  w.StartObject();
  string(w, "check", finding.check);
  string(w, "layer", finding.layer);
  string(w, "target", targetKey(finding.target));
  string(w, "node", finding.node);
  string(w, "status", toString(finding.status));
  string(w, "reason", finding.reason);
  string(w, "message", finding.message);
  strings(w, "evidence", finding.evidence);
  string(w, "remediation", finding.remediation);
  timestamp(w, "since", finding.since);
  w.EndObject();
}

// Metadata for create/update: only what the writer sets.
void writeMeta(Writer& w, const ObjectMeta& meta) {
  key(w, "metadata");
  w.StartObject();
  string(w, "name", meta.name);
  if (!meta.namespace_.empty()) {
    string(w, "namespace", meta.namespace_);
  }
  if (!meta.resourceVersion.empty()) {
    string(w, "resourceVersion", meta.resourceVersion);
  }
  if (!meta.labels.empty()) {
    stringMap(w, "labels", meta.labels);
  }
  if (!meta.annotations.empty()) {
    stringMap(w, "annotations", meta.annotations);
  }
  if (!meta.ownerReferences.empty()) {
    key(w, "ownerReferences");
    w.StartArray();
    for (const auto& owner : meta.ownerReferences) {
      w.StartObject();
      string(w, "apiVersion", owner.apiVersion);
      string(w, "kind", owner.kind);
      string(w, "name", owner.name);
      string(w, "uid", owner.uid);
      key(w, "controller");
      w.Bool(owner.controller);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

std::string text(const rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::string toJson(const EgressDiagnosisStatus& unbounded) {
  EgressDiagnosisStatus status = boundDiagnosisStatus(unbounded);
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  integer(w, "observedGeneration", status.observedGeneration);
  key(w, "conditions");
  w.StartArray();
  for (const auto& condition : status.conditions) {
    writeCondition(w, condition);
  }
  w.EndArray();
  string(w, "egressIP", status.egressIP);
  string(w, "gatewayNode", status.gatewayNode);
  string(w, "nodes", status.nodes);
  timestamp(w, "lastProbeTime", status.lastProbeTime);
  key(w, "failingChecks");
  w.StartArray();
  for (const auto& check : status.failingChecks) {
    w.StartObject();
    string(w, "check", check.check);
    string(w, "node", check.node);
    string(w, "reason", check.reason);
    string(w, "message", check.message);
    timestamp(w, "since", check.since);
    w.EndObject();
  }
  w.EndArray();
  key(w, "outages");
  w.StartArray();
  for (const auto& outage : status.outages) {
    w.StartObject();
    timestamp(w, "start", outage.start);
    timestamp(w, "end", outage.end);
    string(w, "reason", outage.reason);
    string(w, "message", outage.message);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return text(buffer);
}

std::string toJson(const Finding& finding) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  writeFinding(w, finding);
  return text(buffer);
}

std::string toJson(const EgressNodeReport& unbounded) {
  EgressNodeReport report = boundNodeReport(unbounded);
  const EgressNodeReportStatus& status = report.status;
  const CheckCounts& counts = status.counts;
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  string(w, "apiVersion", kEgressNodeReport.apiVersion());
  string(w, "kind", kEgressNodeReport.kind);
  writeMeta(w, report.metadata);
  key(w, "spec");
  w.StartObject();
  w.EndObject();
  key(w, "status");
  w.StartObject();
  string(w, "probeVersion", status.probeVersion);
  timestamp(w, "lastProbeTime", status.lastProbeTime);
  key(w, "snapshotSeconds");
  w.Double(static_cast<double>(std::max<std::int64_t>(status.snapshotDuration.count(), 0)) / 1000);
  key(w, "counts");
  w.StartObject();
  integer(w, "pass", counts.pass);
  integer(w, "fail", counts.fail);
  integer(w, "warn", counts.warn);
  integer(w, "unknown", counts.unknown);
  integer(w, "skipped", counts.skipped);
  w.EndObject();
  key(w, "targets");
  w.StartArray();
  for (const auto& target : status.targets) {
    w.StartObject();
    std::string targetName = targetKey(target.target);
    string(w, "target",
           targetName.empty() ? std::string(kNode.kind) + "/" + report.metadata.name : targetName);
    key(w, "findings");
    w.StartArray();
    for (const auto& finding : target.findings) {
      writeFinding(w, finding);
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return text(buffer);
}

}  // namespace egressdiag::model
