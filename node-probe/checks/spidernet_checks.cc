#include "node-probe/checks/spidernet_checks.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <unordered_map>

#include "node-probe/checks/check_util.h"
#include "node-probe/checks/ipv4.h"
#include "node-probe/checks/spidernet_naming.h"
#include "node-probe/datapath/iptables_parser.h"

namespace egressdiag::checks::spidernet {
namespace {

using catalog::Finding;
using datapath::IptablesDump;
using datapath::IptablesRule;

constexpr std::string_view kReplyChain = "EGRESSGATEWAY-REPLY-ROUTING";

bool isEgw(const IptablesRule& rule) {
  return std::any_of(rule.comments.begin(), rule.comments.end(),
                     [](const std::string& c) { return c.starts_with("egw:"); });
}

bool hasComment(const IptablesRule& rule, std::string_view comment) {
  return std::find(rule.comments.begin(), rule.comments.end(), comment) != rule.comments.end();
}

std::vector<const IptablesRule*> rulesOf(const IptablesDump& dump, std::string_view table,
                                         std::string_view chain) {
  const datapath::IptablesTable* t = datapath::findTable(dump, table);
  return t == nullptr ? std::vector<const IptablesRule*>{} : datapath::chainRules(*t, chain);
}

bool chainExists(const IptablesDump& dump, std::string_view table, std::string_view chain) {
  const datapath::IptablesTable* t = datapath::findTable(dump, table);
  return t != nullptr && std::any_of(t->chains.begin(), t->chains.end(),
                                     [&](const auto& c) { return c.name == chain; });
}

std::vector<std::string> rawLines(const std::vector<const IptablesRule*>& rules,
                                  std::size_t limit = 12) {
  std::vector<std::string> out;
  for (const IptablesRule* r : rules) {
    if (out.size() == limit) {
      out.push_back("... (" + std::to_string(rules.size() - limit) + " more)");
      break;
    }
    out.push_back(r->raw);
  }
  return out;
}

const datapath::IpsetSet* findSet(const std::vector<datapath::IpsetSet>& sets,
                                  std::string_view name) {
  for (const datapath::IpsetSet& s : sets) {
    if (s.name == name) {
      return &s;
    }
  }
  return nullptr;
}

std::vector<std::string> sortedMembers(const datapath::IpsetSet& set) {
  std::set<std::string> members;
  for (std::size_t i = 0; i < set.members.size(); ++i) {
    std::string m = set.members.text(i);
    auto p = parseIpv4Prefix(m);
    members.insert(p ? formatIpsetMember(*p) : std::move(m));
  }
  return {members.begin(), members.end()};
}

std::string listOrNone(const std::vector<std::string>& items, std::string_view prefix = {}) {
  return items.empty() ? std::string(prefix) + "none" : join(items, ", ", prefix);
}

// A pass message names the members when they are few (as `ipset list` shows them) and counts
// the rest otherwise: one line, not 500 addresses.
std::string holdsMessage(const std::string& setName, const ExpectedMembers& want) {
  constexpr std::size_t kNamed = 10;
  std::string prefix = "ipset " + setName + " holds ";
  if (want.size() <= kNamed) {
    return listOrNone(want.text(), prefix);
  }
  std::vector<std::string> named(want.begin(), want.begin() + kNamed);
  return join(named, ", ", prefix) + " and " + std::to_string(want.size() - kNamed) +
         " more expected members";
}

// Compares a set's members with the expectation; one finding.
Finding compareSet(CheckId id, const std::string& target, const datapath::IpsetSet* set,
                   std::string_view name, const ExpectedMembers& want, bool extrasAllowed) {
  if (set == nullptr) {
    return failed(id, target, "IpsetMissing",
                  "ipset " + std::string(name) + " does not exist; expected hash:net with " +
                      listOrNone(want.text()));
  }
  // Built element by element and moved into the finding: the member list is kilobytes long
  // for a large set, and an initializer list would copy it.
  std::vector<std::string> evidence;
  evidence.reserve(3);
  evidence.push_back("Name: " + set->name);
  evidence.push_back("Type: " + set->type);
  // The members as listed, the first 32 of them: a check that fails names every missing and
  // extra member in its message, and a 500-member line per set would be 8 KB of each finding
  // (the node report keeps 512 bytes of an evidence line).
  constexpr std::size_t kListedMembers = 32;
  evidence.push_back(set->members.empty() ? std::string("Members: none")
                                          : set->members.joined(", ", "Members: ", kListedMembers));
  if (set->type != "hash:net") {
    return failed(id, target, "IpsetWrongType",
                  "ipset " + set->name + " has type " + set->type + ", expected hash:net",
                  std::move(evidence));
  }
  if (want.matches(set->members, extrasAllowed).value_or(false)) {
    return pass(id, target, "IpsetAsExpected", holdsMessage(set->name, want), std::move(evidence));
  }
  std::vector<std::string> have = sortedMembers(*set);
  std::vector<std::string> missing = minus(want.text(), have);
  std::vector<std::string> extra =
      extrasAllowed ? std::vector<std::string>{} : minus(have, want.text());
  if (!missing.empty() || !extra.empty()) {
    std::string msg = "ipset " + set->name + ": expected " + listOrNone(want.text()) + ", found " +
                      listOrNone(have);
    if (!missing.empty()) {
      msg += "; missing " + join(missing, ", ");
    }
    if (!extra.empty()) {
      msg += "; extra " + join(extra, ", ");
    }
    return failed(id, target, missing.empty() ? "IpsetExtraMembers" : "IpsetMembersMissing", msg,
                  std::move(evidence));
  }
  return pass(id, target, "IpsetAsExpected", holdsMessage(set->name, want), std::move(evidence));
}

// An agent-owned chain with each rule's comparable key computed once: every policy's rule is
// looked up in the same chain (100 policies x 100 rules would otherwise recompute 10k keys).
struct IndexedChain {
  std::vector<const IptablesRule*> rules;
  std::unordered_map<std::string, const IptablesRule*> byKey;  // first rule with each key
};

IndexedChain indexChain(std::vector<const IptablesRule*> rules) {
  IndexedChain c;
  c.byKey.reserve(rules.size());
  for (const IptablesRule* r : rules) {
    c.byKey.emplace(ruleKey(r->args), r);
  }
  c.rules = std::move(rules);
  return c;
}

// Finds the policy's rule in an agent-owned chain: an exact match, else a rule naming the
// policy (by description comment or by src set) to show as the wrong one.
struct ChainMatch {
  const IptablesRule* exact = nullptr;
  const IptablesRule* similar = nullptr;
};

ChainMatch findPolicyRule(const IndexedChain& chain, const ExpectedRule& want,
                          const std::string& srcSet) {
  ChainMatch m;
  if (const auto it = chain.byKey.find(ruleKey(want.args)); it != chain.byKey.end()) {
    m.exact = it->second;
    return m;
  }
  for (const IptablesRule* r : chain.rules) {
    const bool namesSrc = std::find(r->args.begin(), r->args.end(), srcSet) != r->args.end();
    if (hasComment(*r, want.comment) || namesSrc) {
      m.similar = r;
      break;
    }
  }
  return m;
}

Finding policyRuleFinding(CheckId id, const PolicyExpectation& p, const ExpectedRule& want,
                          const IndexedChain& chain, std::string_view what,
                          std::string_view reasonStem) {
  ChainMatch m = findPolicyRule(chain, want, p.srcSet);
  if (m.exact != nullptr) {
    return pass(id, p.target, std::string(reasonStem) + "Present",
                want.chain + " holds the " + std::string(what) + " rule of " + p.target,
                {m.exact->raw});
  }
  const std::vector<const IptablesRule*>& rules = chain.rules;
  std::vector<std::string> evidence = {"expected: " + renderExpected(want)};
  for (const std::string& line : rawLines(rules)) {
    evidence.push_back(line);
  }
  if (m.similar != nullptr) {
    return failed(id, p.target, std::string(reasonStem) + "Wrong",
                  want.chain + ": rule of " + p.target + " differs: expected \"" + want.args +
                      "\", found \"" + m.similar->raw + "\"",
                  evidence);
  }
  return failed(id, p.target, std::string(reasonStem) + "Missing",
                want.chain + " has no " + std::string(what) + " rule for " + p.target +
                    " (expected \"" + want.args + "\", chain has " + std::to_string(rules.size()) +
                    " rules)",
                evidence);
}

// What differs between the per-policy mark rule (nodes without the EIP) and SNAT rule (the EIP
// node) checks; checkPolicyRules runs the shared skip/unknown ladder and the chain lookup.
struct PolicyRuleSpec {
  CheckId id;
  bool onEipNode;  // the node the rule belongs on: the EIP node (SNAT) or the others (mark)
  std::string_view skipReason;
  std::string_view skipText;  // after "<node>"; the policy's target is appended
  std::string_view skipSuffix;
  std::optional<ExpectedRule> PolicyExpectation::*rule;
  std::string_view table;
  std::string_view what;
  std::string_view reasonStem;
};

std::vector<Finding> checkPolicyRules(const Expectation& e, const NetnsSnapshot& host,
                                      const PolicyRuleSpec& spec) {
  std::vector<Finding> out;
  std::optional<Result<const IptablesDump*>> dump;          // looked up once, when first needed
  std::map<std::string, IndexedChain, std::less<>> chains;  // by chain name
  for (const PolicyExpectation& p : e.policies) {
    if (p.onEipNode != spec.onEipNode) {
      out.push_back(
          skipped(spec.id, p.target, std::string(spec.skipReason),
                  e.node + std::string(spec.skipText) + p.target + std::string(spec.skipSuffix)));
      continue;
    }
    const std::optional<ExpectedRule>& rule = p.*spec.rule;
    if (!rule) {
      out.push_back(
          catalog::makeFinding(spec.id, Status::Unknown, p.target, "PolicyNotReady", p.notReady));
      continue;
    }
    if (!host.iptables) {
      out.push_back(unknownFrom(spec.id, p.target, "iptables", host.iptables.error()));
      continue;
    }
    if (!dump) {
      dump = ipv4Dump(*host.iptables);
    }
    if (!*dump) {
      out.push_back(unknownFrom(spec.id, p.target, "iptables", dump->error()));
      continue;
    }
    auto it = chains.find(rule->chain);
    if (it == chains.end()) {
      it = chains.emplace(rule->chain, indexChain(rulesOf(***dump, spec.table, rule->chain))).first;
    }
    out.push_back(policyRuleFinding(spec.id, p, *rule, it->second, spec.what, spec.reasonStem));
  }
  return out;
}

const datapath::Link* findLink(const std::vector<datapath::Link>& links, std::string_view name) {
  for (const datapath::Link& l : links) {
    if (l.name == name) {
      return &l;
    }
  }
  return nullptr;
}

// Peers the agent programs rules, routes and neighbours for (spidernet.md §3.5).
std::vector<Peer> routedPeers(const Expectation& e) {
  std::vector<Peer> out;
  for (const Peer& p : e.peers) {
    if (!p.parentIPv4.empty() && !p.tunnelIPv4.empty()) {
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace

std::vector<Finding> checkIptReadable(const NetnsSnapshot& host) {
  constexpr CheckId id = CheckId::SpnIptReadable;
  if (!host.iptables) {
    return {unknownFrom(id, "", "iptables", host.iptables.error())};
  }
  std::vector<std::string> evidence;
  std::vector<std::string> problems;
  for (const datapath::IptablesSave& save : host.iptables->saves) {
    if (save.family != datapath::IpFamily::V4 || !save.dump) {
      continue;
    }
    for (const std::string& table : save.dump->incompatibleTables) {
      problems.push_back(save.command + ": table " + table + " is incompatible");
      evidence.push_back("# Table `" + table + "' is incompatible, use 'nft' tool.");
    }
  }
  auto dump = ipv4Dump(*host.iptables);
  if (!dump) {
    return {unknownFrom(id, "", "iptables", dump.error())};
  }
  if (!problems.empty()) {
    return {failed(id, "", "IptablesIncompatible",
                   join(problems, "; ") + ": expected every table readable by iptables-save",
                   evidence)};
  }
  if (host.iptables->egressRulesSplit) {
    return {failed(id, "", "EgressRulesSplit",
                   "egress rules found in both the legacy and the nft backend; expected one")};
  }
  return {pass(id, "", "IptablesReadable", "iptables-save works and egress rules use one backend")};
}

std::vector<Finding> checkHookOrder(const Expectation& e, const NetnsSnapshot& host) {
  constexpr CheckId id = CheckId::SpnHookOrder;
  if (!e.gatewayExists) {
    return {
        skipped(id, "", "NoEgressGateway", "no EgressGateway exists: the agent programs no rules")};
  }
  if (!host.iptables) {
    return {unknownFrom(id, "", "iptables", host.iptables.error())};
  }
  auto dump = ipv4Dump(*host.iptables);
  if (!dump) {
    return {unknownFrom(id, "", "iptables", dump.error())};
  }
  std::vector<std::string> problems;
  std::vector<std::string> evidence;
  std::string reason;
  bool onlyWarn = true;
  std::map<std::pair<std::string, std::string>, std::vector<const ExpectedRule*>> byChain;
  std::vector<std::pair<std::string, std::string>> order;
  for (const ExpectedRule& r : e.hookRules) {
    auto key = std::pair{r.table, r.chain};
    if (!byChain.contains(key)) {
      order.push_back(key);
    }
    byChain[key].push_back(&r);
  }
  for (const auto& key : order) {
    const auto& [table, chain] = key;
    // Traffic is steered only if the jumps come first in these two hooks (000 §2, §4).
    const bool strict =
        (table == "mangle" && chain == "PREROUTING") || (table == "nat" && chain == "POSTROUTING");
    std::vector<const IptablesRule*> rules = rulesOf(**dump, table, chain);
    bool chainBad = false;
    for (const ExpectedRule* want : byChain[key]) {
      const std::string wantKey = ruleKey(want->args);
      std::size_t pos = rules.size();
      for (std::size_t i = 0; i < rules.size(); ++i) {
        if (hasComment(*rules[i], want->hash) || ruleKey(rules[i]->args) == wantKey) {
          pos = i;
          break;
        }
      }
      if (pos == rules.size()) {
        problems.push_back(table + " " + chain + ": missing " + want->hash + " (" + want->args +
                           ")");
        reason = reason.empty() ? "HookRuleMissing" : reason;
        onlyWarn = false;
        chainBad = true;
        continue;
      }
      for (std::size_t i = 0; i < pos; ++i) {
        if (!isEgw(*rules[i])) {
          problems.push_back(table + " " + chain + ": foreign rule above " + want->hash + ": " +
                             rules[i]->raw);
          reason = reason.empty() ? (strict ? "ForeignRuleAbove" : "HookRuleNotFirst") : reason;
          onlyWarn = onlyWarn && !strict;
          chainBad = true;
          break;
        }
      }
    }
    if (chainBad) {
      evidence.push_back("# iptables -t " + table + " -S " + chain);
      for (const std::string& line : rawLines(rules, 6)) {
        evidence.push_back(line);
      }
    }
  }
  if (problems.empty()) {
    return {
        pass(id, "", "HooksFirst",
             "egw: rules are first in mangle PREROUTING and nat POSTROUTING; base rules present")};
  }
  Finding f = failed(id, "", reason, join(problems, "; "), evidence);
  if (onlyWarn) {
    f.status = Status::Warn;
  }
  return {f};
}

std::vector<Finding> checkIpsetSrc(const Expectation& e, const NetnsSnapshot& host) {
  std::vector<Finding> out;
  for (const PolicyExpectation& p : e.policies) {
    if (!host.ipsets) {
      out.push_back(unknownFrom(CheckId::SpnIpsetSrc, p.target, "ipsets", host.ipsets.error()));
      continue;
    }
    out.push_back(compareSet(CheckId::SpnIpsetSrc, p.target, findSet(*host.ipsets, p.srcSet),
                             p.srcSet, p.srcMembers, false));
  }
  return out;
}

std::vector<Finding> checkIpsetDst(const Expectation& e, const NetnsSnapshot& host) {
  std::vector<Finding> out;
  for (const PolicyExpectation& p : e.policies) {
    if (!host.ipsets) {
      out.push_back(unknownFrom(CheckId::SpnIpsetDst, p.target, "ipsets", host.ipsets.error()));
      continue;
    }
    if (p.useClusterCidr) {
      out.push_back(compareSet(CheckId::SpnIpsetDst, p.target,
                               findSet(*host.ipsets, kClusterCidrSetV4), kClusterCidrSetV4,
                               e.clusterCidrMembers, true));
      continue;
    }
    out.push_back(compareSet(CheckId::SpnIpsetDst, p.target, findSet(*host.ipsets, p.dstSet),
                             p.dstSet, p.dstMembers, false));
  }
  return out;
}

std::vector<Finding> checkMarkRule(const Expectation& e, const NetnsSnapshot& host) {
  return checkPolicyRules(
      e, host,
      {CheckId::SpnMarkRule, false, "EgressNode", " holds the EIP of ", ": no mark rule here",
       &PolicyExpectation::markRule, "mangle", "mark", "MarkRule"});
}

std::vector<Finding> checkSnatRule(const Expectation& e, const NetnsSnapshot& host) {
  return checkPolicyRules(
      e, host,
      {CheckId::SpnSnatRule, true, "NotEgressNode", " does not hold the EIP of ", "",
       &PolicyExpectation::snatRule, "nat", "SNAT", "SNATRule"});
}

std::vector<Finding> checkReplyRouting(const Expectation& e, const NetnsSnapshot& host) {
  constexpr CheckId id = CheckId::SpnReplyRouting;
  if (!e.isEgressNode) {
    return {skipped(id, "", "NotGatewayNode", e.node + " is in no EgressGateway nodeList")};
  }
  if (!host.iptables) {
    return {unknownFrom(id, "", "iptables", host.iptables.error())};
  }
  auto dump = ipv4Dump(*host.iptables);
  if (!dump) {
    return {unknownFrom(id, "", "iptables", dump.error())};
  }
  if (!chainExists(**dump, "mangle", kReplyChain)) {
    return {failed(id, "", "ReplyRoutingChainMissing",
                   "mangle chain " + std::string(kReplyChain) + " does not exist; expected " +
                       std::to_string(e.replyRouting.size()) + " rules")};
  }
  std::vector<const IptablesRule*> rules = rulesOf(**dump, "mangle", kReplyChain);
  std::multiset<std::string> have;
  for (const IptablesRule* r : rules) {
    have.insert(ruleKey(r->args));
  }
  std::vector<std::string> missing;
  std::set<std::string> wanted;
  for (const ExpectedRule& want : e.replyRouting) {
    std::string key = ruleKey(want.args);
    wanted.insert(key);
    if (!have.contains(key)) {
      missing.push_back(want.args);
    }
  }
  std::vector<std::string> extra;
  for (const IptablesRule* r : rules) {
    if (!wanted.contains(ruleKey(r->args))) {
      extra.push_back(r->raw);
    }
  }
  std::vector<std::string> evidence = rawLines(rules, 20);
  if (!missing.empty()) {
    std::vector<std::string> ev;
    for (const std::string& m : missing) {
      ev.push_back("missing: -A " + std::string(kReplyChain) + " " + m);
    }
    ev.insert(ev.end(), evidence.begin(), evidence.end());
    return {failed(id, "", "ReplyRoutingRuleMissing",
                   std::string(kReplyChain) + ": " + std::to_string(missing.size()) + " of " +
                       std::to_string(e.replyRouting.size()) + " expected rules missing (" +
                       std::to_string(e.peers.size()) + " peers)",
                   ev)};
  }
  if (!extra.empty()) {
    Finding f = failed(id, "", "ReplyRoutingStaleRule",
                       std::string(kReplyChain) + ": all " + std::to_string(e.replyRouting.size()) +
                           " expected rules present, plus " + std::to_string(extra.size()) +
                           " rules for no current peer",
                       extra);
    f.status = Status::Warn;
    return {f};
  }
  return {pass(id, "", "ReplyRoutingComplete",
               std::string(kReplyChain) + " has 3 rules for each of " +
                   std::to_string(e.peers.size()) + " peers and the restore rule")};
}

std::vector<Finding> checkIpRule(const Expectation& e, const NetnsSnapshot& host) {
  constexpr CheckId id = CheckId::SpnIpRule;
  if (!host.rules) {
    return {unknownFrom(id, "", "ip rules", host.rules.error())};
  }
  std::vector<Peer> peers = routedPeers(e);
  std::vector<std::string> missing;
  std::set<std::uint32_t> wanted;
  for (const Peer& p : peers) {
    wanted.insert(p.mark);
    bool found = std::any_of(host.rules->begin(), host.rules->end(), [&](const datapath::Rule& r) {
      return r.family == datapath::IpFamily::V4 && r.priority == kRulePriority && r.hasFwmark &&
             r.fwmark == p.mark && r.fwmask == 0xffffffff && r.table == p.mark && !r.invert;
    });
    if (!found) {
      missing.push_back(std::to_string(kRulePriority) + ": from all fwmark " + hexMark(p.mark) +
                        " lookup " + std::to_string(p.mark) + " (peer " + p.node + ")");
    }
  }
  std::vector<std::string> stale;
  std::vector<std::string> evidence;
  for (const datapath::Rule& r : *host.rules) {
    if (r.family != datapath::IpFamily::V4) {
      continue;
    }
    evidence.push_back(renderRule(r));
    if (r.hasFwmark && (r.fwmark & 0xff000000) == kBaseMark && !wanted.contains(r.fwmark)) {
      stale.push_back(renderRule(r));
    }
  }
  if (!missing.empty()) {
    return {failed(id, "", "IPRuleMissing", "missing ip rule " + join(missing, "; "), evidence)};
  }
  if (!stale.empty()) {
    return {failed(id, "", "IPRuleStale",
                   "fwmark rules for no current peer tunnel: " + join(stale, "; "), evidence)};
  }
  return {pass(id, "", "IPRulesPresent",
               std::to_string(peers.size()) + " peer fwmark rules at priority 99, none stale")};
}

std::vector<Finding> checkRoute(const Expectation& e, const NetnsSnapshot& host) {
  constexpr CheckId id = CheckId::SpnRoute;
  if (!host.routes) {
    return {unknownFrom(id, "", "routes", host.routes.error())};
  }
  std::vector<std::string> problems;
  std::vector<std::string> evidence;
  std::string reason;
  std::vector<Peer> peers = routedPeers(e);
  // First IPv4 default route of each table, indexed once (500 peers x 10k routes otherwise).
  std::unordered_map<std::uint32_t, const datapath::Route*> defaults;
  for (const datapath::Route& r : *host.routes) {
    if (r.family == datapath::IpFamily::V4 && r.dst == "default") {
      defaults.emplace(r.table, &r);
    }
  }
  for (const Peer& p : peers) {
    const auto at = defaults.find(p.mark);
    const datapath::Route* found = at == defaults.end() ? nullptr : at->second;
    if (found != nullptr) {
      evidence.push_back(renderRoute(*found));
    }
    const std::string want = "default via " + p.tunnelIPv4 + " dev " + std::string(kVxlanName) +
                             " table " + std::to_string(p.mark);
    if (found == nullptr) {
      problems.push_back("table " + std::to_string(p.mark) + " (peer " + p.node +
                         ") has no default route; expected " + want);
      reason = reason.empty() ? "RouteMissing" : reason;
    } else if (found->gateway != p.tunnelIPv4 || found->oifName != kVxlanName) {
      problems.push_back("expected " + want + ", found " + renderRoute(*found));
      reason = reason.empty() ? "RouteWrong" : reason;
    }
  }
  if (!problems.empty()) {
    return {failed(id, "", reason, join(problems, "; "), evidence)};
  }
  return {pass(id, "", "RoutesPresent",
               std::to_string(peers.size()) + " peer tables route default via egress.vxlan",
               evidence)};
}

std::vector<Finding> checkVxlan(const Expectation& e, const NetnsSnapshot& host) {
  constexpr CheckId id = CheckId::SpnVxlan;
  if (!host.links) {
    return {unknownFrom(id, "", "links", host.links.error())};
  }
  const datapath::Link* link = findLink(*host.links, kVxlanName);
  if (link == nullptr) {
    return {failed(id, "", "VxlanMissing", "link egress.vxlan does not exist")};
  }
  std::vector<std::string> evidence;
  std::string detail = std::to_string(link->index) + ": " + link->name + " state " +
                       link->operState + " kind " + link->kind;
  if (link->vxlan) {
    detail += " id " + std::to_string(link->vxlan->vni) + " local " + link->vxlan->local +
              " dstport " + std::to_string(link->vxlan->port);
  }
  evidence.push_back(detail);
  if (link->kind != "vxlan" || !link->vxlan) {
    return {failed(id, "", "VxlanWrongType",
                   "egress.vxlan has kind \"" + link->kind + "\", expected vxlan", evidence)};
  }
  std::vector<std::string> problems;
  std::string reason;
  auto note = [&](std::string why, std::string text) {
    reason = reason.empty() ? std::move(why) : reason;
    problems.push_back(std::move(text));
  };
  if (link->vxlan->vni != kVxlanVni || link->vxlan->port != kVxlanPort) {
    note("VxlanWrongParams", "VNI " + std::to_string(link->vxlan->vni) + " dstport " +
                                 std::to_string(link->vxlan->port) +
                                 ", expected VNI 100 dstport 7789");
  }
  if (e.self && !e.self->parentIPv4.empty() && link->vxlan->local != e.self->parentIPv4) {
    note("VxlanWrongLocal",
         "local " + link->vxlan->local + ", expected parent IP " + e.self->parentIPv4);
  }
  if (!link->adminUp || (link->operState != "UP" && link->operState != "UNKNOWN")) {
    note("VxlanDown", "state " + link->operState + (link->adminUp ? "" : " (admin down)") +
                          ", expected UP or UNKNOWN");
  }
  if (e.self && !e.self->tunnelIPv4.empty()) {
    if (!host.addresses) {
      return {unknownFrom(id, "", "addresses", host.addresses.error())};
    }
    bool has = false;
    for (const datapath::Address& a : *host.addresses) {
      if (a.ifname == kVxlanName) {
        evidence.push_back(renderAddress(a));
        has = has || a.ip == e.self->tunnelIPv4;
      }
    }
    if (!has) {
      note("VxlanAddressMissing", "tunnel IP " + e.self->tunnelIPv4 + " not on egress.vxlan");
    }
  }
  if (!problems.empty()) {
    return {failed(id, "", reason, "egress.vxlan: " + join(problems, "; "), evidence)};
  }
  if (!e.self) {
    return {
        catalog::makeFinding(id, Status::Unknown, "", "EgressTunnelMissing",
                             "egress.vxlan is a vxlan VNI 100 port 7789 and up, but EgressTunnel " +
                                 e.node + " is missing: local IP and address not checked",
                             evidence)};
  }
  return {pass(id, "", "VxlanUp",
               "egress.vxlan VNI 100 dstport 7789 local " + link->vxlan->local + " " +
                   link->operState + " with " + e.self->tunnelIPv4,
               evidence)};
}

std::vector<Finding> checkNeigh(const Expectation& e, const NetnsSnapshot& host) {
  constexpr CheckId id = CheckId::SpnNeigh;
  if (!host.neighbours) {
    return {unknownFrom(id, "", "neighbours", host.neighbours.error())};
  }
  if (!host.fdb) {
    return {unknownFrom(id, "", "fdb", host.fdb.error())};
  }
  std::vector<std::string> problems;
  std::vector<std::string> evidence;
  std::string reason;
  std::vector<Peer> peers = routedPeers(e);
  for (const Peer& p : peers) {
    const datapath::Neighbour* n = nullptr;
    for (const datapath::Neighbour& cand : *host.neighbours) {
      if (cand.ifname == kVxlanName && cand.ip == p.tunnelIPv4) {
        n = &cand;
        evidence.push_back(renderNeighbour(cand));
      }
    }
    if (n == nullptr) {
      problems.push_back("no neighbour " + p.tunnelIPv4 + " lladdr " + p.mac + " (peer " + p.node +
                         ")");
      reason = reason.empty() ? "NeighbourMissing" : reason;
    } else if (n->lladdr != p.mac || !n->permanent) {
      problems.push_back("neighbour " + renderNeighbour(*n) + ", expected lladdr " + p.mac +
                         " PERMANENT");
      reason = reason.empty() ? "NeighbourWrong" : reason;
    }
    const datapath::FdbEntry* f = nullptr;
    for (const datapath::FdbEntry& cand : *host.fdb) {
      if (cand.ifname == kVxlanName && cand.mac == p.mac) {
        f = &cand;
        evidence.push_back(renderFdb(cand));
      }
    }
    if (f == nullptr) {
      problems.push_back("no fdb " + p.mac + " dst " + p.parentIPv4 + " (peer " + p.node + ")");
      reason = reason.empty() ? "FdbMissing" : reason;
    } else if (f->dst != p.parentIPv4) {
      problems.push_back("fdb " + renderFdb(*f) + ", expected dst " + p.parentIPv4);
      reason = reason.empty() ? "FdbWrong" : reason;
    }
  }
  if (!problems.empty()) {
    return {failed(id, "", reason, join(problems, "; "), evidence)};
  }
  return {pass(id, "", "NeighboursPresent",
               std::to_string(peers.size()) + " peers have a permanent neighbour and an FDB entry",
               evidence)};
}

std::vector<Finding> checkRpFilter(const Expectation& e, const NetnsSnapshot& host) {
  constexpr CheckId id = CheckId::SpnRpFilter;
  (void)e;
  if (!host.sysctls) {
    return {unknownFrom(id, "", "sysctls", host.sysctls.error())};
  }
  auto dev = host.sysctls->rpFilter.find(std::string(kVxlanName));
  if (!host.sysctls->rpFilterAll || dev == host.sysctls->rpFilter.end()) {
    return {catalog::makeFinding(
        id, Status::Unknown, "", "SysctlUnavailable",
        "net.ipv4.conf.all.rp_filter or conf.egress.vxlan.rp_filter not read")};
  }
  int all = *host.sysctls->rpFilterAll;
  int effective = std::max(all, dev->second);
  std::vector<std::string> evidence = {
      "net.ipv4.conf.all.rp_filter = " + std::to_string(all),
      "net.ipv4.conf.egress.vxlan.rp_filter = " + std::to_string(dev->second)};
  if (effective == 1) {
    return {failed(id, "", "RpFilterStrict",
                   "effective rp_filter of egress.vxlan is 1 (strict), expected 0 or 2", evidence)};
  }
  return {pass(id, "", "RpFilterLoose",
               "effective rp_filter of egress.vxlan is " + std::to_string(effective), evidence)};
}

std::vector<Finding> checkRouteGet(const Expectation& e, const NetnsSnapshot& host) {
  constexpr CheckId id = CheckId::E2eRouteGet;
  std::vector<Finding> out;
  for (const PolicyExpectation& p : e.policies) {
    if (!p.onEipNode) {
      out.push_back(
          skipped(id, p.target, "NotEgressNode", e.node + " does not hold the EIP of " + p.target));
      continue;
    }
    if (p.dstMembers.empty()) {
      out.push_back(
          skipped(id, p.target, "NoDestSubnet", p.target + " has no IPv4 destSubnet to look up"));
      continue;
    }
    if (!host.routes) {
      out.push_back(unknownFrom(id, p.target, "routes", host.routes.error()));
      continue;
    }
    if (!host.addresses) {
      out.push_back(unknownFrom(id, p.target, "addresses", host.addresses.error()));
      continue;
    }
    // Interface carrying the EIP's subnet: where SNATed packets must leave (000 §5).
    std::string wantIf;
    for (const datapath::Address& a : *host.addresses) {
      if (a.family == datapath::IpFamily::V4 && !p.eip.empty() && a.prefixLen < 32 &&
          ipv4InPrefix(p.eip, a.ip + "/" + std::to_string(a.prefixLen))) {
        wantIf = a.ifname;
      }
    }
    std::vector<std::string> problems;
    std::vector<std::string> evidence;
    for (const std::string& member : p.dstMembers) {
      std::string dest = member.substr(0, member.find('/'));
      const datapath::Route* best = nullptr;
      int bestLen = -1;
      for (const datapath::Route& r : *host.routes) {
        if (r.family != datapath::IpFamily::V4 || r.table != 254 ||
            (r.type != "" && r.type != "unicast")) {
          continue;
        }
        std::string prefix = r.dst == "default" ? "0.0.0.0/0" : r.dst;
        auto parsed = parseIpv4Prefix(prefix);
        if (parsed && parsed->len > bestLen && ipv4InPrefix(dest, prefix)) {
          best = &r;
          bestLen = parsed->len;
        }
      }
      if (best == nullptr) {
        problems.push_back("no route to " + dest);
        continue;
      }
      evidence.push_back(dest + " " + renderRoute(*best));
      if (!wantIf.empty() && best->oifName != wantIf) {
        problems.push_back(dest + " leaves via " + best->oifName + ", expected " + wantIf +
                           " (carries the subnet of EIP " + p.eip + ")");
      }
    }
    if (!problems.empty()) {
      out.push_back(
          failed(id, p.target, "RouteLeavesWrongInterface", join(problems, "; "), evidence));
    } else {
      out.push_back(pass(id, p.target, "RouteAsExpected",
                         "destinations of " + p.target + " route via " +
                             (wantIf.empty() ? std::string("the main table") : wantIf),
                         evidence));
    }
  }
  return out;
}

std::vector<Finding> checkAll(const Expectation& e, const NetnsSnapshot& host) {
  std::vector<Finding> out;
  auto add = [&](std::vector<Finding> more) {
    for (Finding& f : more) {
      f.node = e.node;
      out.push_back(std::move(f));
    }
  };
  add(checkHookOrder(e, host));
  add(checkIptReadable(host));
  add(checkIpsetSrc(e, host));
  add(checkIpsetDst(e, host));
  add(checkMarkRule(e, host));
  add(checkSnatRule(e, host));
  add(checkReplyRouting(e, host));
  add(checkIpRule(e, host));
  add(checkRoute(e, host));
  add(checkVxlan(e, host));
  add(checkNeigh(e, host));
  add(checkRpFilter(e, host));
  add(checkRouteGet(e, host));
  return out;
}

}  // namespace egressdiag::checks::spidernet
