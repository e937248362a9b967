#include "node-probe/datapath/netns.h"
#include "node-probe/datapath/unique_fd.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "node-probe/datapath/netlink_reader.h"

namespace egressdiag::datapath {
namespace {

std::string errnoText(int err) {
  return std::strerror(err);
}


}  // namespace

std::string netnsPath(const NetnsRef& ref, std::string_view netnsDir) {
  switch (ref.kind) {
    case NetnsRef::Kind::Host:
      return {};
    case NetnsRef::Kind::Named:
      return std::string(netnsDir) + "/" + ref.name;
    case NetnsRef::Kind::Path:
      return ref.name;
  }
  return {};
}

Result<void> NetnsExecutor::runOnThread(const std::function<void()>& body) const {
  if (ref_.kind == NetnsRef::Kind::Host) {
    body();
    return {};
  }
  if (ref_.kind == NetnsRef::Kind::Named &&
      (ref_.name.empty() || ref_.name.find('/') != std::string::npos || ref_.name == "." ||
       ref_.name == "..")) {
    return fail(ErrorCode::InvalidInput, "invalid netns name '" + ref_.name + "'");
  }
  const auto path = netnsPath(ref_, netnsDir_);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return fail(ErrorCode::NotFound, ref_.describe() + " does not exist (" + path + ")");
    }
    if (err == EACCES || err == EPERM) {
      return fail(ErrorCode::PermissionDenied,
                  "cannot open " + path + ": " + errnoText(err) +
                      " (needs hostPID and ptrace access for /proc paths, CAP_SYS_ADMIN)");
    }
    return fail(ErrorCode::Unavailable, "cannot open " + path + ": " + errnoText(err));
  }
  Result<void> entered;
  std::thread worker([&] {
    if (::setns(fd.get(), CLONE_NEWNET) != 0) {
      const int err = errno;
      if (err == EPERM) {
        entered = fail(ErrorCode::PermissionDenied, "setns into " + ref_.describe() + ": " +
                                                        errnoText(err) + " (needs CAP_SYS_ADMIN)");
      } else {
        entered = fail(ErrorCode::Unavailable,
                       "setns into " + ref_.describe() + " (" + path + "): " + errnoText(err));
      }
      return;
    }
    body();
  });
  worker.join();
  return entered;
}

Result<std::vector<std::string>> listNamedNetns(std::string_view netnsDir) {
  std::vector<std::string> names;
  std::error_code ec;
  std::filesystem::directory_iterator it(std::filesystem::path(netnsDir), ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) {
      return names;
    }
    const auto code =
        ec == std::errc::permission_denied ? ErrorCode::PermissionDenied : ErrorCode::Unavailable;
    return fail(code, "cannot list " + std::string(netnsDir) + ": " + ec.message());
  }
  for (const auto& entry : it) {
    names.push_back(entry.path().filename().string());
  }
  std::ranges::sort(names);
  return names;
}

Result<std::string> findNetnsByIp(std::string_view ip, std::string_view netnsDir) {
  auto names = listNamedNetns(netnsDir);
  if (!names) {
    return std::unexpected(std::move(names.error()));
  }
  std::optional<Error> firstError;
  std::size_t entered = 0;
  for (const auto& name : *names) {
    NetnsExecutor exec(NetnsRef::named(name), std::string(netnsDir));
    auto addrs = exec.run([]() -> Result<std::vector<Address>> {
      auto reader = RtnlReader::open();
      if (!reader) {
        return std::unexpected(std::move(reader.error()));
      }
      return reader->addresses();
    });
    if (!addrs || !*addrs) {
      if (!firstError) {
        firstError = !addrs ? addrs.error() : addrs->error();
      }
      continue;
    }
    ++entered;
    for (const auto& a : **addrs) {
      if (a.ip == ip) {
        return name;
      }
    }
  }
  if (entered == 0 && firstError) {
    return std::unexpected(std::move(*firstError));
  }
  return fail(ErrorCode::NotFound, "no named netns has an interface with " + std::string(ip));
}

}  // namespace egressdiag::datapath
