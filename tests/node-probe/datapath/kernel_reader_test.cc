// Integration tests of every reader against the real kernel. Each test builds its own scratch
// network namespace (edt-<pid>-<n>), reads it through the public reader API and deletes it.
// Needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN); nothing is changed in the root namespace.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netlink/msg.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "node-probe/datapath/iptables_parser.h"
#include "node-probe/datapath/netlink_util.h"
#include "node-probe/datapath/netns.h"
#include "node-probe/datapath/reader.h"
#include "node-probe/datapath/wireguard_parser.h"
#include "node-probe/datapath/wireguard_reader.h"
#include "tests/support/testenv.h"

namespace egressdiag::datapath {
namespace {

using egressdiag::testing::runCommand;

constexpr std::string_view kNftRules = R"(*mangle
:PREROUTING ACCEPT [0:0]
:EGRESSGATEWAY-MARK-REQUEST - [0:0]
-A PREROUTING -m comment --comment "egw:Lh98b3mb9WlZrgw7" -m comment --comment "Checking for EgressPolicy matched traffic" -j EGRESSGATEWAY-MARK-REQUEST
-A PREROUTING -m mark --mark 0x26000000/0xff000000 -m comment --comment "egw:4vaggeYl6c-Gn0Yv" -j ACCEPT
-A EGRESSGATEWAY-MARK-REQUEST -m set --match-set egress-src-v4-edt src -m conntrack --ctdir ORIGINAL -j MARK --set-xmark 0x26b7b4e4/0xffffffff
COMMIT
)";

constexpr std::string_view kLegacyEgressRules = R"(*nat
:POSTROUTING ACCEPT [0:0]
:EGRESSGATEWAY-SNAT-EIP - [0:0]
-A POSTROUTING -m comment --comment "egw:x1tdBi75jif7GCxh" -j EGRESSGATEWAY-SNAT-EIP
-A EGRESSGATEWAY-SNAT-EIP -s 10.200.0.22/32 -j SNAT --to-source 172.16.25.189
COMMIT
)";

template <class T, class Pred>
const T* findIf(const std::vector<T>& v, Pred&& pred) {
  const auto it = std::ranges::find_if(v, pred);
  return it == v.end() ? nullptr : &*it;
}

class KernelReader : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    ns_ = "edt-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    ASSERT_TRUE(run({"ip", "netns", "add", ns_}));
    created_ = true;
    const std::vector<std::vector<std::string>> setup = {
        {"ip", "-n", ns_, "link", "set", "lo", "up"},
        {"ip", "-n", ns_, "link", "add", "edt0", "type", "veth", "peer", "name", "edt1"},
        {"ip", "-n", ns_, "link", "set", "edt0", "mtu", "1450", "alias", "edt test alias"},
        {"ip", "-n", ns_, "link", "set", "edt0", "up"},
        {"ip", "-n", ns_, "link", "set", "edt1", "up"},
        {"ip", "-n", ns_, "addr", "add", "10.77.0.1/24", "dev", "edt0", "label", "edt0:egress"},
        {"ip", "-n", ns_, "addr", "add", "10.77.0.2/24", "dev", "edt1"},
        {"ip", "-n", ns_, "addr", "add", "fd77::1/64", "dev", "edt0", "nodad"},
        {"ip", "-n", ns_, "link", "add", "egress.vxlan", "type", "vxlan", "id", "100", "dstport",
         "7789", "local", "10.77.0.1", "dev", "edt0"},
        {"ip", "-n", ns_, "link", "set", "egress.vxlan", "up"},
        {"ip", "-n", ns_, "addr", "add", "172.31.0.1/16", "dev", "egress.vxlan"},
        {"ip", "-n", ns_, "route", "add", "default", "via", "172.31.0.2", "dev", "egress.vxlan",
         "table", "649573604"},
        {"ip", "-n", ns_, "route", "add", "10.99.0.0/16", "via", "inet6", "fe80::1", "dev", "edt0"},
        {"ip", "-n", ns_, "-6", "route", "add", "default", "via", "fd77::2", "dev", "edt0", "table",
         "8738"},
        {"ip", "-n", ns_, "rule", "add", "fwmark", "0x26b7b4e4", "lookup", "649573604", "prio",
         "99"},
        {"ip", "-n", ns_, "-6", "rule", "add", "fwmark", "0x2222/0xffff", "lookup", "8738", "prio",
         "32765"},
        {"ip", "-n", ns_, "neigh", "add", "172.31.0.2", "lladdr", "66:66:41:3e:23:6b", "dev",
         "egress.vxlan", "nud", "permanent"},
        {"bridge", "-n", ns_, "fdb", "append", "66:66:41:3e:23:6b", "dev", "egress.vxlan", "dst",
         "10.77.0.2"},
        {"ip", "netns", "exec", ns_, "ipset", "create", "egress-src-v4-edt", "hash:net"},
        {"ip", "netns", "exec", ns_, "ipset", "add", "egress-src-v4-edt", "10.200.0.22"},
        {"ip", "netns", "exec", ns_, "ipset", "add", "egress-src-v4-edt", "10.201.0.0/16"},
        {"ip", "netns", "exec", ns_, "ipset", "create", "egress-dst-v6-edt", "hash:net", "family",
         "inet6"},
        {"ip", "netns", "exec", ns_, "ipset", "add", "egress-dst-v6-edt", "fd00::1"},
        {"ip", "netns", "exec", ns_, "sysctl", "-qw", "net.ipv4.ip_forward=1"},
        {"ip", "netns", "exec", ns_, "sysctl", "-qw", "net/ipv4/conf/egress.vxlan/rp_filter=2"},
        {"ip", "netns", "exec", ns_, "sysctl", "-qw", "net/ipv4/conf/edt1/rp_filter=1"},
    };
    for (const auto& argv : setup) {
      ASSERT_TRUE(run(argv));
    }
    ASSERT_TRUE(run({"ip", "netns", "exec", ns_, "iptables-nft-restore"}, kNftRules));
  }

  void TearDown() override {
    if (wgPid_ > 0) {
      ::kill(wgPid_, SIGTERM);
      ::waitpid(wgPid_, nullptr, 0);
    }
    if (created_) {
      // Deleting the namespace frees its links, sets and tables with it.
      EXPECT_TRUE(run({"ip", "netns", "del", ns_}));
    }
  }

  bool run(const std::vector<std::string>& argv, std::string_view input = {}) {
    const auto r = runCommand(argv, input);
    if (r.exitCode != 0) {
      std::string cmd;
      for (const auto& a : argv) {
        cmd += a + " ";
      }
      ADD_FAILURE() << cmd << "-> exit " << r.exitCode << ": " << r.err;
      return false;
    }
    return true;
  }

  NetnsSnapshot readAll(ReadOptions opts = {}) {
    KernelDatapathReader reader;
    auto snap = reader.readNetns(NetnsRef::named(ns_), opts);
    EXPECT_TRUE(snap) << (snap ? "" : snap.error().message);
    return snap ? std::move(*snap) : NetnsSnapshot{};
  }

  std::string ns_;
  bool created_ = false;
  pid_t wgPid_ = -1;
};

