#pragma once

#include <spdlog/common.h>

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "operator/common/logging.h"
#include "operator/common/result.h"

namespace egressdiag::daemon {

struct RunOptions {
  std::string nodeName;                          // --node-name; default $NODE_NAME
  std::optional<std::string> kubeconfig;         // --kubeconfig; else in-cluster, $KUBECONFIG
  std::string ns = "egressdiag-system";          // --namespace (Lease); default $POD_NAMESPACE
  std::string metricsBindAddress = ":9781";      // --metrics-bind-address; "0" disables
  std::string healthProbeBindAddress = ":9782";  // --health-probe-bind-address
  std::chrono::seconds pollInterval{10};         // --poll-interval: iptables / ipset polling
  std::chrono::seconds leaseDuration{40};        // --lease-duration; renewed every third of it
  std::chrono::seconds activeTimeout{3};         // --active-timeout: each ping / echo default
  bool arpProbe = true;                          // --arp-probe: SPN-EIP-ARP's ARP requests
  std::string hostNetns;                         // --host-netns: the node's netns when not ours
  std::string netnsDir = "/var/run/netns";       // --netns-dir
  std::string cniConfDir = "/etc/cni/net.d";     // --cni-conf-dir
  std::string wireguardDir = "/var/run/wireguard";           // --wireguard-dir
  logging::Format logFormat = logging::Format::Json;         // --log-format=json|text
  spdlog::level::level_enum logLevel = spdlog::level::info;  // --log-level
  bool help = false;
};

using Getenv = std::function<std::optional<std::string>(const char* name)>;

// Parses the arguments after "run"; defaults for --node-name and --namespace come from
// NODE_NAME and POD_NAMESPACE (the DaemonSet's downward API). InvalidInput naming the flag for
// an unknown or malformed flag, or when no node name is known.
Result<RunOptions> parseRunArgs(std::span<const std::string_view> args, const Getenv& getenv);

std::string runUsage();

}  // namespace egressdiag::daemon
