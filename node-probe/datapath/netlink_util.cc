#include "node-probe/datapath/netlink_util.h"

#include <arpa/inet.h>
#include <netlink/netlink.h>
#include <sys/socket.h>

#include <cstdio>

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
  const auto* b = static_cast<const unsigned char*>(nl_addr_get_binary_addr(addr));
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4],
                b[5]);
  return buf;
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

}  // namespace egressdiag::datapath::nl
