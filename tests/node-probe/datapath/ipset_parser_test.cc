#include "node-probe/datapath/ipset_parser.h"

#include <gtest/gtest.h>
#include <linux/netfilter.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netlink.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace egressdiag::datapath {
namespace {

// Seed 000 §4, `ipset list egress-src-…` and `ipset list egress-dst-…` (verbatim, joined).
constexpr std::string_view kSeedList = R"(Name: egress-src-v4-738bb014438bdbfe7
Type: hash:net
Revision: 7
Header: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x498b6df2
Size in memory: 504
References: 1
Number of entries: 1
Members:
10.200.0.22

Name: egress-dst-v4-738bb014438bdbfe7
Type: hash:net
Revision: 7
Header: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x14fe6b9e
Size in memory: 504
References: 1
Number of entries: 1
Members:
172.16.25.183
)";

// The same sets in save form, plus an IPv6 set, the split 0.0.0.0/0 and a member with options.
constexpr std::string_view kSave =
    "create egress-src-v4-738bb014438bdbfe7 hash:net family inet hashsize 1024 maxelem 65536 "
    "bucketsize 12 initval 0x498b6df2\n"
    "add egress-src-v4-738bb014438bdbfe7 10.200.0.22\n"
    "create egress-dst-v4-738bb014438bdbfe7 hash:net family inet hashsize 1024 maxelem 65536\n"
    "add egress-dst-v4-738bb014438bdbfe7 0.0.0.0/1\n"
    "add egress-dst-v4-738bb014438bdbfe7 128.0.0.0/1\n"
    "add egress-dst-v4-738bb014438bdbfe7 10.1.2.3/32\n"
    "create egress-src-v6-738bb014438bdbfe7 hash:net family inet6 hashsize 1024 maxelem 65536\n"
    "add egress-src-v6-738bb014438bdbfe7 fd00::1/128\n"
    "add egress-src-v6-738bb014438bdbfe7 fd00:10::/64 timeout 0\n"
    "create empty hash:ip\n";

TEST(IpsetParser, SaveForm) {
  auto sets = parseIpsetSave(kSave);
  ASSERT_TRUE(sets) << sets.error().message;
  ASSERT_EQ(sets->size(), 4u);
  const auto& src = (*sets)[0];
  EXPECT_EQ(src.name, "egress-src-v4-738bb014438bdbfe7");
  EXPECT_EQ(src.type, "hash:net");
  EXPECT_EQ(src.family, "inet");
  EXPECT_EQ(src.members.texts(), std::vector<std::string>{"10.200.0.22"});
  EXPECT_TRUE(src.createLine.starts_with("create egress-src-v4-738bb014438bdbfe7 hash:net"));
  EXPECT_EQ((*sets)[1].members.texts(),
            (std::vector<std::string>{"0.0.0.0/1", "128.0.0.0/1", "10.1.2.3"}));
  EXPECT_EQ((*sets)[2].family, "inet6");
  EXPECT_EQ((*sets)[2].members.texts(), (std::vector<std::string>{"fd00::1", "fd00:10::/64"}));
  EXPECT_EQ((*sets)[3].type, "hash:ip");
  EXPECT_EQ((*sets)[3].family, "inet");
  EXPECT_TRUE((*sets)[3].members.empty());
}

TEST(IpsetParser, ListFormFromSeed) {
  auto sets = parseIpsetList(kSeedList);
  ASSERT_TRUE(sets) << sets.error().message;
  ASSERT_EQ(sets->size(), 2u);
  EXPECT_EQ((*sets)[0].name, "egress-src-v4-738bb014438bdbfe7");
  EXPECT_EQ((*sets)[0].type, "hash:net");
  EXPECT_EQ((*sets)[0].members.texts(), std::vector<std::string>{"10.200.0.22"});
  EXPECT_EQ((*sets)[1].members.texts(), std::vector<std::string>{"172.16.25.183"});
  EXPECT_NE((*sets)[1].createLine.find("initval 0x14fe6b9e"), std::string::npos);
}

