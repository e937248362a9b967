#include "node-probe/datapath/wireguard_reader.h"
#include "node-probe/datapath/unique_fd.h"

#include <arpa/inet.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "node-probe/datapath/netlink_util.h"
#include "node-probe/datapath/wireguard_parser.h"

namespace egressdiag::datapath {
namespace {

std::string endpointString(const void* data, std::size_t len) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (len >= sizeof(sockaddr_in6) && static_cast<const sockaddr*>(data)->sa_family == AF_INET6) {
    sockaddr_in6 sa;
    std::memcpy(&sa, data, sizeof sa);
    inet_ntop(AF_INET6, &sa.sin6_addr, buf, sizeof buf);
    return "[" + std::string(buf) + "]:" + std::to_string(ntohs(sa.sin6_port));
  }
  if (len >= sizeof(sockaddr_in) && static_cast<const sockaddr*>(data)->sa_family == AF_INET) {
    sockaddr_in sa;
    std::memcpy(&sa, data, sizeof sa);
    inet_ntop(AF_INET, &sa.sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(sa.sin_port));
  }
  return {};
}

std::string allowedIpString(nlattr* nested) {
  nlattr* tb[WGALLOWEDIP_A_MAX + 1] = {};
  if (nla_parse_nested(tb, WGALLOWEDIP_A_MAX, nested, nullptr) < 0 ||
      tb[WGALLOWEDIP_A_FAMILY] == nullptr || tb[WGALLOWEDIP_A_IPADDR] == nullptr ||
      tb[WGALLOWEDIP_A_CIDR_MASK] == nullptr) {
    return {};
  }
  const int family = nla_get_u16(tb[WGALLOWEDIP_A_FAMILY]);
  const auto need = family == AF_INET6 ? sizeof(in6_addr) : sizeof(in_addr);
  if ((family != AF_INET && family != AF_INET6) ||
      static_cast<std::size_t>(nla_len(tb[WGALLOWEDIP_A_IPADDR])) < need) {
    return {};
  }
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family, nla_data(tb[WGALLOWEDIP_A_IPADDR]), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(nla_get_u8(tb[WGALLOWEDIP_A_CIDR_MASK]));
}

std::string keyAttr(nlattr* a) {
  if (a == nullptr || nla_len(a) != WG_KEY_LEN) {
    return {};
  }
  return base64Encode(std::string_view(static_cast<const char*>(nla_data(a)), WG_KEY_LEN));
}

// Coalesces one GET_DEVICE message into `dev` (a device spans several messages; a peer split
// across them repeats its public key).
int onDeviceMessage(nl_msg* msg, void* arg) {
  auto* dev = static_cast<WireguardDevice*>(arg);
  auto* gnlh = static_cast<genlmsghdr*>(nlmsg_data(nlmsg_hdr(msg)));
  nlattr* tb[WGDEVICE_A_MAX + 1] = {};
  if (nla_parse(tb, WGDEVICE_A_MAX, genlmsg_attrdata(gnlh, 0), genlmsg_attrlen(gnlh, 0), nullptr) <
      0) {
    return NL_SKIP;
  }
  if (tb[WGDEVICE_A_PUBLIC_KEY] != nullptr) {
    dev->publicKey = keyAttr(tb[WGDEVICE_A_PUBLIC_KEY]);
  }
  if (tb[WGDEVICE_A_LISTEN_PORT] != nullptr) {
    dev->listenPort = nla_get_u16(tb[WGDEVICE_A_LISTEN_PORT]);
  }
  if (tb[WGDEVICE_A_FWMARK] != nullptr) {
    dev->fwmark = nla_get_u32(tb[WGDEVICE_A_FWMARK]);
  }
  if (tb[WGDEVICE_A_PEERS] == nullptr) {
    return NL_OK;
  }
  nlattr* peerAttr = nullptr;
  int rem = 0;
  nla_for_each_nested(peerAttr, tb[WGDEVICE_A_PEERS], rem) {
    nlattr* pt[WGPEER_A_MAX + 1] = {};
    if (nla_parse_nested(pt, WGPEER_A_MAX, peerAttr, nullptr) < 0) {
      continue;
    }
    const auto key = keyAttr(pt[WGPEER_A_PUBLIC_KEY]);
    WireguardPeer* peer = nullptr;
    if (!dev->peers.empty() && dev->peers.back().publicKey == key) {
      peer = &dev->peers.back();
    } else {
      peer = &dev->peers.emplace_back();
      peer->publicKey = key;
    }
    if (pt[WGPEER_A_ENDPOINT] != nullptr) {
      peer->endpoint = endpointString(nla_data(pt[WGPEER_A_ENDPOINT]),
                                      static_cast<std::size_t>(nla_len(pt[WGPEER_A_ENDPOINT])));
    }
    if (pt[WGPEER_A_LAST_HANDSHAKE_TIME] != nullptr &&
        static_cast<std::size_t>(nla_len(pt[WGPEER_A_LAST_HANDSHAKE_TIME])) >=
            sizeof(__kernel_timespec)) {
      __kernel_timespec ts;
      std::memcpy(&ts, nla_data(pt[WGPEER_A_LAST_HANDSHAKE_TIME]), sizeof ts);
      peer->lastHandshakeSec = ts.tv_sec;
    }
    if (pt[WGPEER_A_RX_BYTES] != nullptr) {
      peer->rxBytes = nla_get_u64(pt[WGPEER_A_RX_BYTES]);
    }
    if (pt[WGPEER_A_TX_BYTES] != nullptr) {
      peer->txBytes = nla_get_u64(pt[WGPEER_A_TX_BYTES]);
    }
    if (pt[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL] != nullptr) {
      peer->persistentKeepalive = nla_get_u16(pt[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
    }
    if (pt[WGPEER_A_ALLOWEDIPS] != nullptr) {
      nlattr* ipAttr = nullptr;
      int ipRem = 0;
      nla_for_each_nested(ipAttr, pt[WGPEER_A_ALLOWEDIPS], ipRem) {
        if (auto ip = allowedIpString(ipAttr); !ip.empty()) {
          peer->allowedIps.push_back(std::move(ip));
        }
      }
    }
  }
  return NL_OK;
}


constexpr std::string_view kModuleMissing =
    "WireGuard unavailable: no kernel module (generic netlink family \"wireguard\" not found)";

}  // namespace

Result<WireguardDevice> readWireguardGenl(const std::string& name) {
  auto sock = nl::connect(NETLINK_GENERIC);
  if (!sock) {
    return std::unexpected(std::move(sock.error()));
  }
  const int family = genl_ctrl_resolve(sock->get(), WG_GENL_NAME);
  if (family < 0) {
    return fail(ErrorCode::Unavailable, std::string(kModuleMissing));
  }
  std::unique_ptr<nl_msg, decltype(&nlmsg_free)> msg(nlmsg_alloc(), &nlmsg_free);
  if (!msg ||
      genlmsg_put(msg.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_DUMP, WG_CMD_GET_DEVICE,
                  WG_GENL_VERSION) == nullptr ||
      nla_put_string(msg.get(), WGDEVICE_A_IFNAME, name.c_str()) < 0) {
    return fail(ErrorCode::Internal, "cannot build the wireguard GET_DEVICE request");
  }
  WireguardDevice dev;
  dev.name = name;
  dev.source = WireguardSource::Genl;
  nl_socket_modify_cb(sock->get(), NL_CB_VALID, NL_CB_CUSTOM, &onDeviceMessage, &dev);
  if (const int err = nl_send_auto(sock->get(), msg.get()); err < 0) {
    return std::unexpected(nl::nlError(err, "wireguard GET_DEVICE " + name, "CAP_NET_ADMIN"));
  }
  if (const int err = nl_recvmsgs_default(sock->get()); err < 0) {
    auto e = nl::nlError(err, "wireguard GET_DEVICE " + name, "CAP_NET_ADMIN");
    if (err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV) {
      e.code = ErrorCode::NotFound;
    }
    return std::unexpected(std::move(e));
  }
  return dev;
}

Result<WireguardDevice> readWireguardUapi(const std::string& socketPath, std::string name,
                                          std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socketPath.size() >= sizeof addr.sun_path) {
    return fail(ErrorCode::InvalidInput, "UAPI socket path too long: " + socketPath);
  }
  std::memcpy(addr.sun_path, socketPath.c_str(), socketPath.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) {
    return fail(ErrorCode::Unavailable, std::string("socket: ") + std::strerror(errno));
  }
  if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    const auto code =
        (err == EACCES || err == EPERM) ? ErrorCode::PermissionDenied : ErrorCode::Unavailable;
    return fail(code, "connect " + socketPath + ": " + std::strerror(err));
  }
  constexpr std::string_view kRequest = "get=1\n\n";
  if (::send(fd.get(), kRequest.data(), kRequest.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(kRequest.size())) {
    return fail(ErrorCode::Unavailable, "send to " + socketPath + ": " + std::strerror(errno));
  }
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[8192];
  // The reply ends with an empty line; wireguard-go keeps the connection open for more requests.
  while (!reply.ends_with("\n\n")) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return fail(ErrorCode::Timeout, "no complete UAPI reply from " + socketPath);
    }
    pollfd p{fd.get(), POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      continue;
    }
    const ssize_t got = ::recv(fd.get(), buf, sizeof buf, 0);
    if (got <= 0) {
      break;
    }
    if (reply.size() + static_cast<std::size_t>(got) > (16u << 20)) {
      return fail(ErrorCode::InvalidInput, "UAPI reply from " + socketPath + " exceeds 16 MiB");
    }
    reply.append(buf, static_cast<std::size_t>(got));
  }
  return parseWgUapi(reply, std::move(name));
}

