#pragma once

// The listeners and the shutdown wait every egressdiag daemon has.

#include <prometheus/exposer.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>

#include "operator/common/result.h"
#include "operator/serving/health_server.h"

namespace egressdiag::serving {

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
