// Encoders of the kinds we write: exact output, round trips through the decoder, size bounds.
#include <gtest/gtest.h>

#include "tests/operator/model/fixtures.h"

namespace egressdiag::model {
namespace {

using testing::at;
using testing::loadFixture;

Result<EgressDiagnosisStatus> statusRoundTrip(const EgressDiagnosisStatus& status) {
  auto decoded = decodeJson<EgressDiagnosis>("{\"status\":" + toJson(status) + "}");
  if (!decoded) {
    return std::unexpected(decoded.error());
  }
  return decoded->status;
}

TEST(EncodeDiagnosisStatus, ExactJson) {
  EgressDiagnosisStatus status;
  status.observedGeneration = 2;
  status.conditions = {
      {"Ready", ConditionStatus::True, "Reconciled", "", at("2024-03-01T08:00:00Z"), 2}};
  status.egressIP = "172.16.25.189";
  status.failingChecks = {{"SPN-ROUTE", "node1", "RouteMissing", "no \"default\"", std::nullopt}};
  status.outages = {{at("2024-03-01T08:09:00.75Z"), std::nullopt, "IPRuleMissing", "down"}};
  EXPECT_EQ(toJson(status),
            R"({"observedGeneration":2,"conditions":[{"type":"Ready","status":"True",)"
            R"("observedGeneration":2,"lastTransitionTime":"2024-03-01T08:00:00Z",)"
            R"("reason":"Reconciled","message":""}],"egressIP":"172.16.25.189",)"
            R"("gatewayNode":"","nodes":"","lastProbeTime":null,"failingChecks":[{"check":)"
            R"("SPN-ROUTE","node":"node1","reason":"RouteMissing","message":"no \"default\"",)"
            R"("since":null}],"outages":[{"start":"2024-03-01T08:09:00Z","end":null,)"
            R"("reason":"IPRuleMissing","message":"down"}]})");
}

TEST(EncodeDiagnosisStatus, RoundTripOfFixture) {
  ObjectSet set = loadFixture("egressdiag_objects.json");
  ASSERT_EQ(set.egressDiagnoses.size(), 1u);
  const EgressDiagnosisStatus& status = set.egressDiagnoses[0].status;
  auto again = statusRoundTrip(status);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, status);
}

TEST(EncodeDiagnosisStatus, ListsAreBounded) {
  EgressDiagnosisStatus status;
  for (int i = 0; i < 60; ++i) {
    status.failingChecks.push_back({"C" + std::to_string(i), "n", "R", "m", std::nullopt});
  }
  for (int i = 0; i < 25; ++i) {
    status.outages.push_back({Time{std::chrono::seconds(i)}, std::nullopt, "R", "m"});
  }
  auto again = statusRoundTrip(status);
  ASSERT_TRUE(again) << again.error().message;
  ASSERT_EQ(again->failingChecks.size(), kMaxFailingChecks);
  EXPECT_EQ(again->failingChecks.front().check, "C0");
  EXPECT_EQ(again->failingChecks.back().check, "C49");
  ASSERT_EQ(again->outages.size(), kMaxOutages);
  EXPECT_EQ(again->outages.front().start, Time{std::chrono::seconds(5)});  // newest 20 kept
  EXPECT_EQ(again->outages.back().start, Time{std::chrono::seconds(24)});
}

TEST(EncodeFinding, ExactJsonAndEscaping) {
  Finding finding;
  finding.check = "SPN-IP-RULE";
  finding.layer = "Datapath";
  finding.target = {"egressgateway.spidernet.io", "EgressPolicy", "test", "default"};
  finding.node = "node1";
  finding.status = CheckStatus::Fail;
  finding.reason = "IPRuleMissing";
  finding.message = "tab\there \"quoted\" \x01 ünïcode";
  finding.evidence = {"99:\tfrom all fwmark 0x26b7b4e4 lookup 649573604"};
  finding.remediation = "restart the agent";
  EXPECT_EQ(toJson(finding),
            R"({"check":"SPN-IP-RULE","layer":"Datapath","target":"EgressPolicy/default/test",)"
            R"("node":"node1","status":"Fail","reason":"IPRuleMissing","message":)"
            R"("tab\there \"quoted\" \u0001 ünïcode","evidence":["99:\tfrom all fwmark )"
            R"(0x26b7b4e4 lookup 649573604"],"remediation":"restart the agent","since":null})");
}

TEST(CheckStatusNames, ParseAndPrint) {
  for (auto status : {CheckStatus::Pass, CheckStatus::Fail, CheckStatus::Warn, CheckStatus::Unknown,
                      CheckStatus::Skipped}) {
    EXPECT_EQ(parseCheckStatus(toString(status)), status);
  }
  EXPECT_FALSE(parseCheckStatus("pass"));
  EXPECT_FALSE(parseCheckStatus(""));
}

Finding makeFinding(CheckStatus status, int index) {
  Finding finding;
  finding.check = "CHECK-" + std::to_string(index);
  finding.status = status;
  return finding;
}

