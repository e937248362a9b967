// The model against a real kube-apiserver: what we encode passes our committed CRD schemas and
// reads back equal; what the server and upstream CRDs serve decodes with the expected values.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "tests/operator/model/fixtures.h"
#include "tests/support/testenv.h"

namespace egressdiag::model {
namespace {

using egressdiag::testing::CommandResult;
using egressdiag::testing::kubectl;
using egressdiag::testing::loadTestEnv;
using egressdiag::testing::sourceDir;
using egressdiag::testing::TestEnv;
using testing::at;

class ModelApiServer : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto env = loadTestEnv(&why);
    ASSERT_TRUE(env) << why;
    env_ = *env;
    // Other tests apply the same CRDs on the shared plane: server-side apply tolerates that.
    for (const std::string& source :
         {sourceDir() + "/crds", sourceDir() + "/tests/fixtures/crds"}) {
      CommandResult applied;
      for (int attempt = 0; attempt < 5; ++attempt) {
        applied = run({"apply", "--server-side", "--force-conflicts", "-k", source});
        if (applied.exitCode == 0) {
          break;
        }
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
      ASSERT_EQ(applied.exitCode, 0) << applied.err;
    }
    CommandResult established =
        run({"wait", "--for=condition=Established", "--timeout=60s",
             "crd/egressnodereports.egressdiag.io", "crd/egressdiagnoses.egressdiag.io",
             "crd/egresspolicies.egressgateway.spidernet.io",
             "crd/egresstunnels.egressgateway.spidernet.io",
             "crd/staticgatewayconfigurations.egressgateway.kubernetes.azure.com"});
    ASSERT_EQ(established.exitCode, 0) << established.err;
    CommandResult ns = run({"create", "namespace", kNamespace});
    ASSERT_TRUE(ns.exitCode == 0 || ns.err.find("AlreadyExists") != std::string::npos) << ns.err;
  }

  CommandResult run(std::vector<std::string> args, std::string_view input = {}) {
    return kubectl(env_, std::move(args), input);
  }

  // Creates (status is ignored there) then merge-patches /status with the same JSON.
  void createWithStatus(const std::string& resource, const std::string& name,
                        const std::vector<std::string>& nsArgs, const std::string& json) {
    std::vector<std::string> del = {"delete", resource, name, "--ignore-not-found", "--wait"};
    del.insert(del.end(), nsArgs.begin(), nsArgs.end());
    ASSERT_EQ(run(del).exitCode, 0);
    CommandResult created = run({"create", "-f", "-"}, json);
    ASSERT_EQ(created.exitCode, 0) << created.err;
    // A file, not -p: one argv string is limited to 128 KiB.
    std::string patchFile = env_.dir + "/model-test-patch.json";
    {
      std::ofstream out(patchFile, std::ios::binary | std::ios::trunc);
      out << json;
    }
    std::vector<std::string> patch = {
        "patch", resource, name, "--subresource=status", "--type=merge", "--patch-file", patchFile};
    patch.insert(patch.end(), nsArgs.begin(), nsArgs.end());
    CommandResult patched = run(patch);
    ASSERT_EQ(patched.exitCode, 0) << patched.err;
    std::remove(patchFile.c_str());
  }

  // `kubectl get ... -o json` through decodeList().
  ObjectSet get(std::vector<std::string> args) {
    args.insert(args.begin(), "get");
    args.insert(args.end(), {"-o", "json"});
    CommandResult got = run(args);
    EXPECT_EQ(got.exitCode, 0) << got.err;
    auto set = decodeList(got.out);
    EXPECT_TRUE(set) << (set ? "" : set.error().message);
    return set ? *std::move(set) : ObjectSet{};
  }

