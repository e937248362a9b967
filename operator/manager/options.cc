#include "operator/manager/options.h"

#include "operator/serving/bind_address.h"

#include <functional>
#include <map>

namespace egressdiag::manager {
namespace {

Result<bool> parseBool(std::string_view flag, std::string_view value) {
  if (value == "true" || value == "1") {
    return true;
  }
  if (value == "false" || value == "0") {
    return false;
  }
  return fail(ErrorCode::InvalidInput, "--" + std::string(flag) + ": want true or false, got \"" +
                                           std::string(value) + "\"");
}

}  // namespace

Result<Options> parseOptions(std::span<const std::string_view> args) {
  Options options;
  using Setter = std::function<std::optional<Error>(std::string_view)>;
  auto text = [](std::string& field) -> Setter {
    return [&field](std::string_view v) -> std::optional<Error> {
      field = std::string(v);
      return std::nullopt;
    };
  };
  auto flagError = [](const auto& result) -> std::optional<Error> {
    return result ? std::nullopt : std::optional<Error>(result.error());
  };
  std::map<std::string_view, std::pair<bool, Setter>> flags = {
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
          return flagError(serving::parseBindAddress(v));
        }}},
      {"health-probe-bind-address",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          options.healthProbeBindAddress = std::string(v);
          return flagError(serving::parseBindAddress(v));
        }}},
      {"leader-election-id", {false, text(options.leaderElectionId)}},
      {"identity", {false, text(options.identity)}},
      {"log-format",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          auto format = logging::parseFormat(v);
          if (format) {
            options.logFormat = *format;
          }
          return flagError(format);
        }}},
      {"log-level",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          auto level = logging::parseLevel(v);
          if (level) {
            options.logLevel = *level;
          }
          return flagError(level);
        }}},
      {"workers",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          auto n = serving::parseIntFlag("workers", v, 1, 64);
          if (n) {
            options.workers = *n;
          }
          return flagError(n);
        }}},
      {"discovery-interval",
       {false,
        [&](std::string_view v) -> std::optional<Error> {
          auto n = serving::parseIntFlag("discovery-interval", v, 1, 3600);
          if (n) {
            options.discoveryInterval = std::chrono::seconds(*n);
          }
          return flagError(n);
        }}},
      {"leader-elect",
       {true,
        [&](std::string_view v) -> std::optional<Error> {
          auto b = parseBool("leader-elect", v);
          if (b) {
            options.leaderElect = *b;
          }
          return flagError(b);
        }}},
      {"auto-diagnose",
       {true,
        [&](std::string_view v) -> std::optional<Error> {
          auto b = parseBool("auto-diagnose", v);
          if (b) {
            options.autoDiagnose = *b;
          }
          return flagError(b);
        }}},
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      return fail(ErrorCode::InvalidInput, "unexpected argument \"" + std::string(arg) + "\"");
    }
    arg.remove_prefix(2);
    std::size_t eq = arg.find('=');
    std::string_view name = arg.substr(0, eq);
    auto flag = flags.find(name);
    if (flag == flags.end()) {
      return fail(ErrorCode::InvalidInput, "unknown flag --" + std::string(name));
    }
    auto [boolean, setter] = flag->second;
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else if (boolean) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail(ErrorCode::InvalidInput, "--" + std::string(name) + " needs a value");
    }
    if (auto error = setter(value)) {
      return std::unexpected(*error);
    }
  }
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
)";
}

}  // namespace egressdiag::manager
