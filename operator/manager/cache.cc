#include "operator/manager/cache.h"

#include "operator/common/logging.h"
#include "operator/controller/coverage.h"
#include "operator/kube/informer.h"
#include "operator/kube/typed.h"
#include "operator/model/decode.h"

namespace egressdiag::manager {
namespace {

constexpr auto kSecretTtl = std::chrono::seconds(60);

kube::ResourceRef refOf(const model::ResourceType& type) {
  return kube::ResourceRef{std::string(type.group), std::string(type.version),
                           std::string(type.plural), type.namespaced};
}

// The member of ObjectSet holding T.
template <class T>
std::vector<T> model::ObjectSet::*memberOf();
#define EGRESSDIAG_MEMBER(Type, field)                                  \
  template <>                                                           \
  std::vector<model::Type> model::ObjectSet::*memberOf<model::Type>() { \
    return &model::ObjectSet::field;                                    \
  }
EGRESSDIAG_MEMBER(Namespace, namespaces)
EGRESSDIAG_MEMBER(Pod, pods)
EGRESSDIAG_MEMBER(Node, nodes)
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

}  // namespace

struct ClusterCache::SlotBase {
  virtual ~SlotBase() = default;
  virtual void start() = 0;
  // Detaches the informer; the caller destroys it (joining its thread) outside mutex_, since
  // its handlers may be waiting for mutex_.
  virtual std::shared_ptr<void> release() = 0;
  virtual bool running() const = 0;
  virtual bool synced() const = 0;
  virtual void fill(model::ObjectSet& objects) const = 0;
  virtual std::vector<std::string> keys() const = 0;
};

template <class T>
struct ClusterCache::Slot : ClusterCache::SlotBase {
  using Changed = std::function<void(const T* before, const T& after)>;
  Slot(kube::Client& client, kube::ReflectorOptions options, Changed changed)
      : client_(client), options_(std::move(options)), changed_(std::move(changed)) {}

  void start() override {
    if (informer_) {
      return;
    }
    informer_ = std::make_unique<kube::Informer<T>>(
        client_, options_, [](const rapidjson::Value& v) { return model::decode<T>(v); });
    auto changed = changed_;
    informer_->addHandlers(kube::InformerHandlers<T>{
        [changed](const kube::ObjectPtr<T>& o) { changed(nullptr, *o); },
        [changed](const kube::ObjectPtr<T>& b, const kube::ObjectPtr<T>& o) {
          changed(b.get(), *o);
        },
        [changed](const kube::ObjectPtr<T>& o) { changed(nullptr, *o); }});
    informer_->start();
  }
  std::shared_ptr<void> release() override {
    return std::shared_ptr<kube::Informer<T>>(std::move(informer_));
  }
  bool running() const override { return informer_ != nullptr; }
  bool synced() const override { return !informer_ || informer_->hasSynced(); }
  void fill(model::ObjectSet& objects) const override {
    if (!informer_) {
      return;
    }
    auto& out = objects.*memberOf<T>();
    for (const auto& object : informer_->list()) {
      out.push_back(*object);
    }
  }
  std::vector<std::string> keys() const override {
    return informer_ ? informer_->keys() : std::vector<std::string>{};
  }

