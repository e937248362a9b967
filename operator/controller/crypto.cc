#include "operator/controller/crypto.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <optional>

namespace egressdiag::controller {
namespace {

constexpr std::size_t kKeyBytes = 32;

// Strict base64 decode of a 32-byte key ("...=" form, 44 characters).
std::optional<std::array<unsigned char, kKeyBytes>> decodeKey(std::string_view text) {
  if (text.size() != 44 || text[43] != '=' || text[42] == '=') {
    return std::nullopt;
  }
  std::array<unsigned char, 33> decoded{};  // EVP_DecodeBlock writes the padding byte too
  int written = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (written != 33) {
    return std::nullopt;
  }
  std::array<unsigned char, kKeyBytes> key{};
  std::copy_n(decoded.begin(), kKeyBytes, key.begin());
  return key;
}

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

}  // namespace

std::string spidernetTunnelMac(std::string_view nodeName) {
  std::string input(nodeName);
  input += "egress";
  std::array<unsigned char, SHA_DIGEST_LENGTH> digest{};
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  std::string mac = "66";
  for (std::size_t i = 0; i < 5; ++i) {
    std::array<char, 4> part{};
    std::snprintf(part.data(), part.size(), ":%02x", digest[i]);
    mac += part.data();
  }
  return mac;
}

Result<std::string> wireGuardPublicKey(std::string_view privateKey) {
  std::array<unsigned char, kKeyBytes> raw{};
  if (privateKey.size() == kKeyBytes) {
    std::copy_n(privateKey.begin(), kKeyBytes, raw.begin());
  } else if (auto decoded = decodeKey(privateKey)) {
    raw = *decoded;
  } else {
    return fail(ErrorCode::InvalidInput,
                "private key is neither 32 bytes nor 44 characters of base64");
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr, raw.data(), raw.size()));
  if (!key) {
    return fail(ErrorCode::InvalidInput, "private key is not a valid X25519 key");
  }
  std::array<unsigned char, kKeyBytes> pub{};
  std::size_t pubLength = pub.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), pub.data(), &pubLength) != 1 ||
      pubLength != kKeyBytes) {
    return fail(ErrorCode::Internal, "OpenSSL could not derive the X25519 public key");
  }
  std::array<unsigned char, 45> encoded{};  // 44 characters + NUL
  EVP_EncodeBlock(encoded.data(), pub.data(), static_cast<int>(pub.size()));
  return std::string(reinterpret_cast<const char*>(encoded.data()), 44);
}

}  // namespace egressdiag::controller
