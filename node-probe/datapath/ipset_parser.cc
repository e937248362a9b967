#include "node-probe/datapath/ipset_parser.h"

#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netlink.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <utility>

#include "node-probe/datapath/text.h"

namespace egressdiag::datapath {
namespace {

// Next blank-separated word of `s`, advancing `s` past it.
std::string_view nextWord(std::string_view& s) {
  s = trim(s);
  const auto end = s.find_first_of(kBlanks);
  const auto word = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  return word;
}

// "family inet6" within create options / a list Header; "inet" when absent (ipset's default).
std::string familyOf(std::string_view options) {
  while (!options.empty()) {
    const auto w = nextWord(options);
    if (w == "family") {
      const auto f = nextWord(options);
      return f.empty() ? std::string("inet") : std::string(f);
    }
    if (w.empty()) {
      break;
    }
  }
  return "inet";
}

std::unexpected<Error> lineError(std::string_view form, std::size_t lineNo, std::string_view what) {
  return fail(ErrorCode::InvalidInput,
              std::string(form) + " line " + std::to_string(lineNo) + ": " + std::string(what));
}

// Calls fn(lineNo, trimmedLine) for each line; stops at the first error fn returns.
template <class Fn>
Result<void> forEachLine(std::string_view text, Fn&& fn) {
  std::size_t start = 0;
  std::size_t lineNo = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    ++lineNo;
    auto r = fn(lineNo, trim(text.substr(start, end - start)));
    if (!r) {
      return r;
    }
    start = end + 1;
  }
  return {};
}

// ---- netlink dump ----------------------------------------------------------------------------

using Bytes = std::span<const std::uint8_t>;

// The attributes of one nesting level, indexed by type (without the NESTED/BYTEORDER bits).
// Types above MaxType are ignored: each level is sized to the highest type read from it, as it
// is parsed twice per member.
template <std::size_t MaxType>
using Attrs = std::array<std::optional<Bytes>, MaxType + 1>;
constexpr std::size_t kMaxTopAttr = IPSET_ATTR_ADT;
constexpr std::size_t kMaxHeaderAttr = IPSET_ATTR_MEMSIZE;
constexpr std::size_t kMaxElementAttr = IPSET_ATTR_IFACE;
constexpr std::size_t kMaxAddrAttr = IPSET_ATTR_IPADDR_IPV6;

// The header of the attribute at the start of `data` (host byte order; may be unaligned).
nlattr attrHeader(Bytes data) {
  nlattr h;
  std::memcpy(&h, data.data(), sizeof h);
  return h;
}

template <std::size_t MaxType>
Result<Attrs<MaxType>> parseAttrs(Bytes data) {
  Attrs<MaxType> out;
  while (data.size() >= NLA_HDRLEN) {
    const nlattr h = attrHeader(data);
    const std::size_t len = h.nla_len;
    const std::size_t type = h.nla_type & NLA_TYPE_MASK;
    if (len < NLA_HDRLEN || len > data.size()) {
      return fail(ErrorCode::InvalidInput,
                  "ipset dump: attribute length " + std::to_string(len) + " outside its message");
    }
    if (type <= MaxType) {
      out[type] = data.subspan(NLA_HDRLEN, len - NLA_HDRLEN);
    }
    data = data.subspan(std::min<std::size_t>(NLA_ALIGN(len), data.size()));
  }
  return out;
}

std::string attrString(Bytes b) {
  std::string s(reinterpret_cast<const char*>(b.data()), b.size());
  if (const auto nul = s.find('\0'); nul != std::string::npos) {
    s.resize(nul);
  }
  return s;
}

// An unsigned attribute of 1, 2 or 4 bytes (multi-byte ones in network order, as ipset sends
// them); nullopt for any other size.
std::optional<std::uint32_t> attrUint(const std::optional<Bytes>& b) {
  if (!b) {
    return std::nullopt;
  }
  switch (b->size()) {
    case 1:
      return (*b)[0];
    case 2:
      return static_cast<std::uint32_t>((*b)[0] << 8 | (*b)[1]);
    case 4:
      return static_cast<std::uint32_t>((*b)[0]) << 24 | static_cast<std::uint32_t>((*b)[1]) << 16 |
             static_cast<std::uint32_t>((*b)[2]) << 8 | (*b)[3];
    default:
      return std::nullopt;
  }
}

// Appends the address in a nested IPSET_ATTR_IP* attribute in inet_ntop's form. True for IPv6.
Result<bool> appendIp(std::string& out, Bytes nested) {
  auto inner = parseAttrs<kMaxAddrAttr>(nested);
  if (!inner) {
    return std::unexpected(std::move(inner.error()));
  }
  if (const auto& v4 = (*inner)[IPSET_ATTR_IPADDR_IPV4]; v4 && v4->size() == 4) {
    appendIpv4(out, v4->data());
    return false;
  }
  if (const auto& v6 = (*inner)[IPSET_ATTR_IPADDR_IPV6]; v6 && v6->size() == 16) {
    char buf[INET6_ADDRSTRLEN];
    if (::inet_ntop(AF_INET6, v6->data(), buf, sizeof buf) != nullptr) {
      out += buf;
      return true;
    }
  }
  return fail(ErrorCode::InvalidInput, "ipset dump: address attribute without IPv4/IPv6 value");
}

// One element's attributes rendered as `ipset save` prints the member: dimensions joined by ",",
// a prefix length only when shorter than the address.
Result<std::string> renderMember(const std::vector<std::string>& dims,
                                 const Attrs<kMaxElementAttr>& a) {
  std::string out;
  int ipDims = 0;
  for (const std::string& dim : dims) {
    if (!out.empty()) {
      out.push_back(',');
    }
    if (dim == "ip" || dim == "net") {
      const std::size_t ipAttr =
          ipDims == 0 ? std::size_t{IPSET_ATTR_IP} : std::size_t{IPSET_ATTR_IP2};
      const std::size_t cidrAttr =
          ipDims == 0 ? std::size_t{IPSET_ATTR_CIDR} : std::size_t{IPSET_ATTR_CIDR2};
      ++ipDims;
      if (!a[ipAttr]) {
        return fail(ErrorCode::InvalidInput, "ipset dump: element without its address");
      }
      auto v6 = appendIp(out, *a[ipAttr]);
      if (!v6) {
        return std::unexpected(std::move(v6.error()));
      }
      if (const auto cidr = attrUint(a[cidrAttr]); cidr && *cidr < (*v6 ? 128U : 32U)) {
        out.push_back('/');
        appendDecimal(out, *cidr);
      }
    } else if (dim == "mac") {
      if (!a[IPSET_ATTR_ETHER] || a[IPSET_ATTR_ETHER]->size() != 6) {
        return fail(ErrorCode::InvalidInput, "ipset dump: element without its MAC address");
      }
      char buf[18];
      const Bytes m = *a[IPSET_ATTR_ETHER];
      std::snprintf(buf, sizeof buf, "%02X:%02X:%02X:%02X:%02X:%02X", m[0], m[1], m[2], m[3], m[4],
                    m[5]);
      out += buf;
    } else if (dim == "mark") {
      const auto mark = attrUint(a[IPSET_ATTR_MARK]);
      if (!mark) {
        return fail(ErrorCode::InvalidInput, "ipset dump: element without its mark");
      }
      char buf[11];
      std::snprintf(buf, sizeof buf, "0x%08x", *mark);
      out += buf;
    } else if (dim == "iface") {
      if (!a[IPSET_ATTR_IFACE]) {
        return fail(ErrorCode::InvalidInput, "ipset dump: element without its interface");
      }
      const auto flags = attrUint(a[IPSET_ATTR_CADT_FLAGS]).value_or(0);
      out += (flags & IPSET_FLAG_PHYSDEV) != 0 ? "physdev:" : "";
      out += attrString(*a[IPSET_ATTR_IFACE]);
    } else {  // "set": decodeHeader admits no other dimension
      if (!a[IPSET_ATTR_NAME]) {
        return fail(ErrorCode::InvalidInput, "ipset dump: element without its set name");
      }
      out += attrString(*a[IPSET_ATTR_NAME]);
    }
  }
  return out;
}

// "hash:net,iface" -> {"net", "iface"}; Unavailable for a dimension renderMember does not know
// (ports need ipset's protocol and ICMP names).
Result<std::vector<std::string>> typeDimensions(std::string_view type) {
  std::vector<std::string> dims;
  std::string_view rest =
      type.substr(type.find(':') == std::string_view::npos ? type.size() : type.find(':') + 1);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto dim = rest.substr(0, comma);
    if (dim != "ip" && dim != "net" && dim != "mac" && dim != "mark" && dim != "iface" &&
        dim != "set") {
      return fail(ErrorCode::Unavailable,
                  "ipset dump: members of type " + std::string(type) + " are not decoded");
    }
    dims.emplace_back(dim);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  if (dims.empty()) {
    return fail(ErrorCode::InvalidInput, "ipset dump: set type \"" + std::string(type) + "\"");
  }
  return dims;
}

// `create NAME TYPE options` in save order, from the header's IPSET_ATTR_DATA.
Result<std::string> createLine(const IpsetSet& set, const std::optional<Bytes>& data) {
  std::string line = "create " + set.name + " " + set.type;
  auto h = parseAttrs<kMaxHeaderAttr>(data.value_or(Bytes{}));
  if (!h) {
    return std::unexpected(std::move(h.error()));
  }
  if ((*h)[IPSET_ATTR_IP] && (*h)[IPSET_ATTR_IP_TO]) {
    line += " range ";
    if (auto r = appendIp(line, *(*h)[IPSET_ATTR_IP]); !r) {
      return std::unexpected(std::move(r.error()));
    }
    line += "-";
    if (auto r = appendIp(line, *(*h)[IPSET_ATTR_IP_TO]); !r) {
      return std::unexpected(std::move(r.error()));
    }
  }
  if (set.type.starts_with("hash:")) {
    line += " family " + set.family;
  }
  auto option = [&](const char* name, int attr) {
    if (const auto v = attrUint((*h)[static_cast<std::size_t>(attr)])) {
      line += std::string(" ") + name + " ";
      appendDecimal(line, *v);
    }
  };
  option("hashsize", IPSET_ATTR_HASHSIZE);
  option("maxelem", IPSET_ATTR_MAXELEM);
  option("netmask", IPSET_ATTR_NETMASK);
  option("timeout", IPSET_ATTR_TIMEOUT);
  option("size", IPSET_ATTR_SIZE);
  const auto flags = attrUint((*h)[IPSET_ATTR_CADT_FLAGS]).value_or(0);
  for (const auto& [bit, word] : {std::pair{IPSET_FLAG_WITH_COUNTERS, " counters"},
                                  std::pair{IPSET_FLAG_WITH_COMMENT, " comment"},
                                  std::pair{IPSET_FLAG_WITH_SKBINFO, " skbinfo"},
                                  std::pair{IPSET_FLAG_WITH_FORCEADD, " forceadd"}}) {
    if ((flags & static_cast<std::uint32_t>(bit)) != 0) {
      line += word;
    }
  }
  option("bucketsize", IPSET_ATTR_BUCKETSIZE);
  if (const auto v = attrUint((*h)[IPSET_ATTR_INITVAL])) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "0x%08x", *v);
    line += std::string(" initval ") + buf;
  }
  return line;
}

