#pragma once

// Internal helpers shared by the netlink readers: owning handles, address formatting and a raw
// dump loop.

#include <linux/netlink.h>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/socket.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "operator/common/result.h"

namespace egressdiag::datapath::nl {

struct SockDeleter {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct CacheDeleter {
  void operator()(nl_cache* c) const { nl_cache_free(c); }
};
using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;
using CachePtr = std::unique_ptr<nl_cache, CacheDeleter>;

// The address part of `a` (no prefix) in inet_ntop form; "" for null/empty or non-IP.
std::string ipString(const nl_addr* a);

// "addr/len" of `a`, "" for null/empty.
std::string prefixString(const nl_addr* a);

// MAC "aa:bb:..." of a link-layer address; "" for null/empty.
std::string macString(const nl_addr* a);

// Maps a negative libnl error of `what` to an Error; NLE_PERM/NLE_NOACCESS become
// PermissionDenied naming `capability` (may be empty when the operation needs none).
Error nlError(int err, std::string_view what, std::string_view capability = {});

// A NETLINK_* socket connected in the calling thread's network namespace.
Result<SockPtr> connect(int protocol);

// The sequence number a rawDump request carries.
constexpr std::uint32_t kDumpSeq = 1;

// A dump without libnl, for the large ones (routes, ipset members), decoded in place from the
// receive buffer: sends `request` (a whole message with NLM_F_REQUEST | NLM_F_DUMP and
// nlmsg_seq = kDumpSeq) on a new NETLINK_`protocol` socket in the calling thread's namespace
// and passes every reply message to `onMessage` until NLMSG_DONE.
// Fails with onMessage's first error, PermissionDenied (strerror text) when the kernel answers
// EPERM/EACCES, and Unavailable for any other socket or kernel error and for a dump the kernel
// marks interrupted (NLM_F_DUMP_INTR).
Result<void> rawDump(int protocol, std::span<const std::uint8_t> request,
                     const std::function<Result<void>(const nlmsghdr&)>& onMessage);

}  // namespace egressdiag::datapath::nl
