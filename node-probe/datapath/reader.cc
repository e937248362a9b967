#include "node-probe/datapath/reader.h"

#include <optional>
#include <thread>

#include "node-probe/datapath/arp_probe.h"
#include "node-probe/datapath/cni_reader.h"
#include "node-probe/datapath/http_probe.h"
#include "node-probe/datapath/ipset_reader.h"
#include "node-probe/datapath/iptables_reader.h"
#include "node-probe/datapath/netlink_reader.h"
#include "node-probe/datapath/netns.h"
#include "node-probe/datapath/sysctl_reader.h"
#include "node-probe/datapath/wireguard_reader.h"

namespace egressdiag::datapath {
namespace {

using Clock = std::chrono::steady_clock;

// Runs fn (returning a Result) inside the executor's namespace: fn's own result, or the
// executor's error when the namespace cannot be entered.
template <class F>
std::invoke_result_t<F&> runFlat(const NetnsExecutor& exec, F&& fn) {
  auto result = exec.run(std::forward<F>(fn));
  if (!result) {
    return std::unexpected(std::move(result.error()));
  }
  return std::move(*result);
}

// Runs fn, stores its result in `part` and its duration in `timings`.
template <class T, class Fn>
void timed(std::vector<PartTiming>& timings, const char* name, Result<T>& part, Fn&& fn) {
  const auto start = Clock::now();
  part = fn();
  timings.push_back({name, std::chrono::duration<double>(Clock::now() - start).count()});
}

Error notRead() {
  return Error{ErrorCode::Unavailable, "not read"};
}

// Sets every part of `snap` to `error`.
void failAllParts(NetnsSnapshot& snap, const Error& error) {
  snap.links = std::unexpected(error);
  snap.addresses = std::unexpected(error);
  snap.routes = std::unexpected(error);
  snap.rules = std::unexpected(error);
  snap.neighbours = std::unexpected(error);
  snap.fdb = std::unexpected(error);
  snap.ipsets = std::unexpected(error);
  snap.iptables = std::unexpected(error);
  snap.sysctls = std::unexpected(error);
  snap.wireguard = std::unexpected(error);
}

}  // namespace

NetnsSnapshot readCurrentNetns(const NetnsRef& ns, const ReadOptions& options,
                               const std::string& procSysNet) {
  NetnsSnapshot snap;
  snap.ref = ns;
  failAllParts(snap, notRead());
  auto& t = snap.timings;
  // iptables-save is a child process that mostly waits for the kernel; run it on a second
  // thread (created here, so it shares this thread's network namespace) while this one reads
  // netlink and ipsets. Its timing is added after the join, keeping the list in read order.
  std::optional<PartTiming> iptablesTiming;
  std::jthread iptablesThread;
  if (options.iptables) {
    iptablesThread = std::jthread([&] {
      IptablesReadOptions ipt;
      ipt.ipv6 = options.ip6tables;
      ipt.timeout = options.commandTimeout;
      const auto start = Clock::now();
      snap.iptables = readIptables(ipt);
      iptablesTiming =
          PartTiming{"iptables", std::chrono::duration<double>(Clock::now() - start).count()};
    });
  }
  if (options.netlink || options.wireguard) {
    auto reader = RtnlReader::open();
    if (!reader) {
      snap.links = std::unexpected(reader.error());
    } else {
      timed(t, "links", snap.links, [&] { return reader->links(); });
      if (options.netlink) {
        timed(t, "addresses", snap.addresses, [&] { return reader->addresses(); });
        timed(t, "routes", snap.routes, [&] { return reader->routes(); });
        timed(t, "rules", snap.rules, [&] { return reader->rules(); });
        timed(t, "neighbours", snap.neighbours, [&] { return reader->neighbours(); });
        timed(t, "fdb", snap.fdb, [&] { return reader->fdb(); });
      }
    }
    if (options.netlink && !reader) {
      snap.addresses = std::unexpected(reader.error());
      snap.routes = std::unexpected(reader.error());
      snap.rules = std::unexpected(reader.error());
      snap.neighbours = std::unexpected(reader.error());
      snap.fdb = std::unexpected(reader.error());
    }
  }
  if (options.ipsets) {
    timed(t, "ipsets", snap.ipsets, [] { return readIpsets(); });
  }
  if (iptablesThread.joinable()) {
    iptablesThread.join();
    t.push_back(*iptablesTiming);
  }
  if (options.sysctls) {
    timed(t, "sysctls", snap.sysctls, [&] { return readSysctls(procSysNet); });
  }
  if (options.wireguard) {
    timed(t, "wireguard", snap.wireguard, [&]() -> Result<std::vector<WireguardDevice>> {
      if (!snap.links) {
        return std::unexpected(snap.links.error());
      }
      return readWireguard(*snap.links, options.wireguardUapiDir);
    });
  }
  if (!options.netlink && options.wireguard && snap.links) {
    snap.links = std::unexpected(notRead());  // read only to find WireGuard devices
  }
  return snap;
}

NetnsExecutor KernelDatapathReader::executorFor(const NetnsRef& ns) const {
  if (ns.kind == NetnsRef::Kind::Host && !paths_.hostNetns.empty()) {
    return NetnsExecutor(NetnsRef::path(paths_.hostNetns), paths_.netnsDir);
  }
  return NetnsExecutor(ns, paths_.netnsDir);
}

Result<NetnsSnapshot> KernelDatapathReader::readNetns(const NetnsRef& ns,
                                                      const ReadOptions& options) {
  NetnsExecutor exec = executorFor(ns);
  return exec.run([&] { return readCurrentNetns(ns, options, paths_.procSysNet); });
}

Result<std::vector<std::string>> KernelDatapathReader::listNetns() {
  return listNamedNetns(paths_.netnsDir);
}

Result<std::string> KernelDatapathReader::findNetnsByIp(const std::string& ip) {
  return datapath::findNetnsByIp(ip, paths_.netnsDir);
}

Result<CniConfDir> KernelDatapathReader::readCniConfDir() {
  return datapath::readCniConfDir(paths_.cniConfDir);
}

Result<HttpProbeResult> KernelDatapathReader::httpGet(const NetnsRef& ns, const std::string& url,
                                                      std::chrono::milliseconds timeout) {
  return runFlat(executorFor(ns), [&] { return datapath::httpGet(url, timeout); });
}

Result<ProcessOutput> KernelDatapathReader::runCommand(const NetnsRef& ns,
                                                       const std::vector<std::string>& argv,
                                                       std::chrono::milliseconds timeout) {
  return runFlat(executorFor(ns), [&] { return runProcess(argv, timeout, 1 << 16); });
}

Result<ArpProbeResult> KernelDatapathReader::arpProbe(const NetnsRef& ns, const std::string& ip,
                                                      std::chrono::milliseconds timeout) {
  return runFlat(executorFor(ns), [&] { return datapath::arpProbe(ip, timeout); });
}

NodeSnapshot readNode(DatapathReader& reader, const NodeReadOptions& options) {
  NodeSnapshot node;
  node.takenAt = std::chrono::system_clock::now();
  auto& t = node.timings;
  auto start = Clock::now();
  auto host = reader.readNetns(NetnsRef::host(), options.host);
  if (host) {
    node.host = std::move(*host);
  } else {
    node.host.ref = NetnsRef::host();
    failAllParts(node.host, host.error());
  }
  t.push_back({"host", std::chrono::duration<double>(Clock::now() - start).count()});
  timed(t, "netns-list", node.namedNetns, [&] { return reader.listNetns(); });
  for (const auto& name : options.netns) {
    start = Clock::now();
    auto snap = reader.readNetns(NetnsRef::named(name), options.named);
    if (!snap) {
      NetnsSnapshot failed;
      failed.ref = NetnsRef::named(name);
      failAllParts(failed, snap.error());
      node.netns.insert_or_assign(name, std::move(failed));
    } else {
      node.netns.insert_or_assign(name, std::move(*snap));
    }
    t.push_back({"netns:" + name, std::chrono::duration<double>(Clock::now() - start).count()});
  }
  if (options.cni) {
    timed(t, "cni", node.cni, [&] { return reader.readCniConfDir(); });
  } else {
    node.cni = std::unexpected(notRead());
  }
  return node;
}

}  // namespace egressdiag::datapath