// The member of a plain IPv4 ip/net set's element as a number: IPSET_ATTR_IP holding an
// IPv4 address, and IPSET_ATTR_CIDR when present. Walks the attributes without parseAttrs'
// table: this runs for every member of every set. nullopt when the element is anything else
// (the caller then renders it, or reports why it cannot).
std::optional<Ipv4Packed> plainIpv4Member(Bytes element) {
  std::optional<std::uint32_t> addr;
  unsigned len = 32;
  while (element.size() >= NLA_HDRLEN) {
    const nlattr h = attrHeader(element);
    const std::size_t n = h.nla_len;
    if (n < NLA_HDRLEN || n > element.size()) {
      return std::nullopt;
    }
    const Bytes value = element.subspan(NLA_HDRLEN, n - NLA_HDRLEN);
    switch (h.nla_type & NLA_TYPE_MASK) {
      case IPSET_ATTR_IP: {
        if (value.size() < NLA_HDRLEN) {
          return std::nullopt;
        }
        const nlattr inner = attrHeader(value);
        if ((inner.nla_type & NLA_TYPE_MASK) != IPSET_ATTR_IPADDR_IPV4 ||
            inner.nla_len != NLA_HDRLEN + 4 || value.size() < NLA_HDRLEN + 4) {
          return std::nullopt;
        }
        addr = attrUint(value.subspan(NLA_HDRLEN, 4));
        break;
      }
      case IPSET_ATTR_CIDR: {
        const auto cidr = attrUint(value);
        if (!cidr) {
          return std::nullopt;
        }
        len = std::min(*cidr, 32U);
        break;
      }
      default:
        break;  // timeout, counters, comment: not part of the member
    }
    element = element.subspan(std::min<std::size_t>(NLA_ALIGN(n), element.size()));
  }
  if (!addr) {
    return std::nullopt;
  }
  return packIpv4(*addr, len);
}

