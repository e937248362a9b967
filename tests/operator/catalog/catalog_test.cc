#include "operator/catalog/catalog.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "operator/catalog/finding.h"
#include "rapidjson/document.h"

namespace egressdiag::catalog {
namespace {

// The IDs of shared/design/checks.md, copied by hand: they are a product interface, so a rename
// in the table must break this test.
const std::set<std::string> kDesignIds = {
    "CMP-SPN-AGENT",    "CMP-SPN-CONTROLLER", "CMP-AKS-CONTROLLER", "CMP-AKS-DAEMON",
    "CMP-AKS-CNIMGR",   "INT-CALICO-INSERT",  "SPN-HOOK-ORDER",     "SPN-IPT-READABLE",
    "SPN-GATEWAY",      "SPN-POLICY-STATUS",  "SPN-TUNNELS",        "SPN-ENDPOINTS",
    "SPN-CLUSTER-CIDR", "AKS-SGC-STATUS",     "AKS-SGC-KEY",        "AKS-VMCONFIG",
    "AKS-GWSTATUS",     "AKS-PODENDPOINT",    "AKS-PEERS-READY",    "SPN-IPSET-SRC",
    "SPN-IPSET-DST",    "SPN-MARK-RULE",      "SPN-SNAT-RULE",      "SPN-REPLY-ROUTING",
    "SPN-IP-RULE",      "SPN-ROUTE",          "SPN-VXLAN",          "SPN-NEIGH",
    "SPN-RPFILTER",     "SPN-TUNNEL-PING",    "SPN-EIP-ARP",        "AKS-GW-NETNS",
    "AKS-GW-HOST",      "AKS-GW-WG",          "AKS-GW-PEERS",       "AKS-GW-ROUTES",
    "AKS-GW-NAT",       "AKS-LB-PROBE",       "AKS-CNI-CONF",       "AKS-POD-WG",
    "AKS-POD-ROUTES",   "E2E-SOURCE-IP",      "E2E-ROUTE-GET",
};

TEST(Catalog, HoldsExactlyTheDesignIds) {
  std::set<std::string> ids;
  for (const CheckInfo& check : allChecks()) {
    EXPECT_TRUE(ids.insert(std::string(check.name)).second) << "duplicate " << check.name;
  }
  EXPECT_EQ(ids, kDesignIds);
}

TEST(Catalog, InfoIsIndexedByEnumAndRoundTrips) {
  for (const CheckInfo& check : allChecks()) {
    EXPECT_EQ(&info(check.id), &check) << check.name;
    EXPECT_EQ(parseCheckId(check.name), check.id);
    EXPECT_FALSE(check.title.empty()) << check.name;
    EXPECT_FALSE(check.remediation.empty()) << check.name;
    EXPECT_FALSE(check.source.empty()) << check.name;
    EXPECT_TRUE(std::regex_match(std::string(check.name), std::regex("[A-Z0-9]+(-[A-Z0-9]+)+")));
  }
  EXPECT_EQ(parseCheckId("SPN-NOPE"), std::nullopt);
}

struct LayerCase {
  CheckId id;
  Layer layer;
  RunsIn runsIn;
};

class CatalogLayer : public ::testing::TestWithParam<LayerCase> {};

TEST_P(CatalogLayer, MapsToOperatorLayer) {
  EXPECT_EQ(info(GetParam().id).layer, GetParam().layer) << info(GetParam().id).name;
  EXPECT_EQ(info(GetParam().id).runsIn, GetParam().runsIn) << info(GetParam().id).name;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CatalogLayer,
    ::testing::Values(LayerCase{CheckId::CmpSpnAgent, Layer::Components, RunsIn::Operator},
                      LayerCase{CheckId::IntCalicoInsert, Layer::ControlPlane, RunsIn::Operator},
                      LayerCase{CheckId::SpnHookOrder, Layer::Datapath, RunsIn::Node},
                      LayerCase{CheckId::SpnIptReadable, Layer::Datapath, RunsIn::Node},
                      LayerCase{CheckId::SpnTunnels, Layer::ControlPlane, RunsIn::Operator},
                      LayerCase{CheckId::AksPeersReady, Layer::ControlPlane, RunsIn::Operator},
                      LayerCase{CheckId::SpnIpRule, Layer::Datapath, RunsIn::Node},
                      LayerCase{CheckId::SpnVxlan, Layer::Tunnel, RunsIn::Node},
                      LayerCase{CheckId::SpnTunnelPing, Layer::Tunnel, RunsIn::Node},
                      LayerCase{CheckId::AksGwWg, Layer::Tunnel, RunsIn::Node},
                      LayerCase{CheckId::AksGwNat, Layer::Datapath, RunsIn::Node},
                      LayerCase{CheckId::E2eSourceIp, Layer::EndToEnd, RunsIn::Node},
                      LayerCase{CheckId::E2eRouteGet, Layer::EndToEnd, RunsIn::Node}));

TEST(Catalog, EnumNamesRoundTrip) {
  for (Status s : {Status::Pass, Status::Fail, Status::Warn, Status::Unknown, Status::Skipped}) {
    EXPECT_EQ(parseStatus(toString(s)), s);
  }
  for (Layer l :
       {Layer::Components, Layer::ControlPlane, Layer::Datapath, Layer::Tunnel, Layer::EndToEnd}) {
    EXPECT_EQ(parseLayer(toString(l)), l);
  }
  EXPECT_EQ(parseStatus("pass"), std::nullopt);
  EXPECT_EQ(parseLayer("Interference"), std::nullopt);
}

TEST(Finding, MakeFindingTakesLayerAndRemediationFromCatalog) {
  Finding f = makeFinding(CheckId::SpnIpRule, Status::Fail, "default/test", "IPRuleMissing",
                          "node1: expected rule 99 fwmark 0x26b7b4e4, found none", {"0: from all"});
  EXPECT_EQ(f.layer, Layer::Datapath);
  EXPECT_EQ(f.remediation, info(CheckId::SpnIpRule).remediation);
}

TEST(Finding, JsonRoundTrip) {
  Finding f = makeFinding(CheckId::SpnSnatRule, Status::Fail, "default/test", "SNATRuleMissing",
                          "expected SNAT to 172.16.25.189, found none",
                          {"-A EGRESSGATEWAY-SNAT-EIP -j RETURN", "quote \" and \\ and \n"});
  f.node = "node2";
  EXPECT_EQ(toJsonString(f).substr(0, 40), R"({"check":"SPN-SNAT-RULE","layer":"Datapa)");
  rapidjson::Document doc;
  doc.Parse(toJsonString(f).c_str());
  ASSERT_FALSE(doc.HasParseError());
  auto back = fromJson(doc);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(*back, f);
}

struct BadJsonCase {
  const char* json;
  const char* wantInError;
};

class FindingBadJson : public ::testing::TestWithParam<BadJsonCase> {};

TEST_P(FindingBadJson, IsRejectedWithFieldName) {
  rapidjson::Document doc;
  doc.Parse(GetParam().json);
  ASSERT_FALSE(doc.HasParseError()) << GetParam().json;
  auto result = fromJson(doc);
  ASSERT_FALSE(result.has_value()) << GetParam().json;
  EXPECT_EQ(result.error().code, ErrorCode::InvalidInput);
  EXPECT_NE(result.error().message.find(GetParam().wantInError), std::string::npos)
      << result.error().message;
}

constexpr const char* kGood =
    R"("layer":"Datapath","target":"","node":"n","status":"Pass","reason":"R","message":"m",)"
    R"("evidence":[],"remediation":"x")";

INSTANTIATE_TEST_SUITE_P(
    Table, FindingBadJson,
    ::testing::Values(
        BadJsonCase{"[]", "not a JSON object"},
        BadJsonCase{R"({"layer":"Datapath"})", "missing \"check\""},
        BadJsonCase{R"({"check":5})", "\"check\" is not a string"},
        BadJsonCase{R"({"check":"NOPE"})", "unknown check"},
        BadJsonCase{R"({"check":"SPN-ROUTE","layer":"Interference"})", "unknown layer"},
        BadJsonCase{R"({"check":"SPN-ROUTE","layer":"Datapath","status":"OK"})", "unknown status"},
        BadJsonCase{R"({"check":"SPN-ROUTE","layer":"Datapath","status":"Pass"})",
                    "missing \"target\""},
        BadJsonCase{R"({"check":"SPN-ROUTE","layer":"Datapath","target":"","node":"n",)"
                    R"("status":"Pass","reason":"R","message":"m","remediation":"x"})",
                    "\"evidence\""},
        BadJsonCase{R"({"check":"SPN-ROUTE","layer":"Datapath","target":"","node":"n",)"
                    R"("status":"Pass","reason":"R","message":"m","evidence":[1],)"
                    R"("remediation":"x"})",
                    "non-string"}));

TEST(Finding, GoodPrefixParses) {
  rapidjson::Document doc;
  doc.Parse((std::string(R"({"check":"SPN-ROUTE",)") + kGood + "}").c_str());
  ASSERT_FALSE(doc.HasParseError());
  EXPECT_TRUE(fromJson(doc).has_value());
}

}  // namespace
}  // namespace egressdiag::catalog
