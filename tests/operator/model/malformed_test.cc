// Bad input of every shape becomes an InvalidInput error naming where it is, never a crash.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <functional>

#include "tests/operator/model/fixtures.h"

namespace egressdiag::model {
namespace {

struct BadCase {
  std::string name;
  std::function<Result<bool>(std::string_view)> decoder;
  std::string json;
  std::string expected;  // the exact error message
};

template <class T>
std::function<Result<bool>(std::string_view)> as() {
  return [](std::string_view json) -> Result<bool> {
    auto decoded = decodeJson<T>(json);
    if (!decoded) {
      return std::unexpected(decoded.error());
    }
    return true;
  };
}

TEST(Malformed, WrongTypesAtEveryLevel) {
  const std::vector<BadCase> cases = {
      {"root array", as<Pod>(), "[]", "(root): expected object, got array"},
      {"root string", as<Pod>(), R"("pod")", "(root): expected object, got string"},
      {"kind mismatch", as<Pod>(), R"({"kind":"Node"})", "kind: expected Pod, got Node"},
      {"kind not string", as<Pod>(), R"({"kind":7})", "kind: expected string, got number"},
      {"apiVersion mismatch", as<EgressPolicy>(),
       R"({"apiVersion":"egressgateway.spidernet.io/v1alpha1","kind":"EgressPolicy"})",
       "apiVersion: expected egressgateway.spidernet.io/v1beta1, got "
       "egressgateway.spidernet.io/v1alpha1"},
      {"metadata not object", as<Pod>(), R"({"metadata":"x"})",
       "metadata: expected object, got string"},
      {"name number", as<Pod>(), R"({"metadata":{"name":5}})",
       "metadata.name: expected string, got number"},
      {"generation string", as<EgressPolicy>(), R"({"metadata":{"generation":"1"}})",
       "metadata.generation: expected integer, got string"},
      {"generation float", as<EgressPolicy>(), R"({"metadata":{"generation":1.5}})",
       "metadata.generation: expected integer, got number"},
      {"label value number", as<Pod>(), R"({"metadata":{"labels":{"app":1}}})",
       "metadata.labels.app: expected string, got number"},
      {"labels array", as<Pod>(), R"({"metadata":{"labels":["a"]}})",
       "metadata.labels: expected object, got array"},
      {"owner ref not object", as<Pod>(), R"({"metadata":{"ownerReferences":[1]}})",
       "metadata.ownerReferences[0]: expected object, got number"},
      {"owner controller string", as<Pod>(),
       R"({"metadata":{"ownerReferences":[{"controller":"yes"}]}})",
       "metadata.ownerReferences[0].controller: expected boolean, got string"},
      {"bad timestamp", as<Pod>(), R"({"metadata":{"creationTimestamp":"yesterday"}})",
       "metadata.creationTimestamp: invalid RFC 3339 time \"yesterday\""},
      {"eip ipv4 number", as<EgressPolicy>(), R"({"status":{"eip":{"ipv4":17216}}})",
       "status.eip.ipv4: expected string, got number"},
      {"destSubnet string", as<EgressPolicy>(), R"({"spec":{"destSubnet":"10.0.0.0/8"}})",
       "spec.destSubnet: expected array, got string"},
      {"destSubnet element", as<EgressPolicy>(), R"({"spec":{"destSubnet":["a",false]}})",
       "spec.destSubnet[1]: expected string, got boolean"},
      {"priority negative", as<EgressPolicy>(), R"({"spec":{"priority":-1}})",
       "spec.priority: expected non-negative integer, got number"},
      {"useNodeIP string", as<EgressClusterPolicy>(),
       R"({"spec":{"egressIP":{"useNodeIP":"false"}}})",
       "spec.egressIP.useNodeIP: expected boolean, got string"},
      {"selector operator", as<EgressPolicy>(),
       R"({"spec":{"appliedTo":{"podSelector":{"matchExpressions":)"
       R"([{"key":"a","operator":"Like"}]}}}})",
       "spec.appliedTo.podSelector.matchExpressions[0].operator: expected one of In, NotIn, "
       "Exists, DoesNotExist"},
      {"selector values", as<EgressPolicy>(),
       R"({"spec":{"appliedTo":{"podSelector":{"matchExpressions":)"
       R"([{"key":"a","operator":"In","values":"x"}]}}}})",
       "spec.appliedTo.podSelector.matchExpressions[0].values: expected array, got string"},
      {"tunnel parent", as<EgressTunnel>(), R"({"status":{"tunnel":{"parent":[]}}})",
       "status.tunnel.parent: expected object, got array"},
      {"tunnel heartbeat", as<EgressTunnel>(), R"({"status":{"lastHeartbeatTime":12}})",
       "status.lastHeartbeatTime: expected string, got number"},
      {"gateway nodeList eips", as<EgressGateway>(),
       R"({"status":{"nodeList":[{"name":"n","eips":[{"policies":[{"name":3}]}]}]}})",
       "status.nodeList[0].eips[0].policies[0].name: expected string, got number"},
      {"gateway ipUsage", as<EgressGateway>(), R"({"status":{"ipUsage":{"ipv4Free":"5"}}})",
       "status.ipUsage.ipv4Free: expected integer, got string"},
      {"endpoints object", as<EgressEndpointSlice>(), R"({"endpoints":{}})",
       "endpoints: expected array, got object"},
      {"cluster info nodeIP", as<EgressClusterInfo>(),
       R"({"status":{"nodeIP":{"n1":["1.2.3.4"]}}})",
       "status.nodeIP.n1: expected object, got array"},
      {"sgc port string", as<StaticGatewayConfiguration>(),
       R"({"status":{"gatewayServerProfile":{"port":"6000"}}})",
       "status.gatewayServerProfile.port: expected integer, got string"},
      {"sgc legacy port", as<StaticGatewayConfiguration>(),
       R"({"status":{"gatewayWireguardProfile":{"wireguardServerPort":true}}})",
       "status.gatewayWireguardProfile.wireguardServerPort: expected integer, got boolean"},
      {"gateway status entry", as<GatewayStatus>(),
       R"({"spec":{"readyGatewayNamespaces":[{"netnsName":1}]}})",
       "spec.readyGatewayNamespaces[0].netnsName: expected string, got number"},
      {"vm profiles", as<GatewayVMConfiguration>(), R"({"status":{"gatewayVMProfiles":[null]}})",
       "status.gatewayVMProfiles[0]: expected object, got null"},
      {"pod endpoint key", as<PodEndpoint>(), R"({"spec":{"podPublicKey":{}}})",
       "spec.podPublicKey: expected string, got object"},
      {"pod restartCount", as<Pod>(),
       R"({"status":{"containerStatuses":[{"name":"c","restartCount":"3"}]}})",
       "status.containerStatuses[0].restartCount: expected integer, got string"},
      {"node condition", as<Node>(),
       R"({"status":{"conditions":[{"type":"Ready","status":true}]}})",
       "status.conditions[0].status: expected string, got boolean"},
      {"daemonset status", as<DaemonSet>(), R"({"status":{"numberReady":[]}})",
       "status.numberReady: expected integer, got array"},
      {"deployment replicas", as<Deployment>(), R"({"spec":{"replicas":"2"}})",
       "spec.replicas: expected integer, got string"},
      {"event regarding", as<Event>(), R"({"regarding":"pod"})",
       "regarding: expected object, got string"},
      {"lease duration", as<Lease>(), R"({"spec":{"leaseDurationSeconds":"40"}})",
       "spec.leaseDurationSeconds: expected integer, got string"},
      {"secret data value", as<Secret>(), R"({"data":{"PrivateKey":7}})",
       "data.PrivateKey: expected string, got number"},
      {"felix mode", as<FelixConfiguration>(), R"({"spec":{"chainInsertMode":1}})",
       "spec.chainInsertMode: expected string, got number"},
      {"diagnosis interval", as<EgressDiagnosis>(), R"({"spec":{"interval":"soon"}})",
       "spec.interval: invalid duration \"soon\""},
      {"diagnosis readiness", as<EgressDiagnosis>(), R"({"spec":{"readinessPolicy":"Always"}})",
       "spec.readinessPolicy: expected Reconciled or Healthy"},
      {"outage without start", as<EgressDiagnosis>(), R"({"status":{"outages":[{"reason":"x"}]}})",
       "status.outages[0].start: required"},
      {"finding status", as<EgressNodeReport>(),
       R"({"status":{"targets":[{"findings":[{"status":"Broken"}]}]}})",
       "status.targets[0].findings[0].status: expected one of Pass, Fail, Warn, Unknown, "
       "Skipped, got \"Broken\""},
      {"report target shape", as<EgressNodeReport>(),
       R"({"status":{"targets":[{"target":"EgressPolicy"}]}})",
       "status.targets[0].target: expected <Kind>/<namespace>/<name> or <Kind>/<name>, got "
       "\"EgressPolicy\""},
      {"report target object", as<EgressNodeReport>(),
       R"({"status":{"targets":[{"target":{"kind":"EgressPolicy"}}]}})",
       "status.targets[0].target: expected string, got object"},
      {"snapshot seconds string", as<EgressNodeReport>(), R"({"status":{"snapshotSeconds":"1s"}})",
       "status.snapshotSeconds: expected number, got string"},
      {"snapshot seconds range", as<EgressNodeReport>(), R"({"status":{"snapshotSeconds":-1}})",
       "status.snapshotSeconds: out of range [0, 1e9]"},
      {"first error wins", as<Pod>(), R"({"metadata":{"name":1,"namespace":2}})",
       "metadata.name: expected string, got number"},
  };
  for (const auto& c : cases) {
    auto result = c.decoder(c.json);
    ASSERT_FALSE(result) << c.name;
    EXPECT_EQ(result.error().code, ErrorCode::InvalidInput) << c.name;
    EXPECT_EQ(result.error().message, c.expected) << c.name;
  }
}

TEST(Malformed, NullMeansAbsent) {
  auto pod = decodeJson<Pod>(R"({"metadata":{"name":"p","labels":null,"deletionTimestamp":null},
                                 "spec":null,"status":{"podIPs":null,"podIP":null}})");
  ASSERT_TRUE(pod) << pod.error().message;
  EXPECT_EQ(pod->metadata.name, "p");
  EXPECT_TRUE(pod->metadata.labels.empty());
  EXPECT_EQ(pod->metadata.deletionTimestamp, std::nullopt);
  EXPECT_TRUE(pod->status.podIPs.empty());
}

TEST(Malformed, UnknownFieldsIgnored) {
  auto policy = decodeJson<EgressPolicy>(
      R"({"metadata":{"name":"p","managedFields":[{"x":{"y":[1,2,{}]}}]},
          "spec":{"future":{"deep":[[[]]]}},"status":{"eip":{"ipv4":"1.2.3.4","extra":1}}})");
  ASSERT_TRUE(policy) << policy.error().message;
  EXPECT_EQ(policy->status.eipIPv4, "1.2.3.4");
}

