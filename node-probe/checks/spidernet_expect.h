#pragma once

// What one node must hold for spidernet-io/egressgateway v0.6.x, as a pure function of the
// objects (reference/spidernet.md §3). No kernel access here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/checks/expectation_types.h"
#include "node-probe/checks/expected_members.h"
#include "operator/model/decode.h"

namespace egressdiag::checks::spidernet {

// Another node's tunnel as this node must see it (routes, rules, neighbours, REPLY-ROUTING).
struct Peer {
  std::string node;
  std::uint32_t mark = 0;
  std::string tunnelIPv4;
  std::string mac;  // as served in the EgressTunnel (lower-cased)
  std::string parentIPv4;

  bool operator==(const Peer&) const = default;
};

// This node's own tunnel, from its EgressTunnel.
struct SelfTunnel {
  std::string tunnelIPv4;
  std::string mac;
  std::string parentName;
  std::string parentIPv4;
  std::optional<std::uint32_t> mark;

  bool operator==(const SelfTunnel&) const = default;
};

struct PolicyExpectation {
  std::string target;    // "<ns>/<name>", or "<name>" for an EgressClusterPolicy
  std::string hashName;  // "<ns>-<name>" or "<name>": input of the ipset hash
  bool clusterPolicy = false;
  std::string srcSet;           // egress-src-v4-<h17>
  std::string dstSet;           // egress-dst-v4-<h17>
  bool useClusterCidr = false;  // no IPv4 destSubnet: dst match is ! egress-cluster-cidr-ipv4
  ExpectedMembers srcMembers;   // sorted; this node's pods, all pods on the EIP node
  ExpectedMembers dstMembers;   // sorted, as ipset lists them (/32 stripped, /0 split)
  std::string eipNode;          // status.node; empty when unassigned
  std::string eip;              // status.eip.ipv4
  bool useNodeIP = false;
  bool onEipNode = false;  // this node holds the EIP
  // Set when the agent can program this policy on this node; otherwise why it cannot (the
  // checks then report Skipped/Unknown instead of blaming the datapath).
  std::string notReady;
  std::optional<ExpectedRule> markRule;  // non-EIP nodes
  std::optional<ExpectedRule> snatRule;  // EIP node

  bool operator==(const PolicyExpectation&) const = default;
};

struct Expectation {
  std::string node;
  bool gatewayExists = false;  // no EgressGateway: the agent programs no iptables at all
  bool isEgressNode = false;   // listed in some EgressGateway status.nodeList
  std::optional<SelfTunnel> self;
  std::vector<Peer> peers;  // other nodes' usable tunnels, sorted by node
  // Rules the agent inserts at the top of kernel chains, in insert order per chain.
  std::vector<ExpectedRule> hookRules;
  // EGRESSGATEWAY-REPLY-ROUTING content (egress nodes), compared as a set.
  std::vector<ExpectedRule> replyRouting;
  std::vector<PolicyExpectation> policies;
  bool clusterInfoExists = false;
  ExpectedMembers clusterCidrMembers;  // sorted expected egress-cluster-cidr-ipv4

  bool operator==(const Expectation&) const = default;
};

// True when the objects describe a spidernet installation (any spidernet kind present).
bool present(const model::ObjectSet& objects);

// The expectation for `node`. Never fails: missing or inconsistent objects show up as
// PolicyExpectation::notReady or an absent `self`, which the checks report.
Expectation expect(const model::ObjectSet& objects, std::string_view node);

// ipset members for destSubnet entries of one family, as `ipset list` prints them: "/32" dropped,
// "0.0.0.0/0" split into "0.0.0.0/1" and "128.0.0.0/1"; sorted, unique.
std::vector<std::string> ipsetMembersV4(const std::vector<std::string>& cidrs);

}  // namespace egressdiag::checks::spidernet
