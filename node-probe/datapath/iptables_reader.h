#pragma once

// iptables reader: runs `ip[6]tables-{nft,legacy}-save` (no shell) in the calling thread's
// network namespace and parses the output (iptables_parser.h).

#include <chrono>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

struct IptablesReadOptions {
  bool ipv6 = false;  // also run ip6tables-{nft,legacy}-save
  std::chrono::milliseconds timeout{10000};
};

// Runs the nft and legacy saves (IPv4, plus IPv6 when asked) concurrently and summarises them
// (summariseIptables). A legacy save of a family without legacy tables in the namespace
// (/proc/thread-self/net/ip{,6}_tables_names empty) is not run: its empty output is built
// directly. An nft save's output is reused from the previous save in the same namespace (and
// parsed again) while that namespace's nftables generation (NFT_MSG_GETGEN) is unchanged; its
// chain counters are then those of that save. Each
// save's own failure lands in its `dump`: Unavailable when the binary is missing, PermissionDenied
// naming CAP_NET_ADMIN when the kernel refuses, Timeout. Fails as a whole, with that save's error,
// when a save is refused (PermissionDenied naming CAP_NET_ADMIN) or times out: the backends cannot
// be judged from one side. A missing binary only drops its backend; when every save failed, fails
// with the first error.
Result<IptablesSnapshot> readIptables(const IptablesReadOptions& options = {});

// One save: `command` like "iptables-nft-save". Never fails as a whole; see readIptables.
IptablesSave runIptablesSave(IptablesBackend backend, IpFamily family, const std::string& command,
                             std::chrono::milliseconds timeout);

}  // namespace egressdiag::datapath
