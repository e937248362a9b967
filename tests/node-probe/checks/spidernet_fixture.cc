#include "spidernet_fixture.h"

#include "node-probe/datapath/iptables_parser.h"

// Designated initializers name only the fields a case cares about; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace egressdiag::checks::testing {
namespace {

model::EgressTunnel tunnel(std::string node, std::string ip, std::string mac, std::string mark,
                           std::string parent) {
  model::EgressTunnel t;
  t.metadata.name = std::move(node);
  t.status.tunnelIPv4 = std::move(ip);
  t.status.mac = std::move(mac);
  t.status.mark = std::move(mark);
  t.status.parent = {"eth0", std::move(parent), ""};
  t.status.phase = "Ready";
  return t;
}

constexpr const char* kAccept = "Accept for egress traffic from pod going to EgressTunnel";

std::string line(const std::string& chain, const std::string& hash, const std::string& comment,
                 const std::string& args) {
  return "-A " + chain + " -m comment --comment \"egw:" + hash + "\" -m comment --comment \"" +
         comment + "\" " + args + "\n";
}

}  // namespace

model::ObjectSet seedObjects() {
  model::ObjectSet objects;
  objects.egressTunnels.push_back(
      tunnel("node1", "192.200.142.89", "66:c5:d6:cc:29:54", "0x2698ee37", "10.6.1.21"));
  objects.egressTunnels.push_back(
      tunnel("node2", "192.200.201.40", "66:66:41:3e:23:6b", "0x26b7b4e4", "10.6.1.22"));
  model::EgressGateway gw;
  gw.metadata.name = "default";
  gw.status.nodeList.push_back({"node2", "Ready", {{"172.16.25.189", "", {{"test", "default"}}}}});
  objects.egressGateways.push_back(gw);
  model::EgressPolicy policy;
  policy.metadata.name = "test";
  policy.metadata.namespace_ = "default";
  policy.spec.egressGatewayName = "default";
  policy.spec.destSubnet = {"172.16.25.183/32"};
  policy.status.eipIPv4 = "172.16.25.189";
  policy.status.node = "node2";
  objects.egressPolicies.push_back(policy);
  model::EgressEndpointSlice slice;
  slice.metadata.name = "test-abcde";
  slice.metadata.namespace_ = "default";
  slice.metadata.labels["spidernet.io/policy-name"] = "test";
  slice.endpoints.push_back({"default", "visitor-1", {"10.200.0.22"}, {}, "node1"});
  slice.endpoints.push_back({"default", "visitor-2", {"10.200.1.7"}, {}, "node2"});
  objects.egressEndpointSlices.push_back(slice);
  model::EgressClusterInfo info;
  info.metadata.name = "default";
  info.status.nodeIP["node1"].ipv4 = {"10.6.1.21"};
  info.status.nodeIP["node2"].ipv4 = {"10.6.1.22"};
  info.status.clusterIP.ipv4 = {"10.233.0.0/18"};
  info.status.podCIDR["default-pool"].ipv4 = {"10.200.0.0/16"};
  objects.egressClusterInfos.push_back(info);
  return objects;
}