TEST(IpsetParser, ListAndSaveAgree) {
  auto list = parseIpsetList(kSeedList);
  auto save = parseIpsetSave(
      "create egress-src-v4-738bb014438bdbfe7 hash:net family inet\n"
      "add egress-src-v4-738bb014438bdbfe7 10.200.0.22\n"
      "create egress-dst-v4-738bb014438bdbfe7 hash:net family inet\n"
      "add egress-dst-v4-738bb014438bdbfe7 172.16.25.183\n");
  ASSERT_TRUE(list);
  ASSERT_TRUE(save);
  ASSERT_EQ(list->size(), save->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    EXPECT_EQ((*list)[i].name, (*save)[i].name);
    EXPECT_EQ((*list)[i].type, (*save)[i].type);
    EXPECT_EQ((*list)[i].members, (*save)[i].members);
  }
}

TEST(IpsetParser, Normalise) {
  EXPECT_EQ(normaliseIpsetMember("1.2.3.4/32", "inet"), "1.2.3.4");
  EXPECT_EQ(normaliseIpsetMember("1.2.3.0/24", "inet"), "1.2.3.0/24");
  EXPECT_EQ(normaliseIpsetMember("fd00::1/128", "inet6"), "fd00::1");
  EXPECT_EQ(normaliseIpsetMember("fd00::/32", "inet6"), "fd00::/32");
}

struct BadCase {
  const char* name;
  std::string_view text;
  bool listForm;
  const char* messagePart;
};

class IpsetParserRejects : public ::testing::TestWithParam<BadCase> {};

