#pragma once

#include <spdlog/common.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "operator/common/result.h"

// Process logging for both binaries: spdlog with one JSON object per line (default) or text.
// JSON lines carry the stable keys ts, level, logger, msg plus the caller's fields (name,
// namespace, node, check, result, rv, error, ...), each a string.
namespace egressdiag::logging {

enum class Format { Json, Text };

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

// "json" | "text"; InvalidInput otherwise.
Result<Format> parseFormat(std::string_view text);
// "trace" | "debug" | "info" | "warn" | "error" | "critical" | "off"; InvalidInput otherwise.
Result<spdlog::level::level_enum> parseLevel(std::string_view text);

// Replaces the default logger with one named `name` writing to stderr in `format` at `level`.
// Messages logged through spdlog directly (other libraries) are escaped into "msg".
void setup(std::string_view name, Format format, spdlog::level::level_enum level);

// Logs `message` with `fields` through the default logger.
void log(spdlog::level::level_enum level, std::string_view message, Fields fields = {});

// Pure: the payload log() hands to spdlog. JSON: `"msg":"...","k":"v"` fragment behind a
// marker the formatter recognises; text: `message k=v k2="v 2"`.
std::string render(Format format, std::string_view message, Fields fields);

// Pure: one whole JSON line as setup()'s JSON formatter writes it (for tests and docs).
std::string jsonLine(std::string_view timestamp, std::string_view level, std::string_view logger,
                     std::string_view payload);

}  // namespace egressdiag::logging
