#include "operator/model/time.h"

#include <gtest/gtest.h>

namespace egressdiag::model {
namespace {

using std::chrono::microseconds;
using std::chrono::seconds;

struct TimeCase {
  std::string_view text;
  bool ok;
  std::int64_t micros = 0;  // since the epoch, when ok
};

TEST(ParseTime, Table) {
  const std::vector<TimeCase> cases = {
      {"1970-01-01T00:00:00Z", true, 0},
      {"2024-03-01T08:10:00Z", true, 1709280600'000000},
      {"2024-03-01T08:10:00.5Z", true, 1709280600'500000},
      {"2024-03-01T08:10:00.123456Z", true, 1709280600'123456},
      {"2024-03-01T08:10:00.123456789Z", true, 1709280600'123456},
      {"2024-03-01T10:10:00+02:00", true, 1709280600'000000},
      {"2024-03-01T07:40:00-00:30", true, 1709280600'000000},
      {"2024-03-01t08:10:00z", true, 1709280600'000000},
      {"2024-02-29T00:00:00Z", true, 1709164800'000000},
      {"1969-12-31T23:59:59Z", true, -1'000000},
      {"", false},
      {"2024-03-01", false},
      {"2024-03-01T08:10:00", false},
      {"2024-03-01 08:10:00Z", false},
      {"2023-02-29T00:00:00Z", false},
      {"2024-13-01T00:00:00Z", false},
      {"2024-03-01T24:00:00Z", false},
      {"2024-03-01T08:60:00Z", false},
      {"2024-03-01T08:10:60Z", false},
      {"2024-03-01T08:10:00.Z", false},
      {"2024-03-01T08:10:00.1234567890Z", false},
      {"2024-03-01T08:10:00+0200", false},
      {"2024-03-01T08:10:00+24:00", false},
      {"2024-03-01T08:10:00Zjunk", false},
      {"0000-01-01T00:00:00+01:00", false},  // would be year -1
      {"9999-12-31T23:00:00-02:00", false},  // would be year 10000
      {"+024-03-01T08:10:00Z", false},
  };
  for (const auto& c : cases) {
    auto parsed = parseTime(c.text);
    EXPECT_EQ(parsed.has_value(), c.ok) << c.text;
    if (c.ok && parsed) {
      EXPECT_EQ(parsed->time_since_epoch().count(), c.micros) << c.text;
    }
    if (!c.ok && !parsed) {
      EXPECT_EQ(parsed.error().code, ErrorCode::InvalidInput);
      EXPECT_NE(parsed.error().message.find("RFC 3339"), std::string::npos);
    }
  }
}

TEST(FormatTime, SecondsAndMicros) {
  Time time{seconds(1709280600) + microseconds(123456)};
  EXPECT_EQ(formatTime(time), "2024-03-01T08:10:00Z");
  EXPECT_EQ(formatMicroTime(time), "2024-03-01T08:10:00.123456Z");
  EXPECT_EQ(formatTime(Time{seconds(-1)}), "1969-12-31T23:59:59Z");
  EXPECT_EQ(formatMicroTime(Time{microseconds(-1)}), "1969-12-31T23:59:59.999999Z");
  for (std::string_view text : {"2024-03-01T08:10:00Z", "0001-01-01T00:00:00Z",
                                "9999-12-31T23:59:59Z", "2000-02-29T12:34:56Z"}) {
    auto parsed = parseTime(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(formatTime(*parsed), text);
  }
  auto micro = parseTime("2024-03-01T08:10:00.000007Z");
  ASSERT_TRUE(micro);
  EXPECT_EQ(formatMicroTime(*micro), "2024-03-01T08:10:00.000007Z");
}

struct DurationCase {
  std::string_view text;
  bool ok;
  std::int64_t millis = 0;
};

TEST(ParseDuration, Table) {
  const std::vector<DurationCase> cases = {
      {"30s", true, 30000},
      {"1m30s", true, 90000},
      {"1h", true, 3600000},
      {"1.5s", true, 1500},
      {"500ms", true, 500},
      {"1500us", true, 1},
      {"999999ns", true, 0},
      {"2h45m0.5s", true, 9900500},
      {"0", true, 0},
      {"00", false},
      {"0s", true, 0},
      {"-5s", true, -5000},
      {"+5s", true, 5000},
      {".5s", true, 500},
      {"", false},
      {"-", false},
      {"s", false},
      {"30", false},
      {"30x", false},
      {"5s3", false},
      {"1.s", true, 1000},
      {"99999999999999999999s", false},
      {"2562048h", false},  // more than int64 nanoseconds
      {"2562047h", true, 2562047LL * 3600000},
  };
  for (const auto& c : cases) {
    auto parsed = parseDuration(c.text);
    EXPECT_EQ(parsed.has_value(), c.ok) << c.text;
    if (c.ok && parsed) {
      EXPECT_EQ(parsed->count(), c.millis) << c.text;
    }
  }
}

TEST(FormatDuration, GoFormAndRoundTrip) {
  const std::vector<std::pair<std::int64_t, std::string_view>> cases = {
      {0, "0s"},        {500, "500ms"},      {1500, "1.5s"},          {30000, "30s"},
      {90000, "1m30s"}, {3600000, "1h0m0s"}, {3661001, "1h1m1.001s"}, {-1500, "-1.5s"},
  };
  for (const auto& [millis, text] : cases) {
    EXPECT_EQ(formatDuration(Duration(millis)), text);
    auto parsed = parseDuration(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(parsed->count(), millis) << text;
  }
}

}  // namespace
}  // namespace egressdiag::model
