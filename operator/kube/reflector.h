#pragma once

#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <stop_token>
#include <string>

#include "operator/common/result.h"
#include "operator/kube/backoff.h"
#include "operator/kube/client.h"
#include "operator/kube/resource.h"
#include "operator/kube/watch_event.h"

namespace egressdiag::kube {

struct ReflectorOptions {
  ResourceRef resource;
  std::string ns;             // "" = all namespaces (or a cluster-scoped resource)
  std::string labelSelector;  // e.g. "app=egressdiag"
  std::string fieldSelector;  // e.g. "spec.nodeName=node-1" (the probe watches its own node)
  int64_t pageSize = 500;
  int64_t minWatchTimeoutSeconds = 300;  // each watch asks for [min, 2*min) seconds
  BackoffPolicy backoff{std::chrono::milliseconds(800), std::chrono::milliseconds(30'000), 2.0,
                        0.25};
};

// Counters for tests and metrics (read from any thread).
struct ReflectorStats {
  std::atomic<uint64_t> lists{0};          // complete LISTs (the first one included)
  std::atomic<uint64_t> relistsOnGone{0};  // LISTs forced by 410 / ERROR 410
  std::atomic<uint64_t> watches{0};        // watch connections opened
  std::atomic<uint64_t> failures{0};       // failed LIST/watch attempts (then backoff)
  std::atomic<uint64_t> decodeErrors{0};   // objects the informer's decoder rejected
};

// Receives the state of one resource. Calls come from the reflector's thread, in order.
class ReflectorSink {
 public:
  virtual ~ReflectorSink() = default;
  // A complete LIST: beginList(), then listItem() per object, then endList(). Objects absent
  // from the list are gone. A LIST that fails midway calls beginList() again on the retry.
  virtual void beginList() = 0;
  virtual void listItem(ObjectIdentity identity, const rapidjson::Value& object) = 0;
  virtual void endList() = 0;
  // ADDED / MODIFIED / DELETED from the watch (BOOKMARKs only move the resume point).
  virtual void watchEvent(const WatchEvent& event) = 0;
};

// List+watch loop until `stop`: LIST (paged) -> WATCH from the list's resourceVersion with
// bookmarks and a jittered timeoutSeconds -> re-watch from the last seen resourceVersion when
// the server ends the watch; relist on 410 Gone (HTTP or ERROR event); other failures back
// off exponentially with jitter (Retry-After honoured for 429). Never throws from the loop.
void runReflector(Client& client, const ReflectorOptions& options, ReflectorSink& sink,
                  ReflectorStats& stats, std::stop_token stop);

// Sleeps for `duration` unless `stop` is requested first (returns false then).
bool sleepFor(std::chrono::milliseconds duration, std::stop_token stop);

// Logs (once per call) an object the typed decoder rejected; informers then skip it.
void logDecodeFailure(const ResourceRef& resource, const std::string& key, const Error& error);

}  // namespace egressdiag::kube
