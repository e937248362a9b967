#include "node-probe/datapath/http_probe.h"
#include "node-probe/datapath/unique_fd.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

namespace egressdiag::datapath {
namespace {

constexpr std::size_t kMaxBody = 4096;
constexpr std::size_t kMaxResponse = 64 * 1024;


// Waits for `events` on fd until `deadline`; false on timeout.
bool waitFor(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) {
      return true;
    }
    if (n < 0 && errno != EINTR) {
      return true;  // let the following call report the error
    }
  }
}

}  // namespace

Result<HttpUrl> parseHttpUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return fail(ErrorCode::InvalidInput, "only http:// URLs are supported: " + std::string(url));
  }
  auto rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  HttpUrl out;
  out.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view portText;
  if (authority.starts_with('[')) {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return fail(ErrorCode::InvalidInput, "unterminated IPv6 literal in " + std::string(url));
    }
    out.host = std::string(authority.substr(1, close - 1));
    const auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return fail(ErrorCode::InvalidInput, "bad authority in " + std::string(url));
      }
      portText = after.substr(1);
    }
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      portText = authority.substr(colon + 1);
    }
  }
  if (!portText.empty()) {
    const auto r = std::from_chars(portText.data(), portText.data() + portText.size(), out.port);
    if (r.ec != std::errc{} || r.ptr != portText.data() + portText.size() || out.port == 0) {
      return fail(ErrorCode::InvalidInput, "bad port in " + std::string(url));
    }
  }
  unsigned char buf[sizeof(in6_addr)];
  if (inet_pton(AF_INET, out.host.c_str(), buf) != 1 &&
      inet_pton(AF_INET6, out.host.c_str(), buf) != 1) {
    return fail(ErrorCode::InvalidInput, "host must be an IP literal: " + std::string(url));
  }
  return out;
}

Result<HttpResponse> parseHttpResponse(std::string_view raw) {
  // "HTTP/1.1 200 OK"
  if (!raw.starts_with("HTTP/1.") || raw.size() < 12 || raw[8] != ' ') {
    return fail(ErrorCode::InvalidInput, "no HTTP status line");
  }
  HttpResponse out;
  const auto code = raw.substr(9, 3);
  const auto r = std::from_chars(code.data(), code.data() + code.size(), out.status);
  if (r.ec != std::errc{} || r.ptr != code.data() + code.size() || out.status < 100 ||
      out.status > 999) {
    return fail(ErrorCode::InvalidInput, "bad HTTP status code");
  }
  const auto headersEnd = raw.find("\r\n\r\n");
  if (headersEnd != std::string_view::npos) {
    out.body = std::string(raw.substr(headersEnd + 4, kMaxBody));
  }
  return out;
}

Result<HttpProbeResult> httpGet(std::string_view url, std::chrono::milliseconds timeout) {
  auto parsed = parseHttpUrl(url);
  if (!parsed) {
    return std::unexpected(std::move(parsed.error()));
  }
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + timeout;
  sockaddr_storage ss{};
  socklen_t len = 0;
  int family = AF_INET;
  if (auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
      inet_pton(AF_INET, parsed->host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(parsed->port);
    len = sizeof(sockaddr_in);
  } else {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    inet_pton(AF_INET6, parsed->host.c_str(), &v6->sin6_addr);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(parsed->port);
    len = sizeof(sockaddr_in6);
    family = AF_INET6;
  }
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) {
    return fail(ErrorCode::Unavailable, std::string("socket: ") + std::strerror(errno));
  }
  const std::string target = std::string(url);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
    return fail(ErrorCode::Unavailable, "connect " + target + ": " + std::strerror(errno));
  }
  if (!waitFor(fd.get(), POLLOUT, deadline)) {
    return fail(ErrorCode::Timeout, "connect " + target + " timed out");
  }
  int soErr = 0;
  socklen_t soLen = sizeof soErr;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soErr, &soLen);
  if (soErr != 0) {
    return fail(ErrorCode::Unavailable, "connect " + target + ": " + std::strerror(soErr));
  }
  const bool v6 = family == AF_INET6;
  const std::string request = "GET " + parsed->path + " HTTP/1.1\r\nHost: " +
                              (v6 ? "[" + parsed->host + "]" : parsed->host) + ":" +
                              std::to_string(parsed->port) +
                              "\r\nUser-Agent: egressdiag-probe\r\nConnection: close\r\n\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!waitFor(fd.get(), POLLOUT, deadline)) {
      return fail(ErrorCode::Timeout, "sending to " + target + " timed out");
    }
    const ssize_t n = ::send(fd.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
      return fail(ErrorCode::Unavailable, "send to " + target + ": " + std::strerror(errno));
    }
    sent += n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  std::string raw;
  char buf[8192];
  while (raw.size() < kMaxResponse) {
    if (!waitFor(fd.get(), POLLIN, deadline)) {
      return fail(ErrorCode::Timeout, "reading from " + target + " timed out");
    }
    const ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
    if (n == 0) {
      break;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) {
        continue;
      }
      return fail(ErrorCode::Unavailable, "recv from " + target + ": " + std::strerror(errno));
    }
    raw.append(buf, static_cast<std::size_t>(n));
  }
  auto response = parseHttpResponse(raw);
  if (!response) {
    return fail(ErrorCode::InvalidInput, target + ": " + response.error().message);
  }
  HttpProbeResult out;
  out.url = target;
  out.status = response->status;
  out.body = std::move(response->body);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace egressdiag::datapath
