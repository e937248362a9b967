#pragma once

// Plain value types of a node's datapath snapshot. Readers (reader.h) fill them from the kernel;
// the pure parsers fill them from text; checks consume them and never touch the kernel.
// Stability: this header only grows (new fields, new types); existing fields keep their meaning.
// One type changed: IpsetSet::members became IpsetMembers (same members, same order, IPv4 ones
// held as numbers), because 100,000 member strings were most of a large node's snapshot.
//
// String conventions (match what `ip`, `ipset` and `iptables-save` print, so evidence reads like
// the runbook):
// - IP addresses: canonical inet_ntop form ("10.0.0.1", "fe80::1").
// - Prefixes: "addr/len" always with the length ("10.0.0.5/32"), except route destinations of
//   length 0 which are "default".
// - MAC addresses: lower-case "aa:bb:cc:dd:ee:ff".
// - Marks, masks, tables: numbers, never strings.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "node-probe/datapath/ipset_members.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

enum class IpFamily : std::uint8_t { V4, V6 };

// Which network namespace a reading concerns.
struct NetnsRef {
  enum class Kind : std::uint8_t {
    Host,   // the probe's own (host) namespace: no setns
    Named,  // /var/run/netns/<name>
    Path,   // any nsfs path, e.g. /proc/<pid>/ns/net
  };
  Kind kind = Kind::Host;
  std::string name;  // Named: the name; Path: the path; Host: empty

  static NetnsRef host() { return {Kind::Host, {}}; }
  static NetnsRef named(std::string n) { return {Kind::Named, std::move(n)}; }
  static NetnsRef path(std::string p) { return {Kind::Path, std::move(p)}; }
  // "host", "netns ns-static-egress-gateway", "netns /proc/42/ns/net"
  std::string describe() const {
    return kind == Kind::Host ? std::string("host") : "netns " + name;
  }
  bool operator==(const NetnsRef&) const = default;
};

// ---- links, addresses, routes, rules, neighbours, FDB (rtnetlink) ----------------------------

struct VxlanInfo {
  std::uint32_t vni = 0;
  std::uint16_t port = 0;  // UDP destination port (IFLA_VXLAN_PORT), host order
  std::string local;       // IFLA_VXLAN_LOCAL(6); empty when unset
  int parentIndex = 0;     // IFLA_VXLAN_LINK; 0 when unset
  std::string parentName;  // resolved from parentIndex in the same namespace; may be empty
  bool learning = false;
};

struct Link {
  int index = 0;
  std::string name;
  std::string kind;         // "veth", "vxlan", "wireguard", "bridge", ... ; empty for lo/physical
  std::uint32_t flags = 0;  // IFF_* bits (IFF_UP = 0x1, IFF_LOWER_UP = 0x10000)
  bool adminUp = false;     // IFF_UP
  std::string operState;    // as `ip link` prints: "UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", ...
  std::uint32_t mtu = 0;
  std::string alias;    // IFLA_IFALIAS; empty when unset
  std::string mac;      // empty for links without a link-layer address
  int masterIndex = 0;  // bridge/VRF master; 0 when none
  int linkIndex = 0;    // IFLA_LINK (veth peer, vlan parent); 0 when none
  std::optional<VxlanInfo> vxlan;
};

struct Address {
  int ifindex = 0;
  std::string ifname;
  IpFamily family = IpFamily::V4;
  std::string ip;  // address only, no prefix
  int prefixLen = 0;
  std::string label;  // IFA_LABEL (IPv4 only, e.g. "eth0:egress"); empty when unset
  std::string scope;  // "global", "link", "host", ...
};

struct NextHop {
  std::string gateway;    // empty when none; may be IPv6 for an IPv4 route (RTA_VIA)
  bool viaInet6 = false;  // gateway came from RTA_VIA with an IPv6 address
  int oifIndex = 0;
  std::string oifName;  // resolved in the same namespace; may be empty
};

struct Route {
  IpFamily family = IpFamily::V4;
  std::uint32_t table = 254;  // 254 main, 255 local, ...
  std::string dst;            // "default" or "addr/len"
  std::string gateway;        // first nexthop's gateway (see NextHop)
  bool viaInet6 = false;      // first nexthop's gateway is IPv6 on an IPv4 route
  std::string oifName;        // first nexthop's device
  int oifIndex = 0;
  std::string prefSrc;   // empty when unset
  std::string scope;     // "global" (RT_SCOPE_UNIVERSE), "link", "host", ...
  std::string protocol;  // "kernel", "boot", "static", ... or the number
  std::string type;      // "unicast", "local", "broadcast", "blackhole", "unreachable", ...
  std::uint32_t metric = 0;
  std::vector<NextHop> nexthops;  // all nexthops (one for ordinary routes)
};