TEST_F(KernelReader, LinksAddressesAndVxlan) {
  const auto snap = readAll();
  ASSERT_TRUE(snap.links) << snap.links.error().message;
  const auto* edt0 = findIf(*snap.links, [](const Link& l) { return l.name == "edt0"; });
  ASSERT_NE(edt0, nullptr);
  EXPECT_EQ(edt0->kind, "veth");
  EXPECT_EQ(edt0->mtu, 1450u);
  EXPECT_EQ(edt0->alias, "edt test alias");
  EXPECT_TRUE(edt0->adminUp);
  EXPECT_EQ(edt0->operState, "UP");
  EXPECT_EQ(edt0->mac.size(), 17u);
  EXPECT_FALSE(edt0->vxlan);
  const auto* vx = findIf(*snap.links, [](const Link& l) { return l.name == "egress.vxlan"; });
  ASSERT_NE(vx, nullptr);
  EXPECT_EQ(vx->kind, "vxlan");
  ASSERT_TRUE(vx->vxlan);
  EXPECT_EQ(vx->vxlan->vni, 100u);
  EXPECT_EQ(vx->vxlan->port, 7789);
  EXPECT_EQ(vx->vxlan->local, "10.77.0.1");
  EXPECT_EQ(vx->vxlan->parentIndex, edt0->index);
  EXPECT_EQ(vx->vxlan->parentName, "edt0");

  ASSERT_TRUE(snap.addresses) << snap.addresses.error().message;
  const auto* a = findIf(*snap.addresses, [](const Address& x) { return x.ip == "10.77.0.1"; });
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->ifname, "edt0");
  EXPECT_EQ(a->prefixLen, 24);
  EXPECT_EQ(a->label, "edt0:egress");
  EXPECT_EQ(a->scope, "global");
  EXPECT_EQ(a->family, IpFamily::V4);
  const auto* v6 = findIf(*snap.addresses, [](const Address& x) { return x.ip == "fd77::1"; });
  ASSERT_NE(v6, nullptr);
  EXPECT_EQ(v6->family, IpFamily::V6);
  EXPECT_EQ(v6->prefixLen, 64);

  // The host namespace is not this one: the scratch address is not there.
  KernelDatapathReader reader;
  ReadOptions netlinkOnly;
  netlinkOnly.ipsets = netlinkOnly.iptables = netlinkOnly.wireguard = false;
  auto host = reader.readNetns(NetnsRef::host(), netlinkOnly);
  ASSERT_TRUE(host);
  ASSERT_TRUE(host->addresses);
  EXPECT_EQ(findIf(*host->addresses, [](const Address& x) { return x.ip == "10.77.0.1"; }),
            nullptr);
}

