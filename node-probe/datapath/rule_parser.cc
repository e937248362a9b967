#include "node-probe/datapath/rule_parser.h"

#include <charconv>
#include <string>

namespace egressdiag::datapath {
namespace {

constexpr std::string_view kBlanks = " \t\r";

std::string_view nextWord(std::string_view& s) {
  const auto b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) {
    s = {};
    return {};
  }
  s = s.substr(b);
  const auto end = s.find_first_of(kBlanks);
  const auto word = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  return word;
}

// Decimal, or hex with a 0x prefix.
std::optional<std::uint32_t> parseU32(std::string_view s) {
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    s.remove_prefix(2);
    base = 16;
  }
  std::uint32_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

std::unexpected<Error> lineError(std::size_t lineNo, std::string_view what) {
  return fail(ErrorCode::InvalidInput,
              "ip rule line " + std::to_string(lineNo) + ": " + std::string(what));
}

Result<Rule> parseRuleLine(std::string_view line, std::size_t lineNo, IpFamily family) {
  Rule rule;
  rule.family = family;
  rule.src = "all";
  rule.dst = "all";
  auto prio = nextWord(line);
  if (!prio.ends_with(':')) {
    return lineError(lineNo, "missing priority");
  }
  prio.remove_suffix(1);
  const auto p = parseU32(prio);
  if (!p) {
    return lineError(lineNo, "bad priority");
  }
  rule.priority = *p;
  auto need = [&](std::string_view key) -> Result<std::string_view> {
    const auto v = nextWord(line);
    if (v.empty()) {
      return lineError(lineNo, std::string(key) + " without a value");
    }
    return v;
  };
  while (true) {
    const auto w = nextWord(line);
    if (w.empty()) {
      break;
    }
    if (w == "not") {
      rule.invert = true;
    } else if (w == "from" || w == "to" || w == "iif" || w == "oif" || w == "proto" ||
               w == "realms" || w == "uidrange" || w == "ipproto" || w == "sport" || w == "dport" ||
               w == "tos" || w == "dsfield" || w == "suppress_prefixlength" ||
               w == "suppress_ifgroup" || w == "l3mdev" || w == "pref" || w == "priority") {
      if (w == "l3mdev") {
        continue;
      }
      auto v = need(w);
      if (!v) {
        return std::unexpected(v.error());
      }
      if (w == "from") {
        rule.src = std::string(*v);
      } else if (w == "to") {
        rule.dst = std::string(*v);
      } else if (w == "iif") {
        rule.iif = std::string(*v);
      } else if (w == "oif") {
        rule.oif = std::string(*v);
      }
    } else if (w == "fwmark") {
      auto v = need(w);
      if (!v) {
        return std::unexpected(v.error());
      }
      const auto slash = v->find('/');
      const auto mark = parseU32(v->substr(0, slash));
      const auto mask = slash == std::string_view::npos ? std::optional<std::uint32_t>(0xffffffffU)
                                                        : parseU32(v->substr(slash + 1));
      if (!mark || !mask) {
        return lineError(lineNo, "bad fwmark");
      }
      rule.hasFwmark = true;
      rule.fwmark = *mark;
      rule.fwmask = *mask;
    } else if (w == "lookup" || w == "table" || w == "goto") {
      auto v = need(w);
      if (!v) {
        return std::unexpected(v.error());
      }
      const auto t = parseRouteTable(*v);
      if (!t) {
        return lineError(lineNo, "unknown table " + std::string(*v));
      }
      rule.table = *t;
      rule.action = w == "goto" ? "goto" : "lookup";
    } else if (w == "blackhole" || w == "unreachable" || w == "prohibit" || w == "nop") {
      rule.action = std::string(w);
    } else if (w == "[detached]" || w == "[unresolved]") {
      continue;
    } else {
      return lineError(lineNo, "unknown keyword " + std::string(w));
    }
  }
  if (rule.action.empty()) {
    return lineError(lineNo, "rule without an action");
  }
  return rule;
}

}  // namespace

std::optional<std::uint32_t> parseRouteTable(std::string_view name) {
  if (name == "main") {
    return 254;
  }
  if (name == "local") {
    return 255;
  }
  if (name == "default") {
    return 253;
  }
  if (name.starts_with("0x")) {
    return std::nullopt;
  }
  return parseU32(name);
}

std::string routeTableName(std::uint32_t table) {
  switch (table) {
    case 253:
      return "default";
    case 254:
      return "main";
    case 255:
      return "local";
    default:
      return std::to_string(table);
  }
}

Result<std::vector<Rule>> parseIpRules(std::string_view text, IpFamily family) {
  std::vector<Rule> rules;
  std::size_t start = 0;
  std::size_t lineNo = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    ++lineNo;
    const auto line = text.substr(start, end - start);
    start = end + 1;
    if (line.find_first_not_of(kBlanks) == std::string_view::npos) {
      continue;
    }
    auto rule = parseRuleLine(line, lineNo, family);
    if (!rule) {
      return std::unexpected(std::move(rule.error()));
    }
    rules.push_back(std::move(*rule));
  }
  return rules;
}

}  // namespace egressdiag::datapath
