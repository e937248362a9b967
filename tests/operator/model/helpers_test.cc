#include <gtest/gtest.h>

#include "operator/model/core.h"
#include "operator/model/resource.h"
#include "operator/model/spidernet.h"

namespace egressdiag::model {
namespace {

TEST(PodIPv4, PrefersPodIPThenPodIPs) {
  struct Case {
    std::string podIP;
    std::vector<std::string> podIPs;
    std::optional<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"10.244.1.7", {"10.244.1.7", "fd00::7"}, "10.244.1.7"},
      {"fd00::7", {"fd00::7", "10.244.1.8"}, "10.244.1.8"},
      {"", {}, std::nullopt},
      {"", {"fd00::7"}, std::nullopt},
      {"10.244.1", {}, std::nullopt},
      {"not-an-ip", {"10.0.0.1"}, "10.0.0.1"},
  };
  for (const auto& c : cases) {
    Pod pod;
    pod.status.podIP = c.podIP;
    pod.status.podIPs = c.podIPs;
    EXPECT_EQ(podIPv4(pod), c.expected) << c.podIP;
  }
}

TEST(NodeHelpers, InternalIPv4AndReady) {
  Node node;
  EXPECT_EQ(nodeInternalIPv4(node), std::nullopt);
  EXPECT_EQ(nodeReady(node), ConditionStatus::Unknown);
  node.status.addresses = {{"ExternalIP", "203.0.113.5"},
                           {"InternalIP", "fd00::21"},
                           {"InternalIP", "10.6.1.21"},
                           {"InternalIP", "10.6.1.99"}};
  node.status.conditions = {{"MemoryPressure", ConditionStatus::False, "", "", {}, 0},
                            {"Ready", ConditionStatus::False, "KubeletNotReady", "", {}, 0}};
  EXPECT_EQ(nodeInternalIPv4(node), "10.6.1.21");
  EXPECT_EQ(nodeReady(node), ConditionStatus::False);
}

TEST(SecretValue, DecodesBase64AndNamesTheKey) {
  Secret secret;
  secret.metadata.name = "sgw-1";
  secret.metadata.namespace_ = "kube-egress-gateway-system";
  secret.data = {{"PrivateKey", "aGVsbG8gd2lyZWd1YXJk"},
                 {"NoPad", "aGk"},
                 {"UrlSafe", "-_-_"},
                 {"Bad", "a$b="},
                 {"BadLength", "aGVsb"},
                 {"Empty", ""}};
  EXPECT_EQ(secretValue(secret, "PrivateKey"), "hello wireguard");
  EXPECT_EQ(secretValue(secret, "NoPad"), "hi");
  EXPECT_EQ(secretValue(secret, "UrlSafe"), std::string("\xfb\xff\xbf", 3));
  EXPECT_EQ(secretValue(secret, "Empty"), "");
  auto missing = secretValue(secret, "Other");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_EQ(missing.error().message, "Secret kube-egress-gateway-system/sgw-1 data.Other: absent");
  for (std::string key : {"Bad", "BadLength"}) {
    auto bad = secretValue(secret, key);
    ASSERT_FALSE(bad) << key;
    EXPECT_EQ(bad.error().code, ErrorCode::InvalidInput);
    // The error names the key but never echoes the secret material.
    EXPECT_EQ(bad.error().message.find(secret.data[key]), std::string::npos);
  }
}

TEST(TunnelMark, HexForms) {
  const std::vector<std::pair<std::string, std::optional<std::uint32_t>>> cases = {
      {"0x26b7b4e4", 649573604u},   {"0x2698ee37", 0x2698ee37u},
      {"0X26B7B4E4", 649573604u},   {"0x1", 1u},
      {"", std::nullopt},           {"0x", std::nullopt},
      {"26b7b4e4", std::nullopt},   {"0x26b7b4e45", std::nullopt},
      {"0x26g7b4e4", std::nullopt},
  };
  for (const auto& [mark, expected] : cases) {
    EgressTunnel tunnel;
    tunnel.status.mark = mark;
    EXPECT_EQ(tunnelMark(tunnel), expected) << mark;
  }
}

TEST(ResourceTypes, LookupAndApiVersion) {
  EXPECT_EQ(kPod.apiVersion(), "v1");
  EXPECT_EQ(kEgressPolicy.apiVersion(), "egressgateway.spidernet.io/v1beta1");
  EXPECT_EQ(findResourceType("egressgateway.spidernet.io/v1beta1", "EgressTunnel"), kEgressTunnel);
  EXPECT_EQ(findResourceType("v1", "Event"), kCoreEvent);
  EXPECT_EQ(findResourceType("events.k8s.io/v1", "Event"), kEvent);
  EXPECT_EQ(findResourceType("egressgateway.spidernet.io/v1alpha1", "EgressTunnel"), std::nullopt);
  EXPECT_EQ(findResourceType("v1", "ConfigMap"), kConfigMap);
  EXPECT_EQ(findResourceType("v1", "Service"), std::nullopt);
  EXPECT_EQ(allResourceTypes().size(), 25u);
  std::size_t spidernet = 0;
  std::size_t azure = 0;
  for (const auto& type : allResourceTypes()) {
    EXPECT_FALSE(type.plural.empty()) << type.kind;
    spidernet += type.group == kSpidernetGroup ? 1 : 0;
    azure += type.group == kAzureGroup ? 1 : 0;
    if (type.group == kAzureGroup) {
      EXPECT_TRUE(type.namespaced) << type.kind;
    }
  }
  EXPECT_EQ(spidernet, 7u);
  EXPECT_EQ(azure, 5u);
  EXPECT_FALSE(kEgressNodeReport.namespaced);
  EXPECT_TRUE(kEgressDiagnosis.namespaced);
}

TEST(ObjectKey, NamespacedAndCluster) {
  ObjectMeta meta;
  meta.name = "node1";
  EXPECT_EQ(objectKey(meta), "node1");
  meta.namespace_ = "default";
  EXPECT_EQ(objectKey(meta), "default/node1");
}

}  // namespace
}  // namespace egressdiag::model
