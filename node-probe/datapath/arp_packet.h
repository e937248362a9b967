#pragma once

// ARP packets for Ethernet and IPv4 (RFC 826), as an AF_PACKET SOCK_DGRAM socket sends and
// receives them (without the Ethernet header). Pure: the probe's socket code (arp_probe.h) and
// the tests share them.

#include <array>
#include <cstdint>
#include <optional>
#include <span>

namespace egressdiag::datapath {

using MacAddress = std::array<std::uint8_t, 6>;
inline constexpr std::size_t kArpPacketSize = 28;

// A who-has request for `targetIp` from `senderMac` / `senderIp` (addresses in host order).
std::array<std::uint8_t, kArpPacketSize> buildArpRequest(const MacAddress& senderMac,
                                                         std::uint32_t senderIp,
                                                         std::uint32_t targetIp);

// The sender MAC of `packet` when it is an Ethernet/IPv4 ARP reply from `targetIp`; nullopt for
// anything else (requests, other addresses, short or foreign packets).
std::optional<MacAddress> arpReplyFrom(std::span<const std::uint8_t> packet,
                                       std::uint32_t targetIp);

}  // namespace egressdiag::datapath
