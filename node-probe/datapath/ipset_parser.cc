#include "node-probe/datapath/ipset_parser.h"
#include "node-probe/datapath/text.h"

#include <unordered_map>
#include <utility>

namespace egressdiag::datapath {
namespace {

// Next blank-separated word of `s`, advancing `s` past it.
std::string_view nextWord(std::string_view& s) {
  s = trim(s);
  const auto end = s.find_first_of(kBlanks);
  const auto word = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view{} : s.substr(end);
  return word;
}

// "family inet6" within create options / a list Header; "inet" when absent (ipset's default).
std::string familyOf(std::string_view options) {
  while (!options.empty()) {
    const auto w = nextWord(options);
    if (w == "family") {
      const auto f = nextWord(options);
      return f.empty() ? std::string("inet") : std::string(f);
    }
    if (w.empty()) {
      break;
    }
  }
  return "inet";
}

std::unexpected<Error> lineError(std::string_view form, std::size_t lineNo, std::string_view what) {
  return fail(ErrorCode::InvalidInput,
              std::string(form) + " line " + std::to_string(lineNo) + ": " + std::string(what));
}

// Calls fn(lineNo, trimmedLine) for each line; stops at the first error fn returns.
template <class Fn>
Result<void> forEachLine(std::string_view text, Fn&& fn) {
  std::size_t start = 0;
  std::size_t lineNo = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    ++lineNo;
    auto r = fn(lineNo, trim(text.substr(start, end - start)));
    if (!r) {
      return r;
    }
    start = end + 1;
  }
  return {};
}

}  // namespace

std::string normaliseIpsetMember(std::string_view member, std::string_view family) {
  const std::string_view suffix = family == "inet6" ? "/128" : "/32";
  if (member.ends_with(suffix)) {
    member.remove_suffix(suffix.size());
  }
  return std::string(member);
}

Result<std::vector<IpsetSet>> parseIpsetSave(std::string_view text) {
  std::vector<IpsetSet> sets;
  std::unordered_map<std::string, std::size_t> byName;
  auto r = forEachLine(text, [&](std::size_t lineNo, std::string_view line) -> Result<void> {
    if (line.empty() || line.front() == '#') {
      return {};
    }
    std::string_view rest = line;
    const auto keyword = nextWord(rest);
    const auto name = nextWord(rest);
    if (name.empty()) {
      return lineError("ipset save", lineNo, "missing set name");
    }
    if (keyword == "create" || keyword == "-N") {
      const auto type = nextWord(rest);
      if (type.empty()) {
        return lineError("ipset save", lineNo, "missing set type");
      }
      if (!byName.emplace(std::string(name), sets.size()).second) {
        return lineError("ipset save", lineNo, "set " + std::string(name) + " created twice");
      }
      IpsetSet set;
      set.name = std::string(name);
      set.type = std::string(type);
      set.family = familyOf(rest);
      set.createLine = std::string(line);
      sets.push_back(std::move(set));
      return {};
    }
    if (keyword == "add" || keyword == "-A") {
      // Saves list a set's members right after its create line: try the last set first so
      // 100k members do not cost 100k hash lookups with a key allocation each.
      std::size_t index = sets.size();
      if (!sets.empty() && sets.back().name == name) {
        index = sets.size() - 1;
      } else if (const auto it = byName.find(std::string(name)); it != byName.end()) {
        index = it->second;
      }
      if (index == sets.size()) {
        return lineError("ipset save", lineNo, "add to unknown set " + std::string(name));
      }
      const auto member = nextWord(rest);
      if (member.empty()) {
        return lineError("ipset save", lineNo, "add without a member");
      }
      auto& set = sets[index];
      set.members.push_back(normaliseIpsetMember(member, set.family));
      return {};
    }
    return lineError("ipset save", lineNo, "unknown keyword " + std::string(keyword));
  });
  if (!r) {
    return std::unexpected(std::move(r.error()));
  }
  return sets;
}

Result<std::vector<IpsetSet>> parseIpsetList(std::string_view text) {
  std::vector<IpsetSet> sets;
  bool inMembers = false;
  bool inBlock = false;
  auto finishBlock = [&](std::size_t lineNo) -> Result<void> {
    if (inBlock && (sets.back().name.empty() || sets.back().type.empty())) {
      return lineError("ipset list", lineNo, "set block without Name or Type");
    }
    inBlock = false;
    inMembers = false;
    return {};
  };
  auto r = forEachLine(text, [&](std::size_t lineNo, std::string_view line) -> Result<void> {
    if (line.empty()) {
      return finishBlock(lineNo);
    }
    if (line.starts_with("Name:")) {
      if (auto f = finishBlock(lineNo); !f) {
        return f;
      }
      IpsetSet set;
      set.name = std::string(trim(line.substr(5)));
      set.family = "inet";
      set.createLine = std::string(line);
      sets.push_back(std::move(set));
      inBlock = true;
      return {};
    }
    if (!inBlock) {
      return lineError("ipset list", lineNo, "text outside a set block");
    }
    auto& set = sets.back();
    if (inMembers) {
      std::string_view rest = line;
      set.members.push_back(normaliseIpsetMember(nextWord(rest), set.family));
      return {};
    }
    set.createLine.append("\n").append(line);
    if (line.starts_with("Type:")) {
      set.type = std::string(trim(line.substr(5)));
    } else if (line.starts_with("Header:")) {
      set.family = familyOf(line.substr(7));
    } else if (line == "Members:") {
      inMembers = true;
    }
    return {};
  });
  if (!r) {
    return std::unexpected(std::move(r.error()));
  }
  if (auto f = finishBlock(0); !f) {
    return std::unexpected(std::move(f.error()));
  }
  return sets;
}

}  // namespace egressdiag::datapath
