#pragma once

// Minimal HTTP/1.1 GET for local health endpoints (Azure's `http://<node>:8082/gw/<uid>`).
// IP literals only: the probe never resolves names.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

struct HttpUrl {
  std::string host;  // IP literal without brackets
  std::uint16_t port = 80;
  std::string path;  // starts with '/'
};

// Parses "http://10.0.0.4:8082/gw/uid" or "http://[fe80::1]:8082/". Fails (InvalidInput) for
// other schemes, host names, bad ports.
Result<HttpUrl> parseHttpUrl(std::string_view url);

struct HttpResponse {
  int status = 0;
  std::string body;
};

// Parses a raw response (status line, headers, body). Fails (InvalidInput) without a valid
// status line. The body is whatever follows the blank line (no chunked decoding).
Result<HttpResponse> parseHttpResponse(std::string_view raw);

// GET `url` from the calling thread's namespace. Fails: InvalidInput (bad URL), Unavailable
// (connection refused / unreachable), Timeout. Any HTTP status is a success here.
Result<HttpProbeResult> httpGet(std::string_view url, std::chrono::milliseconds timeout);

}  // namespace egressdiag::datapath
