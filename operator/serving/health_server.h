#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "operator/common/result.h"

namespace egressdiag::serving {

// Plain-HTTP /healthz (the process serves) and /readyz (`ready()`: caches synced) for kubelet
// probes. One thread, one short request per connection; anything else is 404.
class HealthServer {
 public:
  // Binds host:port (port 0 picks a free one, see port()). Unavailable naming the address
  // when it cannot bind.
  static Result<std::unique_ptr<HealthServer>> start(const std::string& host, int port,
                                                     std::function<bool()> ready);
  ~HealthServer();
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  int port() const { return port_; }

 private:
  HealthServer(int fd, int port, std::function<bool()> ready);
  void serve(std::stop_token stop);
  void answer(int client);

  int fd_;
  int port_;
  std::function<bool()> ready_;
  std::jthread thread_;
};

}  // namespace egressdiag::serving
