#include "operator/kube/watch_event.h"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace egressdiag::kube {
namespace {

// Missing is fine (empty); present but not a string is an error.
Result<std::string> optionalString(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) {
    return std::string();
  }
  if (!it->value.IsString()) {
    return fail(ErrorCode::InvalidInput, std::string("metadata.") + name + " is not a string");
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

Result<const rapidjson::Value*> metadataOf(const rapidjson::Value& object) {
  if (!object.IsObject()) {
    return fail(ErrorCode::InvalidInput, "object is not a JSON object");
  }
  auto meta = object.FindMember("metadata");
  if (meta == object.MemberEnd() || !meta->value.IsObject()) {
    return fail(ErrorCode::InvalidInput, "metadata is missing or not an object");
  }
  return &meta->value;
}

const rapidjson::Value& nullValue() {
  static const rapidjson::Value kNull;
  return kNull;
}

}  // namespace

std::string ObjectIdentity::key() const {
  return namespaceName.empty() ? name : namespaceName + "/" + name;
}

Result<ObjectIdentity> readIdentity(const rapidjson::Value& object) {
  auto meta = metadataOf(object);
  if (!meta) {
    return std::unexpected(meta.error());
  }
  ObjectIdentity id;
  for (auto [field, target] :
       {std::pair{"namespace", &id.namespaceName}, std::pair{"name", &id.name},
        std::pair{"uid", &id.uid}, std::pair{"resourceVersion", &id.resourceVersion}}) {
    auto value = optionalString(**meta, field);
    if (!value) {
      return std::unexpected(value.error());
    }
    *target = std::move(*value);
  }
  if (id.name.empty()) {
    return fail(ErrorCode::InvalidInput, "metadata.name is missing");
  }
  return id;
}

std::string_view toString(WatchEventType type) {
  switch (type) {
    case WatchEventType::Added:
      return "ADDED";
    case WatchEventType::Modified:
      return "MODIFIED";
    case WatchEventType::Deleted:
      return "DELETED";
    case WatchEventType::Bookmark:
      return "BOOKMARK";
    case WatchEventType::Error:
      return "ERROR";
  }
  return "UNKNOWN";
}

const rapidjson::Value& WatchEvent::object() const {
  if (!doc.IsObject()) {
    return nullValue();
  }
  auto it = doc.FindMember("object");
  return it == doc.MemberEnd() ? nullValue() : it->value;
}

Result<WatchEvent> decodeWatchEvent(std::string_view line) {
  WatchEvent event;
  // Iterative parsing: nesting depth in untrusted input must not grow our stack.
  event.doc.Parse<rapidjson::kParseIterativeFlag>(line.data(), line.size());
  if (event.doc.HasParseError()) {
    return fail(ErrorCode::InvalidInput,
                std::string("watch event is not valid JSON: ") +
                    rapidjson::GetParseError_En(event.doc.GetParseError()) + " at offset " +
                    std::to_string(event.doc.GetErrorOffset()));
  }
  if (!event.doc.IsObject()) {
    return fail(ErrorCode::InvalidInput, "watch event is not a JSON object");
  }
  auto type = event.doc.FindMember("type");
  if (type == event.doc.MemberEnd() || !type->value.IsString()) {
    return fail(ErrorCode::InvalidInput, "watch event type is missing or not a string");
  }
  std::string_view typeName(type->value.GetString(), type->value.GetStringLength());
  if (typeName == "ADDED") {
    event.type = WatchEventType::Added;
  } else if (typeName == "MODIFIED") {
    event.type = WatchEventType::Modified;
  } else if (typeName == "DELETED") {
    event.type = WatchEventType::Deleted;
  } else if (typeName == "BOOKMARK") {
    event.type = WatchEventType::Bookmark;
  } else if (typeName == "ERROR") {
    event.type = WatchEventType::Error;
  } else {
    return fail(ErrorCode::InvalidInput,
                "unknown watch event type '" + std::string(typeName.substr(0, 64)) + "'");
  }
  auto object = event.doc.FindMember("object");
  if (object == event.doc.MemberEnd() || !object->value.IsObject()) {
    return fail(ErrorCode::InvalidInput, "watch event object is missing or not an object");
  }
  switch (event.type) {
    case WatchEventType::Error: {
      auto status = decodeStatusObject(object->value);
      if (!status) {
        return fail(ErrorCode::InvalidInput, "watch ERROR event: " + status.error().message);
      }
      event.error = std::move(*status);
      break;
    }
    case WatchEventType::Bookmark: {
      auto meta = metadataOf(object->value);
      if (!meta) {
        return fail(ErrorCode::InvalidInput, "watch BOOKMARK event: " + meta.error().message);
      }
      auto rv = optionalString(**meta, "resourceVersion");
      if (!rv || rv->empty()) {
        return fail(ErrorCode::InvalidInput, "watch BOOKMARK event without resourceVersion");
      }
      event.identity.resourceVersion = std::move(*rv);
      break;
    }
    default: {
      auto id = readIdentity(object->value);
      if (!id) {
        return fail(ErrorCode::InvalidInput,
                    "watch " + std::string(typeName) + " event: " + id.error().message);
      }
      event.identity = std::move(*id);
      break;
    }
  }
  return event;
}

JsonDocument copyJson(const rapidjson::Value& value) {
  JsonDocument doc;
  doc.CopyFrom(value, doc.GetAllocator());
  return doc;
}

std::string toJson(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace egressdiag::kube
