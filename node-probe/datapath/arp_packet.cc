#include "node-probe/datapath/arp_packet.h"

#include <algorithm>

namespace egressdiag::datapath {
namespace {

constexpr std::uint16_t kHardwareEthernet = 1;
constexpr std::uint16_t kProtocolIpv4 = 0x0800;
constexpr std::uint16_t kOpRequest = 1;
constexpr std::uint16_t kOpReply = 2;

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

void put32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) {
    p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  }
}

std::uint16_t get16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] << 8 | p[1]);
}

std::uint32_t get32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}

}  // namespace

std::array<std::uint8_t, kArpPacketSize> buildArpRequest(const MacAddress& senderMac,
                                                         std::uint32_t senderIp,
                                                         std::uint32_t targetIp) {
  std::array<std::uint8_t, kArpPacketSize> p{};
  put16(&p[0], kHardwareEthernet);
  put16(&p[2], kProtocolIpv4);
  p[4] = 6;  // hardware address length
  p[5] = 4;  // protocol address length
  put16(&p[6], kOpRequest);
  std::copy(senderMac.begin(), senderMac.end(), &p[8]);
  put32(&p[14], senderIp);
  // target hardware address (bytes 18-23) stays zero: that is what is asked for
  put32(&p[24], targetIp);
  return p;
}

std::optional<MacAddress> arpReplyFrom(std::span<const std::uint8_t> packet,
                                       std::uint32_t targetIp) {
  if (packet.size() < kArpPacketSize || get16(&packet[0]) != kHardwareEthernet ||
      get16(&packet[2]) != kProtocolIpv4 || packet[4] != 6 || packet[5] != 4 ||
      get16(&packet[6]) != kOpReply || get32(&packet[14]) != targetIp) {
    return std::nullopt;
  }
  MacAddress mac;
  std::copy(&packet[8], &packet[14], mac.begin());
  return mac;
}

}  // namespace egressdiag::datapath
