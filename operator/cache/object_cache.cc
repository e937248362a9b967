#include "operator/cache/object_cache.h"

namespace egressdiag::cache {

#define EGRESSDIAG_MEMBER(Type, field)                                  \
  template <>                                                           \
  std::vector<model::Type> model::ObjectSet::*memberOf<model::Type>() { \
    return &model::ObjectSet::field;                                    \
  }
EGRESSDIAG_MEMBER(Namespace, namespaces)
EGRESSDIAG_MEMBER(Pod, pods)
EGRESSDIAG_MEMBER(Node, nodes)
EGRESSDIAG_MEMBER(Secret, secrets)
EGRESSDIAG_MEMBER(ConfigMap, configMaps)
EGRESSDIAG_MEMBER(Event, events)
EGRESSDIAG_MEMBER(DaemonSet, daemonSets)
EGRESSDIAG_MEMBER(Deployment, deployments)
EGRESSDIAG_MEMBER(Lease, leases)
EGRESSDIAG_MEMBER(EgressGateway, egressGateways)
EGRESSDIAG_MEMBER(EgressPolicy, egressPolicies)
EGRESSDIAG_MEMBER(EgressClusterPolicy, egressClusterPolicies)
EGRESSDIAG_MEMBER(EgressTunnel, egressTunnels)
EGRESSDIAG_MEMBER(EgressEndpointSlice, egressEndpointSlices)
EGRESSDIAG_MEMBER(EgressClusterEndpointSlice, egressClusterEndpointSlices)
EGRESSDIAG_MEMBER(EgressClusterInfo, egressClusterInfos)
EGRESSDIAG_MEMBER(StaticGatewayConfiguration, staticGatewayConfigurations)
EGRESSDIAG_MEMBER(GatewayLBConfiguration, gatewayLBConfigurations)
EGRESSDIAG_MEMBER(GatewayVMConfiguration, gatewayVMConfigurations)
EGRESSDIAG_MEMBER(GatewayStatus, gatewayStatuses)
EGRESSDIAG_MEMBER(PodEndpoint, podEndpoints)
EGRESSDIAG_MEMBER(FelixConfiguration, felixConfigurations)
EGRESSDIAG_MEMBER(EgressDiagnosis, egressDiagnoses)
EGRESSDIAG_MEMBER(EgressNodeReport, egressNodeReports)
#undef EGRESSDIAG_MEMBER

kube::ResourceRef refOf(const model::ResourceType& type) {
  return kube::ResourceRef{std::string(type.group), std::string(type.version),
                           std::string(type.plural), type.namespaced};
}

ObjectCache::~ObjectCache() {
  std::vector<std::shared_ptr<void>> stopped;
  {
    std::lock_guard lock(mutex_);
    for (auto& [kind, slot] : slots_) {
      stopped.push_back(slot->release());
    }
  }
  stopped.clear();  // joins the informer threads outside the lock
}

void ObjectCache::start(std::string_view kind) {
  std::lock_guard lock(mutex_);
  if (auto it = slots_.find(kind); it != slots_.end()) {
    it->second->start();
  }
}

bool ObjectCache::setAvailable(std::string_view kind, bool available) {
  std::shared_ptr<void> stopped;
  {
    std::lock_guard lock(mutex_);
    auto it = slots_.find(kind);
    if (it == slots_.end() || it->second->running() == available) {
      return false;
    }
    if (available) {
      it->second->start();
    } else {
      stopped = it->second->release();
    }
  }
  return true;
}

bool ObjectCache::running(std::string_view kind) const {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(kind);
  return it != slots_.end() && it->second->running();
}

bool ObjectCache::synced() const {
  std::lock_guard lock(mutex_);
  for (const auto& [kind, slot] : slots_) {
    if (!slot->synced()) {
      return false;
    }
  }
  return true;
}

void ObjectCache::fill(model::ObjectSet& objects) const {
  std::lock_guard lock(mutex_);
  for (const auto& [kind, slot] : slots_) {
    slot->fill(objects);
  }
}

void ObjectCache::fill(model::ObjectSet& objects,
                       std::initializer_list<std::string_view> kinds) const {
  std::lock_guard lock(mutex_);
  for (std::string_view kind : kinds) {
    if (auto it = slots_.find(kind); it != slots_.end()) {
      it->second->fill(objects);
    }
  }
}

std::vector<std::string> ObjectCache::keys(std::string_view kind) const {
  std::lock_guard lock(mutex_);
  auto it = slots_.find(kind);
  return it == slots_.end() ? std::vector<std::string>{} : it->second->keys();
}

}  // namespace egressdiag::cache
