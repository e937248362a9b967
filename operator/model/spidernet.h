#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/model/object_meta.h"
#include "operator/model/selector.h"

// spidernet-io/egressgateway, egressgateway.spidernet.io/v1beta1 (reference/spidernet.md §2).
namespace egressdiag::model {

struct EgressGatewayIPPools {
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
  std::string ipv4DefaultEIP;
  std::string ipv6DefaultEIP;

  bool operator==(const EgressGatewayIPPools&) const = default;
};

struct EgressGatewaySpec {
  bool clusterDefault = false;
  EgressGatewayIPPools ippools;
  std::optional<LabelSelector> nodeSelector;  // spec.nodeSelector.selector

  bool operator==(const EgressGatewaySpec&) const = default;
};

struct PolicyRef {
  std::string name;
  std::string namespace_;

  bool operator==(const PolicyRef&) const = default;
};

// status.nodeList[].eips[]; both IPs empty = the useNodeIP bucket.
struct GatewayEip {
  std::string ipv4;
  std::string ipv6;
  std::vector<PolicyRef> policies;

  bool operator==(const GatewayEip&) const = default;
};

struct GatewayNodeStatus {
  std::string name;
  std::string status;  // EgressTunnel phase string
  std::vector<GatewayEip> eips;

  bool operator==(const GatewayNodeStatus&) const = default;
};

struct EgressGatewayStatus {
  std::vector<GatewayNodeStatus> nodeList;
  std::int64_t ipv4Total = 0;  // status.ipUsage.*
  std::int64_t ipv4Free = 0;
  std::int64_t ipv6Total = 0;
  std::int64_t ipv6Free = 0;

  bool operator==(const EgressGatewayStatus&) const = default;
};

struct EgressGateway {
  ObjectMeta metadata;
  EgressGatewaySpec spec;
  EgressGatewayStatus status;

  bool operator==(const EgressGateway&) const = default;
};

struct EgressIPSpec {
  std::string ipv4;
  std::string ipv6;
  bool useNodeIP = false;
  std::string allocatorPolicy;  // "default" | "rr"; empty when absent

  bool operator==(const EgressIPSpec&) const = default;
};

struct AppliedTo {
  std::optional<LabelSelector> podSelector;
  std::vector<std::string> podSubnet;
  std::optional<LabelSelector> namespaceSelector;  // EgressClusterPolicy only

  bool operator==(const AppliedTo&) const = default;
};

// Shared by EgressPolicy and EgressClusterPolicy.
struct EgressPolicySpec {
  std::string egressGatewayName;
  EgressIPSpec egressIP;
  AppliedTo appliedTo;
  std::vector<std::string> destSubnet;
  std::uint64_t priority = 0;

  bool operator==(const EgressPolicySpec&) const = default;
};

struct EgressPolicyStatus {
  std::string eipIPv4;  // status.eip.ipv4
  std::string eipIPv6;  // status.eip.ipv6
  std::string node;

  bool operator==(const EgressPolicyStatus&) const = default;
};

struct EgressPolicy {
  ObjectMeta metadata;
  EgressPolicySpec spec;
  EgressPolicyStatus status;

  bool operator==(const EgressPolicy&) const = default;
};

struct EgressClusterPolicy {
  ObjectMeta metadata;
  EgressPolicySpec spec;
  EgressPolicyStatus status;

  bool operator==(const EgressClusterPolicy&) const = default;
};

struct TunnelParent {
  std::string name;
  std::string ipv4;
  std::string ipv6;

  bool operator==(const TunnelParent&) const = default;
};

struct EgressTunnelStatus {
  std::string tunnelIPv4;  // status.tunnel.ipv4
  std::string tunnelIPv6;
  std::string mac;
  TunnelParent parent;
  std::string phase;  // Pending | Init | Failed | Ready | HeartbeatTimeout | NodeNotReady
  std::string mark;   // hex string as served, e.g. "0x26b7b4e4"
  std::optional<Time> lastHeartbeatTime;

  bool operator==(const EgressTunnelStatus&) const = default;
};

// One per Node, same name.
struct EgressTunnel {
  ObjectMeta metadata;
  EgressTunnelStatus status;

  bool operator==(const EgressTunnel&) const = default;
};

// status.mark as a number; nullopt unless it is "0x" followed by 1-8 hex digits.
std::optional<std::uint32_t> tunnelMark(const EgressTunnel& tunnel);

struct EgressEndpoint {
  std::string ns;
  std::string pod;
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;
  std::string node;

  bool operator==(const EgressEndpoint&) const = default;
};

// Label selecting a policy's endpoint slices.
inline constexpr std::string_view kPolicyNameLabel = "spidernet.io/policy-name";

struct EgressEndpointSlice {
  ObjectMeta metadata;
  std::vector<EgressEndpoint> endpoints;

  bool operator==(const EgressEndpointSlice&) const = default;
};

struct EgressClusterEndpointSlice {
  ObjectMeta metadata;
  std::vector<EgressEndpoint> endpoints;

  bool operator==(const EgressClusterEndpointSlice&) const = default;
};

struct IPLists {
  std::vector<std::string> ipv4;
  std::vector<std::string> ipv6;

  bool operator==(const IPLists&) const = default;
};

struct EgressClusterInfoSpec {
  std::string podCidrMode;  // spec.autoDetect.podCidrMode: k8s | calico | auto | ""
  bool clusterIP = true;    // spec.autoDetect.clusterIP
  bool nodeIP = true;       // spec.autoDetect.nodeIP
  std::vector<std::string> extraCidr;

  bool operator==(const EgressClusterInfoSpec&) const = default;
};

struct EgressClusterInfoStatus {
  std::string podCidrMode;
  std::map<std::string, IPLists> nodeIP;  // node name -> IPs
  IPLists clusterIP;
  std::map<std::string, IPLists> podCIDR;  // pool name -> CIDRs
  std::vector<std::string> extraCidr;

  bool operator==(const EgressClusterInfoStatus&) const = default;
};

// The singleton "default".
struct EgressClusterInfo {
  ObjectMeta metadata;
  EgressClusterInfoSpec spec;
  EgressClusterInfoStatus status;

  bool operator==(const EgressClusterInfo&) const = default;
};

}  // namespace egressdiag::model