struct ParseCase {
  std::string name;
  std::string json;
  std::string expectedPrefix;
};

TEST(Malformed, UnparseableInput) {
  const std::vector<ParseCase> cases = {
      {"empty", "", "empty JSON input"},
      {"truncated object", R"({"kind":"Pod","metadata":{"name":"p")", "malformed JSON at byte"},
      {"truncated string", R"({"kind":"Po)", "malformed JSON at byte"},
      {"trailing garbage", R"({"kind":"Pod"} x)", "malformed JSON at byte 15"},
      {"number too big", R"({"metadata":{"generation":1e999}})", "malformed JSON at byte"},
      {"bare word", "Pod", "malformed JSON at byte 0"},
      {"nul inside", std::string("{\"kind\":\"Pod\"\0}", 15), "malformed JSON at byte"},
  };
  for (const auto& c : cases) {
    auto pod = decodeJson<Pod>(c.json);
    ASSERT_FALSE(pod) << c.name;
    EXPECT_EQ(pod.error().code, ErrorCode::InvalidInput) << c.name;
    EXPECT_EQ(pod.error().message.rfind(c.expectedPrefix, 0), 0u)
        << c.name << ": " << pod.error().message;
    auto list = decodeList(c.json);
    ASSERT_FALSE(list) << c.name;
    EXPECT_EQ(list.error().message, pod.error().message) << c.name;
  }
}

