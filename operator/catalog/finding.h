#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "operator/catalog/catalog.h"
#include "operator/common/result.h"
#include "rapidjson/document.h"

namespace egressdiag::catalog {

// One check's verdict about one target on one node (node empty for operator checks).
struct Finding {
  CheckId check = CheckId::SpnHookOrder;
  Layer layer = Layer::Datapath;
  std::string target;  // "<ns>/<name>" of the policy or SGC; empty when the check is node-wide
  std::string node;
  Status status = Status::Unknown;
  std::string reason;                 // CamelCase, e.g. IPRuleMissing
  std::string message;                // one line naming the object, expected vs actual
  std::vector<std::string> evidence;  // raw lines as the runbook command prints them
  std::string remediation;

  bool operator==(const Finding&) const = default;
};

// A finding with layer and remediation taken from the catalog entry of `check`.
Finding makeFinding(CheckId check, Status status, std::string target, std::string reason,
                    std::string message, std::vector<std::string> evidence = {});

// {"check","layer","target","node","status","reason","message","evidence":[...],"remediation"}.
rapidjson::Value toJson(const Finding& finding, rapidjson::Document::AllocatorType& alloc);

// The inverse of toJson. Fails with InvalidInput naming the field when a member is missing,
// has the wrong type, or names an unknown check, layer or status. Never asserts on bad input.
Result<Finding> fromJson(const rapidjson::Value& value);

// Convenience for logs and tests: the compact JSON text of one finding.
std::string toJsonString(const Finding& finding);

}  // namespace egressdiag::catalog
