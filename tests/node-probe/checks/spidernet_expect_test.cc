#include "node-probe/checks/spidernet_expect.h"

#include <gtest/gtest.h>

#include "node-probe/checks/spidernet_naming.h"
#include "spidernet_fixture.h"

namespace egressdiag::checks::spidernet {
namespace {

using testing::kDstSet;
using testing::kSrcSet;
using testing::seedObjects;

const std::string kSets = std::string("-m set --match-set ") + kSrcSet +
                          " src -m set --match-set " + kDstSet +
                          " dst -m conntrack --ctdir ORIGINAL";

TEST(SpidernetExpect, WorkerNodeMarksToEipNode) {
  Expectation e = expect(seedObjects(), "node1");
  EXPECT_TRUE(e.gatewayExists);
  EXPECT_FALSE(e.isEgressNode);
  ASSERT_TRUE(e.self.has_value());
  EXPECT_EQ(e.self->parentIPv4, "10.6.1.21");
  ASSERT_EQ(e.peers.size(), 1u);
  EXPECT_EQ(e.peers[0].node, "node2");
  EXPECT_EQ(e.peers[0].mark, 0x26b7b4e4u);
  ASSERT_EQ(e.policies.size(), 1u);
  const PolicyExpectation& p = e.policies[0];
  EXPECT_EQ(p.target, "default/test");
  EXPECT_EQ(p.srcSet, kSrcSet);
  EXPECT_EQ(p.dstSet, kDstSet);
  EXPECT_EQ(p.srcMembers, std::vector<std::string>{"10.200.0.22"});  // only this node's pods
  EXPECT_EQ(p.dstMembers, std::vector<std::string>{"172.16.25.183"});
  EXPECT_FALSE(p.onEipNode);
  ASSERT_TRUE(p.markRule.has_value());
  EXPECT_EQ(p.markRule->args, kSets + " -j MARK --set-xmark 0x26b7b4e4/0xffffffff");
  EXPECT_EQ(p.markRule->comment, "Set mark for EgressPolicy default-test");
  EXPECT_FALSE(p.snatRule.has_value());
  EXPECT_TRUE(e.replyRouting.empty());
  // Worker: the two PREROUTING rules, no REPLY-ROUTING pair.
  std::vector<std::string> pre;
  for (const ExpectedRule& r : e.hookRules) {
    if (r.table == "mangle" && r.chain == "PREROUTING") {
      pre.push_back(r.hash);
    }
  }
  EXPECT_EQ(pre, (std::vector<std::string>{"egw:Lh98b3mb9WlZrgw7", "egw:4vaggeYl6c-Gn0Yv"}));
}

TEST(SpidernetExpect, EipNodeSnatsAllPodsAndRoutesReplies) {
  Expectation e = expect(seedObjects(), "node2");
  EXPECT_TRUE(e.isEgressNode);
  const PolicyExpectation& p = e.policies.at(0);
  EXPECT_TRUE(p.onEipNode);
  EXPECT_EQ(p.srcMembers, (std::vector<std::string>{"10.200.0.22", "10.200.1.7"}));
  ASSERT_TRUE(p.snatRule.has_value());
  EXPECT_EQ(p.snatRule->args, kSets + " -j SNAT --to-source 172.16.25.189");
  EXPECT_FALSE(p.markRule.has_value());
  ASSERT_EQ(e.replyRouting.size(), 4u);  // 3 for peer node1 + restore
  EXPECT_EQ(e.replyRouting[0].args,
            "-i egress.vxlan -m mac --mac-source 66:c5:d6:cc:29:54 -m conntrack --ctdir ORIGINAL "
            "-j MARK --set-xmark 0x2698ee37/0xffffffff");
  std::vector<std::string> hashes;
  for (const ExpectedRule& r : e.hookRules) {
    hashes.push_back(r.table + "/" + r.chain + "/" + r.hash);
  }
  EXPECT_EQ(hashes, (std::vector<std::string>{
                        "mangle/PREROUTING/egw:Lh98b3mb9WlZrgw7",
                        "mangle/PREROUTING/egw:4vaggeYl6c-Gn0Yv",
                        "mangle/PREROUTING/egw:2kqsECEMrvzlVMA3",
                        "mangle/PREROUTING/egw:OmRHwNHpRbvgdaPu",
                        "mangle/FORWARD/egw:QZatZARIgegXh8rb",
                        "mangle/POSTROUTING/egw:ymEAarDWTR9SHgDS",
                        "mangle/POSTROUTING/egw:AROneiv3FWSogWf-",
                        "filter/FORWARD/egw:k9r8D6t2n2nfb88V",
                        "filter/OUTPUT/egw:1l0yvxSlKPV6W8en",
                        "nat/POSTROUTING/egw:x1tdBi75jif7GCxh",
                        "nat/POSTROUTING/egw:lefvkAAcigCbsdOb",
                        "nat/PREROUTING/egw:bx14gEwdI2z4JR7V",
                    }));
}

TEST(SpidernetExpect, UseNodeIpMasquerades) {
  model::ObjectSet objects = seedObjects();
  objects.egressPolicies[0].spec.egressIP.useNodeIP = true;
  objects.egressPolicies[0].status.eipIPv4.clear();
  Expectation e = expect(objects, "node2");
  ASSERT_TRUE(e.policies[0].snatRule.has_value());
  EXPECT_EQ(e.policies[0].snatRule->args, kSets + " -j MASQUERADE");
}

TEST(SpidernetExpect, NoDestSubnetUsesClusterCidrSet) {
  model::ObjectSet objects = seedObjects();
  objects.egressPolicies[0].spec.destSubnet.clear();
  Expectation e = expect(objects, "node1");
  const PolicyExpectation& p = e.policies[0];
  EXPECT_TRUE(p.useClusterCidr);
  EXPECT_EQ(p.markRule->args,
            std::string("-m set --match-set ") + kSrcSet +
                " src -m set ! --match-set egress-cluster-cidr-ipv4 dst -m conntrack --ctdir "
                "ORIGINAL -j MARK --set-xmark 0x26b7b4e4/0xffffffff");
  EXPECT_EQ(e.clusterCidrMembers,
            (std::vector<std::string>{"10.200.0.0/16", "10.233.0.0/18", "10.6.1.21", "10.6.1.22"}));
}

TEST(SpidernetExpect, ClusterPolicyUsesBareName) {
  model::ObjectSet objects = seedObjects();
  model::EgressClusterPolicy cp;
  cp.metadata.name = "all";
  cp.spec.destSubnet = {"0.0.0.0/0"};
  cp.status.node = "node2";
  cp.status.eipIPv4 = "172.16.25.190";
  objects.egressClusterPolicies.push_back(cp);
  Expectation e = expect(objects, "node1");
  ASSERT_EQ(e.policies.size(), 2u);
  const PolicyExpectation& p = e.policies[1];
  EXPECT_EQ(p.target, "all");
  EXPECT_EQ(p.srcSet, ipsetName("egress-src-v4-", "all"));
  EXPECT_EQ(p.dstMembers, (std::vector<std::string>{"0.0.0.0/1", "128.0.0.0/1"}));
  EXPECT_EQ(p.markRule->comment, "Set mark for EgressPolicy all");
}

struct NotReadyCase {
  const char* name;
  void (*mutate)(model::ObjectSet&);
  const char* node;
  const char* wantInNotReady;
};

class SpidernetNotReady : public ::testing::TestWithParam<NotReadyCase> {};

TEST_P(SpidernetNotReady, SaysWhy) {
  model::ObjectSet objects = seedObjects();
  GetParam().mutate(objects);
  Expectation e = expect(objects, GetParam().node);
  const PolicyExpectation& p = e.policies.at(0);
  EXPECT_FALSE(p.markRule.has_value());
  EXPECT_FALSE(p.snatRule.has_value());
  EXPECT_NE(p.notReady.find(GetParam().wantInNotReady), std::string::npos) << p.notReady;
}

INSTANTIATE_TEST_SUITE_P(
    Table, SpidernetNotReady,
    ::testing::Values(
        NotReadyCase{"NoNode", [](model::ObjectSet& o) { o.egressPolicies[0].status.node.clear(); },
                     "node1", "status.node is empty"},
        NotReadyCase{"NoEip",
                     [](model::ObjectSet& o) { o.egressPolicies[0].status.eipIPv4.clear(); },
                     "node2", "status.eip.ipv4 is empty"},
        NotReadyCase{"EipTunnelWithoutMark",
                     [](model::ObjectSet& o) { o.egressTunnels[1].status.mark = "bogus"; }, "node1",
                     "has no mark"},
        NotReadyCase{"EipTunnelMissing", [](model::ObjectSet& o) { o.egressTunnels.pop_back(); },
                     "node1", "has no mark"}),
    [](const auto& param) { return std::string(param.param.name); });

TEST(SpidernetExpect, NoGatewayMeansNoRules) {
  model::ObjectSet objects = seedObjects();
  objects.egressGateways.clear();
  Expectation e = expect(objects, "node1");
  EXPECT_FALSE(e.gatewayExists);
  EXPECT_TRUE(e.hookRules.empty());
}

TEST(IpsetMembers, NormalisesLikeIpset) {
  EXPECT_EQ(ipsetMembersV4({"172.16.25.183/32", "10.1.2.3/24", "fd00::/64", "junk", "0.0.0.0/0"}),
            (std::vector<std::string>{"0.0.0.0/1", "10.1.2.0/24", "128.0.0.0/1", "172.16.25.183"}));
}

}  // namespace
}  // namespace egressdiag::checks::spidernet
