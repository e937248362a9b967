#include <gtest/gtest.h>

#include <functional>

#include "node-probe/checks/azure_checks.h"
#include "node-probe/checks/azure_expect.h"
#include "node-probe/datapath/iptables_parser.h"

// Designated initializers name only the fields a case cares about; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace egressdiag::checks::azure {
namespace {

using catalog::CheckId;
using catalog::Finding;
using catalog::Status;
using namespace datapath;

constexpr const char* kUid = "17f83d68-4cab-422d-a3af-ed320a761cee";
constexpr const char* kGwKey = "GWKEYGWKEYGWKEYGWKEYGWKEYGWKEYGWKEYGWKEY0=";
constexpr const char* kPodKey = "PODKEYPODKEYPODKEYPODKEYPODKEYPODKEYPODK0=";

// The seed's gateway (001): SGC default/sgw, ILB 10.243.0.6, port 6000, secondary 10.243.0.7 on
// gateway node gw-0 (primary 10.243.0.4), one annotated pod default/client on worker w-0.
model::ObjectSet objects(bool legacy) {
  model::ObjectSet o;
  model::StaticGatewayConfiguration sgc;
  sgc.metadata = {.name = "sgw", .namespace_ = "default", .uid = kUid};
  sgc.status.egressIpPrefix = "1.2.3.4/31";
  sgc.status.gatewayServerProfile = {"10.243.0.6", 6000, kGwKey,
                                     model::ObjectReference{.kind = "Secret", .name = "sgw"}};
  sgc.spec.excludeCidrs = {"10.0.0.0/8"};
  o.staticGatewayConfigurations.push_back(sgc);
  model::GatewayVMConfiguration vm;
  vm.metadata = {.name = "sgw", .namespace_ = "default"};
  vm.status =
      model::GatewayVMConfigurationStatus{"1.2.3.4/31", {{"gw-0", "10.243.0.4", "10.243.0.7"}}};
  o.gatewayVMConfigurations.push_back(vm);
  model::GatewayStatus gs;
  gs.metadata = {.name = "gw-0", .namespace_ = "kube-egress-gateway-system"};
  gs.layout = legacy ? model::GatewayLayout::Legacy : model::GatewayLayout::Current;
  o.gatewayStatuses.push_back(gs);
  model::PodEndpoint pe;
  pe.metadata = {.name = "client", .namespace_ = "default"};
  pe.staticGatewayConfiguration = "sgw";
  pe.podIpAddress = "10.244.0.14/32";
  pe.podPublicKey = kPodKey;
  o.podEndpoints.push_back(pe);
  model::Pod pod;
  pod.metadata = {.name = "client", .namespace_ = "default"};
  pod.metadata.annotations[std::string(model::kStaticGatewayAnnotation)] = "sgw";
  pod.spec.nodeName = "w-0";
  pod.status.phase = "Running";
  pod.status.podIP = "10.244.0.14";
  o.pods.push_back(pod);
  return o;
}

IptablesSnapshot iptables(const std::string& text) {
  return summariseIptables(
      {buildIptablesSave(IptablesBackend::Nft, IpFamily::V4, "iptables-nft-save", text, "")});
}

NodeSnapshot gatewayNode(bool legacy) {
  NodeSnapshot n;
  const std::string netns =
      legacy ? "gw-" + std::string(kUid) + "-10_243_0_6" : std::string("ns-static-egress-gateway");
  const std::string veth = legacy ? netns.substr(0, 11) : "host-gateway";
  const std::string wg = legacy ? "wg0" : "wg-6000";
  n.namedNetns = std::vector<std::string>{netns};
  n.host.addresses = std::vector<Address>{
      {.ifname = "eth0", .ip = "10.243.0.4", .prefixLen = 16, .scope = "global"},
      {.ifname = "eth0",
       .ip = "10.243.0.6",
       .prefixLen = legacy ? 16 : 32,
       .label = legacy ? "" : "eth0:egress",
       .scope = "global"}};
  n.host.links = std::vector<Link>{{.index = 2, .name = "eth0", .adminUp = true},
                                   {.index = 7, .name = veth, .kind = "veth", .adminUp = true}};
  n.host.routes = std::vector<Route>{{.dst = "10.243.0.7/32", .oifName = veth}};
  n.host.iptables = iptables(
      legacy ? "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 10.243.0.7/32 -m comment "
               "--comment \"no SNAT for traffic from netns " +
                   netns + "\" -j RETURN\nCOMMIT\n"
             : "*nat\n:POSTROUTING ACCEPT [0:0]\n:EGRESS-GATEWAY-SNAT - [0:0]\n"
               ":EGRESS-10-243-0-7 - [0:0]\n-A POSTROUTING -m comment --comment "
               "\"kube-egress-gateway no MASQUERADE\" -j EGRESS-GATEWAY-SNAT\n"
               "-A EGRESS-GATEWAY-SNAT -m comment --comment \"kube-egress-gateway no sNAT packet "
               "from ip 10.243.0.7\" -j EGRESS-10-243-0-7\n"
               "-A EGRESS-10-243-0-7 -s 10.243.0.7/32 -j ACCEPT\nCOMMIT\n");
  NetnsSnapshot ns;
  ns.links = std::vector<Link>{{.index = 3, .name = "host0", .adminUp = true},
                               {.index = 4, .name = wg, .kind = "wireguard", .adminUp = true}};
  ns.addresses = std::vector<Address>{
      {.ifname = "host0", .ip = "10.243.0.7", .prefixLen = 32},
      {.ifname = wg, .family = IpFamily::V6, .ip = "fe80::1", .prefixLen = 64}};
  ns.routes = std::vector<Route>{{.dst = "default", .gateway = "10.243.0.4", .oifName = "host0"},
                                 {.dst = "10.243.0.4/32", .oifName = "host0", .scope = "link"},
                                 {.dst = "10.244.0.14/32", .oifName = wg, .scope = "link"}};
  ns.wireguard = std::vector<WireguardDevice>{
      {.name = wg,
       .publicKey = kGwKey,
       .listenPort = 6000,
       .peers = {{.publicKey = kPodKey, .allowedIps = {"10.244.0.14/32"}}}}};
  Sysctls sys;
  sys.ipForward = 1;
  ns.sysctls = sys;
  ns.iptables = iptables(
      legacy ? "*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o host0 -j MASQUERADE\nCOMMIT\n"
             : "*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
               ":EGRESS-GATEWAY-MARK-6000 - [0:0]\n:EGRESS-GATEWAY-SNAT-6000 - [0:0]\n"
               "-A PREROUTING -m comment --comment \"kube-egress-gateway mark packets from "
               "gateway link wg-6000\" -j EGRESS-GATEWAY-MARK-6000\n"
               "-A POSTROUTING -m comment --comment \"kube-egress-gateway sNAT packets from "
               "gateway link wg-6000\" -j EGRESS-GATEWAY-SNAT-6000\n"
               "-A EGRESS-GATEWAY-MARK-6000 -i wg-6000 -j CONNMARK --set-xmark "
               "0x1770/0xffffffff\n"
               "-A EGRESS-GATEWAY-SNAT-6000 -o host0 -m connmark --mark 0x1770 -j SNAT "
               "--to-source 10.243.0.7\nCOMMIT\n");
  n.netns.emplace(netns, std::move(ns));
  return n;
}

NodeSnapshot workerNode() {
  NodeSnapshot n;
  n.cni = CniConfDir{
      "/etc/cni/net.d",
      {"01-egressgateway.conflist", "10-azure.conflist"},
      CniConflist{
          "01-egressgateway.conflist", "azure", "1.0.0", {"azure-vnet", "kube-egress-cni"}}};
  return n;
}

NetnsSnapshot podNetns() {
  NetnsSnapshot ns;
  ns.addresses = std::vector<Address>{
      {.ifname = "eth0", .ip = "10.244.0.14", .prefixLen = 24},
      {.ifname = "eth0", .family = IpFamily::V6, .ip = "fe80::a8b:1", .prefixLen = 64},
      {.ifname = "wg0", .family = IpFamily::V6, .ip = "fe80::a8b:1", .prefixLen = 64}};
  ns.routes = std::vector<Route>{
      {.dst = "default", .gateway = "fe80::1", .viaInet6 = true, .oifName = "wg0"},
      {.dst = "10.244.0.1/32", .oifName = "eth0", .scope = "link"},
      {.dst = "10.0.0.0/8", .gateway = "10.244.0.1", .oifName = "eth0"},
      {.table = 8738, .dst = "default", .gateway = "10.244.0.1", .oifName = "eth0"}};
  ns.rules = std::vector<Rule>{{.priority = 32765,
                                .hasFwmark = true,
                                .fwmark = 0x2222,
                                .fwmask = 0xffffffff,
                                .table = 8738,
                                .action = "lookup"}};
  ns.wireguard = std::vector<WireguardDevice>{{.name = "wg0",
                                               .publicKey = kPodKey,
                                               .listenPort = 51820,
                                               .peers = {{.publicKey = kGwKey,
                                                          .endpoint = "10.243.0.6:6000",
                                                          .allowedIps = {"0.0.0.0/0", "::/0"}}}}};
  Sysctls sys;
  sys.rpFilterAll = 2;
  sys.rpFilter["eth0"] = 2;
  ns.sysctls = sys;
  ns.iptables = iptables(
      "*mangle\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
      "-A PREROUTING -i eth0 -j MARK --set-xmark 0x2222/0xffffffff\n"
      "-A PREROUTING -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff\n"
      "-A OUTPUT -m connmark --mark 0x2222 -j CONNMARK --restore-mark --nfmask 0xffffffff "
      "--ctmask 0xffffffff\nCOMMIT\n");
  return ns;
}

struct World {
  NodeSnapshot node;
  Inputs inputs;
};

std::vector<Finding> run(const std::string& nodeName, bool legacy,
                         const std::function<void(World&)>& mutate = {}) {
  World w;
  w.node = nodeName == "gw-0" ? gatewayNode(legacy) : workerNode();
  w.inputs.pods.emplace("default/client", podNetns());
  w.inputs.lbProbes.emplace(
      kUid, HttpProbeResult{"http://10.243.0.4:8082/gw/" + std::string(kUid), 200, "", 0.001});
  if (mutate) {
    mutate(w);
  }
  w.inputs.node = &w.node;
  return checkAll(expect(objects(legacy), nodeName), w.inputs);
}

TEST(AzureExpect, CurrentLayout) {
  Expectation e = expect(objects(false), "gw-0");
  EXPECT_TRUE(e.gatewayNode);
  ASSERT_EQ(e.gateways.size(), 1u);
  const GatewayExpectation& g = e.gateways[0];
  EXPECT_EQ(g.netns, "ns-static-egress-gateway");
  EXPECT_EQ(g.wgLink, "wg-6000");
  EXPECT_EQ(g.hostVeth, "host-gateway");
  EXPECT_EQ(g.secondaryIP, "10.243.0.7");
  ASSERT_EQ(g.peers.size(), 1u);
  EXPECT_EQ(g.peers[0].podIp, "10.244.0.14");
  EXPECT_EQ(g.netnsNat.back().args,
            "-o host0 -m connmark --mark 0x1770 -j SNAT --to-source 10.243.0.7");
  EXPECT_TRUE(g.notReady.empty());
  EXPECT_FALSE(e.cniExpected);
  Expectation w = expect(objects(false), "w-0");
  EXPECT_FALSE(w.gatewayNode);
  EXPECT_TRUE(w.cniExpected);
  ASSERT_EQ(w.pods.size(), 1u);
  EXPECT_EQ(w.pods[0].endpoint, "10.243.0.6:6000");
}

TEST(AzureExpect, LegacyLayoutFromGatewayStatus) {
  Expectation e = expect(objects(true), "gw-0");
  EXPECT_EQ(e.layout, model::GatewayLayout::Legacy);
  const GatewayExpectation& g = e.gateways.at(0);
  EXPECT_EQ(g.netns, "gw-17f83d68-4cab-422d-a3af-ed320a761cee-10_243_0_6");
  EXPECT_EQ(g.wgLink, "wg0");
  EXPECT_EQ(g.hostVeth, "gw-17f83d68");
  EXPECT_EQ(g.netnsNat.at(0).args, "-o host0 -j MASQUERADE");
}

TEST(AzureExpect, IncompleteStatusIsNotReady) {
  model::ObjectSet o = objects(false);
  o.staticGatewayConfigurations[0].status.gatewayServerProfile.publicKey.clear();
  Expectation e = expect(o, "gw-0");
  EXPECT_NE(e.gateways.at(0).notReady.find("incomplete"), std::string::npos);
}

TEST(AzureExpect, EgressPrefixMembership) {
  EXPECT_TRUE(inEgressPrefix("1.2.3.5", "1.2.3.4/31"));
  EXPECT_FALSE(inEgressPrefix("1.2.3.6", "1.2.3.4/31"));
  EXPECT_TRUE(inEgressPrefix("10.243.0.8", "10.243.0.7, 10.243.0.8"));
  EXPECT_FALSE(inEgressPrefix("10.243.0.9", "10.243.0.7,10.243.0.8"));
}

struct HealthyCase {
  const char* node;
  bool legacy;
};

class AzureHealthy : public ::testing::TestWithParam<HealthyCase> {};

TEST_P(AzureHealthy, NothingFails) {
  std::vector<Finding> all = run(GetParam().node, GetParam().legacy);
  int passes = 0;
  for (const Finding& f : all) {
    EXPECT_TRUE(f.status == Status::Pass || f.status == Status::Skipped)
        << catalog::toJsonString(f);
    passes += f.status == Status::Pass;
  }
  EXPECT_GE(passes, 3);
}

INSTANTIATE_TEST_SUITE_P(Table, AzureHealthy,
                         ::testing::Values(HealthyCase{"gw-0", false}, HealthyCase{"gw-0", true},
                                           HealthyCase{"w-0", false}));

struct FaultCase {
  const char* name;
  const char* node;
  bool legacy;
  std::function<void(World&)> mutate;
  CheckId id;
  Status want;
  const char* reason;
};

class AzureFault : public ::testing::TestWithParam<FaultCase> {};

TEST_P(AzureFault, IsReported) {
  const FaultCase& c = GetParam();
  std::vector<Finding> all = run(c.node, c.legacy, c.mutate);
  bool seen = false;
  for (const Finding& f : all) {
    if (f.check == c.id) {
      seen = true;
      EXPECT_EQ(f.status, c.want) << catalog::toJsonString(f);
      EXPECT_EQ(f.reason, c.reason) << f.message;
    }
  }
  EXPECT_TRUE(seen);
}

NetnsSnapshot& gwNs(World& w) {
  return w.node.netns.begin()->second;
}
NetnsSnapshot& pod(World& w) {
  return *w.inputs.pods.at("default/client");
}

INSTANTIATE_TEST_SUITE_P(
    Table, AzureFault,
    ::testing::Values(
        FaultCase{"NetnsMissing", "gw-0", false,
                  [](World& w) {
                    w.node.netns.clear();
                    w.node.namedNetns = std::vector<std::string>{};
                  },
                  CheckId::AksGwNetns, Status::Fail, "GatewayNetnsMissing"},
        FaultCase{"NetnsListUnreadable", "gw-0", false,
                  [](World& w) {
                    w.node.namedNetns = std::unexpected(
                        Error{ErrorCode::PermissionDenied, "needs CAP_SYS_ADMIN"});
                  },
                  CheckId::AksGwNetns, Status::Unknown, "PermissionDenied"},
        FaultCase{"IlbIpMissing", "gw-0", false,
                  [](World& w) { w.node.host.addresses->pop_back(); }, CheckId::AksGwHost,
                  Status::Fail, "IlbIpMissing"},
        FaultCase{"IlbIpSubnetPrefix", "gw-0", false,
                  [](World& w) { w.node.host.addresses->back().prefixLen = 16; },
                  CheckId::AksGwHost, Status::Warn, "IlbIpSubnetPrefix"},
        FaultCase{"SecondaryOnEth0", "gw-0", false,
                  [](World& w) {
                    w.node.host.addresses->push_back(
                        {.ifname = "eth0", .ip = "10.243.0.7", .prefixLen = 32});
                  },
                  CheckId::AksGwHost, Status::Fail, "SecondaryIpOnHost"},
        FaultCase{"HostRouteMissing", "gw-0", false,
                  [](World& w) { w.node.host.routes->clear(); }, CheckId::AksGwHost,
                  Status::Fail, "HostRouteMissing"},
        FaultCase{"WgMissing", "gw-0", false, [](World& w) { gwNs(w).wireguard->clear(); },
                  CheckId::AksGwWg, Status::Fail, "WireguardLinkMissing"},
        FaultCase{"WgLinkGoneWgUnreadable", "gw-0", false,
                  [](World& w) {
                    gwNs(w).links->pop_back();
                    gwNs(w).wireguard =
                        std::unexpected(Error{ErrorCode::Unavailable, "no UAPI socket"});
                  },
                  CheckId::AksGwWg, Status::Fail, "WireguardLinkMissing"},
        FaultCase{"WgUnreadable", "gw-0", false,
                  [](World& w) {
                    gwNs(w).wireguard =
                        std::unexpected(Error{ErrorCode::Unavailable, "no UAPI socket"});
                  },
                  CheckId::AksGwWg, Status::Unknown, "SnapshotUnavailable"},
        FaultCase{"WgWrongPort", "gw-0", false,
                  [](World& w) { gwNs(w).wireguard->at(0).listenPort = 6001; },
                  CheckId::AksGwWg, Status::Fail, "WireguardPortMismatch"},
        FaultCase{"WgWrongKey", "gw-0", true,
                  [](World& w) { gwNs(w).wireguard->at(0).publicKey = "other"; },
                  CheckId::AksGwWg, Status::Fail, "WireguardKeyMismatch"},
        FaultCase{"PeerMissing", "gw-0", false,
                  [](World& w) { gwNs(w).wireguard->at(0).peers.clear(); }, CheckId::AksGwPeers,
                  Status::Fail, "GatewayPeerMissing"},
        FaultCase{"PeerStale", "gw-0", false,
                  [](World& w) {
                    gwNs(w).wireguard->at(0).peers.push_back({.publicKey = "stale"});
                  },
                  CheckId::AksGwPeers, Status::Warn, "GatewayPeerStale"},
        FaultCase{"DefaultRouteMissing", "gw-0", false,
                  [](World& w) { gwNs(w).routes->erase(gwNs(w).routes->begin()); },
                  CheckId::AksGwRoutes, Status::Fail, "GatewayRouteMissing"},
        FaultCase{"IpForwardOff", "gw-0", false,
                  [](World& w) { gwNs(w).sysctls->ipForward = 0; }, CheckId::AksGwRoutes,
                  Status::Fail, "IpForwardDisabled"},
        FaultCase{"SnatMissing", "gw-0", false,
                  [](World& w) {
                    gwNs(w).iptables = iptables("*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n");
                  },
                  CheckId::AksGwNat, Status::Fail, "SNATRuleMissing"},
        FaultCase{"LegacyMasqueradeMissing", "gw-0", true,
                  [](World& w) {
                    gwNs(w).iptables = iptables("*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n");
                  },
                  CheckId::AksGwNat, Status::Fail, "SNATRuleMissing"},
        FaultCase{"LbProbe503", "gw-0", false,
                  [](World& w) { w.inputs.lbProbes.begin()->second->status = 503; },
                  CheckId::AksLbProbe, Status::Fail, "LbProbeUnhealthy"},
        FaultCase{"LbProbeRefused", "gw-0", false,
                  [](World& w) {
                    w.inputs.lbProbes.begin()->second =
                        std::unexpected(Error{ErrorCode::Unavailable, "connection refused"});
                  },
                  CheckId::AksLbProbe, Status::Unknown, "SnapshotUnavailable"},
        FaultCase{"CniShadowed", "w-0", false,
                  [](World& w) { w.node.cni->files.insert(w.node.cni->files.begin(), "00-x.conflist"); },
                  CheckId::AksCniConf, Status::Fail, "CniConfNotFirst"},
        FaultCase{"CniMissing", "w-0", false,
                  [](World& w) { w.node.cni->files = {"10-azure.conflist"}; },
                  CheckId::AksCniConf, Status::Fail, "CniConfMissing"},
        FaultCase{"CniPluginMissing", "w-0", false,
                  [](World& w) { w.node.cni->first->pluginTypes = {"azure-vnet"}; },
                  CheckId::AksCniConf, Status::Fail, "CniPluginMissing"},
        FaultCase{"PodWgEndpointWrong", "w-0", false,
                  [](World& w) { pod(w).wireguard->at(0).peers[0].endpoint = "10.243.0.9:6000"; },
                  CheckId::AksPodWg, Status::Fail, "PodPeerWrong"},
        FaultCase{"PodWgMissing", "w-0", false, [](World& w) { pod(w).wireguard->clear(); },
                  CheckId::AksPodWg, Status::Fail, "PodWireguardMissing"},
        FaultCase{"PodNetnsNotFound", "w-0", false,
                  [](World& w) {
                    w.inputs.pods.at("default/client") =
                        std::unexpected(Error{ErrorCode::NotFound, "no netns holds 10.244.0.14"});
                  },
                  CheckId::AksPodWg, Status::Unknown, "SnapshotUnavailable"},
        FaultCase{"PodFwmarkRuleMissing", "w-0", false, [](World& w) { pod(w).rules->clear(); },
                  CheckId::AksPodRoutes, Status::Fail, "PodRuleMissing"},
        FaultCase{"PodDefaultRouteMissing", "w-0", false,
                  [](World& w) { pod(w).routes->erase(pod(w).routes->begin()); },
                  CheckId::AksPodRoutes, Status::Fail, "PodDefaultRouteMissing"},
        FaultCase{"PodRpFilterStrict", "w-0", false,
                  [](World& w) { pod(w).sysctls->rpFilter["eth0"] = 1; }, CheckId::AksPodRoutes,
                  Status::Fail, "PodRpFilter"}),
    [](const auto& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace egressdiag::checks::azure