// A route's fields as libnl decodes them (an implementation independent of the reader's raw
// dump), in one comparable line.
std::string libnlRouteLine(rtnl_route* r) {
  char buf[128];
  std::string line = std::to_string(rtnl_route_get_family(r)) + " table " +
                     std::to_string(rtnl_route_get_table(r)) + " ";
  nl_addr* dst = rtnl_route_get_dst(r);
  line += dst == nullptr || nl_addr_get_prefixlen(dst) == 0 ? "default" : nl::prefixString(dst);
  line +=
      std::string(" proto ") + rtnl_route_proto2str(rtnl_route_get_protocol(r), buf, sizeof buf);
  const int scope = rtnl_route_get_scope(r);
  line += std::string(" scope ") + (scope == 0 ? "global" : rtnl_scope2str(scope, buf, sizeof buf));
  line += std::string(" type ") + nl_rtntype2str(rtnl_route_get_type(r), buf, sizeof buf);
  line += " metric " + std::to_string(rtnl_route_get_priority(r));
  line += " src " + nl::ipString(rtnl_route_get_pref_src(r));
  for (int i = 0; i < rtnl_route_get_nnexthops(r); ++i) {
    rtnl_nexthop* nh = rtnl_route_nexthop_n(r, i);
    std::string gw = nl::ipString(rtnl_route_nh_get_gateway(nh));
    if (gw.empty()) {
      gw = nl::ipString(rtnl_route_nh_get_via(nh));  // an IPv4 route via an IPv6 gateway
    }
    line += " nh " + gw + "@" + std::to_string(rtnl_route_nh_get_ifindex(nh));
  }
  return line;
}

std::string routeLine(const Route& r) {
  std::string line = std::to_string(r.family == IpFamily::V4 ? AF_INET : AF_INET6) + " table " +
                     std::to_string(r.table) + " ";
  line += r.dst + " proto " + r.protocol + " scope " + r.scope + " type " + r.type + " metric " +
          std::to_string(r.metric) + " src " + r.prefSrc;
  for (const NextHop& nh : r.nexthops) {
    line += " nh " + nh.gateway + "@" + std::to_string(nh.oifIndex);
  }
  return line;
}

TEST_F(KernelReader, RoutesEqualLibnlDecoding) {
  // Beyond the fixture's routes: a multipath route and a blackhole in a numbered table.
  ASSERT_TRUE(run({"ip", "-n", ns_, "route", "add", "10.98.0.0/16", "nexthop", "via", "10.77.0.5",
                   "dev", "edt0", "nexthop", "via", "10.77.0.6", "dev", "edt0"}));
  ASSERT_TRUE(run({"ip", "-n", ns_, "route", "add", "blackhole", "10.97.0.0/16", "table", "77",
                   "metric", "5"}));
  const auto snap = readAll();
  ASSERT_TRUE(snap.routes) << snap.routes.error().message;
  std::vector<std::string> ours;
  for (const Route& r : *snap.routes) {
    ours.push_back(routeLine(r));
  }
  // libnl's own decoder (rtnl_route_parse) over its own dump of every message; its route cache
  // would merge routes that differ only in the device.
  auto theirs = NetnsExecutor(NetnsRef::named(ns_)).run([] {
    std::vector<std::string> lines;
    auto sock = nl::connect(NETLINK_ROUTE);
    EXPECT_TRUE(sock);
    if (!sock) {
      return lines;
    }
    auto onMessage = [](nl_msg* msg, void* arg) {
      rtnl_route* r = nullptr;
      if (rtnl_route_parse(nlmsg_hdr(msg), &r) == 0) {
        if (rtnl_route_get_family(r) == AF_INET || rtnl_route_get_family(r) == AF_INET6) {
          static_cast<std::vector<std::string>*>(arg)->push_back(libnlRouteLine(r));
        }
        rtnl_route_put(r);
      }
      return static_cast<int>(NL_OK);
    };
    nl_socket_modify_cb(sock->get(), NL_CB_VALID, NL_CB_CUSTOM, onMessage, &lines);
    for (const int af : {AF_INET, AF_INET6}) {
      EXPECT_GE(nl_rtgen_request(sock->get(), RTM_GETROUTE, af, NLM_F_DUMP), 0);
      EXPECT_GE(nl_recvmsgs_default(sock->get()), 0);
    }
    return lines;
  });
  ASSERT_TRUE(theirs) << theirs.error().message;
  std::ranges::sort(ours);
  std::ranges::sort(*theirs);
  EXPECT_GT(ours.size(), 10u);
  EXPECT_EQ(ours, *theirs);
  EXPECT_TRUE(std::ranges::any_of(ours, [](const std::string& l) {
    return l.find("10.98.0.0/16") != std::string::npos &&
           l.find("nh 10.77.0.5@") != std::string::npos &&
           l.find("nh 10.77.0.6@") != std::string::npos;
  })) << "the multipath route with both next hops";
}

