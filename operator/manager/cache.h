#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/cache/object_cache.h"
#include "operator/controller/cluster_state.h"
#include "operator/controller/routing.h"
#include "operator/kube/client.h"
#include "operator/model/resource.h"

namespace egressdiag::manager {

// Informer caches of every kind the checks read, and consistent ClusterState snapshots of them.
// Upstream kinds are optional: setAvailable() starts or stops their informers as discovery
// sees their CRDs come and go, so the operator runs with spidernet, Azure, both or neither.
class ClusterCache {
 public:
  // Called on informer threads after a change: `diagnosisKey` is "ns/name" of a diagnosis the
  // change may affect (a diagnosis itself; one whose target selects a changed pod or names a
  // changed endpoint slice), empty when any diagnosis may be affected.
  using OnChange = std::function<void(const std::string& diagnosisKey)>;

  struct Config {
    std::string probeLeaseNamespace;  // probe Leases are watched here only
  };

  ClusterCache(kube::Client& client, Config config, OnChange onChange);
  ClusterCache(const ClusterCache&) = delete;
  ClusterCache& operator=(const ClusterCache&) = delete;

  // Starts the informers of the kinds that always exist (core, apps, ours).
  void startCore();
  // Starts/stops the informer of an optional kind (idempotent).
  void setAvailable(const model::ResourceType& type, bool available);
  // Every running informer has delivered its first LIST.
  bool synced() const;

  // A snapshot of all caches, rebuilt only when something changed since the last one. Secrets
  // referenced by SGCs are read on demand (cached for a minute) rather than watched.
  std::shared_ptr<const controller::ClusterState> snapshot();

  std::vector<std::string> diagnosisKeys() const;

 private:
  template <class T>
  void watch(const model::ResourceType& type, std::string ns, std::string fieldSelector);
  void fetchSecrets(controller::ClusterState& state);
  controller::InstalledGroups installed() const;
  // The router over the current diagnoses, policies, SGCs, namespaces and DaemonSets, rebuilt
  // when one of them changed since.
  std::shared_ptr<const controller::ChangeRouter> router();
  void route(const std::vector<std::string>& keys);

  kube::Client& client_;
  Config config_;
  OnChange onChange_;
  std::atomic<std::uint64_t> generation_{1};
  std::uint64_t snapshotGeneration_ = 0;
  std::shared_ptr<const controller::ClusterState> snapshot_;
  std::mutex snapshotMutex_;
  std::atomic<std::uint64_t> routingGeneration_{1};
  std::uint64_t routerGeneration_ = 0;
  std::shared_ptr<const controller::ChangeRouter> router_;
  std::mutex routerMutex_;
  struct CachedSecret {
    std::optional<model::Secret> secret;
    std::optional<Error> error;  // the read failed for another reason than NotFound
    std::chrono::steady_clock::time_point fetchedAt;
  };
  std::map<std::string, CachedSecret> secrets_;
  // Last: destroyed first, so the informer threads (whose handlers use the members above) are
  // joined before anything they touch goes.
  cache::ObjectCache objects_;
};

}  // namespace egressdiag::manager
