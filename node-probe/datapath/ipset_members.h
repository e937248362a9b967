#pragma once

// The members of one ipset, held compactly. A large node lists 100,000 members or more per
// pass; as strings they were 5 MiB of the snapshot and most of the reader's time, so the IPv4
// addresses and networks of plain ip/net sets (the sets both egress gateways use) are kept as
// numbers and rendered only when a message or evidence needs their text. Every other member
// (IPv6, MACs, marks, interfaces, the text parsers' members) is kept as text.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace egressdiag::datapath {

// An IPv4 address or network packed in 40 bits: address (host order) << 8 | prefix length.
// Ordering the packed values orders by address, then length.
using Ipv4Packed = std::uint64_t;

constexpr Ipv4Packed packIpv4(std::uint32_t addr, unsigned len) {
  return static_cast<Ipv4Packed>(addr) << 8 | (len > 32 ? 32U : len);
}
constexpr std::uint32_t packedAddr(Ipv4Packed p) {
  return static_cast<std::uint32_t>(p >> 8);
}
constexpr unsigned packedLen(Ipv4Packed p) {
  return static_cast<unsigned>(p & 0xff);
}

// Appends a packed member as ipset prints it: the address, and "/len" when len < 32.
void appendIpv4Member(std::string& out, Ipv4Packed p);

class IpsetMembers {
 public:
  IpsetMembers() = default;
  // Text members, in order (tests, the text parsers).
  IpsetMembers(std::initializer_list<std::string_view> texts);
  explicit IpsetMembers(const std::vector<std::string>& texts);

  // The address is kept as given (host bits are not cleared); a length above 32 reads as 32.
  void addIpv4(std::uint32_t addr, unsigned len) { entries_.push_back(packIpv4(addr, len)); }
  void addText(std::string member);
  void reserve(std::size_t n) { entries_.reserve(n); }

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

  // Member i as a number, when it is held as one.
  std::optional<Ipv4Packed> ipv4(std::size_t i) const {
    return isText(entries_[i]) ? std::nullopt : std::optional<Ipv4Packed>(entries_[i]);
  }
  // Member i when it is held as text; nullptr when it is held as a number.
  const std::string* textEntry(std::size_t i) const {
    return isText(entries_[i]) ? &texts_[entries_[i] & ~kTextTag] : nullptr;
  }

  // Member i as ipset prints it.
  std::string text(std::size_t i) const;
  void appendText(std::string& out, std::size_t i) const;
  std::vector<std::string> texts() const;

  // The first `limit` members as text joined by `separator` after `prefix`, then " and N more"
  // when there are more.
  std::string joined(std::string_view separator, std::string_view prefix = {},
                     std::size_t limit = SIZE_MAX) const;

  // A hash of the members as held (the daemon's change detection; not stable across builds).
  std::uint64_t hash() const;

  // Same members as text, in the same order (a number and its text form are equal).
  bool operator==(const IpsetMembers& other) const;

 private:
  static constexpr std::uint64_t kTextTag = std::uint64_t{1} << 63;
  static bool isText(std::uint64_t e) { return (e & kTextTag) != 0; }

  std::vector<std::uint64_t> entries_;  // Ipv4Packed, or kTextTag | index into texts_
  std::vector<std::string> texts_;
};

}  // namespace egressdiag::datapath
