#pragma once

#include <unistd.h>

namespace egressdiag::datapath {

// Owns one file descriptor and closes it on scope exit, so early returns on error paths (EPERM,
// timeouts, short reads) never leak sockets or namespace handles. A negative value owns nothing.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace egressdiag::datapath
