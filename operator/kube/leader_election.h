#pragma once

#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "operator/common/result.h"
#include "operator/kube/client.h"

namespace egressdiag::kube {

// MicroTime as the apiserver writes it: "2026-11-22T21:24:13.123456Z" (UTC).
std::string formatMicroTime(std::chrono::system_clock::time_point time);

struct LeaseRecord {
  std::string holderIdentity;
  int64_t leaseDurationSeconds = 0;
  std::string acquireTime;
  std::string renewTime;
  int64_t leaseTransitions = 0;
  std::string resourceVersion;  // of the Lease object, for the conditional update
  bool operator==(const LeaseRecord&) const = default;
};

// Reads spec + metadata.resourceVersion of a coordination.k8s.io/v1 Lease. Absent spec fields
// are zero/empty; wrong types are InvalidInput.
Result<LeaseRecord> decodeLease(const rapidjson::Value& lease);

// The Lease object (JSON) for create/update; resourceVersion set makes the PUT conditional.
std::string encodeLease(const std::string& ns, const std::string& name, const LeaseRecord& record);

// Pure: whether `identity` may take the lease now. Expiry is judged by when WE last saw the
// record change (observedAt, local monotonic clock), not by the holder's clock, as client-go.
bool leaseAvailable(const LeaseRecord& observed, std::chrono::steady_clock::time_point observedAt,
                    std::chrono::steady_clock::time_point now, const std::string& identity,
                    std::chrono::seconds defaultLeaseDuration);

struct LeaderElectionConfig {
  std::string ns = "default";
  std::string name;      // Lease name, e.g. "egressdiag-operator" or "egressdiag-probe-<node>"
  std::string identity;  // unique per contender: pod name + uid
  std::chrono::seconds leaseDuration{15};           // others wait this long after the last renewal
  std::chrono::milliseconds renewDeadline{10'000};  // leader gives up if not renewed by then
  std::chrono::milliseconds retryPeriod{2'000};
  bool releaseOnStop = true;  // on stop, clear the holder so a successor need not wait
};

struct LeaderCallbacks {
  std::function<void()> onStartedLeading;  // on the elector's thread; must not block long
  std::function<void()> onStoppedLeading;  // leadership lost or released: stop acting NOW
  std::function<void(const std::string&)> onNewLeader;  // observed holder changed
};

// Lease-based leader election (coordination.k8s.io/v1). run() blocks: it acquires the lease,
// renews it every retryPeriod and returns when leadership is lost (a renewal did not succeed
// within renewDeadline, or someone else holds the lease) or `stop` is requested (then it
// releases the lease). isLeader() turns false as soon as renewDeadline passes without a
// successful renewal, even before the loop notices.
class LeaderElector {
 public:
  LeaderElector(Client& client, LeaderElectionConfig config, LeaderCallbacks callbacks);

  void run(std::stop_token stop);
  bool isLeader() const;

 private:
  // One attempt: create/update the Lease in our name. true = we hold it now.
  bool tryAcquireOrRenew();
  void release();

  Client& client_;
  LeaderElectionConfig config_;
  LeaderCallbacks callbacks_;
  mutable std::mutex mutex_;
  std::optional<LeaseRecord> observed_;
  std::chrono::steady_clock::time_point observedAt_{};
  std::chrono::steady_clock::time_point renewedAt_{};
  bool leading_ = false;
  std::string lastHolder_;
};

}  // namespace egressdiag::kube
