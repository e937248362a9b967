#include "node-probe/datapath/wireguard_parser.h"
#include "node-probe/datapath/text.h"

#include <openssl/evp.h>

#include <charconv>
#include <cmath>
#include <memory>

namespace egressdiag::datapath {
namespace {

template <class T>
std::optional<T> parseNumber(std::string_view s) {
  T v{};
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

Result<std::string> hexToBytes(std::string_view hex) {
  if (hex.size() != 64) {
    return fail(ErrorCode::InvalidInput, "key is not 64 hex digits");
  }
  std::string out(32, '\0');
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hexValue(hex[2 * i]);
    const int lo = hexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return fail(ErrorCode::InvalidInput, "key has a non-hex digit");
    }
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::unexpected<Error> lineError(std::string_view form, std::size_t lineNo, std::string_view what) {
  return fail(ErrorCode::InvalidInput,
              std::string(form) + " line " + std::to_string(lineNo) + ": " + std::string(what));
}

// "1 hour, 1 minute, 8 seconds ago" -> 3668; "Now" -> 0.
std::optional<std::int64_t> parseAgo(std::string_view s) {
  if (s == "Now") {
    return 0;
  }
  if (!s.ends_with(" ago")) {
    return std::nullopt;
  }
  s.remove_suffix(4);
  std::int64_t total = 0;
  while (!s.empty()) {
    s = trim(s);
    const auto sp = s.find(' ');
    if (sp == std::string_view::npos) {
      return std::nullopt;
    }
    const auto n = parseNumber<std::int64_t>(s.substr(0, sp));
    s = s.substr(sp + 1);
    const auto comma = s.find(',');
    auto unit = trim(s.substr(0, comma));
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
    if (!n) {
      return std::nullopt;
    }
    if (unit.ends_with('s')) {
      unit.remove_suffix(1);
    }
    std::int64_t mult = 0;
    if (unit == "year") {
      mult = 365LL * 86400;
    } else if (unit == "day") {
      mult = 86400;
    } else if (unit == "hour") {
      mult = 3600;
    } else if (unit == "minute") {
      mult = 60;
    } else if (unit == "second") {
      mult = 1;
    } else {
      return std::nullopt;
    }
    total += *n * mult;
  }
  return total;
}

// "4.37 KiB" -> 4474.
std::optional<std::uint64_t> parseSize(std::string_view s) {
  s = trim(s);
  const auto sp = s.find(' ');
  if (sp == std::string_view::npos) {
    return std::nullopt;
  }
  const auto num = parseNumber<double>(s.substr(0, sp));
  const auto unit = trim(s.substr(sp + 1));
  double mult = 0;
  if (unit == "B") {
    mult = 1;
  } else if (unit == "KiB") {
    mult = 1024.0;
  } else if (unit == "MiB") {
    mult = 1024.0 * 1024;
  } else if (unit == "GiB") {
    mult = 1024.0 * 1024 * 1024;
  } else if (unit == "TiB") {
    mult = 1024.0 * 1024 * 1024 * 1024;
  }
  if (!num || mult == 0 || *num < 0 || *num > 1e12) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(std::llround(*num * mult));
}

std::vector<std::string> splitList(std::string_view s) {
  std::vector<std::string> out;
  while (!s.empty()) {
    const auto comma = s.find(',');
    const auto item = trim(s.substr(0, comma));
    if (!item.empty() && item != "(none)") {
      out.emplace_back(item);
    }
    s = comma == std::string_view::npos ? std::string_view{} : s.substr(comma + 1);
  }
  return out;
}

bool isPeerKey(std::string_view key) {
  return key == "endpoint" || key == "allowed_ip" || key == "last_handshake_time_sec" ||
         key == "last_handshake_time_nsec" || key == "rx_bytes" || key == "tx_bytes" ||
         key == "persistent_keepalive_interval" || key == "preshared_key";
}

}  // namespace

std::string base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(kAlphabet[(n >> 6) & 63]);
    out.push_back(kAlphabet[n & 63]);
  }
  const auto rest = bytes.size() - i;
  if (rest > 0) {
    auto n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) {
      n |= static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    }
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

Result<std::string> hexKeyToBase64(std::string_view hex) {
  auto raw = hexToBytes(hex);
  if (!raw) {
    return std::unexpected(std::move(raw.error()));
  }
  return base64Encode(*raw);
}

Result<std::string> publicKeyFromPrivate(std::string_view rawPrivateKey) {
  if (rawPrivateKey.size() != 32) {
    return fail(ErrorCode::InvalidInput, "private key is not 32 bytes");
  }
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, nullptr,
                                   reinterpret_cast<const unsigned char*>(rawPrivateKey.data()),
                                   rawPrivateKey.size()),
      &EVP_PKEY_free);
  if (!key) {
    return fail(ErrorCode::Internal, "OpenSSL rejected the X25519 private key");
  }
  unsigned char pub[32];
  std::size_t len = sizeof pub;
  if (EVP_PKEY_get_raw_public_key(key.get(), pub, &len) != 1 || len != sizeof pub) {
    return fail(ErrorCode::Internal, "OpenSSL could not derive the X25519 public key");
  }
  return base64Encode(std::string_view(reinterpret_cast<const char*>(pub), len));
}

