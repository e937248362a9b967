#pragma once

// Sysctl reader. /proc/sys/net resolves to the network namespace of the reading *thread*, so
// inside NetnsExecutor it reads the target namespace's values.

#include <string>
#include <string_view>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

inline constexpr const char* kProcSysNet = "/proc/sys/net";

// ip_forward, rp_filter of all/default and of every interface under <root>/ipv4/conf.
// A value that cannot be read stays empty; fails (Unavailable) only when <root>/ipv4 cannot be
// read at all.
Result<Sysctls> readSysctls(std::string_view root = kProcSysNet);

}  // namespace egressdiag::datapath
