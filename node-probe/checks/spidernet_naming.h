#pragma once

// Names and numbers the spidernet agent derives from object fields (reference/spidernet.md
// §3.2-§3.7). Pure and deterministic: the probe recomputes them instead of trusting a dump.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace egressdiag::checks::spidernet {

inline constexpr std::uint32_t kBaseMark = 0x26000000;
inline constexpr std::string_view kVxlanName = "egress.vxlan";
inline constexpr std::uint32_t kVxlanVni = 100;
inline constexpr std::uint16_t kVxlanPort = 7789;
inline constexpr std::uint32_t kRulePriority = 99;
inline constexpr std::string_view kClusterCidrSetV4 = "egress-cluster-cidr-ipv4";

// prefix + hex(sha1(name))[: 31 - len(prefix)]; "egress-src-v4-" + "default-test" gives
// "egress-src-v4-738bb014438bdbfe7".
std::string ipsetName(std::string_view prefix, std::string_view name);

// 0x66 followed by the first 5 bytes of sha1(node + "egress"), as lower-case "66:xx:..".
std::string tunnelMac(std::string_view node);

// "0x26b7b4e4" (Go's %#x: lower case, no padding, "0x0" for zero).
std::string hexMark(std::uint32_t mark);

// A rule as the agent renders it before hashing (pkg/iptables/rules.go): description
// comments, match fragments and the action fragment.
struct AgentRule {
  std::vector<std::string> comments;
  std::string match;   // fragments joined by spaces; empty when none
  std::string action;  // e.g. "--jump ACCEPT"
};

// The 16-character egw: hash of each rule of `chain`, in order: h0 = SHA224(chain),
// h_i = SHA224(h_{i-1} || "-A <chain> HASH" + comments + match + action),
// hash_i = base64url_nopad(h_i)[0:16].
std::vector<std::string> ruleHashes(std::string_view chain, const std::vector<AgentRule>& rules);

// Comment text as the agent sanitises it: characters outside [A-Za-z0-9_ @%+=:,./-] become
// '_', cut at 256 characters.
std::string sanitizeComment(std::string_view comment);

}  // namespace egressdiag::checks::spidernet
