#include "operator/model/selector.h"

#include <algorithm>

namespace egressdiag::model {
namespace {

bool satisfies(const LabelSelectorRequirement& requirement, const StringMap& labels) {
  auto found = labels.find(requirement.key);
  bool present = found != labels.end();
  auto inValues = [&] {
    return present &&
           std::ranges::find(requirement.values, found->second) != requirement.values.end();
  };
  switch (requirement.op) {
    case SelectorOperator::In:
      return inValues();
    case SelectorOperator::NotIn:
      return !inValues();
    case SelectorOperator::Exists:
      return present;
    case SelectorOperator::DoesNotExist:
      return !present;
  }
  return false;
}

}  // namespace

bool matches(const LabelSelector& selector, const StringMap& labels) {
  for (const auto& [key, value] : selector.matchLabels) {
    auto found = labels.find(key);
    if (found == labels.end() || found->second != value) {
      return false;
    }
  }
  return std::ranges::all_of(selector.matchExpressions, [&](const auto& requirement) {
    return satisfies(requirement, labels);
  });
}

}  // namespace egressdiag::model
