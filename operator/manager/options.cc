#include "operator/manager/options.h"

#include "operator/serving/flags.h"

namespace egressdiag::manager {

Result<Options> parseOptions(std::span<const std::string_view> args) {
  Options options;
  using serving::errorOf;
  auto text = serving::textFlag;
  serving::FlagMap flags = {
      // name -> (boolean, setter)
      {"kubeconfig",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          options.kubeconfig = std::string(v);
          return std::nullopt;
        }}},
      {"namespace", {false, text(options.ns)}},
      {"metrics-bind-address",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          options.metricsBindAddress = std::string(v);
          return errorOf(serving::parseBindAddress(v));
        }}},
      {"health-probe-bind-address",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          options.healthProbeBindAddress = std::string(v);
          return errorOf(serving::parseBindAddress(v));
        }}},
      {"leader-election-id", {false, text(options.leaderElectionId)}},
      {"identity", {false, text(options.identity)}},
      {"log-format", {false, serving::logFormatFlag(options.logFormat)}},
      {"log-level", {false, serving::logLevelFlag(options.logLevel)}},
      {"workers",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          auto n = serving::parseIntFlag("workers", v, 1, 64);
          if (n) {
            options.workers = *n;
          }
          return errorOf(n);
        }}},
      {"kube-api-qps",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          auto n = serving::parseIntFlag("kube-api-qps", v, 1, 10000);
          if (n) {
            options.kubeApiQps = *n;
          }
          return errorOf(n);
        }}},
      {"kube-api-burst",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          auto n = serving::parseIntFlag("kube-api-burst", v, 1, 10000);
          if (n) {
            options.kubeApiBurst = *n;
          }
          return errorOf(n);
        }}},
      {"discovery-interval",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          auto n = serving::parseIntFlag("discovery-interval", v, 1, 3600);
          if (n) {
            options.discoveryInterval = std::chrono::seconds(*n);
          }
          return errorOf(n);
        }}},
      {"leader-elect",
       {true,
        [&](std::string_view v) -> std::optional<Error> {
          auto b = serving::parseBoolFlag("leader-elect", v);
          if (b) {
            options.leaderElect = *b;
          }
          return errorOf(b);
        }}},
      {"auto-diagnose",
       {true,
        [&](std::string_view v) -> std::optional<Error> {
          auto b = serving::parseBoolFlag("auto-diagnose", v);
          if (b) {
            options.autoDiagnose = *b;
          }
          return errorOf(b);
        }}},
  };
  auto help = serving::parseFlags(args, flags);
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
