#pragma once

// Kernel change notifications for the passive checks: rtnetlink multicast groups (links,
// addresses, routes, rules, neighbours; IPv4 and IPv6). iptables and ipsets have no such
// events here and are polled instead (see daemon.h).

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "operator/common/result.h"

namespace egressdiag::daemon {

// A NETLINK_ROUTE socket in the calling thread's network namespace, subscribed to every
// rtnetlink group the checks read. The socket stays in that namespace for its whole life, so
// it can be opened on a namespace thread and then polled from any thread. Non-blocking.
// Unavailable naming errno when the socket cannot be opened.
Result<int> openRouteEventSocket();

// Polls any number of event sockets (one per watched namespace) on one thread and calls
// `onEvent` (on that thread) after a batch of notifications; a receive overrun (ENOBUFS)
// counts as a change too, since events were lost.
class NetlinkWatcher {
 public:
  explicit NetlinkWatcher(std::function<void(const std::string& key)> onEvent);
  ~NetlinkWatcher();
  NetlinkWatcher(const NetlinkWatcher&) = delete;
  NetlinkWatcher& operator=(const NetlinkWatcher&) = delete;

  // Takes ownership of `fd` (from openRouteEventSocket) under `key` (e.g. "host",
  // "netns ns-static-egress-gateway"); an existing socket under that key is closed.
  void watch(const std::string& key, int fd);
  // Closes every socket whose key is not in `keep`.
  void retain(const std::set<std::string>& keep);
  std::set<std::string> keys() const;

 private:
  void run(std::stop_token stop);
  void wake();

  std::function<void(const std::string&)> onEvent_;
  mutable std::mutex mutex_;
  std::map<std::string, int> fds_;
  int wakeFd_ = -1;
  std::jthread thread_;
};

}  // namespace egressdiag::daemon