struct Rule {
  IpFamily family = IpFamily::V4;
  std::uint32_t priority = 0;
  bool hasFwmark = false;
  std::uint32_t fwmark = 0;
  std::uint32_t fwmask = 0;  // 0xffffffff when `ip rule` shows no mask
  std::uint32_t table = 0;
  std::string action;   // "lookup", "goto", "nop", "blackhole", "unreachable", "prohibit"
  std::string src;      // "all" or "addr/len"
  std::string dst;      // "all" or "addr/len"
  std::string iif;      // empty when unset
  std::string oif;      // empty when unset
  bool invert = false;  // `not`
};

struct Neighbour {
  int ifindex = 0;
  std::string ifname;
  IpFamily family = IpFamily::V4;
  std::string ip;
  std::string lladdr;       // empty when incomplete
  std::uint16_t state = 0;  // NUD_* bits
  bool permanent = false;   // NUD_PERMANENT
  std::string stateName;    // "PERMANENT", "REACHABLE", "STALE", ...
};

struct FdbEntry {
  int ifindex = 0;
  std::string ifname;
  std::string mac;
  std::string dst;  // NDA_DST (vxlan remote); empty when none
  int masterIndex = 0;
  bool permanent = false;  // NUD_PERMANENT
  bool self = false;       // NTF_SELF: entry of the device itself (vxlan), not of a bridge
};

// ---- ipset ---------------------------------------------------------------------------------

struct IpsetSet {
  std::string name;
  std::string type;    // "hash:net", "hash:ip", ...
  std::string family;  // "inet" or "inet6" (from the create options; "inet" by default)
  // `create ...` line (save form; the kernel reader rebuilds it from the set's header) or the
  // header block (list form)
  std::string createLine;
  // Members, normalised as ipset prints them: IPv4 "/32" and IPv6 "/128" stripped, other
  // prefixes kept, extra per-member options (timeout, comment) dropped. Order as listed.
  // IPv4 members of the kernel reader's ip/net sets are held as numbers (ipset_members.h).
  IpsetMembers members;
};

// ---- iptables ------------------------------------------------------------------------------

struct IptablesChain {
  std::string name;
  std::string policy;         // "ACCEPT", "DROP" for built-in chains, "-" for user chains
  std::uint64_t packets = 0;  // from "[p:b]"
  std::uint64_t bytes = 0;
};

struct IptablesRule {
  std::string chain;
  std::uint32_t position = 0;         // 0-based index within its chain
  std::vector<std::string> args;      // argv after "-A CHAIN", shell-unquoted
  std::vector<std::string> comments;  // values of every `--comment`
  std::string target;                 // value of -j/--jump (or -g/--goto); empty when none
  bool isGoto = false;
  std::string raw;                       // the line as printed (evidence)
  std::optional<std::uint64_t> packets;  // from a "[p:b]" prefix (iptables-save -c)
  std::optional<std::uint64_t> bytes;
};

struct IptablesTable {
  std::string name;  // "filter", "nat", "mangle", "raw", "security"
  std::vector<IptablesChain> chains;
  std::vector<IptablesRule> rules;  // in file order (chain order is per-chain position)
};

struct IptablesDump {
  std::vector<IptablesTable> tables;
  // Tables for which the save printed "# Table `X' is incompatible, use 'nft' tool.": the rules
  // there are not visible to this backend (spidernet #1622).
  std::vector<std::string> incompatibleTables;
};

enum class IptablesBackend : std::uint8_t { Nft, Legacy };

// One `ip[6]tables-<backend>-save` run.
struct IptablesSave {
  IptablesBackend backend = IptablesBackend::Nft;
  IpFamily family = IpFamily::V4;
  std::string command;                         // e.g. "iptables-nft-save"
  Result<IptablesDump> dump = IptablesDump{};  // error: binary missing, EPERM, timeout, bad text
  std::string stderrText;     // whatever the tool printed on stderr (trimmed, bounded)
  std::uint64_t rawHash = 0;  // hash of stdout: the cheap change test used for polling
  std::size_t rawLines = 0;   // stdout line count (spidernet's tie-breaker for the backend)
  bool kubeMarkers = false;   // stdout has KUBE-IPTABLES or KUBE-KUBELET
  bool egressRules = false;   // stdout has EGRESSGATEWAY / EGRESS-GATEWAY / egw: rules
};

struct IptablesSnapshot {
  std::vector<IptablesSave> saves;  // each attempted (backend, family) in the order run
  // Backend judged active with spidernet's rule: KUBE-IPTABLES/KUBE-KUBELET in nft, else in
  // legacy, else more lines; empty when no save succeeded.
  std::optional<IptablesBackend> activeBackend;
  std::vector<IptablesBackend> egressRuleBackends;  // backends holding egress rules (any family)
  bool egressRulesSplit = false;                    // both backends hold egress rules
};

