#pragma once

// Network namespace plumbing. A namespace is entered only on a dedicated std::thread that the
// executor creates and joins: setns never touches the caller's thread (an Asio pool thread
// must never change namespace), and sockets created on that thread belong to the target
// namespace for their whole life (stack.md §2.4).

#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

inline constexpr const char* kNetnsDir = "/var/run/netns";

// Where `ref` lives on disk: /var/run/netns/<name>, the path itself, or "" for Host.
std::string netnsPath(const NetnsRef& ref, std::string_view netnsDir = kNetnsDir);

// Runs callables inside one network namespace.
class NetnsExecutor {
 public:
  explicit NetnsExecutor(NetnsRef ref, std::string netnsDir = kNetnsDir)
      : ref_(std::move(ref)), netnsDir_(std::move(netnsDir)) {}

  // Runs fn() on a fresh thread that first joins the namespace (Host: no setns), and returns
  // its value. Fails without running fn: NotFound when the namespace does not exist,
  // PermissionDenied naming CAP_SYS_ADMIN when setns is refused (or the nsfs file cannot be
  // opened), Unavailable for other errors. The thread ends with fn, so no namespace leaks
  // back into any pooled thread.
  template <class F>
  Result<std::invoke_result_t<F&>> run(F&& fn) const {
    using R = std::invoke_result_t<F&>;
    std::optional<R> value;
    auto entered = runOnThread([&] { value.emplace(fn()); });
    if (!entered) {
      return std::unexpected(std::move(entered.error()));
    }
    return std::move(*value);
  }

  const NetnsRef& ref() const { return ref_; }

 private:
  // Opens the namespace file, starts a thread, setns()es there and calls body; joins.
  Result<void> runOnThread(const std::function<void()>& body) const;

  NetnsRef ref_;
  std::string netnsDir_;
};

// Names of the named network namespaces (entries of `netnsDir`), sorted. An absent directory
// yields an empty list (no named namespaces); unreadable -> PermissionDenied.
Result<std::vector<std::string>> listNamedNetns(std::string_view netnsDir = kNetnsDir);

// The named namespace with an interface carrying `ip` (a pod's namespace from its IP).
// Namespaces that cannot be entered are skipped; fails NotFound when none matches, or with the
// first entry error when no namespace could be entered at all (e.g. no CAP_SYS_ADMIN).
Result<std::string> findNetnsByIp(std::string_view ip, std::string_view netnsDir = kNetnsDir);

}  // namespace egressdiag::datapath
