#include "operator/serving/health_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace egressdiag::serving {
namespace {

constexpr int kPollMillis = 200;
constexpr std::size_t kMaxRequestBytes = 4096;

void sendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent <= 0) {
      return;
    }
    data.remove_prefix(static_cast<std::size_t>(sent));
  }
}

std::string response(int code, std::string_view reason, std::string_view body) {
  return "HTTP/1.1 " + std::to_string(code) + " " + std::string(reason) +
         "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + std::string(body);
}

}  // namespace

Result<std::unique_ptr<HealthServer>> HealthServer::start(const std::string& host, int port,
                                                          std::function<bool()> ready) {
  std::string where = host + ":" + std::to_string(port);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) {
    return fail(ErrorCode::InvalidInput, "health probe address " + where + ": not an IPv4 host");
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return fail(ErrorCode::Unavailable, "health probe socket: " + std::string(strerror(errno)));
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::listen(fd, 16) != 0) {
    std::string error = strerror(errno);
    ::close(fd);
    return fail(ErrorCode::Unavailable, "health probe address " + where + ": " + error);
  }
  socklen_t length = sizeof(address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return std::unique_ptr<HealthServer>(
      new HealthServer(fd, ntohs(address.sin_port), std::move(ready)));
}

HealthServer::HealthServer(int fd, int port, std::function<bool()> ready)
    : fd_(fd),
      port_(port),
      ready_(std::move(ready)),
      thread_([this](std::stop_token stop) { serve(stop); }) {}

HealthServer::~HealthServer() {
  thread_.request_stop();
  if (thread_.joinable()) {
    thread_.join();
  }
  ::close(fd_);
}

void HealthServer::serve(std::stop_token stop) {
  while (!stop.stop_requested()) {
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, kPollMillis) <= 0) {
      continue;
    }
    int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      continue;
    }
    answer(client);
    ::close(client);
  }
}

void HealthServer::answer(int client) {
  std::string request;
  char buffer[1024];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxRequestBytes) {
    pollfd pfd{client, POLLIN, 0};
    if (::poll(&pfd, 1, 1000) <= 0) {
      return;
    }
    ssize_t got = ::recv(client, buffer, sizeof(buffer), 0);
    if (got <= 0) {
      return;
    }
    request.append(buffer, static_cast<std::size_t>(got));
  }
  std::string_view line(request);
  line = line.substr(0, line.find("\r\n"));
  if (line.starts_with("GET /healthz")) {
    sendAll(client, response(200, "OK", "ok\n"));
  } else if (line.starts_with("GET /readyz")) {
    sendAll(client, ready_() ? response(200, "OK", "ok\n")
                             : response(503, "Service Unavailable", "caches not synced\n"));
  } else {
    sendAll(client, response(404, "Not Found", "not found\n"));
  }
}

}  // namespace egressdiag::serving