Result<WireguardDevice> parseWgUapi(std::string_view text, std::string name) {
  WireguardDevice dev;
  dev.name = std::move(name);
  dev.source = WireguardSource::Uapi;
  WireguardPeer* peer = nullptr;
  std::size_t start = 0;
  std::size_t lineNo = 0;
  auto bad = [&](std::string_view what) { return lineError("wireguard uapi", lineNo, what); };
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    ++lineNo;
    const auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      break;  // the reply ends with an empty line
    }
    const auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return bad("expected key=value");
    }
    const auto key = line.substr(0, eq);
    const auto value = line.substr(eq + 1);
    if (key == "errno") {
      const auto e = parseNumber<int>(value);
      if (!e) {
        return bad("bad errno");
      }
      if (*e != 0) {
        return fail(ErrorCode::Unavailable,
                    "wireguard uapi get failed with errno " + std::to_string(*e));
      }
    } else if (key == "private_key") {
      auto raw = hexToBytes(value);
      if (!raw) {
        return bad(raw.error().message);
      }
      auto pub = publicKeyFromPrivate(*raw);
      if (!pub) {
        return std::unexpected(std::move(pub.error()));
      }
      dev.publicKey = std::move(*pub);
    } else if (key == "listen_port") {
      const auto v = parseNumber<std::uint16_t>(value);
      if (!v) {
        return bad("bad listen_port");
      }
      dev.listenPort = *v;
    } else if (key == "fwmark") {
      const auto v = parseNumber<std::uint32_t>(value);
      if (!v) {
        return bad("bad fwmark");
      }
      dev.fwmark = *v;
    } else if (key == "public_key") {
      auto b64 = hexKeyToBase64(value);
      if (!b64) {
        return bad(b64.error().message);
      }
      peer = &dev.peers.emplace_back();
      peer->publicKey = std::move(*b64);
    } else if (key == "protocol_version") {
      continue;
    } else if (!isPeerKey(key)) {
      return bad("unknown key " + std::string(key));
    } else if (peer == nullptr) {
      return bad("peer attribute " + std::string(key) + " before public_key");
    } else if (key == "endpoint") {
      peer->endpoint = std::string(value);
    } else if (key == "allowed_ip") {
      peer->allowedIps.emplace_back(value);
    } else if (key == "last_handshake_time_sec") {
      const auto v = parseNumber<std::int64_t>(value);
      if (!v) {
        return bad("bad last_handshake_time_sec");
      }
      peer->lastHandshakeSec = *v;
    } else if (key == "rx_bytes" || key == "tx_bytes") {
      const auto v = parseNumber<std::uint64_t>(value);
      if (!v) {
        return bad("bad " + std::string(key));
      }
      (key == "rx_bytes" ? peer->rxBytes : peer->txBytes) = *v;
    } else if (key == "persistent_keepalive_interval") {
      const auto v = parseNumber<std::uint16_t>(value);
      if (!v) {
        return bad("bad persistent_keepalive_interval");
      }
      peer->persistentKeepalive = *v;
    }
    // preshared_key and last_handshake_time_nsec are accepted and not kept.
  }
  return dev;
}

