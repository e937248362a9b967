#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "operator/common/logging.h"
#include "operator/common/result.h"

namespace egressdiag::manager {

struct Options {
  std::optional<std::string> kubeconfig;         // --kubeconfig; else $KUBECONFIG, in-cluster
  std::string ns = "egressdiag-system";          // --namespace: leader Lease, auto diagnoses of
                                                 // cluster-scoped policies, probe Leases
  std::string metricsBindAddress = ":8080";      // --metrics-bind-address; "0" disables
  std::string healthProbeBindAddress = ":8081";  // --health-probe-bind-address
  bool leaderElect = false;                      // --leader-elect
  std::string leaderElectionId = "egressdiag-operator";      // --leader-election-id (Lease name)
  std::string identity;                                      // --identity; default hostname_pid
  bool autoDiagnose = false;                                 // --auto-diagnose
  logging::Format logFormat = logging::Format::Json;         // --log-format=json|text
  spdlog::level::level_enum logLevel = spdlog::level::info;  // --log-level
  int workers = 2;                                           // --workers
  int kubeApiQps = 20;    // --kube-api-qps: client-side limit; a cold start writes status and
  int kubeApiBurst = 40;  // --kube-api-burst   an event per diagnosis, so it bounds convergence
  std::chrono::seconds discoveryInterval{30};  // --discovery-interval: optional CRDs re-checked
  bool help = false;                           // --help
};

// Parses `--flag=value`, `--flag value` and bare boolean `--flag`. InvalidInput naming the flag
// for an unknown flag, a missing value or a malformed one.
Result<Options> parseOptions(std::span<const std::string_view> args);

std::string usage();

}  // namespace egressdiag::manager
