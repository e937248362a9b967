#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace egressdiag {

// Broad classes of expected failure. Callers branch on the class (retry, report Unknown, exit 2);
// the message carries the detail for people.
enum class ErrorCode {
  InvalidInput,     // malformed data from a file, a server or the kernel
  NotFound,         // the thing asked for does not exist
  PermissionDenied, // EPERM / EACCES / HTTP 401, 403: names the missing capability or right
  Unavailable,      // a dependency is absent or unreachable (kernel feature, server, binary)
  Timeout,
  Conflict,         // optimistic-concurrency failure
  Internal,         // a bug on our side surfaced as a value rather than a crash
};

std::string_view toString(ErrorCode code);

struct Error {
  ErrorCode code;
  std::string message;
};

template <class T> using Result = std::expected<T, Error>;

// Shorthand for `return fail(ErrorCode::NotFound, "...")` inside functions returning Result<T>.
inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected<Error>(Error{code, std::move(message)});
}

inline std::string_view toString(ErrorCode code) {
  switch (code) {
  case ErrorCode::InvalidInput:
    return "InvalidInput";
  case ErrorCode::NotFound:
    return "NotFound";
  case ErrorCode::PermissionDenied:
    return "PermissionDenied";
  case ErrorCode::Unavailable:
    return "Unavailable";
  case ErrorCode::Timeout:
    return "Timeout";
  case ErrorCode::Conflict:
    return "Conflict";
  case ErrorCode::Internal:
    return "Internal";
  }
  return "Unknown";
}

} // namespace egressdiag
