#include "node-probe/checks/active.h"

#include <charconv>
#include <regex>
#include <set>
#include <sstream>

#include "node-probe/checks/check_util.h"
#include "node-probe/checks/ipv4.h"

namespace egressdiag::checks {
namespace {

std::string nodeIp(const model::ObjectSet& objects, std::string_view node) {
  for (const model::Node& n : objects.nodes) {
    if (n.metadata.name == node) {
      return model::nodeInternalIPv4(n).value_or("");
    }
  }
  for (const model::EgressTunnel& t : objects.egressTunnels) {
    if (t.metadata.name == node) {
      return t.status.parent.ipv4;
    }
  }
  return "";
}

bool matchesExpected(std::string_view ip, std::string_view expected) {
  return azure::inEgressPrefix(ip, expected);
}

std::string formatMs(double seconds) {
  std::ostringstream out;
  out.precision(3);
  out << std::fixed << seconds * 1000 << "ms";
  return out.str();
}

}  // namespace

std::vector<SourceIpProbe> sourceIpProbes(const model::ObjectSet& objects,
                                          const spidernet::Expectation& e) {
  std::vector<SourceIpProbe> out;
  for (const spidernet::PolicyExpectation& p : e.policies) {
    auto pickPod = [&](const auto& slices, std::string_view ns) -> std::optional<SourceIpProbe> {
      for (const auto& slice : slices) {
        auto label = slice.metadata.labels.find(std::string(model::kPolicyNameLabel));
        std::string policyName =
            p.clusterPolicy ? p.target : p.target.substr(p.target.find('/') + 1);
        if (label == slice.metadata.labels.end() || label->second != policyName ||
            slice.metadata.namespace_ != ns) {
          continue;
        }
        for (const model::EgressEndpoint& ep : slice.endpoints) {
          if (ep.node == e.node && !ep.ipv4.empty()) {
            return SourceIpProbe{p.target, ep.ns + "/" + ep.pod, ep.ipv4.front(), "", ""};
          }
        }
      }
      return std::nullopt;
    };
    std::optional<SourceIpProbe> probe =
        p.clusterPolicy
            ? pickPod(objects.egressClusterEndpointSlices, "")
            : pickPod(objects.egressEndpointSlices, p.target.substr(0, p.target.find('/')));
    if (!probe) {
      continue;  // no selected pod on this node: nothing to probe from here
    }
    if (p.useNodeIP) {
      probe->expected = nodeIp(objects, p.eipNode);
    } else {
      probe->expected = p.eip;
    }
    if (probe->expected.empty()) {
      probe->notReady = p.eipNode.empty() ? "policy " + p.target + " has no egress node"
                                          : "no expected source IP for " + p.target;
    }
    out.push_back(std::move(*probe));
  }
  return out;
}

std::vector<SourceIpProbe> sourceIpProbes(const model::ObjectSet& objects,
                                          const azure::Expectation& e) {
  std::vector<SourceIpProbe> out;
  std::set<std::string> seen;
  for (const azure::PodExpectation& p : e.pods) {
    if (!seen.insert(p.target).second) {
      continue;
    }
    SourceIpProbe probe{p.target, p.pod, p.podIp, "", ""};
    for (const model::StaticGatewayConfiguration& sgc : objects.staticGatewayConfigurations) {
      if (sgc.metadata.namespace_ + "/" + sgc.metadata.name == p.target) {
        probe.expected = sgc.status.egressIpPrefix;
      }
    }
    if (probe.expected.empty()) {
      probe.notReady = "StaticGatewayConfiguration " + p.target + " has no egressIpPrefix";
    }
    out.push_back(std::move(probe));
  }
  return out;
}

std::optional<std::string> reportedSourceIp(std::string_view body) {
  static const std::regex kIpv4(R"((\d{1,3}(?:\.\d{1,3}){3}))");
  std::string text(body.substr(0, 4096));
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kIpv4);
       it != std::sregex_iterator(); ++it) {
    if (parseIpv4Prefix(it->str())) {
      return it->str();
    }
  }
  return std::nullopt;
}

