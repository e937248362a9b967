#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <expected>
#include <string>
#include <string_view>

#include "operator/common/result.h"

namespace egressdiag::kube {

// What went wrong with an API call. The apiserver-reported classes mirror metav1.StatusReason;
// Transport and Malformed are failures on our side of the wire (connect, TLS, bad JSON).
enum class ApiReason {
  Transport,           // connect, TLS, timeout or a connection dropped mid-response
  Malformed,           // the response was not the JSON we expect (or too large / truncated)
  BadRequest,          // 400
  Unauthorized,        // 401
  Forbidden,           // 403
  NotFound,            // 404
  AlreadyExists,       // 409 with reason AlreadyExists
  Conflict,            // 409: stale resourceVersion (optimistic concurrency)
  Gone,                // 410: resourceVersion compacted away, relist needed
  Invalid,             // 422: the object failed validation
  TooManyRequests,     // 429: retryAfter says when to come back
  ServerTimeout,       // 500 reason ServerTimeout, or 504
  InternalError,       // other 5xx
  ServiceUnavailable,  // 503
  Unknown,             // any other non-2xx
};

std::string_view toString(ApiReason reason);

struct ApiError {
  ApiReason reason = ApiReason::Unknown;
  int httpStatus = 0;   // 0 when no HTTP response was received
  std::string message;  // the server's Status.message when there was one
  std::chrono::seconds retryAfter{0};

  // Collapses to the project-wide error classes (PermissionDenied for 401/403, ...).
  Error toError() const;
  std::string describe() const;  // "Forbidden (403): <message>"
};

template <class T>
using ApiResult = std::expected<T, ApiError>;

inline std::unexpected<ApiError> apiFail(ApiReason reason, std::string message) {
  return std::unexpected<ApiError>(ApiError{reason, 0, std::move(message), {}});
}

// Classifies an HTTP status code, refined by the Status.reason string when the code alone is
// ambiguous (409 AlreadyExists vs Conflict, 500 ServerTimeout).
ApiReason reasonFor(int httpStatus, std::string_view statusReason);

// Builds the error for a non-2xx response. `body` is normally a metav1.Status; anything else
// (HTML from a proxy, empty, garbage) still yields an error carrying the HTTP code and a snippet.
// `retryAfterHeader` is the Retry-After header value (seconds), may be empty.
ApiError decodeErrorResponse(int httpStatus, std::string_view body,
                             std::string_view retryAfterHeader);

// Decodes a metav1.Status object (also the `object` of a watch ERROR event). Fails with
// InvalidInput when the value is not an object or `code` is missing or not an integer.
Result<ApiError> decodeStatusObject(const rapidjson::Value& status);

}  // namespace egressdiag::kube
