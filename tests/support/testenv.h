#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace egressdiag::testing {

// The control plane started by hack/testenv/up.sh, as described by its state dir's `env` file.
struct TestEnv {
  std::string dir;        // state dir
  std::string server;     // https://127.0.0.1:<port>
  std::string caFile;     // PEM of the CA that signed the serving cert
  std::string kubeconfig; // admin (system:masters) client-cert kubeconfig
  std::string kubectl;    // kubectl matching the server version
  std::map<std::string, std::string> vars; // every KEY=VALUE of the env file
};

// The repository root (tests run scripts from hack/).
inline std::string sourceDir() { return EGRESSDIAG_SOURCE_DIR; }

// Loads the environment named by $EGRESSDIAG_TESTENV_DIR (set by CTest for TESTENV tests).
// Returns nullopt, with a message in `why`, when the variable or the file is missing.
std::optional<TestEnv> loadTestEnv(std::string* why = nullptr);

struct CommandResult {
  int exitCode = -1;
  std::string out;
  std::string err;
};

// Runs argv (no shell) with `input` on stdin and collects both streams. Never throws.
CommandResult runCommand(const std::vector<std::string>& argv, std::string_view input = {});

// kubectl --kubeconfig=<admin> args...
CommandResult kubectl(const TestEnv& env, std::vector<std::string> args,
                      std::string_view input = {});

} // namespace egressdiag::testing
