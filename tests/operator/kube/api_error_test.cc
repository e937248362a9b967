#include "operator/kube/api_error.h"

#include <gtest/gtest.h>

namespace egressdiag::kube {
namespace {

struct StatusCase {
  const char* name;
  int http;
  std::string body;
  std::string retryAfter;
  ApiReason reason;
  std::string messageContains;
  int retrySeconds;
};

std::string status(int code, const char* reason, const char* message) {
  return std::string(R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":")") +
         message + R"(","reason":")" + reason + R"(","code":)" + std::to_string(code) + "}";
}

TEST(ApiErrorTest, DecodesErrorResponses) {
  const std::vector<StatusCase> cases = {
      {"bad request", 400, status(400, "BadRequest", "bad selector"), "", ApiReason::BadRequest,
       "bad selector", 0},
      {"unauthorized", 401, status(401, "Unauthorized", "Unauthorized"), "",
       ApiReason::Unauthorized, "Unauthorized", 0},
      {"forbidden", 403,
       status(403, "Forbidden", "configmaps is forbidden: User \\\"x\\\" cannot list"), "",
       ApiReason::Forbidden, "cannot list", 0},
      {"not found", 404, status(404, "NotFound", "configmaps \\\"a\\\" not found"), "",
       ApiReason::NotFound, "not found", 0},
      {"conflict", 409, status(409, "Conflict", "the object has been modified"), "",
       ApiReason::Conflict, "modified", 0},
      {"already exists", 409, status(409, "AlreadyExists", "already exists"), "",
       ApiReason::AlreadyExists, "already exists", 0},
      {"gone", 410, status(410, "Expired", "too old resource version"), "", ApiReason::Gone,
       "too old", 0},
      {"invalid", 422, status(422, "Invalid", "spec.x: Invalid value"), "", ApiReason::Invalid,
       "Invalid value", 0},
      {"too many requests header", 429, status(429, "TooManyRequests", "slow down"), "7",
       ApiReason::TooManyRequests, "slow down", 7},
      {"too many requests details", 429,
       R"({"kind":"Status","code":429,"reason":"TooManyRequests","message":"m",)"
       R"("details":{"retryAfterSeconds":3}})",
       "", ApiReason::TooManyRequests, "m", 3},
      {"server timeout", 500, status(500, "ServerTimeout", "took too long"), "",
       ApiReason::ServerTimeout, "took too long", 0},
      {"gateway timeout", 504, "", "", ApiReason::ServerTimeout, "empty response body", 0},
      {"internal", 500, status(500, "InternalError", "boom"), "", ApiReason::InternalError, "boom",
       0},
      {"unavailable html", 503, "<html>down</html>", "x", ApiReason::ServiceUnavailable,
       "non-Status body: <html>down</html>", 0},
      {"code wrong type", 404, R"({"kind":"Status","code":"404","message":"m"})", "",
       ApiReason::NotFound, "non-Status body", 0},
      {"truncated json", 403, R"({"kind":"Status","code":403,"mess)", "", ApiReason::Forbidden,
       "non-Status body", 0},
      {"unknown code", 418, status(418, "Teapot", "short and stout"), "", ApiReason::Unknown,
       "short and stout", 0},
      {"negative retry-after ignored", 429, status(429, "TooManyRequests", "m"), "-4",
       ApiReason::TooManyRequests, "m", 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ApiError err = decodeErrorResponse(c.http, c.body, c.retryAfter);
    EXPECT_EQ(err.reason, c.reason) << toString(err.reason);
    EXPECT_EQ(err.httpStatus, c.http);
    EXPECT_NE(err.message.find(c.messageContains), std::string::npos) << err.message;
    EXPECT_EQ(err.retryAfter.count(), c.retrySeconds);
  }
}

TEST(ApiErrorTest, MapsToProjectErrorCodes) {
  const std::vector<std::pair<ApiReason, ErrorCode>> cases = {
      {ApiReason::Forbidden, ErrorCode::PermissionDenied},
      {ApiReason::Unauthorized, ErrorCode::PermissionDenied},
      {ApiReason::NotFound, ErrorCode::NotFound},
      {ApiReason::Conflict, ErrorCode::Conflict},
      {ApiReason::Invalid, ErrorCode::InvalidInput},
      {ApiReason::Malformed, ErrorCode::InvalidInput},
      {ApiReason::Transport, ErrorCode::Unavailable},
      {ApiReason::ServerTimeout, ErrorCode::Timeout},
  };
  for (auto [reason, code] : cases) {
    ApiError err{reason, 403, "msg", {}};
    EXPECT_EQ(err.toError().code, code) << toString(reason);
    EXPECT_NE(err.toError().message.find("msg"), std::string::npos);
  }
}

TEST(ApiErrorTest, StatusObjectNeedsIntegerCode) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {R"({"code":410,"reason":"Expired","message":"too old"})", true},
      {R"({"reason":"Expired"})", false},
      {R"({"code":null})", false},
      {R"({"code":4.5})", false},
      {R"([410])", false},
      {R"("Status")", false},
  };
  for (const auto& [json, ok] : cases) {
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    ASSERT_FALSE(doc.HasParseError()) << json;
    auto decoded = decodeStatusObject(doc);
    EXPECT_EQ(decoded.has_value(), ok) << json;
  }
}

}  // namespace
}  // namespace egressdiag::kube
