#pragma once

// Pure parsers of WireGuard state text: the userspace UAPI "get" reply and `wg show` output
// (the form the runbooks quote), plus key encoding helpers.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

// Base64 (standard alphabet, padded) of raw bytes: how wg prints keys.
std::string base64Encode(std::string_view bytes);

// 64 hex digits (UAPI form) -> base64. Fails (InvalidInput) on bad length or digits.
Result<std::string> hexKeyToBase64(std::string_view hex);

// The X25519 public key (base64) of a raw 32-byte private key. Fails (InvalidInput) on a
// wrong length, (Internal) if OpenSSL refuses the key.
Result<std::string> publicKeyFromPrivate(std::string_view rawPrivateKey);

// Parses the reply to a UAPI "get=1\n\n" request (key=value lines, blank line at the end)
// for device `name`. The device public key is derived from private_key. Fails
// (InvalidInput) on a malformed line, a bad key or number, or a peer attribute before any
// public_key; (Unavailable) when the reply carries a non-zero errno.
Result<WireguardDevice> parseWgUapi(std::string_view text, std::string name);

// Parses `wg` / `wg show` output (one or more "interface:" blocks). Relative handshake times
// ("1 hour, 1 minute, 8 seconds ago") become unix seconds relative to `nowUnixSec`; transfer
// sizes ("4.37 KiB received") become approximate bytes. Text after " # " on a line is ignored
// (annotations in runbooks). Fails (InvalidInput, "line N: ...") on unknown fields or
// attributes outside a block.
Result<std::vector<WireguardDevice>> parseWgShow(std::string_view text, std::int64_t nowUnixSec);

}  // namespace egressdiag::datapath