TEST(EncodeNodeReport, ExactJsonInTheCrdLayout) {
  EgressNodeReport report;
  report.metadata.name = "node1";
  report.metadata.ownerReferences = {{"v1", "Node", "node1", "n1", false}};
  report.status.probeVersion = "0.1.0";
  report.status.snapshotDuration = Duration(1500);
  TargetReport policy;
  policy.target = {"egressgateway.spidernet.io", "EgressPolicy", "test", "default"};
  policy.counts = {5, 1, 0, 0, 0};
  policy.findings = {makeFinding(CheckStatus::Fail, 1), makeFinding(CheckStatus::Pass, 2)};
  TargetReport wide;
  wide.counts = {3, 0, 0, 1, 0};
  report.status.targets = {policy, wide};
  EXPECT_EQ(toJson(report),
            R"({"apiVersion":"egressdiag.io/v1alpha1","kind":"EgressNodeReport","metadata":)"
            R"({"name":"node1","ownerReferences":[{"apiVersion":"v1","kind":"Node","name":)"
            R"("node1","uid":"n1","controller":false}]},"spec":{},"status":{"probeVersion":)"
            R"("0.1.0","lastProbeTime":null,"snapshotSeconds":1.5,"counts":{"pass":8,"fail":1,)"
            R"("warn":0,"unknown":1,"skipped":0},"targets":[{"target":"EgressPolicy/default/)"
            R"(test","findings":[{"check":"CHECK-1","layer":"","target":"","node":"",)"
            R"("status":"Fail","reason":"","message":"","evidence":[],"remediation":"",)"
            R"("since":null}]},{"target":"Node/node1","findings":[]}]}})");
}

TEST(EncodeNodeReport, RoundTripOfFixture) {
  ObjectSet set = loadFixture("egressdiag_objects.json");
  ASSERT_EQ(set.egressNodeReports.size(), 1u);
  const EgressNodeReport& report = set.egressNodeReports[0];
  auto again = decodeJson<EgressNodeReport>(toJson(report));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(*again, report);
}

TEST(BoundNodeReport, KeepsFailuresFirstWithinEveryCap) {
  EgressNodeReport report;
  report.metadata.name = "node1";
  TargetReport first;
  first.target = {"", "EgressPolicy", "a", "default"};
  TargetReport second;
  second.target = {"", "EgressPolicy", "b", "default"};
  TargetReport third;
  third.target = {"", "EgressClusterPolicy", "c", ""};
  // first: 30 Warn then 20 Pass; second: 40 Fail; third: 10 Unknown.
  for (int i = 0; i < 30; ++i) {
    first.findings.push_back(makeFinding(CheckStatus::Warn, i));
  }
  for (int i = 0; i < 20; ++i) {
    first.findings.push_back(makeFinding(CheckStatus::Pass, 100 + i));
  }
  for (int i = 0; i < 40; ++i) {
    second.findings.push_back(makeFinding(CheckStatus::Fail, 200 + i));
  }
  for (int i = 0; i < 10; ++i) {
    third.findings.push_back(makeFinding(CheckStatus::Unknown, 300 + i));
  }
  first.counts.pass = 20;
  report.status.targets = {first, second, third};
  EgressNodeReport bounded = boundNodeReport(report);
  const auto& targets = bounded.status.targets;
  ASSERT_EQ(targets.size(), 3u);
  // 32 Fail (per-target cap) + 10 Unknown + 22 Warn = 64 in total; Pass is never listed.
  EXPECT_EQ(targets[1].findings.size(), ReportLimits::kMaxFindingsPerTarget);
  EXPECT_EQ(targets[1].findings.back().check, "CHECK-231");
  EXPECT_EQ(targets[2].findings.size(), 10u);
  ASSERT_EQ(targets[0].findings.size(), 22u);
  EXPECT_EQ(targets[0].findings.front().check, "CHECK-0");
  EXPECT_EQ(targets[0].findings.back().check, "CHECK-21");
  EXPECT_EQ(bounded.status.counts.pass, 20);
  EXPECT_EQ(targets[0].counts, CheckCounts{});
  EXPECT_EQ(boundNodeReport(bounded), bounded);  // idempotent
}

TEST(BoundNodeReport, MergesTargetsWithTheSameKey) {
  EgressNodeReport report;
  TargetReport a;
  a.target = {"egressgateway.spidernet.io", "EgressPolicy", "p", "ns"};
  a.findings = {makeFinding(CheckStatus::Fail, 1)};
  TargetReport b = a;
  b.target.apiGroup = "";  // same key "EgressPolicy/ns/p"
  b.findings = {makeFinding(CheckStatus::Warn, 2)};
  report.status.targets = {a, b};
  EgressNodeReport bounded = boundNodeReport(report);
  ASSERT_EQ(bounded.status.targets.size(), 1u);
  EXPECT_EQ(bounded.status.targets[0].findings.size(), 2u);
}