std::string healthyIptablesSave(const std::string& node) {
  const bool gw = node == "node2";
  std::string s =
      "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
      ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
      ":EGRESSGATEWAY-MARK-REQUEST - [0:0]\n:cali-PREROUTING - [0:0]\n";
  if (gw) {
    s += ":EGRESSGATEWAY-REPLY-ROUTING - [0:0]\n";
  }
  s += line("PREROUTING", "Lh98b3mb9WlZrgw7", "Checking for EgressPolicy matched traffic",
            "-j EGRESSGATEWAY-MARK-REQUEST");
  s += line("PREROUTING", "4vaggeYl6c-Gn0Yv", "EgressGateway traffic accept datapath rule",
            "-m mark --mark 0x26000000/0xff000000 -j ACCEPT");
  if (gw) {
    const char* reply = "EgressGateway reply datapath rule, rule is from the EgressGateway";
    s += line("PREROUTING", "2kqsECEMrvzlVMA3", reply, "-j EGRESSGATEWAY-REPLY-ROUTING");
    s += line("PREROUTING", "OmRHwNHpRbvgdaPu", reply,
              "-m mark --mark 0x26000000/0xff000000 -j ACCEPT");
  }
  s += "-A PREROUTING -m comment --comment \"cali:6gwbT8clXdHdC1b1\" -j cali-PREROUTING\n";
  s += line("FORWARD", "QZatZARIgegXh8rb", kAccept,
            "-m mark --mark 0x26000000/0xff000000 -j MARK --set-xmark 0x26000000/0xffffffff");
  s += line("POSTROUTING", "ymEAarDWTR9SHgDS", kAccept, "-m mark --mark 0x26000000 -j ACCEPT");
  if (gw) {
    s += line("POSTROUTING", "AROneiv3FWSogWf-",
              "clear the Mark of the inner package, rule is from the EgressGateway",
              "-m mark --mark 0x27 -j MARK --set-xmark 0x0/0xffffffff");
    // iptables-save prints MACs upper case; rule order in agent chains is not stable.
    s +=
        "-A EGRESSGATEWAY-REPLY-ROUTING -m comment --comment \"egw:aaaaaaaaaaaaaaaa\" -m conntrack "
        "--ctdir REPLY -j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff\n";
    s += "-A EGRESSGATEWAY-REPLY-ROUTING -m comment --comment \"egw:bbbbbbbbbbbbbbbb\" -i "
         "egress.vxlan -m mac --mac-source 66:C5:D6:CC:29:54 -j MARK --set-xmark "
         "0x26000000/0xffffffff\n";
    s += "-A EGRESSGATEWAY-REPLY-ROUTING -m comment --comment \"egw:cccccccccccccccc\" -i "
         "egress.vxlan -m mac --mac-source 66:C5:D6:CC:29:54 -m conntrack --ctdir ORIGINAL -j "
         "MARK --set-xmark 0x2698ee37/0xffffffff\n";
    s += "-A EGRESSGATEWAY-REPLY-ROUTING -m comment --comment \"egw:dddddddddddddddd\" -m mark "
         "--mark 0x2698ee37 -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff\n";
  } else {
    s += line("EGRESSGATEWAY-MARK-REQUEST", "c2Rxsf_p-hXQYsiG",
              "Set mark for EgressPolicy default-test",
              std::string("-m set --match-set ") + kSrcSet + " src -m set --match-set " + kDstSet +
                  " dst -m conntrack --ctdir ORIGINAL -j MARK --set-xmark 0x26b7b4e4/0xffffffff");
  }
  s += "COMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
       ":POSTROUTING ACCEPT [0:0]\n:EGRESSGATEWAY-SNAT-EIP - [0:0]\n:KUBE-POSTROUTING - [0:0]\n";
  s += line("PREROUTING", "bx14gEwdI2z4JR7V", "EgressGateway traffic accept datapath rule",
            "-m mark --mark 0x26000000/0xff000000 -j ACCEPT");
  s += line("POSTROUTING", "x1tdBi75jif7GCxh", "SNAT for egress traffic",
            "-j EGRESSGATEWAY-SNAT-EIP");
  s += line("POSTROUTING", "lefvkAAcigCbsdOb", kAccept, "-m mark --mark 0x26000000 -j ACCEPT");
  s += "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n";
  if (gw) {
    s += line("EGRESSGATEWAY-SNAT-EIP", "Jv9_F-2cYSllqljc", "snat policy default-test",
              std::string("-m set --match-set ") + kSrcSet + " src -m set --match-set " + kDstSet +
                  " dst -m conntrack --ctdir ORIGINAL -j SNAT --to-source 172.16.25.189");
  }
  s += "COMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n";
  s += line("FORWARD", "k9r8D6t2n2nfb88V", kAccept, "-m mark --mark 0x26000000 -j ACCEPT");
  s += line("OUTPUT", "1l0yvxSlKPV6W8en", kAccept, "-m mark --mark 0x26000000 -j ACCEPT");
  s += "COMMIT\n";
  return s;
}

void setIptables(datapath::NetnsSnapshot& snapshot, const std::string& text) {
  std::vector<datapath::IptablesSave> saves;
  saves.push_back(datapath::buildIptablesSave(
      datapath::IptablesBackend::Nft, datapath::IpFamily::V4, "iptables-nft-save", text, ""));
  snapshot.iptables = datapath::summariseIptables(std::move(saves));
}

