#include "node-probe/datapath/netlink_reader.h"

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>
#include <netlink/route/neighbour.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>
#include <netlink/route/rule.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include "node-probe/datapath/text.h"

namespace egressdiag::datapath {
namespace {

std::string upper(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string scopeName(int scope) {
  if (scope == 0) {
    return "global";  // RT_SCOPE_UNIVERSE, as `ip` prints it
  }
  char buf[32];
  return rtnl_scope2str(scope, buf, sizeof buf);
}

std::optional<IpFamily> familyOf(int family) {
  if (family == AF_INET) {
    return IpFamily::V4;
  }
  if (family == AF_INET6) {
    return IpFamily::V6;
  }
  return std::nullopt;
}

// inet_ntop of `len` bytes of `family`; "" when the length does not fit the family.
std::string bytesIp(int family, const void* data, std::size_t len) {
  if ((family == AF_INET && len < 4) || (family == AF_INET6 && len < 16) ||
      (family != AF_INET && family != AF_INET6)) {
    return {};
  }
  if (family == AF_INET) {
    std::string out;
    appendIpv4(out, static_cast<const std::uint8_t*>(data));
    return out;
  }
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, data, buf, sizeof buf) == nullptr) {
    return {};
  }
  return buf;
}

std::string attrIp(int family, const nlattr* a) {
  return bytesIp(family, nla_data(a), static_cast<std::size_t>(nla_len(a)));
}

std::string protocolName(int protocol) {
  char buf[64];
  return rtnl_route_proto2str(protocol, buf, sizeof buf);
}

std::string typeName(int type) {
  char buf[64];
  return nl_rtntype2str(type, buf, sizeof buf);
}

std::string neighStateName(int state) {
  char buf[128];
  return upper(rtnl_neigh_state2str(state, buf, sizeof buf));
}

// Iterates the objects of `cache` as T*.
template <class T, class Fn>
void forEach(nl_cache* cache, Fn&& fn) {
  for (nl_object* o = nl_cache_get_first(cache); o != nullptr; o = nl_cache_get_next(o)) {
    fn(reinterpret_cast<T*>(o));
  }
}

}  // namespace

// Names of a route's one-byte fields, each rendered once per dump instead of three libnl
// snprintf calls per route.
class RtnlReader::RouteNames {
 public:
  const std::string& scope(std::uint8_t v) { return name(scopes_, v, scopeName); }
  const std::string& protocol(std::uint8_t v) { return name(protocols_, v, protocolName); }
  const std::string& type(std::uint8_t v) { return name(types_, v, typeName); }

 private:
  using Names = std::array<std::optional<std::string>, 256>;
  static const std::string& name(Names& names, std::uint8_t v, std::string (*render)(int)) {
    if (!names[v]) {
      names[v] = render(v);
    }
    return *names[v];
  }
  Names scopes_;
  Names protocols_;
  Names types_;
};

Result<RtnlReader> RtnlReader::open() {
  auto sock = nl::connect(NETLINK_ROUTE);
  if (!sock) {
    return std::unexpected(std::move(sock.error()));
  }
  return RtnlReader(std::move(*sock));
}

Result<void> RtnlReader::ensureLinkCache() {
  if (linkCache_) {
    return {};
  }
  nl_cache* c = nullptr;
  if (const int err = rtnl_link_alloc_cache(sock_.get(), AF_UNSPEC, &c); err < 0) {
    return std::unexpected(nl::nlError(err, "link dump"));
  }
  linkCache_.reset(c);
  // libnl looks names up by walking its list; a map keeps 10k routes from walking it 10k times.
  names_.clear();
  forEach<rtnl_link>(linkCache_.get(), [&](rtnl_link* l) {
    if (const char* n = rtnl_link_get_name(l)) {
      names_.emplace(rtnl_link_get_ifindex(l), n);
    }
  });
  return {};
}

std::string RtnlReader::ifName(int index) const {
  const auto it = names_.find(index);
  return it == names_.end() ? std::string() : it->second;
}

