#include <gtest/gtest.h>

#include "node-probe/daemon/options.h"
#include "node-probe/daemon/report.h"

namespace egressdiag::daemon {
namespace {

using catalog::CheckId;
using catalog::Status;
using runner::Flavour;

std::optional<std::string> noEnv(const char*) { return std::nullopt; }

Result<RunOptions> parse(std::vector<std::string_view> args, const Getenv& env = noEnv) {
  return parseRunArgs(args, env);
}

TEST(RunOptionsTest, DefaultsComeFromTheDownwardApi) {
  auto options = parse({}, [](const char* name) -> std::optional<std::string> {
    if (std::string_view(name) == "NODE_NAME") {
      return "node-a";
    }
    if (std::string_view(name) == "POD_NAMESPACE") {
      return "ops";
    }
    return std::nullopt;
  });
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->nodeName, "node-a");
  EXPECT_EQ(options->ns, "ops");
  EXPECT_EQ(options->pollInterval, std::chrono::seconds(10));
  EXPECT_EQ(options->metricsBindAddress, ":9781");
  EXPECT_EQ(options->healthProbeBindAddress, ":9782");
  EXPECT_TRUE(options->hostNetns.empty());
}

TEST(RunOptionsTest, FlagsOverrideAndBadValuesAreNamed) {
  auto options = parse({"--node-name=n1", "--poll-interval", "3", "--host-netns", "/run/netns/x",
                        "--netns-dir=/tmp/n", "--metrics-bind-address=127.0.0.1:0",
                        "--log-format=text"});
  ASSERT_TRUE(options) << options.error().message;
  EXPECT_EQ(options->nodeName, "n1");
  EXPECT_EQ(options->pollInterval, std::chrono::seconds(3));
  EXPECT_EQ(options->hostNetns, "/run/netns/x");
  EXPECT_EQ(options->netnsDir, "/tmp/n");
  EXPECT_EQ(options->logFormat, logging::Format::Text);
  EXPECT_TRUE(options->arpProbe);  // on unless turned off
  auto noArp = parse({"--node-name=n1", "--arp-probe=false"});
  ASSERT_TRUE(noArp) << noArp.error().message;
  EXPECT_FALSE(noArp->arpProbe);

  struct Bad {
    std::vector<std::string_view> args;
    std::string mentions;
  };
  for (const Bad& bad : std::vector<Bad>{
           {{}, "node name"},
           {{"--node-name=n", "--poll-interval=0"}, "--poll-interval"},
           {{"--node-name=n", "--poll-interval=ten"}, "--poll-interval"},
           {{"--node-name=n", "--metrics-bind-address=9781"}, "needs a port"},
           {{"--node-name=n", "--bogus"}, "--bogus"},
           {{"--node-name=n", "positional"}, "positional"},
           {{"--node-name"}, "needs a value"},
           {{"--node-name=n", "--log-level=loud"}, "loud"},
       }) {
    auto result = parse(bad.args);
    ASSERT_FALSE(result) << bad.mentions;
    EXPECT_NE(result.error().message.find(bad.mentions), std::string::npos)
        << result.error().message;
  }
  auto help = parse({"--help"});
  ASSERT_TRUE(help);
  EXPECT_TRUE(help->help);
}

catalog::Finding finding(CheckId check, Status status, std::string target,
                         std::string reason = "Reason") {
  catalog::Finding f = catalog::makeFinding(check, status, std::move(target), std::move(reason),
                                            "message", {"evidence line"});
  f.node = "node1";
  return f;
}

model::Time at(int seconds) {
  return model::Time(std::chrono::seconds(1'800'000'000 + seconds));
}

TEST(ReportTest, TargetsAreTypedPassIsCountedOnlyAndSinceIsKept) {
  std::vector<runner::FlavourFindings> findings{
      {Flavour::Spidernet,
       {finding(CheckId::SpnIpRule, Status::Fail, "default/test", "IPRuleMissing"),
        finding(CheckId::SpnVxlan, Status::Pass, ""),
        finding(CheckId::SpnHookOrder, Status::Pass, "default/test"),
        finding(CheckId::SpnSnatRule, Status::Skipped, "cluster-wide")}},
      {Flavour::Azure, {finding(CheckId::E2eSourceIp, Status::Unknown, "aks/sgc")}}};
  auto first = buildReport("node1", findings, nullptr, at(0), std::chrono::milliseconds(12),
                           "1.2.3");
  EXPECT_EQ(first.metadata.name, "node1");
  EXPECT_EQ(first.status.counts.pass, 2);
  EXPECT_EQ(first.status.counts.fail, 1);
  EXPECT_EQ(first.status.counts.unknown, 1);
  EXPECT_EQ(first.status.counts.skipped, 1);
  std::map<std::string, std::vector<std::string>> byTarget;
  for (const auto& target : first.status.targets) {
    for (const auto& f : target.findings) {
      byTarget[model::targetKey(target.target)].push_back(f.check + "/" +
                                                          std::string(model::toString(f.status)));
      EXPECT_EQ(f.since, at(0));
    }
  }
  EXPECT_EQ(byTarget["EgressPolicy/default/test"],
            std::vector<std::string>{"SPN-IP-RULE/Fail"});
  EXPECT_EQ(byTarget["EgressClusterPolicy/cluster-wide"],
            std::vector<std::string>{"SPN-SNAT-RULE/Skipped"});
  EXPECT_EQ(byTarget["StaticGatewayConfiguration/aks/sgc"],
            std::vector<std::string>{"E2E-SOURCE-IP/Unknown"});

  // Same verdicts later: `since` stays, and nothing but the probe time differs -> no write.
  auto second = buildReport("node1", findings, &first.status, at(30),
                            std::chrono::milliseconds(40), "1.2.3");
  EXPECT_TRUE(sameResults(first.status, second.status));
  for (const auto& target : second.status.targets) {
    for (const auto& f : target.findings) {
      EXPECT_EQ(f.since, at(0)) << f.check;
    }
  }

  // A status change is a new result with a new `since`.
  findings[0].findings[0] = finding(CheckId::SpnIpRule, Status::Pass, "default/test");
  auto third = buildReport("node1", findings, &second.status, at(60),
                           std::chrono::milliseconds(12), "1.2.3");
  EXPECT_FALSE(sameResults(second.status, third.status));
  EXPECT_EQ(third.status.counts.fail, 0);
}

TEST(ReportTest, MessageChangesAreResultChanges) {
  std::vector<runner::FlavourFindings> a{
      {Flavour::Spidernet, {finding(CheckId::SpnIpRule, Status::Fail, "default/test", "X")}}};
  auto b = a;
  b[0].findings[0].message = "other";
  auto ra = buildReport("n", a, nullptr, at(0), {}, "v");
  auto rb = buildReport("n", b, &ra.status, at(0), {}, "v");
  EXPECT_FALSE(sameResults(ra.status, rb.status));
}

TEST(DriftTrackerTest, OnlyHealingWithoutAnObjectChangeCounts) {
  DriftTracker drift;
  auto run = [](Status status) {
    return std::vector<runner::FlavourFindings>{
        {Flavour::Spidernet, {finding(CheckId::SpnIpRule, status, "default/test")}}};
  };
  EXPECT_TRUE(drift.update(run(Status::Pass), 1).empty());
  EXPECT_TRUE(drift.update(run(Status::Fail), 1).empty());
  EXPECT_EQ(drift.update(run(Status::Pass), 1), std::vector<std::string>{"SPN-IP-RULE"});
  EXPECT_TRUE(drift.update(run(Status::Pass), 1).empty());  // counted once
  // Broken, then the objects changed (e.g. the policy was fixed): a reconcile, not drift.
  EXPECT_TRUE(drift.update(run(Status::Fail), 2).empty());
  EXPECT_TRUE(drift.update(run(Status::Pass), 3).empty());
  // Unknown in between does not count as healed.
  EXPECT_TRUE(drift.update(run(Status::Fail), 3).empty());
  EXPECT_TRUE(drift.update(run(Status::Unknown), 3).empty());
  EXPECT_EQ(drift.update(run(Status::Pass), 3), std::vector<std::string>{"SPN-IP-RULE"});
}

TEST(TargetRefTest, FlavourGivesTheKind) {
  auto policy = runner::targetRefOf(Flavour::Spidernet, "default/test");
  EXPECT_EQ(policy.kind, "EgressPolicy");
  EXPECT_EQ(policy.namespace_, "default");
  EXPECT_EQ(policy.name, "test");
  EXPECT_EQ(policy.apiGroup, "egressgateway.spidernet.io");
  auto cluster = runner::targetRefOf(Flavour::Spidernet, "all");
  EXPECT_EQ(cluster.kind, "EgressClusterPolicy");
  EXPECT_TRUE(cluster.namespace_.empty());
  auto sgc = runner::targetRefOf(Flavour::Azure, "aks/gw");
  EXPECT_EQ(sgc.kind, "StaticGatewayConfiguration");
  EXPECT_EQ(sgc.apiGroup, "egressgateway.kubernetes.azure.com");
  EXPECT_EQ(runner::targetRefOf(Flavour::Azure, ""), model::TargetRef{});
}

}  // namespace
}  // namespace egressdiag::daemon
