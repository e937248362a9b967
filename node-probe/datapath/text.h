#pragma once

#include <string_view>

// Small text helpers shared by the pure parsers of tool output.
namespace egressdiag::datapath {

// Blanks between and around fields; CR because saved outputs may come with CRLF line ends.
inline constexpr std::string_view kBlanks = " \t\r";

// `s` without leading and trailing blanks.
inline std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(kBlanks);
  if (b == std::string_view::npos) {
    return {};
  }
  return s.substr(b, s.find_last_not_of(kBlanks) - b + 1);
}

}  // namespace egressdiag::datapath
