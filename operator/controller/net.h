#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace egressdiag::controller {

// An IPv4 prefix; a bare address is a /32.
struct Ipv4Prefix {
  std::uint32_t address = 0;  // host byte order, host bits cleared
  int length = 32;

  bool operator==(const Ipv4Prefix&) const = default;
};

// Parses "10.0.0.0/8" or "10.1.2.3" (host bits are cleared); nullopt for anything else,
// including IPv6.
std::optional<Ipv4Prefix> parseIpv4Prefix(std::string_view text);

// True when every address of `inner` lies in `outer`.
bool covers(const Ipv4Prefix& outer, const Ipv4Prefix& inner);

}  // namespace egressdiag::controller