TEST(BoundNodeReport, CutsStringsEvidenceAndTargets) {
  EgressNodeReport report;
  report.status.probeVersion = std::string(300, 'v');
  for (int i = 0; i < 70; ++i) {
    TargetReport target;
    target.target = {"", "EgressPolicy", "p" + std::to_string(i), "ns"};
    report.status.targets.push_back(target);
  }
  report.status.targets[1].target.name = std::string(400, 'n');
  Finding finding = makeFinding(CheckStatus::Fail, 1);
  // 'é' is two bytes: an odd cut point would split one.
  std::string accents;
  for (int i = 0; i < 700; ++i) {
    accents += "\xc3\xa9";
  }
  finding.message = accents;
  finding.remediation = std::string(5000, 'r');
  for (int i = 0; i < 20; ++i) {
    finding.evidence.push_back(std::string(1000, 'e'));
  }
  report.status.targets[0].findings = {finding};
  EgressNodeReport bounded = boundNodeReport(report);
  const auto& status = bounded.status;
  EXPECT_EQ(status.targets.size(), ReportLimits::kMaxTargets);
  EXPECT_LE(status.probeVersion.size(), ReportLimits::kMaxProbeVersionBytes);
  EXPECT_EQ(targetKey(status.targets[1].target).size(), ReportLimits::kMaxTargetBytes);
  const Finding& cut = status.targets[0].findings.at(0);
  EXPECT_LE(cut.message.size(), ReportLimits::kMaxMessageBytes);
  EXPECT_TRUE(cut.message.ends_with("\xe2\x80\xa6"));
  // Everything before the marker is whole 'é' characters.
  std::string body = cut.message.substr(0, cut.message.size() - 3);
  EXPECT_EQ(body.size() % 2, 0u);
  EXPECT_EQ(body.find_first_not_of("\xc3\xa9"), std::string::npos);
  EXPECT_LE(cut.remediation.size(), ReportLimits::kMaxRemediationBytes);
  ASSERT_EQ(cut.evidence.size(), ReportLimits::kMaxEvidenceLines);
  EXPECT_EQ(cut.evidence.back(), "\xe2\x80\xa6 5 more line(s)");
  for (const auto& line : cut.evidence) {
    EXPECT_LE(line.size(), ReportLimits::kMaxEvidenceLineBytes);
  }
  // toJson applies the bound itself.
  auto decoded = decodeJson<EgressNodeReport>(toJson(report));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(decoded->status.targets.size(), bounded.status.targets.size());
  EXPECT_EQ(decoded->status.targets[0].findings, bounded.status.targets[0].findings);
}

TEST(BoundNodeReport, WorstCaseStaysWellUnderEtcdLimit) {
  EgressNodeReport report;
  report.metadata.name = std::string(253, 'n');
  report.status.probeVersion = std::string(1000, 'v');
  for (int t = 0; t < 70; ++t) {  // over every count cap, with little memory
    TargetReport target;
    target.target = {"", std::string(100, 'K'), std::to_string(t) + std::string(400, 'n'),
                     std::string(100, 's')};
    for (int f = 0; f < 2; ++f) {
      Finding finding;
      finding.status = CheckStatus::Fail;
      finding.check = finding.layer = finding.node = finding.reason = std::string(1000, 'c');
      finding.target = target.target;
      // Control characters take six bytes each once escaped as \u00XX.
      finding.message = finding.remediation = std::string(5000, '\x01');
      finding.evidence.assign(30, std::string(1000, '\x01'));
      finding.since = Time{};
      target.findings.push_back(std::move(finding));
    }
    report.status.targets.push_back(std::move(target));
  }
  std::size_t bytes = toJson(report).size();
  std::cout << "worst-case EgressNodeReport JSON: " << bytes << " bytes\n";
  EXPECT_LT(bytes, 700'000u);
}

TEST(TargetKeys, FormatAndParse) {
  struct Case {
    TargetRef target;
    std::string key;
  };
  const std::vector<Case> cases = {
      {{"egressgateway.spidernet.io", "EgressPolicy", "test", "default"},
       "EgressPolicy/default/test"},
      {{"egressgateway.spidernet.io", "EgressClusterPolicy", "all", ""}, "EgressClusterPolicy/all"},
      {{"egressgateway.kubernetes.azure.com", "StaticGatewayConfiguration", "gw", "ns"},
       "StaticGatewayConfiguration/ns/gw"},
      {{}, ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(targetKey(c.target), c.key);
    EXPECT_EQ(parseTargetKey(c.key), c.target) << c.key;
  }
  EXPECT_EQ(parseTargetKey("Node/node1"), TargetRef{});
  EXPECT_EQ(parseTargetKey("Other/x"), (TargetRef{"", "Other", "x", ""}));
  for (std::string bad : {"EgressPolicy", "a/b/c/d"}) {
    auto parsed = parseTargetKey(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidInput);
  }
}

}  // namespace
}  // namespace egressdiag::model
