#pragma once

#include <string>
#include <vector>

#include "operator/model/object_meta.h"

namespace egressdiag::model {

enum class SelectorOperator { In, NotIn, Exists, DoesNotExist };

struct LabelSelectorRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::In;
  std::vector<std::string> values;

  bool operator==(const LabelSelectorRequirement&) const = default;
};

// metav1.LabelSelector. A selector with no terms selects everything; an absent selector
// (std::nullopt where it is optional) selects nothing, as in Kubernetes.
struct LabelSelector {
  StringMap matchLabels;
  std::vector<LabelSelectorRequirement> matchExpressions;

  bool operator==(const LabelSelector&) const = default;
};

// True when `labels` satisfies every matchLabels entry and every expression (AND).
bool matches(const LabelSelector& selector, const StringMap& labels);

}  // namespace egressdiag::model