  kube::Client& client_;
  kube::ReflectorOptions options_;
  Changed changed_;
  std::unique_ptr<kube::Informer<T>> informer_;
};

ClusterCache::ClusterCache(kube::Client& client, Config config, OnChange onChange)
    : client_(client), config_(std::move(config)), onChange_(std::move(onChange)) {
  using namespace model;
  addSlot<Namespace>(kNamespace, "", "");
  addSlot<Pod>(kPod, "", "");
  addSlot<Node>(kNode, "", "");
  addSlot<DaemonSet>(kDaemonSet, "", "");
  addSlot<Deployment>(kDeployment, "", "");
  addSlot<Lease>(kLease, config_.probeLeaseNamespace, "");
  addSlot<EgressDiagnosis>(kEgressDiagnosis, "", "");
  addSlot<EgressNodeReport>(kEgressNodeReport, "", "");
  // Events about SGCs only (AKS-SGC-STATUS), from core/v1 which supports this field selector.
  addSlot<Event>(kCoreEvent, "", "involvedObject.kind=StaticGatewayConfiguration");
  addSlot<EgressGateway>(kEgressGateway, "", "");
  addSlot<EgressPolicy>(kEgressPolicy, "", "");
  addSlot<EgressClusterPolicy>(kEgressClusterPolicy, "", "");
  addSlot<EgressTunnel>(kEgressTunnel, "", "");
  addSlot<EgressEndpointSlice>(kEgressEndpointSlice, "", "");
  addSlot<EgressClusterEndpointSlice>(kEgressClusterEndpointSlice, "", "");
  addSlot<EgressClusterInfo>(kEgressClusterInfo, "", "");
  addSlot<StaticGatewayConfiguration>(kStaticGatewayConfiguration, "", "");
  addSlot<GatewayLBConfiguration>(kGatewayLBConfiguration, "", "");
  addSlot<GatewayVMConfiguration>(kGatewayVMConfiguration, "", "");
  addSlot<GatewayStatus>(kGatewayStatus, "", "");
  addSlot<PodEndpoint>(kPodEndpoint, "", "");
  addSlot<FelixConfiguration>(kFelixConfiguration, "", "");
}

ClusterCache::~ClusterCache() {
  std::vector<std::shared_ptr<void>> stopped;
  {
    std::lock_guard lock(mutex_);
    for (auto& [kind, slot] : slots_) {
      stopped.push_back(slot->release());
    }
  }
  stopped.clear();  // joins the informer threads
}

template <class T>
void ClusterCache::addSlot(const model::ResourceType& type, std::string ns,
                           std::string fieldSelector) {
  kube::ReflectorOptions options;
  options.resource = refOf(type);
  options.ns = std::move(ns);
  options.fieldSelector = std::move(fieldSelector);
  auto changed = [this]([[maybe_unused]] const T* before, const T& object) {
    ++generation_;
    // Kinds the router reads: a change may re-route pods and slices, and may affect anything.
    constexpr bool kRouting =
        std::is_same_v<T, model::EgressDiagnosis> || std::is_same_v<T, model::EgressPolicy> ||
        std::is_same_v<T, model::EgressClusterPolicy> ||
        std::is_same_v<T, model::StaticGatewayConfiguration> ||
        std::is_same_v<T, model::Namespace> || std::is_same_v<T, model::DaemonSet>;
    if constexpr (kRouting) {
      ++routingGeneration_;
    }
    if constexpr (!std::is_same_v<T, model::EgressDiagnosis> && !std::is_same_v<T, model::Lease>) {
      if (before != nullptr && controller::sameForChecks(*before, object)) {
        return;  // e.g. a kubelet or spidernet heartbeat
      }
    }
    if constexpr (std::is_same_v<T, model::EgressDiagnosis>) {
      onChange_(object.metadata.namespace_ + "/" + object.metadata.name);
    } else if constexpr (std::is_same_v<T, model::Pod>) {
      route(router()->podChanged(before, object));
    } else if constexpr (std::is_same_v<T, model::EgressEndpointSlice> ||
                         std::is_same_v<T, model::EgressClusterEndpointSlice>) {
      route(router()->sliceChanged(before != nullptr ? &before->metadata : nullptr, object.metadata,
                                   std::is_same_v<T, model::EgressClusterEndpointSlice>));
    } else if constexpr (std::is_same_v<T, model::EgressTunnel> ||
                         std::is_same_v<T, model::EgressGateway> ||
                         std::is_same_v<T, model::EgressClusterInfo> ||
                         std::is_same_v<T, model::FelixConfiguration>) {
      route(router()->spidernet());
    } else if constexpr (std::is_same_v<T, model::GatewayLBConfiguration> ||
                         std::is_same_v<T, model::GatewayVMConfiguration> ||
                         std::is_same_v<T, model::GatewayStatus> ||
                         std::is_same_v<T, model::PodEndpoint> || std::is_same_v<T, model::Event>) {
      route(router()->azure());
    } else if constexpr (std::is_same_v<T, model::Lease>) {
      // A renewal of a live Lease changes no verdict (expiry is handled by requeueing at the
      // earliest expiry); a Lease that appears or comes back to life does.
      auto expiry = before != nullptr ? controller::leaseExpiry(*before) : std::nullopt;
      auto now =
          std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
      if (before == nullptr || !expiry || *expiry <= now) {
        onChange_("");
      }
    } else {
      onChange_("");
    }
  };
  slots_[std::string(type.kind)] = std::make_unique<Slot<T>>(client_, std::move(options), changed);
}

void ClusterCache::startCore() {
  std::lock_guard lock(mutex_);
  for (const char* kind : {"Namespace", "Pod", "Node", "DaemonSet", "Deployment", "Lease",
                           "EgressDiagnosis", "EgressNodeReport"}) {
    slots_.at(kind)->start();
  }
}

void ClusterCache::setAvailable(const model::ResourceType& type, bool available) {
  std::vector<std::shared_ptr<void>> stopped;
  {
    std::lock_guard lock(mutex_);
    auto it = slots_.find(std::string(type.kind));
    if (it == slots_.end() || it->second->running() == available) {
      return;
    }
    if (available) {
      it->second->start();
      // Events about SGCs matter only when Azure's kinds exist.
      if (type.kind == model::kStaticGatewayConfiguration.kind) {
        slots_.at("Event")->start();
      }
    } else {
      stopped.push_back(it->second->release());
      if (type.kind == model::kStaticGatewayConfiguration.kind) {
        stopped.push_back(slots_.at("Event")->release());
      }
    }
  }
  stopped.clear();
  ++routingGeneration_;
  logging::log(spdlog::level::info, available ? "watching optional kind" : "stopped watching kind",
               {{"kind", type.kind}, {"group", type.group}});
  ++generation_;
  onChange_("");
}

bool ClusterCache::synced() const {
  std::lock_guard lock(mutex_);
  for (const auto& [kind, slot] : slots_) {
    if (!slot->synced()) {
      return false;
    }
  }
  return true;
}

std::shared_ptr<const controller::ChangeRouter> ClusterCache::router() {
  std::lock_guard routerLock(routerMutex_);
  std::uint64_t generation = routingGeneration_.load();
  if (router_ && generation == routerGeneration_) {
    return router_;
  }
  controller::ClusterState state;
  {
    std::lock_guard lock(mutex_);
    for (const char* kind : {"EgressDiagnosis", "EgressPolicy", "EgressClusterPolicy",
                             "StaticGatewayConfiguration", "Namespace", "DaemonSet"}) {
      slots_.at(kind)->fill(state.objects);
    }
    state.installed.spidernet =
        slots_.at("EgressPolicy")->running() || slots_.at("EgressClusterPolicy")->running();
    state.installed.azure = slots_.at("StaticGatewayConfiguration")->running();
  }
  router_ = std::make_shared<const controller::ChangeRouter>(state);
  routerGeneration_ = generation;
  return router_;
}

void ClusterCache::route(const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    onChange_(key);
  }
}

