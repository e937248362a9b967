#pragma once

// What one node must hold for Azure kube-egress-gateway, as a pure function of the objects
// (reference/azure.md §2): the current layout (v0.0.8+) by default, the legacy one (<= v0.0.7)
// when the GatewayStatus carries readyGatewayNamespaces.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/checks/expectation_types.h"
#include "operator/model/decode.h"

namespace egressdiag::checks::azure {

inline constexpr std::string_view kGatewayNetns = "ns-static-egress-gateway";
inline constexpr std::string_view kHostVeth = "host-gateway";
inline constexpr std::string_view kNetnsVeth = "host0";
inline constexpr std::string_view kHostNic = "eth0";
inline constexpr std::string_view kIlbLabel = "eth0:egress";
inline constexpr std::string_view kCniConfFile = "01-egressgateway.conflist";
inline constexpr std::string_view kCniPluginType = "kube-egress-cni";
inline constexpr std::uint32_t kPodEth0Mark = 0x2222;  // also the table id, 8738
inline constexpr std::uint16_t kLbProbePort = 8082;

struct PeerExpectation {
  std::string podEndpoint;  // "<ns>/<name>"
  std::string publicKey;
  std::string podIp;  // without prefix

  bool operator==(const PeerExpectation&) const = default;
};

// One StaticGatewayConfiguration served by this (gateway) node.
struct GatewayExpectation {
  std::string target;  // "<ns>/<name>" of the SGC
  std::string uid;
  std::string ilbIp;
  std::int64_t port = 0;
  std::string publicKey;
  std::string egressIpPrefix;
  std::string primaryIP;  // this node's gatewayVMProfiles entry
  std::string secondaryIP;
  std::string netns;                   // ns-static-egress-gateway, legacy gw-<uid>-<ILB IP with _>
  std::string wgLink;                  // wg-<port>, legacy wg0
  std::string hostVeth;                // host-gateway, legacy the netns name's first 11 characters
  std::vector<PeerExpectation> peers;  // sorted by podEndpoint
  std::vector<ExpectedRule> hostNat;   // host netns nat
  std::vector<ExpectedRule> netnsNat;  // gateway netns nat
  std::string notReady;                // why the daemon cannot program it yet; empty when it can

  bool operator==(const GatewayExpectation&) const = default;
};

// One annotated Running pod on this node.
struct PodExpectation {
  std::string target;  // SGC "<ns>/<name>"
  std::string pod;     // "<ns>/<name>"
  std::string podIp;
  std::string podPublicKey;      // from the PodEndpoint; empty when it has none
  std::string gatewayPublicKey;  // SGC status
  std::string endpoint;          // "<ILB IP>:<port>"
  std::vector<std::string> excludeCidrs;
  bool azureNetworking = false;  // SGC spec.defaultRoute == azureNetworking

  bool operator==(const PodExpectation&) const = default;
};

struct Expectation {
  std::string node;
  model::GatewayLayout layout = model::GatewayLayout::Current;
  bool gatewayNode = false;  // has a gatewayVMProfiles entry or the gateway node label
  std::vector<GatewayExpectation> gateways;
  std::vector<PodExpectation> pods;
  bool cniExpected = false;  // worker node of a cluster with SGCs: cni-manager writes the conf

  bool operator==(const Expectation&) const = default;
};

// True when the objects describe an Azure kube-egress-gateway installation.
bool present(const model::ObjectSet& objects);

// The expectation for `node`. Never fails: incomplete objects show up as notReady.
Expectation expect(const model::ObjectSet& objects, std::string_view node);

// Legacy gateway netns name: "gw-<uid>-<ILB IP with . replaced by _>".
std::string legacyNetnsName(std::string_view uid, std::string_view ilbIp);

// True when `ip` is one of the egress IPs of an SGC: inside the prefix CIDR, or one of the
// comma-separated IPs (provisionPublicIps=false).
bool inEgressPrefix(std::string_view ip, std::string_view egressIpPrefix);

}  // namespace egressdiag::checks::azure
