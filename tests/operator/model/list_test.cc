// decodeList(): List, typed <Kind>List, single objects, unknown kinds, item errors.
#include <gtest/gtest.h>

#include "tests/operator/model/fixtures.h"

namespace egressdiag::model {
namespace {

using testing::loadFixture;

TEST(DecodeList, CountsEveryKindAndNotesUnknownOnes) {
  ObjectSet set = loadFixture("core_list.json");
  EXPECT_EQ(set.nodes.size(), 1u);
  EXPECT_EQ(set.daemonSets.size(), 1u);
  EXPECT_EQ(set.deployments.size(), 1u);
  EXPECT_EQ(set.events.size(), 2u);
  EXPECT_EQ(set.leases.size(), 1u);
  EXPECT_EQ(set.felixConfigurations.size(), 1u);
  EXPECT_EQ(set.namespaces.size(), 1u);
  ASSERT_EQ(set.configMaps.size(), 1u);
  EXPECT_EQ(set.configMaps[0].data, (StringMap{{"a", "b"}}));
  EXPECT_EQ(set.ignoredItems, 1u);
  EXPECT_EQ(set.notes,
            (std::vector<std::string>{"ignored 1 object(s) of unmodelled kind apps/v1 ReplicaSet"}));
}

struct ListCase {
  std::string name;
  std::string json;
  std::size_t pods;
  std::size_t policies;
  std::size_t ignored;
};

TEST(DecodeList, Shapes) {
  const std::vector<ListCase> cases = {
      {"single object", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}})", 1, 0, 0},
      {"single unknown object", R"({"apiVersion":"v1","kind":"Service"})", 0, 0, 1},
      {"object without kind", R"({"metadata":{"name":"a"}})", 0, 0, 1},
      {"empty List", R"({"apiVersion":"v1","kind":"List","items":[]})", 0, 0, 0},
      {"List with null items", R"({"apiVersion":"v1","kind":"List","items":null})", 0, 0, 0},
      {"List without items", R"({"apiVersion":"v1","kind":"List"})", 0, 0, 0},
      {"typed list items take the list kind",
       R"({"apiVersion":"egressgateway.spidernet.io/v1beta1","kind":"EgressPolicyList",
           "items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]})",
       0, 2, 0},
      {"plain List item without kind is ignored",
       R"({"apiVersion":"v1","kind":"List","items":[{"metadata":{"name":"a"}}]})", 0, 0, 1},
      {"mixed",
       R"({"kind":"List","items":[{"apiVersion":"v1","kind":"Pod"},
           {"apiVersion":"egressgateway.spidernet.io/v1beta1","kind":"EgressPolicy"},
           {"apiVersion":"egressgateway.spidernet.io/v2","kind":"EgressPolicy"}]})",
       1, 1, 1},
  };
  for (const auto& c : cases) {
    auto set = decodeList(c.json);
    ASSERT_TRUE(set) << c.name << ": " << set.error().message;
    EXPECT_EQ(set->pods.size(), c.pods) << c.name;
    EXPECT_EQ(set->egressPolicies.size(), c.policies) << c.name;
    EXPECT_EQ(set->ignoredItems, c.ignored) << c.name;
    EXPECT_EQ(set->notes.size(), c.ignored == 0 ? 0u : 1u) << c.name;
  }
}

TEST(DecodeList, TypedListItemsGetTheirNames) {
  auto set = decodeList(R"({"apiVersion":"egressgateway.spidernet.io/v1beta1",
      "kind":"EgressPolicyList","items":[{"metadata":{"name":"a","namespace":"ns"},
      "status":{"eip":{"ipv4":"172.16.25.189"},"node":"node2"}}]})");
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->egressPolicies.size(), 1u);
  EXPECT_EQ(set->egressPolicies[0].metadata.namespace_, "ns");
  EXPECT_EQ(set->egressPolicies[0].status.node, "node2");
}

struct ListErrorCase {
  std::string name;
  std::string json;
  std::string expected;
};

TEST(DecodeList, ErrorsNameTheItem) {
  const std::vector<ListErrorCase> cases = {
      {"root array", "[1]", "(root): expected object, got array"},
      {"items object", R"({"kind":"List","items":{}})", "items: expected array, got object"},
      {"item not object", R"({"kind":"List","items":[{"kind":"Pod","apiVersion":"v1"},3]})",
       "items[1]: expected object, got number"},
      {"bad known item",
       R"({"kind":"List","items":[{},{"apiVersion":"egressgateway.spidernet.io/v1beta1",
           "kind":"EgressPolicy","metadata":{"name":"test","namespace":"default"},
           "status":{"eip":{"ipv4":1}}}]})",
       "items[1] (EgressPolicy default/test): status.eip.ipv4: expected string, got number"},
      {"bad typed item",
       R"({"apiVersion":"v1","kind":"NodeList","items":[{"metadata":{"name":"n1"},
           "status":{"addresses":"10.0.0.1"}}]})",
       "items[0] (Node n1): status.addresses: expected array, got string"},
      {"bad single object", R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":5}})",
       "(Pod): metadata.name: expected string, got number"},
  };
  for (const auto& c : cases) {
    auto set = decodeList(c.json);
    ASSERT_FALSE(set) << c.name;
    EXPECT_EQ(set.error().code, ErrorCode::InvalidInput) << c.name;
    EXPECT_EQ(set.error().message, c.expected) << c.name;
  }
}

TEST(DecodeList, EveryModelledKindDispatches) {
  // One minimal object per ResourceType must land in exactly one vector of the set.
  for (const auto& type : allResourceTypes()) {
    std::string json = R"({"apiVersion":")" + type.apiVersion() + R"(","kind":")" +
                       std::string(type.kind) + R"(","metadata":{"name":"x"}})";
    auto set = decodeList(json);
    ASSERT_TRUE(set) << type.kind << ": " << set.error().message;
    EXPECT_EQ(set->ignoredItems, 0u) << type.kind;
    ObjectSet empty;
    EXPECT_NE(*set, empty) << type.kind;
  }
}

}  // namespace
}  // namespace egressdiag::model
