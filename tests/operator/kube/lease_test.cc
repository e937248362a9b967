#include <gtest/gtest.h>

#include "operator/kube/leader_election.h"

namespace egressdiag::kube {
namespace {

using namespace std::chrono_literals;

TEST(LeaseTest, MicroTimeFormat) {
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {0, "1970-01-01T00:00:00.000000Z"},
      {1'795'382'653'123'456, "2026-11-22T21:24:13.123456Z"},
      {951'782'400'000'001, "2000-02-29T00:00:00.000001Z"},
  };
  for (const auto& [micros, want] : cases) {
    std::chrono::system_clock::time_point t{std::chrono::microseconds(micros)};
    EXPECT_EQ(formatMicroTime(t), want);
  }
}

TEST(LeaseTest, AvailabilityTable) {
  std::chrono::steady_clock::time_point t0{};
  LeaseRecord other{"b", 10, "", "", 0, "1"};
  LeaseRecord noDuration{"b", 0, "", "", 0, "1"};
  LeaseRecord mine{"a", 10, "", "", 0, "1"};
  LeaseRecord empty{"", 10, "", "", 0, "1"};
  struct Case {
    const char* name;
    LeaseRecord record;
    std::chrono::seconds elapsed;
    bool want;
  };
  const std::vector<Case> cases = {
      {"held by other, fresh", other, 0s, false},
      {"held by other, just before expiry", other, 9s, false},
      {"held by other, expired", other, 10s, true},
      {"own lease", mine, 0s, true},
      {"released lease", empty, 0s, true},
      {"no duration in record: default 15 s", noDuration, 14s, false},
      {"no duration in record: expired", noDuration, 15s, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(leaseAvailable(c.record, t0, t0 + c.elapsed, "a", 15s), c.want) << c.name;
  }
}

TEST(LeaseTest, DecodeAndEncode) {
  LeaseRecord record{"pod-a", 15,  "2026-11-22T21:24:13.000000Z", "2026-11-22T21:25:13.000000Z",
                     3,       "77"};
  std::string json = encodeLease("ns", "lock", record);
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_FALSE(doc.HasParseError());
  auto decoded = decodeLease(doc);
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, record);

  const std::vector<std::pair<std::string, bool>> cases = {
      {R"({"metadata":{"name":"l","resourceVersion":"1"}})", true},
      {R"({"metadata":{"name":"l"},"spec":null})", true},
      {R"({"metadata":{"name":"l"},"spec":{"holderIdentity":5}})", false},
      {R"({"metadata":{"name":"l"},"spec":{"leaseDurationSeconds":"15"}})", false},
      {R"({"metadata":{"name":"l"},"spec":[]})", false},
      {R"({"spec":{}})", false},
  };
  for (const auto& [text, ok] : cases) {
    rapidjson::Document d;
    d.Parse(text.c_str());
    EXPECT_EQ(decodeLease(d).has_value(), ok) << text;
  }
}

}  // namespace
}  // namespace egressdiag::kube
