#include "node-probe/datapath/iptables_reader.h"

#include "node-probe/datapath/iptables_parser.h"
#include "node-probe/datapath/process.h"

namespace egressdiag::datapath {
namespace {

constexpr std::size_t kMaxStderr = 4096;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) {
    s.pop_back();
  }
  if (s.size() > kMaxStderr) {
    s.resize(kMaxStderr);
  }
  return s;
}

bool mentionsPermission(std::string_view text) {
  return text.find("Permission denied") != std::string_view::npos ||
         text.find("Operation not permitted") != std::string_view::npos ||
         text.find("you must be root") != std::string_view::npos;
}

}  // namespace

IptablesSave runIptablesSave(IptablesBackend backend, IpFamily family, const std::string& command,
                             std::chrono::milliseconds timeout) {
  auto out = runProcess({command}, timeout);
  if (!out) {
    IptablesSave save;
    save.backend = backend;
    save.family = family;
    save.command = command;
    save.dump = std::unexpected(std::move(out.error()));
    return save;
  }
  auto save = buildIptablesSave(backend, family, command, out->stdoutText,
                                trimmed(std::move(out->stderrText)));
  if (out->exitCode != 0) {
    const auto code =
        mentionsPermission(save.stderrText) ? ErrorCode::PermissionDenied : ErrorCode::Unavailable;
    std::string msg = command + " exited with " + std::to_string(out->exitCode);
    if (!save.stderrText.empty()) {
      msg += ": " + save.stderrText;
    }
    if (code == ErrorCode::PermissionDenied) {
      msg += " (needs CAP_NET_ADMIN)";
    }
    save.dump = fail(code, std::move(msg));
  }
  return save;
}

Result<IptablesSnapshot> readIptables(const IptablesReadOptions& options) {
  struct Variant {
    IptablesBackend backend;
    IpFamily family;
    const char* command;
  };
  std::vector<Variant> variants = {
      {IptablesBackend::Nft, IpFamily::V4, "iptables-nft-save"},
      {IptablesBackend::Legacy, IpFamily::V4, "iptables-legacy-save"},
  };
  if (options.ipv6) {
    variants.push_back({IptablesBackend::Nft, IpFamily::V6, "ip6tables-nft-save"});
    variants.push_back({IptablesBackend::Legacy, IpFamily::V6, "ip6tables-legacy-save"});
  }
  std::vector<IptablesSave> saves;
  saves.reserve(variants.size());
  for (const auto& v : variants) {
    saves.push_back(runIptablesSave(v.backend, v.family, v.command, options.timeout));
  }
  // A save refused for lack of privilege, or cut off, hides rules: judging backends from the
  // other one alone would be wrong, so the whole part fails. A missing binary (a node without
  // the legacy tools) only removes that backend.
  const IptablesSave* blocking = nullptr;
  bool anyOk = false;
  for (const auto& s : saves) {
    if (s.dump) {
      anyOk = true;
    } else if (blocking == nullptr && (s.dump.error().code == ErrorCode::PermissionDenied ||
                                       s.dump.error().code == ErrorCode::Timeout)) {
      blocking = &s;
    }
  }
  if (blocking != nullptr) {
    return std::unexpected(blocking->dump.error());
  }
  if (!anyOk) {
    return std::unexpected(saves.front().dump.error());
  }
  return summariseIptables(std::move(saves));
}

}  // namespace egressdiag::datapath
