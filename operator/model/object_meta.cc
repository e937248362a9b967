#include "operator/model/object_meta.h"

namespace egressdiag::model {

std::string objectKey(const ObjectMeta& meta) {
  if (meta.namespace_.empty()) {
    return meta.name;
  }
  return meta.namespace_ + "/" + meta.name;
}

std::string_view toString(ConditionStatus status) {
  switch (status) {
    case ConditionStatus::True:
      return "True";
    case ConditionStatus::False:
      return "False";
    case ConditionStatus::Unknown:
      return "Unknown";
  }
  return "Unknown";
}

const Condition* findCondition(const std::vector<Condition>& conditions, std::string_view type) {
  for (const auto& condition : conditions) {
    if (condition.type == type) {
      return &condition;
    }
  }
  return nullptr;
}

bool isDnsSubdomain(std::string_view name) {
  if (name.empty() || name.size() > 253) {
    return false;
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  char previous = '.';
  for (const char c : name) {
    if (c == '.') {
      if (!alnum(previous)) {
        return false;  // empty label, or one ending in '-'
      }
    } else if (c == '-') {
      if (previous == '.') {
        return false;  // label starting with '-'
      }
    } else if (!alnum(c)) {
      return false;
    }
    previous = c;
  }
  return alnum(previous);
}

}  // namespace egressdiag::model
