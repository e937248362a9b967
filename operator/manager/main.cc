// egressdiag-operator: flags, wiring, and the threads of the imperative shell. All verdicts
// come from operator/controller (pure); this file only moves data between it and the API.

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include "operator/common/logging.h"
#include "operator/controller/auto_diagnose.h"
#include "operator/controller/coverage.h"
#include "operator/kube/discovery.h"
#include "operator/kube/events.h"
#include "operator/kube/leader_election.h"
#include "operator/kube/reflector.h"
#include "operator/kube/work_queue.h"
#include "operator/manager/cache.h"
#include "operator/manager/metrics.h"
#include "operator/manager/options.h"
#include "operator/manager/reconciler.h"
#include "operator/serving/endpoints.h"

namespace egressdiag::manager {
namespace {

using logging::log;
using spdlog::level::level_enum;

constexpr auto kHousekeepingPeriod = std::chrono::seconds(10);

kube::ResourceRef refOf(const model::ResourceType& type) {
  return {std::string(type.group), std::string(type.version), std::string(type.plural),
          type.namespaced};
}

// The optional upstream kinds: spidernet's seven, Azure's five, Calico's FelixConfiguration.
std::vector<model::ResourceType> optionalKinds() {
  using namespace model;
  return {kEgressGateway,          kEgressPolicy,
          kEgressClusterPolicy,    kEgressTunnel,
          kEgressEndpointSlice,    kEgressClusterEndpointSlice,
          kEgressClusterInfo,      kStaticGatewayConfiguration,
          kGatewayLBConfiguration, kGatewayVMConfiguration,
          kGatewayStatus,          kPodEndpoint,
          kFelixConfiguration};
}

std::string diagnosisJson(const model::EgressDiagnosis& diagnosis) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto str = [&](const char* key, const std::string& value) {
    w.Key(key);
    w.String(value);
  };
  const auto& meta = diagnosis.metadata;
  w.StartObject();
  str("apiVersion", model::kEgressDiagnosis.apiVersion());
  str("kind", "EgressDiagnosis");
  w.Key("metadata");
  w.StartObject();
  str("name", meta.name);
  str("namespace", meta.namespace_);
  w.Key("labels");
  w.StartObject();
  for (const auto& [k, v] : meta.labels) {
    str(k.c_str(), v);
  }
  w.EndObject();
  w.Key("ownerReferences");
  w.StartArray();
  for (const auto& owner : meta.ownerReferences) {
    w.StartObject();
    str("apiVersion", owner.apiVersion);
    str("kind", owner.kind);
    str("name", owner.name);
    str("uid", owner.uid);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.Key("spec");
  w.StartObject();
  w.Key("targetRef");
  w.StartObject();
  const auto& ref = diagnosis.spec.targetRef;
  str("apiGroup", ref.apiGroup);
  str("kind", ref.kind);
  str("name", ref.name);
  if (!ref.namespace_.empty()) {
    str("namespace", ref.namespace_);
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::string defaultIdentity() {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  return std::string(host) + "_" + std::to_string(::getpid());
}

int run(const Options& options) {
  Metrics metrics;
  kube::ClientOptions clientOptions;
  clientOptions.transport.qps = options.kubeApiQps;
  clientOptions.transport.burst = options.kubeApiBurst;
  auto api = serving::connectCounted(
      options.kubeconfig, clientOptions,
      [&metrics](const std::string& verb, int code) { metrics.countApiRequest(verb, code); });
  if (!api) {
    return 2;
  }
  kube::Client& client = *api->client;
  std::string identity = options.identity.empty() ? defaultIdentity() : options.identity;
  log(level_enum::info, "starting",
      {{"version", EGRESSDIAG_VERSION}, {"identity", identity}, {"server", api->server}});

  auto exposer = serving::serveMetrics(options.metricsBindAddress, metrics.registry());
  if (!exposer) {
    log(level_enum::err, "cannot serve metrics", {{"error", exposer.error().message}});
    return 2;
  }

  kube::WorkQueue queue;
  std::atomic<bool> leading{!options.leaderElect};
  ClusterCache* cachePtr = nullptr;
  auto enqueueAll = [&] {
    if (cachePtr != nullptr) {
      for (const auto& key : cachePtr->diagnosisKeys()) {
        queue.add(key);
      }
    }
  };
  ClusterCache cache(client, {options.ns}, [&](const std::string& key) {
    if (!key.empty()) {
      queue.add(key);
    } else {
      enqueueAll();
    }
  });
  cachePtr = &cache;
  cache.startCore();

  auto health =
      serving::serveHealth(options.healthProbeBindAddress, [&cache] { return cache.synced(); });
  if (!health) {
    log(level_enum::err, "cannot serve health probes", {{"error", health.error().message}});
    return 2;
  }

  std::vector<kube::ResourceRef> wanted;
  auto kinds = optionalKinds();
  for (const auto& kind : kinds) {
    wanted.push_back(refOf(kind));
  }
  kube::ApiAvailabilityWatcher discovery(client, wanted, options.discoveryInterval,
                                         [&](const kube::ResourceRef& ref, bool available) {
                                           for (const auto& kind : kinds) {
                                             if (refOf(kind) == ref) {
                                               cache.setAvailable(kind, available);
                                             }
                                           }
                                         });
  std::jthread discoveryThread([&](std::stop_token stop) { discovery.run(stop); });

  kube::EventRecorder recorder(client, "egressdiag.io/operator", identity);
  Reconciler reconciler(client, cache, recorder, metrics);

  std::jthread electorThread;
  std::unique_ptr<kube::LeaderElector> elector;
  if (options.leaderElect) {
    kube::LeaderElectionConfig election;
    election.ns = options.ns;
    election.name = options.leaderElectionId;
    election.identity = identity;
    elector = std::make_unique<kube::LeaderElector>(
        client, election,
        kube::LeaderCallbacks{
            [&] {
              log(level_enum::info, "became leader", {{"identity", identity}});
              reconciler.reset();
              leading = true;
              metrics.setLeader(true);
              enqueueAll();
            },
            [&] {
              // Another replica may already be writing: stop at once, as controller-runtime.
              log(level_enum::warn, "lost leadership; exiting", {{"identity", identity}});
              leading = false;
              std::_Exit(1);
            },
            [&](const std::string& holder) {
              log(level_enum::info, "leader observed", {{"holder", holder}});
            }});
    electorThread = std::jthread([&](std::stop_token stop) { elector->run(stop); });
  } else {
    metrics.setLeader(true);
  }

  std::vector<std::jthread> workers;
  for (int i = 0; i < options.workers; ++i) {
    workers.emplace_back([&] {
      while (auto key = queue.get()) {
        if (!leading.load() || !cache.synced()) {
          // Not allowed to write yet: everything is re-queued on becoming leader / synced.
          queue.done(*key);
          if (leading.load()) {
            queue.addAfter(*key, std::chrono::milliseconds(500));
          }
          continue;
        }
        auto result = reconciler.reconcile(*key);
        if (result.ok) {
          queue.forget(*key);
          if (result.requeue) {
            queue.addAfter(*key, *result.requeue);
          }
        } else {
          queue.addRateLimited(*key);
        }
        queue.done(*key);
        metrics.setQueueDepth(queue.length());
      }
    });
  }

  // Housekeeping: node report ages, auto mode.
  std::jthread housekeeping([&](std::stop_token stop) {
    while (kube::sleepFor(kHousekeepingPeriod, stop)) {
      metrics.setQueueDepth(queue.length());
      if (!cache.synced()) {
        continue;
      }
      auto state = cache.snapshot();
      auto now =
          std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
      metrics.setNodeReportAges(
          controller::nodeReportAges(state->objects, reconciler.expectedSince(), now));
      if (!options.autoDiagnose || !leading.load()) {
        continue;
      }
      for (const auto& diagnosis : controller::missingDiagnoses(*state, options.ns)) {
        auto created = client.create(refOf(model::kEgressDiagnosis), diagnosis.metadata.namespace_,
                                     diagnosisJson(diagnosis));
        if (created) {
          log(level_enum::info, "created diagnosis (auto mode)",
              {{"namespace", diagnosis.metadata.namespace_}, {"name", diagnosis.metadata.name}});
        } else if (created.error().reason != kube::ApiReason::AlreadyExists) {
          log(level_enum::warn, "cannot create diagnosis (auto mode)",
              {{"namespace", diagnosis.metadata.namespace_},
               {"name", diagnosis.metadata.name},
               {"error", created.error().describe()}});
        }
      }
    }
  });

  // Wait for SIGTERM / SIGINT (blocked in every thread: they inherit the mask).
  int received = serving::waitForShutdownSignal();
  log(level_enum::info, "shutting down", {{"signal", std::to_string(received)}});
  housekeeping.request_stop();
  queue.shutDown();
  workers.clear();
  if (electorThread.joinable()) {
    electorThread.request_stop();  // releases the Lease so a successor need not wait
    electorThread.join();
  }
  discoveryThread.request_stop();
  return 0;
}

}  // namespace
}  // namespace egressdiag::manager

int main(int argc, char** argv) {
  using namespace egressdiag;
  // Block the shutdown signals before any thread starts, so only sigwait() sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto options = manager::parseOptions(args);
  if (!options) {
    std::cerr << "egressdiag-operator: " << options.error().message << "\n\n" << manager::usage();
    return 2;
  }
  if (options->help) {
    std::cout << manager::usage();
    return 0;
  }
  logging::setup("operator", options->logFormat, options->logLevel);
  return manager::run(*options);
}
