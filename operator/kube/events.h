#pragma once

#include <chrono>
#include <string>

#include "operator/kube/client.h"

namespace egressdiag::kube {

// What an Event is about (events.k8s.io/v1 `regarding`).
struct ObjectReference {
  std::string apiVersion;  // "egressdiag.io/v1alpha1"
  std::string kind;        // "EgressDiagnosis"
  std::string ns;          // empty for cluster-scoped objects (the Event goes to "default")
  std::string name;
  std::string uid;
};

struct EventSpec {
  ObjectReference regarding;
  std::string type;    // "Normal" or "Warning"
  std::string reason;  // CamelCase, <= 128 chars (longer is cut)
  std::string action;  // CamelCase, <= 128 chars
  std::string note;    // human text, <= 1024 chars (longer is cut)
};

// Pure: the events.k8s.io/v1 Event JSON (name = <regarding.name>.<hex time>, namespace =
// regarding's or "default").
std::string encodeEvent(const EventSpec& spec, const std::string& reportingController,
                        const std::string& reportingInstance,
                        std::chrono::system_clock::time_point now);

// Namespace an Event about `regarding` is written to.
std::string eventNamespace(const ObjectReference& regarding);

// Writes Events. The caller decides when (only on transitions, per the event style guide).
class EventRecorder {
 public:
  EventRecorder(Client& client, std::string reportingController, std::string reportingInstance);
  // The server's error (Forbidden without RBAC, Invalid for bad fields) is returned.
  ApiResult<void> record(const EventSpec& spec);

 private:
  Client& client_;
  std::string controller_;
  std::string instance_;
};

}  // namespace egressdiag::kube
