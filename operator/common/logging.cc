#include "operator/common/logging.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>

namespace egressdiag::logging {
namespace {

// Marks a payload that is already a JSON member list (from render()).
constexpr char kFieldsMarker = '\x1e';

std::atomic<Format> gFormat{Format::Json};

void appendJsonString(std::string& out, std::string_view text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
  out.append(buffer.GetString(), buffer.GetSize());
}

// Payload of a line: render()'s fragment as is, anything else escaped into "msg".
std::string payloadFragment(std::string_view payload) {
  if (!payload.empty() && payload.front() == kFieldsMarker) {
    return std::string(payload.substr(1));
  }
  std::string out = "\"msg\":";
  appendJsonString(out, payload);
  return out;
}

class JsonPayloadFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string fragment =
        payloadFragment(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(fragment.data(), fragment.data() + fragment.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonPayloadFlag>();
  }
};

bool needsQuotes(std::string_view value) {
  return value.empty() || value.find_first_of(" \"=\t\n") != std::string_view::npos;
}

}  // namespace

Result<Format> parseFormat(std::string_view text) {
  if (text == "json") {
    return Format::Json;
  }
  if (text == "text") {
    return Format::Text;
  }
  return fail(ErrorCode::InvalidInput,
              "--log-format must be json or text, not \"" + std::string(text) + "\"");
}

Result<spdlog::level::level_enum> parseLevel(std::string_view text) {
  using spdlog::level::level_enum;
  for (auto [name, level] : {std::pair{"trace", level_enum::trace},
                             {"debug", level_enum::debug},
                             {"info", level_enum::info},
                             {"warn", level_enum::warn},
                             {"error", level_enum::err},
                             {"critical", level_enum::critical},
                             {"off", level_enum::off}}) {
    if (text == name) {
      return level;
    }
  }
  return fail(ErrorCode::InvalidInput,
              "--log-level must be one of trace, debug, info, warn, error, critical, off, not \"" +
                  std::string(text) + "\"");
}

std::string render(Format format, std::string_view message, Fields fields) {
  std::string out;
  if (format == Format::Json) {
    out += kFieldsMarker;
    out += "\"msg\":";
    appendJsonString(out, message);
    for (const auto& [key, value] : fields) {
      out += ',';
      appendJsonString(out, key);
      out += ':';
      appendJsonString(out, value);
    }
    return out;
  }
  out = message;
  for (const auto& [key, value] : fields) {
    out += ' ';
    out += key;
    out += '=';
    if (needsQuotes(value)) {
      appendJsonString(out, value);
    } else {
      out += value;
    }
  }
  return out;
}

std::string jsonLine(std::string_view timestamp, std::string_view level, std::string_view logger,
                     std::string_view payload) {
  std::string out = "{\"ts\":";
  appendJsonString(out, timestamp);
  out += ",\"level\":";
  appendJsonString(out, level);
  out += ",\"logger\":";
  appendJsonString(out, logger);
  out += ',' + payloadFragment(payload) + '}';
  return out;
}

void setup(std::string_view name, Format format, spdlog::level::level_enum level) {
  gFormat = format;
  auto logger = std::make_shared<spdlog::logger>(std::string(name),
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == Format::Json) {
    formatter->add_flag<JsonPayloadFlag>('j').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","logger":"%n",%j})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ %l %n %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

void log(spdlog::level::level_enum level, std::string_view message, Fields fields) {
  auto logger = spdlog::default_logger_raw();
  if (!logger->should_log(level)) {
    return;
  }
  logger->log(level, "{}", render(gFormat.load(), message, fields));
}

}  // namespace egressdiag::logging
