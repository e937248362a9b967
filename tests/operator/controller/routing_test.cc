#include "operator/controller/routing.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "operator/controller/control_plane.h"
#include "operator/controller/target.h"
#include "tests/operator/controller/fixtures.h"

namespace egressdiag::controller {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Scenario;

model::EgressDiagnosis diagnosisOf(std::string name, model::TargetRef ref) {
  model::EgressDiagnosis d;
  d.metadata.namespace_ = "default";
  d.metadata.name = std::move(name);
  d.spec.targetRef = std::move(ref);
  return d;
}

// healthySpidernet plus policy default/other (selecting app=other) and a diagnosis of each, and
// a diagnosis of a policy that does not exist.
Scenario twoPolicies() {
  Scenario s = testing::healthySpidernet();
  auto& o = s.state.objects;
  model::EgressPolicy other = o.egressPolicies[0];
  other.metadata.name = "other";
  other.spec.appliedTo.podSelector = model::LabelSelector{{{"app", "other"}}, {}};
  o.egressPolicies.push_back(other);
  o.egressDiagnoses = {
      s.diagnosis,
      diagnosisOf("other", {"egressgateway.spidernet.io", "EgressPolicy", "other", ""}),
      diagnosisOf("gone", {"egressgateway.spidernet.io", "EgressPolicy", "gone", ""})};
  return s;
}

const model::Pod& podNamed(const Scenario& s, const std::string& name) {
  for (const auto& pod : s.state.objects.pods) {
    if (pod.metadata.name == name) {
      return pod;
    }
  }
  throw std::invalid_argument(name);
}

TEST(ChangeRouterTest, PodGoesToTheDiagnosesWhosePolicySelectsIt) {
  Scenario s = twoPolicies();
  ChangeRouter router(s.state);
  EXPECT_THAT(router.all(), ElementsAre("default/gone", "default/other", "default/test"));
  EXPECT_THAT(router.podChanged(nullptr, podNamed(s, "visitor-1")), ElementsAre("default/test"));
  EXPECT_THAT(router.podChanged(nullptr, podNamed(s, "other")), ElementsAre("default/other"));

  model::Pod relabelled = podNamed(s, "visitor-1");
  relabelled.metadata.labels = {{"app", "other"}};
  EXPECT_THAT(router.podChanged(&podNamed(s, "visitor-1"), relabelled),
              ElementsAre("default/other", "default/test"));

  model::Pod elsewhere = podNamed(s, "visitor-1");
  elsewhere.metadata.namespace_ = "team-b";
  EXPECT_THAT(router.podChanged(nullptr, elsewhere), IsEmpty());
  model::Pod unlabelled = podNamed(s, "visitor-1");
  unlabelled.metadata.labels.clear();
  EXPECT_THAT(router.podChanged(nullptr, unlabelled), IsEmpty());
}

TEST(ChangeRouterTest, ProjectKindsGoToThatProjectsDiagnoses) {
  Scenario s = twoPolicies();
  Scenario azure = testing::healthyAzure();
  s.state.installed.azure = true;
  s.state.objects.staticGatewayConfigurations = azure.state.objects.staticGatewayConfigurations;
  s.state.objects.egressDiagnoses.push_back(azure.diagnosis);
  ChangeRouter router(s.state);
  EXPECT_THAT(router.spidernet(), ElementsAre("default/other", "default/test"));
  EXPECT_THAT(router.azure(), ElementsAre("default/aks-gw"));
  EXPECT_THAT(router.all(),
              ElementsAre("default/aks-gw", "default/gone", "default/other", "default/test"));
}

TEST(ChangeRouterTest, ComponentPodGoesEverywhere) {
  Scenario s = twoPolicies();
  ChangeRouter router(s.state);
  EXPECT_EQ(router.podChanged(nullptr, podNamed(s, "egressgateway-agent-a")), router.all());
}

TEST(ChangeRouterTest, ClusterPolicyRoutesByNamespaceSelector) {
  Scenario s = testing::healthySpidernet();
  auto& o = s.state.objects;
  model::EgressClusterPolicy policy;
  policy.metadata.name = "all";
  policy.metadata.uid = "uid-all";
  policy.spec = o.egressPolicies[0].spec;
  policy.spec.appliedTo.namespaceSelector = model::LabelSelector{{{"team", "a"}}, {}};
  o.egressClusterPolicies = {policy};
  model::Namespace teamA;
  teamA.metadata.name = "team-a";
  teamA.metadata.labels = {{"team", "a"}};
  o.namespaces = {teamA};
  o.egressDiagnoses = {diagnosisOf("all", {"", "EgressClusterPolicy", "all", ""})};
  ChangeRouter router(s.state);

  model::Pod inA = podNamed(s, "visitor-1");
  inA.metadata.namespace_ = "team-a";
  EXPECT_THAT(router.podChanged(nullptr, inA), ElementsAre("default/all"));
  EXPECT_THAT(router.podChanged(nullptr, podNamed(s, "visitor-1")), IsEmpty());  // default: no
}

TEST(ChangeRouterTest, AnnotatedPodGoesToItsSgcDiagnosis) {
  Scenario s = testing::healthyAzure();
  s.state.objects.egressDiagnoses = {s.diagnosis};
  ChangeRouter router(s.state);
  const model::Pod& client = podNamed(s, "client");
  EXPECT_THAT(router.podChanged(nullptr, client), ElementsAre("default/aks-gw"));

  model::Pod otherGateway = client;
  otherGateway.metadata.annotations = {{std::string(model::kStaticGatewayAnnotation), "other"}};
  EXPECT_THAT(router.podChanged(nullptr, otherGateway), IsEmpty());
  // Annotation removed: the SGC's diagnosis must still hear of it.
  EXPECT_THAT(router.podChanged(&client, otherGateway), ElementsAre("default/aks-gw"));
  model::Pod otherNamespace = client;
  otherNamespace.metadata.namespace_ = "team-b";
  EXPECT_THAT(router.podChanged(nullptr, otherNamespace), IsEmpty());
}

TEST(ChangeRouterTest, SliceGoesToTheDiagnosesOfItsPolicy) {
  Scenario s = twoPolicies();
  ChangeRouter router(s.state);
  const auto& slice = s.state.objects.egressEndpointSlices[0].metadata;
  EXPECT_THAT(router.sliceChanged(nullptr, slice, false), ElementsAre("default/test"));
  EXPECT_THAT(router.sliceChanged(nullptr, slice, true), IsEmpty());  // no cluster policy "test"
  model::ObjectMeta moved = slice;
  moved.namespace_ = "team-b";
  EXPECT_THAT(router.sliceChanged(nullptr, moved, false), IsEmpty());
  model::ObjectMeta relabelled = slice;
  relabelled.labels = {{std::string(model::kPolicyNameLabel), "other"}};
  EXPECT_THAT(router.sliceChanged(&slice, relabelled, false),
              ElementsAre("default/other", "default/test"));
}

TEST(SameForChecksTest, OnlyUnreadFieldsChanged) {
  Scenario s = testing::healthySpidernet();
  const auto& node = s.state.objects.nodes[0];
  model::Node heartbeat = node;  // a kubelet heartbeat: only resourceVersion moves in our model
  heartbeat.metadata.resourceVersion = "42";
  EXPECT_TRUE(sameForChecks(node, heartbeat));
  model::Node notReady = heartbeat;
  notReady.status.conditions[0].status = model::ConditionStatus::False;
  EXPECT_FALSE(sameForChecks(node, notReady));

  const auto& tunnel = s.state.objects.egressTunnels[0];
  model::EgressTunnel beat = tunnel;
  beat.metadata.resourceVersion = "43";
  beat.status.lastHeartbeatTime = testing::at(5);
  EXPECT_TRUE(sameForChecks(tunnel, beat));
  model::EgressTunnel timedOut = beat;
  timedOut.status.phase = "HeartbeatTimeout";
  EXPECT_FALSE(sameForChecks(tunnel, timedOut));

  model::Pod relabelled = s.state.objects.pods[2];
  relabelled.metadata.labels["extra"] = "1";
  EXPECT_FALSE(sameForChecks(s.state.objects.pods[2], relabelled));
}

// Soundness: for every pod and every mutation, each diagnosis whose control-plane findings
// change is among the routed ones.
struct Mutation {
  std::string name;
  std::function<void(model::Pod&)> apply;
};

const Mutation kMutations[] = {
    {"Deleted", [](model::Pod& p) { p.status.phase = "Succeeded"; }},
    {"NewIP",
     [](model::Pod& p) {
       p.status.podIP = "10.244.9.9";
       p.status.podIPs = {"10.244.9.9"};
     }},
    {"Relabelled",
     [](model::Pod& p) {
       p.metadata.labels = {{"app", "other"}};
     }},
    {"Unlabelled", [](model::Pod& p) { p.metadata.labels.clear(); }},
    {"CrashLooping",
     [](model::Pod& p) {
       p.status.containerStatuses = {{"c", false, 9}};
     }},
    {"Unannotated", [](model::Pod& p) { p.metadata.annotations.clear(); }},
    {"Moved", [](model::Pod& p) { p.spec.nodeName = "node9"; }},
};

std::map<std::string, std::vector<model::Finding>> evaluateAll(const ClusterState& state) {
  std::map<std::string, std::vector<model::Finding>> out;
  for (const auto& diagnosis : state.objects.egressDiagnoses) {
    auto target = resolveTarget(state, diagnosis);
    out[diagnosis.metadata.namespace_ + "/" + diagnosis.metadata.name] =
        target ? evaluateControlPlane(state, *target, testing::at(0)).findings
               : std::vector<model::Finding>{};
  }
  return out;
}

TEST(ChangeRouterTest, NeverMissesADiagnosisWhoseFindingsChange) {
  Scenario azure = testing::healthyAzure();
  azure.state.objects.egressDiagnoses = {azure.diagnosis};
  int changed = 0;
  for (const Scenario& base : {twoPolicies(), azure}) {
    ChangeRouter router(base.state);
    auto before = evaluateAll(base.state);
    for (std::size_t i = 0; i < base.state.objects.pods.size(); ++i) {
      for (const auto& mutation : kMutations) {
        Scenario s = base;
        model::Pod& pod = s.state.objects.pods[i];
        mutation.apply(pod);
        auto routed = router.podChanged(&base.state.objects.pods[i], pod);
        for (const auto& [key, findings] : evaluateAll(s.state)) {
          if (findings != before.at(key)) {
            ++changed;
            EXPECT_THAT(routed, ::testing::Contains(key))
                << pod.metadata.name << " " << mutation.name;
          }
        }
      }
    }
  }
  EXPECT_GT(changed, 10);  // the mutations do change verdicts
}

}  // namespace
}  // namespace egressdiag::controller