catalog::Finding judgeSourceIp(const SourceIpProbe& probe, std::string_view echoUrl,
                               const Result<datapath::HttpProbeResult>& outcome) {
  constexpr CheckId id = CheckId::E2eSourceIp;
  auto unknown = [&](std::string reason, std::string message) {
    return catalog::makeFinding(id, Status::Unknown, probe.target, std::move(reason),
                                std::move(message));
  };
  if (!probe.notReady.empty()) {
    return unknown("NoExpectedSourceIp", probe.notReady);
  }
  if (echoUrl.empty()) {
    return unknown("EchoUrlNotSet", "no echo URL given (--echo-url): source IP not probed");
  }
  if (!outcome && outcome.error().code == ErrorCode::Timeout) {
    // The request left the pod but nothing came back in time: egress is broken (or the echo
    // server is down, which the evidence lets a person rule out).
    return failed(id, probe.target, "EchoTimeout",
                  "pod " + probe.pod + " got no answer from " + std::string(echoUrl) + ": " +
                      outcome.error().message,
                  {"$ curl " + std::string(echoUrl) + "   # from pod " + probe.pod + " (" +
                   probe.podIp + ")"});
  }
  if (!outcome) {
    return unknownFrom(id, probe.target, "echo " + std::string(echoUrl) + " from pod " + probe.pod,
                       outcome.error());
  }
  std::vector<std::string> evidence = {
      "$ curl " + std::string(echoUrl) + "   # from pod " + probe.pod + " (" + probe.podIp + ")",
      outcome->body.substr(0, 200)};
  if (outcome->status < 200 || outcome->status > 299) {
    return catalog::makeFinding(id, Status::Unknown, probe.target, "EchoFailed",
                                "echo endpoint answered HTTP " + std::to_string(outcome->status),
                                evidence);
  }
  auto ip = reportedSourceIp(outcome->body);
  if (!ip) {
    return catalog::makeFinding(id, Status::Unknown, probe.target, "EchoUnparsable",
                                "echo answer holds no IPv4 address", evidence);
  }
  if (!matchesExpected(*ip, probe.expected)) {
    return failed(id, probe.target, "WrongSourceIP",
                  "pod " + probe.pod + " egresses as " + *ip + ", expected " + probe.expected,
                  evidence);
  }
  return pass(id, probe.target, "SourceIPAsExpected",
              "pod " + probe.pod + " egresses as " + *ip + " (expected " + probe.expected + ")",
              evidence);
}

Result<PingOutcome> parsePingOutput(std::string_view text) {
  static const std::regex kStats(R"((\d+) packets transmitted, (\d+) (?:packets )?received)");
  static const std::regex kRtt(R"(rtt min/avg/max/mdev = [0-9.]+/([0-9.]+)/)");
  std::string s(text);
  std::smatch m;
  if (!std::regex_search(s, m, kStats)) {
    return fail(ErrorCode::InvalidInput, "ping printed no statistics line");
  }
  PingOutcome out;
  out.sent = std::stoi(m[1].str());
  out.received = std::stoi(m[2].str());
  out.summary = m[0].str();
  if (std::regex_search(s, m, kRtt)) {
    out.rttSeconds = std::stod(m[1].str()) / 1000.0;
    out.summary += "; " + m[0].str();
  }
  return out;
}

catalog::Finding judgeTunnelPing(
    const spidernet::Expectation& e,
    const std::vector<std::pair<std::string, Result<PingOutcome>>>& outcomes) {
  constexpr CheckId id = CheckId::SpnTunnelPing;
  if (outcomes.empty()) {
    return skipped(id, "", "NoPeers", "no peer tunnel to ping from " + e.node);
  }
  std::vector<std::string> evidence;
  std::vector<std::string> silent;
  std::vector<std::string> rtts;
  std::optional<Error> cannot;
  for (const auto& [peer, outcome] : outcomes) {
    if (!outcome) {
      cannot = cannot ? cannot : outcome.error();
      evidence.push_back(peer + ": " + outcome.error().message);
      continue;
    }
    evidence.push_back(peer + ": " + outcome->summary);
    if (outcome->received == 0) {
      silent.push_back(peer);
    } else if (outcome->rttSeconds) {
      rtts.push_back(peer + " " + formatMs(*outcome->rttSeconds));
    } else {
      rtts.push_back(peer);
    }
  }
  if (!silent.empty()) {
    return failed(id, "", "TunnelPeerUnreachable",
                  "no ICMP reply over egress.vxlan from " + join(silent, ", "), evidence);
  }
  if (cannot) {
    catalog::Finding f = unknownFrom(id, "", "tunnel ping", *cannot);
    f.evidence = evidence;
    return f;
  }
  return pass(id, "", "TunnelPeersReachable", "peers answer over egress.vxlan: " + join(rtts, ", "),
              evidence);
}

