#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace egressdiag::checks {

struct Ipv4Prefix {
  std::uint32_t addr = 0;  // host order
  int len = 32;
};

// "10.0.0.1" or "10.0.0.0/24"; nullopt for anything else (IPv6, garbage, bad length).
std::optional<Ipv4Prefix> parseIpv4Prefix(std::string_view text);

// Network form as ipset prints it: host bits cleared, "/32" omitted.
std::string formatIpsetMember(Ipv4Prefix prefix);

std::string formatIpv4(std::uint32_t addr);

// True when `ip` (plain IPv4) lies inside `prefix` ("a.b.c.d/n" or a plain address).
bool ipv4InPrefix(std::string_view ip, std::string_view prefix);

}  // namespace egressdiag::checks