  static constexpr const char* kNamespace = "model-test";
  TestEnv env_;
};

Finding longFinding(CheckStatus status, int index) {
  Finding finding;
  finding.check = "CHECK-" + std::to_string(index);
  finding.layer = "Datapath";
  finding.node = "model-test-node";
  finding.status = status;
  finding.reason = "Reason" + std::to_string(index);
  finding.message = std::string(2000, 'm');
  finding.remediation = std::string(2000, 'r');
  finding.evidence.assign(20, std::string(600, 'e'));
  finding.since = at("2024-03-01T08:09:00Z");
  return finding;
}

TEST_F(ModelApiServer, NodeReportPassesTheCrdAndReadsBackEqual) {
  EgressNodeReport report;
  report.metadata.name = "model-test-node";
  report.nodeName = report.metadata.name;
  report.status.probeVersion = "0.1.0";
  report.status.lastProbeTime = at("2024-03-01T08:10:30Z");
  report.status.snapshotDuration = Duration(42);
  TargetReport policy;
  policy.target = {"egressgateway.spidernet.io", "EgressPolicy", "test", "default"};
  policy.counts = {10, 1, 0, 0, 1};
  Finding rule;
  rule.check = "SPN-IP-RULE";
  rule.layer = "Datapath";
  rule.target = policy.target;
  rule.node = report.metadata.name;
  rule.status = CheckStatus::Fail;
  rule.reason = "IPRuleMissing";
  rule.message = "no rule 99: from all fwmark 0x26b7b4e4 lookup 649573604";
  rule.evidence = {"0:\tfrom all lookup local", "32766:\tfrom all lookup main"};
  rule.remediation = "restart the egressgateway-agent pod";
  rule.since = at("2024-03-01T08:09:00Z");
  policy.findings = {rule};
  TargetReport wide;
  wide.counts = {3, 0, 0, 1, 0};
  Finding sysctl = rule;
  sysctl.target = {};
  sysctl.check = "SPN-RPFILTER";
  sysctl.status = CheckStatus::Unknown;
  sysctl.since = std::nullopt;
  wide.findings = {sysctl};
  report.status.targets = {policy, wide};

  std::string json = toJson(report);
  createWithStatus("egressnodereport", report.metadata.name, {}, json);
  ObjectSet set = get({"egressnodereport", report.metadata.name});
  ASSERT_EQ(set.egressNodeReports.size(), 1u);
  auto expected = decodeJson<EgressNodeReport>(json);
  ASSERT_TRUE(expected) << expected.error().message;
  const EgressNodeReport& stored = set.egressNodeReports[0];
  EXPECT_EQ(stored.status, expected->status);
  EXPECT_EQ(stored.status.counts, (CheckCounts{13, 1, 0, 1, 1}));
  ASSERT_EQ(stored.status.targets.size(), 2u);
  EXPECT_EQ(stored.status.targets[0].findings.at(0), rule);
  EXPECT_EQ(stored.nodeName, "model-test-node");
  run({"delete", "egressnodereport", report.metadata.name, "--ignore-not-found"});
}

TEST_F(ModelApiServer, LargestBoundedNodeReportIsAccepted) {
  EgressNodeReport report;
  report.metadata.name = "model-test-node-large";
  report.status.probeVersion = std::string(100, 'v');
  for (int t = 0; t < 70; ++t) {
    TargetReport target;
    target.target = {"", "EgressPolicy", std::string(300, 'p') + std::to_string(t), "ns"};
    for (int f = 0; f < 3; ++f) {
      target.findings.push_back(
          longFinding(f == 0 ? CheckStatus::Fail : CheckStatus::Warn, t * 10 + f));
      target.findings.back().target = target.target;
    }
    report.status.targets.push_back(std::move(target));
  }
  std::string json = toJson(report);
  createWithStatus("egressnodereport", report.metadata.name, {}, json);
  ObjectSet set = get({"egressnodereport", report.metadata.name});
  ASSERT_EQ(set.egressNodeReports.size(), 1u);
  auto expected = decodeJson<EgressNodeReport>(json);
  ASSERT_TRUE(expected);
  EXPECT_EQ(set.egressNodeReports[0].status, expected->status);
  std::size_t findings = 0;
  for (const auto& target : expected->status.targets) {
    findings += target.findings.size();
  }
  EXPECT_EQ(expected->status.targets.size(), ReportLimits::kMaxTargets);
  EXPECT_GT(findings, 0u);
  EXPECT_LE(findings, ReportLimits::kMaxFindings);
  std::cout << "largest bounded report: " << json.size() << " bytes, " << findings << " findings\n";
  run({"delete", "egressnodereport", report.metadata.name, "--ignore-not-found"});
}

TEST_F(ModelApiServer, DiagnosisStatusPassesTheCrdAndReadsBackEqual) {
  const std::string name = "model-test-diagnosis";
  EgressDiagnosis diagnosis;
  diagnosis.status.observedGeneration = 1;
  diagnosis.status.conditions = {
      {"Ready", ConditionStatus::True, "Reconciled", "", at("2024-03-01T08:00:00Z"), 1},
      {"Healthy", ConditionStatus::False, "IPRuleMissing", std::string(40000, 'x'),
       at("2024-03-01T08:10:00Z"), 1}};
  diagnosis.status.egressIP = "172.16.25.189";
  diagnosis.status.gatewayNode = "node2";
  diagnosis.status.nodes = "1/2";
  diagnosis.status.lastProbeTime = at("2024-03-01T08:10:30Z");
  for (int i = 0; i < 60; ++i) {
    diagnosis.status.failingChecks.push_back({"SPN-IP-RULE", "node" + std::to_string(i),
                                              "IPRuleMissing", std::string(3000, 'm'),
                                              at("2024-03-01T08:09:00Z")});
  }
  for (int i = 0; i < 25; ++i) {
    diagnosis.status.outages.push_back(
        {Time{std::chrono::seconds(1709280000 + i * 60)},
         i == 24 ? std::nullopt
                 : std::optional<Time>(Time{std::chrono::seconds(1709280030 + i * 60)}),
         "IPRuleMissing", std::string(3000, 'o')});
  }
  std::string object = R"({"apiVersion":"egressdiag.io/v1alpha1","kind":"EgressDiagnosis",)"
                       R"("metadata":{"name":")" +
                       name + R"(","namespace":")" + kNamespace +
                       R"("},"spec":{"targetRef":{"apiGroup":"egressgateway.spidernet.io",)"
                       R"("kind":"EgressPolicy","name":"test"}},"status":)" +
                       toJson(diagnosis.status) + "}";
  createWithStatus("egressdiagnosis", name, {"-n", kNamespace}, object);
  ObjectSet set = get({"egressdiagnosis", name, "-n", kNamespace});
  ASSERT_EQ(set.egressDiagnoses.size(), 1u);
  const EgressDiagnosis& stored = set.egressDiagnoses[0];
  EXPECT_EQ(stored.status, boundDiagnosisStatus(diagnosis.status));
  EXPECT_EQ(stored.status.failingChecks.size(), kMaxFailingChecks);
  EXPECT_EQ(stored.status.outages.size(), kMaxOutages);
  EXPECT_EQ(stored.status.outages.back().end, std::nullopt);
  // The schema defaults the spec; the decoder reads the defaults.
  EXPECT_EQ(stored.spec.targetRef.kind, "EgressPolicy");
  EXPECT_GT(stored.spec.interval.count(), 0);
  run({"delete", "egressdiagnosis", name, "-n", kNamespace, "--ignore-not-found"});
}

