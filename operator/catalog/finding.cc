#include "operator/catalog/finding.h"

#include <utility>

#include "rapidjson/stringbuffer.h"
#include "rapidjson/writer.h"

namespace egressdiag::catalog {
namespace {

rapidjson::Value str(std::string_view s, rapidjson::Document::AllocatorType& alloc) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), alloc);
}

Result<std::string> stringMember(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd()) {
    return fail(ErrorCode::InvalidInput, std::string("finding: missing \"") + name + "\"");
  }
  if (!it->value.IsString()) {
    return fail(ErrorCode::InvalidInput, std::string("finding: \"") + name + "\" is not a string");
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

Finding makeFinding(CheckId check, Status status, std::string target, std::string reason,
                    std::string message, std::vector<std::string> evidence) {
  const CheckInfo& meta = info(check);
  return Finding{.check = check,
                 .layer = meta.layer,
                 .target = std::move(target),
                 .node = {},
                 .status = status,
                 .reason = std::move(reason),
                 .message = std::move(message),
                 .evidence = std::move(evidence),
                 .remediation = std::string(meta.remediation)};
}

rapidjson::Value toJson(const Finding& finding, rapidjson::Document::AllocatorType& alloc) {
  rapidjson::Value obj(rapidjson::kObjectType);
  obj.AddMember("check", str(toString(finding.check), alloc), alloc);
  obj.AddMember("layer", str(toString(finding.layer), alloc), alloc);
  obj.AddMember("target", str(finding.target, alloc), alloc);
  obj.AddMember("node", str(finding.node, alloc), alloc);
  obj.AddMember("status", str(toString(finding.status), alloc), alloc);
  obj.AddMember("reason", str(finding.reason, alloc), alloc);
  obj.AddMember("message", str(finding.message, alloc), alloc);
  rapidjson::Value evidence(rapidjson::kArrayType);
  for (const std::string& line : finding.evidence) {
    evidence.PushBack(str(line, alloc), alloc);
  }
  obj.AddMember("evidence", evidence, alloc);
  obj.AddMember("remediation", str(finding.remediation, alloc), alloc);
  return obj;
}

Result<Finding> fromJson(const rapidjson::Value& value) {
  if (!value.IsObject()) {
    return fail(ErrorCode::InvalidInput, "finding: not a JSON object");
  }
  Finding finding;
  auto check = stringMember(value, "check");
  if (!check) {
    return std::unexpected(check.error());
  }
  auto id = parseCheckId(*check);
  if (!id) {
    return fail(ErrorCode::InvalidInput, "finding: unknown check \"" + *check + "\"");
  }
  finding.check = *id;
  auto layer = stringMember(value, "layer");
  if (!layer) {
    return std::unexpected(layer.error());
  }
  auto parsedLayer = parseLayer(*layer);
  if (!parsedLayer) {
    return fail(ErrorCode::InvalidInput, "finding: unknown layer \"" + *layer + "\"");
  }
  finding.layer = *parsedLayer;
  auto status = stringMember(value, "status");
  if (!status) {
    return std::unexpected(status.error());
  }
  auto parsedStatus = parseStatus(*status);
  if (!parsedStatus) {
    return fail(ErrorCode::InvalidInput, "finding: unknown status \"" + *status + "\"");
  }
  finding.status = *parsedStatus;
  for (auto [name, field] :
       {std::pair{"target", &finding.target}, std::pair{"node", &finding.node},
        std::pair{"reason", &finding.reason}, std::pair{"message", &finding.message},
        std::pair{"remediation", &finding.remediation}}) {
    auto text = stringMember(value, name);
    if (!text) {
      return std::unexpected(text.error());
    }
    *field = std::move(*text);
  }
  auto evidence = value.FindMember("evidence");
  if (evidence == value.MemberEnd() || !evidence->value.IsArray()) {
    return fail(ErrorCode::InvalidInput, "finding: \"evidence\" missing or not an array");
  }
  for (const rapidjson::Value& line : evidence->value.GetArray()) {
    if (!line.IsString()) {
      return fail(ErrorCode::InvalidInput, "finding: \"evidence\" holds a non-string");
    }
    finding.evidence.emplace_back(line.GetString(), line.GetStringLength());
  }
  return finding;
}

std::string toJsonString(const Finding& finding) {
  rapidjson::Document doc;
  rapidjson::Value value = toJson(finding, doc.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace egressdiag::catalog
