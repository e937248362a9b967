#pragma once

// CNI configuration directory reader and the pure parser of one CNI config file.

#include <string>
#include <string_view>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

inline constexpr const char* kCniConfDir = "/etc/cni/net.d";

// Parses a .conflist (name, cniVersion, plugins[].type) or a single-plugin .conf/.json (its
// type becomes the only plugin). Fails (InvalidInput) on bad JSON or missing/mistyped fields.
Result<CniConflist> parseCniConfig(std::string_view json, std::string fileName);

// Lists *.conflist, *.conf, *.json in `dir` sorted by name (libcni's order: the first file
// wins) and parses the first. `first` holds NotFound when there is none. Fails NotFound when
// the directory does not exist, PermissionDenied/Unavailable when it cannot be read.
Result<CniConfDir> readCniConfDir(std::string_view dir = kCniConfDir);

}  // namespace egressdiag::datapath
