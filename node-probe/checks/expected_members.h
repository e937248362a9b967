#pragma once

// Ipset members in comparable form, and the expected members of one set with that form computed
// once per expectation: a large node compares 100,000 members per pass, and parsing and sorting
// the expected ones each time was most of the checks' cost.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/datapath/ipset_members.h"

namespace egressdiag::checks {

// Members sorted and de-duplicated: IPv4 addresses and networks as packed numbers with host
// bits cleared (what the kernel stores), anything else as text.
struct MemberKeys {
  std::vector<datapath::Ipv4Packed> ipv4;
  std::vector<std::string> other;
};

// The comparable form of the text `ipset` would print for a member: "a.b.c.d" or "a.b.c.d/n"
// as inet_pton reads it (no leading zeros), host bits cleared. `canonical` tells whether the
// text is already the form ipset prints (host bits clear, no "/32"). nullopt for anything else.
struct Ipv4MemberKey {
  datapath::Ipv4Packed key = 0;
  bool canonical = false;
};
std::optional<Ipv4MemberKey> ipv4MemberKey(std::string_view text);

class ExpectedMembers {
 public:
  ExpectedMembers() = default;
  // `sorted`: the members as ipset lists them, sorted as text. Implicit: expectations and tests
  // assign plain lists.
  ExpectedMembers(std::vector<std::string> sorted);  // NOLINT(google-explicit-constructor)

  const std::vector<std::string>& text() const { return text_; }
  std::size_t size() const { return text_.size(); }
  bool empty() const { return text_.empty(); }
  auto begin() const { return text_.begin(); }
  auto end() const { return text_.end(); }

  // The comparable form; nullptr when the text cannot be compared as numbers (a duplicate, or
  // an IPv4 member not in ipset's form): the checks then compare text.
  const MemberKeys* keys() const { return decidable_ ? &keys_ : nullptr; }

  // Whether a set holding `have` holds exactly these members (or at least these, with
  // `extrasAllowed`), compared as ipset stores them: networks with host bits cleared, "/32"
  // dropped, duplicates ignored. nullopt when keys() is nullptr. Looks each member up in a hash
  // index of the keys built with them: one pass over a set's members, no sorting (sorting them
  // or binary searches were the checks' cost on a 100,000-member node).
  std::optional<bool> matches(const datapath::IpsetMembers& have, bool extrasAllowed) const;

  // Equal text is equal members: the rest is derived from it.
  bool operator==(const ExpectedMembers& other) const { return text_ == other.text_; }
  bool operator==(const std::vector<std::string>& other) const { return text_ == other; }

 private:
  std::vector<std::string> text_;
  MemberKeys keys_;
  // Open addressing over keys_.ipv4, linear probing: slot -> position + 1, 0 when empty. Sized
  // to a power of two at least twice the keys (empty without keys).
  std::vector<std::uint32_t> slots_;

  // Position of `key` in keys_.ipv4, if there.
  std::optional<std::size_t> find(datapath::Ipv4Packed key) const;
  bool decidable_ = true;  // an empty list compares as numbers
};

}  // namespace egressdiag::checks
