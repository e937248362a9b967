#pragma once

// ipset reader. Lists every set of the calling thread's network namespace with one nfnetlink
// dump decoded straight into values (IpsetDumpDecoder, ipset_parser.h); libipset's save text
// parsed by parseIpsetSave is the fallback for what the decoder does not handle.

#include <string>
#include <vector>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

// The `ipset save` text of all sets. Fails PermissionDenied naming CAP_NET_ADMIN when the
// kernel refuses (libipset needs it even to list, stack.md §2.6), Unavailable for other kernel
// errors (e.g. no ip_set module).
Result<std::string> readIpsetSaveText();

// Every set with its members. Fails PermissionDenied naming CAP_NET_ADMIN when the kernel
// refuses the dump. Any other netlink failure (an older ipset protocol, a set type with ports)
// falls back to readIpsetSaveText() parsed, and fails as that does.
Result<std::vector<IpsetSet>> readIpsets();

}  // namespace egressdiag::datapath
