#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "operator/common/result.h"

namespace egressdiag::serving {

// A --*-bind-address flag: "host:port", ":port" (all IPv4 addresses), "[v6]:port", or "0" for
// "do not serve" (nullopt). InvalidInput naming the text when the port is missing or out of
// range. Port 0 asks the kernel for a free port.
Result<std::optional<std::pair<std::string, int>>> parseBindAddress(std::string_view text);

// An integer flag value in [min, max]; InvalidInput naming --flag and the range otherwise.
Result<int> parseIntFlag(std::string_view flag, std::string_view value, int min, int max);

}  // namespace egressdiag::serving
