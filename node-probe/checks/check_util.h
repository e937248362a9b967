#pragma once

// Helpers shared by the check families: finding constructors, iptables rule comparison,
// rendering snapshot values the way the runbook commands print them (evidence).

#include <string>
#include <string_view>
#include <vector>

#include "node-probe/checks/expectation_types.h"
#include "node-probe/datapath/snapshot.h"
#include "operator/catalog/finding.h"

namespace egressdiag::checks {

using catalog::CheckId;
using catalog::Finding;
using catalog::Status;

Finding pass(CheckId id, std::string target, std::string reason, std::string message,
             std::vector<std::string> evidence = {});
Finding failed(CheckId id, std::string target, std::string reason, std::string message,
               std::vector<std::string> evidence = {});
Finding skipped(CheckId id, std::string target, std::string reason, std::string message);
// Unknown for a snapshot part the reader could not produce; keeps the reader's words (e.g.
// "needs CAP_NET_ADMIN") so the operator can tell "cannot see" from "broken".
Finding unknownFrom(CheckId id, std::string target, std::string_view what, const Error& error);

// Comparable form of a rule: comment matches removed, lower case (iptables-save prints MACs
// upper case), "--mark X/0xffffffff" shortened to "--mark X" as iptables-save does.
std::string ruleKey(const std::vector<std::string>& args);
std::string ruleKey(std::string_view saveArgs);

// "-A CHAIN <args>" of an expected rule, for messages and evidence.
std::string renderExpected(const ExpectedRule& rule);

// The IPv4 dump to judge: the backend holding egress rules, else the active backend.
// Error when no IPv4 save succeeded (the save's own error).
Result<const datapath::IptablesDump*> ipv4Dump(const datapath::IptablesSnapshot& snapshot);

std::string renderRule(const datapath::Rule& rule);
std::string renderRoute(const datapath::Route& route);
std::string renderNeighbour(const datapath::Neighbour& n);
std::string renderFdb(const datapath::FdbEntry& f);
std::string renderAddress(const datapath::Address& a);

// `prefix` followed by `items` separated by `sep`.
std::string join(const std::vector<std::string>& items, std::string_view sep,
                 std::string_view prefix = {});

// Sorted difference a \ b of two sorted vectors.
std::vector<std::string> minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b);

}  // namespace egressdiag::checks
