#include "operator/model/core.h"

#include <arpa/inet.h>

#include <array>
#include <cstdint>

namespace egressdiag::model {
namespace {

bool isIPv4(const std::string& text) {
  in_addr address{};
  return inet_pton(AF_INET, text.c_str(), &address) == 1;
}

// 0-63 for a base64 alphabet character (standard or URL-safe), -1 otherwise.
int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+' || c == '-') {
    return 62;
  }
  if (c == '/' || c == '_') {
    return 63;
  }
  return -1;
}

std::optional<std::string> decodeBase64(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int value = base64Value(c);
    if (value < 0) {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> podIPv4(const Pod& pod) {
  if (isIPv4(pod.status.podIP)) {
    return pod.status.podIP;
  }
  for (const auto& ip : pod.status.podIPs) {
    if (isIPv4(ip)) {
      return ip;
    }
  }
  return std::nullopt;
}

std::optional<std::string> nodeInternalIPv4(const Node& node) {
  for (const auto& address : node.status.addresses) {
    if (address.type == "InternalIP" && isIPv4(address.address)) {
      return address.address;
    }
  }
  return std::nullopt;
}

ConditionStatus nodeReady(const Node& node) {
  const Condition* ready = findCondition(node.status.conditions, "Ready");
  return ready == nullptr ? ConditionStatus::Unknown : ready->status;
}

Result<std::string> secretValue(const Secret& secret, std::string_view key) {
  auto found = secret.data.find(std::string(key));
  std::string where = "Secret " + objectKey(secret.metadata) + " data." + std::string(key);
  if (found == secret.data.end()) {
    return fail(ErrorCode::NotFound, where + ": absent");
  }
  auto value = decodeBase64(found->second);
  if (!value) {
    return fail(ErrorCode::InvalidInput, where + ": not valid base64");
  }
  return *std::move(value);
}

}  // namespace egressdiag::model
