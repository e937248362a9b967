#pragma once

#include <string>
#include <string_view>

#include "operator/common/result.h"

namespace egressdiag::controller {

// The MAC spidernet's controller assigns a node's tunnel: 0x66 followed by the first five bytes
// of sha1(nodeName + "egress"), as "66:xx:xx:xx:xx:xx" (reference/spidernet.md §3.6).
std::string spidernetTunnelMac(std::string_view nodeName);

// The WireGuard public key (base64) of a base64 X25519 private key, as `wg pubkey` prints it.
// Accepts the 32 raw key bytes as well. InvalidInput when the text is neither; the error never
// contains key material.
Result<std::string> wireGuardPublicKey(std::string_view privateKey);

}  // namespace egressdiag::controller
