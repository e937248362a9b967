#include "node-probe/datapath/netlink_util.h"

#include <arpa/inet.h>
#include <netlink/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "node-probe/datapath/text.h"
#include "node-probe/datapath/unique_fd.h"

namespace egressdiag::datapath::nl {

std::string ipString(const nl_addr* a) {
  if (a == nullptr) {
    return {};
  }
  auto* addr = const_cast<nl_addr*>(a);  // libnl getters are not const-correct
  const int family = nl_addr_get_family(addr);
  const auto len = nl_addr_get_len(addr);
  if ((family == AF_INET && len != 4) || (family == AF_INET6 && len != 16) ||
      (family != AF_INET && family != AF_INET6)) {
    return {};
  }
  char buf[INET6_ADDRSTRLEN] = {};
  if (inet_ntop(family, nl_addr_get_binary_addr(addr), buf, sizeof buf) == nullptr) {
    return {};
  }
  return buf;
}

std::string prefixString(const nl_addr* a) {
  auto ip = ipString(a);
  if (ip.empty()) {
    return ip;
  }
  return ip + "/" + std::to_string(nl_addr_get_prefixlen(const_cast<nl_addr*>(a)));
}

std::string macString(const nl_addr* a) {
  if (a == nullptr) {
    return {};
  }
  auto* addr = const_cast<nl_addr*>(a);
  const auto len = nl_addr_get_len(addr);
  if (len != 6) {
    return {};
  }
  return macText(static_cast<const std::uint8_t*>(nl_addr_get_binary_addr(addr)));
}

Error nlError(int err, std::string_view what, std::string_view capability) {
  const int code = err < 0 ? -err : err;
  std::string msg = std::string(what) + ": " + nl_geterror(code);
  if ((code == NLE_PERM || code == NLE_NOACCESS) && !capability.empty()) {
    return Error{ErrorCode::PermissionDenied, msg + " (needs " + std::string(capability) + ")"};
  }
  if (code == NLE_PERM || code == NLE_NOACCESS) {
    return Error{ErrorCode::PermissionDenied, std::move(msg)};
  }
  return Error{ErrorCode::Unavailable, std::move(msg)};
}

Result<SockPtr> connect(int protocol) {
  SockPtr sock(nl_socket_alloc());
  if (!sock) {
    return fail(ErrorCode::Internal, "nl_socket_alloc failed");
  }
  if (const int err = nl_connect(sock.get(), protocol); err < 0) {
    return std::unexpected(nlError(err, "netlink connect"));
  }
  return sock;
}

namespace {

// The kernel sizes dump messages to the reader's buffer, capped at 32 KiB; 64 KiB stays below
// glibc's mmap threshold (a freed mmap chunk would raise it and fragment the heap).
constexpr std::size_t kRecvBuffer = 64 * 1024;
constexpr int kRecvTimeoutSec = 10;

std::unexpected<Error> unavailable(std::string_view what, int err) {
  return fail(ErrorCode::Unavailable, std::string(what) + ": " + std::strerror(err));
}

}  // namespace

Result<void> rawDump(int protocol, std::span<const std::uint8_t> request,
                     const std::function<Result<void>(const nlmsghdr&)>& onMessage) {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol));
  if (fd.get() < 0) {
    return unavailable("netlink socket", errno);
  }
  const timeval timeout{kRecvTimeoutSec, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd.get(), request.data(), request.size(), 0,
               reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) < 0) {
    return unavailable("netlink send", errno);
  }
  std::vector<std::uint8_t> buf(kRecvBuffer);
  for (;;) {
    iovec iov{buf.data(), buf.size()};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    const ssize_t n = ::recvmsg(fd.get(), &msg, 0);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return unavailable("netlink receive", errno);
    }
    if ((msg.msg_flags & MSG_TRUNC) != 0) {
      return fail(ErrorCode::Unavailable, "netlink receive: message truncated");
    }
    auto left = static_cast<std::size_t>(n);
    for (const auto* h = reinterpret_cast<const nlmsghdr*>(buf.data()); NLMSG_OK(h, left);
         h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != kDumpSeq) {
        continue;
      }
      if (h->nlmsg_type == NLMSG_DONE) {
        return {};
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        if (h->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) {
          return fail(ErrorCode::Unavailable, "netlink: short error message");
        }
        const int err = -static_cast<const nlmsgerr*>(NLMSG_DATA(h))->error;
        if (err == EPERM || err == EACCES) {
          return fail(ErrorCode::PermissionDenied, std::strerror(err));
        }
        return fail(ErrorCode::Unavailable, "netlink error " + std::to_string(err));
      }
      if ((h->nlmsg_flags & NLM_F_DUMP_INTR) != 0) {
        // The table changed during the dump (as libnl reports it): a retry gives a consistent one.
        return fail(ErrorCode::Unavailable, "netlink dump interrupted by a concurrent change");
      }
      if (auto r = onMessage(*h); !r) {
        return r;
      }
    }
  }
}

}  // namespace egressdiag::datapath::nl
