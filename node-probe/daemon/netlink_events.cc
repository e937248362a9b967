#include "node-probe/daemon/netlink_events.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace egressdiag::daemon {
namespace {

// Drains a non-blocking socket. True when anything arrived (or was lost to an overrun).
bool drain(int fd) {
  bool any = false;
  std::vector<char> buffer(64 * 1024);
  while (true) {
    ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n > 0) {
      any = true;
      continue;
    }
    if (n < 0 && errno == ENOBUFS) {
      any = true;  // the kernel dropped notifications: treat as "something changed"
      continue;
    }
    return any;
  }
}

}  // namespace

Result<int> openRouteEventSocket() {
  int fd = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
  if (fd < 0) {
    return fail(ErrorCode::Unavailable,
                std::string("netlink socket: ") + std::strerror(errno));
  }
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = RTMGRP_LINK | RTMGRP_NEIGH | RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE |
                   RTMGRP_IPV4_RULE | RTMGRP_IPV6_IFADDR | RTMGRP_IPV6_ROUTE;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    ::close(fd);
    return fail(ErrorCode::Unavailable, std::string("netlink bind: ") + std::strerror(err));
  }
  // IPv6 rules have no legacy group bit.
  int group = RTNLGRP_IPV6_RULE;
  ::setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group));
  // A larger buffer makes overruns (harmless, but they cost a re-check) rarer on busy nodes.
  int size = 1 << 20;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  return fd;
}

NetlinkWatcher::NetlinkWatcher(std::function<void(const std::string& key)> onEvent)
    : onEvent_(std::move(onEvent)), wakeFd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

NetlinkWatcher::~NetlinkWatcher() {
  thread_.request_stop();
  wake();
  if (thread_.joinable()) {
    thread_.join();
  }
  for (auto& [key, fd] : fds_) {
    ::close(fd);
  }
  if (wakeFd_ >= 0) {
    ::close(wakeFd_);
  }
}

void NetlinkWatcher::wake() {
  if (wakeFd_ >= 0) {
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wakeFd_, &one, sizeof(one));
  }
}

void NetlinkWatcher::watch(const std::string& key, int fd) {
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = fds_.try_emplace(key, fd);
    if (!inserted) {
      ::close(it->second);
      it->second = fd;
    }
  }
  wake();
}

void NetlinkWatcher::retain(const std::set<std::string>& keep) {
  {
    std::lock_guard lock(mutex_);
    for (auto it = fds_.begin(); it != fds_.end();) {
      if (keep.contains(it->first)) {
        ++it;
      } else {
        ::close(it->second);
        it = fds_.erase(it);
      }
    }
  }
  wake();
}

std::set<std::string> NetlinkWatcher::keys() const {
  std::lock_guard lock(mutex_);
  std::set<std::string> out;
  for (const auto& [key, fd] : fds_) {
    out.insert(key);
  }
  return out;
}

void NetlinkWatcher::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::vector<pollfd> fds;
    std::vector<std::string> keys;
    fds.push_back({wakeFd_, POLLIN, 0});
    keys.emplace_back();
    {
      // Polling a copy of the fds is safe: a socket is only closed by watch()/retain() under
      // the lock, and they wake us first; a stale fd at worst reports POLLNVAL once.
      std::lock_guard lock(mutex_);
      for (const auto& [key, fd] : fds_) {
        fds.push_back({fd, POLLIN, 0});
        keys.push_back(key);
      }
    }
    if (::poll(fds.data(), fds.size(), 1000) <= 0) {
      continue;
    }
    if ((fds[0].revents & POLLIN) != 0) {
      std::uint64_t value = 0;
      [[maybe_unused]] ssize_t n = ::read(wakeFd_, &value, sizeof(value));
    }
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLERR)) == 0) {
        continue;
      }
      bool changed = false;
      {
        std::lock_guard lock(mutex_);
        auto it = fds_.find(keys[i]);
        changed = it != fds_.end() && it->second == fds[i].fd && drain(fds[i].fd);
      }
      if (changed) {
        onEvent_(keys[i]);
      }
    }
  }
}

}  // namespace egressdiag::daemon
