#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "operator/common/logging.h"
#include "operator/common/result.h"

namespace egressdiag::serving {

// A --*-bind-address flag: "host:port", ":port" (all IPv4 addresses), "[v6]:port", or "0" for
// "do not serve" (nullopt). InvalidInput naming the text when the port is missing or out of
// range. Port 0 asks the kernel for a free port.
Result<std::optional<std::pair<std::string, int>>> parseBindAddress(std::string_view text);

// An integer flag value in [min, max]; InvalidInput naming --flag and the range otherwise.
Result<int> parseIntFlag(std::string_view flag, std::string_view value, int min, int max);

// "true"/"1" or "false"/"0"; InvalidInput naming --flag otherwise.
Result<bool> parseBoolFlag(std::string_view flag, std::string_view value);

// Command-line flags of both daemons: `--name=value`, `--name value`, and a bare `--name` for
// boolean flags. A setter returns the error of a malformed value.
using FlagSetter = std::function<std::optional<Error>(std::string_view value)>;
using FlagMap = std::map<std::string_view, std::pair<bool /*boolean*/, FlagSetter>>;

// A setter storing the value as is.
FlagSetter textFlag(std::string& field);
FlagSetter optionalTextFlag(std::optional<std::string>& field);
// A setter for a --*-bind-address value (parseBindAddress), stored as given.
FlagSetter bindAddressFlag(std::string& field);
// Setters of an integer in [min, max] (parseIntFlag), as is or as seconds, and of a boolean
// (parseBoolFlag). `flag` names the flag in errors. A malformed value leaves the field alone.
FlagSetter intFlag(std::string_view flag, int& field, int min, int max);
FlagSetter secondsFlag(std::string_view flag, std::chrono::seconds& field, int min, int max);
FlagSetter boolFlag(std::string_view flag, bool& field);

// Setters for --log-format (json|text) and --log-level, shared by both daemons.
FlagSetter logFormatFlag(logging::Format& field);
FlagSetter logLevelFlag(spdlog::level::level_enum& field);

// The error of a parse result, for a setter's return.
template <class T>
std::optional<Error> errorOf(const Result<T>& result) {
  return result ? std::nullopt : std::optional<Error>(result.error());
}

// Applies `args` to `flags`; true when --help/-h was given. InvalidInput naming the flag for an
// unknown flag, a positional argument, a missing value or a malformed one.
Result<bool> parseFlags(std::span<const std::string_view> args, const FlagMap& flags);

}  // namespace egressdiag::serving