// How many elements the header announces (IPSET_ATTR_ELEMENTS), for reserving the members;
// capped so a wrong count cannot make the reader allocate gigabytes.
std::size_t announcedElements(const std::optional<Bytes>& data) {
  const auto h = parseAttrs<IPSET_ATTR_ELEMENTS>(data.value_or(Bytes{}));
  if (!h) {
    return 0;
  }
  return std::min<std::size_t>(attrUint((*h)[IPSET_ATTR_ELEMENTS]).value_or(0), 1U << 20);
}

}  // namespace

Result<void> IpsetDumpDecoder::addMessage(std::span<const std::uint8_t> attrs) {
  auto top = parseAttrs<kMaxTopAttr>(attrs);
  if (!top) {
    return std::unexpected(std::move(top.error()));
  }
  const auto& nameAttr = (*top)[IPSET_ATTR_SETNAME];
  if (!nameAttr) {
    return fail(ErrorCode::InvalidInput, "ipset dump: message without a set name");
  }
  std::string name = attrString(*nameAttr);
  std::size_t index = sets_.size();
  if (const auto& typeAttr = (*top)[IPSET_ATTR_TYPENAME]) {
    if (byName_.contains(name)) {
      return fail(ErrorCode::InvalidInput, "ipset dump: set " + name + " listed twice");
    }
    IpsetSet set;
    set.name = std::move(name);
    set.type = attrString(*typeAttr);
    set.family =
        attrUint((*top)[IPSET_ATTR_FAMILY]) == std::uint32_t{NFPROTO_IPV6} ? "inet6" : "inet";
    auto dims = typeDimensions(set.type);
    if (!dims) {
      return std::unexpected(std::move(dims.error()));
    }
    auto line = createLine(set, (*top)[IPSET_ATTR_DATA]);
    if (!line) {
      return std::unexpected(std::move(line.error()));
    }
    set.createLine = std::move(*line);
    set.members.reserve(announcedElements((*top)[IPSET_ATTR_DATA]));
    byName_.emplace(set.name, index);
    plainIpv4_.push_back(set.family == "inet" && dims->size() == 1 &&
                         ((*dims)[0] == "ip" || (*dims)[0] == "net"));
    sets_.push_back(std::move(set));
    dims_.push_back(std::move(*dims));
  } else if (!sets_.empty() && sets_.back().name == name) {
    index = sets_.size() - 1;  // a large set continues over several messages
  } else if (const auto it = byName_.find(name); it != byName_.end()) {
    index = it->second;
  } else {
    return fail(ErrorCode::InvalidInput, "ipset dump: members of unknown set " + name);
  }
  const auto& adt = (*top)[IPSET_ATTR_ADT];
  if (!adt) {
    return {};
  }
  // IPSET_ATTR_ADT holds one nested IPSET_ATTR_DATA per element: walked here rather than through
  // parseAttrs, which keeps one attribute per type.
  Bytes rest = *adt;
  while (rest.size() >= NLA_HDRLEN) {
    const std::size_t len = attrHeader(rest).nla_len;
    if (len < NLA_HDRLEN || len > rest.size()) {
      return fail(ErrorCode::InvalidInput, "ipset dump: element length outside its message");
    }
    const Bytes elementBytes = rest.subspan(NLA_HDRLEN, len - NLA_HDRLEN);
    if (plainIpv4_[index]) {
      if (const auto member = plainIpv4Member(elementBytes)) {
        sets_[index].members.addIpv4(packedAddr(*member), packedLen(*member));
        rest = rest.subspan(std::min<std::size_t>(NLA_ALIGN(len), rest.size()));
        continue;
      }
    }
    auto element = parseAttrs<kMaxElementAttr>(elementBytes);
    if (!element) {
      return std::unexpected(std::move(element.error()));
    }
    auto member = renderMember(dims_[index], *element);
    if (!member) {
      return std::unexpected(std::move(member.error()));
    }
    sets_[index].members.addText(std::move(*member));
    rest = rest.subspan(std::min<std::size_t>(NLA_ALIGN(len), rest.size()));
  }
  return {};
}

