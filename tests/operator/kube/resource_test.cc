#include "operator/kube/resource.h"

#include <gtest/gtest.h>

namespace egressdiag::kube {
namespace {

TEST(ResourceTest, Paths) {
  ResourceRef policies{"egressgateway.spidernet.io", "v1beta1", "egresspolicies", true};
  ResourceRef clusterPolicies{"egressgateway.spidernet.io", "v1beta1", "egressclusterpolicies",
                              false};
  struct Case {
    std::string got;
    std::string want;
  };
  const std::vector<Case> cases = {
      {collectionPath(resources::pods(), "kube-system"), "/api/v1/namespaces/kube-system/pods"},
      {collectionPath(resources::pods(), ""), "/api/v1/pods"},
      {collectionPath(resources::nodes(), "ignored"), "/api/v1/nodes"},
      {collectionPath(resources::deployments(), "a"), "/apis/apps/v1/namespaces/a/deployments"},
      {objectPath(policies, "ns", "p1"),
       "/apis/egressgateway.spidernet.io/v1beta1/namespaces/ns/egresspolicies/p1"},
      {objectPath(policies, "ns", "p1", "status"),
       "/apis/egressgateway.spidernet.io/v1beta1/namespaces/ns/egresspolicies/p1/status"},
      {objectPath(clusterPolicies, "", "c"),
       "/apis/egressgateway.spidernet.io/v1beta1/egressclusterpolicies/c"},
      {objectPath(resources::leases(), "default", "a/b"),
       "/apis/coordination.k8s.io/v1/namespaces/default/leases/a%2Fb"},
      {resources::customResourceDefinitions().groupVersion(), "apiextensions.k8s.io/v1"},
      {resources::configMaps().groupVersion(), "v1"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.got, c.want);
  }
}

TEST(ResourceTest, QueryEncoding) {
  struct Case {
    std::string got;
    std::string want;
  };
  ListOptions all{"app=x,tier in (a,b)", "spec.nodeName=node-1", 500, "tok+/=", "42"};
  WatchOptions watch{"a!=b", "", "1234", true, 377};
  WatchOptions bare{};
  bare.allowWatchBookmarks = false;
  const std::vector<Case> cases = {
      {percentEncode("az-AZ09._~"), "az-AZ09._~"},
      {percentEncode("a b&c=d/e"), "a%20b%26c%3Dd%2Fe"},
      {percentEncode("\xff"), "%FF"},
      {buildQuery({}), ""},
      {buildQuery({{"k", "v"}, {"x", "y z"}}), "?k=v&x=y%20z"},
      {listQuery({}), ""},
      {listQuery(all),
       "?labelSelector=app%3Dx%2Ctier%20in%20%28a%2Cb%29&fieldSelector=spec."
       "nodeName%3Dnode-1&limit=500&continue=tok%2B%2F%3D&resourceVersion=42"},
      {watchQuery(watch),
       "?watch=1&allowWatchBookmarks=true&labelSelector=a%21%3Db&resourceVersion=1234&"
       "timeoutSeconds=377"},
      {watchQuery(bare), "?watch=1"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(c.got, c.want);
  }
}

TEST(ResourceTest, JitteredWatchTimeoutStaysInRange) {
  const std::vector<std::tuple<int64_t, double, int64_t>> cases = {
      {300, 0.0, 300}, {300, 0.5, 450}, {300, 0.999, 599},
      {300, 1.0, 599}, {300, -1, 300},  {5, 0.5, 7},
  };
  for (auto [minimum, r, want] : cases) {
    EXPECT_EQ(jitteredWatchTimeout(minimum, r), want) << minimum << " " << r;
  }
}

}  // namespace
}  // namespace egressdiag::kube
