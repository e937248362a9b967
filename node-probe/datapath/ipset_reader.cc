#include "node-probe/datapath/ipset_reader.h"

#include <libipset/ipset.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>

#include "node-probe/datapath/ipset_parser.h"
#include "node-probe/datapath/netlink_util.h"

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

std::unexpected<Error> permissionDenied(const std::string& text) {
  return fail(ErrorCode::PermissionDenied, "ipset list: " + text + " (needs CAP_NET_ADMIN)");
}

// Why the netlink dump did not produce sets: refused (final) or anything else (the caller falls
// back to libipset, which negotiates protocol versions and renders every set type).
struct DumpFailure {
  bool refused = false;
  Error error;
};

// IPSET_CMD_LIST of every set over nfnetlink in the calling thread's namespace, decoded.
std::expected<std::vector<IpsetSet>, DumpFailure> dumpOverNetlink() {
  struct {
    nlmsghdr nlh;
    nfgenmsg nfg;
    nlattr protoAttr;
    std::uint8_t proto[4];
  } req{};
  req.nlh.nlmsg_len = sizeof req;
  req.nlh.nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_LIST;
  req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.nlh.nlmsg_seq = nl::kDumpSeq;
  req.nfg.nfgen_family = AF_INET;
  req.nfg.version = NFNETLINK_V0;
  req.protoAttr.nla_len = NLA_HDRLEN + 1;
  req.protoAttr.nla_type = IPSET_ATTR_PROTOCOL;
  req.proto[0] = IPSET_PROTOCOL;

  IpsetDumpDecoder decoder;
  const auto dumped = nl::rawDump(
      NETLINK_NETFILTER, {reinterpret_cast<const std::uint8_t*>(&req), sizeof req},
      [&](const nlmsghdr& h) -> Result<void> {
        if (h.nlmsg_len < NLMSG_LENGTH(sizeof(nfgenmsg))) {
          return fail(ErrorCode::Unavailable, "netlink: short ipset message");
        }
        const auto* attrs =
            static_cast<const std::uint8_t*>(NLMSG_DATA(&h)) + NLMSG_ALIGN(sizeof(nfgenmsg));
        const std::size_t size = h.nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(nfgenmsg)));
        return decoder.addMessage({attrs, size});
      });
  if (!dumped) {
    // Only the kernel's refusal is final; the decoder never reports PermissionDenied.
    const bool refused = dumped.error().code == ErrorCode::PermissionDenied;
    return std::unexpected(DumpFailure{
        refused, refused ? permissionDenied(dumped.error().message).error() : dumped.error()});
  }
  return std::move(decoder).take();
}

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
      return permissionDenied(text);
    }
    return fail(ErrorCode::Unavailable, "ipset list: " + text);
  }
  return out;
}

Result<std::vector<IpsetSet>> readIpsets() {
  auto sets = dumpOverNetlink();
  if (sets) {
    return std::move(*sets);
  }
  if (sets.error().refused) {
    return std::unexpected(std::move(sets.error().error));
  }
  auto text = readIpsetSaveText();
  if (!text) {
    return std::unexpected(std::move(text.error()));
  }
  return parseIpsetSave(*text);
}

}  // namespace egressdiag::datapath
