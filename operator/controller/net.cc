#include "operator/controller/net.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace egressdiag::controller {
namespace {

std::uint32_t maskOf(int length) {
  return length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
}

}  // namespace

std::optional<Ipv4Prefix> parseIpv4Prefix(std::string_view text) {
  std::size_t slash = text.find('/');
  std::string address(text.substr(0, slash));
  int length = 32;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size() ||
        length < 0 || length > 32) {
      return std::nullopt;
    }
  }
  in_addr parsed{};
  if (inet_pton(AF_INET, address.c_str(), &parsed) != 1) {
    return std::nullopt;
  }
  std::uint32_t host = ntohl(parsed.s_addr);
  return Ipv4Prefix{host & maskOf(length), length};
}

bool covers(const Ipv4Prefix& outer, const Ipv4Prefix& inner) {
  return outer.length <= inner.length && (inner.address & maskOf(outer.length)) == outer.address;
}

}  // namespace egressdiag::controller
