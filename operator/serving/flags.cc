#include "operator/serving/flags.h"

#include <charconv>

namespace egressdiag::serving {

Result<int> parseIntFlag(std::string_view flag, std::string_view value, int min, int max) {
  int out = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (value.empty() || error != std::errc{} || end != value.data() + value.size() || out < min ||
      out > max) {
    return fail(ErrorCode::InvalidInput, "--" + std::string(flag) + ": want an integer in [" +
                                             std::to_string(min) + ", " + std::to_string(max) +
                                             "], got \"" + std::string(value) + "\"");
  }
  return out;
}

Result<std::optional<std::pair<std::string, int>>> parseBindAddress(std::string_view text) {
  if (text == "0") {
    return std::nullopt;
  }
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return fail(ErrorCode::InvalidInput,
                "bind address \"" + std::string(text) + "\" needs a port (host:port or :port)");
  }
  auto port = parseIntFlag("bind-address", text.substr(colon + 1), 0, 65535);
  if (!port) {
    return std::unexpected(port.error());
  }
  std::string host(text.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::pair{host.empty() ? std::string("0.0.0.0") : host, *port};
}

Result<bool> parseBoolFlag(std::string_view flag, std::string_view value) {
  if (value == "true" || value == "1") {
    return true;
  }
  if (value == "false" || value == "0") {
    return false;
  }
  return fail(ErrorCode::InvalidInput, "--" + std::string(flag) + ": want true or false, got \"" +
                                           std::string(value) + "\"");
}

FlagSetter textFlag(std::string& field) {
  return [&field](std::string_view v) -> std::optional<Error> {
    field = std::string(v);
    return std::nullopt;
  };
}

FlagSetter optionalTextFlag(std::optional<std::string>& field) {
  return [&field](std::string_view v) -> std::optional<Error> {
    field = std::string(v);
    return std::nullopt;
  };
}

FlagSetter bindAddressFlag(std::string& field) {
  return [&field](std::string_view v) -> std::optional<Error> {
    field = std::string(v);
    return errorOf(parseBindAddress(v));
  };
}

FlagSetter intFlag(std::string_view flag, int& field, int min, int max) {
  return [flag = std::string(flag), &field, min, max](std::string_view v) -> std::optional<Error> {
    auto n = parseIntFlag(flag, v, min, max);
    if (n) {
      field = *n;
    }
    return errorOf(n);
  };
}

FlagSetter secondsFlag(std::string_view flag, std::chrono::seconds& field, int min, int max) {
  return [flag = std::string(flag), &field, min, max](std::string_view v) -> std::optional<Error> {
    auto n = parseIntFlag(flag, v, min, max);
    if (n) {
      field = std::chrono::seconds(*n);
    }
    return errorOf(n);
  };
}

FlagSetter boolFlag(std::string_view flag, bool& field) {
  return [flag = std::string(flag), &field](std::string_view v) -> std::optional<Error> {
    auto b = parseBoolFlag(flag, v);
    if (b) {
      field = *b;
    }
    return errorOf(b);
  };
}

FlagSetter logFormatFlag(logging::Format& field) {
  return [&field](std::string_view v) -> std::optional<Error> {
    auto format = logging::parseFormat(v);
    if (format) {
      field = *format;
    }
    return errorOf(format);
  };
}

FlagSetter logLevelFlag(spdlog::level::level_enum& field) {
  return [&field](std::string_view v) -> std::optional<Error> {
    auto level = logging::parseLevel(v);
    if (level) {
      field = *level;
    }
    return errorOf(level);
  };
}

Result<bool> parseFlags(std::span<const std::string_view> args, const FlagMap& flags) {
  bool help = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      help = true;
      continue;
    }
    if (!arg.starts_with("--")) {
      return fail(ErrorCode::InvalidInput, "unexpected argument \"" + std::string(arg) + "\"");
    }
    arg.remove_prefix(2);
    std::size_t eq = arg.find('=');
    std::string_view name = arg.substr(0, eq);
    auto flag = flags.find(name);
    if (flag == flags.end()) {
      return fail(ErrorCode::InvalidInput, "unknown flag --" + std::string(name));
    }
    const auto& [boolean, setter] = flag->second;
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else if (boolean) {
      value = "true";
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return fail(ErrorCode::InvalidInput, "--" + std::string(name) + " needs a value");
    }
    if (auto error = setter(value)) {
      return std::unexpected(*error);
    }
  }
  return help;
}

}  // namespace egressdiag::serving
