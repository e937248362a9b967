#pragma once

// Pure parsers of ipset data: the kernel's netlink list dump (what the reader receives), the
// save form (the libipset fallback) and the `ipset list` form (what the runbook shows).
// No I/O, safe on any input.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
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

// Decodes the kernel's answer to an ipset list dump (nfnetlink subsystem IPSET_CMD_LIST), one
// message at a time, straight into IpsetSet values: no text rendering and re-parsing of members.
// Members are rendered as `ipset save` prints them (already normalised: no "/32", "/128"); the
// IPv4 members of inet hash/bitmap sets of one ip or net dimension are kept as numbers.
// createLine is rebuilt from the set's header attributes (family, hashsize, maxelem, netmask,
// timeout, size, range, flags, bucketsize, initval), in save order.
class IpsetDumpDecoder {
 public:
  // `attrs`: the attributes of one message (after nlmsghdr and nfgenmsg).
  // Fails InvalidInput on a truncated or malformed attribute, or members of a set whose header
  // was not seen; Unavailable for set types with a dimension this decoder does not render
  // (anything but ip, net, mac, mark, iface, set): the caller then uses libipset instead.
  Result<void> addMessage(std::span<const std::uint8_t> attrs);

  // The sets decoded so far, in dump order.
  std::vector<IpsetSet> take() && { return std::move(sets_); }

 private:
  std::vector<IpsetSet> sets_;
  std::vector<std::vector<std::string>> dims_;  // per set: its type's dimensions ("ip", "mac")
  std::vector<bool> plainIpv4_;  // per set: inet ip or net, members decoded as numbers
  std::unordered_map<std::string, std::size_t> byName_;
};

// Member as ipset prints it: drops "/32" (inet) or "/128" (inet6); other text unchanged.
std::string normaliseIpsetMember(std::string_view member, std::string_view family);

}  // namespace egressdiag::datapath
