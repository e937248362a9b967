#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>
#include <rapidjson/document.h>

#include "operator/common/logging.h"
#include "operator/manager/metrics.h"
#include "operator/manager/options.h"
#include "operator/serving/flags.h"

namespace egressdiag::manager {
namespace {

Result<Options> parse(std::vector<std::string_view> args) {
  return parseOptions(args);
}

TEST(OptionsTest, Defaults) {
  auto options = parse({});
  ASSERT_TRUE(options.has_value());
  EXPECT_FALSE(options->kubeconfig.has_value());
  EXPECT_EQ(options->ns, "egressdiag-system");
  EXPECT_EQ(options->metricsBindAddress, ":8080");
  EXPECT_EQ(options->healthProbeBindAddress, ":8081");
  EXPECT_FALSE(options->leaderElect);
  EXPECT_FALSE(options->autoDiagnose);
  EXPECT_EQ(options->logFormat, logging::Format::Json);
  EXPECT_EQ(options->logLevel, spdlog::level::info);
  EXPECT_EQ(options->kubeApiQps, 20);
  EXPECT_EQ(options->kubeApiBurst, 40);
}

TEST(OptionsTest, ParsesEveryForm) {
  auto options = parse({"--kubeconfig", "/k", "--namespace=ops", "--leader-elect",
                        "--auto-diagnose=false", "--log-format=text", "--log-level", "debug",
                        "--metrics-bind-address=127.0.0.1:0", "--health-probe-bind-address", ":0",
                        "--workers=4", "--kube-api-qps=100", "--kube-api-burst", "200"});
  ASSERT_TRUE(options.has_value()) << options.error().message;
  EXPECT_EQ(options->kubeconfig, "/k");
  EXPECT_EQ(options->ns, "ops");
  EXPECT_TRUE(options->leaderElect);
  EXPECT_FALSE(options->autoDiagnose);
  EXPECT_EQ(options->logFormat, logging::Format::Text);
  EXPECT_EQ(options->logLevel, spdlog::level::debug);
  EXPECT_EQ(options->metricsBindAddress, "127.0.0.1:0");
  EXPECT_EQ(options->workers, 4);
  EXPECT_EQ(options->kubeApiQps, 100);
  EXPECT_EQ(options->kubeApiBurst, 200);
}

TEST(OptionsTest, RejectsBadInput) {
  struct Case {
    std::vector<std::string_view> args;
    std::string mention;
  };
  const Case cases[] = {
      {{"--nope"}, "--nope"},
      {{"--namespace"}, "--namespace needs a value"},
      {{"--log-format=xml"}, "json or text"},
      {{"--log-level=loud"}, "--log-level"},
      {{"--leader-elect=maybe"}, "--leader-elect"},
      {{"--metrics-bind-address=8080"}, "needs a port"},
      {{"--health-probe-bind-address=:99999"}, "65535"},
      {{"--workers=0"}, "--workers"},
      {{"--kube-api-qps=0"}, "--kube-api-qps"},
      {{"--kube-api-burst=lots"}, "--kube-api-burst"},
      {{"positional"}, "unexpected argument"},
  };
  for (const auto& c : cases) {
    auto options = parse(c.args);
    ASSERT_FALSE(options.has_value()) << c.mention;
    EXPECT_EQ(options.error().code, ErrorCode::InvalidInput);
    EXPECT_THAT(options.error().message, ::testing::HasSubstr(c.mention));
  }
}

TEST(OptionsTest, BindAddresses) {
  EXPECT_EQ(serving::parseBindAddress(":8080").value(),
            (std::pair<std::string, int>{"0.0.0.0", 8080}));
  EXPECT_EQ(serving::parseBindAddress("127.0.0.1:0").value(),
            (std::pair<std::string, int>{"127.0.0.1", 0}));
  EXPECT_EQ(serving::parseBindAddress("[::1]:9").value(), (std::pair<std::string, int>{"::1", 9}));
  EXPECT_FALSE(serving::parseBindAddress("0").value().has_value());
  EXPECT_FALSE(serving::parseBindAddress("host").has_value());
}

TEST(LoggingTest, JsonLinesHaveStableKeysAndEscape) {
  std::string payload = logging::render(logging::Format::Json, "reconciled \"x\"\n",
                                        {{"namespace", "ns-a"}, {"name", "egd"}});
  std::string line = logging::jsonLine("2026-11-22T20:51:36.840904Z", "info", "operator", payload);
  rapidjson::Document doc;
  ASSERT_FALSE(doc.Parse(line.c_str()).HasParseError()) << line;
  EXPECT_STREQ(doc["ts"].GetString(), "2026-11-22T20:51:36.840904Z");
  EXPECT_STREQ(doc["level"].GetString(), "info");
  EXPECT_STREQ(doc["logger"].GetString(), "operator");
  EXPECT_STREQ(doc["msg"].GetString(), "reconciled \"x\"\n");
  EXPECT_STREQ(doc["namespace"].GetString(), "ns-a");
  EXPECT_STREQ(doc["name"].GetString(), "egd");
  // A message logged by another library through spdlog directly is escaped too.
  std::string plain = logging::jsonLine("t", "warn", "kube", "watch \"pods\" failed");
  ASSERT_FALSE(doc.Parse(plain.c_str()).HasParseError()) << plain;
  EXPECT_STREQ(doc["msg"].GetString(), "watch \"pods\" failed");
}

TEST(LoggingTest, TextQuotesValuesWithSpaces) {
  EXPECT_EQ(logging::render(logging::Format::Text, "status updated",
                            {{"name", "a"}, {"reason", "two words"}, {"empty", ""}}),
            "status updated name=a reason=\"two words\" empty=\"\"");
}

TEST(MetricsTest, HealthAndFailingChecksAggregate) {
  Metrics metrics;
  model::EgressDiagnosisStatus status;
  status.conditions = {model::Condition{"Healthy", model::ConditionStatus::False, "X", "", {}, 0}};
  status.failingChecks = {{"SPN-IP-RULE", "node1", "IPRuleMissing", "", {}}};
  metrics.recordDiagnosis("default", "a", status);
  metrics.recordDiagnosis("default", "b", status);
  metrics.countApiRequest("PATCH", 200);
  auto text = prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "egressdiag_diagnosis_healthy{name=\"a\",namespace=\"default\"} 0"));
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "egressdiag_check_failing{check=\"SPN-IP-RULE\",node=\"node1\"} 2"));
  EXPECT_THAT(text,
              ::testing::HasSubstr("egressdiag_api_requests_total{code=\"200\",verb=\"PATCH\"} 1"));

  status.failingChecks.clear();
  status.conditions[0].status = model::ConditionStatus::True;
  metrics.recordDiagnosis("default", "a", status);
  metrics.forgetDiagnosis("default", "b");
  text = prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
  EXPECT_THAT(text, ::testing::HasSubstr(
                        "egressdiag_diagnosis_healthy{name=\"a\",namespace=\"default\"} 1"));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("egressdiag_check_failing{")));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("name=\"b\"")));
}

TEST(MetricsTest, NodeReportAgesDropNodesThatAreGone) {
  Metrics metrics;
  metrics.setNodeReportAges({{"node1", 3}, {"node2", 400}});
  auto text = prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
  EXPECT_THAT(text, ::testing::HasSubstr("egressdiag_node_report_age_seconds{node=\"node2\"} 400"));
  metrics.setNodeReportAges({{"node1", 13}});
  text = prometheus::TextSerializer().Serialize(metrics.registry()->Collect());
  EXPECT_THAT(text, ::testing::HasSubstr("egressdiag_node_report_age_seconds{node=\"node1\"} 13"));
  EXPECT_THAT(text, ::testing::Not(::testing::HasSubstr("node2")));
}

}  // namespace
}  // namespace egressdiag::manager
