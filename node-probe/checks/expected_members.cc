#include "node-probe/checks/expected_members.h"

#include <algorithm>
#include <bit>
#include <charconv>

namespace egressdiag::checks {
namespace {

std::uint32_t maskOf(unsigned len) {
  return len == 0 ? 0 : ~std::uint32_t{0} << (32 - len);
}

// Masked, as the kernel keeps a network.
datapath::Ipv4Packed masked(datapath::Ipv4Packed p) {
  const unsigned len = datapath::packedLen(p);
  return datapath::packIpv4(datapath::packedAddr(p) & maskOf(len), len);
}

// Fibonacci hashing into a table of `slots` (a power of two): the packed keys of one set differ
// in few, low bits (consecutive pod IPs), which the multiplication spreads over the top bits.
std::size_t slotOf(datapath::Ipv4Packed key, std::size_t slots) {
  const int bits = std::countr_zero(slots);
  return bits == 0 ? 0 : static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

void sortUnique(MemberKeys& k) {
  std::ranges::sort(k.ipv4);
  k.ipv4.erase(std::unique(k.ipv4.begin(), k.ipv4.end()), k.ipv4.end());
  std::ranges::sort(k.other);
  k.other.erase(std::unique(k.other.begin(), k.other.end()), k.other.end());
}

}  // namespace

std::optional<Ipv4MemberKey> ipv4MemberKey(std::string_view text) {
  // One pointer walk, digits checked by one unsigned compare each: the text path still runs for
  // the members of text-parsed snapshots.
  const char* p = text.data();
  const char* const end = p + text.size();
  std::uint32_t addr = 0;
  for (int octet = 0; octet < 4; ++octet) {
    if (octet > 0) {
      if (p == end || *p != '.') {
        return std::nullopt;
      }
      ++p;
    }
    if (p == end || static_cast<unsigned>(*p - '0') > 9) {
      return std::nullopt;
    }
    unsigned v = static_cast<unsigned>(*p++ - '0');
    // A leading 0 is the whole octet: "01" fails at the next separator.
    for (int more = 0; v != 0 && more < 2 && p != end && static_cast<unsigned>(*p - '0') <= 9;
         ++more) {
      v = v * 10 + static_cast<unsigned>(*p++ - '0');
    }
    if (v > 255) {
      return std::nullopt;
    }
    addr = addr << 8 | v;
  }
  const auto i = static_cast<std::size_t>(p - text.data());
  unsigned len = 32;
  bool slash = false;
  if (i < text.size()) {
    if (text[i] != '/') {
      return std::nullopt;
    }
    slash = true;
    const std::string_view rest = text.substr(i + 1);
    auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), len);
    if (ec != std::errc() || ptr != rest.data() + rest.size() || len > 32) {
      return std::nullopt;
    }
  }
  const std::uint32_t net = addr & maskOf(len);
  return Ipv4MemberKey{datapath::packIpv4(net, len), net == addr && !(slash && len == 32)};
}

ExpectedMembers::ExpectedMembers(std::vector<std::string> sorted) : text_(std::move(sorted)) {
  decidable_ = true;
  keys_.ipv4.reserve(text_.size());
  for (const std::string& m : text_) {
    if (const auto k = ipv4MemberKey(m)) {
      decidable_ = decidable_ && k->canonical;
      keys_.ipv4.push_back(k->key);
    } else {
      keys_.other.push_back(m);
    }
  }
  sortUnique(keys_);
  decidable_ = decidable_ && keys_.ipv4.size() + keys_.other.size() == text_.size();
  if (!decidable_) {
    keys_ = {};
    return;
  }
  if (keys_.ipv4.empty()) {
    return;
  }
  slots_.assign(std::bit_ceil(2 * keys_.ipv4.size()), 0);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t pos = 0; pos < keys_.ipv4.size(); ++pos) {
    std::size_t slot = slotOf(keys_.ipv4[pos], slots_.size());
    while (slots_[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    slots_[slot] = static_cast<std::uint32_t>(pos + 1);
  }
}

std::optional<std::size_t> ExpectedMembers::find(datapath::Ipv4Packed key) const {
  if (slots_.empty()) {
    return std::nullopt;
  }
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t slot = slotOf(key, slots_.size()); slots_[slot] != 0; slot = (slot + 1) & mask) {
    const std::size_t pos = slots_[slot] - 1;
    if (keys_.ipv4[pos] == key) {
      return pos;
    }
  }
  return std::nullopt;
}

std::optional<bool> ExpectedMembers::matches(const datapath::IpsetMembers& have,
                                             bool extrasAllowed) const {
  if (!decidable_) {
    return std::nullopt;
  }
  // Which expected members were seen, so a member listed twice counts once.
  std::vector<bool> seenIpv4(keys_.ipv4.size());
  std::vector<bool> seenOther(keys_.other.size());
  std::size_t seen = 0;
  auto mark = [&](std::vector<bool>& marks, std::size_t index) {
    if (!marks[index]) {
      marks[index] = true;
      ++seen;
    }
  };
  for (std::size_t i = 0; i < have.size(); ++i) {
    std::optional<datapath::Ipv4Packed> key = have.ipv4(i);
    if (key) {
      key = masked(*key);
    } else if (const auto k = ipv4MemberKey(*have.textEntry(i))) {
      key = k->key;
    }
    if (key) {
      if (const auto pos = find(*key)) {
        mark(seenIpv4, *pos);
      } else if (!extrasAllowed) {
        return false;
      }
      continue;
    }
    const std::string& text = *have.textEntry(i);
    const auto it = std::ranges::lower_bound(keys_.other, text);
    if (it != keys_.other.end() && *it == text) {
      mark(seenOther, static_cast<std::size_t>(it - keys_.other.begin()));
    } else if (!extrasAllowed) {
      return false;
    }
  }
  return seen == keys_.ipv4.size() + keys_.other.size();
}

}  // namespace egressdiag::checks