Result<std::vector<WireguardDevice>> readWireguard(const std::vector<Link>& links,
                                                   std::string_view uapiDir,
                                                   std::chrono::milliseconds timeout) {
  std::vector<WireguardDevice> devices;
  bool kernelTried = false;
  for (const auto& link : links) {
    if (link.kind != "wireguard") {
      continue;
    }
    kernelTried = true;
    auto dev = readWireguardGenl(link.name);
    if (!dev) {
      return std::unexpected(std::move(dev.error()));
    }
    devices.push_back(std::move(*dev));
  }
  bool uapiFound = false;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(std::filesystem::path(uapiDir), ec), end;
       !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() != ".sock") {
      continue;
    }
    const auto ifname = path.stem().string();
    const bool here = std::ranges::any_of(
        links, [&](const Link& l) { return l.name == ifname && l.kind != "wireguard"; });
    if (!here) {
      continue;  // a wireguard-go device of another namespace
    }
    uapiFound = true;
    auto dev = readWireguardUapi(path.string(), ifname, timeout);
    if (!dev) {
      return std::unexpected(std::move(dev.error()));
    }
    devices.push_back(std::move(*dev));
  }
  if (!kernelTried && !uapiFound) {
    // No device here: tell "no devices" apart from "WireGuard cannot exist here".
    auto sock = nl::connect(NETLINK_GENERIC);
    if (sock && genl_ctrl_resolve(sock->get(), WG_GENL_NAME) < 0) {
      return fail(ErrorCode::Unavailable, std::string(kModuleMissing) + " and no UAPI socket in " +
                                              std::string(uapiDir) +
                                              " for an interface of this namespace");
    }
  }
  return devices;
}

}  // namespace egressdiag::datapath
