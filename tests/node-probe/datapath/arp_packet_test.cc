#include "node-probe/datapath/arp_packet.h"

#include <gtest/gtest.h>

#include <vector>

#include "node-probe/datapath/text.h"

namespace egressdiag::datapath {
namespace {

constexpr MacAddress kMac = {0x02, 0x42, 0xac, 0x10, 0x19, 0xbd};

// The bytes RFC 826 lays out, as tcpdump -xx shows a request after the Ethernet header.
TEST(ArpPacket, RequestLayout) {
  const auto p = buildArpRequest(kMac, 0x0a060115, 0xac1019bd);  // 10.6.1.21 asks 172.16.25.189
  const std::vector<std::uint8_t> want = {
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,  // Ethernet, IPv4, 6, 4, request
      0x02, 0x42, 0xac, 0x10, 0x19, 0xbd,              // sender MAC
      0x0a, 0x06, 0x01, 0x15,                          // sender IP
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00,              // target MAC: asked for
      0xac, 0x10, 0x19, 0xbd};                         // target IP
  EXPECT_EQ(std::vector<std::uint8_t>(p.begin(), p.end()), want);
}

TEST(ArpPacket, ReplyFromTheAskedAddressOnly) {
  auto reply = buildArpRequest(kMac, 0xac1019bd, 0x0a060115);  // sender = the EIP
  reply[7] = 2;                                                // op: reply
  const auto mac = arpReplyFrom(reply, 0xac1019bd);
  ASSERT_TRUE(mac.has_value());
  EXPECT_EQ(macText(mac->data()), "02:42:ac:10:19:bd");
  EXPECT_FALSE(arpReplyFrom(reply, 0xac1019be).has_value());  // another address
  auto request = reply;
  request[7] = 1;
  EXPECT_FALSE(arpReplyFrom(request, 0xac1019bd).has_value());  // a request, not a reply
  EXPECT_FALSE(arpReplyFrom(std::span(reply).first(27), 0xac1019bd).has_value());  // short
  auto ipv6 = reply;
  ipv6[2] = 0x86;
  ipv6[3] = 0xdd;
  EXPECT_FALSE(arpReplyFrom(ipv6, 0xac1019bd).has_value());
  auto longer = std::vector<std::uint8_t>(reply.begin(), reply.end());
  longer.resize(60);  // Ethernet padding after the packet
  EXPECT_TRUE(arpReplyFrom(longer, 0xac1019bd).has_value());
}

}  // namespace
}  // namespace egressdiag::datapath
