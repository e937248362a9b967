#include "node-probe/checks/ipv4.h"

#include <arpa/inet.h>

#include <charconv>

namespace egressdiag::checks {
namespace {

std::uint32_t maskOf(int len) {
  return len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
}

}  // namespace

std::optional<Ipv4Prefix> parseIpv4Prefix(std::string_view text) {
  Ipv4Prefix out;
  std::string_view addr = text;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view len = text.substr(slash + 1);
    auto [ptr, ec] = std::from_chars(len.data(), len.data() + len.size(), out.len);
    if (ec != std::errc() || ptr != len.data() + len.size() || out.len < 0 || out.len > 32) {
      return std::nullopt;
    }
  }
  in_addr parsed{};
  if (addr.size() > 15 || inet_pton(AF_INET, std::string(addr).c_str(), &parsed) != 1) {
    return std::nullopt;
  }
  out.addr = ntohl(parsed.s_addr);
  return out;
}

std::string formatIpv4(std::uint32_t addr) {
  in_addr a{htonl(addr)};
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a, buf, sizeof(buf));
  return buf;
}

std::string formatIpsetMember(Ipv4Prefix prefix) {
  std::string out = formatIpv4(prefix.addr & maskOf(prefix.len));
  if (prefix.len != 32) {
    out += "/" + std::to_string(prefix.len);
  }
  return out;
}

bool ipv4InPrefix(std::string_view ip, std::string_view prefix) {
  auto addr = parseIpv4Prefix(ip);
  auto net = parseIpv4Prefix(prefix);
  if (!addr || !net) {
    return false;
  }
  return (addr->addr & maskOf(net->len)) == (net->addr & maskOf(net->len));
}

}  // namespace egressdiag::checks
