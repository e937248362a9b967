#include "node-probe/datapath/arp_probe.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "node-probe/datapath/arp_packet.h"
#include "node-probe/datapath/text.h"
#include "node-probe/datapath/unique_fd.h"

namespace egressdiag::datapath {
namespace {

using Clock = std::chrono::steady_clock;

struct OnLink {
  std::string ifname;
  std::uint32_t address = 0;  // host order
  MacAddress mac{};
  bool hasMac = false;
};

std::uint32_t hostOrder(const sockaddr* sa) {
  return ntohl(reinterpret_cast<const sockaddr_in*>(sa)->sin_addr.s_addr);
}

// The interface whose subnet holds `target`, with its address and MAC.
Result<OnLink> interfaceFor(std::uint32_t target, std::string_view targetText) {
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) {
    return fail(ErrorCode::Unavailable, std::string("getifaddrs: ") + std::strerror(errno));
  }
  const std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> list(raw, ::freeifaddrs);
  std::optional<OnLink> best;
  int bestLen = -1;
  for (const ifaddrs* a = raw; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_netmask == nullptr || a->ifa_addr->sa_family != AF_INET ||
        (a->ifa_flags & IFF_UP) == 0 || (a->ifa_flags & IFF_LOOPBACK) != 0) {
      continue;
    }
    const std::uint32_t mask = hostOrder(a->ifa_netmask);
    const int len = std::popcount(mask);
    const std::uint32_t addr = hostOrder(a->ifa_addr);
    // A /32 has no segment to ask on (Azure's eth0:egress, a CNI's /32 pod routes).
    if (len >= 32 || (addr & mask) != (target & mask) || len <= bestLen) {
      continue;
    }
    best = OnLink{a->ifa_name, addr, {}, false};
    bestLen = len;
  }
  if (!best) {
    return fail(ErrorCode::NotFound,
                "no UP interface has an IPv4 subnet holding " + std::string(targetText));
  }
  for (const ifaddrs* a = raw; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr != nullptr && a->ifa_addr->sa_family == AF_PACKET &&
        best->ifname == a->ifa_name) {
      const auto* ll = reinterpret_cast<const sockaddr_ll*>(a->ifa_addr);
      if (ll->sll_halen == 6) {
        std::copy(ll->sll_addr, ll->sll_addr + 6, best->mac.begin());
        best->hasMac = true;
      }
    }
  }
  if (!best->hasMac) {
    return fail(ErrorCode::Unavailable, best->ifname + " has no Ethernet address to send ARP from");
  }
  return *best;
}

}  // namespace

Result<ArpProbeResult> arpProbe(std::string_view targetIp, std::chrono::milliseconds timeout) {
  in_addr parsed{};
  if (targetIp.size() > 15 || ::inet_pton(AF_INET, std::string(targetIp).c_str(), &parsed) != 1) {
    return fail(ErrorCode::InvalidInput,
                "ARP probe: \"" + std::string(targetIp) + "\" is not an IPv4 address");
  }
  const std::uint32_t target = ntohl(parsed.s_addr);
  auto link = interfaceFor(target, targetIp);
  if (!link) {
    return std::unexpected(std::move(link.error()));
  }
  const unsigned ifindex = ::if_nametoindex(link->ifname.c_str());
  if (ifindex == 0) {
    return fail(ErrorCode::Unavailable, link->ifname + ": " + std::strerror(errno));
  }
  const UniqueFd fd(
      ::socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP)));
  if (fd.get() < 0) {
    const int e = errno;
    if (e == EPERM || e == EACCES) {
      return fail(ErrorCode::PermissionDenied,
                  "ARP probe: packet socket refused (needs CAP_NET_RAW)");
    }
    return fail(ErrorCode::Unavailable, std::string("ARP probe: socket: ") + std::strerror(e));
  }
  sockaddr_ll bindAddr{};
  bindAddr.sll_family = AF_PACKET;
  bindAddr.sll_protocol = htons(ETH_P_ARP);
  bindAddr.sll_ifindex = static_cast<int>(ifindex);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&bindAddr), sizeof bindAddr) != 0) {
    return fail(ErrorCode::Unavailable,
                "ARP probe: bind to " + link->ifname + ": " + std::strerror(errno));
  }
  sockaddr_ll to = bindAddr;
  to.sll_halen = 6;
  std::fill(to.sll_addr, to.sll_addr + 6, 0xff);  // broadcast
  const auto request = buildArpRequest(link->mac, link->address, target);

  ArpProbeResult out;
  out.target = std::string(targetIp);
  out.ifname = link->ifname;
  appendIpv4(out.senderIp, link->address);
  constexpr int kRequests = 3;
  constexpr auto kConflictWindow = std::chrono::milliseconds(200);
  const auto start = Clock::now();
  auto deadline = start + timeout;
  auto nextSend = start;
  while (true) {
    const auto now = Clock::now();
    if (now >= deadline) {
      break;
    }
    if (out.requests < kRequests && out.replyMacs.empty() && now >= nextSend) {
      if (::sendto(fd.get(), request.data(), request.size(), 0,
                   reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
        return fail(ErrorCode::Unavailable,
                    "ARP probe: send on " + link->ifname + ": " + std::strerror(errno));
      }
      ++out.requests;
      nextSend = start + timeout * out.requests / kRequests;
    }
    auto wake = deadline;
    if (out.requests < kRequests && out.replyMacs.empty()) {
      wake = std::min(wake, nextSend);
    }
    pollfd p{fd.get(), POLLIN, 0};
    const auto waitMs = std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now());
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<long>(0, waitMs.count())));
    if (ready < 0 && errno != EINTR) {
      return fail(ErrorCode::Unavailable, std::string("ARP probe: poll: ") + std::strerror(errno));
    }
    if (ready <= 0) {
      continue;
    }
    std::array<std::uint8_t, 128> buf{};
    while (true) {
      sockaddr_ll from{};
      socklen_t fromLen = sizeof from;
      const ssize_t n = ::recvfrom(fd.get(), buf.data(), buf.size(), 0,
                                   reinterpret_cast<sockaddr*>(&from), &fromLen);
      if (n < 0) {
        break;  // EAGAIN: drained
      }
      if (from.sll_pkttype == PACKET_OUTGOING) {
        continue;  // our own request
      }
      const auto mac = arpReplyFrom(std::span(buf.data(), static_cast<std::size_t>(n)), target);
      if (!mac) {
        continue;
      }
      const std::string text = macText(mac->data());
      if (std::ranges::find(out.replyMacs, text) == out.replyMacs.end()) {
        out.replyMacs.push_back(text);
      }
      if (!out.firstReplySeconds) {
        out.firstReplySeconds = std::chrono::duration<double>(Clock::now() - start).count();
        deadline = std::min(deadline, Clock::now() + kConflictWindow);
      }
    }
  }
  return out;
}

}  // namespace egressdiag::datapath
