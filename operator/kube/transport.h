#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "operator/common/result.h"
#include "operator/kube/api_error.h"
#include "operator/kube/config.h"

namespace egressdiag::kube {

struct TransportOptions {
  std::string userAgent;                             // default "egressdiag/<version>"
  std::chrono::milliseconds connectTimeout{10'000};  // TCP connect + TLS handshake
  std::chrono::milliseconds requestTimeout{60'000};  // whole unary request/response
  size_t maxResponseBytes = 64u << 20;               // larger unary responses fail as Malformed
  double qps = 20;                                   // client-side limiter (<= 0: off)
  int burst = 40;
  size_t maxIdleConnections = 4;  // kept-alive connections reused by requests
  std::chrono::seconds tokenRereadInterval{60};
};

struct HttpRequest {
  std::string method = "GET";  // GET POST PUT PATCH DELETE
  std::string target;          // path + query
  std::string body;
  std::string contentType;  // set when body is not empty
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string retryAfter;  // Retry-After header
};

// HTTPS to the apiserver (Beast over Asio, OpenSSL). Thread-safe: unary requests from any
// thread share a small pool of kept-alive connections on an internal I/O thread; each stream()
// runs on its caller's thread over a dedicated connection. Every request passes the QPS/burst
// limiter and carries User-Agent and credentials (token re-read from tokenFile periodically).
class Transport {
 public:
  virtual ~Transport() = default;

  // Builds the TLS context. Fails (InvalidInput) naming the config origin when the CA, client
  // certificate or key cannot be loaded.
  static Result<std::unique_ptr<Transport>> create(const ClusterConfig& config,
                                                   TransportOptions options);

  // One request/response. Non-2xx statuses are returned as responses, not errors; errors are
  // Transport (connect/TLS/timeout/connection lost) or Malformed (response over the size cap).
  virtual ApiResult<HttpResponse> roundTrip(const HttpRequest& request) = 0;

  // GET whose body is streamed to onData until the server ends it, nothing arrives for
  // `idleTimeout`, onData returns false, or `stop` is requested (then returns success).
  // A non-2xx status is returned as the decoded Status error (the body is read, capped).
  virtual ApiResult<void> stream(const std::string& target, std::chrono::milliseconds idleTimeout,
                                 const std::function<bool(std::string_view)>& onData,
                                 std::stop_token stop) = 0;
};

}  // namespace egressdiag::kube
