#pragma once

// `egressdiag-probe check`: the imperative shell around the pure expectations and checks.
// Decodes the objects file, reads the node through a DatapathReader, runs passive and active
// checks, and prints the runbook (human) or JSON.

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "node-probe/datapath/reader.h"
#include "operator/catalog/finding.h"
#include "operator/common/result.h"

namespace egressdiag::probe {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFail = 1;
inline constexpr int kExitBadInput = 2;

struct CheckOptions {
  std::string node;
  std::string objectsFile;
  bool json = false;
  std::string echoUrl;
  std::chrono::milliseconds timeout{3000};  // each active probe
  bool help = false;
};

// Parses the arguments after "check". InvalidInput naming the bad or missing flag.
Result<CheckOptions> parseCheckArgs(const std::vector<std::string>& args);

std::string checkUsage();

// The flavour(s) found and every finding for `node`. InvalidInput for malformed objects, a
// document with no egress-gateway objects, or a node the objects do not mention; nothing is
// read from the kernel in that case.
struct CheckReport {
  std::string node;
  std::vector<std::string> flavours;  // "spidernet", "azure"
  std::vector<catalog::Finding> findings;
};

Result<CheckReport> runChecks(const CheckOptions& options, std::string_view objectsJson,
                              datapath::DatapathReader& reader);

// {"node": ..., "findings": [...]}.
std::string renderJson(const CheckReport& report);
// One line per check and target; failing ones with evidence and fix; a summary line.
std::string renderHuman(const CheckReport& report);

// 1 when any finding is Fail, else 0.
int exitCodeOf(const CheckReport& report);

// The whole command: reads the file, runs, prints to out, reports bad input on err.
int runCheckCommand(const CheckOptions& options, datapath::DatapathReader& reader,
                    std::ostream& out, std::ostream& err);

}  // namespace egressdiag::probe