TEST_F(KernelReader, RoutesOfEveryTableAndRules) {
  const auto snap = readAll();
  ASSERT_TRUE(snap.routes) << snap.routes.error().message;
  const auto& routes = *snap.routes;
  const auto* egress = findIf(routes, [](const Route& r) { return r.table == 649573604u; });
  ASSERT_NE(egress, nullptr);
  EXPECT_EQ(egress->dst, "default");
  EXPECT_EQ(egress->gateway, "172.31.0.2");
  EXPECT_EQ(egress->oifName, "egress.vxlan");
  EXPECT_EQ(egress->family, IpFamily::V4);
  EXPECT_EQ(egress->type, "unicast");
  EXPECT_EQ(egress->protocol, "boot");

  const auto* via6 = findIf(routes, [](const Route& r) { return r.dst == "10.99.0.0/16"; });
  ASSERT_NE(via6, nullptr);
  EXPECT_EQ(via6->family, IpFamily::V4);
  EXPECT_EQ(via6->gateway, "fe80::1");
  EXPECT_TRUE(via6->viaInet6);
  EXPECT_EQ(via6->oifName, "edt0");
  EXPECT_EQ(via6->table, 254u);

  const auto* v6 = findIf(routes, [](const Route& r) { return r.table == 8738u; });
  ASSERT_NE(v6, nullptr);
  EXPECT_EQ(v6->family, IpFamily::V6);
  EXPECT_EQ(v6->gateway, "fd77::2");
  EXPECT_FALSE(v6->viaInet6);

  const auto* local = findIf(routes, [](const Route& r) {
    return r.table == 255u && r.dst == "10.77.0.1/32" && r.type == "local";
  });
  EXPECT_NE(local, nullptr) << "the local table is dumped too";
  const auto* link = findIf(routes, [](const Route& r) { return r.dst == "10.77.0.0/24"; });
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->scope, "link");
  EXPECT_EQ(link->protocol, "kernel");
  EXPECT_EQ(link->prefSrc, "10.77.0.1");

  ASSERT_TRUE(snap.rules) << snap.rules.error().message;
  const auto* r99 = findIf(*snap.rules, [](const Rule& r) { return r.priority == 99; });
  ASSERT_NE(r99, nullptr);
  EXPECT_EQ(r99->family, IpFamily::V4);
  EXPECT_TRUE(r99->hasFwmark);
  EXPECT_EQ(r99->fwmark, 0x26b7b4e4u);
  EXPECT_EQ(r99->fwmask, 0xffffffffu);
  EXPECT_EQ(r99->table, 649573604u);
  EXPECT_EQ(r99->action, "lookup");
  EXPECT_EQ(r99->src, "all");
  const auto* r6 = findIf(*snap.rules, [](const Rule& r) { return r.priority == 32765; });
  ASSERT_NE(r6, nullptr);
  EXPECT_EQ(r6->family, IpFamily::V6);
  EXPECT_EQ(r6->fwmark, 0x2222u);
  EXPECT_EQ(r6->fwmask, 0xffffu);
  EXPECT_EQ(r6->table, 8738u);
  const auto* main4 = findIf(
      *snap.rules, [](const Rule& r) { return r.priority == 32766 && r.family == IpFamily::V4; });
  ASSERT_NE(main4, nullptr);
  EXPECT_FALSE(main4->hasFwmark);
  EXPECT_EQ(main4->table, 254u);
  // Only IPv4 and IPv6 rules: the kernel dump also holds multicast-routing families.
  EXPECT_EQ(std::ranges::count_if(*snap.rules, [](const Rule& r) { return r.priority == 0; }), 2);
}

TEST_F(KernelReader, NeighboursAndFdb) {
  const auto snap = readAll();
  ASSERT_TRUE(snap.neighbours) << snap.neighbours.error().message;
  const auto* n = findIf(*snap.neighbours, [](const Neighbour& x) { return x.ip == "172.31.0.2"; });
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(n->ifname, "egress.vxlan");
  EXPECT_EQ(n->lladdr, "66:66:41:3e:23:6b");
  EXPECT_TRUE(n->permanent);
  EXPECT_EQ(n->stateName, "PERMANENT");
  ASSERT_TRUE(snap.fdb) << snap.fdb.error().message;
  const auto* f = findIf(*snap.fdb, [](const FdbEntry& x) {
    return x.mac == "66:66:41:3e:23:6b" && x.dst == "10.77.0.2";
  });
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->ifname, "egress.vxlan");
  EXPECT_TRUE(f->permanent);
  EXPECT_TRUE(f->self);
}