std::string normaliseIpsetMember(std::string_view member, std::string_view family) {
  const std::string_view suffix = family == "inet6" ? "/128" : "/32";
  if (member.ends_with(suffix)) {
    member.remove_suffix(suffix.size());
  }
  return std::string(member);
}

Result<std::vector<IpsetSet>> parseIpsetSave(std::string_view text) {
  std::vector<IpsetSet> sets;
  std::unordered_map<std::string, std::size_t> byName;
  auto r = forEachLine(text, [&](std::size_t lineNo, std::string_view line) -> Result<void> {
    if (line.empty() || line.front() == '#') {
      return {};
    }
    std::string_view rest = line;
    const auto keyword = nextWord(rest);
    const auto name = nextWord(rest);
    if (name.empty()) {
      return lineError("ipset save", lineNo, "missing set name");
    }
    if (keyword == "create" || keyword == "-N") {
      const auto type = nextWord(rest);
      if (type.empty()) {
        return lineError("ipset save", lineNo, "missing set type");
      }
      if (!byName.emplace(std::string(name), sets.size()).second) {
        return lineError("ipset save", lineNo, "set " + std::string(name) + " created twice");
      }
      IpsetSet set;
      set.name = std::string(name);
      set.type = std::string(type);
      set.family = familyOf(rest);
      set.createLine = std::string(line);
      sets.push_back(std::move(set));
      return {};
    }
    if (keyword == "add" || keyword == "-A") {
      // Saves list a set's members right after its create line: try the last set first so
      // 100k members do not cost 100k hash lookups with a key allocation each.
      std::size_t index = sets.size();
      if (!sets.empty() && sets.back().name == name) {
        index = sets.size() - 1;
      } else if (const auto it = byName.find(std::string(name)); it != byName.end()) {
        index = it->second;
      }
      if (index == sets.size()) {
        return lineError("ipset save", lineNo, "add to unknown set " + std::string(name));
      }
      const auto member = nextWord(rest);
      if (member.empty()) {
        return lineError("ipset save", lineNo, "add without a member");
      }
      auto& set = sets[index];
      set.members.addText(normaliseIpsetMember(member, set.family));
      return {};
    }
    return lineError("ipset save", lineNo, "unknown keyword " + std::string(keyword));
  });
  if (!r) {
    return std::unexpected(std::move(r.error()));
  }
  return sets;
}

