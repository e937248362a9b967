#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Small text helpers shared by the pure parsers of tool output and the netlink decoders.
namespace egressdiag::datapath {

// Blanks between and around fields; CR because saved outputs may come with CRLF line ends.
inline constexpr std::string_view kBlanks = " \t\r";

// `s` without leading and trailing blanks.
inline std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) {
    return {};
  }
  return s.substr(b, s.find_last_not_of(kBlanks) - b + 1);
}

// Appends `v` in decimal, without std::to_string's temporary.
inline void appendDecimal(std::string& out, unsigned v) {
  char buf[10];
  std::size_t n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) {
    out.push_back(buf[--n]);
  }
}

// Appends the 4 bytes at `b` as inet_ntop prints an IPv4 address, written by hand into a local
// buffer and appended at once: the readers format 100k ipset members and 10k routes, and
// printf-style formatting was their hot spot.
inline void appendIpv4(std::string& out, const std::uint8_t* b) {
  char buf[16];
  std::size_t n = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    if (i > 0) {
      buf[n++] = '.';
    }
    const unsigned v = b[i];
    if (v >= 100) {
      buf[n++] = static_cast<char>('0' + v / 100);
    }
    if (v >= 10) {
      buf[n++] = static_cast<char>('0' + v / 10 % 10);
    }
    buf[n++] = static_cast<char>('0' + v % 10);
  }
  out.append(buf, n);
}

// The same for an address held as a number in host order (ipset members, interface addresses).
inline void appendIpv4(std::string& out, std::uint32_t hostOrder) {
  const std::uint8_t b[4] = {
      static_cast<std::uint8_t>(hostOrder >> 24), static_cast<std::uint8_t>(hostOrder >> 16),
      static_cast<std::uint8_t>(hostOrder >> 8), static_cast<std::uint8_t>(hostOrder)};
  appendIpv4(out, b);
}

// Six bytes as `ip link` prints a MAC address: lower-case hex pairs joined by ':'.
inline std::string macText(const std::uint8_t* b) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out(17, ':');
  for (std::size_t i = 0; i < 6; ++i) {
    out[3 * i] = kHex[b[i] >> 4];
    out[3 * i + 1] = kHex[b[i] & 0xf];
  }
  return out;
}

}  // namespace egressdiag::datapath