TEST_F(KernelReader, IpsetsThroughLibipset) {
  const auto snap = readAll();
  ASSERT_TRUE(snap.ipsets) << snap.ipsets.error().message;
  ASSERT_EQ(snap.ipsets->size(), 2u);
  const auto* src =
      findIf(*snap.ipsets, [](const IpsetSet& s) { return s.name == "egress-src-v4-edt"; });
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(src->type, "hash:net");
  EXPECT_EQ(src->family, "inet");
  auto members = src->members.texts();
  std::ranges::sort(members);
  EXPECT_EQ(members, (std::vector<std::string>{"10.200.0.22", "10.201.0.0/16"}));
  // The kernel reader holds IPv4 net members as numbers.
  ASSERT_EQ(src->members.size(), 2u);
  EXPECT_TRUE(src->members.ipv4(0).has_value());
  const auto* dst =
      findIf(*snap.ipsets, [](const IpsetSet& s) { return s.name == "egress-dst-v6-edt"; });
  ASSERT_NE(dst, nullptr);
  EXPECT_EQ(dst->family, "inet6");
  EXPECT_EQ(dst->members.texts(), std::vector<std::string>{"fd00::1"});
}

TEST_F(KernelReader, IptablesBothBackends) {
  auto snap = readAll();
  ASSERT_TRUE(snap.iptables) << snap.iptables.error().message;
  const auto& ipt = *snap.iptables;
  ASSERT_EQ(ipt.saves.size(), 2u);
  const auto& nft = ipt.saves[0];
  EXPECT_EQ(nft.backend, IptablesBackend::Nft);
  EXPECT_EQ(nft.command, "iptables-nft-save");
  ASSERT_TRUE(nft.dump) << nft.dump.error().message;
  const auto* mangle = findTable(*nft.dump, "mangle");
  ASSERT_NE(mangle, nullptr);
  const auto pre = chainRules(*mangle, "PREROUTING");
  ASSERT_EQ(pre.size(), 2u);
  EXPECT_EQ(pre[0]->target, "EGRESSGATEWAY-MARK-REQUEST");
  EXPECT_EQ(pre[0]->comments.at(0), "egw:Lh98b3mb9WlZrgw7");
  EXPECT_EQ(pre[0]->comments.at(1), "Checking for EgressPolicy matched traffic");
  EXPECT_NE(pre[0]->raw.find("\"Checking for EgressPolicy matched traffic\""), std::string::npos);
  const auto mark = chainRules(*mangle, "EGRESSGATEWAY-MARK-REQUEST");
  ASSERT_EQ(mark.size(), 1u);
  EXPECT_EQ(ruleOption(*mark[0], "--set-xmark"), "0x26b7b4e4/0xffffffff");
  EXPECT_TRUE(nft.egressRules);
  EXPECT_EQ(ipt.saves[1].backend, IptablesBackend::Legacy);
  ASSERT_TRUE(ipt.saves[1].dump) << ipt.saves[1].dump.error().message;
  EXPECT_EQ(ipt.egressRuleBackends, std::vector<IptablesBackend>{IptablesBackend::Nft});
  EXPECT_FALSE(ipt.egressRulesSplit);
  EXPECT_EQ(ipt.activeBackend, IptablesBackend::Nft);

  // The cheap change test: the same ruleset hashes the same; a change changes the hash.
  const auto before = nft.rawHash;
  EXPECT_EQ(readAll().iptables->saves[0].rawHash, before);
  ASSERT_TRUE(run({"ip", "netns", "exec", ns_, "iptables-legacy-restore"}, kLegacyEgressRules));
  snap = readAll();
  ASSERT_TRUE(snap.iptables);
  EXPECT_TRUE(snap.iptables->egressRulesSplit);
  EXPECT_EQ(snap.iptables->egressRuleBackends.size(), 2u);
  const auto& legacy = snap.iptables->saves[1];
  ASSERT_TRUE(legacy.dump);
  const auto* nat = findTable(*legacy.dump, "nat");
  ASSERT_NE(nat, nullptr);
  EXPECT_EQ(ruleOption(*chainRules(*nat, "EGRESSGATEWAY-SNAT-EIP").at(0), "--to-source"),
            "172.16.25.189");
  EXPECT_EQ(snap.iptables->saves[0].rawHash, before);  // the nft ruleset did not change

  ReadOptions withV6;
  withV6.ip6tables = true;
  const auto six = readAll(withV6);
  ASSERT_TRUE(six.iptables) << six.iptables.error().message;
  ASSERT_EQ(six.iptables->saves.size(), 4u);
  EXPECT_EQ(six.iptables->saves[2].command, "ip6tables-nft-save");
  EXPECT_EQ(six.iptables->saves[2].family, IpFamily::V6);
  EXPECT_TRUE(six.iptables->saves[2].dump) << six.iptables->saves[2].dump.error().message;
  EXPECT_EQ(six.iptables->saves[3].backend, IptablesBackend::Legacy);

  ASSERT_TRUE(run({"ip", "netns", "exec", ns_, "iptables-nft", "-t", "mangle", "-A", "PREROUTING",
                   "-j", "ACCEPT"}));
  EXPECT_NE(readAll().iptables->saves[0].rawHash, before);
}