Result<std::vector<IpsetSet>> parseIpsetList(std::string_view text) {
  std::vector<IpsetSet> sets;
  bool inMembers = false;
  bool inBlock = false;
  auto finishBlock = [&](std::size_t lineNo) -> Result<void> {
    if (inBlock && (sets.back().name.empty() || sets.back().type.empty())) {
      return lineError("ipset list", lineNo, "set block without Name or Type");
    }
    inBlock = false;
    inMembers = false;
    return {};
  };
  auto r = forEachLine(text, [&](std::size_t lineNo, std::string_view line) -> Result<void> {
    if (line.empty()) {
      return finishBlock(lineNo);
    }
    if (line.starts_with("Name:")) {
      if (auto f = finishBlock(lineNo); !f) {
        return f;
      }
      IpsetSet set;
      set.name = std::string(trim(line.substr(5)));
      set.family = "inet";
      set.createLine = std::string(line);
      sets.push_back(std::move(set));
      inBlock = true;
      return {};
    }
    if (!inBlock) {
      return lineError("ipset list", lineNo, "text outside a set block");
    }
    auto& set = sets.back();
    if (inMembers) {
      std::string_view rest = line;
      set.members.addText(normaliseIpsetMember(nextWord(rest), set.family));
      return {};
    }
    set.createLine.append("\n").append(line);
    if (line.starts_with("Type:")) {
      set.type = std::string(trim(line.substr(5)));
    } else if (line.starts_with("Header:")) {
      set.family = familyOf(line.substr(7));
    } else if (line == "Members:") {
      inMembers = true;
    }
    return {};
  });
  if (!r) {
    return std::unexpected(std::move(r.error()));
  }
  if (auto f = finishBlock(0); !f) {
    return std::unexpected(std::move(f.error()));
  }
  return sets;
}

}  // namespace egressdiag::datapath
