#include "node-probe/datapath/iptables_parser.h"
#include "node-probe/datapath/text.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <utility>

namespace egressdiag::datapath {
namespace {

// "[12:345]" -> {12, 345}; nullopt when malformed.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parseCounters(std::string_view s) {
  if (s.size() < 5 || s.front() != '[' || s.back() != ']') {
    return std::nullopt;
  }
  s = s.substr(1, s.size() - 2);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  std::uint64_t p = 0;
  std::uint64_t b = 0;
  const auto ps = s.substr(0, colon);
  const auto bs = s.substr(colon + 1);
  auto r1 = std::from_chars(ps.data(), ps.data() + ps.size(), p);
  auto r2 = std::from_chars(bs.data(), bs.data() + bs.size(), b);
  if (r1.ec != std::errc{} || r1.ptr != ps.data() + ps.size() || r2.ec != std::errc{} ||
      r2.ptr != bs.data() + bs.size()) {
    return std::nullopt;
  }
  return std::pair{p, b};
}

std::unexpected<Error> lineError(std::size_t lineNo, std::string_view what) {
  return fail(ErrorCode::InvalidInput,
              "iptables-save line " + std::to_string(lineNo) + ": " + std::string(what));
}

// "# Table `filter' is incompatible, use 'nft' tool." -> "filter".
std::optional<std::string> incompatibleBanner(std::string_view comment) {
  constexpr std::string_view kPrefix = "# Table `";
  if (!comment.starts_with(kPrefix) || comment.find("is incompatible") == std::string_view::npos) {
    return std::nullopt;
  }
  const auto rest = comment.substr(kPrefix.size());
  const auto end = rest.find('\'');
  if (end == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(rest.substr(0, end));
}

struct TableBuilder {
  IptablesTable table;
  std::unordered_map<std::string, std::uint32_t> nextPosition;  // chain -> rules seen so far
};

Result<IptablesRule> parseRuleLine(std::string_view line, std::size_t lineNo,
                                   TableBuilder& builder) {
  IptablesRule rule;
  rule.raw = std::string(line);
  std::string_view body = line;
  if (body.starts_with('[')) {
    const auto close = body.find(']');
    const auto counters =
        close == std::string_view::npos ? std::nullopt : parseCounters(body.substr(0, close + 1));
    if (!counters) {
      return lineError(lineNo, "malformed counters");
    }
    rule.packets = counters->first;
    rule.bytes = counters->second;
    body = trim(body.substr(close + 1));
  }
  auto tokens = tokenizeShell(body);
  if (!tokens) {
    return lineError(lineNo, tokens.error().message);
  }
  if (tokens->size() < 2 || ((*tokens)[0] != "-A" && (*tokens)[0] != "--append")) {
    return lineError(lineNo, "expected -A CHAIN");
  }
  rule.chain = std::move((*tokens)[1]);
  const auto pos = builder.nextPosition.find(rule.chain);
  if (pos == builder.nextPosition.end()) {
    return lineError(lineNo, "rule in undeclared chain " + rule.chain);
  }
  rule.position = pos->second++;
  tokens->erase(tokens->begin(), tokens->begin() + 2);
  rule.args = std::move(*tokens);
  for (std::size_t i = 0; i + 1 < rule.args.size(); ++i) {
    const auto& a = rule.args[i];
    if (a == "--comment") {
      rule.comments.push_back(rule.args[i + 1]);
    } else if (rule.target.empty() && (a == "-j" || a == "--jump")) {
      rule.target = rule.args[i + 1];
    } else if (rule.target.empty() && (a == "-g" || a == "--goto")) {
      rule.target = rule.args[i + 1];
      rule.isGoto = true;
    }
  }
  return rule;
}

}  // namespace

Result<std::vector<std::string>> tokenizeShell(std::string_view line) {
  std::vector<std::string> out;
  out.reserve(24);  // a kube-proxy or calico rule has 10-30 words
  std::size_t i = 0;
  const auto isBlank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (i < line.size()) {
    if (isBlank(line[i])) {
      ++i;
      continue;
    }
    // Most words hold no quote or backslash: taken as one substring. The first quote or
    // backslash switches the rest of the word to the character loop below.
    const std::size_t start = i;
    while (i < line.size() && !isBlank(line[i]) && line[i] != '\'' && line[i] != '"' &&
           line[i] != '\\') {
      ++i;
    }
    std::string cur(line.substr(start, i - start));
    char quote = 0;
    while (i < line.size()) {
      const char c = line[i];
      // Inside quotes every character is literal up to the closing quote, except a backslash
      // inside double quotes, which escapes the next character as it does outside.
      if (quote != 0 && !(quote == '"' && c == '\\')) {
        if (c == quote) {
          quote = 0;
        } else {
          cur.push_back(c);
        }
        ++i;
        continue;
      }
      if (c == '\\') {
        if (i + 1 >= line.size()) {
          return fail(ErrorCode::InvalidInput, "trailing backslash");
        }
        cur.push_back(line[i + 1]);
        i += 2;
        continue;
      }
      if (c == '"' || c == '\'') {
        quote = c;
        ++i;
        continue;
      }
      if (isBlank(c)) {
        break;
      }
      cur.push_back(c);
      ++i;
    }
    if (quote != 0) {
      return fail(ErrorCode::InvalidInput, "unterminated quote");
    }
    out.push_back(std::move(cur));
  }
  return out;
}

Result<IptablesDump> parseIptablesSave(std::string_view text) {
  IptablesDump dump;
  std::optional<TableBuilder> current;
  std::size_t lineNo = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const auto line = trim(text.substr(start, end - start));
    start = end + 1;
    ++lineNo;
    if (line.empty()) {
      continue;
    }
    if (line.front() == '#') {
      if (auto table = incompatibleBanner(line)) {
        dump.incompatibleTables.push_back(std::move(*table));
      }
      continue;
    }
    if (line.front() == '*') {
      if (current) {
        return lineError(lineNo, "table " + current->table.name + " has no COMMIT");
      }
      const auto name = trim(line.substr(1));
      if (name.empty() || name.find_first_of(kBlanks) != std::string_view::npos) {
        return lineError(lineNo, "malformed table header");
      }
      current.emplace();
      current->table.name = std::string(name);
      continue;
    }
    if (!current) {
      return lineError(lineNo, "content outside a table");
    }
    if (line == "COMMIT") {
      dump.tables.push_back(std::move(current->table));
      current.reset();
      continue;
    }
    if (line.front() == ':') {
      // ":NAME POLICY [p:b]"
      auto rest = line.substr(1);
      const auto sp1 = rest.find_first_of(kBlanks);
      if (sp1 == 0 || sp1 == std::string_view::npos) {
        return lineError(lineNo, "malformed chain declaration");
      }
      IptablesChain chain;
      chain.name = std::string(rest.substr(0, sp1));
      rest = trim(rest.substr(sp1));
      const auto sp2 = rest.find_first_of(kBlanks);
      chain.policy = std::string(rest.substr(0, sp2));
      if (chain.policy.empty()) {
        return lineError(lineNo, "chain without policy");
      }
      if (sp2 != std::string_view::npos) {
        const auto counters = parseCounters(trim(rest.substr(sp2)));
        if (!counters) {
          return lineError(lineNo, "malformed chain counters");
        }
        chain.packets = counters->first;
        chain.bytes = counters->second;
      }
      if (!current->nextPosition.emplace(chain.name, 0).second) {
        return lineError(lineNo, "chain " + chain.name + " declared twice");
      }
      current->table.chains.push_back(std::move(chain));
      continue;
    }
    auto rule = parseRuleLine(line, lineNo, *current);
    if (!rule) {
      return std::unexpected(std::move(rule.error()));
    }
    current->table.rules.push_back(std::move(*rule));
  }
  if (current) {
    return lineError(lineNo, "table " + current->table.name + " has no COMMIT");
  }
  return dump;
}