Result<std::vector<WireguardDevice>> parseWgShow(std::string_view text, std::int64_t nowUnixSec) {
  std::vector<WireguardDevice> devices;
  WireguardPeer* peer = nullptr;
  std::size_t start = 0;
  std::size_t lineNo = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    ++lineNo;
    auto line = text.substr(start, end - start);
    start = end + 1;
    if (const auto hash = line.find(" #"); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = trim(line);
    if (line.empty()) {
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      return lineError("wg show", lineNo, "expected 'field: value'");
    }
    const auto key = line.substr(0, colon);
    const auto value = trim(line.substr(colon + 1));
    if (key == "interface") {
      auto& dev = devices.emplace_back();
      dev.name = std::string(value);
      dev.source = WireguardSource::Text;
      peer = nullptr;
      continue;
    }
    if (devices.empty()) {
      return lineError("wg show", lineNo, "field outside an interface block");
    }
    auto& dev = devices.back();
    if (key == "peer") {
      peer = &dev.peers.emplace_back();
      peer->publicKey = std::string(value);
    } else if (peer == nullptr) {
      if (key == "public key") {
        dev.publicKey = std::string(value);
      } else if (key == "listening port") {
        const auto v = parseNumber<std::uint16_t>(value);
        if (!v) {
          return lineError("wg show", lineNo, "bad listening port");
        }
        dev.listenPort = *v;
      } else if (key == "fwmark") {
        // wg prints the mark in hex ("0x2222") or "off".
        std::uint32_t mark = 0;
        if (value != "off") {
          const bool hex = value.starts_with("0x");
          const auto digits = hex ? value.substr(2) : value;
          const auto r =
              std::from_chars(digits.data(), digits.data() + digits.size(), mark, hex ? 16 : 10);
          if (digits.empty() || r.ec != std::errc{} || r.ptr != digits.data() + digits.size()) {
            return lineError("wg show", lineNo, "bad fwmark");
          }
        }
        dev.fwmark = mark;
      } else if (key != "private key") {
        return lineError("wg show", lineNo, "unknown interface field " + std::string(key));
      }
    } else if (key == "endpoint") {
      peer->endpoint = std::string(value);
    } else if (key == "allowed ips") {
      peer->allowedIps = splitList(value);
    } else if (key == "latest handshake") {
      const auto ago = parseAgo(value);
      if (!ago) {
        return lineError("wg show", lineNo, "bad latest handshake");
      }
      peer->lastHandshakeSec = nowUnixSec - *ago;
    } else if (key == "transfer") {
      const auto comma = value.find(',');
      auto rx = value.substr(0, comma);
      auto tx = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
      if (!rx.ends_with(" received") || !trim(tx).ends_with(" sent")) {
        return lineError("wg show", lineNo, "bad transfer");
      }
      rx.remove_suffix(9);
      tx = trim(tx);
      tx.remove_suffix(5);
      const auto rxb = parseSize(rx);
      const auto txb = parseSize(tx);
      if (!rxb || !txb) {
        return lineError("wg show", lineNo, "bad transfer size");
      }
      peer->rxBytes = *rxb;
      peer->txBytes = *txb;
    } else if (key == "persistent keepalive") {
      // "every 25 seconds" or "off"
      std::uint16_t v = 0;
      if (value.starts_with("every ")) {
        auto n = value.substr(6);
        n = n.substr(0, n.find(' '));
        const auto parsed = parseNumber<std::uint16_t>(n);
        if (!parsed) {
          return lineError("wg show", lineNo, "bad persistent keepalive");
        }
        v = *parsed;
      }
      peer->persistentKeepalive = v;
    } else if (key != "preshared key") {
      return lineError("wg show", lineNo, "unknown peer field " + std::string(key));
    }
  }
  return devices;
}

}  // namespace egressdiag::datapath
