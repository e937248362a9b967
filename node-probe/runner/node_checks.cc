#include "node-probe/runner/node_checks.h"

#include <algorithm>
#include <map>

#include "node-probe/checks/active.h"
#include "node-probe/checks/azure_checks.h"
#include "node-probe/checks/spidernet_checks.h"

namespace egressdiag::runner {
namespace {

using catalog::Finding;

Result<checks::PingOutcome> pingPeer(datapath::DatapathReader& reader, const std::string& ip,
                                     std::chrono::milliseconds timeout) {
  // -I binds to egress.vxlan so the echo must cross the tunnel (000 §3).
  int waitSec = std::max<int>(1, static_cast<int>(timeout.count() / 1000));
  auto run = reader.runCommand(datapath::NetnsRef::host(),
                               {"ping", "-n", "-q", "-c", "3", "-i", "0.2", "-W",
                                std::to_string(waitSec), "-I", "egress.vxlan", ip},
                               timeout + std::chrono::milliseconds(1500));
  if (!run) {
    return std::unexpected(run.error());
  }
  auto parsed = checks::parsePingOutput(run->stdoutText);
  if (!parsed) {
    std::string why = run->stderrText.empty() ? parsed.error().message : run->stderrText;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) {
      why.pop_back();
    }
    ErrorCode code = why.find("Operation not permitted") != std::string::npos
                         ? ErrorCode::PermissionDenied
                         : ErrorCode::Unavailable;
    return fail(code, "ping " + ip + ": " + why +
                          (code == ErrorCode::PermissionDenied ? " (needs CAP_NET_RAW)" : ""));
  }
  return parsed;
}

Result<datapath::HttpProbeResult> probeFromPod(datapath::DatapathReader& reader,
                                               const checks::SourceIpProbe& probe,
                                               const EchoEndpoint& echo) {
  if (probe.podIp.empty()) {
    return fail(ErrorCode::NotFound, "pod " + probe.pod + " has no IPv4 address");
  }
  auto ns = reader.findNetnsByIp(probe.podIp);
  if (!ns) {
    return fail(ns.error().code,
                "netns of pod " + probe.pod + " (" + probe.podIp + "): " + ns.error().message);
  }
  return reader.httpGet(datapath::NetnsRef::named(*ns), echo.url, echo.timeout);
}

void addSourceIp(Flavour flavour, const std::vector<checks::SourceIpProbe>& probes,
                 datapath::DatapathReader& reader, const EchoLookup& echo,
                 const std::string& node, ActiveRun& out, std::vector<Finding>& findings) {
  for (const checks::SourceIpProbe& probe : probes) {
    std::optional<EchoEndpoint> endpoint = echo(targetRefOf(flavour, probe.target));
    Result<datapath::HttpProbeResult> outcome = fail(ErrorCode::Unavailable, "not run");
    if (probe.notReady.empty() && endpoint) {
      outcome = probeFromPod(reader, probe, *endpoint);
    }
    Finding f = checks::judgeSourceIp(probe, endpoint ? endpoint->url : "", outcome);
    f.node = node;
    if (probe.notReady.empty() && endpoint) {
      (f.status == catalog::Status::Pass   ? out.observed.sourceIpMatch
       : f.status == catalog::Status::Fail ? out.observed.sourceIpMismatch
                                           : out.observed.sourceIpError)++;
    }
    findings.push_back(std::move(f));
  }
}

// SPN-EIP-ARP: each EIP and each EIP node's parent IP asked once, however many policies share
// them. The answer to a request comes within milliseconds on a segment, so the window is
// capped at one second rather than the ping timeout.
void addEipArp(const checks::spidernet::Expectation& e, datapath::DatapathReader& reader,
               const std::string& node, const ActiveOptions& options,
               std::vector<Finding>& findings) {
  const auto window = std::min(options.pingTimeout, std::chrono::milliseconds(1000));
  std::map<std::string, Result<datapath::ArpProbeResult>> asked;
  auto ask = [&](const std::string& ip) -> const Result<datapath::ArpProbeResult>& {
    auto it = asked.find(ip);
    if (it == asked.end()) {
      it = asked.emplace(ip, reader.arpProbe(datapath::NetnsRef::host(), ip, window)).first;
    }
    return it->second;
  };
  for (const checks::EipArpProbe& probe : checks::eipArpProbes(e, options.arpProbe)) {
    Finding f;
    if (!probe.skipReason.empty()) {
      f = checks::judgeEipArp(probe, fail(ErrorCode::Unavailable, "not run"), nullptr);
    } else {
      const auto& eip = ask(probe.eip);
      // The owner is asked only when the EIP answered: it is what the answer is compared with.
      const Result<datapath::ArpProbeResult>* owner = nullptr;
      if (eip && !eip->replyMacs.empty() && !probe.ownerIp.empty()) {
        owner = &ask(probe.ownerIp);
      }
      f = checks::judgeEipArp(probe, eip, owner);
    }
    f.node = node;
    findings.push_back(std::move(f));
  }
}

void passiveSpidernet(const model::ObjectSet& objects, const std::string& node,
                      datapath::DatapathReader& reader, PassiveRun& out) {
  checks::spidernet::Expectation e = checks::spidernet::expect(objects, node);
  datapath::NodeReadOptions read;
  read.host.wireguard = false;
  read.cni = false;
  auto start = std::chrono::steady_clock::now();
  datapath::NodeSnapshot snapshot = datapath::readNode(reader, read);
  out.snapshotSeconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.results.push_back({Flavour::Spidernet, checks::spidernet::checkAll(e, snapshot.host)});
}

void passiveAzure(const model::ObjectSet& objects, const std::string& node,
                  datapath::DatapathReader& reader, const PassiveOptions& options,
                  PassiveRun& out) {
  checks::azure::Expectation e = checks::azure::expect(objects, node);
  datapath::NodeReadOptions read;
  read.host.wireguard = false;
  read.named.wireguardUapiDir = options.wireguardUapiDir;
  for (const auto& g : e.gateways) {
    if (!g.netns.empty()) {
      read.netns.push_back(g.netns);
      out.namedNetns.push_back({g.netns, read.named});
    }
  }
  // The pod checks (AKS-POD-*) read routes, rules, sysctls, WireGuard and the pod's mangle
  // rules, never its ipsets.
  datapath::ReadOptions podRead;
  podRead.wireguardUapiDir = options.wireguardUapiDir;
  podRead.ipsets = false;
  auto start = std::chrono::steady_clock::now();
  datapath::NodeSnapshot snapshot = datapath::readNode(reader, read);
  checks::azure::Inputs inputs;
  inputs.node = &snapshot;
  for (const auto& p : e.pods) {
    if (p.podIp.empty()) {
      inputs.pods.emplace(p.pod, fail(ErrorCode::NotFound, "pod has no IPv4 address"));
      continue;
    }
    auto ns = reader.findNetnsByIp(p.podIp);
    if (!ns) {
      inputs.pods.emplace(p.pod, std::unexpected(ns.error()));
      continue;
    }
    out.namedNetns.push_back({*ns, podRead});
    inputs.pods.emplace(p.pod, reader.readNetns(datapath::NetnsRef::named(*ns), podRead));
  }
  out.snapshotSeconds +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const auto& g : e.gateways) {
    if (g.primaryIP.empty() || g.uid.empty()) {
      continue;
    }
    inputs.lbProbes.emplace(
        g.uid, reader.httpGet(datapath::NetnsRef::host(),
                              "http://" + g.primaryIP + ":" +
                                  std::to_string(checks::azure::kLbProbePort) + "/gw/" + g.uid,
                              options.timeout));
  }
  out.results.push_back({Flavour::Azure, checks::azure::checkAll(e, inputs)});
}

}  // namespace

