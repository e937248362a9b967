#include "node-probe/datapath/iptables_reader.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "node-probe/datapath/iptables_parser.h"
#include "node-probe/datapath/process.h"
#include "node-probe/datapath/unique_fd.h"

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

// True when `command` is an executable file in a PATH directory (as posix_spawnp looks it up).
bool onPath(std::string_view command) {
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/usr/bin:/bin";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const auto dir = dirs.substr(0, colon);
    const std::string file = std::string(dir.empty() ? "." : dir) + "/" + std::string(command);
    if (::access(file.c_str(), X_OK) == 0) {
      return true;
    }
    dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
  }
  return false;
}

// True when the legacy save of `family` would print nothing: the calling thread's namespace has
// no legacy (x_tables) table. The save prints exactly the tables listed in this file, nothing
// when the file is absent (module not loaded) or empty. Any other failure to read it (EACCES
// for a non-root probe) is not known to be empty: the save runs and reports as before.
// thread-self, not self: the reader runs on a namespace thread and /proc/self/net shows the
// main thread's namespace.
bool legacySaveEmpty(IpFamily family) {
  const char* path = family == IpFamily::V4 ? "/proc/thread-self/net/ip_tables_names"
                                            : "/proc/thread-self/net/ip6_tables_names";
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return errno == ENOENT;
  }
  char first = 0;
  return ::read(fd.get(), &first, 1) == 0;
}

// The nftables ruleset of one namespace at one moment: the namespace's cookie (never reused,
// unlike its inode) and nftables' generation ID, which every nftables transaction in that
// namespace bumps. Equal states mean an unchanged iptables-nft ruleset.
struct NftState {
  std::uint64_t netnsCookie = 0;
  std::uint32_t generation = 0;
  auto operator<=>(const NftState&) const = default;
};

// NFT_MSG_GETGEN in the calling thread's namespace: one netlink round trip. nullopt when it
// cannot be had (no nf_tables, no CAP_NET_ADMIN, a kernel without SO_NETNS_COOKIE): the caller
// then runs the save every time.
std::optional<NftState> nftState() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
  if (fd.get() < 0) {
    return std::nullopt;
  }
  NftState state;
  socklen_t len = sizeof state.netnsCookie;
  if (::getsockopt(fd.get(), SOL_SOCKET, SO_NETNS_COOKIE, &state.netnsCookie, &len) != 0) {
    return std::nullopt;
  }
  const timeval timeout{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  struct {
    nlmsghdr nlh;
    nfgenmsg nfg;
  } req{};
  req.nlh.nlmsg_len = sizeof req;
  req.nlh.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
  req.nlh.nlmsg_flags = NLM_F_REQUEST;
  req.nlh.nlmsg_seq = 1;
  req.nfg.nfgen_family = AF_UNSPEC;
  req.nfg.version = NFNETLINK_V0;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(fd.get(), &req, sizeof req, 0, reinterpret_cast<const sockaddr*>(&kernel),
               sizeof kernel) < 0) {
    return std::nullopt;
  }
  alignas(nlmsghdr) std::uint8_t buf[512];
  const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
  if (n < 0) {
    return std::nullopt;
  }
  auto left = static_cast<std::size_t>(n);
  for (const auto* h = reinterpret_cast<const nlmsghdr*>(buf); NLMSG_OK(h, left);
       h = NLMSG_NEXT(h, left)) {
    if (h->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN) ||
        h->nlmsg_len < NLMSG_LENGTH(NLMSG_ALIGN(sizeof(nfgenmsg)))) {
      continue;  // an error (EPERM, EOPNOTSUPP) or anything unexpected: no state
    }
    const auto* a = static_cast<const std::uint8_t*>(NLMSG_DATA(h)) + NLMSG_ALIGN(sizeof(nfgenmsg));
    std::size_t rest = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(nfgenmsg)));
    while (rest >= NLA_HDRLEN) {
      nlattr attr;
      std::memcpy(&attr, a, sizeof attr);
      if (attr.nla_len < NLA_HDRLEN || attr.nla_len > rest) {
        break;
      }
      if ((attr.nla_type & NLA_TYPE_MASK) == NFTA_GEN_ID && attr.nla_len == NLA_HDRLEN + 4) {
        std::uint32_t id = 0;
        std::memcpy(&id, a + NLA_HDRLEN, sizeof id);
        state.generation = ntohl(id);
        return state;
      }
      const std::size_t step = std::min<std::size_t>(NLA_ALIGN(attr.nla_len), rest);
      a += step;
      rest -= step;
    }
  }
  return std::nullopt;
}

