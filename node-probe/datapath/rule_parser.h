#pragma once

// Pure parser of `ip rule` / `ip -6 rule` text (the form the runbooks quote).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

// Parses lines like "99:\tfrom all fwmark 0x26b7b4e4 lookup 649573604". Table names local,
// main and default map to 255, 254 and 253. Fails (InvalidInput, "line N: ...") on a missing
// priority, an unknown keyword, a malformed number or a table name other than those three.
Result<std::vector<Rule>> parseIpRules(std::string_view text, IpFamily family);

// "main" -> 254, "local" -> 255, "default" -> 253, decimal numbers as is; nullopt otherwise.
std::optional<std::uint32_t> parseRouteTable(std::string_view name);

// Table as `ip` prints it: 253/254/255 by name, others as decimal.
std::string routeTableName(std::uint32_t table);

}  // namespace egressdiag::datapath