// ---- sysctls, WireGuard, CNI, HTTP -----------------------------------------------------------

struct Sysctls {
  std::optional<int> ipForward;         // net.ipv4.ip_forward
  std::optional<int> rpFilterAll;       // net.ipv4.conf.all.rp_filter
  std::optional<int> rpFilterDefault;   // net.ipv4.conf.default.rp_filter
  std::map<std::string, int> rpFilter;  // net.ipv4.conf.<ifname>.rp_filter per interface
};

struct WireguardPeer {
  std::string publicKey;                // base64
  std::string endpoint;                 // "ip:port" / "[ip6]:port"; empty when none
  std::vector<std::string> allowedIps;  // "addr/len"
  std::int64_t lastHandshakeSec = 0;    // unix seconds; 0 = never
  std::uint64_t rxBytes = 0;
  std::uint64_t txBytes = 0;
  std::uint16_t persistentKeepalive = 0;
};

enum class WireguardSource : std::uint8_t { Genl, Uapi, Text };

struct WireguardDevice {
  std::string name;
  std::string publicKey;  // base64; empty when the device has no private key
  std::uint16_t listenPort = 0;
  std::uint32_t fwmark = 0;
  std::vector<WireguardPeer> peers;
  WireguardSource source = WireguardSource::Genl;
};

struct CniConflist {
  std::string file;  // file name within the directory
  std::string name;  // "name" of the conflist
  std::string cniVersion;
  std::vector<std::string> pluginTypes;  // plugins[i].type in order (a .conf gives one)
};

struct CniConfDir {
  std::string dir;                            // e.g. /etc/cni/net.d
  std::vector<std::string> files;             // *.conflist, *.conf, *.json, sorted as libcni sorts
  Result<CniConflist> first = CniConflist{};  // the file that sorts first, parsed; error if none
};

struct HttpProbeResult {
  std::string url;
  int status = 0;      // HTTP status code
  std::string body;    // at most the first 4 KiB
  double seconds = 0;  // request latency
};

// One ARP probe for an IPv4 address on the interface whose subnet holds it (SPN-EIP-ARP).
struct ArpProbeResult {
  std::string target;    // the address asked for
  std::string ifname;    // where the requests went out
  std::string senderIp;  // the interface's address in the target's subnet
  int requests = 0;      // requests sent
  // Every distinct MAC that answered, in arrival order (lower case, colon-separated).
  std::vector<std::string> replyMacs;
  std::optional<double> firstReplySeconds;  // from the first request to the first reply
};

// ---- aggregates ----------------------------------------------------------------------------

struct PartTiming {
  std::string part;  // "links", "routes", "iptables", ...
  double seconds = 0;
};

// Everything read inside one network namespace. Each part is read independently: a failure
// (EPERM, missing binary, no kernel module) leaves the others usable and the error says why.
// Errors of class PermissionDenied name the missing capability (CAP_NET_ADMIN, CAP_SYS_ADMIN);
// checks turn any error into an Unknown finding carrying the message.
// Parts not requested (ReadOptions in reader.h) hold ErrorCode::Unavailable "not read".
struct NetnsSnapshot {
  NetnsRef ref;
  Result<std::vector<Link>> links = std::vector<Link>{};
  Result<std::vector<Address>> addresses = std::vector<Address>{};
  Result<std::vector<Route>> routes = std::vector<Route>{};  // every table, v4 and v6
  Result<std::vector<Rule>> rules = std::vector<Rule>{};     // v4 and v6 only
  Result<std::vector<Neighbour>> neighbours = std::vector<Neighbour>{};
  Result<std::vector<FdbEntry>> fdb = std::vector<FdbEntry>{};
  Result<std::vector<IpsetSet>> ipsets = std::vector<IpsetSet>{};
  // Fails as a whole when a save is refused (CAP_NET_ADMIN) or times out; see iptables_reader.h.
  Result<IptablesSnapshot> iptables = IptablesSnapshot{};
  Result<Sysctls> sysctls = Sysctls{};
  Result<std::vector<WireguardDevice>> wireguard = std::vector<WireguardDevice>{};
  std::vector<PartTiming> timings;
};

struct NodeSnapshot {
  std::chrono::system_clock::time_point takenAt;
  NetnsSnapshot host;
  Result<std::vector<std::string>> namedNetns = std::vector<std::string>{};  // /var/run/netns
  std::map<std::string, NetnsSnapshot> netns;  // named netns read on demand, by name
  Result<CniConfDir> cni = CniConfDir{};
  std::vector<PartTiming> timings;  // whole-snapshot parts ("host", "netns:<n>", ...)
};

}  // namespace egressdiag::datapath
