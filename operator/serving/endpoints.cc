#include "operator/serving/endpoints.h"

#include <signal.h>

#include "operator/common/logging.h"
#include "operator/kube/config.h"
#include "operator/serving/flags.h"

namespace egressdiag::serving {

using logging::log;
using spdlog::level::level_enum;

std::optional<ApiConnection> connectCounted(const std::optional<std::string>& kubeconfig,
                                            const kube::ClientOptions& options,
                                            CountingTransport::Count count) {
  auto config = kube::resolveConfig(kubeconfig);
  if (!config) {
    log(level_enum::err, "no Kubernetes configuration", {{"error", config.error().message}});
    return std::nullopt;
  }
  auto transport = kube::Transport::create(*config, options.transport);
  if (!transport) {
    log(level_enum::err, "cannot build the API transport", {{"error", transport.error().message}});
    return std::nullopt;
  }
  return ApiConnection{
      config->origin,
      std::make_unique<kube::Client>(
          std::make_unique<CountingTransport>(std::move(*transport), std::move(count)), options)};
}

Result<std::unique_ptr<prometheus::Exposer>> serveMetrics(
    const std::string& bindAddress, const std::shared_ptr<prometheus::Registry>& registry) {
  auto bind = parseBindAddress(bindAddress);
  if (!bind) {
    return std::unexpected(bind.error());
  }
  if (!*bind) {
    return nullptr;
  }
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    exposer = std::make_unique<prometheus::Exposer>((*bind)->first + ":" +
                                                    std::to_string((*bind)->second));
  } catch (const std::exception& e) {
    return fail(ErrorCode::Unavailable,
                "cannot serve metrics on " + bindAddress + ": " + std::string(e.what()));
  }
  exposer->RegisterCollectable(registry);
  log(level_enum::info, "serving metrics",
      {{"port", std::to_string(exposer->GetListeningPorts().at(0))}});
  return exposer;
}

Result<std::unique_ptr<HealthServer>> serveHealth(const std::string& bindAddress,
                                                  std::function<bool()> ready) {
  auto bind = parseBindAddress(bindAddress);
  if (!bind) {
    return std::unexpected(bind.error());
  }
  if (!*bind) {
    return nullptr;
  }
  auto started = HealthServer::start((*bind)->first, (*bind)->second, std::move(ready));
  if (started) {
    log(level_enum::info, "serving health probes", {{"port", std::to_string((*started)->port())}});
  }
  return started;
}

int waitForShutdownSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

}  // namespace egressdiag::serving
