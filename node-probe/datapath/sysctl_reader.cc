#include "node-probe/datapath/sysctl_reader.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <optional>
#include <system_error>

namespace egressdiag::datapath {
namespace {

std::optional<int> readInt(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text)) {
    return std::nullopt;
  }
  int v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc{}) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

Result<Sysctls> readSysctls(std::string_view root) {
  const std::filesystem::path ipv4 = std::filesystem::path(root) / "ipv4";
  std::error_code ec;
  std::filesystem::directory_iterator it(ipv4 / "conf", ec);
  if (ec) {
    return fail(ErrorCode::Unavailable,
                "cannot read " + (ipv4 / "conf").string() + ": " + ec.message());
  }
  Sysctls s;
  s.ipForward = readInt(ipv4 / "ip_forward");
  for (const auto& entry : it) {
    const auto name = entry.path().filename().string();
    const auto value = readInt(entry.path() / "rp_filter");
    if (name == "all") {
      s.rpFilterAll = value;
    } else if (name == "default") {
      s.rpFilterDefault = value;
    } else if (value) {
      s.rpFilter.emplace(name, *value);
    }
  }
  return s;
}

}  // namespace egressdiag::datapath
