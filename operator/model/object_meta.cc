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

}  // namespace egressdiag::model
