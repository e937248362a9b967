#include "operator/kube/events.h"

#include <cstdio>

#include "operator/kube/leader_election.h"

namespace egressdiag::kube {
namespace {

constexpr size_t kMaxReason = 128;
constexpr size_t kMaxNote = 1024;
constexpr size_t kMaxNamePrefix = 200;

}  // namespace

std::string eventNamespace(const ObjectReference& regarding) {
  return regarding.ns.empty() ? "default" : regarding.ns;
}

std::string encodeEvent(const EventSpec& spec, const std::string& reportingController,
                        const std::string& reportingInstance,
                        std::chrono::system_clock::time_point now) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto str = [&a](const std::string& s) { return rapidjson::Value(s.c_str(), a); };
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch());
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(nanos.count()));
  std::string name = spec.regarding.name.substr(0, kMaxNamePrefix) + suffix;

  doc.AddMember("apiVersion", "events.k8s.io/v1", a);
  doc.AddMember("kind", "Event", a);
  rapidjson::Value meta(rapidjson::kObjectType);
  meta.AddMember("name", str(name), a);
  meta.AddMember("namespace", str(eventNamespace(spec.regarding)), a);
  doc.AddMember("metadata", meta, a);
  doc.AddMember("eventTime", str(formatMicroTime(now)), a);
  doc.AddMember("reportingController", str(reportingController), a);
  doc.AddMember("reportingInstance", str(reportingInstance), a);
  doc.AddMember("action", str(spec.action.substr(0, kMaxReason)), a);
  doc.AddMember("reason", str(spec.reason.substr(0, kMaxReason)), a);
  doc.AddMember("type", str(spec.type), a);
  doc.AddMember("note", str(spec.note.substr(0, kMaxNote)), a);
  rapidjson::Value regarding(rapidjson::kObjectType);
  regarding.AddMember("apiVersion", str(spec.regarding.apiVersion), a);
  regarding.AddMember("kind", str(spec.regarding.kind), a);
  if (!spec.regarding.ns.empty()) {
    regarding.AddMember("namespace", str(spec.regarding.ns), a);
  }
  regarding.AddMember("name", str(spec.regarding.name), a);
  if (!spec.regarding.uid.empty()) {
    regarding.AddMember("uid", str(spec.regarding.uid), a);
  }
  doc.AddMember("regarding", regarding, a);
  return toJson(doc);
}

EventRecorder::EventRecorder(Client& client, std::string reportingController,
                             std::string reportingInstance)
    : client_(client),
      controller_(std::move(reportingController)),
      instance_(std::move(reportingInstance)) {}

ApiResult<void> EventRecorder::record(const EventSpec& spec) {
  auto created =
      client_.create(resources::events(), eventNamespace(spec.regarding),
                     encodeEvent(spec, controller_, instance_, std::chrono::system_clock::now()));
  if (!created) {
    return std::unexpected(created.error());
  }
  return {};
}

}  // namespace egressdiag::kube
