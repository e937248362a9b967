#include "operator/kube/events.h"

#include <gtest/gtest.h>

#include "operator/kube/discovery.h"

namespace egressdiag::kube {
namespace {

std::string member(const rapidjson::Value& v, const char* name) {
  auto it = v.FindMember(name);
  return it != v.MemberEnd() && it->value.IsString() ? it->value.GetString() : "<absent>";
}

TEST(EventsTest, EncodesEventsV1) {
  EventSpec spec;
  spec.regarding = {"egressdiag.io/v1alpha1", "EgressDiagnosis", "team-a", "egd-1", "uid-1"};
  spec.type = "Warning";
  spec.reason = "IPRuleMissing";
  spec.action = "Diagnose";
  spec.note = std::string(2000, 'x');
  std::chrono::system_clock::time_point t{std::chrono::seconds(1'795'382'653)};
  std::string json = encodeEvent(spec, "egressdiag.io/operator", "pod-1", t);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_EQ(member(doc, "apiVersion"), "events.k8s.io/v1");
  EXPECT_EQ(member(doc, "eventTime"), "2026-11-22T21:24:13.000000Z");
  EXPECT_EQ(member(doc, "reportingController"), "egressdiag.io/operator");
  EXPECT_EQ(member(doc, "reason"), "IPRuleMissing");
  EXPECT_EQ(member(doc, "note").size(), 1024u);
  const auto& meta = doc["metadata"];
  EXPECT_EQ(member(meta, "namespace"), "team-a");
  EXPECT_EQ(member(meta, "name").rfind("egd-1.", 0), 0u);
  EXPECT_EQ(member(doc["regarding"], "uid"), "uid-1");

  ObjectReference node{"v1", "Node", "", "node-1", ""};
  EXPECT_EQ(eventNamespace(node), "default");
}

TEST(DiscoveryTest, DecodesResourceLists) {
  const std::vector<std::tuple<std::string, bool, size_t>> cases = {
      {R"({"kind":"APIResourceList","resources":[{"name":"egresspolicies"},)"
       R"({"name":"egresspolicies/status"},{"name":7},"junk"]})",
       true, 2},
      {R"({"resources":[]})", true, 0},
      {R"({"resources":{}})", false, 0},
      {R"({})", false, 0},
      {R"([])", false, 0},
  };
  for (const auto& [text, ok, count] : cases) {
    rapidjson::Document d;
    d.Parse(text.c_str());
    auto names = decodeResourceList(d);
    ASSERT_EQ(names.has_value(), ok) << text;
    if (ok) {
      EXPECT_EQ(names->size(), count) << text;
    }
  }
}

}  // namespace
}  // namespace egressdiag::kube