std::string_view toString(Flavour flavour) {
  return flavour == Flavour::Spidernet ? "spidernet" : "azure";
}

std::vector<Flavour> flavoursOf(const model::ObjectSet& objects) {
  std::vector<Flavour> out;
  if (checks::spidernet::present(objects)) {
    out.push_back(Flavour::Spidernet);
  }
  if (checks::azure::present(objects)) {
    out.push_back(Flavour::Azure);
  }
  return out;
}

std::set<std::string> knownNodes(const model::ObjectSet& objects) {
  std::set<std::string> nodes;
  for (const auto& n : objects.nodes) {
    nodes.insert(n.metadata.name);
  }
  for (const auto& t : objects.egressTunnels) {
    nodes.insert(t.metadata.name);
  }
  for (const auto& g : objects.egressGateways) {
    for (const auto& n : g.status.nodeList) {
      nodes.insert(n.name);
    }
  }
  for (const auto& s : objects.gatewayStatuses) {
    nodes.insert(s.metadata.name);
  }
  for (const auto& vm : objects.gatewayVMConfigurations) {
    if (vm.status) {
      for (const auto& p : vm.status->gatewayVMProfiles) {
        nodes.insert(p.nodeName);
      }
    }
  }
  for (const auto& p : objects.pods) {
    if (!p.spec.nodeName.empty()) {
      nodes.insert(p.spec.nodeName);
    }
  }
  return nodes;
}

