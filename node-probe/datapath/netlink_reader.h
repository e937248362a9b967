#pragma once

// rtnetlink snapshot reader (libnl-route). Reads the network namespace of the thread that
// opened it: to read another namespace, open it inside NetnsExecutor (netns.h). Dumps need no
// capability (stack.md §2.10).

#include <netlink/attr.h>
#include <netlink/msg.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "node-probe/datapath/netlink_util.h"
#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

class RtnlReader {
 public:
  // Opens a NETLINK_ROUTE socket in the calling thread's namespace. Fails (Unavailable) when
  // the socket cannot be created.
  static Result<RtnlReader> open();

  // Each dump fails (Unavailable/PermissionDenied, with libnl's message) when the kernel
  // refuses it; interface names come from one link dump per reader, taken on first need.
  Result<std::vector<Link>> links();
  Result<std::vector<Address>> addresses();
  // Routes of every table, IPv4 and IPv6 (multicast-routing families are skipped).
  Result<std::vector<Route>> routes();
  // Rules of IPv4 and IPv6 only (the kernel dump also holds other families).
  Result<std::vector<Rule>> rules();
  // ARP/NDP neighbours (bridge FDB entries excluded).
  Result<std::vector<Neighbour>> neighbours();
  // Bridge/vxlan forwarding database (AF_BRIDGE neighbours).
  Result<std::vector<FdbEntry>> fdb();

 private:
  explicit RtnlReader(nl::SockPtr sock) : sock_(std::move(sock)) {}
  class RouteNames;
  // Appends the route of one RTM_NEWROUTE message (other families and malformed ones skipped).
  void addRoute(const nlmsghdr& hdr, RouteNames& names, std::vector<Route>& out) const;
  NextHop nextHop(int family, nlattr** tb, int oifIndex) const;
  Result<void> ensureLinkCache();
  std::string ifName(int index) const;

  nl::SockPtr sock_;
  nl::CachePtr linkCache_;
  std::unordered_map<int, std::string> names_;  // ifindex -> name, from linkCache_
};

}  // namespace egressdiag::datapath
