#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>

#include "operator/common/result.h"
#include "operator/kube/api_error.h"

namespace egressdiag::kube {

using JsonDocument = rapidjson::Document;

// The metadata every object has, read from raw JSON so the generic machinery (informer keys,
// resume points) works without the typed model.
struct ObjectIdentity {
  std::string namespaceName;  // empty for cluster-scoped objects
  std::string name;
  std::string uid;
  std::string resourceVersion;

  // "ns/name" or "name": the informer cache and work-queue key.
  std::string key() const;
};

// Reads metadata.{namespace,name,uid,resourceVersion}. Fails (InvalidInput) when the value is
// not an object, metadata is missing or not an object, or name is missing or not a string;
// other fields are optional but must be strings when present.
Result<ObjectIdentity> readIdentity(const rapidjson::Value& object);

enum class WatchEventType { Added, Modified, Deleted, Bookmark, Error };

std::string_view toString(WatchEventType type);

// One decoded watch line. `doc` owns the JSON; object() is its "object" member.
struct WatchEvent {
  WatchEventType type = WatchEventType::Added;
  JsonDocument doc;
  ObjectIdentity identity;  // for Bookmark only resourceVersion is set
  ApiError error;           // for Error events: the Status carried by the event

  const rapidjson::Value& object() const;
};

// Decodes `{"type": ..., "object": {...}}`. Fails (InvalidInput) on malformed JSON, an unknown
// type, a missing/non-object `object`, an object without readable identity (except BOOKMARK,
// which needs only metadata.resourceVersion) or an ERROR whose object is not a Status.
Result<WatchEvent> decodeWatchEvent(std::string_view line);

// Deep copy of a value into a document of its own (informer caches of raw objects).
JsonDocument copyJson(const rapidjson::Value& value);

// Compact serialisation.
std::string toJson(const rapidjson::Value& value);

}  // namespace egressdiag::kube
