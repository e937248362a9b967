#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "operator/common/result.h"

namespace egressdiag::model {

// Kubernetes timestamps (metav1.Time, metav1.MicroTime) in UTC, microsecond precision.
using Time = std::chrono::sys_time<std::chrono::microseconds>;
// Go-style durations ("30s", "1m30s", "500ms") as used in our CRD specs.
using Duration = std::chrono::milliseconds;

// Parses RFC 3339 ("2024-05-01T10:00:00Z", optional fraction, 'Z' or +hh:mm offset).
// Fails with InvalidInput on any other form or an out-of-range field.
Result<Time> parseTime(std::string_view text);

// metav1.Time form, seconds precision: "2024-05-01T10:00:00Z" (fraction truncated).
std::string formatTime(Time time);

// metav1.MicroTime form: "2024-05-01T10:00:00.000000Z" (Lease renewTime, Event eventTime).
std::string formatMicroTime(Time time);

// Parses a Go duration: optional sign, then <decimal><unit>... with units h, m, s, ms, us, ns;
// truncated to milliseconds. InvalidInput on empty text, a missing unit or int64 ns overflow.
Result<Duration> parseDuration(std::string_view text);

// Formats like Go's time.Duration.String() at millisecond precision ("1m30s", "500ms", "0s").
std::string formatDuration(Duration duration);

}  // namespace egressdiag::model
