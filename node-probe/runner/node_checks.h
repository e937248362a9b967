#pragma once

// Runs the node checks through a DatapathReader: the one shell both `egressdiag-probe check`
// (once, objects from a file) and `egressdiag-probe run` (continuously, objects from informers)
// use. Passive checks read a snapshot; active checks send traffic (tunnel ping, source-IP echo)
// and so run on their own schedule in the daemon.

#include <chrono>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "node-probe/datapath/reader.h"
#include "operator/catalog/finding.h"
#include "operator/model/decode.h"
#include "operator/model/egressdiag.h"

namespace egressdiag::runner {

enum class Flavour { Spidernet, Azure };

std::string_view toString(Flavour flavour);  // "spidernet", "azure"

// The flavours the objects describe (spidernet first).
std::vector<Flavour> flavoursOf(const model::ObjectSet& objects);

// Every node the objects mention (Nodes, tunnels, gateways, gateway status, pods).
std::set<std::string> knownNodes(const model::ObjectSet& objects);

// Findings of one flavour. Targets are catalog targets ("<ns>/<name>", or "<name>" for an
// EgressClusterPolicy; empty for node-wide checks).
struct FlavourFindings {
  Flavour flavour = Flavour::Spidernet;
  std::vector<catalog::Finding> findings;
};

// A named namespace the checks read, and the parts of it they read: the daemon polls exactly
// these parts (no ipset dump of a pod namespace, whose checks read none).
struct ReadNamespace {
  std::string name;
  datapath::ReadOptions read;
};

struct PassiveRun {
  std::vector<FlavourFindings> results;
  double snapshotSeconds = 0;            // time spent reading the kernel
  std::vector<ReadNamespace> namedNetns;  // the named namespaces read (gateways, pods)
};

struct PassiveOptions {
  std::chrono::milliseconds timeout{3000};  // each Azure gateway health GET
  std::string wireguardUapiDir = "/var/run/wireguard";
};

// Reads the node (host namespace plus the gateway namespaces the objects name) and runs every
// passive check of each flavour. Never fails: unreadable parts become Unknown findings.
PassiveRun passiveChecks(const model::ObjectSet& objects, const std::string& node,
                         datapath::DatapathReader& reader, const PassiveOptions& options);

// The echo endpoint for a target's E2E-SOURCE-IP, or nullopt when none is configured.
struct EchoEndpoint {
  std::string url;
  std::chrono::milliseconds timeout{3000};
};
using EchoLookup = std::function<std::optional<EchoEndpoint>(const model::TargetRef& target)>;

// What the active checks measured, for the daemon's metrics.
struct ActiveObservations {
  struct TunnelRtt {
    std::string peerNode;
    std::optional<double> seconds;  // nullopt: no answer (or the ping could not run)
  };
  std::vector<TunnelRtt> tunnels;
  int sourceIpMatch = 0;
  int sourceIpMismatch = 0;
  int sourceIpError = 0;
};

struct ActiveRun {
  std::vector<FlavourFindings> results;
  ActiveObservations observed;
};

struct ActiveOptions {
  std::chrono::milliseconds pingTimeout{3000};  // each ping; ARP waits at most 1 s of it
  bool arpProbe = true;  // false: SPN-EIP-ARP is Skipped (ArpProbeDisabled), no ARP is sent
};

// SPN-TUNNEL-PING to every peer, SPN-EIP-ARP for every policy's EIP (from nodes other than its
// EIP node) and E2E-SOURCE-IP from one selected pod per target. Without an
// echo endpoint for a target its source-IP check is Unknown (EchoUrlNotSet).
ActiveRun activeChecks(const model::ObjectSet& objects, const std::string& node,
                       datapath::DatapathReader& reader, const EchoLookup& echo,
                       const ActiveOptions& options);

// The typed reference behind a catalog target of `flavour` (empty for ""): spidernet
// "<ns>/<name>" is an EgressPolicy, "<name>" an EgressClusterPolicy; Azure targets are
// StaticGatewayConfigurations.
model::TargetRef targetRefOf(Flavour flavour, const std::string& target);

}  // namespace egressdiag::runner
