#include "node-probe/datapath/ipset_reader.h"

#include <libipset/ipset.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>

#include "node-probe/datapath/ipset_parser.h"

namespace egressdiag::datapath {
namespace {

// libipset prints through printf-style fragments; append them to the std::string in `p`.
int collect(struct ipset_session* /*session*/, void* p, const char* fmt, ...) {
  auto* out = static_cast<std::string*>(p);
  char small[512];
  va_list ap;
  va_start(ap, fmt);
  va_list again;
  va_copy(again, ap);
  const int n = std::vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n > 0 && static_cast<std::size_t>(n) < sizeof small) {
    out->append(small, static_cast<std::size_t>(n));
  } else if (n > 0) {
    const auto old = out->size();
    out->resize(old + static_cast<std::size_t>(n) + 1);
    std::vsnprintf(out->data() + old, static_cast<std::size_t>(n) + 1, fmt, again);
    out->resize(old + static_cast<std::size_t>(n));
  }
  va_end(again);
  return n;
}

// `ipset_session` names both a struct and a function, hence the elaborated type specifiers.
using Session = struct ipset_session;

struct SessionDeleter {
  void operator()(struct ipset_session* s) const { ipset_session_fini(s); }
};

}  // namespace

Result<std::string> readIpsetSaveText() {
  static std::once_flag typesLoaded;
  std::call_once(typesLoaded, [] { ipset_load_types(); });
  std::string out;
  std::unique_ptr<Session, SessionDeleter> session(ipset_session_init(&collect, &out));
  if (!session) {
    return fail(ErrorCode::Internal, "ipset_session_init failed");
  }
  ipset_session_output(session.get(), IPSET_LIST_SAVE);
  if (ipset_cmd(session.get(), IPSET_CMD_LIST, 0) < 0) {
    const char* msg = ipset_session_report_msg(session.get());
    std::string text = msg != nullptr ? msg : "unknown error";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
      text.pop_back();
    }
    if (text.find("Operation not permitted") != std::string::npos ||
        text.find("Permission denied") != std::string::npos) {
      return fail(ErrorCode::PermissionDenied, "ipset list: " + text + " (needs CAP_NET_ADMIN)");
    }
    return fail(ErrorCode::Unavailable, "ipset list: " + text);
  }
  return out;
}

Result<std::vector<IpsetSet>> readIpsets() {
  auto text = readIpsetSaveText();
  if (!text) {
    return std::unexpected(std::move(text.error()));
  }
  return parseIpsetSave(*text);
}

}  // namespace egressdiag::datapath
