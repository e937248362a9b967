#pragma once

// Pure functions over iptables-save text: no I/O, safe on any input (errors, never a crash).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/datapath/snapshot.h"
#include "operator/common/result.h"

namespace egressdiag::datapath {

// Splits one line the way a POSIX shell splits words for iptables-restore: blanks separate,
// "..." and '...' quote, backslash escapes the next character outside single quotes.
// Fails (InvalidInput) on an unterminated quote.
Result<std::vector<std::string>> tokenizeShell(std::string_view line);

// Parses the output of `iptables-save` / `ip6tables-save` (with or without -c counters).
// Keeps every rule's raw line. Comment lines are ignored except the
// "# Table `X' is incompatible, use 'nft' tool." banner, recorded in incompatibleTables.
// Fails (InvalidInput, message "line N: ...") on a rule or chain outside a table, a rule in an
// undeclared chain, unbalanced quotes, or a table without COMMIT.
Result<IptablesDump> parseIptablesSave(std::string_view text);

// The value following `option` (e.g. "--to-source", "--set-xmark") in a rule's argv; the first
// occurrence. Empty optional when absent or last.
std::optional<std::string_view> ruleOption(const IptablesRule& rule, std::string_view option);

// The table named `name` in `dump`, or nullptr.
const IptablesTable* findTable(const IptablesDump& dump, std::string_view name);

// Rules of `chain` within `table` in chain order.
std::vector<const IptablesRule*> chainRules(const IptablesTable& table, std::string_view chain);

// True when the text mentions an egress-gateway rule or chain: spidernet's `EGRESSGATEWAY`
// chains or `egw:` comments, Azure's `EGRESS-GATEWAY` chains.
bool hasEgressRules(std::string_view saveText);

// True when the text mentions KUBE-IPTABLES or KUBE-KUBELET (kubelet's canary chains).
bool hasKubeMarkers(std::string_view saveText);

// 64-bit FNV-1a of `text`: the cheap change test a poller uses to skip a re-parse when the save
// output did not change (not cryptographic; a collision only delays one refresh).
std::uint64_t hashText(std::string_view text);

// One save run as a value: parses `stdoutText` into `dump` (a parse error becomes the dump's
// error) and fills rawHash, rawLines, kubeMarkers and egressRules from the raw text.
IptablesSave buildIptablesSave(IptablesBackend backend, IpFamily family, std::string command,
                               std::string_view stdoutText, std::string stderrText);

// Derives activeBackend, egressRuleBackends and egressRulesSplit from the saves, with
// spidernet's backend rule (pkg/iptables/version.go): nft if an nft save has kubelet markers,
// else legacy if a legacy save has them, else the backend with more lines (nft on a tie).
IptablesSnapshot summariseIptables(std::vector<IptablesSave> saves);

}  // namespace egressdiag::datapath