// A probe reads several namespaces in turn (host, gateway, each pod's): each keeps its own
// reused nft save while its ruleset is unchanged. Counted through a PATH shim around the real
// iptables-nft-save, which the reader finds the way posix_spawnp does.
TEST_F(KernelReader, NftSaveReusedPerNamespace) {
  const std::string other = ns_ + "-b";
  const std::string dir = "/tmp/" + ns_ + "-shim";
  const std::string log = dir + "/runs";
  const std::string path = ::getenv("PATH") != nullptr ? ::getenv("PATH") : "";
  struct Restore {  // also when an assertion returns early
    std::function<void()> undo;
    ~Restore() { undo(); }
  } restore{[&] {
    ::setenv("PATH", path.c_str(), 1);
    runCommand({"ip", "netns", "del", other});
    runCommand({"rm", "-rf", dir});
  }};
  ASSERT_TRUE(run({"ip", "netns", "add", other}));
  ASSERT_TRUE(run({"mkdir", "-p", dir}));
  const auto real = runCommand({"sh", "-c", "command -v iptables-nft-save"});
  ASSERT_EQ(real.exitCode, 0) << "iptables-nft-save not on PATH";
  const std::string realPath = real.out.substr(0, real.out.find('\n'));
  {
    std::ofstream shim(dir + "/iptables-nft-save");
    shim << "#!/bin/sh\necho run >> " << log << "\nexec " << realPath << " \"$@\"\n";
  }
  ASSERT_TRUE(run({"chmod", "+x", dir + "/iptables-nft-save"}));
  ::setenv("PATH", (dir + ":" + path).c_str(), 1);
  auto runs = [&] {
    std::ifstream in(log);
    return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
  };
  KernelDatapathReader reader;
  ReadOptions iptablesOnly;
  iptablesOnly.netlink = false;
  iptablesOnly.ipsets = false;
  iptablesOnly.sysctls = false;
  iptablesOnly.wireguard = false;
  auto hashOf = [&](const std::string& name) {
    auto snap = reader.readNetns(NetnsRef::named(name), iptablesOnly);
    EXPECT_TRUE(snap && snap->iptables) << name;
    return snap && snap->iptables ? snap->iptables->saves.at(0).rawHash : 0;
  };
  const auto mine = hashOf(ns_);
  const auto theirs = hashOf(other);
  EXPECT_NE(mine, theirs);  // different rulesets, so no mix-up between the namespaces
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(hashOf(ns_), mine);
    EXPECT_EQ(hashOf(other), theirs);
  }
  EXPECT_EQ(runs(), 2) << "one save per namespace, then reused";
  ASSERT_TRUE(run({"ip", "netns", "exec", other, "iptables-nft", "-t", "mangle", "-A", "PREROUTING",
                   "-j", "ACCEPT"}));
  EXPECT_NE(hashOf(other), theirs);  // a changed ruleset is saved again
  EXPECT_EQ(hashOf(ns_), mine);
  EXPECT_EQ(runs(), 3);
}

TEST_F(KernelReader, SysctlsOfTheNamespace) {
  const auto snap = readAll();
  ASSERT_TRUE(snap.sysctls) << snap.sysctls.error().message;
  EXPECT_EQ(snap.sysctls->ipForward, 1);
  EXPECT_EQ(snap.sysctls->rpFilter.at("egress.vxlan"), 2);
  EXPECT_EQ(snap.sysctls->rpFilter.at("edt1"), 1);
  EXPECT_TRUE(snap.sysctls->rpFilterAll.has_value());
  EXPECT_TRUE(snap.sysctls->rpFilter.contains("lo"));
  EXPECT_FALSE(snap.sysctls->rpFilter.contains("all"));
}

