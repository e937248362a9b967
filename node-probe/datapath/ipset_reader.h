#pragma once

// ipset reader (libipset). Lists every set of the calling thread's network namespace in save
// form and hands the text to parseIpsetSave (ipset_parser.h).

#include <string>
#include <vector>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

// The `ipset save` text of all sets. Fails PermissionDenied naming CAP_NET_ADMIN when the
// kernel refuses (libipset needs it even to list, stack.md §2.6), Unavailable for other kernel
// errors (e.g. no ip_set module).
Result<std::string> readIpsetSaveText();

// readIpsetSaveText() parsed.
Result<std::vector<IpsetSet>> readIpsets();

}  // namespace egressdiag::datapath
