#include "node-probe/datapath/ipset_members.h"

#include <algorithm>

#include "node-probe/datapath/text.h"

namespace egressdiag::datapath {

void appendIpv4Member(std::string& out, Ipv4Packed p) {
  appendIpv4(out, packedAddr(p));
  if (packedLen(p) < 32) {
    out.push_back('/');
    appendDecimal(out, packedLen(p));
  }
}

IpsetMembers::IpsetMembers(std::initializer_list<std::string_view> texts) {
  entries_.reserve(texts.size());
  for (std::string_view t : texts) {
    addText(std::string(t));
  }
}

IpsetMembers::IpsetMembers(const std::vector<std::string>& texts) {
  entries_.reserve(texts.size());
  for (const std::string& t : texts) {
    addText(t);
  }
}

void IpsetMembers::addText(std::string member) {
  entries_.push_back(kTextTag | texts_.size());
  texts_.push_back(std::move(member));
}

void IpsetMembers::appendText(std::string& out, std::size_t i) const {
  if (const std::string* t = textEntry(i)) {
    out += *t;
  } else {
    appendIpv4Member(out, entries_[i]);
  }
}

std::string IpsetMembers::text(std::size_t i) const {
  std::string out;
  appendText(out, i);
  return out;
}

std::vector<std::string> IpsetMembers::texts() const {
  std::vector<std::string> out;
  out.reserve(size());
  for (std::size_t i = 0; i < size(); ++i) {
    out.push_back(text(i));
  }
  return out;
}

std::string IpsetMembers::joined(std::string_view separator, std::string_view prefix,
                                 std::size_t limit) const {
  const std::size_t shown = std::min(limit, size());
  std::size_t length = prefix.size() + separator.size() * shown + 24;
  for (std::size_t i = 0; i < shown; ++i) {
    const std::string* t = textEntry(i);
    length += t != nullptr ? t->size() : std::size_t{18};  // "255.255.255.255/32"
  }
  std::string out;
  out.reserve(length);
  out += prefix;
  for (std::size_t i = 0; i < shown; ++i) {
    if (i > 0) {
      out += separator;
    }
    appendText(out, i);
  }
  if (shown < size()) {
    out += " and ";
    appendDecimal(out, static_cast<unsigned>(size() - shown));
    out += " more";
  }
  return out;
}

std::uint64_t IpsetMembers::hash() const {
  // FNV-1a over the entries and the text members.
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](std::uint64_t v) {
    for (int b = 0; b < 8; ++b) {
      h = (h ^ ((v >> (8 * b)) & 0xff)) * 1099511628211ULL;
    }
  };
  for (std::uint64_t e : entries_) {
    mix(e);
  }
  for (const std::string& t : texts_) {
    for (const char c : t) {
      h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    }
    mix(t.size());
  }
  return h;
}

bool IpsetMembers::operator==(const IpsetMembers& other) const {
  if (size() != other.size()) {
    return false;
  }
  std::string a;
  std::string b;
  for (std::size_t i = 0; i < size(); ++i) {
    if (entries_[i] == other.entries_[i] && !isText(entries_[i])) {
      continue;
    }
    a.clear();
    b.clear();
    appendText(a, i);
    other.appendText(b, i);
    if (a != b) {
      return false;
    }
  }
  return true;
}

}  // namespace egressdiag::datapath