PassiveRun passiveChecks(const model::ObjectSet& objects, const std::string& node,
                         datapath::DatapathReader& reader, const PassiveOptions& options) {
  PassiveRun out;
  for (Flavour flavour : flavoursOf(objects)) {
    if (flavour == Flavour::Spidernet) {
      passiveSpidernet(objects, node, reader, out);
    } else {
      passiveAzure(objects, node, reader, options, out);
    }
  }
  return out;
}

ActiveRun activeChecks(const model::ObjectSet& objects, const std::string& node,
                       datapath::DatapathReader& reader, const EchoLookup& echo,
                       const ActiveOptions& options) {
  ActiveRun out;
  for (Flavour flavour : flavoursOf(objects)) {
    std::vector<Finding> findings;
    if (flavour == Flavour::Spidernet) {
      checks::spidernet::Expectation e = checks::spidernet::expect(objects, node);
      std::vector<std::pair<std::string, Result<checks::PingOutcome>>> pings;
      for (const checks::spidernet::Peer& peer : e.peers) {
        if (peer.tunnelIPv4.empty() || peer.parentIPv4.empty()) {
          continue;
        }
        auto outcome = pingPeer(reader, peer.tunnelIPv4, options.pingTimeout);
        out.observed.tunnels.push_back(
            {peer.node, outcome && outcome->received > 0 ? outcome->rttSeconds : std::nullopt});
        pings.emplace_back(peer.node + " " + peer.tunnelIPv4, std::move(outcome));
      }
      Finding ping = checks::judgeTunnelPing(e, pings);
      ping.node = node;
      findings.push_back(std::move(ping));
      addEipArp(e, reader, node, options, findings);
      addSourceIp(flavour, checks::sourceIpProbes(objects, e), reader, echo, node, out,
                  findings);
    } else {
      checks::azure::Expectation e = checks::azure::expect(objects, node);
      addSourceIp(flavour, checks::sourceIpProbes(objects, e), reader, echo, node, out,
                  findings);
    }
    out.results.push_back({flavour, std::move(findings)});
  }
  return out;
}

model::TargetRef targetRefOf(Flavour flavour, const std::string& target) {
  if (target.empty()) {
    return {};
  }
  std::string kind = flavour == Flavour::Azure ? "StaticGatewayConfiguration"
                     : target.find('/') == std::string::npos ? "EgressClusterPolicy"
                                                             : "EgressPolicy";
  auto ref = model::parseTargetKey(kind + "/" + target);
  return ref ? *ref : model::TargetRef{"", kind, target, ""};
}

}  // namespace egressdiag::runner