std::vector<std::string> ClusterCache::diagnosisKeys() const {
  std::lock_guard lock(mutex_);
  return slots_.at("EgressDiagnosis")->keys();
}

void ClusterCache::fetchSecrets(controller::ClusterState& state) {
  auto now = std::chrono::steady_clock::now();
  for (const auto& sgc : state.objects.staticGatewayConfigurations) {
    const auto& ref = sgc.status.gatewayServerProfile.privateKeySecretRef;
    if (!ref || ref->name.empty()) {
      continue;
    }
    std::string ns = ref->namespace_.empty() ? sgc.metadata.namespace_ : ref->namespace_;
    std::string key = ns + "/" + ref->name;
    auto& cached = secrets_[key];
    if (cached.fetchedAt == std::chrono::steady_clock::time_point{} ||
        now - cached.fetchedAt > kSecretTtl) {
      auto secret = kube::getAs<model::Secret>(
          client_, refOf(model::kSecret), ns, ref->name,
          [](const rapidjson::Value& v) { return model::decode<model::Secret>(v); });
      cached.fetchedAt = now;
      cached.error.reset();
      if (secret) {
        cached.secret = std::move(*secret);
      } else {
        cached.secret.reset();
        if (secret.error().reason != kube::ApiReason::NotFound) {
          cached.error = Error{secret.error().reason == kube::ApiReason::Forbidden
                                   ? ErrorCode::PermissionDenied
                                   : ErrorCode::Unavailable,
                               secret.error().describe()};
          logging::log(
              spdlog::level::warn, "cannot read SGC key Secret",
              {{"namespace", ns}, {"name", ref->name}, {"error", secret.error().describe()}});
        }
      }
    }
    if (cached.secret) {
      state.objects.secrets.push_back(*cached.secret);
    } else if (cached.error) {
      state.unreadableSecrets.insert_or_assign(key, *cached.error);
    }
  }
}

std::shared_ptr<const controller::ClusterState> ClusterCache::snapshot() {
  std::lock_guard snapshotLock(snapshotMutex_);
  std::uint64_t generation = generation_.load();
  if (snapshot_ && generation == snapshotGeneration_) {
    return snapshot_;
  }
  auto state = std::make_shared<controller::ClusterState>();
  {
    std::lock_guard lock(mutex_);
    for (const auto& [kind, slot] : slots_) {
      slot->fill(state->objects);
    }
    state->installed.spidernet =
        slots_.at("EgressPolicy")->running() || slots_.at("EgressClusterPolicy")->running();
    state->installed.azure = slots_.at("StaticGatewayConfiguration")->running();
    state->installed.calico = slots_.at("FelixConfiguration")->running();
  }
  if (state->installed.azure) {
    fetchSecrets(*state);
  }
  snapshot_ = std::move(state);
  snapshotGeneration_ = generation;
  return snapshot_;
}

}  // namespace egressdiag::manager
