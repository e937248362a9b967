#pragma once

// `egressdiag-probe run`: the imperative shell that keeps this node's EgressNodeReport
// current. Verdicts come from node-probe/runner and the checks; this file moves data between
// the kernel, the API and the metrics.

#include "node-probe/daemon/options.h"

namespace egressdiag::daemon {

// Runs until SIGTERM/SIGINT (which the caller has blocked in every thread). Returns the exit
// status: 0 after a signal, 2 when the configuration or a listener cannot be set up.
int runDaemon(const RunOptions& options);

}  // namespace egressdiag::daemon
