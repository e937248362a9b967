#include "node-probe/checks/azure_checks.h"

#include <algorithm>
#include <optional>
#include <set>

#include "node-probe/checks/check_util.h"
#include "node-probe/datapath/iptables_parser.h"

namespace egressdiag::checks::azure {
namespace {

using catalog::Finding;
using datapath::NetnsSnapshot;

Finding unknown(CheckId id, std::string target, std::string reason, std::string message) {
  return catalog::makeFinding(id, Status::Unknown, std::move(target), std::move(reason),
                              std::move(message));
}

// Gateway checks on a node that serves no SGC: one Skipped finding.
bool skipIfNoGateway(CheckId id, const Expectation& e, std::vector<Finding>& out) {
  if (!e.gateways.empty()) {
    return false;
  }
  out.push_back(
      skipped(id, "", "NotGatewayNode",
              e.node + " serves no StaticGatewayConfiguration (no gatewayVMProfiles entry)"));
  return true;
}

Result<const NetnsSnapshot*> gatewayNetns(const GatewayExpectation& g, const Inputs& in) {
  auto it = in.node->netns.find(g.netns);
  if (it != in.node->netns.end()) {
    return &it->second;
  }
  if (in.node->namedNetns) {
    const auto& names = *in.node->namedNetns;
    if (std::find(names.begin(), names.end(), g.netns) == names.end()) {
      return fail(ErrorCode::NotFound, "network namespace " + g.netns + " does not exist");
    }
  }
  return fail(ErrorCode::Unavailable, "network namespace " + g.netns + " was not read");
}

const datapath::Link* findLink(const std::vector<datapath::Link>& links, std::string_view name) {
  for (const datapath::Link& l : links) {
    if (l.name == name) {
      return &l;
    }
  }
  return nullptr;
}

const datapath::WireguardDevice* findWg(const std::vector<datapath::WireguardDevice>& devices,
                                        std::string_view name) {
  for (const datapath::WireguardDevice& d : devices) {
    if (d.name == name) {
      return &d;
    }
  }
  return nullptr;
}

bool hasAddress(const std::vector<datapath::Address>& addresses, std::string_view ifname,
                std::string_view ip, int prefixLen) {
  return std::any_of(addresses.begin(), addresses.end(), [&](const datapath::Address& a) {
    return a.ifname == ifname && a.ip == ip && (prefixLen < 0 || a.prefixLen == prefixLen);
  });
}

// Rules of `want` absent from the IPv4 dump of `ns` (compared without comments).
Result<std::vector<const ExpectedRule*>> missingRules(const NetnsSnapshot& ns,
                                                      const std::vector<ExpectedRule>& want,
                                                      std::vector<std::string>& evidence) {
  if (!ns.iptables) {
    return std::unexpected(ns.iptables.error());
  }
  auto dump = ipv4Dump(*ns.iptables);
  if (!dump) {
    return std::unexpected(dump.error());
  }
  std::vector<const ExpectedRule*> missing;
  std::set<std::string> shownChains;
  for (const ExpectedRule& rule : want) {
    const datapath::IptablesTable* table = datapath::findTable(**dump, rule.table);
    std::vector<const datapath::IptablesRule*> rules =
        table == nullptr ? std::vector<const datapath::IptablesRule*>{}
                         : datapath::chainRules(*table, rule.chain);
    const std::string key = ruleKey(rule.args);
    bool found = std::any_of(rules.begin(), rules.end(),
                             [&](const auto* r) { return ruleKey(r->args) == key; });
    if (!found) {
      missing.push_back(&rule);
    }
    if (shownChains.insert(rule.table + "/" + rule.chain).second) {
      for (const auto* r : rules) {
        evidence.push_back(r->raw);
      }
    }
  }
  return missing;
}

std::string renderMissing(const std::vector<const ExpectedRule*>& missing) {
  std::vector<std::string> lines;
  for (const ExpectedRule* r : missing) {
    lines.push_back("-t " + r->table + " -A " + r->chain + " " + r->args);
  }
  return join(lines, "; ");
}

// The WireGuard link is judged from rtnetlink first: a deleted link must read as Fail even when
// the WireGuard configuration itself cannot be read (no module, no UAPI socket left).
std::optional<Finding> linkMissing(CheckId id, const GatewayExpectation& g,
                                   const NetnsSnapshot& ns) {
  if (!ns.links) {
    return unknownFrom(id, g.target, "links in " + g.netns, ns.links.error());
  }
  if (findLink(*ns.links, g.wgLink) == nullptr) {
    return failed(id, g.target, "WireguardLinkMissing",
                  g.netns + ": no WireGuard link " + g.wgLink);
  }
  return std::nullopt;
}

template <class Fn>
std::vector<Finding> perGateway(CheckId id, const Expectation& e, const Inputs& in, bool needNetns,
                                Fn&& fn) {
  std::vector<Finding> out;
  if (skipIfNoGateway(id, e, out)) {
    return out;
  }
  for (const GatewayExpectation& g : e.gateways) {
    if (!g.notReady.empty()) {
      out.push_back(unknown(id, g.target, "GatewayNotReady", g.notReady));
      continue;
    }
    if (!needNetns) {
      out.push_back(fn(g, nullptr));
      continue;
    }
    auto ns = gatewayNetns(g, in);
    if (!ns) {
      out.push_back(ns.error().code == ErrorCode::NotFound
                        ? failed(id, g.target, "GatewayNetnsMissing", ns.error().message)
                        : unknownFrom(id, g.target, "gateway netns", ns.error()));
      continue;
    }
    out.push_back(fn(g, *ns));
  }
  return out;
}

template <class Fn>
std::vector<Finding> perPod(CheckId id, const Expectation& e, const Inputs& in, Fn&& fn) {
  std::vector<Finding> out;
  if (e.pods.empty()) {
    out.push_back(skipped(id, "", "NoAnnotatedPods",
                          "no Running pod on " + e.node + " uses a static gateway"));
    return out;
  }
  for (const PodExpectation& p : e.pods) {
    auto it = in.pods.find(p.pod);
    if (it == in.pods.end()) {
      out.push_back(unknown(id, p.target, "PodNetnsNotRead",
                            "pod " + p.pod + ": network namespace not read"));
      continue;
    }
    if (!it->second) {
      out.push_back(unknownFrom(id, p.target, "netns of pod " + p.pod, it->second.error()));
      continue;
    }
    out.push_back(fn(p, *it->second));
  }
  return out;
}

}  // namespace

std::vector<Finding> checkGwNetns(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksGwNetns;
  std::vector<Finding> out;
  if (skipIfNoGateway(id, e, out)) {
    return out;
  }
  if (!in.node->namedNetns) {
    return {unknownFrom(id, "", "/var/run/netns", in.node->namedNetns.error())};
  }
  const auto& names = *in.node->namedNetns;
  for (const GatewayExpectation& g : e.gateways) {
    if (g.netns.empty() || (e.layout == model::GatewayLayout::Legacy && !g.notReady.empty())) {
      out.push_back(unknown(id, g.target, "GatewayNotReady", g.notReady));
      continue;
    }
    if (std::find(names.begin(), names.end(), g.netns) == names.end()) {
      out.push_back(failed(id, g.target, "GatewayNetnsMissing",
                           "/var/run/netns/" + g.netns + " does not exist; found " +
                               (names.empty() ? std::string("none") : join(names, ", ")),
                           {"$ ip netns", join(names, "\n")}));
      continue;
    }
    out.push_back(
        pass(id, g.target, "GatewayNetnsPresent", "/var/run/netns/" + g.netns + " exists"));
  }
  return out;
}

std::vector<Finding> checkGwHost(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksGwHost;
  const NetnsSnapshot& host = in.node->host;
  return perGateway(id, e, in, false, [&](const GatewayExpectation& g, const NetnsSnapshot*) {
    if (!host.addresses) {
      return unknownFrom(id, g.target, "addresses", host.addresses.error());
    }
    if (!host.links) {
      return unknownFrom(id, g.target, "links", host.links.error());
    }
    if (!host.routes) {
      return unknownFrom(id, g.target, "routes", host.routes.error());
    }
    std::vector<std::string> problems;
    std::vector<std::string> evidence;
    std::string reason;
    bool warnOnly = true;
    auto note = [&](std::string why, std::string text, bool warn = false) {
      reason = reason.empty() ? std::move(why) : reason;
      warnOnly = warnOnly && warn;
      problems.push_back(std::move(text));
    };
    const datapath::Address* ilb = nullptr;
    for (const datapath::Address& a : *host.addresses) {
      if (a.ifname == kHostNic) {
        evidence.push_back(renderAddress(a));
        if (a.ip == g.ilbIp) {
          ilb = &a;
        }
        if (a.ip == g.secondaryIP) {
          note("SecondaryIpOnHost", "secondary IP " + g.secondaryIP + " is on " +
                                        std::string(kHostNic) +
                                        "; expected only in the gateway netns");
        }
      }
    }
    if (ilb == nullptr) {
      note("IlbIpMissing", "ILB IP " + g.ilbIp + " is not on " + std::string(kHostNic));
    } else if (e.layout == model::GatewayLayout::Current) {
      if (ilb->label != kIlbLabel) {
        note("IlbIpWrongLabel", "ILB IP " + g.ilbIp + " has label \"" + ilb->label +
                                    "\", expected " + std::string(kIlbLabel));
      } else if (ilb->prefixLen != 32) {
        // <= v0.1.3 used the subnet prefix: works, but breaks cross-subnet traffic (azure #1295).
        note("IlbIpSubnetPrefix",
             "ILB IP " + g.ilbIp + "/" + std::to_string(ilb->prefixLen) + ", expected /32", true);
      }
    }
    const datapath::Link* veth = findLink(*host.links, g.hostVeth);
    if (veth == nullptr) {
      note("HostVethMissing", "link " + g.hostVeth + " does not exist");
    } else if (!veth->adminUp) {
      note("HostVethDown", "link " + g.hostVeth + " is down");
    }
    bool route = std::any_of(host.routes->begin(), host.routes->end(), [&](const auto& r) {
      return r.table == 254 && r.dst == g.secondaryIP + "/32" && r.oifName == g.hostVeth;
    });
    if (!route) {
      note("HostRouteMissing", "no route " + g.secondaryIP + "/32 dev " + g.hostVeth);
    }
    auto missing = missingRules(host, g.hostNat, evidence);
    if (!missing) {
      return unknownFrom(id, g.target, "host iptables", missing.error());
    }
    if (!missing->empty()) {
      note("HostNatRuleMissing", "missing host nat rules: " + renderMissing(*missing));
    }
    if (problems.empty()) {
      return pass(id, g.target, "GatewayHostReady",
                  "ILB IP " + g.ilbIp + " on " + std::string(kHostNic) + ", " + g.hostVeth +
                      " up with " + g.secondaryIP + "/32 route, host nat chains present");
    }
    Finding f = failed(id, g.target, reason, join(problems, "; "), evidence);
    if (warnOnly) {
      f.status = Status::Warn;
    }
    return f;
  });
}

std::vector<Finding> checkGwWg(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksGwWg;
  return perGateway(id, e, in, true, [&](const GatewayExpectation& g, const NetnsSnapshot* ns) {
    if (auto missing = linkMissing(id, g, *ns)) {
      return *missing;
    }
    if (!ns->wireguard) {
      return unknownFrom(id, g.target, "WireGuard in " + g.netns, ns->wireguard.error());
    }
    if (!ns->addresses) {
      return unknownFrom(id, g.target, "addresses in " + g.netns, ns->addresses.error());
    }
    const datapath::WireguardDevice* wg = findWg(*ns->wireguard, g.wgLink);
    const datapath::Link* link = findLink(*ns->links, g.wgLink);
    if (wg == nullptr || link == nullptr) {
      return failed(id, g.target, "WireguardLinkMissing",
                    g.netns + ": no WireGuard link " + g.wgLink);
    }
    std::vector<std::string> evidence = {"interface: " + wg->name, "  public key: " + wg->publicKey,
                                         "  listening port: " + std::to_string(wg->listenPort)};
    std::vector<std::string> problems;
    std::string reason;
    auto note = [&](std::string why, std::string text) {
      reason = reason.empty() ? std::move(why) : reason;
      problems.push_back(std::move(text));
    };
    if (!link->adminUp) {
      note("WireguardLinkDown", g.wgLink + " is down");
    }
    if (!hasAddress(*ns->addresses, g.wgLink, "fe80::1", 64)) {
      note("WireguardAddressMissing", g.wgLink + " lacks fe80::1/64");
    }
    if (wg->listenPort != g.port) {
      note("WireguardPortMismatch", "listening port " + std::to_string(wg->listenPort) +
                                        ", expected " + std::to_string(g.port));
    }
    if (wg->publicKey != g.publicKey) {
      note("WireguardKeyMismatch",
           "public key " + wg->publicKey + ", expected status publicKey " + g.publicKey);
    }
    if (!problems.empty()) {
      return failed(id, g.target, reason, g.netns + " " + g.wgLink + ": " + join(problems, "; "),
                    evidence);
    }
    return pass(id, g.target, "WireguardReady",
                g.wgLink + " up with fe80::1/64, port " + std::to_string(g.port) +
                    " and the status public key",
                evidence);
  });
}

std::vector<Finding> checkGwPeers(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksGwPeers;
  return perGateway(id, e, in, true, [&](const GatewayExpectation& g, const NetnsSnapshot* ns) {
    if (auto missing = linkMissing(id, g, *ns)) {
      return *missing;
    }
    if (!ns->wireguard) {
      return unknownFrom(id, g.target, "WireGuard in " + g.netns, ns->wireguard.error());
    }
    const datapath::WireguardDevice* wg = findWg(*ns->wireguard, g.wgLink);
    if (wg == nullptr) {
      return failed(id, g.target, "WireguardLinkMissing",
                    g.netns + ": no WireGuard link " + g.wgLink + " to hold peers");
    }
    std::vector<std::string> evidence;
    std::vector<std::string> missing;
    std::set<std::string> wantKeys;
    for (const datapath::WireguardPeer& peer : wg->peers) {
      evidence.push_back("peer: " + peer.publicKey +
                         " allowed ips: " + join(peer.allowedIps, ", ") + " latest handshake: " +
                         (peer.lastHandshakeSec == 0 ? std::string("never")
                                                     : std::to_string(peer.lastHandshakeSec)));
    }
    for (const PeerExpectation& want : g.peers) {
      wantKeys.insert(want.publicKey);
      bool ok = std::any_of(wg->peers.begin(), wg->peers.end(), [&](const auto& peer) {
        return peer.publicKey == want.publicKey &&
               std::find(peer.allowedIps.begin(), peer.allowedIps.end(), want.podIp + "/32") !=
                   peer.allowedIps.end();
      });
      if (!ok) {
        missing.push_back(want.podEndpoint + " (" + want.podIp + "/32)");
      }
    }
    std::vector<std::string> stale;
    for (const datapath::WireguardPeer& peer : wg->peers) {
      if (!wantKeys.contains(peer.publicKey)) {
        stale.push_back(peer.publicKey);
      }
    }
    if (!missing.empty()) {
      return failed(id, g.target, "GatewayPeerMissing",
                    g.wgLink + ": no peer for PodEndpoint " + join(missing, ", ") + "; " +
                        std::to_string(wg->peers.size()) + " peers configured",
                    evidence);
    }
    if (!stale.empty()) {
      Finding f =
          failed(id, g.target, "GatewayPeerStale",
                 g.wgLink + ": peers without a PodEndpoint: " + join(stale, ", "), evidence);
      f.status = Status::Warn;
      return f;
    }
    return pass(id, g.target, "GatewayPeersMatch",
                g.wgLink + " peers equal the " + std::to_string(g.peers.size()) +
                    " PodEndpoints of " + g.target,
                evidence);
  });
}

std::vector<Finding> checkGwRoutes(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksGwRoutes;
  return perGateway(id, e, in, true, [&](const GatewayExpectation& g, const NetnsSnapshot* ns) {
    if (!ns->routes) {
      return unknownFrom(id, g.target, "routes in " + g.netns, ns->routes.error());
    }
    if (!ns->addresses) {
      return unknownFrom(id, g.target, "addresses in " + g.netns, ns->addresses.error());
    }
    if (!ns->sysctls) {
      return unknownFrom(id, g.target, "sysctls in " + g.netns, ns->sysctls.error());
    }
    std::vector<std::string> evidence;
    for (const datapath::Route& r : *ns->routes) {
      if (r.table == 254 && r.family == datapath::IpFamily::V4) {
        evidence.push_back(renderRoute(r));
      }
    }
    auto hasRoute = [&](std::string_view dst, std::string_view gw, std::string_view dev) {
      return std::any_of(ns->routes->begin(), ns->routes->end(), [&](const datapath::Route& r) {
        return r.table == 254 && (r.dst == dst || r.dst == std::string(dst) + "/32") &&
               r.gateway == gw && r.oifName == dev;
      });
    };
    std::vector<std::string> problems;
    std::string reason;
    auto note = [&](std::string why, std::string text) {
      reason = reason.empty() ? std::move(why) : reason;
      problems.push_back(std::move(text));
    };
    if (!hasAddress(*ns->addresses, kNetnsVeth, g.secondaryIP, 32)) {
      note("SecondaryIpMissing", "host0 lacks " + g.secondaryIP + "/32");
    }
    if (!hasRoute(g.primaryIP, "", kNetnsVeth)) {
      note("GatewayRouteMissing", "no route " + g.primaryIP + " dev host0 scope link");
    }
    if (!hasRoute("default", g.primaryIP, kNetnsVeth)) {
      note("GatewayRouteMissing", "no route default via " + g.primaryIP + " dev host0");
    }
    for (const PeerExpectation& peer : g.peers) {
      if (!hasRoute(peer.podIp, "", g.wgLink)) {
        note("PeerRouteMissing",
             "no route " + peer.podIp + " dev " + g.wgLink + " (" + peer.podEndpoint + ")");
      }
    }
    if (ns->sysctls->ipForward.value_or(-1) != 1) {
      note("IpForwardDisabled",
           "net.ipv4.ip_forward = " +
               (ns->sysctls->ipForward ? std::to_string(*ns->sysctls->ipForward)
                                       : std::string("unread")) +
               ", expected 1");
    }
    if (!problems.empty()) {
      return failed(id, g.target, reason, g.netns + ": " + join(problems, "; "), evidence);
    }
    return pass(id, g.target, "GatewayRoutesPresent",
                g.netns + ": host0 routes, " + std::to_string(g.peers.size()) +
                    " peer routes and ip_forward=1",
                evidence);
  });
}

std::vector<Finding> checkGwNat(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksGwNat;
  return perGateway(id, e, in, true, [&](const GatewayExpectation& g, const NetnsSnapshot* ns) {
    std::vector<std::string> evidence;
    auto missing = missingRules(*ns, g.netnsNat, evidence);
    if (!missing) {
      return unknownFrom(id, g.target, "iptables in " + g.netns, missing.error());
    }
    if (!missing->empty()) {
      bool snat = std::any_of(missing->begin(), missing->end(), [](const ExpectedRule* r) {
        return r->args.find("SNAT") != std::string::npos ||
               r->args.find("MASQUERADE") != std::string::npos;
      });
      return failed(id, g.target, snat ? "SNATRuleMissing" : "MarkRuleMissing",
                    g.netns + " nat: missing " + renderMissing(*missing), evidence);
    }
    return pass(id, g.target, "GatewayNatPresent",
                g.netns + " nat marks " + g.wgLink + " ingress and SNATs to " + g.secondaryIP,
                evidence);
  });
}

std::vector<Finding> checkLbProbe(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksLbProbe;
  return perGateway(id, e, in, false, [&](const GatewayExpectation& g, const NetnsSnapshot*) {
    auto it = in.lbProbes.find(g.uid);
    if (it == in.lbProbes.end()) {
      return unknown(id, g.target, "ProbeNotRun",
                     "LB health probe /gw/" + g.uid + " not requested");
    }
    if (!it->second) {
      return unknownFrom(id, g.target, "LB health probe", it->second.error());
    }
    const datapath::HttpProbeResult& r = *it->second;
    std::vector<std::string> evidence = {"GET " + r.url + " -> " + std::to_string(r.status)};
    if (r.status != 200) {
      return failed(id, g.target, "LbProbeUnhealthy",
                    "GET " + r.url + " answered " + std::to_string(r.status) +
                        ", expected 200: the ILB sends no traffic to " + e.node,
                    evidence);
    }
    return pass(id, g.target, "LbProbeHealthy", "GET " + r.url + " answered 200", evidence);
  });
}

std::vector<Finding> checkCniConf(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksCniConf;
  if (!e.cniExpected) {
    return {skipped(id, "", "NotWorkerNode",
                    e.node + " is a gateway node or no StaticGatewayConfiguration exists")};
  }
  if (!in.node->cni) {
    return {unknownFrom(id, "", "CNI configuration directory", in.node->cni.error())};
  }
  const datapath::CniConfDir& dir = *in.node->cni;
  std::vector<std::string> evidence = {"$ ls " + dir.dir, join(dir.files, " ")};
  if (std::find(dir.files.begin(), dir.files.end(), kCniConfFile) == dir.files.end()) {
    return {failed(id, "", "CniConfMissing",
                   dir.dir + "/" + std::string(kCniConfFile) + " does not exist", evidence)};
  }
  if (dir.files.front() != kCniConfFile) {
    return {failed(id, "", "CniConfNotFirst",
                   dir.files.front() + " sorts before " + std::string(kCniConfFile) +
                       ": the egress plugin is not used",
                   evidence)};
  }
  if (!dir.first) {
    return {failed(id, "", "CniConfInvalid",
                   std::string(kCniConfFile) + ": " + dir.first.error().message, evidence)};
  }
  const auto& types = dir.first->pluginTypes;
  evidence.push_back("plugins: " + join(types, ", "));
  if (types.size() < 2 || types[1] != kCniPluginType) {
    return {failed(id, "", "CniPluginMissing",
                   std::string(kCniConfFile) + ": plugins[1] is " +
                       (types.size() < 2 ? std::string("absent") : types[1]) + ", expected " +
                       std::string(kCniPluginType),
                   evidence)};
  }
  return {pass(id, "", "CniConfFirst",
               std::string(kCniConfFile) + " sorts first with kube-egress-cni at plugins[1]",
               evidence)};
}

std::vector<Finding> checkPodWg(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksPodWg;
  return perPod(id, e, in, [&](const PodExpectation& p, const NetnsSnapshot& ns) {
    if (!ns.wireguard) {
      return unknownFrom(id, p.target, "WireGuard of pod " + p.pod, ns.wireguard.error());
    }
    if (!ns.addresses) {
      return unknownFrom(id, p.target, "addresses of pod " + p.pod, ns.addresses.error());
    }
    const datapath::WireguardDevice* wg = findWg(*ns.wireguard, "wg0");
    if (wg == nullptr) {
      return failed(id, p.target, "PodWireguardMissing", "pod " + p.pod + " has no wg0");
    }
    std::vector<std::string> evidence = {"interface: wg0", "  public key: " + wg->publicKey};
    for (const auto& peer : wg->peers) {
      evidence.push_back("peer: " + peer.publicKey + " endpoint: " + peer.endpoint +
                         " allowed ips: " + join(peer.allowedIps, ", "));
    }
    std::vector<std::string> problems;
    std::string reason;
    auto note = [&](std::string why, std::string text) {
      reason = reason.empty() ? std::move(why) : reason;
      problems.push_back(std::move(text));
    };
    std::string eth0LinkLocal;
    for (const datapath::Address& a : *ns.addresses) {
      if (a.ifname == "eth0" && a.family == datapath::IpFamily::V6 && a.ip.starts_with("fe80:")) {
        eth0LinkLocal = a.ip;
      }
    }
    if (eth0LinkLocal.empty() || !hasAddress(*ns.addresses, "wg0", eth0LinkLocal, -1)) {
      note("PodWireguardAddress",
           "wg0 lacks eth0's link-local address " +
               (eth0LinkLocal.empty() ? std::string("(none)") : eth0LinkLocal));
    }
    if (!p.podPublicKey.empty() && wg->publicKey != p.podPublicKey) {
      note("PodKeyMismatch",
           "wg0 public key " + wg->publicKey + ", PodEndpoint has " + p.podPublicKey);
    }
    if (wg->peers.size() != 1) {
      note("PodPeerWrong", std::to_string(wg->peers.size()) + " peers, expected 1");
    } else {
      const auto& peer = wg->peers[0];
      std::vector<std::string> allowed = peer.allowedIps;
      std::sort(allowed.begin(), allowed.end());
      if (peer.publicKey != p.gatewayPublicKey) {
        note("PodPeerWrong",
             "peer key " + peer.publicKey + ", expected gateway key " + p.gatewayPublicKey);
      }
      if (peer.endpoint != p.endpoint) {
        note("PodPeerWrong", "peer endpoint " + peer.endpoint + ", expected " + p.endpoint);
      }
      if (allowed != std::vector<std::string>{"0.0.0.0/0", "::/0"}) {
        note("PodPeerWrong", "allowed ips " + join(allowed, ", ") + ", expected 0.0.0.0/0, ::/0");
      }
    }
    if (!problems.empty()) {
      return failed(id, p.target, reason, "pod " + p.pod + " wg0: " + join(problems, "; "),
                    evidence);
    }
    return pass(id, p.target, "PodWireguardReady", "pod " + p.pod + " wg0 peers with " + p.endpoint,
                evidence);
  });
}

std::vector<Finding> checkPodRoutes(const Expectation& e, const Inputs& in) {
  constexpr CheckId id = CheckId::AksPodRoutes;
  return perPod(id, e, in, [&](const PodExpectation& p, const NetnsSnapshot& ns) {
    for (const Error* err :
         {ns.routes ? nullptr : &ns.routes.error(), ns.rules ? nullptr : &ns.rules.error(),
          ns.sysctls ? nullptr : &ns.sysctls.error()}) {
      if (err != nullptr) {
        return unknownFrom(id, p.target, "routing of pod " + p.pod, *err);
      }
    }
    std::vector<std::string> evidence;
    for (const datapath::Route& r : *ns.routes) {
      if (r.family == datapath::IpFamily::V4 && (r.table == 254 || r.table == kPodEth0Mark)) {
        evidence.push_back(renderRoute(r));
      }
    }
    std::vector<std::string> problems;
    std::string reason;
    auto note = [&](std::string why, std::string text) {
      reason = reason.empty() ? std::move(why) : reason;
      problems.push_back(std::move(text));
    };
    auto viaWg = [&](std::string_view dst) {
      return std::any_of(ns.routes->begin(), ns.routes->end(), [&](const datapath::Route& r) {
        return r.table == 254 && r.family == datapath::IpFamily::V4 && r.dst == dst &&
               r.gateway == "fe80::1" && r.oifName == "wg0";
      });
    };
    if (p.azureNetworking) {
      for (const std::string& cidr : p.excludeCidrs) {
        if (!viaWg(cidr)) {
          note("PodRouteMissing", "no route " + cidr + " via inet6 fe80::1 dev wg0");
        }
      }
    } else {
      if (!viaWg("default")) {
        note("PodDefaultRouteMissing", "no route default via inet6 fe80::1 dev wg0");
      }
      for (const std::string& cidr : p.excludeCidrs) {
        bool viaEth0 = std::any_of(ns.routes->begin(), ns.routes->end(), [&](const auto& r) {
          return r.table == 254 && r.dst == cidr && r.oifName == "eth0";
        });
        if (!viaEth0) {
          note("PodExceptionRouteMissing", "no route " + cidr + " dev eth0 (excludeCidrs)");
        }
      }
    }
    bool rule = std::any_of(ns.rules->begin(), ns.rules->end(), [](const datapath::Rule& r) {
      return r.family == datapath::IpFamily::V4 && r.hasFwmark && r.fwmark == kPodEth0Mark &&
             r.table == kPodEth0Mark;
    });
    if (!rule) {
      note("PodRuleMissing", "no rule fwmark 0x2222 lookup 8738");
    }
    bool table = std::any_of(ns.routes->begin(), ns.routes->end(), [](const datapath::Route& r) {
      return r.table == kPodEth0Mark && r.dst == "default" && r.oifName == "eth0";
    });
    if (!table) {
      note("PodRouteMissing", "table 8738 has no default route dev eth0");
    }
    std::vector<ExpectedRule> mangle = {
        {"mangle", "PREROUTING", "", "", "-i eth0 -j MARK --set-xmark 0x2222/0xffffffff"},
        {"mangle", "PREROUTING", "", "",
         "-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff"},
        {"mangle", "OUTPUT", "", "",
         "-m connmark --mark 0x2222 -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask "
         "0xffffffff"}};
    auto missing = missingRules(ns, mangle, evidence);
    if (!missing) {
      return unknownFrom(id, p.target, "iptables of pod " + p.pod, missing.error());
    }
    if (!missing->empty()) {
      note("PodMangleRuleMissing", "missing mangle rules: " + renderMissing(*missing));
    }
    auto eth0 = ns.sysctls->rpFilter.find("eth0");
    int all = ns.sysctls->rpFilterAll.value_or(-1);
    if (all != 2 || eth0 == ns.sysctls->rpFilter.end() || eth0->second != 2) {
      note("PodRpFilter", "rp_filter all=" + std::to_string(all) + " eth0=" +
                              (eth0 == ns.sysctls->rpFilter.end() ? std::string("unread")
                                                                  : std::to_string(eth0->second)) +
                              ", expected 2 and 2");
    }
    if (!problems.empty()) {
      return failed(id, p.target, reason, "pod " + p.pod + ": " + join(problems, "; "), evidence);
    }
    return pass(id, p.target, "PodRoutingReady",
                "pod " + p.pod + " routes via wg0 and keeps its eth0 reply path", evidence);
  });
}

std::vector<Finding> checkAll(const Expectation& e, const Inputs& in) {
  std::vector<Finding> out;
  for (auto* fn : {&checkGwNetns, &checkGwHost, &checkGwWg, &checkGwPeers, &checkGwRoutes,
                   &checkGwNat, &checkLbProbe, &checkCniConf, &checkPodWg, &checkPodRoutes}) {
    for (Finding& f : fn(e, in)) {
      f.node = e.node;
      out.push_back(std::move(f));
    }
  }
  return out;
}

}  // namespace egressdiag::checks::azure