// The output of the last successful nft save per command and namespace, with the namespace
// state it was read in. A probe polls the same namespaces every few seconds (the host, gateway
// namespaces, each annotated pod's) and their rulesets rarely change: an unchanged generation
// saves the process (most of the iptables time). The text is kept rather than the parsed dump,
// which is ten times larger and would be held twice during a read; chain counters in a reused
// text are those of that save. At most kMaxNamespaces namespaces per command are kept (the
// least recently used goes first): a node's pod rulesets are small, and a deleted namespace's
// cookie is never seen again.
class NftSaveCache {
 public:
  std::optional<ProcessOutput> find(const NftState& state, const std::string& command) {
    std::lock_guard lock(mutex_);
    const auto it = outputs_.find({command, state.netnsCookie});
    if (it == outputs_.end() || it->second.generation != state.generation) {
      return std::nullopt;
    }
    it->second.lastUse = ++clock_;
    return it->second.output;
  }

  void store(const NftState& state, const std::string& command, const ProcessOutput& out) {
    std::lock_guard lock(mutex_);
    const Key key{command, state.netnsCookie};
    if (!outputs_.contains(key)) {
      evictFor(command);
    }
    outputs_.insert_or_assign(key, Entry{state.generation, out, ++clock_});
  }

 private:
  static constexpr std::size_t kMaxNamespaces = 64;
  using Key = std::pair<std::string, std::uint64_t>;  // command, namespace cookie
  struct Entry {
    std::uint32_t generation = 0;
    ProcessOutput output;
    std::uint64_t lastUse = 0;
  };

  void evictFor(const std::string& command) {
    std::size_t count = 0;
    auto oldest = outputs_.end();
    for (auto it = outputs_.begin(); it != outputs_.end(); ++it) {
      if (it->first.first == command) {
        ++count;
        if (oldest == outputs_.end() || it->second.lastUse < oldest->second.lastUse) {
          oldest = it;
        }
      }
    }
    if (count >= kMaxNamespaces) {
      outputs_.erase(oldest);
    }
  }

  std::mutex mutex_;
  std::uint64_t clock_ = 0;
  std::map<Key, Entry> outputs_;
};

NftSaveCache& nftSaveCache() {
  static NftSaveCache cache;
  return cache;
}

// One save as a value from the process's outcome (see runIptablesSave).
IptablesSave saveFromOutput(IptablesBackend backend, IpFamily family, const std::string& command,
                            Result<ProcessOutput> out) {
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

struct Variant {
  IptablesBackend backend;
  IpFamily family;
  const char* command;
};

// One save of `v`. A legacy save of a namespace without legacy tables is not run: its output
// would be empty, so the empty save is built directly (the heaviest node spends ~half of its
// iptables time in a legacy save that prints nothing). A missing binary still runs to fail as
// before.
IptablesSave saveOf(const Variant& v, std::chrono::milliseconds timeout) {
  if (v.backend == IptablesBackend::Legacy) {
    if (legacySaveEmpty(v.family) && onPath(v.command)) {
      return buildIptablesSave(v.backend, v.family, v.command, "", "");
    }
    return runIptablesSave(v.backend, v.family, v.command, timeout);
  }
  // Read before the save: a change racing with it leaves the stored generation behind, so the
  // next read runs the save again.
  const std::optional<NftState> state = nftState();
  if (state) {
    if (auto cached = nftSaveCache().find(*state, v.command)) {
      return saveFromOutput(v.backend, v.family, v.command, std::move(*cached));
    }
  }
  auto out = runProcess({v.command}, timeout);
  if (state && out && out->exitCode == 0) {
    nftSaveCache().store(*state, v.command, *out);
  }
  return saveFromOutput(v.backend, v.family, v.command, std::move(out));
}

// The saves of every variant, in variant order, run concurrently: each is a separate process,
// and the threads started here inherit the calling thread's network namespace.
std::vector<IptablesSave> saveAll(const std::vector<Variant>& variants,
                                  std::chrono::milliseconds timeout) {
  std::vector<IptablesSave> saves(variants.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < variants.size(); ++i) {
    try {
      threads.emplace_back([&, i] { saves[i] = saveOf(variants[i], timeout); });
    } catch (const std::system_error&) {
      saves[i] = saveOf(variants[i], timeout);  // no thread available: run it here
    }
  }
  if (!variants.empty()) {
    saves[0] = saveOf(variants[0], timeout);
  }
  for (std::thread& t : threads) {
    t.join();
  }
  return saves;
}

}  // namespace

IptablesSave runIptablesSave(IptablesBackend backend, IpFamily family, const std::string& command,
                             std::chrono::milliseconds timeout) {
  return saveFromOutput(backend, family, command, runProcess({command}, timeout));
}

Result<IptablesSnapshot> readIptables(const IptablesReadOptions& options) {
  std::vector<Variant> variants = {
      {IptablesBackend::Nft, IpFamily::V4, "iptables-nft-save"},
      {IptablesBackend::Legacy, IpFamily::V4, "iptables-legacy-save"},
  };
  if (options.ipv6) {
    variants.push_back({IptablesBackend::Nft, IpFamily::V6, "ip6tables-nft-save"});
    variants.push_back({IptablesBackend::Legacy, IpFamily::V6, "ip6tables-legacy-save"});
  }
  std::vector<IptablesSave> saves = saveAll(variants, options.timeout);
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
