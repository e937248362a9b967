#include "node-probe/daemon/options.h"

#include "operator/serving/flags.h"

namespace egressdiag::daemon {

Result<RunOptions> parseRunArgs(std::span<const std::string_view> args, const Getenv& getenv) {
  RunOptions options;
  if (auto node = getenv("NODE_NAME")) {
    options.nodeName = *node;
  }
  if (auto ns = getenv("POD_NAMESPACE"); ns && !ns->empty()) {
    options.ns = *ns;
  }
  using namespace serving;
  FlagMap flags = {
      {"node-name", {false, textFlag(options.nodeName)}},
      {"kubeconfig", {false, optionalTextFlag(options.kubeconfig)}},
      {"namespace", {false, textFlag(options.ns)}},
      {"metrics-bind-address", {false, bindAddressFlag(options.metricsBindAddress)}},
      {"health-probe-bind-address", {false, bindAddressFlag(options.healthProbeBindAddress)}},
      {"poll-interval", {false, secondsFlag("poll-interval", options.pollInterval, 1, 3600)}},
      {"lease-duration", {false, secondsFlag("lease-duration", options.leaseDuration, 6, 3600)}},
      {"active-timeout", {false, secondsFlag("active-timeout", options.activeTimeout, 1, 60)}},
      {"arp-probe", {true, boolFlag("arp-probe", options.arpProbe)}},
      {"host-netns", {false, textFlag(options.hostNetns)}},
      {"netns-dir", {false, textFlag(options.netnsDir)}},
      {"cni-conf-dir", {false, textFlag(options.cniConfDir)}},
      {"wireguard-dir", {false, textFlag(options.wireguardDir)}},
      {"log-format", {false, logFormatFlag(options.logFormat)}},
      {"log-level", {false, logLevelFlag(options.logLevel)}},
  };
  auto help = parseFlags(args, flags);
  if (!help) {
    return std::unexpected(help.error());
  }
  options.help = *help;
  if (!options.help && options.nodeName.empty()) {
    return fail(ErrorCode::InvalidInput, "no node name: pass --node-name or set NODE_NAME");
  }
  return options;
}

std::string runUsage() {
  return R"(Usage: egressdiag-probe run [flags]

Runs continuously on one node: re-checks the datapath when the kernel reports a change
(links, addresses, routes, rules, neighbours) or the objects change, polls iptables and
ipsets, runs the active checks at each EgressDiagnosis' interval, and writes this node's
EgressNodeReport when a result changes. Renews Lease egressdiag-probe-<node> for liveness.

  --node-name NAME                  this node (default $NODE_NAME)
  --kubeconfig PATH                 kubeconfig (default: in-cluster, $KUBECONFIG, ~/.kube/config)
  --namespace NS                    namespace of the Lease (default $POD_NAMESPACE, egressdiag-system)
  --metrics-bind-address ADDR       /metrics listener, host:port or :port; 0 disables (:9781)
  --health-probe-bind-address ADDR  /healthz and /readyz listener (:9782)
  --poll-interval SECONDS           iptables / ipset poll period (10)
  --lease-duration SECONDS          Lease duration; renewed every third of it (40)
  --active-timeout SECONDS          bound of each ping and of echo requests without one (3)
  --arp-probe=BOOL                  ask ARP for each policy's EIP on its segment (SPN-EIP-ARP;
                                    up to 3 broadcasts per EIP and round); false: Skipped (true)
  --host-netns PATH                 the node's network namespace when the probe runs outside
                                    it (a lab, a debugging session); default: its own
  --netns-dir DIR                   named network namespaces (/var/run/netns)
  --cni-conf-dir DIR                CNI configuration (/etc/cni/net.d)
  --wireguard-dir DIR               WireGuard UAPI sockets (/var/run/wireguard)
  --log-format json|text            log lines as JSON objects or text (json)
  --log-level LEVEL                 trace, debug, info, warn, error (info)

Needs CAP_NET_ADMIN (ipset, iptables), CAP_NET_RAW (ping, ARP) and CAP_SYS_ADMIN (setns); without
them the affected checks report Unknown naming the capability, never Pass.
)";
}

}  // namespace egressdiag::daemon
