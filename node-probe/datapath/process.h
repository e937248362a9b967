#pragma once

// Runs a helper binary (iptables-save and friends) without a shell, in the calling thread's
// network namespace (a child inherits the namespace of the thread that spawns it).

#include <chrono>
#include <string>
#include <vector>

#include "operator/common/result.h"

namespace egressdiag::datapath {

struct ProcessOutput {
  int exitCode = 0;  // exit status; 128+N when killed by signal N
  std::string stdoutText;
  std::string stderrText;
};

// Spawns argv[0] (looked up in PATH) with stdin from /dev/null and collects stdout and stderr
// up to `maxBytes` each (the rest is discarded). Fails: Unavailable when the binary cannot be
// started (message names it), Timeout after `timeout` (the child is killed and reaped).
// A non-zero exit is not an error here: callers judge the output.
Result<ProcessOutput> runProcess(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout,
                                 std::size_t maxBytes = 64u << 20);

}  // namespace egressdiag::datapath
