#include "tests/support/testenv.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace egressdiag::testing {

std::optional<TestEnv> loadTestEnv(std::string* why) {
  const char* dir = std::getenv("EGRESSDIAG_TESTENV_DIR");
  if (dir == nullptr || *dir == '\0') {
    if (why != nullptr) {
      *why = "EGRESSDIAG_TESTENV_DIR is not set (run through ctest, which starts hack/testenv)";
    }
    return std::nullopt;
  }
  std::ifstream in(std::string(dir) + "/env");
  if (!in) {
    if (why != nullptr) {
      *why = std::string("cannot read ") + dir + "/env: is the testenv fixture up?";
    }
    return std::nullopt;
  }
  TestEnv env;
  env.dir = dir;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) {
      continue;
    }
    env.vars[line.substr(0, eq)] = line.substr(eq + 1);
  }
  env.server = env.vars["TESTENV_SERVER"];
  env.caFile = env.vars["TESTENV_CA"];
  env.kubeconfig = env.vars["KUBECONFIG"];
  env.kubectl = env.vars["KUBECTL"];
  if (env.server.empty() || env.kubeconfig.empty() || env.kubectl.empty()) {
    if (why != nullptr) {
      *why = std::string(dir) + "/env lacks TESTENV_SERVER, KUBECONFIG or KUBECTL";
    }
    return std::nullopt;
  }
  return env;
}

CommandResult runCommand(const std::vector<std::string>& argv, std::string_view input) {
  CommandResult result;
  if (argv.empty()) {
    result.err = "empty command";
    return result;
  }
  int inPipe[2], outPipe[2], errPipe[2];
  if (pipe2(inPipe, O_CLOEXEC) != 0 || pipe2(outPipe, O_CLOEXEC) != 0 ||
      pipe2(errPipe, O_CLOEXEC) != 0) {
    result.err = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(inPipe[0], 0);
    dup2(outPipe[1], 1);
    dup2(errPipe[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) {
      args.push_back(const_cast<char*>(a.c_str()));
    }
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(inPipe[0]);
  close(outPipe[1]);
  close(errPipe[1]);
  // Feed stdin and drain both outputs together so neither side can block on a full pipe.
  size_t written = 0;
  int inFd = inPipe[1];
  if (input.empty()) {
    close(inFd);
    inFd = -1;
  }
  bool outOpen = true, errOpen = true;
  std::array<char, 65536> buf{};
  while (outOpen || errOpen) {
    std::array<pollfd, 3> fds{{{outOpen ? outPipe[0] : -1, POLLIN, 0},
                               {errOpen ? errPipe[0] : -1, POLLIN, 0},
                               {inFd, POLLOUT, 0}}};
    if (poll(fds.data(), fds.size(), -1) < 0 && errno != EINTR) {
      break;
    }
    if (inFd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      ssize_t n = write(inFd, input.data() + written, input.size() - written);
      if (n > 0) {
        written += static_cast<size_t>(n);
      }
      if (n <= 0 || written == input.size()) {
        close(inFd);
        inFd = -1;
      }
    }
    for (int i = 0; i < 2; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
        continue;
      }
      ssize_t n = read(fds[i].fd, buf.data(), buf.size());
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buf.data(), static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        (i == 0 ? outOpen : errOpen) = false;
      }
    }
  }
  if (inFd >= 0) {
    close(inFd);
  }
  close(outPipe[0]);
  close(errPipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

CommandResult kubectl(const TestEnv& env, std::vector<std::string> args, std::string_view input) {
  args.insert(args.begin(), {env.kubectl, "--kubeconfig=" + env.kubeconfig});
  return runCommand(args, input);
}

} // namespace egressdiag::testing
