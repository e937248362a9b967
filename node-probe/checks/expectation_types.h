#pragma once

#include <string>

namespace egressdiag::checks {

// A rule the datapath must hold, in the form `iptables-save` prints it.
struct ExpectedRule {
  std::string table;  // "mangle", "nat", "filter"
  std::string chain;
  std::string comment;  // the agent's description comment; empty when the owner writes none
  std::string hash;     // "egw:<16 chars>" for spidernet rules in kernel chains; else empty
  std::string args;     // save-form arguments after "-A CHAIN", without comments

  bool operator==(const ExpectedRule&) const = default;
};

}  // namespace egressdiag::checks
