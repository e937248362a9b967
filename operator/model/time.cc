#include "operator/model/time.h"

#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>

namespace egressdiag::model {
namespace {

// Reads exactly `width` digits at `pos`; nullopt on any non-digit or short input.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) {
    return std::nullopt;
  }
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

std::unexpected<Error> badTime(std::string_view text) {
  std::string shown(text.substr(0, 64));
  return fail(ErrorCode::InvalidInput, "invalid RFC 3339 time \"" + shown + "\"");
}

}  // namespace

Result<Time> parseTime(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS is 19 characters.
  auto year = digits(text, 0, 4);
  auto month = digits(text, 5, 2);
  auto day = digits(text, 8, 2);
  auto hour = digits(text, 11, 2);
  auto minute = digits(text, 14, 2);
  auto second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
    return badTime(text);
  }
  std::chrono::year_month_day date{std::chrono::year(*year),
                                   std::chrono::month(static_cast<unsigned>(*month)),
                                   std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 59) {
    return badTime(text);
  }
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t fractionDigits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (fractionDigits < 6) {
        micros = micros * 10 + (text[pos] - '0');
      }
      ++fractionDigits;
      ++pos;
    }
    if (fractionDigits == 0 || fractionDigits > 9) {
      return badTime(text);
    }
    for (std::size_t i = fractionDigits; i < 6; ++i) {
      micros *= 10;
    }
  }
  std::int64_t offsetSeconds = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    auto offsetHours = digits(text, pos + 1, 2);
    auto offsetMinutes = digits(text, pos + 4, 2);
    if (!offsetHours || !offsetMinutes || text[pos + 3] != ':' || *offsetHours > 23 ||
        *offsetMinutes > 59) {
      return badTime(text);
    }
    offsetSeconds = (*offsetHours * 3600 + *offsetMinutes * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return badTime(text);
  }
  if (pos != text.size()) {
    return badTime(text);
  }
  auto seconds = std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(*hour) +
                 std::chrono::minutes(*minute) + std::chrono::seconds(*second - offsetSeconds);
  Time result(std::chrono::duration_cast<std::chrono::microseconds>(seconds) +
              std::chrono::microseconds(micros));
  // An offset can move 0000-01-01 or 9999-12-31 outside the years formatTime() can print.
  std::chrono::year_month_day utc{std::chrono::floor<std::chrono::days>(result)};
  if (utc.year() < std::chrono::year(0) || utc.year() > std::chrono::year(9999)) {
    return badTime(text);
  }
  return result;
}

namespace {

// "YYYY-MM-DDTHH:MM:SS" of the whole seconds of `time`.
std::string formatSeconds(std::chrono::sys_seconds seconds) {
  auto day = std::chrono::floor<std::chrono::days>(seconds);
  std::chrono::year_month_day date{day};
  std::chrono::hh_mm_ss clock{seconds - day};
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02uT%02d:%02d:%02d",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  return buffer;
}

}  // namespace

std::string formatTime(Time time) {
  return formatSeconds(std::chrono::floor<std::chrono::seconds>(time)) + "Z";
}

std::string formatMicroTime(Time time) {
  auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  char fraction[16];
  std::snprintf(fraction, sizeof(fraction), ".%06lldZ",
                static_cast<long long>((time - seconds).count()));
  return formatSeconds(seconds) + fraction;
}

