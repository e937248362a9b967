#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "operator/model/time.h"

namespace egressdiag::model {

using StringMap = std::map<std::string, std::string>;

struct OwnerReference {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string uid;
  bool controller = false;

  bool operator==(const OwnerReference&) const = default;
};

// metadata of every object. `namespace_` is empty for cluster-scoped objects.
struct ObjectMeta {
  std::string name;
  std::string generateName;
  std::string namespace_;
  std::string uid;
  std::string resourceVersion;
  std::int64_t generation = 0;
  StringMap labels;
  StringMap annotations;
  std::vector<OwnerReference> ownerReferences;
  std::vector<std::string> finalizers;
  std::optional<Time> creationTimestamp;
  std::optional<Time> deletionTimestamp;

  bool operator==(const ObjectMeta&) const = default;
};

// "namespace/name", or "name" for cluster-scoped objects: the key informers and logs use.
std::string objectKey(const ObjectMeta& meta);

// A DNS-1123 subdomain, the form the API server requires of Node names (and most others):
// lower-case alphanumerics, '-' and '.', each dot-separated label starting and ending with an
// alphanumeric, at most 253 bytes.
bool isDnsSubdomain(std::string_view name);

// corev1.ObjectReference (Event involvedObject/regarding, SGC privateKeySecretRef).
struct ObjectReference {
  std::string apiVersion;
  std::string kind;
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string fieldPath;

  bool operator==(const ObjectReference&) const = default;
};

// Condition status strings; anything other than "True"/"False" reads as Unknown.
enum class ConditionStatus { True, False, Unknown };

// "True", "False" or "Unknown"; never fails.
std::string_view toString(ConditionStatus status);

// metav1.Condition, also used for Node and Deployment conditions (their extra time fields are
// not read).
struct Condition {
  std::string type;
  ConditionStatus status = ConditionStatus::Unknown;
  std::string reason;
  std::string message;
  std::optional<Time> lastTransitionTime;
  std::int64_t observedGeneration = 0;

  bool operator==(const Condition&) const = default;
};

// The condition of that type, or nullptr.
const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type);

}  // namespace egressdiag::model
