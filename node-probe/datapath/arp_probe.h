#pragma once

// ARP probe of one IPv4 address on its own segment (SPN-EIP-ARP): who answers for an EIP that
// no interface carries. Needs CAP_NET_RAW (an AF_PACKET socket).

#include <chrono>
#include <string_view>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

// Asks for `targetIp` on the UP, non-loopback interface of the calling thread's namespace whose
// IPv4 subnet holds it (the longest such prefix): up to three requests spread over `timeout`;
// after the first reply it listens 200 ms more for other hosts claiming the address, then
// returns. No reply within `timeout` is a success with no replyMacs.
// Fails: InvalidInput (not an IPv4 literal), NotFound (no interface in its subnet: the address
// is not on this node's segment), PermissionDenied (no CAP_NET_RAW), Unavailable (the
// interface has no Ethernet address, socket errors).
Result<ArpProbeResult> arpProbe(std::string_view targetIp, std::chrono::milliseconds timeout);

}  // namespace egressdiag::datapath
