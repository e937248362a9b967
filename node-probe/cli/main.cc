#include <iostream>
#include <string>
#include <vector>

#include "node-probe/cli/check_command.h"
#include "node-probe/datapath/reader.h"

namespace {

constexpr const char* kTopUsage =
    "Usage: egressdiag-probe COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  check     run every node check once against this node and print the runbook\n"
    "  catalog   print the check catalog as markdown (docs/checks.md)\n"
    "\n"
    "Run `egressdiag-probe check --help` for the flags.\n";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? std::cerr : std::cout) << kTopUsage;
    return args.empty() ? egressdiag::probe::kExitBadInput : egressdiag::probe::kExitOk;
  }
  if (args[0] == "catalog") {
    std::cout << egressdiag::probe::catalogMarkdown();
    return egressdiag::probe::kExitOk;
  }
  if (args[0] != "check") {
    std::cerr << "egressdiag-probe: unknown command " << args[0] << "\n" << kTopUsage;
    return egressdiag::probe::kExitBadInput;
  }
  auto options = egressdiag::probe::parseCheckArgs({args.begin() + 1, args.end()});
  if (!options) {
    std::cerr << "egressdiag-probe check: " << options.error().message << "\n\n"
              << egressdiag::probe::checkUsage();
    return egressdiag::probe::kExitBadInput;
  }
  if (options->help) {
    std::cout << egressdiag::probe::checkUsage();
    return egressdiag::probe::kExitOk;
  }
  egressdiag::datapath::KernelDatapathReader reader;
  return egressdiag::probe::runCheckCommand(*options, reader, std::cout, std::cerr);
}