std::optional<std::string_view> ruleOption(const IptablesRule& rule, std::string_view option) {
  for (std::size_t i = 0; i + 1 < rule.args.size(); ++i) {
    if (rule.args[i] == option) {
      return std::string_view(rule.args[i + 1]);
    }
  }
  return std::nullopt;
}

const IptablesTable* findTable(const IptablesDump& dump, std::string_view name) {
  for (const auto& t : dump.tables) {
    if (t.name == name) {
      return &t;
    }
  }
  return nullptr;
}

std::vector<const IptablesRule*> chainRules(const IptablesTable& table, std::string_view chain) {
  std::vector<const IptablesRule*> out;
  for (const auto& r : table.rules) {
    if (r.chain == chain) {
      out.push_back(&r);
    }
  }
  return out;
}

bool hasEgressRules(std::string_view saveText) {
  return saveText.find("EGRESSGATEWAY") != std::string_view::npos ||
         saveText.find("EGRESS-GATEWAY") != std::string_view::npos ||
         saveText.find("egw:") != std::string_view::npos;
}

bool hasKubeMarkers(std::string_view saveText) {
  return saveText.find("KUBE-IPTABLES") != std::string_view::npos ||
         saveText.find("KUBE-KUBELET") != std::string_view::npos;
}

std::uint64_t hashText(std::string_view text) {
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](std::string_view bytes) {
    for (const unsigned char c : bytes) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  while (!text.empty()) {
    const auto eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (line.starts_with('#')) {
      continue;
    }
    if (line.starts_with(':') && line.ends_with(']')) {
      if (const auto counters = line.rfind(" ["); counters != std::string_view::npos) {
        line = line.substr(0, counters);
      }
    }
    mix(line);
    mix("\n");
  }
  return h;
}

