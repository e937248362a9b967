#include "operator/kube/api_error.h"

#include <rapidjson/error/en.h>

#include <charconv>

namespace egressdiag::kube {
namespace {

constexpr size_t kSnippetBytes = 200;

std::string_view stringMember(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

std::chrono::seconds parseSeconds(std::string_view text) {
  long value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) {
    return std::chrono::seconds(0);
  }
  return std::chrono::seconds(value);
}

std::string printable(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, kSnippetBytes)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

}  // namespace

std::string_view toString(ApiReason reason) {
  switch (reason) {
    case ApiReason::Transport:
      return "Transport";
    case ApiReason::Malformed:
      return "Malformed";
    case ApiReason::BadRequest:
      return "BadRequest";
    case ApiReason::Unauthorized:
      return "Unauthorized";
    case ApiReason::Forbidden:
      return "Forbidden";
    case ApiReason::NotFound:
      return "NotFound";
    case ApiReason::AlreadyExists:
      return "AlreadyExists";
    case ApiReason::Conflict:
      return "Conflict";
    case ApiReason::Gone:
      return "Gone";
    case ApiReason::Invalid:
      return "Invalid";
    case ApiReason::TooManyRequests:
      return "TooManyRequests";
    case ApiReason::ServerTimeout:
      return "ServerTimeout";
    case ApiReason::InternalError:
      return "InternalError";
    case ApiReason::ServiceUnavailable:
      return "ServiceUnavailable";
    case ApiReason::Unknown:
      return "Unknown";
  }
  return "Unknown";
}

Error ApiError::toError() const {
  ErrorCode code = ErrorCode::Internal;
  switch (reason) {
    case ApiReason::Unauthorized:
    case ApiReason::Forbidden:
      code = ErrorCode::PermissionDenied;
      break;
    case ApiReason::NotFound:
      code = ErrorCode::NotFound;
      break;
    case ApiReason::AlreadyExists:
    case ApiReason::Conflict:
      code = ErrorCode::Conflict;
      break;
    case ApiReason::BadRequest:
    case ApiReason::Invalid:
    case ApiReason::Malformed:
      code = ErrorCode::InvalidInput;
      break;
    case ApiReason::ServerTimeout:
      code = ErrorCode::Timeout;
      break;
    case ApiReason::Transport:
    case ApiReason::Gone:
    case ApiReason::TooManyRequests:
    case ApiReason::InternalError:
    case ApiReason::ServiceUnavailable:
    case ApiReason::Unknown:
      code = ErrorCode::Unavailable;
      break;
  }
  return Error{code, describe()};
}

std::string ApiError::describe() const {
  if (httpStatus == 0) {
    return std::string(toString(reason)) + ": " + message;
  }
  return std::string(toString(reason)) + " (" + std::to_string(httpStatus) + "): " + message;
}

ApiReason reasonFor(int httpStatus, std::string_view statusReason) {
  switch (httpStatus) {
    case 400:
      return ApiReason::BadRequest;
    case 401:
      return ApiReason::Unauthorized;
    case 403:
      return ApiReason::Forbidden;
    case 404:
      return ApiReason::NotFound;
    case 409:
      return statusReason == "AlreadyExists" ? ApiReason::AlreadyExists : ApiReason::Conflict;
    case 410:
      return ApiReason::Gone;
    case 422:
      return ApiReason::Invalid;
    case 429:
      return ApiReason::TooManyRequests;
    case 500:
      return statusReason == "ServerTimeout" ? ApiReason::ServerTimeout : ApiReason::InternalError;
    case 503:
      return ApiReason::ServiceUnavailable;
    case 504:
      return ApiReason::ServerTimeout;
    default:
      return ApiReason::Unknown;
  }
}

Result<ApiError> decodeStatusObject(const rapidjson::Value& status) {
  if (!status.IsObject()) {
    return fail(ErrorCode::InvalidInput, "Status is not a JSON object");
  }
  auto code = status.FindMember("code");
  if (code == status.MemberEnd() || !code->value.IsInt()) {
    return fail(ErrorCode::InvalidInput, "Status.code is missing or not an integer");
  }
  ApiError err;
  err.httpStatus = code->value.GetInt();
  std::string_view reason = stringMember(status, "reason");
  err.reason = reasonFor(err.httpStatus, reason);
  err.message = std::string(stringMember(status, "message"));
  if (err.message.empty()) {
    err.message = reason.empty() ? "no message" : std::string(reason);
  }
  auto details = status.FindMember("details");
  if (details != status.MemberEnd() && details->value.IsObject()) {
    auto retry = details->value.FindMember("retryAfterSeconds");
    if (retry != details->value.MemberEnd() && retry->value.IsInt() && retry->value.GetInt() > 0) {
      err.retryAfter = std::chrono::seconds(retry->value.GetInt());
    }
  }
  return err;
}

ApiError decodeErrorResponse(int httpStatus, std::string_view body,
                             std::string_view retryAfterHeader) {
  ApiError err;
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (!doc.HasParseError()) {
    if (auto decoded = decodeStatusObject(doc)) {
      err = std::move(*decoded);
    }
  }
  if (err.message.empty()) {
    err.message = body.empty() ? "empty response body" : "non-Status body: " + printable(body);
  }
  // The HTTP status line is authoritative; a Status whose code disagrees keeps its message only.
  auto statusReason = doc.IsObject() ? stringMember(doc, "reason") : std::string_view();
  err.httpStatus = httpStatus;
  err.reason = reasonFor(httpStatus, statusReason);
  auto header = parseSeconds(retryAfterHeader);
  if (header.count() > 0) {
    err.retryAfter = header;
  }
  return err;
}

}  // namespace egressdiag::kube
