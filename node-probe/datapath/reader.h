#pragma once

// The datapath reader interface: the only way the probe reads the kernel. Checks take the
// values it returns (snapshot.h); tests of checks feed values, not a kernel.
//
//   KernelDatapathReader reader;
//   NodeReadOptions options;
//   options.netns = {"ns-static-egress-gateway"};
//   NodeSnapshot node = readNode(reader, options);
//   if (!node.host.rules) { /* Unknown: node.host.rules.error().message */ }

#include <chrono>
#include <string>
#include <vector>

#include "node-probe/datapath/netns.h"
#include "node-probe/datapath/process.h"
#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

// Which parts of a namespace to read. Parts left out hold Unavailable "not read".
struct ReadOptions {
  bool netlink = true;  // links, addresses, routes, rules, neighbours, FDB
  bool ipsets = true;
  bool iptables = true;
  bool ip6tables = false;
  bool sysctls = true;
  bool wireguard = true;
  std::chrono::milliseconds commandTimeout{10000};  // each iptables-save run
  std::string wireguardUapiDir = "/var/run/wireguard";
};

class DatapathReader {
 public:
  virtual ~DatapathReader() = default;

  // Reads every requested part inside `ns` (a named/path namespace is entered on a dedicated
  // thread). Fails only when the namespace cannot be entered: NotFound, or PermissionDenied
  // naming CAP_SYS_ADMIN. Each part's own failure stays in that part.
  virtual Result<NetnsSnapshot> readNetns(const NetnsRef& ns, const ReadOptions& options) = 0;

  // Names under /var/run/netns, sorted (empty when the directory is absent).
  virtual Result<std::vector<std::string>> listNetns() = 0;

  // The named namespace holding an interface with `ip` (a pod's namespace). NotFound when none.
  virtual Result<std::string> findNetnsByIp(const std::string& ip) = 0;

  // The CNI configuration directory (files sorted, the first parsed).
  virtual Result<CniConfDir> readCniConfDir() = 0;

  // HTTP GET of `url` from `ns` (IP literals only).
  virtual Result<HttpProbeResult> httpGet(const NetnsRef& ns, const std::string& url,
                                          std::chrono::milliseconds timeout) = 0;

  // Runs a helper command (ping) inside `ns`, as runProcess() does; fails like runProcess or
  // like readNetns when the namespace cannot be entered.
  virtual Result<ProcessOutput> runCommand(const NetnsRef& ns,
                                           const std::vector<std::string>& argv,
                                           std::chrono::milliseconds timeout) = 0;

  // ARP probe of `ip` from `ns` (arp_probe.h); fails like arpProbe() or like readNetns.
  virtual Result<ArpProbeResult> arpProbe(const NetnsRef& ns, const std::string& ip,
                                          std::chrono::milliseconds timeout) = 0;
};

// The real kernel. Directories are parameters so tests can point them at scratch paths.
class KernelDatapathReader final : public DatapathReader {
 public:
  struct Paths {
    // The node's own network namespace when the probe does not run in it (a lab node, a
    // debugging session): every Host read enters this nsfs path. Empty: the probe's own.
    std::string hostNetns;
    std::string netnsDir = "/var/run/netns";
    std::string cniConfDir = "/etc/cni/net.d";
    std::string procSysNet = "/proc/sys/net";
  };
  KernelDatapathReader() = default;
  explicit KernelDatapathReader(Paths paths) : paths_(std::move(paths)) {}

  Result<NetnsSnapshot> readNetns(const NetnsRef& ns, const ReadOptions& options) override;
  Result<std::vector<std::string>> listNetns() override;
  Result<std::string> findNetnsByIp(const std::string& ip) override;
  Result<CniConfDir> readCniConfDir() override;
  Result<HttpProbeResult> httpGet(const NetnsRef& ns, const std::string& url,
                                  std::chrono::milliseconds timeout) override;
  Result<ProcessOutput> runCommand(const NetnsRef& ns, const std::vector<std::string>& argv,
                                   std::chrono::milliseconds timeout) override;
  Result<ArpProbeResult> arpProbe(const NetnsRef& ns, const std::string& ip,
                                  std::chrono::milliseconds timeout) override;

  // The executor for `ns` (Host maps to Paths::hostNetns when that is set), for callers that
  // open sockets inside a namespace (netlink event subscriptions).
  NetnsExecutor executorFor(const NetnsRef& ns) const;

 private:

  Paths paths_;
};

// Reads the parts of `ns` in the calling thread's namespace: the body of readNetns, exposed so
// a caller already inside a namespace thread can use it directly. Never fails as a whole.
NetnsSnapshot readCurrentNetns(const NetnsRef& ns, const ReadOptions& options,
                               const std::string& procSysNet = "/proc/sys/net");

struct NodeReadOptions {
  ReadOptions host;                // parts of the host namespace
  std::vector<std::string> netns;  // named namespaces to read as well
  ReadOptions named;               // parts of each named namespace
  bool cni = true;
};

// A whole-node snapshot: host namespace, the named namespace list, the requested named
// namespaces and the CNI directory, with timings. Never fails as a whole: when a named
// namespace cannot be entered, every part of its snapshot holds that error.
NodeSnapshot readNode(DatapathReader& reader, const NodeReadOptions& options);

}  // namespace egressdiag::datapath
