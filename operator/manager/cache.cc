#include "operator/manager/cache.h"

#include "operator/common/logging.h"
#include "operator/controller/coverage.h"
#include "operator/kube/typed.h"
#include "operator/model/decode.h"
#include "operator/model/spidernet_config.h"

namespace egressdiag::manager {
namespace {

constexpr auto kSecretTtl = std::chrono::seconds(60);

// Kinds that exist only with their CRDs, and kinds started with one of them: Events about SGCs
// matter only with Azure's kinds, spidernet's ConfigMap only with spidernet's.
std::string_view companionOf(std::string_view kind) {
  if (kind == model::kStaticGatewayConfiguration.kind) {
    return model::kCoreEvent.kind;
  }
  if (kind == model::kEgressTunnel.kind) {
    return model::kConfigMap.kind;
  }
  return {};
}

}  // namespace

ClusterCache::ClusterCache(kube::Client& client, Config config, OnChange onChange)
    : client_(client),
      config_(std::move(config)),
      onChange_(std::move(onChange)),
      objects_(client) {
  using namespace model;
  watch<Namespace>(kNamespace, "", "");
  watch<Pod>(kPod, "", "");
  watch<Node>(kNode, "", "");
  watch<DaemonSet>(kDaemonSet, "", "");
  watch<Deployment>(kDeployment, "", "");
  watch<Lease>(kLease, config_.probeLeaseNamespace, "");
  watch<EgressDiagnosis>(kEgressDiagnosis, "", "");
  watch<EgressNodeReport>(kEgressNodeReport, "", "");
  // Events about SGCs only (AKS-SGC-STATUS), from core/v1 which supports this field selector.
  watch<Event>(kCoreEvent, "", "involvedObject.kind=StaticGatewayConfiguration");
  // spidernet's feature config (SPN-TUNNELS: is failover on?), by name in every namespace: the
  // ClusterRole grants these ConfigMaps only (resourceNames + this field selector).
  watch<ConfigMap>(kConfigMap, "", "metadata.name=" + std::string(kSpidernetConfigMapName));
  watch<EgressGateway>(kEgressGateway, "", "");
  watch<EgressPolicy>(kEgressPolicy, "", "");
  watch<EgressClusterPolicy>(kEgressClusterPolicy, "", "");
  watch<EgressTunnel>(kEgressTunnel, "", "");
  watch<EgressEndpointSlice>(kEgressEndpointSlice, "", "");
  watch<EgressClusterEndpointSlice>(kEgressClusterEndpointSlice, "", "");
  watch<EgressClusterInfo>(kEgressClusterInfo, "", "");
  watch<StaticGatewayConfiguration>(kStaticGatewayConfiguration, "", "");
  watch<GatewayLBConfiguration>(kGatewayLBConfiguration, "", "");
  watch<GatewayVMConfiguration>(kGatewayVMConfiguration, "", "");
  watch<GatewayStatus>(kGatewayStatus, "", "");
  watch<PodEndpoint>(kPodEndpoint, "", "");
  watch<FelixConfiguration>(kFelixConfiguration, "", "");
}

template <class T>
void ClusterCache::watch(const model::ResourceType& type, std::string ns,
                         std::string fieldSelector) {
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
                         std::is_same_v<T, model::FelixConfiguration> ||
                         std::is_same_v<T, model::ConfigMap>) {
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
  objects_.add<T>(type, std::move(ns), std::move(fieldSelector), std::move(changed));
}

void ClusterCache::startCore() {
  for (const auto& type :
       {model::kNamespace, model::kPod, model::kNode, model::kDaemonSet, model::kDeployment,
        model::kLease, model::kEgressDiagnosis, model::kEgressNodeReport}) {
    objects_.start(type.kind);
  }
}

void ClusterCache::setAvailable(const model::ResourceType& type, bool available) {
  if (!objects_.setAvailable(type.kind, available)) {
    return;
  }
  if (auto companion = companionOf(type.kind); !companion.empty()) {
    objects_.setAvailable(companion, available);
  }
  ++routingGeneration_;
  logging::log(spdlog::level::info, available ? "watching optional kind" : "stopped watching kind",
               {{"kind", type.kind}, {"group", type.group}});
  ++generation_;
  onChange_("");
}

bool ClusterCache::synced() const {
  return objects_.synced();
}

std::shared_ptr<const controller::ChangeRouter> ClusterCache::router() {
  std::lock_guard routerLock(routerMutex_);
  std::uint64_t generation = routingGeneration_.load();
  if (router_ && generation == routerGeneration_) {
    return router_;
  }
  controller::ClusterState state;
  objects_.fill(
      state.objects,
      {model::kEgressDiagnosis.kind, model::kEgressPolicy.kind, model::kEgressClusterPolicy.kind,
       model::kStaticGatewayConfiguration.kind, model::kNamespace.kind, model::kDaemonSet.kind});
  state.installed = installed();
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
  return objects_.keys(model::kEgressDiagnosis.kind);
}

controller::InstalledGroups ClusterCache::installed() const {
  return controller::InstalledGroups{
      .spidernet = objects_.running(model::kEgressPolicy.kind) ||
                   objects_.running(model::kEgressClusterPolicy.kind),
      .azure = objects_.running(model::kStaticGatewayConfiguration.kind),
      .calico = objects_.running(model::kFelixConfiguration.kind)};
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
          client_, cache::refOf(model::kSecret), ns, ref->name,
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
  objects_.fill(state->objects);
  state->installed = installed();
  if (state->installed.azure) {
    fetchSecrets(*state);
  }
  snapshot_ = std::move(state);
  snapshotGeneration_ = generation;
  return snapshot_;
}

}  // namespace egressdiag::manager
