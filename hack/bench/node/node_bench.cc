// Benchmark of issue 5: our snapshot + spidernet checks of one large synthetic node, against
// the seed runbook's commands (runbook.sh). Run by hand through run.sh, never in ctest.
//
//   node_bench gen DIR            writes the node (iptables.rules, ipset.restore, ip.batch) and
//                                 what the runbook greps for (*.expect)
//   node_bench run NETNS N [cold] N x (readNetns + spidernet::checkAll); prints the figures.
//                                 `cold` bumps the namespace's nftables generation before each
//                                 pass (outside the timed window), so no pass reuses the
//                                 previous iptables-nft-save output (iptables_reader.h)
//
// One generator feeds both the kernel and the expectation, so the checks compare the node
// against what it really holds (the findings are printed: a drifted generator shows as Fail).

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "node-probe/checks/spidernet_checks.h"
#include "node-probe/checks/spidernet_expect.h"
#include "node-probe/checks/spidernet_naming.h"
#include "node-probe/datapath/reader.h"

namespace egressdiag::bench {
namespace {

namespace spn = checks::spidernet;

// Issue 5's node: 5,000 iptables rules, 200 ipsets x 500 members, 10,000 routes in 500 tables,
// 500 fwmark rules.
constexpr int kPeers = 500;          // one fwmark rule + one route table each
constexpr int kRoutesPerTable = 20;  // default + 19 prefixes
constexpr int kPolicies = 100;       // one src + one dst set each
constexpr int kMembers = 500;
constexpr int kIptablesRules = 5000;
constexpr std::string_view kHookComment = "Checking for EgressPolicy matched traffic";

std::string ip4(int a, int b, int c, int d) {
  return std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c) + "." +
         std::to_string(d);
}

// A deterministic spread of distinct marks inside the agent's 0x26xxxxxx range.
std::uint32_t peerMark(int i) {
  return spn::kBaseMark | ((static_cast<std::uint32_t>(i) + 1) * 7919U & 0xffffffU);
}

std::string hookHash() {
  return "egw:" +
         spn::ruleHashes(
             "PREROUTING",
             {spn::AgentRule{{std::string(kHookComment)}, "", "--jump EGRESSGATEWAY-MARK-REQUEST"}})
             .front();
}

// The expectation of node "bench-node": peers, hook rule and policies with their sets and
// mark rules, in the form the spidernet checks take.
spn::Expectation expectation() {
  spn::Expectation e;
  e.node = "bench-node";
  e.gatewayExists = true;
  for (int i = 0; i < kPeers; ++i) {
    e.peers.push_back(spn::Peer{"peer-" + std::to_string(1000 + i), peerMark(i),
                                ip4(10, 200, 1 + i / 250, 2 + i % 250),
                                spn::tunnelMac("peer-" + std::to_string(1000 + i)),
                                ip4(192, 168, 1 + i / 250, 2 + i % 250)});
  }
  e.hookRules.push_back(checks::ExpectedRule{"mangle", "PREROUTING", std::string(kHookComment),
                                             hookHash(), "-j EGRESSGATEWAY-MARK-REQUEST"});
  for (int i = 0; i < kPolicies; ++i) {
    spn::PolicyExpectation p;
    p.hashName = "default-p" + std::to_string(i);
    p.target = "default/p" + std::to_string(i);
    p.srcSet = spn::ipsetName("egress-src-v4-", p.hashName);
    p.dstSet = spn::ipsetName("egress-dst-v4-", p.hashName);
    std::vector<std::string> src;
    std::vector<std::string> dst;
    for (int j = 0; j < kMembers; ++j) {
      src.push_back(ip4(10, 100 + i, j / 250, 1 + j % 250));
      dst.push_back(ip4(100, i, j / 2, (j % 2) * 128) + "/25");
    }
    std::sort(src.begin(), src.end());
    std::sort(dst.begin(), dst.end());
    p.srcMembers = std::move(src);
    p.dstMembers = std::move(dst);
    const spn::Peer& gw = e.peers[static_cast<std::size_t>(i)];
    p.eipNode = gw.node;
    p.eip = ip4(172, 31, 0, 1 + i);
    p.markRule = checks::ExpectedRule{
        "mangle", "EGRESSGATEWAY-MARK-REQUEST", "Set mark for EgressPolicy " + p.hashName, "",
        "-m set --match-set " + p.srcSet + " src -m set --match-set " + p.dstSet +
            " dst -m conntrack --ctdir ORIGINAL -j MARK --set-xmark " + spn::hexMark(gw.mark) +
            "/0xffffffff"};
    e.policies.push_back(std::move(p));
  }
  return e;
}

// The save-form line of an expected rule with its comments where iptables-save prints them
// (before the jump). Every rule the generator renders has a "-j" action.
std::string saveLine(const checks::ExpectedRule& r) {
  std::string comments;
  if (!r.hash.empty()) {
    comments += " -m comment --comment \"" + r.hash + "\"";
  }
  if (!r.comment.empty()) {
    comments += " -m comment --comment \"" + r.comment + "\"";
  }
  const std::size_t jump = r.args.find("-j ");
  return "-A " + r.chain + (jump == 0 ? "" : " " + r.args.substr(0, jump - 1)) + comments + " " +
         r.args.substr(jump);
}

bool writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

int generate(const std::string& dir) {
  const spn::Expectation e = expectation();
  // iptables: the agent's hook + mark rules, then foreign kube-proxy/calico-like rules.
  std::string mangle = "*mangle\n:PREROUTING ACCEPT [0:0]\n:EGRESSGATEWAY-MARK-REQUEST - [0:0]\n";
  std::string rulesExpect;
  int count = 0;
  for (const checks::ExpectedRule& r : e.hookRules) {
    mangle += saveLine(r) + "\n";
    rulesExpect += saveLine(r) + "\n";
    ++count;
  }
  for (const spn::PolicyExpectation& p : e.policies) {
    mangle += saveLine(*p.markRule) + "\n";
    rulesExpect += saveLine(*p.markRule) + "\n";
    ++count;
  }
  std::string nat =
      "*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n"
      ":EGRESSGATEWAY-SNAT-EIP - [0:0]\n-A PREROUTING -j KUBE-SERVICES\n";
  std::string filter =
      "*filter\n:FORWARD ACCEPT [0:0]\n:cali-fw-bench - [0:0]\n"
      "-A FORWARD -j cali-fw-bench\n";
  count += 2;
  for (int k = 0; count < kIptablesRules; ++k, ++count) {
    if (k % 2 == 0) {
      nat += "-A KUBE-SERVICES -d " + ip4(10, 96, k / 250, 1 + k % 250) +
             "/32 -p tcp -m comment --comment \"default/svc-" + std::to_string(k) +
             ":http cluster IP\" -m tcp --dport 80 -j RETURN\n";
    } else {
      filter += "-A cali-fw-bench -s " + ip4(10, 244, k / 250, 1 + k % 250) +
                "/32 -p tcp -m tcp --dport " + std::to_string(1024 + k) + " -j ACCEPT\n";
    }
  }
  const std::string iptables = mangle + "COMMIT\n" + nat + "COMMIT\n" + filter + "COMMIT\n";

  std::string ipset;
  std::vector<std::string> lines;  // "set member", byte-sorted like LC_ALL=C sort
  for (const spn::PolicyExpectation& p : e.policies) {
    for (const auto& [name, members] :
         {std::pair{p.srcSet, p.srcMembers}, std::pair{p.dstSet, p.dstMembers}}) {
      ipset += "create " + name + " hash:net family inet hashsize 1024 maxelem 65536\n";
      for (const std::string& m : members) {
        ipset += "add " + name + " " + m + "\n";
        lines.push_back(name + " " + m);
      }
    }
  }

  // Routes and rules as the agent programs them per peer (table = mark), plus prefixes.
  std::string batch;
  std::string ruleExpect;
  std::string routeExpect;
  for (std::size_t i = 0; i < e.peers.size(); ++i) {
    const spn::Peer& p = e.peers[i];
    const std::string table = std::to_string(p.mark);
    batch += "rule add priority 99 fwmark " + spn::hexMark(p.mark) + " table " + table + "\n";
    ruleExpect += "99:\tfrom all fwmark " + spn::hexMark(p.mark) + " lookup " + table + "\n";
    batch += "route add default via " + p.tunnelIPv4 + " dev egress.vxlan table " + table + "\n";
    routeExpect += "default via " + p.tunnelIPv4 + " dev egress.vxlan table " + table + "\n";
    for (int k = 1; k < kRoutesPerTable; ++k) {
      batch += "route add " +
               ip4(100 + static_cast<int>(i) % 100, k, static_cast<int>(i) / 100, 0) + "/24 via " +
               p.tunnelIPv4 + " dev egress.vxlan table " + table + "\n";
    }
  }
  std::sort(lines.begin(), lines.end());
  std::string ipsetExpect;
  for (const std::string& m : lines) {
    ipsetExpect += m + "\n";
  }
  const bool written =
      writeFile(dir + "/iptables.rules", iptables) && writeFile(dir + "/ipset.restore", ipset) &&
      writeFile(dir + "/ip.batch", batch) && writeFile(dir + "/rules.expect", rulesExpect) &&
      writeFile(dir + "/ipset.expect", ipsetExpect) &&
      writeFile(dir + "/iprule.expect", ruleExpect) &&
      writeFile(dir + "/route.expect", routeExpect);
  if (!written) {
    std::cerr << "node_bench: cannot write the node files into " << dir << "\n";
    return 1;
  }
  return 0;
}

struct Usage {
  double cpuSelf = 0;      // seconds, every thread of this process (incl. the netns thread)
  double cpuChildren = 0;  // seconds, waited-for children (iptables-save)
  long maxRssChildKib = 0;
};

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6;
}

