#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "operator/kube/backoff.h"

namespace egressdiag::kube {

// Work queue of object keys, with client-go semantics:
//  - de-duplicating: a key queued twice is processed once;
//  - a key is never handed to two workers at once: re-added while processing, it is queued
//    again when the worker calls done();
//  - delayed adds (addAfter) and per-key exponential backoff (addRateLimited/forget).
// Thread-safe. The clock is injectable so tests drive delays without sleeping.
class WorkQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  // `retry` sets the per-key backoff (jitter is ignored: per-key delays are deterministic).
  explicit WorkQueue(
      BackoffPolicy retry = {std::chrono::milliseconds(5), std::chrono::milliseconds(300'000), 2.0,
                             0.0},
      Now now = [] { return Clock::now(); });

  void add(const std::string& key);
  // Queues the key once `delay` has passed (keeps the earliest time if already waiting).
  void addAfter(const std::string& key, Clock::duration delay);
  // addAfter with this key's next backoff delay; each call doubles it until forget().
  void addRateLimited(const std::string& key);
  // Clears the key's failure count (call after a successful reconcile).
  void forget(const std::string& key);
  unsigned failures(const std::string& key) const;

  // Blocks until a key is ready or the queue is shut down (nullopt). Call done(key) after.
  std::optional<std::string> get();
  // Non-blocking get (promotes delayed keys whose time has come first).
  std::optional<std::string> tryGet();
  void done(const std::string& key);

  // Wakes every get(); later adds are ignored.
  void shutDown();
  bool shuttingDown() const;
  size_t length() const;  // keys ready now (not delayed, not processing)

 private:
  void addLocked(const std::string& key);
  void promoteDueLocked(Clock::time_point now);
  std::optional<std::string> popLocked();

  BackoffPolicy retry_;
  Now now_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  std::set<std::string> dirty_;
  std::set<std::string> processing_;
  std::map<std::string, Clock::time_point> waiting_;  // key -> when it becomes ready
  std::map<std::string, unsigned> failures_;
  bool shutDown_ = false;
};

}  // namespace egressdiag::kube
