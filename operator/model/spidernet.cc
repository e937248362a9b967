#include "operator/model/spidernet.h"

namespace egressdiag::model {

std::optional<std::uint32_t> tunnelMark(const EgressTunnel& tunnel) {
  const std::string& mark = tunnel.status.mark;
  if (mark.size() < 3 || mark.size() > 10 || mark[0] != '0' || (mark[1] != 'x' && mark[1] != 'X')) {
    return std::nullopt;
  }
  std::uint32_t value = 0;
  for (std::size_t i = 2; i < mark.size(); ++i) {
    char c = mark[i];
    std::uint32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
    value = value << 4 | digit;
  }
  return value;
}

}  // namespace egressdiag::model
