#include "operator/model/selector.h"

#include <gtest/gtest.h>

namespace egressdiag::model {
namespace {

using Op = SelectorOperator;

struct SelectorCase {
  std::string name;
  LabelSelector selector;
  StringMap labels;
  bool expected;
};

TEST(LabelSelector, MatchTable) {
  const StringMap visitor{{"app", "visitor"}, {"tier", "web"}};
  const std::vector<SelectorCase> cases = {
      {"empty selector selects everything", {}, visitor, true},
      {"empty selector, unlabelled pod", {}, {}, true},
      {"matchLabels equal", {{{"app", "visitor"}}, {}}, visitor, true},
      {"matchLabels other value", {{{"app", "server"}}, {}}, visitor, false},
      {"matchLabels missing key", {{{"env", "prod"}}, {}}, visitor, false},
      {"matchLabels all must hold", {{{"app", "visitor"}, {"tier", "db"}}, {}}, visitor, false},
      {"In hit", {{}, {{"tier", Op::In, {"db", "web"}}}}, visitor, true},
      {"In miss", {{}, {{"tier", Op::In, {"db"}}}}, visitor, false},
      {"In absent key", {{}, {{"zone", Op::In, {"a"}}}}, visitor, false},
      {"In no values", {{}, {{"tier", Op::In, {}}}}, visitor, false},
      {"NotIn hit", {{}, {{"tier", Op::NotIn, {"web"}}}}, visitor, false},
      {"NotIn miss", {{}, {{"tier", Op::NotIn, {"db"}}}}, visitor, true},
      {"NotIn absent key matches", {{}, {{"zone", Op::NotIn, {"a"}}}}, visitor, true},
      {"Exists", {{}, {{"app", Op::Exists, {}}}}, visitor, true},
      {"Exists absent", {{}, {{"zone", Op::Exists, {}}}}, visitor, false},
      {"DoesNotExist", {{}, {{"zone", Op::DoesNotExist, {}}}}, visitor, true},
      {"DoesNotExist present", {{}, {{"app", Op::DoesNotExist, {}}}}, visitor, false},
      {"labels AND expressions",
       {{{"app", "visitor"}}, {{"tier", Op::In, {"web"}}, {"zone", Op::DoesNotExist, {}}}},
       visitor,
       true},
      {"one failing expression fails all",
       {{{"app", "visitor"}}, {{"tier", Op::In, {"web"}}, {"app", Op::DoesNotExist, {}}}},
       visitor,
       false},
      {"empty value is a value", {{{"flag", ""}}, {}}, {{"flag", ""}}, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(matches(c.selector, c.labels), c.expected) << c.name;
  }
}

}  // namespace
}  // namespace egressdiag::model