TEST_P(IpsetParserRejects, Clearly) {
  const auto& c = GetParam();
  auto sets = c.listForm ? parseIpsetList(c.text) : parseIpsetSave(c.text);
  ASSERT_FALSE(sets);
  EXPECT_EQ(sets.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(sets.error().message.find(c.messagePart), std::string::npos) << sets.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, IpsetParserRejects,
    ::testing::Values(
        BadCase{"AddBeforeCreate", "add s 1.2.3.4\n", false, "line 1: add to unknown set s"},
        BadCase{"CreateTwice", "create s hash:ip\ncreate s hash:ip\n", false, "created twice"},
        BadCase{"NoType", "create s\n", false, "missing set type"},
        BadCase{"NoMember", "create s hash:ip\nadd s\n", false, "line 2: add without a member"},
        BadCase{"UnknownKeyword", "destroy s\n", false, "unknown keyword destroy"},
        BadCase{"NoName", "create\n", false, "missing set name"},
        BadCase{"ListOutsideBlock", "10.0.0.1\n", true, "outside a set block"},
        BadCase{"ListNoType", "Name: x\nMembers:\n", true, "without Name or Type"}),
    [](const ::testing::TestParamInfo<BadCase>& p) { return std::string(p.param.name); });

// ---- netlink dump decoder ------------------------------------------------------------------

// Builds netlink attributes the way the kernel's ipset dump lays them out.
class Attrs {
 public:
  Attrs& raw(std::uint16_t type, std::vector<std::uint8_t> payload) {
    const nlattr h{static_cast<std::uint16_t>(NLA_HDRLEN + payload.size()), type};
    const auto* hb = reinterpret_cast<const std::uint8_t*>(&h);
    bytes_.insert(bytes_.end(), hb, hb + sizeof h);  // host byte order, as the kernel sends it
    bytes_.insert(bytes_.end(), payload.begin(), payload.end());
    bytes_.resize(NLA_ALIGN(bytes_.size()), 0);
    return *this;
  }
  Attrs& str(std::uint16_t type, std::string_view s) {
    std::vector<std::uint8_t> p(s.begin(), s.end());
    p.push_back(0);
    return raw(type, std::move(p));
  }
  Attrs& u8(std::uint16_t type, std::uint8_t v) { return raw(type, {v}); }
  Attrs& be32(std::uint16_t type, std::uint32_t v) {
    return raw(type | NLA_F_NET_BYTEORDER,
               {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)});
  }
  Attrs& nest(std::uint16_t type, const Attrs& inner) {
    return raw(type | NLA_F_NESTED, inner.bytes_);
  }
  Attrs& ip(std::uint16_t type, std::initializer_list<std::uint8_t> addr) {
    Attrs inner;
    inner.raw(
        (addr.size() == 4 ? IPSET_ATTR_IPADDR_IPV4 : IPSET_ATTR_IPADDR_IPV6) | NLA_F_NET_BYTEORDER,
        addr);
    return nest(type, inner);
  }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

Attrs header(std::string_view name, std::string_view type, std::uint8_t family) {
  Attrs a;
  a.u8(IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL).str(IPSET_ATTR_SETNAME, name);
  a.str(IPSET_ATTR_TYPENAME, type).u8(IPSET_ATTR_FAMILY, family).u8(IPSET_ATTR_REVISION, 7);
  return a;
}

Attrs netElement(std::initializer_list<std::uint8_t> addr, std::uint8_t cidr) {
  Attrs e;
  e.ip(IPSET_ATTR_IP, addr).u8(IPSET_ATTR_CIDR, cidr);
  return e;
}

TEST(IpsetDumpDecoder, SetsOverSeveralMessages) {
  Attrs create;
  create.be32(IPSET_ATTR_HASHSIZE, 1024).be32(IPSET_ATTR_MAXELEM, 65536);
  create.be32(IPSET_ATTR_REFERENCES, 1).be32(IPSET_ATTR_MEMSIZE, 504);
  create.u8(IPSET_ATTR_BUCKETSIZE, 12).be32(IPSET_ATTR_INITVAL, 0x498b6df2);
  Attrs adt1;
  adt1.nest(IPSET_ATTR_DATA, netElement({10, 200, 0, 22}, 32));
  adt1.nest(IPSET_ATTR_DATA, netElement({10, 201, 0, 0}, 16));
  Attrs first = header("egress-src-v4-edt", "hash:net", NFPROTO_IPV4);
  first.nest(IPSET_ATTR_DATA, create).nest(IPSET_ATTR_ADT, adt1);
  // A large set continues in a message holding only its name and more elements.
  Attrs adt2;
  adt2.nest(IPSET_ATTR_DATA, netElement({0, 0, 0, 0}, 1));
  Attrs second;
  second.u8(IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL).str(IPSET_ATTR_SETNAME, "egress-src-v4-edt");
  second.nest(IPSET_ATTR_ADT, adt2);
  Attrs adt6;
  adt6.nest(IPSET_ATTR_DATA, netElement({0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128));
  adt6.nest(IPSET_ATTR_DATA,
            netElement({0xfd, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 64));
  Attrs v6 = header("egress-dst-v6-edt", "hash:net", NFPROTO_IPV6);
  v6.nest(IPSET_ATTR_ADT, adt6);
  Attrs mac;
  mac.ip(IPSET_ATTR_IP, {10, 0, 0, 1}).raw(IPSET_ATTR_ETHER, {0x66, 0x66, 0x41, 0x3e, 0x23, 0x6b});
  Attrs adtMac;
  adtMac.nest(IPSET_ATTR_DATA, mac);
  Attrs ipMac = header("pods", "hash:ip,mac", NFPROTO_IPV4);
  ipMac.nest(IPSET_ATTR_ADT, adtMac);

  IpsetDumpDecoder decoder;
  for (const Attrs* m : {&first, &second, &v6, &ipMac}) {
    auto r = decoder.addMessage(m->bytes());
    ASSERT_TRUE(r) << r.error().message;
  }
  const auto sets = std::move(decoder).take();
  ASSERT_EQ(sets.size(), 3u);
  EXPECT_EQ(sets[0].name, "egress-src-v4-edt");
  EXPECT_EQ(sets[0].type, "hash:net");
  EXPECT_EQ(sets[0].family, "inet");
  EXPECT_EQ(sets[0].createLine,
            "create egress-src-v4-edt hash:net family inet hashsize 1024 maxelem 65536 "
            "bucketsize 12 initval 0x498b6df2");
  EXPECT_EQ(sets[0].members.texts(),
            (std::vector<std::string>{"10.200.0.22", "10.201.0.0/16", "0.0.0.0/1"}));
  EXPECT_EQ(sets[1].family, "inet6");
  EXPECT_EQ(sets[1].createLine, "create egress-dst-v6-edt hash:net family inet6");
  EXPECT_EQ(sets[1].members.texts(), (std::vector<std::string>{"fd00::1", "fd00:10::/64"}));
  EXPECT_EQ(sets[2].members.texts(), std::vector<std::string>{"10.0.0.1,66:66:41:3E:23:6B"});
  // Plain IPv4 net members are held as numbers; IPv6 and two-dimension members as text.
  EXPECT_EQ(sets[0].members.ipv4(0), packIpv4(0x0ac80016, 32));
  EXPECT_EQ(sets[0].members.ipv4(1), packIpv4(0x0ac90000, 16));
  EXPECT_EQ(sets[1].members.ipv4(0), std::nullopt);
  EXPECT_EQ(sets[2].members.ipv4(0), std::nullopt);
}

// Elements of a plain IPv4 set with extensions (timeout, comment) or without a CIDR attribute
// stay numbers.
TEST(IpsetDumpDecoder, PlainIpv4MembersWithExtensions) {
  Attrs withTimeout;
  withTimeout.ip(IPSET_ATTR_IP, {10, 0, 0, 7}).be32(IPSET_ATTR_TIMEOUT, 300);
  withTimeout.str(IPSET_ATTR_COMMENT, "pod a");
  Attrs bareNet;  // no IPSET_ATTR_CIDR: a host
  bareNet.ip(IPSET_ATTR_IP, {10, 0, 0, 8});
  Attrs adt;
  adt.nest(IPSET_ATTR_DATA, withTimeout).nest(IPSET_ATTR_DATA, bareNet);
  adt.nest(IPSET_ATTR_DATA, netElement({192, 168, 0, 0}, 40));  // CIDR above 32 reads as a host
  Attrs m = header("pods-ip", "hash:ip", NFPROTO_IPV4);
  m.nest(IPSET_ATTR_ADT, adt);
  IpsetDumpDecoder decoder;
  auto r = decoder.addMessage(m.bytes());
  ASSERT_TRUE(r) << r.error().message;
  const auto sets = std::move(decoder).take();
  ASSERT_EQ(sets.size(), 1u);
  EXPECT_EQ(sets[0].members.texts(),
            (std::vector<std::string>{"10.0.0.7", "10.0.0.8", "192.168.0.0"}));
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(sets[0].members.ipv4(i).has_value()) << i;
  }
  // An element without its address falls back to the rendering path: BadDumps "NoAddress".
}

TEST(IpsetMembers, NumbersAndTextReadAlike) {
  IpsetMembers numeric;
  numeric.addIpv4(0x0a000001, 32);
  numeric.addIpv4(0x0a010000, 16);
  numeric.addIpv4(0xffffffff, 0);  // kept as given: host bits are the checks' business
  IpsetMembers text{"10.0.0.1", "10.1.0.0/16", "255.255.255.255/0"};
  EXPECT_EQ(numeric, text);
  EXPECT_EQ(numeric.texts(), text.texts());
  EXPECT_EQ(numeric.joined(", ", "Members: "), "Members: 10.0.0.1, 10.1.0.0/16, 255.255.255.255/0");
  EXPECT_EQ(IpsetMembers{}.joined(", ", "Members: "), "Members: ");
  EXPECT_EQ(numeric.joined(", ", "", 2), "10.0.0.1, 10.1.0.0/16 and 1 more");
  EXPECT_EQ(numeric.joined(", ", "", 3), "10.0.0.1, 10.1.0.0/16, 255.255.255.255/0");
  IpsetMembers mixed = numeric;
  mixed.addText("fd00::1");
  EXPECT_EQ(mixed.size(), 4u);
  EXPECT_EQ(mixed.text(3), "fd00::1");
  ASSERT_NE(mixed.textEntry(3), nullptr);
  EXPECT_EQ(mixed.textEntry(0), nullptr);
  EXPECT_NE(mixed, numeric);
  EXPECT_NE(mixed.hash(), numeric.hash());
  IpsetMembers reordered;
  reordered.addIpv4(0x0a010000, 16);
  reordered.addIpv4(0x0a000001, 32);
  EXPECT_NE(reordered, IpsetMembers({"10.0.0.1", "10.1.0.0/16"}));
  EXPECT_EQ(IpsetMembers(std::vector<std::string>{"a", "b"}).texts(),
            (std::vector<std::string>{"a", "b"}));
}

// The decoder agrees with the save-form parser on the same sets.
TEST(IpsetDumpDecoder, AgreesWithSaveForm) {
  Attrs adt;
  adt.nest(IPSET_ATTR_DATA, netElement({0, 0, 0, 0}, 1));
  adt.nest(IPSET_ATTR_DATA, netElement({128, 0, 0, 0}, 1));
  adt.nest(IPSET_ATTR_DATA, netElement({10, 1, 2, 3}, 32));
  Attrs m = header("egress-dst-v4-738bb014438bdbfe7", "hash:net", NFPROTO_IPV4);
  m.nest(IPSET_ATTR_ADT, adt);
  IpsetDumpDecoder decoder;
  ASSERT_TRUE(decoder.addMessage(m.bytes()));
  const auto fromDump = std::move(decoder).take();
  const auto fromSave = parseIpsetSave(kSave);
  ASSERT_TRUE(fromSave);
  ASSERT_EQ(fromDump.size(), 1u);
  EXPECT_EQ(fromDump[0].members, (*fromSave)[1].members);
}

struct BadDump {
  const char* name;
  std::vector<Attrs> messages;
  ErrorCode code;
  const char* messagePart;
};

std::vector<BadDump> badDumps() {
  Attrs noAddress;
  noAddress.u8(IPSET_ATTR_CIDR, 24);
  Attrs adtNoAddress;
  adtNoAddress.nest(IPSET_ATTR_DATA, noAddress);
  Attrs withoutAddress = header("s", "hash:net", NFPROTO_IPV4);
  withoutAddress.nest(IPSET_ATTR_ADT, adtNoAddress);
  Attrs adt;
  adt.nest(IPSET_ATTR_DATA, netElement({10, 0, 0, 1}, 32));
  Attrs orphan;
  orphan.str(IPSET_ATTR_SETNAME, "ghost").nest(IPSET_ATTR_ADT, adt);
  Attrs noName;
  noName.u8(IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
  return {
      {"Orphan", {orphan}, ErrorCode::InvalidInput, "members of unknown set ghost"},
      {"Twice",
       {header("s", "hash:ip", NFPROTO_IPV4), header("s", "hash:ip", NFPROTO_IPV4)},
       ErrorCode::InvalidInput,
       "set s listed twice"},
      {"NoName", {noName}, ErrorCode::InvalidInput, "without a set name"},
      {"NoAddress", {withoutAddress}, ErrorCode::InvalidInput, "element without its address"},
      {"Ports",
       {header("p", "hash:ip,port", NFPROTO_IPV4)},
       ErrorCode::Unavailable,
       "type hash:ip,port are not decoded"},
  };
}

TEST(IpsetDumpDecoder, RejectsClearly) {
  for (const BadDump& c : badDumps()) {
    SCOPED_TRACE(c.name);
    IpsetDumpDecoder decoder;
    Result<void> r;
    for (const Attrs& m : c.messages) {
      r = decoder.addMessage(m.bytes());
      if (!r) {
        break;
      }
    }
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, c.code);
    EXPECT_NE(r.error().message.find(c.messagePart), std::string::npos) << r.error().message;
  }
}

TEST(IpsetDumpDecoder, RejectsAnAttributeOverrunningItsMessage) {
  std::vector<std::uint8_t> bytes = header("s", "hash:net", NFPROTO_IPV4).bytes();
  const auto overrun = static_cast<std::uint16_t>(bytes.size() + 8);
  std::memcpy(bytes.data(), &overrun, sizeof overrun);  // the first attribute's nla_len
  IpsetDumpDecoder decoder;
  auto r = decoder.addMessage(bytes);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(r.error().message.find("outside its message"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace egressdiag::datapath