TEST_F(ModelApiServer, UpstreamKindsDecodeAsServed) {
  // The seed values, through the upstream CRD schemas (a misnamed field would be pruned).
  const std::string tunnel =
      R"({"apiVersion":"egressgateway.spidernet.io/v1beta1","kind":"EgressTunnel",)"
      R"("metadata":{"name":"model-test-node2"},"spec":{},"status":{"mark":"0x26b7b4e4",)"
      R"("phase":"Ready","tunnel":{"ipv4":"192.200.201.40","mac":"66:66:41:3e:23:6b",)"
      R"("parent":{"ipv4":"10.6.1.22","name":"ens160"}}}})";
  createWithStatus("egresstunnel", "model-test-node2", {}, tunnel);
  const std::string policy =
      R"({"apiVersion":"egressgateway.spidernet.io/v1beta1","kind":"EgressPolicy",)"
      R"("metadata":{"name":"test","namespace":"model-test"},"spec":{"appliedTo":{)"
      R"("podSelector":{"matchLabels":{"app":"visitor"}}},"destSubnet":["172.16.25.183/32"],)"
      R"("egressGatewayName":"default","egressIP":{"allocatorPolicy":"default",)"
      R"("useNodeIP":false}},"status":{"eip":{"ipv4":"172.16.25.189"},"node":"node2"}})";
  createWithStatus("egresspolicy", "test", {"-n", kNamespace}, policy);
  const std::string sgc =
      R"({"apiVersion":"egressgateway.kubernetes.azure.com/v1alpha1",)"
      R"("kind":"StaticGatewayConfiguration","metadata":{"name":"gw","namespace":"model-test"},)"
      R"("spec":{"gatewayNodepoolName":"gwpool","excludeCidrs":["10.0.0.0/8"]},"status":{)"
      R"("egressIpPrefix":"20.1.2.0/31","gatewayServerProfile":{"ip":"10.243.0.7","port":6000,)"
      R"("publicKey":"pub=","privateKeySecretRef":{"apiVersion":"v1","kind":"Secret",)"
      R"("name":"sgw-1","namespace":"kube-egress-gateway-system"}}}})";
  createWithStatus("staticgatewayconfiguration", "gw", {"-n", kNamespace}, sgc);

  ObjectSet tunnels = get({"egresstunnel", "model-test-node2"});
  ASSERT_EQ(tunnels.egressTunnels.size(), 1u);
  EXPECT_EQ(tunnels.egressTunnels[0].status.mac, "66:66:41:3e:23:6b");
  EXPECT_EQ(tunnelMark(tunnels.egressTunnels[0]), 649573604u);
  EXPECT_EQ(tunnels.egressTunnels[0].status.tunnelIPv4, "192.200.201.40");
  EXPECT_EQ(tunnels.egressTunnels[0].status.parent.ipv4, "10.6.1.22");

  // A typed list response: items carry no kind of their own.
  ObjectSet policies = get({"egresspolicies", "-n", kNamespace});
  ASSERT_EQ(policies.egressPolicies.size(), 1u);
  const EgressPolicy& p = policies.egressPolicies[0];
  EXPECT_EQ(p.status.eipIPv4, "172.16.25.189");
  EXPECT_EQ(p.status.node, "node2");
  ASSERT_TRUE(p.spec.appliedTo.podSelector);
  EXPECT_TRUE(matches(*p.spec.appliedTo.podSelector, {{"app", "visitor"}}));
  EXPECT_FALSE(p.metadata.uid.empty());
  EXPECT_TRUE(p.metadata.creationTimestamp.has_value());

  ObjectSet gateways = get({"staticgatewayconfiguration", "gw", "-n", kNamespace});
  ASSERT_EQ(gateways.staticGatewayConfigurations.size(), 1u);
  const auto& g = gateways.staticGatewayConfigurations[0];
  EXPECT_TRUE(g.spec.provisionPublicIps);  // schema default
  EXPECT_EQ(g.status.gatewayServerProfile.port, 6000);
  ASSERT_TRUE(g.status.gatewayServerProfile.privateKeySecretRef);
  EXPECT_EQ(g.status.gatewayServerProfile.privateKeySecretRef->name, "sgw-1");

  run({"delete", "egresstunnel", "model-test-node2", "--ignore-not-found"});
}

TEST_F(ModelApiServer, CoreObjectsAsServed) {
  ObjectSet set = get({"namespaces,leases", "-A"});
  EXPECT_GE(set.namespaces.size(), 3u);
  ASSERT_FALSE(set.leases.empty());  // kube-apiserver identity leases
  for (const Lease& lease : set.leases) {
    // Other tests on the shared control plane hold and release Leases of their own (a released
    // one has no holder): only the API server's own, in kube-system, are known to be held.
    if (lease.metadata.namespace_ != "kube-system") {
      continue;
    }
    EXPECT_FALSE(lease.spec.holderIdentity.empty()) << objectKey(lease.metadata);
    EXPECT_TRUE(lease.spec.renewTime.has_value()) << objectKey(lease.metadata);
  }
  EXPECT_EQ(set.ignoredItems, 0u);
}

}  // namespace
}  // namespace egressdiag::model
