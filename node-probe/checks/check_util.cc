#include "node-probe/checks/check_util.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "node-probe/checks/spidernet_naming.h"

namespace egressdiag::checks {

Finding pass(CheckId id, std::string target, std::string reason, std::string message,
             std::vector<std::string> evidence) {
  return catalog::makeFinding(id, Status::Pass, std::move(target), std::move(reason),
                              std::move(message), std::move(evidence));
}

Finding failed(CheckId id, std::string target, std::string reason, std::string message,
               std::vector<std::string> evidence) {
  return catalog::makeFinding(id, Status::Fail, std::move(target), std::move(reason),
                              std::move(message), std::move(evidence));
}

Finding skipped(CheckId id, std::string target, std::string reason, std::string message) {
  return catalog::makeFinding(id, Status::Skipped, std::move(target), std::move(reason),
                              std::move(message));
}

Finding unknownFrom(CheckId id, std::string target, std::string_view what, const Error& error) {
  std::string reason =
      error.code == ErrorCode::PermissionDenied ? "PermissionDenied" : "SnapshotUnavailable";
  return catalog::makeFinding(id, Status::Unknown, std::move(target), std::move(reason),
                              "could not read " + std::string(what) + ": " + error.message);
}

namespace {

std::vector<std::string> splitWords(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) {
    out.push_back(word);
  }
  return out;
}

}  // namespace

std::string ruleKey(const std::vector<std::string>& args) {
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-m" && i + 1 < args.size() && args[i + 1] == "comment") {
      ++i;  // skip "comment"; the following --comment VALUE pair is skipped below
      continue;
    }
    if (args[i] == "--comment" && i + 1 < args.size()) {
      ++i;
      continue;
    }
    std::string word = args[i];
    if (word == "--in-interface") {
      word = "-i";
    } else if (word == "--out-interface") {
      word = "-o";
    } else if (word == "--jump") {
      word = "-j";
    } else if (word == "--set-mark") {
      word = "--set-xmark";
    }
    if (!kept.empty() && kept.back() == "--mark" && word.ends_with("/0xffffffff")) {
      word.resize(word.size() - std::string_view("/0xffffffff").size());
    }
    kept.push_back(std::move(word));
  }
  std::string key = join(kept, " ");
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return key;
}

std::string ruleKey(std::string_view saveArgs) {
  return ruleKey(splitWords(saveArgs));
}

std::string renderExpected(const ExpectedRule& rule) {
  std::string out = "-A " + rule.chain;
  if (!rule.hash.empty()) {
    out += " -m comment --comment \"" + rule.hash + "\"";
  }
  if (!rule.comment.empty()) {
    out += " -m comment --comment \"" + rule.comment + "\"";
  }
  return out + " " + rule.args;
}

Result<const datapath::IptablesDump*> ipv4Dump(const datapath::IptablesSnapshot& snapshot) {
  const datapath::IptablesSave* chosen = nullptr;
  const datapath::IptablesSave* firstFailure = nullptr;
  for (const datapath::IptablesSave& save : snapshot.saves) {
    if (save.family != datapath::IpFamily::V4) {
      continue;
    }
    if (!save.dump) {
      firstFailure = firstFailure != nullptr ? firstFailure : &save;
      continue;
    }
    if (save.egressRules) {
      chosen = &save;
      break;
    }
    if (chosen == nullptr || (snapshot.activeBackend && save.backend == *snapshot.activeBackend)) {
      chosen = &save;
    }
  }
  if (chosen != nullptr) {
    return &*chosen->dump;
  }
  if (firstFailure != nullptr) {
    return fail(firstFailure->dump.error().code,
                firstFailure->command + ": " + firstFailure->dump.error().message);
  }
  return fail(ErrorCode::Unavailable, "no IPv4 iptables-save output");
}

std::string renderRule(const datapath::Rule& rule) {
  std::string out = std::to_string(rule.priority) + ":\t";
  if (rule.invert) {
    out += "not ";
  }
  out += "from " + (rule.src.empty() ? std::string("all") : rule.src);
  if (!rule.dst.empty() && rule.dst != "all") {
    out += " to " + rule.dst;
  }
  if (rule.hasFwmark) {
    out += " fwmark " + spidernet::hexMark(rule.fwmark);
    if (rule.fwmask != 0xffffffff) {
      out += "/" + spidernet::hexMark(rule.fwmask);
    }
  }
  if (!rule.iif.empty()) {
    out += " iif " + rule.iif;
  }
  if (!rule.oif.empty()) {
    out += " oif " + rule.oif;
  }
  out += " " + (rule.action.empty() ? std::string("lookup") : rule.action);
  if (rule.action.empty() || rule.action == "lookup" || rule.action == "goto") {
    out += " " + std::to_string(rule.table);
  }
  return out;
}

std::string renderRoute(const datapath::Route& route) {
  std::string out = route.type != "" && route.type != "unicast" ? route.type + " " : "";
  out += route.dst;
  if (!route.gateway.empty()) {
    out += std::string(" via ") + (route.viaInet6 ? "inet6 " : "") + route.gateway;
  }
  if (!route.oifName.empty()) {
    out += " dev " + route.oifName;
  }
  if (route.table != 254) {
    out += " table " + std::to_string(route.table);
  }
  if (!route.protocol.empty() && route.protocol != "boot") {
    out += " proto " + route.protocol;
  }
  if (!route.scope.empty() && route.scope != "universe" && route.scope != "global") {
    out += " scope " + route.scope;
  }
  if (!route.prefSrc.empty()) {
    out += " src " + route.prefSrc;
  }
  return out;
}

std::string renderNeighbour(const datapath::Neighbour& n) {
  std::string out = n.ip + " dev " + n.ifname;
  if (!n.lladdr.empty()) {
    out += " lladdr " + n.lladdr;
  }
  return out + " " + n.stateName;
}

std::string renderFdb(const datapath::FdbEntry& f) {
  std::string out = f.mac + " dev " + f.ifname;
  if (!f.dst.empty()) {
    out += " dst " + f.dst;
  }
  if (f.self) {
    out += " self";
  }
  if (f.permanent) {
    out += " permanent";
  }
  return out;
}

std::string renderAddress(const datapath::Address& a) {
  std::string out = "inet" + std::string(a.family == datapath::IpFamily::V6 ? "6 " : " ") + a.ip +
                    "/" + std::to_string(a.prefixLen);
  if (!a.scope.empty()) {
    out += " scope " + a.scope;
  }
  out += " " + (a.label.empty() ? a.ifname : a.label);
  return out;
}

std::string join(const std::vector<std::string>& items, std::string_view sep,
                 std::string_view prefix) {
  // Sized exactly up front: ipset findings join hundreds of members, and a string grown by
  // doubling (or by prepending to it) keeps up to twice its length allocated in the finding.
  std::size_t size = prefix.size() + (items.empty() ? 0 : sep.size() * (items.size() - 1));
  for (const std::string& item : items) {
    size += item.size();
  }
  std::string out;
  out.reserve(size);
  out += prefix;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) {
      out += sep;
    }
    out += items[i];
  }
  return out;
}

std::vector<std::string> minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace egressdiag::checks
