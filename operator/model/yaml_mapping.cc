#include "operator/model/yaml_mapping.h"

#include <optional>
#include <set>
#include <vector>

namespace egressdiag::model {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

Error lineError(std::size_t line, std::string_view what) {
  return Error{ErrorCode::InvalidInput,
               "YAML line " + std::to_string(line) + ": " + std::string(what)};
}

// The text before a comment: `#` at the start or after a blank, outside quotes.
Result<std::string_view> stripComment(std::string_view text, std::size_t line) {
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == '\\' && quote == '"') {
        ++i;
      } else if (c == quote) {
        // '' inside single quotes is an escaped quote, not the end.
        if (quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
          ++i;
        } else {
          quote = 0;
        }
      }
    } else if ((c == '"' || c == '\'') && (i == 0 || text[i - 1] == ' ' || text[i - 1] == ':' ||
                                           text[i - 1] == '{' || text[i - 1] == ',')) {
      quote = c;
    } else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t')) {
      return text.substr(0, i);
    }
  }
  if (quote != 0) {
    return std::unexpected(lineError(line, "unterminated quoted scalar"));
  }
  return text;
}

// A scalar as written, unquoted when quoted. Refuses what this reader does not model.
Result<std::string> scalar(std::string_view raw, std::size_t line) {
  raw = trim(raw);
  if (raw.size() >= 2 && raw.front() == '\'' && raw.back() == '\'') {
    std::string out;
    for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
      out += raw[i];
      if (raw[i] == '\'') {
        ++i;  // '' -> '
      }
    }
    return out;
  }
  if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 2 < raw.size()) {
        char e = raw[++i];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
      } else {
        out += raw[i];
      }
    }
    return out;
  }
  if (!raw.empty() && (raw.front() == '&' || raw.front() == '*' || raw.front() == '!')) {
    return std::unexpected(lineError(line, "anchors, aliases and tags are not supported"));
  }
  if (!raw.empty() && (raw.front() == '"' || raw.front() == '\'')) {
    return std::unexpected(lineError(line, "unterminated quoted scalar"));
  }
  return std::string(raw);
}

// Where a mapping key ends: the first ": " (or a trailing ":") outside quotes.
std::optional<std::size_t> keyEnd(std::string_view text) {
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      }
    } else if (i == 0 && (c == '"' || c == '\'')) {
      quote = c;
    } else if (c == ':' && (i + 1 == text.size() || text[i + 1] == ' ')) {
      return i;
    }
  }
  return std::nullopt;
}

struct Level {
  std::size_t indent;
  std::string path;  // dotted, with a trailing '.'
};

class Reader {
 public:
  Result<std::map<std::string, std::string>> read(std::string_view yaml) {
    std::size_t lineNo = 0;
    while (!yaml.empty()) {
      std::size_t nl = yaml.find('\n');
      std::string_view raw = yaml.substr(0, nl);
      yaml = nl == std::string_view::npos ? std::string_view{} : yaml.substr(nl + 1);
      ++lineNo;
      if (ended_) {
        break;
      }
      if (auto ok = line(raw, lineNo); !ok) {
        return std::unexpected(ok.error());
      }
    }
    return std::move(out_);
  }

