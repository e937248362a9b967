#include "node-probe/checks/spidernet_expect.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "node-probe/checks/ipv4.h"
#include "node-probe/checks/spidernet_naming.h"

namespace egressdiag::checks::spidernet {
namespace {

constexpr std::string_view kSrcPrefix = "egress-src-v4-";
constexpr std::string_view kDstPrefix = "egress-dst-v4-";
constexpr std::string_view kReplyComment =
    "EgressGateway reply datapath rule, rule is from the EgressGateway";
constexpr std::string_view kTunnelAccept =
    "Accept for egress traffic from pod going to EgressTunnel";
constexpr std::string_view kReplyMark = "0x27";  // gatewayReplyRouteMark 39, the chart default

// One hook rule in both renderings: the agent's (hash input) and iptables-save's (comparison).
struct HookRule {
  std::string_view comment;
  std::string match;
  std::string action;
  std::string saveArgs;
};

void addHookChain(std::vector<ExpectedRule>& out, std::string_view table, std::string_view chain,
                  const std::vector<HookRule>& rules) {
  std::vector<AgentRule> agent;
  for (const HookRule& r : rules) {
    agent.push_back({{std::string(r.comment)}, r.match, r.action});
  }
  std::vector<std::string> hashes = ruleHashes(chain, agent);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    out.push_back(ExpectedRule{std::string(table), std::string(chain),
                               std::string(rules[i].comment), "egw:" + hashes[i],
                               rules[i].saveArgs});
  }
}

std::vector<ExpectedRule> hookRules(bool egressNode) {
  const std::string base = hexMark(kBaseMark);
  const std::string anyMark = "-m mark --mark " + base + "/0xff000000";
  const std::string exactMark = "-m mark --mark " + base + "/0xffffffff";
  const std::string exactSave = "-m mark --mark " + base;
  std::vector<ExpectedRule> out;
  std::vector<HookRule> manglePre = {
      {"Checking for EgressPolicy matched traffic", "", "--jump EGRESSGATEWAY-MARK-REQUEST",
       "-j EGRESSGATEWAY-MARK-REQUEST"},
      {"EgressGateway traffic accept datapath rule", anyMark, "--jump ACCEPT",
       anyMark + " -j ACCEPT"},
  };
  if (egressNode) {
    manglePre.push_back({kReplyComment, "", "--jump EGRESSGATEWAY-REPLY-ROUTING",
                         "-j EGRESSGATEWAY-REPLY-ROUTING"});
    manglePre.push_back({kReplyComment, anyMark, "--jump ACCEPT", anyMark + " -j ACCEPT"});
  }
  addHookChain(out, "mangle", "PREROUTING", manglePre);
  addHookChain(out, "mangle", "FORWARD",
               {{kTunnelAccept, anyMark, "--jump MARK --set-mark " + base + "/0xffffffff",
                 anyMark + " -j MARK --set-xmark " + base + "/0xffffffff"}});
  std::vector<HookRule> manglePost = {
      {kTunnelAccept, exactMark, "--jump ACCEPT", exactSave + " -j ACCEPT"}};
  if (egressNode) {
    manglePost.push_back(
        {"clear the Mark of the inner package, rule is from the EgressGateway",
         "-m mark --mark " + std::string(kReplyMark) + "/0xffffffff",
         "--jump MARK --set-mark 0x0/0xffffffff",
         "-m mark --mark " + std::string(kReplyMark) + " -j MARK --set-xmark 0x0/0xffffffff"});
  }
  addHookChain(out, "mangle", "POSTROUTING", manglePost);
  for (std::string_view chain : {"FORWARD", "OUTPUT"}) {
    addHookChain(out, "filter", chain,
                 {{kTunnelAccept, exactMark, "--jump ACCEPT", exactSave + " -j ACCEPT"}});
  }
  addHookChain(out, "nat", "POSTROUTING",
               {{"SNAT for egress traffic", "", "--jump EGRESSGATEWAY-SNAT-EIP",
                 "-j EGRESSGATEWAY-SNAT-EIP"},
                {kTunnelAccept, exactMark, "--jump ACCEPT", exactSave + " -j ACCEPT"}});
  addHookChain(out, "nat", "PREROUTING",
               {{"EgressGateway traffic accept datapath rule", anyMark, "--jump ACCEPT",
                 anyMark + " -j ACCEPT"}});
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

const model::EgressTunnel* findTunnel(const model::ObjectSet& objects, std::string_view node) {
  for (const model::EgressTunnel& t : objects.egressTunnels) {
    if (t.metadata.name == node) {
      return &t;
    }
  }
  return nullptr;
}

std::vector<ExpectedRule> replyRouting(const std::vector<Peer>& peers) {
  std::vector<ExpectedRule> out;
  auto rule = [](std::string comment, std::string args) {
    return ExpectedRule{"mangle", "EGRESSGATEWAY-REPLY-ROUTING", std::move(comment), "",
                        std::move(args)};
  };
  for (const Peer& p : peers) {
    const std::string mark = hexMark(p.mark);
    out.push_back(
        rule("Mark the traffic from the EgressGateway tunnel, rule is from the "
             "EgressGateway",
             "-i egress.vxlan -m mac --mac-source " + p.mac +
                 " -m conntrack --ctdir ORIGINAL -j MARK --set-xmark " + mark + "/0xffffffff"));
    out.push_back(rule("Save mark to the connection, rule is from the EgressGateway",
                       "-m mark --mark " + mark +
                           " -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff"));
    out.push_back(rule("Clear Mark of the inner package, rule is from the EgressGateway",
                       "-i egress.vxlan -m mac --mac-source " + p.mac + " -j MARK --set-xmark " +
                           hexMark(kBaseMark) + "/0xffffffff"));
  }
  out.push_back(rule("label for restoring connections, rule is from the EgressGateway",
                     "-m conntrack --ctdir REPLY -j CONNMARK --restore-mark --nfmask 0xffffffff "
                     "--ctmask 0xffffffff"));
  return out;
}

template <class Slice>
std::vector<std::string> srcMembers(const std::vector<Slice>& slices, std::string_view policyName,
                                    std::string_view ns, std::string_view node, bool all) {
  std::set<std::string> out;
  for (const Slice& slice : slices) {
    auto label = slice.metadata.labels.find(std::string(model::kPolicyNameLabel));
    if (label == slice.metadata.labels.end() || label->second != policyName ||
        slice.metadata.namespace_ != ns) {
      continue;
    }
    for (const model::EgressEndpoint& ep : slice.endpoints) {
      if (!all && ep.node != node) {
        continue;
      }
      for (const std::string& ip : ep.ipv4) {
        if (auto p = parseIpv4Prefix(ip)) {
          out.insert(formatIpsetMember(*p));
        }
      }
    }
  }
  return {out.begin(), out.end()};
}

PolicyExpectation expectPolicy(const model::ObjectSet& objects, std::string_view node,
                               const model::ObjectMeta& meta, const model::EgressPolicySpec& spec,
                               const model::EgressPolicyStatus& status, bool cluster) {
  PolicyExpectation p;
  p.clusterPolicy = cluster;
  p.target = cluster ? meta.name : meta.namespace_ + "/" + meta.name;
  p.hashName = cluster ? meta.name : meta.namespace_ + "-" + meta.name;
  p.srcSet = ipsetName(kSrcPrefix, p.hashName);
  p.dstSet = ipsetName(kDstPrefix, p.hashName);
  p.dstMembers = ipsetMembersV4(spec.destSubnet);
  p.useClusterCidr = p.dstMembers.empty();
  p.eipNode = status.node;
  p.eip = status.eipIPv4;
  p.useNodeIP = spec.egressIP.useNodeIP;
  p.onEipNode = !p.eipNode.empty() && p.eipNode == node;
  p.srcMembers =
      cluster
          ? srcMembers(objects.egressClusterEndpointSlices, meta.name, "", node, p.onEipNode)
          : srcMembers(objects.egressEndpointSlices, meta.name, meta.namespace_, node, p.onEipNode);
  if (p.eipNode.empty()) {
    p.notReady = "policy " + p.target + " has no egress node (status.node is empty)";
    return p;
  }
  const std::string dstMatch =
      p.useClusterCidr ? "-m set ! --match-set " + std::string(kClusterCidrSetV4) + " dst"
                       : "-m set --match-set " + p.dstSet + " dst";
  const std::string match =
      "-m set --match-set " + p.srcSet + " src " + dstMatch + " -m conntrack --ctdir ORIGINAL";
  if (p.onEipNode) {
    if (p.eip.empty() && !p.useNodeIP) {
      p.notReady = "policy " + p.target + " has no IPv4 egress IP (status.eip.ipv4 is empty)";
      return p;
    }
    p.snatRule =
        ExpectedRule{"nat", "EGRESSGATEWAY-SNAT-EIP", "snat policy " + p.hashName, "",
                     match + (p.useNodeIP ? " -j MASQUERADE" : " -j SNAT --to-source " + p.eip)};
    return p;
  }
  const model::EgressTunnel* eipTunnel = findTunnel(objects, p.eipNode);
  std::optional<std::uint32_t> mark;
  if (eipTunnel != nullptr) {
    mark = model::tunnelMark(*eipTunnel);
  }
  if (!mark || *mark == 0) {
    p.notReady = "EgressTunnel " + p.eipNode + " (egress node of " + p.target + ") has no mark";
    return p;
  }
  p.markRule = ExpectedRule{"mangle", "EGRESSGATEWAY-MARK-REQUEST",
                            "Set mark for EgressPolicy " + p.hashName, "",
                            match + " -j MARK --set-xmark " + hexMark(*mark) + "/0xffffffff"};
  return p;
}

void addCidrs(std::set<std::string>& out, const std::vector<std::string>& cidrs) {
  for (const std::string& m : ipsetMembersV4(cidrs)) {
    out.insert(m);
  }
}

}  // namespace

std::vector<std::string> ipsetMembersV4(const std::vector<std::string>& cidrs) {
  std::set<std::string> out;
  for (const std::string& cidr : cidrs) {
    auto p = parseIpv4Prefix(cidr);
    if (!p) {
      continue;
    }
    if (p->len == 0) {
      out.insert("0.0.0.0/1");
      out.insert("128.0.0.0/1");
      continue;
    }
    out.insert(formatIpsetMember(*p));
  }
  return {out.begin(), out.end()};
}

bool present(const model::ObjectSet& objects) {
  return !objects.egressGateways.empty() || !objects.egressPolicies.empty() ||
         !objects.egressClusterPolicies.empty() || !objects.egressTunnels.empty();
}

Expectation expect(const model::ObjectSet& objects, std::string_view node) {
  Expectation e;
  e.node = node;
  e.gatewayExists = !objects.egressGateways.empty();
  for (const model::EgressGateway& gw : objects.egressGateways) {
    for (const model::GatewayNodeStatus& n : gw.status.nodeList) {
      e.isEgressNode = e.isEgressNode || n.name == node;
    }
  }
  if (const model::EgressTunnel* own = findTunnel(objects, node)) {
    e.self = SelfTunnel{own->status.tunnelIPv4, lower(own->status.mac), own->status.parent.name,
                        own->status.parent.ipv4, model::tunnelMark(*own)};
  }
  for (const model::EgressTunnel& t : objects.egressTunnels) {
    auto mark = model::tunnelMark(t);
    if (t.metadata.name == node || !mark || *mark == 0 || t.status.mac.empty()) {
      continue;
    }
    e.peers.push_back(Peer{t.metadata.name, *mark, t.status.tunnelIPv4, lower(t.status.mac),
                           t.status.parent.ipv4});
  }
  std::sort(e.peers.begin(), e.peers.end(),
            [](const Peer& a, const Peer& b) { return a.node < b.node; });
  if (e.gatewayExists) {
    e.hookRules = hookRules(e.isEgressNode);
    if (e.isEgressNode) {
      e.replyRouting = replyRouting(e.peers);
    }
  }
  for (const model::EgressPolicy& p : objects.egressPolicies) {
    e.policies.push_back(expectPolicy(objects, node, p.metadata, p.spec, p.status, false));
  }
  for (const model::EgressClusterPolicy& p : objects.egressClusterPolicies) {
    e.policies.push_back(expectPolicy(objects, node, p.metadata, p.spec, p.status, true));
  }
  for (const model::EgressClusterInfo& info : objects.egressClusterInfos) {
    if (info.metadata.name != "default") {
      continue;
    }
    e.clusterInfoExists = true;
    std::set<std::string> members;
    for (const auto& [_, ips] : info.status.nodeIP) {
      addCidrs(members, ips.ipv4);
    }
    for (const auto& [_, cidrs] : info.status.podCIDR) {
      addCidrs(members, cidrs.ipv4);
    }
    addCidrs(members, info.status.clusterIP.ipv4);
    addCidrs(members, info.status.extraCidr);
    e.clusterCidrMembers = std::vector<std::string>(members.begin(), members.end());
  }
  return e;
}

}  // namespace egressdiag::checks::spidernet
