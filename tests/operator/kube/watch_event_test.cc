#include "operator/kube/watch_event.h"

#include <gtest/gtest.h>

namespace egressdiag::kube {
namespace {

struct Case {
  const char* name;
  std::string line;
  bool ok;
  WatchEventType type = WatchEventType::Added;
  std::string key;
  std::string rv;
  std::string errorContains;
};

TEST(WatchEventTest, Decodes) {
  const std::vector<Case> cases = {
      {"added",
       R"({"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"a","namespace":"ns",)"
       R"("uid":"u1","resourceVersion":"10"}}})",
       true, WatchEventType::Added, "ns/a", "10", ""},
      {"modified cluster-scoped",
       R"({"type":"MODIFIED","object":{"metadata":{"name":"node-1","resourceVersion":"11"}}})",
       true, WatchEventType::Modified, "node-1", "11", ""},
      {"deleted",
       R"({"type":"DELETED","object":{"metadata":{"name":"a","namespace":"ns",)"
       R"("resourceVersion":"12"}}})",
       true, WatchEventType::Deleted, "ns/a", "12", ""},
      {"bookmark",
       R"({"type":"BOOKMARK","object":{"kind":"ConfigMap","metadata":{"resourceVersion":"99",)"
       R"("annotations":{"k8s.io/initial-events-end":"true"}}}})",
       true, WatchEventType::Bookmark, "", "99", ""},
      {"error 410",
       R"({"type":"ERROR","object":{"kind":"Status","status":"Failure","message":"too old )"
       R"j(resource version: 1 (5)","reason":"Expired","code":410}})j",
       true, WatchEventType::Error, "", "", ""},
      {"not json", "{\"type\":", false, WatchEventType::Added, "", "", "not valid JSON"},
      {"array", "[1]", false, WatchEventType::Added, "", "", "not a JSON object"},
      {"type missing", R"({"object":{}})", false, WatchEventType::Added, "", "", "type"},
      {"type number", R"({"type":1,"object":{}})", false, WatchEventType::Added, "", "", "type"},
      {"unknown type", R"({"type":"RENAMED","object":{}})", false, WatchEventType::Added, "", "",
       "unknown watch event type 'RENAMED'"},
      {"object missing", R"({"type":"ADDED"})", false, WatchEventType::Added, "", "", "object"},
      {"object string", R"({"type":"ADDED","object":"x"})", false, WatchEventType::Added, "", "",
       "object"},
      {"metadata missing", R"({"type":"ADDED","object":{}})", false, WatchEventType::Added, "", "",
       "metadata"},
      {"name not a string", R"({"type":"ADDED","object":{"metadata":{"name":5}}})", false,
       WatchEventType::Added, "", "", "metadata.name is not a string"},
      {"name missing", R"({"type":"ADDED","object":{"metadata":{"namespace":"a"}}})", false,
       WatchEventType::Added, "", "", "metadata.name is missing"},
      {"rv wrong type",
       R"({"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":7}}})", false,
       WatchEventType::Added, "", "", "resourceVersion"},
      {"bookmark without rv", R"({"type":"BOOKMARK","object":{"metadata":{}}})", false,
       WatchEventType::Bookmark, "", "", "without resourceVersion"},
      {"error without code", R"({"type":"ERROR","object":{"kind":"Status","message":"x"}})", false,
       WatchEventType::Error, "", "", "Status.code"},
      {"trailing garbage", R"({"type":"ADDED","object":{"metadata":{"name":"a"}}} x)", false,
       WatchEventType::Added, "", "", "not valid JSON"},
      {"deep nesting", std::string(100000, '[') + std::string(100000, ']'), false,
       WatchEventType::Added, "", "", "not a JSON object"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto event = decodeWatchEvent(c.line);
    ASSERT_EQ(event.has_value(), c.ok) << (event ? "" : event.error().message);
    if (!c.ok) {
      EXPECT_NE(event.error().message.find(c.errorContains), std::string::npos)
          << event.error().message;
      continue;
    }
    EXPECT_EQ(event->type, c.type);
    EXPECT_EQ(event->identity.resourceVersion, c.rv);
    if (c.type != WatchEventType::Bookmark && c.type != WatchEventType::Error) {
      EXPECT_EQ(event->identity.key(), c.key);
      EXPECT_TRUE(event->object().IsObject());
    }
  }
}

TEST(WatchEventTest, ErrorEventCarriesStatus) {
  auto event = decodeWatchEvent(
      R"({"type":"ERROR","object":{"kind":"Status","message":"too old resource version",)"
      R"("reason":"Expired","code":410}})");
  ASSERT_TRUE(event);
  EXPECT_EQ(event->error.reason, ApiReason::Gone);
  EXPECT_EQ(event->error.httpStatus, 410);
  EXPECT_EQ(event->error.message, "too old resource version");
}

TEST(WatchEventTest, CopyAndSerialiseRoundTrip) {
  auto event = decodeWatchEvent(
      R"({"type":"ADDED","object":{"metadata":{"name":"a"},"data":{"k":"v\"q"}}})");
  ASSERT_TRUE(event);
  JsonDocument copy = copyJson(event->object());
  EXPECT_EQ(toJson(copy), R"({"metadata":{"name":"a"},"data":{"k":"v\"q"}})");
}

}  // namespace
}  // namespace egressdiag::kube
