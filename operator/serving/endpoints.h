#pragma once

// The listeners and the shutdown wait every egressdiag daemon has.

#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "operator/common/result.h"
#include "operator/kube/client.h"
#include "operator/serving/counting_transport.h"
#include "operator/serving/health_server.h"

namespace egressdiag::serving {

// A daemon's API client: the cluster configuration (`kubeconfig`, else in-cluster, else
// $KUBECONFIG, as kube::resolveConfig), every request reported to `count`
// (egressdiag_api_requests_total). nullopt after logging why ("no Kubernetes configuration",
// "cannot build the API transport").
struct ApiConnection {
  std::string server;  // the configuration's origin, for the start-up log line
  std::unique_ptr<kube::Client> client;
};
std::optional<ApiConnection> connectCounted(const std::optional<std::string>& kubeconfig,
                                            const kube::ClientOptions& options,
                                            CountingTransport::Count count);

// Serves `registry` at /metrics on a --metrics-bind-address value; nullptr (no error) for "0".
// Unavailable naming the address when it cannot bind. Logs the port it listens on.
Result<std::unique_ptr<prometheus::Exposer>> serveMetrics(
    const std::string& bindAddress, const std::shared_ptr<prometheus::Registry>& registry);

// /healthz and /readyz (`ready`) on a --health-probe-bind-address value; nullptr for "0".
Result<std::unique_ptr<HealthServer>> serveHealth(const std::string& bindAddress,
                                                  std::function<bool()> ready);

// Blocks until SIGTERM or SIGINT (which the caller blocked in every thread before starting
// any) and returns the signal number.
int waitForShutdownSignal();

}  // namespace egressdiag::serving