 private:
  Result<void> line(std::string_view raw, std::size_t lineNo) {
    std::size_t indent = 0;
    while (indent < raw.size() && raw[indent] == ' ') {
      ++indent;
    }
    std::string_view rest = raw.substr(indent);
    if (trim(rest).empty()) {
      return {};  // blank lines never end a nested block
    }
    if (skipDeeperThan_ && indent > *skipDeeperThan_) {
      return {};  // inside a block scalar or a sequence item
    }
    skipDeeperThan_.reset();
    if (rest.front() == '\t') {
      return std::unexpected(lineError(lineNo, "tab in indentation"));
    }
    auto text = stripComment(rest, lineNo);
    if (!text) {
      return std::unexpected(text.error());
    }
    std::string_view body = trim(*text);
    if (body.empty()) {
      return {};
    }
    if (indent == 0 && body == "---") {
      if (!seen_.empty()) {
        return std::unexpected(lineError(lineNo, "more than one document"));
      }
      return {};
    }
    if (indent == 0 && body == "...") {
      ended_ = true;  // the rest is not part of the document
      return {};
    }
    while (!levels_.empty() && levels_.back().indent >= indent) {
      levels_.pop_back();
    }
    // go-yaml writes a mapping's sequence items at the mapping's own indentation.
    if (body == "-" || body.starts_with("- ")) {
      skipDeeperThan_ = indent;
      return {};
    }
    auto end = keyEnd(body);
    if (!end) {
      return std::unexpected(lineError(lineNo, "expected `key: value`, `key:` or `- item`"));
    }
    auto key = scalar(body.substr(0, *end), lineNo);
    if (!key) {
      return std::unexpected(key.error());
    }
    std::string path = (levels_.empty() ? std::string() : levels_.back().path) + *key;
    if (!seen_.insert(path).second) {
      return std::unexpected(lineError(lineNo, "key " + path + " repeated"));
    }
    std::string_view value = trim(body.substr(*end + 1));
    if (value.empty()) {
      levels_.push_back(Level{indent, path + "."});
      return {};
    }
    if (value.front() == '|' || value.front() == '>' || value.front() == '[') {
      if (value.front() == '[' && value.back() != ']') {
        return std::unexpected(lineError(lineNo, "multi-line flow sequences are not supported"));
      }
      skipDeeperThan_ = indent;
      return {};
    }
    if (value.front() == '{') {
      return flowMapping(value, path, lineNo);
    }
    auto parsed = scalar(value, lineNo);
    if (!parsed) {
      return std::unexpected(parsed.error());
    }
    out_[path] = std::move(*parsed);
    return {};
  }

  Result<void> flowMapping(std::string_view value, const std::string& path, std::size_t lineNo) {
    if (value.back() != '}') {
      return std::unexpected(lineError(lineNo, "multi-line flow mappings are not supported"));
    }
    std::string_view inner = value.substr(1, value.size() - 2);
    if (inner.find_first_of("{}[]") != std::string_view::npos) {
      return std::unexpected(lineError(lineNo, "nested flow collections are not supported"));
    }
    while (!trim(inner).empty()) {
      std::size_t comma = inner.find(',');
      std::string_view item = trim(inner.substr(0, comma));
      inner = comma == std::string_view::npos ? std::string_view{} : inner.substr(comma + 1);
      std::size_t colon = item.find(':');
      if (colon == std::string_view::npos) {
        return std::unexpected(lineError(lineNo, "flow mapping entry without `:`"));
      }
      auto key = scalar(item.substr(0, colon), lineNo);
      auto v = scalar(item.substr(colon + 1), lineNo);
      if (!key || !v) {
        return std::unexpected(!key ? key.error() : v.error());
      }
      std::string full = path + "." + *key;
      if (!seen_.insert(full).second) {
        return std::unexpected(lineError(lineNo, "key " + full + " repeated"));
      }
      out_[full] = std::move(*v);
    }
    return {};
  }

  std::vector<Level> levels_;
  std::optional<std::size_t> skipDeeperThan_;
  bool ended_ = false;
  std::set<std::string> seen_;
  std::map<std::string, std::string> out_;
};

}  // namespace

Result<std::map<std::string, std::string>> readYamlScalars(std::string_view yaml) {
  return Reader().read(yaml);
}

std::optional<bool> yamlBool(std::string_view value) {
  for (std::string_view yes : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"}) {
    if (value == yes) {
      return true;
    }
  }
  for (std::string_view no : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"}) {
    if (value == no) {
      return false;
    }
  }
  return std::nullopt;
}

}  // namespace egressdiag::model
