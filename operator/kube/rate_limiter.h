#pragma once

#include <chrono>
#include <mutex>

namespace egressdiag::kube {

// Token bucket: `burst` requests at once, then `qps` per second (client-go's QPS/Burst).
// Pure core: the caller passes the time, reserve() says how long to wait before sending.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(double qps, int burst, Clock::time_point now);

  // Takes one token (possibly going into debt) and returns the wait before it may be used.
  // qps <= 0 disables limiting (always zero).
  Clock::duration reserve(Clock::time_point now);

 private:
  double qps_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
};

// Thread-safe wrapper that sleeps the calling thread for its turn.
class RateLimiter {
 public:
  RateLimiter(double qps, int burst);
  void wait();

 private:
  std::mutex mutex_;
  TokenBucket bucket_;
};

}  // namespace egressdiag::kube
