#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "operator/common/result.h"
#include "operator/kube/client.h"

namespace egressdiag::kube {

// Pure: resource names ("egresspolicies", "pods/status", ...) of an APIResourceList.
Result<std::set<std::string>> decodeResourceList(const rapidjson::Value& list);

// Whether the server serves `resource` (GET /apis/<group>/<version>, or /api/v1). NotFound is
// a normal "false"; other failures are errors (the caller keeps its previous belief).
ApiResult<bool> resourceServed(Client& client, const ResourceRef& resource);

// Tells which optional resources (upstream CRDs) exist, and when that changes, so the operator
// can run with none, either or both egress-gateway projects and start watching a group whose
// CRDs are installed later, without a restart. run() checks at once and then every `interval`;
// onChange(resource, available) fires on every transition (the first check reports each
// available resource once). Failed checks change nothing.
class ApiAvailabilityWatcher {
 public:
  using OnChange = std::function<void(const ResourceRef&, bool available)>;

  ApiAvailabilityWatcher(Client& client, std::vector<ResourceRef> wanted,
                         std::chrono::milliseconds interval, OnChange onChange);

  void run(std::stop_token stop);
  // One round (run() calls it); returns how many resources changed state.
  size_t checkOnce();
  bool available(const ResourceRef& resource) const;
  // Every wanted resource has been checked successfully at least once, so available() is an
  // answer rather than a default (the probe waits for this before its first evaluation).
  bool settled() const;

 private:
  Client& client_;
  std::vector<ResourceRef> wanted_;
  std::chrono::milliseconds interval_;
  OnChange onChange_;
  mutable std::mutex mutex_;
  std::map<std::string, bool> state_;  // keyed by groupVersion/plural
};

}  // namespace egressdiag::kube