std::vector<EipArpProbe> eipArpProbes(const spidernet::Expectation& e, bool arpEnabled) {
  std::vector<EipArpProbe> out;
  for (const spidernet::PolicyExpectation& p : e.policies) {
    EipArpProbe probe{p.target, p.eip, p.eipNode, "", "", ""};
    if (p.eipNode.empty()) {
      probe.skipReason = "NoEipNode";
      probe.skipMessage = p.target + " has no egress node (status.node is empty)";
    } else if (p.useNodeIP) {
      probe.skipReason = "UseNodeIP";
      probe.skipMessage = p.target + " uses the node IP: no EIP is announced";
    } else if (p.onEipNode) {
      probe.skipReason = "OnEipNode";
      probe.skipMessage = e.node + " holds the EIP of " + p.target + "; asked from other nodes";
    } else if (p.eip.empty()) {
      probe.skipReason = "NoEip";
      probe.skipMessage = p.target + " has no IPv4 EIP (status.eip.ipv4 is empty)";
    } else if (!arpEnabled) {
      probe.skipReason = "ArpProbeDisabled";
      probe.skipMessage = "ARP probing is turned off on this probe (--arp-probe=false)";
    }
    for (const spidernet::Peer& peer : e.peers) {
      if (peer.node == p.eipNode) {
        probe.ownerIp = peer.parentIPv4;
      }
    }
    out.push_back(std::move(probe));
  }
  return out;
}

catalog::Finding judgeEipArp(const EipArpProbe& probe, const Result<datapath::ArpProbeResult>& eip,
                             const Result<datapath::ArpProbeResult>* owner) {
  constexpr CheckId id = CheckId::SpnEipArp;
  if (!probe.skipReason.empty()) {
    return skipped(id, probe.target, probe.skipReason, probe.skipMessage);
  }
  if (!eip) {
    if (eip.error().code == ErrorCode::NotFound) {
      return skipped(id, probe.target, "EipNotOnLink",
                     "EIP " + probe.eip + " is on none of this node's segments (" +
                         eip.error().message + "); ARP for it only works on its own segment");
    }
    return catalog::makeFinding(
        id, Status::Unknown, probe.target,
        eip.error().code == ErrorCode::PermissionDenied ? "PermissionDenied" : "ArpProbeFailed",
        "could not ask ARP for EIP " + probe.eip + ": " + eip.error().message);
  }
  const datapath::ArpProbeResult& r = *eip;
  std::vector<std::string> evidence = {
      "who-has " + probe.eip + " tell " + r.senderIp + " on " + r.ifname + ": " +
      std::to_string(r.requests) + " request(s), " +
      (r.replyMacs.empty() ? std::string("no reply") : "answered by " + join(r.replyMacs, ", ")) +
      (r.firstReplySeconds ? " in " + formatMs(*r.firstReplySeconds) : "")};
  std::optional<std::string> ownerMac;
  std::string ownerProblem;
  if (owner == nullptr) {
    ownerProblem = "the EIP node " + probe.eipNode + " has no tunnel parent IP to ask";
  } else if (!*owner) {
    ownerProblem = owner->error().message;
  } else if ((*owner)->replyMacs.empty()) {
    ownerProblem = "no ARP reply from " + probe.ownerIp;
  } else {
    ownerMac = (*owner)->replyMacs.front();
    evidence.push_back("who-has " + probe.ownerIp + " (EIP node " + probe.eipNode +
                       "): " + join((*owner)->replyMacs, ", "));
  }
  if (r.replyMacs.empty()) {
    return failed(id, probe.target, "EipArpUnanswered",
                  "no ARP reply for EIP " + probe.eip + " on " + r.ifname + " (" +
                      std::to_string(r.requests) + " requests); " + probe.eipNode +
                      " should answer for it",
                  std::move(evidence));
  }
  if (r.replyMacs.size() > 1) {
    return failed(id, probe.target, "EipArpConflict",
                  "EIP " + probe.eip + " is answered by " + std::to_string(r.replyMacs.size()) +
                      " hosts on " + r.ifname + " (" + join(r.replyMacs, ", ") + "); only " +
                      probe.eipNode + " should answer",
                  std::move(evidence));
  }
  const std::string& mac = r.replyMacs.front();
  if (!ownerMac) {
    return catalog::makeFinding(id, Status::Warn, probe.target, "EipOwnerUnverified",
                                "EIP " + probe.eip + " is answered by " + mac + " on " + r.ifname +
                                    "; could not learn the MAC of " + probe.eipNode +
                                    " to compare (" + ownerProblem + ")",
                                std::move(evidence));
  }
  if (*ownerMac != mac) {
    return failed(id, probe.target, "EipAnsweredByOtherHost",
                  "EIP " + probe.eip + " is answered by " + mac + " on " + r.ifname + ", but " +
                      probe.eipNode + " (" + probe.ownerIp + ") is " + *ownerMac,
                  std::move(evidence));
  }
  return pass(id, probe.target, "EipAnsweredByEipNode",
              "EIP " + probe.eip + " is answered on " + r.ifname + " by " + mac + ", the MAC of " +
                  probe.eipNode + " (" + probe.ownerIp + ")",
              std::move(evidence));
}

}  // namespace egressdiag::checks
