#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/cli/check_command.h"
#include "node-probe/daemon/daemon.h"
#include "node-probe/datapath/reader.h"
#include "operator/catalog/runbook.h"

namespace {

constexpr const char* kTopUsage =
    "Usage: egressdiag-probe COMMAND [ARGS]\n"
    "\n"
    "Commands:\n"
    "  run       keep checking this node and report to the cluster (the DaemonSet's mode)\n"
    "  check     run every node check once against this node and print the runbook\n"
    "  catalog   print the check catalog as markdown (docs/checks.md)\n"
    "\n"
    "Run `egressdiag-probe run --help` or `egressdiag-probe check --help` for the flags.\n";

// `run`: blocks the shutdown signals before any thread starts, so only sigwait() sees them.
int runCommand(const std::vector<std::string>& args) {
  using namespace egressdiag;
  std::vector<std::string_view> views(args.begin(), args.end());
  auto options = daemon::parseRunArgs(views, [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): before threads
    return value != nullptr ? std::optional<std::string>(value) : std::nullopt;
  });
  if (!options) {
    std::cerr << "egressdiag-probe run: " << options.error().message << "\n\n"
              << daemon::runUsage();
    return probe::kExitBadInput;
  }
  if (options->help) {
    std::cout << daemon::runUsage();
    return probe::kExitOk;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  logging::setup("probe", options->logFormat, options->logLevel);
  return daemon::runDaemon(*options);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? std::cerr : std::cout) << kTopUsage;
    return args.empty() ? egressdiag::probe::kExitBadInput : egressdiag::probe::kExitOk;
  }
  if (args[0] == "catalog") {
    std::cout << egressdiag::catalog::runbookMarkdown();
    return egressdiag::probe::kExitOk;
  }
  if (args[0] == "run") {
    return runCommand({args.begin() + 1, args.end()});
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
