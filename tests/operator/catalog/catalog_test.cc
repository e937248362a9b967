#include "operator/catalog/catalog.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "operator/catalog/finding.h"
#include "operator/catalog/runbook.h"
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

// Every runbook entry explains the mechanism and the evidence, in full sentences: an entry
// that only restates the title ("it is missing") does not help at 3 a.m.
TEST(Catalog, EveryEntryHasRunbookProse) {
  for (const CheckInfo& check : allChecks()) {
    for (auto [field, text] : {std::pair{"why", check.why}, std::pair{"evidence", check.evidence},
                               std::pair{"remediation", check.remediation}}) {
      EXPECT_GE(text.size(), 40u) << check.name << "." << field << " is empty or too short";
      if (!text.empty()) {
        EXPECT_NE(text.back(), ' ') << check.name << "." << field << " ends in a space";
      }
      // Rendered inside a one-line markdown list item.
      EXPECT_EQ(text.find('\n'), std::string_view::npos) << check.name << "." << field;
    }
    EXPECT_NE(check.why, check.remediation) << check.name;
    EXPECT_NE(check.why, check.evidence) << check.name;
  }
}

TEST(Runbook, HasOneHeadingAndAllFieldsPerCheck) {
  const std::string md = runbookMarkdown();
  for (const CheckInfo& check : allChecks()) {
    // Alert runbook_urls link docs/checks.md#<id in lower case>: the heading must be exactly
    // the ID for that anchor to exist.
    const std::string heading = "\n### " + std::string(check.name) + "\n";
    const std::size_t at = md.find(heading);
    ASSERT_NE(at, std::string::npos) << check.name;
    EXPECT_EQ(md.find(heading, at + 1), std::string::npos) << "duplicate " << check.name;
    const std::size_t end = md.find("\n### ", at + 1);
    const std::string entry = md.substr(at, end == std::string::npos ? end : end - at);
    for (std::string_view field :
         {check.title, check.why, check.evidence, check.remediation, check.source}) {
      EXPECT_NE(entry.find(markdownInline(field)), std::string::npos)
          << check.name << ": " << field;
    }
    // Placeholders such as <mark> outside code spans would be swallowed as HTML tags.
    EXPECT_EQ(std::regex_search(entry, std::regex("<[A-Za-z][^`>]*>[^`]*$")), false) << entry;
    for (std::string_view label :
         {"**Passes when:**", "**Why it breaks egress:**", "**Evidence:**", "**Fix:**"}) {
      EXPECT_NE(entry.find(label), std::string::npos) << check.name << ": " << label;
    }
  }
}

struct InlineCase {
  const char* in;
  const char* want;
};

class RunbookInline : public ::testing::TestWithParam<InlineCase> {};

TEST_P(RunbookInline, EscapesAngleBracketsOutsideCodeSpans) {
  EXPECT_EQ(markdownInline(GetParam().in), GetParam().want) << GetParam().in;
}

INSTANTIATE_TEST_SUITE_P(
    Table, RunbookInline,
    ::testing::Values(
        InlineCase{"", ""}, InlineCase{"plain text", "plain text"},
        InlineCase{"table <mark> has", "table &lt;mark&gt; has"},
        InlineCase{"`ip rule 99 <mark>` and <mark>", "`ip rule 99 <mark>` and &lt;mark&gt;"},
        InlineCase{"``# Table `x' is <bad>`` then <y>", "``# Table `x' is <bad>`` then &lt;y&gt;"},
        InlineCase{"a ``b`` `c <d>` e", "a ``b`` `c <d>` e"},
        InlineCase{"unmatched ` then <x>", "unmatched ` then &lt;x&gt;"},
        InlineCase{"`` one ` two <z>", "`` one ` two &lt;z&gt;"},
        InlineCase{"trailing `", "trailing `"}, InlineCase{"a -> b", "a -&gt; b"}));

TEST(Runbook, SectionsFollowCatalogOrder) {
  const std::string md = runbookMarkdown();
  std::size_t last = 0;
  for (const CheckInfo& check : allChecks()) {
    std::size_t at = md.find("\n### " + std::string(check.name) + "\n");
    ASSERT_NE(at, std::string::npos) << check.name;
    EXPECT_GT(at, last) << check.name << " is out of catalog order";
    last = at;
    // The entry sits under its own section: the nearest "## " heading above it.
    std::size_t section = md.rfind("\n## ", at);
    ASSERT_NE(section, std::string::npos) << check.name;
    EXPECT_EQ(md.substr(section + 4, check.section.size() + 1), std::string(check.section) + "\n")
        << check.name;
  }
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