Usage usageNow() {
  rusage self{};
  rusage children{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  return {seconds(self.ru_utime) + seconds(self.ru_stime),
          seconds(children.ru_utime) + seconds(children.ru_stime), children.ru_maxrss};
}

// VmHWM of this process in KiB (0 when /proc is unreadable).
long vmHwmKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      return std::stol(line.substr(6));
    }
  }
  return 0;
}

// Nearest-rank percentile of an unsorted sample.
double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p * v.size())));
  return v[std::min(rank, v.size()) - 1];
}

// Each check family alone (after the timed pass): where the evaluation time goes.
void timeChecks(const spn::Expectation& e, const datapath::NetnsSnapshot& s,
                std::map<std::string, std::vector<double>>& parts) {
  using Check =
      std::vector<catalog::Finding> (*)(const spn::Expectation&, const datapath::NetnsSnapshot&);
  const std::pair<const char*, Check> checks[] = {
      {"check:hookOrder", spn::checkHookOrder}, {"check:ipsetSrc", spn::checkIpsetSrc},
      {"check:ipsetDst", spn::checkIpsetDst},   {"check:markRule", spn::checkMarkRule},
      {"check:snatRule", spn::checkSnatRule},   {"check:replyRouting", spn::checkReplyRouting},
      {"check:ipRule", spn::checkIpRule},       {"check:route", spn::checkRoute},
      {"check:vxlan", spn::checkVxlan},         {"check:neigh", spn::checkNeigh},
      {"check:rpFilter", spn::checkRpFilter},   {"check:routeGet", spn::checkRouteGet}};
  for (const auto& [name, check] : checks) {
    const auto start = std::chrono::steady_clock::now();
    static_cast<void>(check(e, s));
    parts[name].push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
}

int run(const std::string& netns, int iterations, bool cold) {
  // Two nftables transactions in the namespace (a chain added to mangle, then removed): a new
  // generation, the ruleset as before.
  const std::string bump = "ip netns exec " + netns +
                           " sh -c 'iptables-nft -t mangle -N EDB-BENCH-BUMP && "
                           "iptables-nft -t mangle -X EDB-BENCH-BUMP'";
  const spn::Expectation e = expectation();
  datapath::KernelDatapathReader reader;
  datapath::ReadOptions options;  // every part, IPv4 iptables (what the runbook reads)
  std::vector<double> wall;
  std::vector<double> cpu;
  std::vector<double> snapshotWall;
  std::map<std::string, int> statusCounts;
  std::map<std::string, std::vector<double>> parts;  // reader part -> seconds, plus "checks"
  for (int i = 0; i < iterations; ++i) {
    if (cold && std::system(bump.c_str()) != 0) {
      std::cerr << "node_bench: cannot bump the nftables generation: " << bump << "\n";
      return 1;
    }
    const Usage before = usageNow();
    const auto start = std::chrono::steady_clock::now();
    auto snapshot = reader.readNetns(datapath::NetnsRef::named(netns), options);
    if (!snapshot) {
      std::cerr << "node_bench: " << snapshot.error().message << "\n";
      return 1;
    }
    const auto read = std::chrono::steady_clock::now();
    std::vector<catalog::Finding> findings = spn::checkAll(e, *snapshot);
    const auto end = std::chrono::steady_clock::now();
    const Usage after = usageNow();
    wall.push_back(std::chrono::duration<double>(end - start).count());
    snapshotWall.push_back(std::chrono::duration<double>(read - start).count());
    cpu.push_back(after.cpuSelf - before.cpuSelf + after.cpuChildren - before.cpuChildren);
    for (const datapath::PartTiming& t : snapshot->timings) {
      parts[t.part].push_back(t.seconds);
    }
    parts["checks"].push_back(std::chrono::duration<double>(end - read).count());
    if (i == 0) {
      for (const catalog::Finding& f : findings) {
        ++statusCounts[std::string(catalog::toString(f.status)) + "/" + f.reason];
      }
      std::cerr << "snapshot: routes=" << (snapshot->routes ? snapshot->routes->size() : 0)
                << " rules=" << (snapshot->rules ? snapshot->rules->size() : 0)
                << " ipsets=" << (snapshot->ipsets ? snapshot->ipsets->size() : 0) << "\n";
    }
    // The per-check timing is instrumentation, not part of a pass: the pass's findings are gone
    // by then, so it does not add to the peak RSS of the pass.
    findings = {};
    timeChecks(e, *snapshot, parts);
  }
  for (const auto& [key, n] : statusCounts) {
    std::cerr << "findings " << key << ": " << n << "\n";
  }
  for (const auto& [part, v] : parts) {
    std::cerr << "part " << part << " p50_ms=" << percentile(v, 0.5) * 1e3 << "\n";
  }
  const Usage total = usageNow();
  std::printf(
      "ours wall_p50_ms=%.1f wall_p99_ms=%.1f cpu_p50_ms=%.1f cpu_p99_ms=%.1f "
      "snapshot_p50_ms=%.1f first_wall_ms=%.1f first_cpu_ms=%.1f peak_rss_kib=%ld "
      "child_peak_rss_kib=%ld\n",
      percentile(wall, 0.5) * 1e3, percentile(wall, 0.99) * 1e3, percentile(cpu, 0.5) * 1e3,
      percentile(cpu, 0.99) * 1e3, percentile(snapshotWall, 0.5) * 1e3, wall.front() * 1e3,
      cpu.front() * 1e3, vmHwmKib(), total.maxRssChildKib);
  return 0;
}

}  // namespace
}  // namespace egressdiag::bench

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 2 && args[0] == "gen") {
    return egressdiag::bench::generate(args[1]);
  }
  const bool cold = args.size() == 4 && args[3] == "cold";
  if ((args.size() == 3 || cold) && args[0] == "run") {
    const int n = std::atoi(args[2].c_str());
    if (n > 0) {
      return egressdiag::bench::run(args[1], n, cold);
    }
  }
  std::cerr << "usage: node_bench gen DIR | node_bench run NETNS ITERATIONS [cold]\n";
  return 2;
}
