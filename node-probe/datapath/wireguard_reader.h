#pragma once

// WireGuard reader: kernel devices through generic netlink, userspace (wireguard-go) devices
// through their UAPI socket. Reads the calling thread's network namespace.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

inline constexpr const char* kWireguardUapiDir = "/var/run/wireguard";

// Devices of this namespace: every link of kind "wireguard" in `links` through generic
// netlink, and every `<uapiDir>/<if>.sock` whose <if> is a non-wireguard link in `links` (a
// wireguard-go TUN device here) through UAPI. Fails: Unavailable "WireGuard unavailable: ..."
// when neither the kernel module nor a matching UAPI socket exists; PermissionDenied naming
// CAP_NET_ADMIN when the kernel refuses GET_DEVICE, or when a socket cannot be opened; the
// error of the first device that cannot be read otherwise.
Result<std::vector<WireguardDevice>> readWireguard(
    const std::vector<Link>& links, std::string_view uapiDir = kWireguardUapiDir,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

// One device through the UAPI socket at `socketPath` ("get=1\n\n", parseWgUapi).
// Fails: PermissionDenied (socket not accessible), Unavailable (no listener), Timeout.
Result<WireguardDevice> readWireguardUapi(const std::string& socketPath, std::string name,
                                          std::chrono::milliseconds timeout);

// One kernel device through generic netlink. Fails: Unavailable when the "wireguard" genl
// family is absent (no kernel module), PermissionDenied naming CAP_NET_ADMIN, NotFound.
Result<WireguardDevice> readWireguardGenl(const std::string& name);

}  // namespace egressdiag::datapath
