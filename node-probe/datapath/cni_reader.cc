#include "node-probe/datapath/cni_reader.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace egressdiag::datapath {
namespace {

constexpr std::size_t kMaxConfigBytes = 1u << 20;

std::optional<std::string> stringMember(const rapidjson::Value& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

Result<CniConflist> parseCniConfig(std::string_view json, std::string fileName) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return fail(ErrorCode::InvalidInput, fileName + ": invalid JSON at offset " +
                                             std::to_string(doc.GetErrorOffset()) + ": " +
                                             rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) {
    return fail(ErrorCode::InvalidInput, fileName + ": not a JSON object");
  }
  CniConflist conf;
  conf.file = std::move(fileName);
  conf.name = stringMember(doc, "name").value_or("");
  conf.cniVersion = stringMember(doc, "cniVersion").value_or("");
  const auto plugins = doc.FindMember("plugins");
  if (plugins != doc.MemberEnd()) {
    if (!plugins->value.IsArray()) {
      return fail(ErrorCode::InvalidInput, conf.file + ": \"plugins\" is not an array");
    }
    for (const auto& p : plugins->value.GetArray()) {
      const auto type = p.IsObject() ? stringMember(p, "type") : std::nullopt;
      if (!type) {
        return fail(ErrorCode::InvalidInput, conf.file + ": a plugin has no string \"type\"");
      }
      conf.pluginTypes.push_back(*type);
    }
    return conf;
  }
  const auto type = stringMember(doc, "type");
  if (!type) {
    return fail(ErrorCode::InvalidInput, conf.file + ": neither \"plugins\" nor \"type\"");
  }
  conf.pluginTypes.push_back(*type);
  return conf;
}

Result<CniConfDir> readCniConfDir(std::string_view dir) {
  CniConfDir out;
  out.dir = std::string(dir);
  std::error_code ec;
  std::filesystem::directory_iterator it(std::filesystem::path(dir), ec);
  if (ec) {
    const auto code = ec == std::errc::no_such_file_or_directory ? ErrorCode::NotFound
                      : ec == std::errc::permission_denied       ? ErrorCode::PermissionDenied
                                                                 : ErrorCode::Unavailable;
    return fail(code, "cannot read " + out.dir + ": " + ec.message());
  }
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const auto ext = it->path().extension();
    if (ext == ".conflist" || ext == ".conf" || ext == ".json") {
      out.files.push_back(it->path().filename().string());
    }
  }
  std::ranges::sort(out.files);
  if (out.files.empty()) {
    out.first = fail(ErrorCode::NotFound, "no CNI config file in " + out.dir);
    return out;
  }
  const auto path = std::filesystem::path(dir) / out.files.front();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    out.first = fail(ErrorCode::Unavailable, "cannot open " + path.string());
    return out;
  }
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) {
    out.first = fail(ErrorCode::InvalidInput, path.string() + " is larger than 1 MiB");
    return out;
  }
  out.first = parseCniConfig(text, out.files.front());
  return out;
}

}  // namespace egressdiag::datapath