TEST(Malformed, HugeIntegersAreTypeErrors) {
  // Beyond int64 RapidJSON yields a double: a type error, not a wrapped value.
  auto pod = decodeJson<EgressPolicy>(R"({"metadata":{"generation":99999999999999999999}})");
  ASSERT_FALSE(pod);
  EXPECT_EQ(pod.error().message, "metadata.generation: expected integer, got number");
  auto max = decodeJson<EgressPolicy>(R"({"metadata":{"generation":9223372036854775807},
                                          "spec":{"priority":18446744073709551615}})");
  ASSERT_TRUE(max) << max.error().message;
  EXPECT_EQ(max->metadata.generation, INT64_MAX);
  EXPECT_EQ(max->spec.priority, UINT64_MAX);
}

TEST(Malformed, DeepNestingDoesNotOverflowTheStack) {
  // 200k levels would overflow a recursive parser's stack; the iterative one just parses.
  std::string deep = R"({"metadata":{"name":"p"},"spec":)";
  deep += std::string(200000, '[') + std::string(200000, ']') + "}";
  auto pod = decodeJson<Pod>(deep);
  ASSERT_FALSE(pod);
  EXPECT_EQ(pod.error().message, "spec: expected object, got array");
  std::string unbalanced = std::string(500000, '{');
  auto bad = decodeList(unbalanced);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message.rfind("malformed JSON", 0), 0u);
}

TEST(Malformed, OversizedInputIsRefusedBeforeParsing) {
  // Untouched anonymous pages cost no memory: the size check must come before any read.
  std::size_t size = kMaxInputBytes + 1;
  void* pages = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  ASSERT_NE(pages, MAP_FAILED);
  auto set = decodeList(std::string_view(static_cast<const char*>(pages), size));
  munmap(pages, size);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().message,
            "JSON input of 268435457 bytes exceeds the limit of "
            "268435456 bytes");
}

}  // namespace
}  // namespace egressdiag::model
