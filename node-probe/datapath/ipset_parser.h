#pragma once

// Pure parsers of ipset text: the save form (what the libipset reader produces) and the
// `ipset list` form (what the runbook shows). No I/O, safe on any input.

#include <string>
#include <string_view>
#include <vector>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

// Parses `ipset save` text ("create NAME TYPE opts..." / "add NAME MEMBER [opts]").
// Fails (InvalidInput, "line N: ...") on an unknown keyword, an `add` before its `create`, a
// duplicate `create`, or a line without the fields it needs.
Result<std::vector<IpsetSet>> parseIpsetSave(std::string_view text);

// Parses `ipset list [NAME]` text (blocks of "Name:", "Type:", "Header:", ..., "Members:").
// createLine holds the block's header lines joined with '\n'.
// Fails (InvalidInput) on a block without Name or Type, or text outside a block.
Result<std::vector<IpsetSet>> parseIpsetList(std::string_view text);

// Member as ipset prints it: drops "/32" (inet) or "/128" (inet6); other text unchanged.
std::string normaliseIpsetMember(std::string_view member, std::string_view family);

}  // namespace egressdiag::datapath