Result<std::vector<Link>> RtnlReader::links() {
  linkCache_.reset();  // a call to links() asks for fresh state
  if (auto r = ensureLinkCache(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  std::vector<Link> out;
  out.reserve(static_cast<std::size_t>(nl_cache_nitems(linkCache_.get())));
  forEach<rtnl_link>(linkCache_.get(), [&](rtnl_link* l) {
    Link link;
    link.index = rtnl_link_get_ifindex(l);
    if (const char* n = rtnl_link_get_name(l)) {
      link.name = n;
    }
    if (const char* t = rtnl_link_get_type(l)) {
      link.kind = t;
    }
    link.flags = rtnl_link_get_flags(l);
    link.adminUp = (link.flags & IFF_UP) != 0;
    char buf[64];
    link.operState = upper(rtnl_link_operstate2str(rtnl_link_get_operstate(l), buf, sizeof buf));
    link.mtu = rtnl_link_get_mtu(l);
    if (const char* a = rtnl_link_get_ifalias(l)) {
      link.alias = a;
    }
    link.mac = nl::macString(rtnl_link_get_addr(l));
    link.masterIndex = rtnl_link_get_master(l);
    link.linkIndex = rtnl_link_get_link(l);
    if (link.kind == "vxlan") {
      VxlanInfo vx;
      std::uint32_t v = 0;
      if (rtnl_link_vxlan_get_id(l, &v) == 0) {
        vx.vni = v;
      }
      if (rtnl_link_vxlan_get_port(l, &v) == 0) {
        vx.port = static_cast<std::uint16_t>(v);
      }
      nl_addr* local = nullptr;
      if (rtnl_link_vxlan_get_local(l, &local) == 0 && local != nullptr) {
        vx.local = nl::ipString(local);
        nl_addr_put(local);
      }
      if (rtnl_link_vxlan_get_link(l, &v) == 0) {
        vx.parentIndex = static_cast<int>(v);
      }
      vx.learning = rtnl_link_vxlan_get_learning(l) > 0;
      link.vxlan = std::move(vx);
    }
    out.push_back(std::move(link));
  });
  for (auto& link : out) {
    if (link.vxlan && link.vxlan->parentIndex > 0) {
      link.vxlan->parentName = ifName(link.vxlan->parentIndex);
    }
  }
  return out;
}

Result<std::vector<Address>> RtnlReader::addresses() {
  if (auto r = ensureLinkCache(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  nl_cache* raw = nullptr;
  if (const int err = rtnl_addr_alloc_cache(sock_.get(), &raw); err < 0) {
    return std::unexpected(nl::nlError(err, "address dump"));
  }
  nl::CachePtr cache(raw);
  std::vector<Address> out;
  forEach<rtnl_addr>(cache.get(), [&](rtnl_addr* a) {
    const auto family = familyOf(rtnl_addr_get_family(a));
    if (!family) {
      return;
    }
    Address addr;
    addr.family = *family;
    addr.ifindex = rtnl_addr_get_ifindex(a);
    addr.ifname = ifName(addr.ifindex);
    addr.ip = nl::ipString(rtnl_addr_get_local(a));
    addr.prefixLen = rtnl_addr_get_prefixlen(a);
    if (const char* label = rtnl_addr_get_label(a)) {
      addr.label = label;
    }
    addr.scope = scopeName(rtnl_addr_get_scope(a));
    out.push_back(std::move(addr));
  });
  return out;
}

Result<std::vector<Route>> RtnlReader::routes() {
  if (auto r = ensureLinkCache(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  // Routes are the largest dump (10k+ on gateway nodes). The messages are kept as received
  // (about 100 bytes per route) and decoded after the dump, into a vector sized to their count:
  // grown by doubling, it would hold up to 40% spare Route slots (2 MiB at 10k routes). IPv4
  // addresses are formatted by hand and names cached (RouteNames): printf-style formatting was
  // most of a route's cost.
  std::vector<std::uint8_t> messages;
  std::size_t count = 0;
  for (const std::uint8_t af : {AF_INET, AF_INET6}) {
    struct {
      nlmsghdr nlh;
      rtgenmsg gen;
    } req{};
    req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof(rtgenmsg));
    req.nlh.nlmsg_type = RTM_GETROUTE;
    req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.nlh.nlmsg_seq = nl::kDumpSeq;
    req.gen.rtgen_family = af;
    auto dumped =
        nl::rawDump(NETLINK_ROUTE, {reinterpret_cast<const std::uint8_t*>(&req), sizeof req},
                    [&](const nlmsghdr& hdr) -> Result<void> {
                      const auto* bytes = reinterpret_cast<const std::uint8_t*>(&hdr);
                      messages.insert(messages.end(), bytes, bytes + hdr.nlmsg_len);
                      messages.resize(NLMSG_ALIGN(messages.size()));  // NLMSG_NEXT's alignment
                      ++count;
                      return {};
                    });
    if (!dumped) {
      return fail(dumped.error().code, "route dump: " + dumped.error().message);
    }
  }
  std::vector<Route> out;
  out.reserve(count);
  RouteNames names;
  std::size_t left = messages.size();
  for (const auto* h = reinterpret_cast<const nlmsghdr*>(messages.data()); NLMSG_OK(h, left);
       h = NLMSG_NEXT(h, left)) {
    addRoute(*h, names, out);
  }
  return out;
}

void RtnlReader::addRoute(const nlmsghdr& hdr, RouteNames& names, std::vector<Route>& out) const {
  if (hdr.nlmsg_type != RTM_NEWROUTE || !nlmsg_valid_hdr(&hdr, sizeof(rtmsg))) {
    return;
  }
  const auto* rtm = static_cast<const rtmsg*>(nlmsg_data(&hdr));
  const auto family = familyOf(rtm->rtm_family);
  if (!family) {
    return;
  }
  nlattr* tb[RTA_MAX + 1] = {};
  // libnl's parser only reads the message; its signature is not const-correct.
  if (nlmsg_parse(const_cast<nlmsghdr*>(&hdr), sizeof(rtmsg), tb, RTA_MAX, nullptr) < 0) {
    return;
  }
  Route route;
  route.family = *family;
  route.table = tb[RTA_TABLE] != nullptr ? nla_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
  if (rtm->rtm_dst_len == 0 || tb[RTA_DST] == nullptr) {
    route.dst = "default";
  } else {
    route.dst = attrIp(rtm->rtm_family, tb[RTA_DST]);
    route.dst.push_back('/');
    appendDecimal(route.dst, rtm->rtm_dst_len);
  }
  if (tb[RTA_PREFSRC] != nullptr) {
    route.prefSrc = attrIp(rtm->rtm_family, tb[RTA_PREFSRC]);
  }
  route.scope = names.scope(rtm->rtm_scope);
  route.protocol = names.protocol(rtm->rtm_protocol);
  route.type = names.type(rtm->rtm_type);
  if (tb[RTA_PRIORITY] != nullptr) {
    route.metric = nla_get_u32(tb[RTA_PRIORITY]);
  }
  if (tb[RTA_MULTIPATH] != nullptr) {
    auto* nh = static_cast<rtnexthop*>(nla_data(tb[RTA_MULTIPATH]));
    int left = nla_len(tb[RTA_MULTIPATH]);
    while (left >= static_cast<int>(sizeof(rtnexthop)) && nh->rtnh_len >= sizeof(rtnexthop) &&
           nh->rtnh_len <= left) {
      nlattr* ntb[RTA_MAX + 1] = {};
      const int attrLen = nh->rtnh_len - static_cast<int>(RTNH_LENGTH(0));
      if (attrLen > 0) {
        nla_parse(ntb, RTA_MAX, reinterpret_cast<nlattr*>(RTNH_DATA(nh)), attrLen, nullptr);
      }
      route.nexthops.push_back(nextHop(rtm->rtm_family, ntb, nh->rtnh_ifindex));
      left -= RTNH_ALIGN(nh->rtnh_len);
      nh = RTNH_NEXT(nh);
    }
  } else if (tb[RTA_OIF] != nullptr || tb[RTA_GATEWAY] != nullptr || tb[RTA_VIA] != nullptr) {
    const int oif = tb[RTA_OIF] != nullptr ? static_cast<int>(nla_get_u32(tb[RTA_OIF])) : 0;
    route.nexthops.push_back(nextHop(rtm->rtm_family, tb, oif));
  }
  if (!route.nexthops.empty()) {
    const auto& first = route.nexthops.front();
    route.gateway = first.gateway;
    route.viaInet6 = first.viaInet6;
    route.oifIndex = first.oifIndex;
    route.oifName = first.oifName;
  }
  out.push_back(std::move(route));
}

NextHop RtnlReader::nextHop(int family, nlattr** tb, int oifIndex) const {
  NextHop hop;
  if (tb[RTA_GATEWAY] != nullptr) {
    hop.gateway = attrIp(family, tb[RTA_GATEWAY]);
  } else if (tb[RTA_VIA] != nullptr &&
             nla_len(tb[RTA_VIA]) >= static_cast<int>(sizeof(rtvia::rtvia_family))) {
    // RTA_VIA: an IPv4 route whose next hop is IPv6 (Azure pods: via inet6 fe80::1).
    const auto* via = static_cast<const rtvia*>(nla_data(tb[RTA_VIA]));
    const auto addrLen = static_cast<std::size_t>(nla_len(tb[RTA_VIA])) - sizeof(via->rtvia_family);
    hop.gateway = bytesIp(via->rtvia_family, via->rtvia_addr, addrLen);
    hop.viaInet6 = !hop.gateway.empty() && via->rtvia_family == AF_INET6;
  }
  hop.oifIndex = oifIndex;
  hop.oifName = ifName(oifIndex);
  return hop;
}

Result<std::vector<Rule>> RtnlReader::rules() {
  nl_cache* raw = nullptr;
  if (const int err = rtnl_rule_alloc_cache(sock_.get(), AF_UNSPEC, &raw); err < 0) {
    return std::unexpected(nl::nlError(err, "rule dump"));
  }
  nl::CachePtr cache(raw);
  std::vector<Rule> out;
  forEach<rtnl_rule>(cache.get(), [&](rtnl_rule* r) {
    const auto family = familyOf(rtnl_rule_get_family(r));
    if (!family) {
      return;
    }
    Rule rule;
    rule.family = *family;
    rule.priority = rtnl_rule_get_prio(r);
    // libnl 3.7 reports 0 for an absent FRA_FWMARK/FRA_FWMASK. The kernel sends them for any
    // rule with a mark (mask included) and leaves both out (mark 0, mask 0) otherwise.
    const std::uint32_t mark = rtnl_rule_get_mark(r);
    const std::uint32_t mask = rtnl_rule_get_mask(r);
    if (mark != 0 || mask != 0) {
      rule.hasFwmark = true;
      rule.fwmark = mark;
      rule.fwmask = mask;
    }
    rule.table = rtnl_rule_get_table(r);
    switch (rtnl_rule_get_action(r)) {
      case FR_ACT_TO_TBL:
        rule.action = "lookup";
        break;
      case FR_ACT_GOTO:
        rule.action = "goto";
        break;
      case FR_ACT_NOP:
        rule.action = "nop";
        break;
      case FR_ACT_BLACKHOLE:
        rule.action = "blackhole";
        break;
      case FR_ACT_UNREACHABLE:
        rule.action = "unreachable";
        break;
      case FR_ACT_PROHIBIT:
        rule.action = "prohibit";
        break;
      default:
        rule.action = "unknown";
        break;
    }
    const auto src = nl::prefixString(rtnl_rule_get_src(r));
    const auto dst = nl::prefixString(rtnl_rule_get_dst(r));
    rule.src = src.empty() ? "all" : src;
    rule.dst = dst.empty() ? "all" : dst;
    if (const char* iif = rtnl_rule_get_iif(r)) {
      rule.iif = iif;
    }
    if (const char* oif = rtnl_rule_get_oif(r)) {
      rule.oif = oif;
    }
    out.push_back(std::move(rule));
  });
  return out;
}

Result<std::vector<Neighbour>> RtnlReader::neighbours() {
  if (auto r = ensureLinkCache(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  nl_cache* raw = nullptr;
  if (const int err = rtnl_neigh_alloc_cache(sock_.get(), &raw); err < 0) {
    return std::unexpected(nl::nlError(err, "neighbour dump"));
  }
  nl::CachePtr cache(raw);
  std::vector<Neighbour> out;
  forEach<rtnl_neigh>(cache.get(), [&](rtnl_neigh* n) {
    const auto family = familyOf(rtnl_neigh_get_family(n));
    if (!family) {
      return;
    }
    Neighbour nb;
    nb.family = *family;
    nb.ifindex = rtnl_neigh_get_ifindex(n);
    nb.ifname = ifName(nb.ifindex);
    nb.ip = nl::ipString(rtnl_neigh_get_dst(n));
    nb.lladdr = nl::macString(rtnl_neigh_get_lladdr(n));
    const int state = rtnl_neigh_get_state(n);
    nb.state = static_cast<std::uint16_t>(state < 0 ? 0 : state);
    nb.permanent = (nb.state & NUD_PERMANENT) != 0;
    nb.stateName = neighStateName(nb.state);
    out.push_back(std::move(nb));
  });
  return out;
}

Result<std::vector<FdbEntry>> RtnlReader::fdb() {
  if (auto r = ensureLinkCache(); !r) {
    return std::unexpected(std::move(r.error()));
  }
  nl_cache* raw = nullptr;
  if (const int err = nl_cache_alloc_name("route/neigh", &raw); err < 0) {
    return std::unexpected(nl::nlError(err, "fdb cache"));
  }
  nl::CachePtr cache(raw);
  nl_cache_set_arg1(cache.get(), AF_BRIDGE);  // libnl's neighbour dump asks for PF_BRIDGE then
  if (const int err = nl_cache_refill(sock_.get(), cache.get()); err < 0) {
    return std::unexpected(nl::nlError(err, "fdb dump"));
  }
  std::vector<FdbEntry> out;
  forEach<rtnl_neigh>(cache.get(), [&](rtnl_neigh* n) {
    if (rtnl_neigh_get_family(n) != AF_BRIDGE) {
      return;
    }
    FdbEntry e;
    e.ifindex = rtnl_neigh_get_ifindex(n);
    e.ifname = ifName(e.ifindex);
    e.mac = nl::macString(rtnl_neigh_get_lladdr(n));
    e.dst = nl::ipString(rtnl_neigh_get_dst(n));
    e.masterIndex = std::max(0, rtnl_neigh_get_master(n));
    const int state = rtnl_neigh_get_state(n);
    e.permanent = state > 0 && (state & NUD_PERMANENT) != 0;
    e.self = (rtnl_neigh_get_flags(n) & NTF_SELF) != 0;
    out.push_back(std::move(e));
  });
  return out;
}

}  // namespace egressdiag::datapath
