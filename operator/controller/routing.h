#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "operator/controller/cluster_state.h"
#include "operator/model/selector.h"

namespace egressdiag::controller {

// Which diagnoses a change of a Pod or an endpoint slice can change the verdict of, so such a
// change requeues only those rather than every diagnosis (pods are the bulk of a cluster's
// churn). Built from a ClusterState whose diagnoses, policies, SGCs, namespaces and DaemonSets
// are current (pods are not read); rebuild it when any of those change.
class ChangeRouter {
 public:
  explicit ChangeRouter(const ClusterState& state);

  // Keys ("ns/name") of the diagnoses whose checks read `pod` in either version: the policy
  // selects it (labels and namespace, any phase), or it carries the SGC annotation; every
  // diagnosis when a DaemonSet owns the pod (component health). Sorted, unique.
  std::vector<std::string> podChanged(const model::Pod* before, const model::Pod& after) const;

  // Keys of the diagnoses of the policy an EgressEndpointSlice (clusterScoped: an
  // EgressClusterEndpointSlice) names in its spidernet.io/policy-name label, in either version.
  std::vector<std::string> sliceChanged(const model::ObjectMeta* before,
                                        const model::ObjectMeta& after, bool clusterScoped) const;

  // Every diagnosis key, sorted.
  const std::vector<std::string>& all() const { return all_; }
  // Keys of the diagnoses of a spidernet policy (the only readers of EgressTunnels,
  // EgressGateways, EgressClusterInfo and FelixConfiguration), sorted.
  const std::vector<std::string>& spidernet() const { return spidernet_; }
  // Keys of the diagnoses of an SGC (the only readers of Gateway{LB,VM}Configurations,
  // GatewayStatuses, PodEndpoints and SGC Events), sorted.
  const std::vector<std::string>& azure() const { return azure_; }

 private:
  struct PolicyRoute {
    std::string key;
    bool clusterScoped = false;
    std::string ns;    // namespaced policy only
    std::string name;  // policy name (slice label)
    std::optional<model::LabelSelector> podSelector;
    std::optional<model::LabelSelector> namespaceSelector;
  };
  struct SgcRoute {
    std::string key;
    std::string ns;
    std::string name;
  };
  bool selects(const PolicyRoute& route, const model::Pod& pod) const;
  void addPodRoutes(const model::Pod& pod, std::vector<std::string>& out) const;

  std::vector<model::DaemonSet> daemonSets_;
  std::vector<model::Namespace> namespaces_;
  std::vector<std::string> all_;
  std::vector<std::string> spidernet_;
  std::vector<std::string> azure_;
  std::vector<PolicyRoute> policies_;
  std::vector<SgcRoute> sgcs_;
};

// True when `after` differs from `before` in nothing a check reads, so the change cannot alter
// a verdict and needs no reconcile: our models decode only what the checks read, so this is
// equality but for resourceVersion and, for an EgressTunnel, its heartbeat (written every few
// seconds per node when failover is enabled). SPN-TUNNELS reads the heartbeat only as a
// deadline: the evaluation asks to be re-run when one would go stale, and every
// tunnelMonitorPeriod while one is (ControlPlaneResult::recheckAt), so renewals need no routing.
// Kubelet heartbeats likewise touch no field a Node model holds.
template <class T>
bool sameForChecks(const T& before, const T& after) {
  T a = before;
  T b = after;
  a.metadata.resourceVersion.clear();
  b.metadata.resourceVersion.clear();
  if constexpr (std::is_same_v<T, model::EgressTunnel>) {
    a.status.lastHeartbeatTime.reset();
    b.status.lastHeartbeatTime.reset();
  }
  return a == b;
}

}  // namespace egressdiag::controller
