#pragma once

// Internal helpers shared by the netlink readers: owning handles and address formatting.

#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/socket.h>

#include <memory>
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

}  // namespace egressdiag::datapath::nl