IptablesSave buildIptablesSave(IptablesBackend backend, IpFamily family, std::string command,
                               std::string_view stdoutText, std::string stderrText) {
  IptablesSave save;
  save.backend = backend;
  save.family = family;
  save.command = std::move(command);
  save.stderrText = std::move(stderrText);
  save.rawHash = hashText(stdoutText);
  save.rawLines = static_cast<std::size_t>(std::ranges::count(stdoutText, '\n'));
  if (!stdoutText.empty() && stdoutText.back() != '\n') {
    ++save.rawLines;
  }
  save.kubeMarkers = hasKubeMarkers(stdoutText);
  save.egressRules = hasEgressRules(stdoutText);
  save.dump = parseIptablesSave(stdoutText);
  return save;
}

IptablesSnapshot summariseIptables(std::vector<IptablesSave> saves) {
  IptablesSnapshot snap;
  snap.saves = std::move(saves);
  bool anyOk[2] = {false, false};
  bool kube[2] = {false, false};
  bool egress[2] = {false, false};
  std::size_t lines[2] = {0, 0};
  for (const auto& s : snap.saves) {
    const auto b = static_cast<std::size_t>(s.backend);
    if (!s.dump) {
      continue;
    }
    anyOk[b] = true;
    kube[b] = kube[b] || s.kubeMarkers;
    egress[b] = egress[b] || s.egressRules;
    lines[b] += s.rawLines;
  }
  constexpr auto kNft = static_cast<std::size_t>(IptablesBackend::Nft);
  constexpr auto kLegacy = static_cast<std::size_t>(IptablesBackend::Legacy);
  if (kube[kNft]) {
    snap.activeBackend = IptablesBackend::Nft;
  } else if (kube[kLegacy]) {
    snap.activeBackend = IptablesBackend::Legacy;
  } else if (anyOk[kNft] || anyOk[kLegacy]) {
    const bool legacyWins = anyOk[kLegacy] && (!anyOk[kNft] || lines[kLegacy] > lines[kNft]);
    snap.activeBackend = legacyWins ? IptablesBackend::Legacy : IptablesBackend::Nft;
  }
  if (egress[kNft]) {
    snap.egressRuleBackends.push_back(IptablesBackend::Nft);
  }
  if (egress[kLegacy]) {
    snap.egressRuleBackends.push_back(IptablesBackend::Legacy);
  }
  snap.egressRulesSplit = egress[kNft] && egress[kLegacy];
  return snap;
}

}  // namespace egressdiag::datapath
