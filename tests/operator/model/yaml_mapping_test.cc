// The YAML subset reader (config files rendered by upstream charts) and spidernet's
// gatewayFailover on top of it. Plain values only.
#include "operator/model/yaml_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "operator/model/spidernet_config.h"

namespace egressdiag::model {
namespace {

using Scalars = std::map<std::string, std::string>;

// conf.yml as spidernet's chart renders `feature` with toYaml (keys sorted, sequences at the
// parent's indentation).
constexpr std::string_view kChartConf = R"(announcedInterfacesToExclude:
- ^cali.*
- br-*
clusterCIDR:
  autoDetect:
    clusterIP: true
    nodeIP: true
    podCidrMode: auto
  extraCidr: []
datapathMode: iptables
enableIPv4: true
gatewayFailover:
  eipEvictionTimeout: 15
  enable: false
  tunnelMonitorPeriod: 5
  tunnelUpdatePeriod: 5
tunnelDetectCustomInterface:
- interfaceName: eth1
  nodeSelector:
    kubernetes.io/os: linux
tunnelIpv4Subnet: 172.31.0.0/16
vxlan:
  id: 100
  name: egress.vxlan
)";

TEST(YamlScalarsTest, ReadsTheChartRenderedConfig) {
  auto values = readYamlScalars(kChartConf);
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ(*values, (Scalars{{"clusterCIDR.autoDetect.clusterIP", "true"},
                              {"clusterCIDR.autoDetect.nodeIP", "true"},
                              {"clusterCIDR.autoDetect.podCidrMode", "auto"},
                              {"datapathMode", "iptables"},
                              {"enableIPv4", "true"},
                              {"gatewayFailover.eipEvictionTimeout", "15"},
                              {"gatewayFailover.enable", "false"},
                              {"gatewayFailover.tunnelMonitorPeriod", "5"},
                              {"gatewayFailover.tunnelUpdatePeriod", "5"},
                              {"tunnelIpv4Subnet", "172.31.0.0/16"},
                              {"vxlan.id", "100"},
                              {"vxlan.name", "egress.vxlan"}}));
}

struct Case {
  const char* name;
  const char* yaml;
  Scalars want;
};

const Case kCases[] = {
    {"Comments",
     "# header\na: 1 # trailing\nb: 'x # not a comment'\n",
     {{"a", "1"}, {"b", "x # not a comment"}}},
    {"Quoted",
     "a: \"q\\\"uote\"\nb: 'it''s'\n\"c d\": 3\n",
     {{"a", "q\"uote"}, {"b", "it's"}, {"c d", "3"}}},
    {"FlowMapping",
     "gatewayFailover: {enable: true, eipEvictionTimeout: 30}\n",
     {{"gatewayFailover.enable", "true"}, {"gatewayFailover.eipEvictionTimeout", "30"}}},
    {"BlockScalarSkipped", "a: |\n  line: 1\n  b: 2\nc: 3\n", {{"c", "3"}}},
    {"IndentedSequenceSkipped", "a:\n  - x: 1\n    y: 2\n  - z\nb: 4\n", {{"b", "4"}}},
    {"FlowSequenceSkipped", "a: [1, 2]\nb: 2\n", {{"b", "2"}}},
    {"DocumentMarkers", "---\na: 1\n...\nignored: [\n", {{"a", "1"}}},
    {"BlankLinesInsideAMapping",
     "a:\n  b: 1\n\n  c: 2\nd: 3\n",
     {{"a.b", "1"}, {"a.c", "2"}, {"d", "3"}}},
    {"CarriageReturns", "a:\r\n  b: 1\r\n", {{"a.b", "1"}}},
    {"UrlValue", "url: http://x:80/p\n", {{"url", "http://x:80/p"}}},
    {"Empty", "", {}},
};

class YamlCaseTest : public ::testing::TestWithParam<Case> {};

TEST_P(YamlCaseTest, Reads) {
  auto values = readYamlScalars(GetParam().yaml);
  ASSERT_TRUE(values) << values.error().message;
  EXPECT_EQ(*values, GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(Cases, YamlCaseTest, ::testing::ValuesIn(kCases),
                         [](const auto& param) { return std::string(param.param.name); });

struct Bad {
  const char* name;
  const char* yaml;
  const char* error;  // substring
};

const Bad kBad[] = {
    {"Tab", "a:\n\tb: 1\n", "YAML line 2: tab in indentation"},
    {"NotAMapping", "just text\n", "YAML line 1: expected `key: value`"},
    {"Repeated", "a: 1\nb: 2\na: 3\n", "YAML line 3: key a repeated"},
    {"RepeatedNested", "a:\n  b: 1\n  b: 2\n", "key a.b repeated"},
    {"Unterminated", "a: 'open\n", "YAML line 1: unterminated quoted scalar"},
    {"Anchor", "a: &x 1\n", "anchors, aliases and tags"},
    {"Tag", "a: !!bool true\n", "anchors, aliases and tags"},
    {"NestedFlow", "a: {b: {c: 1}}\n", "nested flow collections"},
    {"MultiLineFlow", "a: {b: 1,\n  c: 2}\n", "multi-line flow mappings"},
    {"TwoDocuments", "a: 1\n---\nb: 2\n", "YAML line 2: more than one document"},
};

class YamlBadTest : public ::testing::TestWithParam<Bad> {};

TEST_P(YamlBadTest, IsAnErrorNamingTheLine) {
  auto values = readYamlScalars(GetParam().yaml);
  ASSERT_FALSE(values);
  EXPECT_EQ(values.error().code, ErrorCode::InvalidInput);
  EXPECT_THAT(values.error().message, ::testing::HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(Cases, YamlBadTest, ::testing::ValuesIn(kBad),
                         [](const auto& param) { return std::string(param.param.name); });

TEST(YamlBoolTest, GoDecoderForms) {
  for (const char* yes : {"true", "True", "TRUE", "yes", "on"}) {
    EXPECT_EQ(yamlBool(yes), true) << yes;
  }
  for (const char* no : {"false", "False", "no", "OFF"}) {
    EXPECT_EQ(yamlBool(no), false) << no;
  }
  for (const char* neither : {"", "1", "tRue", "y", "enabled"}) {
    EXPECT_EQ(yamlBool(neither), std::nullopt) << neither;
  }
}

TEST(GatewayFailoverTest, ChartDefaultIsOff) {
  auto failover = parseGatewayFailover(kChartConf);
  ASSERT_TRUE(failover) << failover.error().message;
  EXPECT_EQ(*failover, (GatewayFailover{false, 5, 5, 15}));
}

// spidernet's code default when the key is absent is on (reference/spidernet.md §1.1).
TEST(GatewayFailoverTest, AbsentKeyIsOnWithDefaultPeriods) {
  auto failover = parseGatewayFailover("enableIPv4: true\n");
  ASSERT_TRUE(failover) << failover.error().message;
  EXPECT_EQ(*failover, (GatewayFailover{true, 5, 5, 15}));
}

TEST(GatewayFailoverTest, ReadsEveryField) {
  auto failover = parseGatewayFailover(
      "gatewayFailover:\n  enable: yes\n  tunnelMonitorPeriod: 2\n  tunnelUpdatePeriod: 3\n"
      "  eipEvictionTimeout: \"9\"\n");
  ASSERT_TRUE(failover) << failover.error().message;
  EXPECT_EQ(*failover, (GatewayFailover{true, 2, 3, 9}));
}

TEST(GatewayFailoverTest, BadValuesNameTheKey) {
  const std::pair<const char*, const char*> kBadValues[] = {
      {"gatewayFailover:\n  enable: maybe\n", "gatewayFailover.enable: \"maybe\" is not a boolean"},
      {"gatewayFailover:\n  eipEvictionTimeout: 0\n",
       "gatewayFailover.eipEvictionTimeout: \"0\" is not a positive whole number of seconds"},
      {"gatewayFailover:\n  tunnelUpdatePeriod: 5s\n", "gatewayFailover.tunnelUpdatePeriod"},
      {"gatewayFailover:\n  tunnelMonitorPeriod: 99999999999\n",
       "gatewayFailover.tunnelMonitorPeriod"},
      {"gatewayFailover:\n\tenable: true\n", "tab in indentation"},
  };
  for (const auto& [yaml, error] : kBadValues) {
    auto failover = parseGatewayFailover(yaml);
    ASSERT_FALSE(failover) << yaml;
    EXPECT_THAT(failover.error().message, ::testing::HasSubstr(error)) << yaml;
  }
}

TEST(SpidernetConfigTest, FindsByNameAndNamespace) {
  auto cm = [](std::string ns, std::string name) {
    ConfigMap c;
    c.metadata.namespace_ = std::move(ns);
    c.metadata.name = std::move(name);
    return c;
  };
  std::vector<ConfigMap> one{cm("egress", "egressgateway"), cm("kube-system", "other")};
  EXPECT_EQ(findSpidernetConfig(one, "kube-system"), &one[0]);  // the only one, anywhere
  std::vector<ConfigMap> two{cm("a", "egressgateway"), cm("b", "egressgateway")};
  EXPECT_EQ(findSpidernetConfig(two, "b"), &two[1]);
  EXPECT_EQ(findSpidernetConfig(two, "c"), nullptr);  // ambiguous
  EXPECT_EQ(findSpidernetConfig({}, "kube-system"), nullptr);
}

}  // namespace
}  // namespace egressdiag::model
