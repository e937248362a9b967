#include "node-probe/checks/spidernet_naming.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>

namespace egressdiag::checks::spidernet {
namespace {

// One-shot digest; EVP_Digest only fails on allocation failure, which is a broken invariant.
template <std::size_t N>
std::array<unsigned char, N> digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, N> out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, md, nullptr);
  return out;
}

std::string toHex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0xf]);
  }
  return out;
}

std::string base64UrlNoPad(const unsigned char* bytes, std::size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < n; i += 3) {
    std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) {
      out.push_back(kAlphabet[(v >> shift) & 0x3f]);
    }
  }
  if (n - i == 1) {
    std::uint32_t v = bytes[i] << 16;
    out.push_back(kAlphabet[(v >> 18) & 0x3f]);
    out.push_back(kAlphabet[(v >> 12) & 0x3f]);
  } else if (n - i == 2) {
    std::uint32_t v = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out.push_back(kAlphabet[(v >> 18) & 0x3f]);
    out.push_back(kAlphabet[(v >> 12) & 0x3f]);
    out.push_back(kAlphabet[(v >> 6) & 0x3f]);
  }
  return out;
}

}  // namespace

std::string ipsetName(std::string_view prefix, std::string_view name) {
  auto sum = digest<20>(EVP_sha1(), name);
  std::string hex = toHex(sum.data(), sum.size());
  std::size_t keep = prefix.size() < 31 ? 31 - prefix.size() : 0;
  return std::string(prefix) + hex.substr(0, keep);
}

std::string tunnelMac(std::string_view node) {
  auto sum = digest<20>(EVP_sha1(), std::string(node) + "egress");
  std::string mac = "66";
  for (int i = 0; i < 5; ++i) {
    mac += ":" + toHex(&sum[i], 1);
  }
  return mac;
}

std::string hexMark(std::uint32_t mark) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%x", mark);
  return buf;
}

std::string sanitizeComment(std::string_view comment) {
  std::string out;
  for (char c : comment.substr(0, 256)) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("_ @%+=:,./-").find(c) != std::string_view::npos;
    out.push_back(ok ? c : '_');
  }
  return out;
}

std::vector<std::string> ruleHashes(std::string_view chain, const std::vector<AgentRule>& rules) {
  std::vector<std::string> hashes;
  auto h = digest<28>(EVP_sha224(), chain);
  for (const AgentRule& rule : rules) {
    std::string s = "-A " + std::string(chain) + " HASH";
    for (const std::string& c : rule.comments) {
      s += " -m comment --comment \"" + sanitizeComment(c) + "\"";
    }
    if (!rule.match.empty()) {
      s += " " + rule.match;
    }
    s += " " + rule.action;
    std::string input(reinterpret_cast<const char*>(h.data()), h.size());
    input += s;
    h = digest<28>(EVP_sha224(), input);
    hashes.push_back(base64UrlNoPad(h.data(), h.size()).substr(0, 16));
  }
  return hashes;
}

}  // namespace egressdiag::checks::spidernet