Result<Duration> parseDuration(std::string_view text) {
  std::string shown(text.substr(0, 64));
  if (text.empty()) {
    return fail(ErrorCode::InvalidInput, "empty duration");
  }
  // Integer nanoseconds as Go does, so that formatDuration() output parses back exactly.
  constexpr std::uint64_t kMaxNanos = std::numeric_limits<std::int64_t>::max();
  auto overflow = [&] {
    return fail(ErrorCode::InvalidInput, "invalid duration \"" + shown + "\": overflow");
  };
  if (text == "0") {
    return Duration(0);  // Go's one unitless form
  }
  std::uint64_t totalNanos = 0;
  bool negative = text[0] == '-';
  std::size_t pos = text[0] == '-' || text[0] == '+' ? 1 : 0;
  if (pos == text.size()) {
    return fail(ErrorCode::InvalidInput, "invalid duration \"" + shown + "\"");
  }
  while (pos < text.size()) {
    std::uint64_t whole = 0;
    bool anyDigit = false;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (whole > (kMaxNanos - 9) / 10) {
        return overflow();
      }
      whole = whole * 10 + static_cast<std::uint64_t>(text[pos] - '0');
      anyDigit = true;
      ++pos;
    }
    std::uint64_t fraction = 0;
    std::uint64_t fractionScale = 1;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        // Digits beyond nanoseconds cannot change the result.
        if (fractionScale < 1'000'000'000) {
          fraction = fraction * 10 + static_cast<std::uint64_t>(text[pos] - '0');
          fractionScale *= 10;
        }
        anyDigit = true;
        ++pos;
      }
    }
    if (!anyDigit) {
      return fail(ErrorCode::InvalidInput, "invalid duration \"" + shown + "\"");
    }
    std::size_t unitStart = pos;
    while (pos < text.size() && (text[pos] < '0' || text[pos] > '9') && text[pos] != '.') {
      ++pos;
    }
    std::string_view unit = text.substr(unitStart, pos - unitStart);
    std::uint64_t nanosPerUnit = 0;
    if (unit == "h") {
      nanosPerUnit = 3'600'000'000'000;
    } else if (unit == "m") {
      nanosPerUnit = 60'000'000'000;
    } else if (unit == "s") {
      nanosPerUnit = 1'000'000'000;
    } else if (unit == "ms") {
      nanosPerUnit = 1'000'000;
    } else if (unit == "us" || unit == "\xc2\xb5s") {
      nanosPerUnit = 1'000;
    } else if (unit == "ns") {
      nanosPerUnit = 1;
    } else {
      return fail(ErrorCode::InvalidInput,
                  "invalid duration \"" + shown + "\": missing or unknown unit");
    }
    if (whole > kMaxNanos / nanosPerUnit) {
      return overflow();
    }
    // h, m and s are multiples of every fractionScale (<= 1e9), so no product overflows: the
    // other units are at most 1e6 and fraction stays below 1e9.
    std::uint64_t fractionNanos = nanosPerUnit % fractionScale == 0
                                      ? fraction * (nanosPerUnit / fractionScale)
                                      : fraction * nanosPerUnit / fractionScale;
    std::uint64_t component = whole * nanosPerUnit + fractionNanos;
    if (component > kMaxNanos - totalNanos) {
      return overflow();
    }
    totalNanos += component;
  }
  // Truncating keeps the result within int64 nanoseconds, so formatDuration() parses back.
  auto millis = static_cast<std::int64_t>(totalNanos / 1'000'000);
  return Duration(negative ? -millis : millis);
}

std::string formatDuration(Duration duration) {
  auto ms = duration.count();
  if (ms == 0) {
    return "0s";
  }
  std::string out = ms < 0 ? "-" : "";
  auto magnitude = ms < 0 ? -static_cast<std::uint64_t>(ms) : static_cast<std::uint64_t>(ms);
  if (magnitude < 1000) {
    return out + std::to_string(magnitude) + "ms";
  }
  auto hours = magnitude / 3'600'000;
  auto minutes = magnitude / 60'000 % 60;
  auto seconds = magnitude / 1000 % 60;
  auto millis = magnitude % 1000;
  if (hours > 0) {
    out += std::to_string(hours) + "h";
  }
  if (hours > 0 || minutes > 0) {
    out += std::to_string(minutes) + "m";
  }
  out += std::to_string(seconds);
  if (millis != 0) {
    std::string fraction = std::to_string(1000 + millis).substr(1);
    while (fraction.back() == '0') {
      fraction.pop_back();
    }
    out += "." + fraction;
  }
  return out + "s";
}

}  // namespace egressdiag::model
