#include "node-probe/checks/azure_expect.h"

#include <algorithm>
#include <sstream>

#include "node-probe/checks/ipv4.h"

namespace egressdiag::checks::azure {
namespace {

constexpr std::string_view kGatewayNodeLabel = "kubeegressgateway.azure.com/mode";

std::string dashed(std::string ip, char with) {
  std::replace(ip.begin(), ip.end(), '.', with);
  return ip;
}

std::string hexPort(std::int64_t port) {
  std::ostringstream out;
  out << "0x" << std::hex << port;
  return out.str();
}

const model::GatewayVMProfile* vmProfile(const model::ObjectSet& objects,
                                         const model::StaticGatewayConfiguration& sgc,
                                         std::string_view node) {
  for (const model::GatewayVMConfiguration& vm : objects.gatewayVMConfigurations) {
    if (vm.metadata.name != sgc.metadata.name ||
        vm.metadata.namespace_ != sgc.metadata.namespace_ || !vm.status) {
      continue;
    }
    for (const model::GatewayVMProfile& p : vm.status->gatewayVMProfiles) {
      if (p.nodeName == node) {
        return &p;
      }
    }
  }
  return nullptr;
}

void addNat(GatewayExpectation& g, model::GatewayLayout layout) {
  if (layout == model::GatewayLayout::Legacy) {
    g.hostNat.push_back({"nat", "POSTROUTING", "no SNAT for traffic from netns " + g.netns, "",
                         "-s " + g.secondaryIP + "/32 -j RETURN"});
    g.netnsNat.push_back({"nat", "POSTROUTING", "", "", "-o host0 -j MASQUERADE"});
    return;
  }
  const std::string ipChain = "EGRESS-" + dashed(g.secondaryIP, '-');
  g.hostNat.push_back(
      {"nat", "POSTROUTING", "kube-egress-gateway no MASQUERADE", "", "-j EGRESS-GATEWAY-SNAT"});
  g.hostNat.push_back({"nat", "EGRESS-GATEWAY-SNAT",
                       "kube-egress-gateway no sNAT packet from ip " + g.secondaryIP, "",
                       "-j " + ipChain});
  g.hostNat.push_back({"nat", ipChain, "", "", "-s " + g.secondaryIP + "/32 -j ACCEPT"});
  const std::string port = std::to_string(g.port);
  const std::string mark = hexPort(g.port);
  g.netnsNat.push_back({"nat", "PREROUTING",
                        "kube-egress-gateway mark packets from gateway link " + g.wgLink, "",
                        "-j EGRESS-GATEWAY-MARK-" + port});
  g.netnsNat.push_back({"nat", "POSTROUTING",
                        "kube-egress-gateway sNAT packets from gateway link " + g.wgLink, "",
                        "-j EGRESS-GATEWAY-SNAT-" + port});
  g.netnsNat.push_back({"nat", "EGRESS-GATEWAY-MARK-" + port, "", "",
                        "-i " + g.wgLink + " -j CONNMARK --set-xmark " + mark + "/0xffffffff"});
  g.netnsNat.push_back(
      {"nat", "EGRESS-GATEWAY-SNAT-" + port, "", "",
       "-o host0 -m connmark --mark " + mark + " -j SNAT --to-source " + g.secondaryIP});
}

std::string profileProblem(const model::StaticGatewayConfiguration& sgc) {
  const model::GatewayServerProfile& p = sgc.status.gatewayServerProfile;
  if (sgc.status.egressIpPrefix.empty() || p.ip.empty() || p.port == 0 || p.publicKey.empty() ||
      !p.privateKeySecretRef) {
    return "StaticGatewayConfiguration " + sgc.metadata.namespace_ + "/" + sgc.metadata.name +
           " status is incomplete (egressIpPrefix, gatewayServerProfile)";
  }
  return "";
}

}  // namespace

std::string legacyNetnsName(std::string_view uid, std::string_view ilbIp) {
  return "gw-" + std::string(uid) + "-" + dashed(std::string(ilbIp), '_');
}

bool inEgressPrefix(std::string_view ip, std::string_view egressIpPrefix) {
  std::istringstream in{std::string(egressIpPrefix)};
  for (std::string item; std::getline(in, item, ',');) {
    item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
    if (!item.empty() && ipv4InPrefix(ip, item)) {
      return true;
    }
  }
  return false;
}

bool present(const model::ObjectSet& objects) {
  return !objects.staticGatewayConfigurations.empty() || !objects.gatewayStatuses.empty() ||
         !objects.podEndpoints.empty();
}

Expectation expect(const model::ObjectSet& objects, std::string_view node) {
  Expectation e;
  e.node = node;
  for (const model::GatewayStatus& gs : objects.gatewayStatuses) {
    if (gs.layout == model::GatewayLayout::Legacy &&
        (gs.metadata.name == node || e.layout == model::GatewayLayout::Current)) {
      e.layout = model::GatewayLayout::Legacy;
    }
  }
  for (const model::Node& n : objects.nodes) {
    auto label = n.metadata.labels.find(std::string(kGatewayNodeLabel));
    if (n.metadata.name == node && label != n.metadata.labels.end() && label->second == "true") {
      e.gatewayNode = true;
    }
  }
  for (const model::StaticGatewayConfiguration& sgc : objects.staticGatewayConfigurations) {
    const model::GatewayVMProfile* profile = vmProfile(objects, sgc, node);
    if (profile == nullptr) {
      continue;
    }
    e.gatewayNode = true;
    GatewayExpectation g;
    g.target = sgc.metadata.namespace_ + "/" + sgc.metadata.name;
    g.uid = sgc.metadata.uid;
    g.ilbIp = sgc.status.gatewayServerProfile.ip;
    g.port = sgc.status.gatewayServerProfile.port;
    g.publicKey = sgc.status.gatewayServerProfile.publicKey;
    g.egressIpPrefix = sgc.status.egressIpPrefix;
    g.primaryIP = profile->primaryIP;
    g.secondaryIP = profile->secondaryIP;
    g.notReady = profileProblem(sgc);
    if (g.notReady.empty() && (g.primaryIP.empty() || g.secondaryIP.empty())) {
      g.notReady = "gatewayVMProfiles entry of " + e.node + " lacks primaryIP or secondaryIP";
    }
    if (e.layout == model::GatewayLayout::Legacy) {
      g.netns = legacyNetnsName(g.uid, g.ilbIp);
      g.wgLink = "wg0";
      g.hostVeth = g.netns.substr(0, 11);
    } else {
      g.netns = kGatewayNetns;
      g.wgLink = "wg-" + std::to_string(g.port);
      g.hostVeth = kHostVeth;
    }
    for (const model::PodEndpoint& pe : objects.podEndpoints) {
      if (pe.metadata.namespace_ != sgc.metadata.namespace_ ||
          pe.staticGatewayConfiguration != sgc.metadata.name) {
        continue;
      }
      g.peers.push_back({pe.metadata.namespace_ + "/" + pe.metadata.name, pe.podPublicKey,
                         pe.podIpAddress.substr(0, pe.podIpAddress.find('/'))});
    }
    std::sort(g.peers.begin(), g.peers.end(),
              [](const auto& a, const auto& b) { return a.podEndpoint < b.podEndpoint; });
    if (g.notReady.empty()) {
      addNat(g, e.layout);
    }
    e.gateways.push_back(std::move(g));
  }
  e.cniExpected = !e.gatewayNode && !objects.staticGatewayConfigurations.empty();
  for (const model::Pod& pod : objects.pods) {
    auto ann = pod.metadata.annotations.find(std::string(model::kStaticGatewayAnnotation));
    if (pod.spec.nodeName != node || pod.status.phase != "Running" ||
        ann == pod.metadata.annotations.end()) {
      continue;
    }
    PodExpectation p;
    p.pod = pod.metadata.namespace_ + "/" + pod.metadata.name;
    p.target = pod.metadata.namespace_ + "/" + ann->second;
    p.podIp = model::podIPv4(pod).value_or("");
    for (const model::PodEndpoint& pe : objects.podEndpoints) {
      if (pe.metadata.namespace_ == pod.metadata.namespace_ &&
          pe.metadata.name == pod.metadata.name) {
        p.podPublicKey = pe.podPublicKey;
      }
    }
    for (const model::StaticGatewayConfiguration& sgc : objects.staticGatewayConfigurations) {
      if (sgc.metadata.namespace_ == pod.metadata.namespace_ && sgc.metadata.name == ann->second) {
        p.gatewayPublicKey = sgc.status.gatewayServerProfile.publicKey;
        p.endpoint = sgc.status.gatewayServerProfile.ip + ":" +
                     std::to_string(sgc.status.gatewayServerProfile.port);
        p.excludeCidrs = sgc.spec.excludeCidrs;
        p.azureNetworking = sgc.spec.defaultRoute == "azureNetworking";
      }
    }
    e.pods.push_back(std::move(p));
  }
  return e;
}

}  // namespace egressdiag::checks::azure