TEST_F(KernelReader, WireguardKernelModuleMissingIsAFinding) {
  auto genl = NetnsExecutor(NetnsRef::named(ns_)).run([] { return readWireguardGenl("nope0"); });
  ASSERT_TRUE(genl);
  ASSERT_FALSE(*genl);
  const auto snap = readAll();
  if (genl->error().code == ErrorCode::Unavailable) {
    // No wireguard module on this kernel (the CI kernel has none): the part says so.
    ASSERT_FALSE(snap.wireguard);
    EXPECT_EQ(snap.wireguard.error().code, ErrorCode::Unavailable);
    EXPECT_NE(snap.wireguard.error().message.find("WireGuard unavailable"), std::string::npos)
        << snap.wireguard.error().message;
  } else {
    // With the module: no device here is an empty list, the missing name is NotFound.
    EXPECT_EQ(genl->error().code, ErrorCode::NotFound) << genl->error().message;
    ASSERT_TRUE(snap.wireguard) << snap.wireguard.error().message;
    EXPECT_TRUE(snap.wireguard->empty());
  }
  // Everything else stayed usable.
  EXPECT_TRUE(snap.links);
  EXPECT_TRUE(snap.ipsets);
}

TEST_F(KernelReader, WireguardGoThroughUapi) {
  const std::string ifname = "edw" + std::to_string(::getpid() % 1000000);
  const std::string sock = std::string(kWireguardUapiDir) + "/" + ifname + ".sock";
  wgPid_ = ::fork();
  ASSERT_GE(wgPid_, 0);
  if (wgPid_ == 0) {
    ::execlp("ip", "ip", "netns", "exec", ns_.c_str(), "wireguard-go", "-f", ifname.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  for (int i = 0; i < 100 && !std::filesystem::exists(sock); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(std::filesystem::exists(sock)) << "wireguard-go did not create " << sock;
  const auto key = runCommand({"wg", "genkey"});
  ASSERT_EQ(key.exitCode, 0);
  const auto pub = runCommand({"wg", "pubkey"}, key.out);
  const auto peerPub = runCommand({"wg", "pubkey"}, runCommand({"wg", "genkey"}).out);
  const std::string keyFile = "/tmp/" + ifname + ".key";
  std::ofstream(keyFile) << key.out;
  const bool configured = run({"ip", "netns", "exec", ns_, "wg", "set", ifname, "private-key",
                               keyFile, "listen-port", "51820", "peer", peerPub.out.substr(0, 44),
                               "allowed-ips", "10.244.0.20/32", "endpoint", "10.77.0.2:6000"});
  std::filesystem::remove(keyFile);
  ASSERT_TRUE(configured);

  const auto snap = readAll();
  ASSERT_TRUE(snap.wireguard) << snap.wireguard.error().message;
  ASSERT_EQ(snap.wireguard->size(), 1u);
  const auto& dev = snap.wireguard->front();
  EXPECT_EQ(dev.name, ifname);
  EXPECT_EQ(dev.source, WireguardSource::Uapi);
  EXPECT_EQ(dev.publicKey, pub.out.substr(0, 44));
  EXPECT_EQ(dev.listenPort, 51820);
  ASSERT_EQ(dev.peers.size(), 1u);
  EXPECT_EQ(dev.peers[0].publicKey, peerPub.out.substr(0, 44));
  EXPECT_EQ(dev.peers[0].endpoint, "10.77.0.2:6000");
  EXPECT_EQ(dev.peers[0].allowedIps, std::vector<std::string>{"10.244.0.20/32"});
  EXPECT_EQ(dev.peers[0].lastHandshakeSec, 0);

  // `wg show` of the same device, parsed, agrees with the UAPI reading.
  const auto show = runCommand({"ip", "netns", "exec", ns_, "wg", "show", ifname});
  ASSERT_EQ(show.exitCode, 0) << show.err;
  auto parsed = parseWgShow(show.out, 0);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ(parsed->front().publicKey, dev.publicKey);
  EXPECT_EQ(parsed->front().listenPort, dev.listenPort);
  EXPECT_EQ(parsed->front().peers.at(0).allowedIps, dev.peers[0].allowedIps);

  // A wireguard-go socket of another namespace is not reported here.
  KernelDatapathReader reader;
  auto host = reader.readNetns(NetnsRef::host(), ReadOptions{});
  ASSERT_TRUE(host);
  if (host->wireguard) {
    EXPECT_EQ(findIf(*host->wireguard, [&](const WireguardDevice& d) { return d.name == ifname; }),
              nullptr);
  }
}

TEST_F(KernelReader, HttpGetInsideTheNamespace) {
  // A listener created on a thread inside the namespace belongs to its loopback only.
  auto listener = NetnsExecutor(NetnsRef::named(ns_)).run([]() -> std::pair<int, int> {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(fd, 1) != 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return {-1, 0};
    }
    return {fd, ntohs(addr.sin_port)};
  });
  ASSERT_TRUE(listener);
  const auto [fd, port] = *listener;
  ASSERT_GE(fd, 0);
  std::string request;
  std::thread server([fd = fd, &request] {
    const int c = ::accept(fd, nullptr, nullptr);
    if (c < 0) {
      return;
    }
    char buf[2048];
    const auto n = ::recv(c, buf, sizeof buf, 0);
    request.assign(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    const std::string_view reply = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nhealthy";
    (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(c);
  });
  KernelDatapathReader reader;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/gw/0b6f-uid";
  auto got = reader.httpGet(NetnsRef::named(ns_), url, std::chrono::milliseconds(3000));
  server.join();
  ::close(fd);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "healthy");
  EXPECT_EQ(got->url, url);
  EXPECT_TRUE(request.starts_with("GET /gw/0b6f-uid HTTP/1.1\r\n")) << request;
}

TEST_F(KernelReader, NamespacesByNameAndPodIp) {
  KernelDatapathReader reader;
  auto names = reader.listNetns();
  ASSERT_TRUE(names) << names.error().message;
  EXPECT_NE(std::ranges::find(*names, ns_), names->end());
  auto found = reader.findNetnsByIp("10.77.0.2");
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(*found, ns_);
  auto none = reader.findNetnsByIp("203.0.113.77");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::NotFound);
  auto absent = reader.readNetns(NetnsRef::named(ns_ + "-absent"), ReadOptions{});
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().code, ErrorCode::NotFound);
  EXPECT_FALSE(reader.readNetns(NetnsRef::named("../etc"), ReadOptions{}));
}

TEST_F(KernelReader, WholeNodeSnapshot) {
  KernelDatapathReader reader;
  NodeReadOptions opts;
  opts.netns = {ns_, ns_ + "-absent"};
  opts.host.iptables = false;
  const auto node = readNode(reader, opts);
  ASSERT_TRUE(node.namedNetns);
  EXPECT_NE(std::ranges::find(*node.namedNetns, ns_), node.namedNetns->end());
  ASSERT_TRUE(node.netns.contains(ns_));
  const auto& mine = node.netns.at(ns_);
  EXPECT_EQ(mine.ref, NetnsRef::named(ns_));
  ASSERT_TRUE(mine.rules);
  EXPECT_TRUE(findIf(*mine.rules, [](const Rule& r) { return r.priority == 99; }));
  ASSERT_TRUE(node.netns.contains(ns_ + "-absent"));
  const auto& absent = node.netns.at(ns_ + "-absent");
  ASSERT_FALSE(absent.links);
  EXPECT_EQ(absent.links.error().code, ErrorCode::NotFound);
  ASSERT_FALSE(node.host.iptables);
  EXPECT_EQ(node.host.iptables.error().message, "not read");
  EXPECT_TRUE(node.host.links);
  EXPECT_FALSE(node.timings.empty());
  EXPECT_FALSE(mine.timings.empty());
}

// Capability-missing paths, for real: the readers run in a child whose capabilities setpriv
// removed, and must answer PermissionDenied naming the capability.
TEST_F(KernelReader, WithoutNetAdminIpsetAndIptablesAreUnknown) {
  const auto r = runCommand({"ip", "netns", "exec", ns_, "setpriv", "--inh-caps=-all",
                             "--bounding-set=-net_admin", EDT_CAP_PROBE, "parts"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("links ok"), std::string::npos) << r.out;  // dumps need no capability
  EXPECT_NE(r.out.find("ipsets PermissionDenied"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("iptables PermissionDenied"), std::string::npos) << r.out;
  const auto lines = std::ranges::count(r.out, '\n');
  EXPECT_EQ(lines, 4) << r.out;
  for (const auto* part : {"ipsets PermissionDenied", "iptables PermissionDenied"}) {
    const auto at = r.out.find(part);
    ASSERT_NE(at, std::string::npos) << r.out;
    const auto line = r.out.substr(at, r.out.find('\n', at) - at);
    EXPECT_NE(line.find("CAP_NET_ADMIN"), std::string::npos) << line;
  }
}

TEST_F(KernelReader, WithoutSysAdminTheNamespaceCannotBeEntered) {
  const auto r = runCommand(
      {"setpriv", "--inh-caps=-all", "--bounding-set=-sys_admin", EDT_CAP_PROBE, "enter", ns_});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.out.find("enter PermissionDenied"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("CAP_SYS_ADMIN"), std::string::npos) << r.out;
  // With the capability the same probe enters it.
  const auto ok = runCommand({EDT_CAP_PROBE, "enter", ns_});
  EXPECT_EQ(ok.out, "enter ok\n");
}

}  // namespace
}  // namespace egressdiag::datapath
