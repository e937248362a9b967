#include "operator/manager/options.h"

#include "operator/serving/flags.h"

namespace egressdiag::manager {

Result<Options> parseOptions(std::span<const std::string_view> args) {
  Options options;
  using namespace serving;
  FlagMap flags = {
      // name -> (boolean, setter)
      {"kubeconfig", {false, optionalTextFlag(options.kubeconfig)}},
      {"namespace", {false, textFlag(options.ns)}},
      {"metrics-bind-address", {false, bindAddressFlag(options.metricsBindAddress)}},
      {"health-probe-bind-address", {false, bindAddressFlag(options.healthProbeBindAddress)}},
      {"leader-election-id", {false, textFlag(options.leaderElectionId)}},
      {"identity", {false, textFlag(options.identity)}},
      {"log-format", {false, logFormatFlag(options.logFormat)}},
      {"log-level", {false, logLevelFlag(options.logLevel)}},
      {"workers", {false, intFlag("workers", options.workers, 1, 64)}},
      {"kube-api-qps", {false, intFlag("kube-api-qps", options.kubeApiQps, 1, 10000)}},
      {"kube-api-burst", {false, intFlag("kube-api-burst", options.kubeApiBurst, 1, 10000)}},
      {"discovery-interval",
       {false, secondsFlag("discovery-interval", options.discoveryInterval, 1, 3600)}},
      {"leader-elect", {true, boolFlag("leader-elect", options.leaderElect)}},
      {"auto-diagnose", {true, boolFlag("auto-diagnose", options.autoDiagnose)}},
  };
  auto help = parseFlags(args, flags);
  if (!help) {
    return std::unexpected(help.error());
  }
  options.help = *help;
  return options;
}

std::string usage() {
  return R"(egressdiag-operator: keeps EgressDiagnosis status current.

  --kubeconfig PATH                 kubeconfig (default: $KUBECONFIG, in-cluster, ~/.kube/config)
  --namespace NS                    namespace of the leader Lease and probe Leases (egressdiag-system)
  --metrics-bind-address ADDR       /metrics listener, host:port or :port; 0 disables (:8080)
  --health-probe-bind-address ADDR  /healthz and /readyz listener (:8081)
  --leader-elect                    run leader election; only the leader writes (off)
  --leader-election-id NAME         Lease name (egressdiag-operator)
  --identity ID                     leader-election identity (hostname_pid)
  --auto-diagnose                   create an EgressDiagnosis for every policy / SGC without one
  --log-format json|text            log lines as JSON objects or text (json)
  --log-level LEVEL                 trace, debug, info, warn, error (info)
  --workers N                       concurrent reconciles (2)
  --discovery-interval SECONDS      how often optional API groups are re-checked (30)
  --kube-api-qps N                  sustained API requests per second (20)
  --kube-api-burst N                API requests allowed in a burst above the QPS (40)
)";
}

}  // namespace egressdiag::manager