datapath::NetnsSnapshot healthySnapshot(const std::string& node) {
  using namespace datapath;
  const bool gw = node == "node2";
  NetnsSnapshot s;
  setIptables(s, healthyIptablesSave(node));
  std::vector<IpsetSet> sets;
  // The source set as the kernel reader holds it (numbers); the others as text.
  IpsetMembers src;
  src.addIpv4(0x0ac80016, 32);  // 10.200.0.22
  if (gw) {
    src.addIpv4(0x0ac80107, 32);  // 10.200.1.7
  }
  sets.push_back({kSrcSet, "hash:net", "inet", "", src});
  sets.push_back({kDstSet, "hash:net", "inet", "", {"172.16.25.183"}});
  sets.push_back({"egress-cluster-cidr-ipv4",
                  "hash:net",
                  "inet",
                  "",
                  {"10.6.1.21", "10.6.1.22", "10.200.0.0/16", "10.233.0.0/18"}});
  s.ipsets = sets;
  const std::uint32_t peerMark = gw ? 0x2698ee37 : 0x26b7b4e4;
  const std::string peerTunnel = gw ? "192.200.142.89" : "192.200.201.40";
  const std::string peerMac = gw ? "66:c5:d6:cc:29:54" : "66:66:41:3e:23:6b";
  const std::string peerParent = gw ? "10.6.1.21" : "10.6.1.22";
  Rule local{.priority = 0, .table = 255, .action = "lookup", .src = "all", .dst = "all"};
  Rule mark{.priority = 99,
            .hasFwmark = true,
            .fwmark = peerMark,
            .fwmask = 0xffffffff,
            .table = peerMark,
            .action = "lookup",
            .src = "all",
            .dst = "all"};
  Rule main{.priority = 32766, .table = 254, .action = "lookup", .src = "all", .dst = "all"};
  s.rules = std::vector<Rule>{local, mark, main};
  Route peerDefault{.table = peerMark,
                    .dst = "default",
                    .gateway = peerTunnel,
                    .oifName = "egress.vxlan",
                    .oifIndex = 5};
  Route mainDefault{.dst = "default", .gateway = "10.6.0.1", .oifName = "eth0", .oifIndex = 2};
  Route lan{.dst = "172.16.0.0/16", .oifName = "eth1", .oifIndex = 3, .scope = "link"};
  s.routes = std::vector<Route>{peerDefault, mainDefault, lan};
  Link eth0{.index = 2, .name = "eth0", .adminUp = true, .operState = "UP"};
  Link vx{
      .index = 5, .name = "egress.vxlan", .kind = "vxlan", .adminUp = true, .operState = "UNKNOWN"};
  vx.vxlan = VxlanInfo{.vni = 100,
                       .port = 7789,
                       .local = gw ? "10.6.1.22" : "10.6.1.21",
                       .parentIndex = 2,
                       .parentName = "eth0"};
  s.links = std::vector<Link>{eth0, vx};
  s.addresses = std::vector<Address>{{.ifindex = 2,
                                      .ifname = "eth0",
                                      .ip = gw ? "10.6.1.22" : "10.6.1.21",
                                      .prefixLen = 16,
                                      .scope = "global"},
                                     {.ifindex = 3,
                                      .ifname = "eth1",
                                      .ip = gw ? "172.16.25.2" : "172.16.25.1",
                                      .prefixLen = 16,
                                      .scope = "global"},
                                     {.ifindex = 5,
                                      .ifname = "egress.vxlan",
                                      .ip = gw ? "192.200.201.40" : "192.200.142.89",
                                      .prefixLen = 16,
                                      .scope = "global"}};
  s.neighbours = std::vector<Neighbour>{{.ifindex = 5,
                                         .ifname = "egress.vxlan",
                                         .ip = peerTunnel,
                                         .lladdr = peerMac,
                                         .state = 0x80,
                                         .permanent = true,
                                         .stateName = "PERMANENT"}};
  s.fdb = std::vector<FdbEntry>{{.ifindex = 5,
                                 .ifname = "egress.vxlan",
                                 .mac = peerMac,
                                 .dst = peerParent,
                                 .permanent = true,
                                 .self = true}};
  Sysctls sys;
  sys.ipForward = 1;
  sys.rpFilterAll = 1;
  sys.rpFilter["egress.vxlan"] = 2;
  s.sysctls = sys;
  return s;
}

}  // namespace egressdiag::checks::testing
