#include "operator/serving/bind_address.h"

#include <charconv>

namespace egressdiag::serving {

Result<int> parseIntFlag(std::string_view flag, std::string_view value, int min, int max) {
  int out = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (value.empty() || error != std::errc{} || end != value.data() + value.size() || out < min ||
      out > max) {
    return fail(ErrorCode::InvalidInput, "--" + std::string(flag) + ": want an integer in [" +
                                             std::to_string(min) + ", " + std::to_string(max) +
                                             "], got \"" + std::string(value) + "\"");
  }
  return out;
}

Result<std::optional<std::pair<std::string, int>>> parseBindAddress(std::string_view text) {
  if (text == "0") {
    return std::nullopt;
  }
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return fail(ErrorCode::InvalidInput,
                "bind address \"" + std::string(text) + "\" needs a port (host:port or :port)");
  }
  auto port = parseIntFlag("bind-address", text.substr(colon + 1), 0, 65535);
  if (!port) {
    return std::unexpected(port.error());
  }
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::pair{host.empty() ? std::string("0.0.0.0") : host, *port};
}

}  // namespace egressdiag::serving
