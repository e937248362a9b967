#include "operator/kube/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace egressdiag::kube {

TokenBucket::TokenBucket(double qps, int burst, Clock::time_point now)
    : qps_(qps), burst_(std::max(burst, 1)), tokens_(std::max(burst, 1)), last_(now) {}

TokenBucket::Clock::duration TokenBucket::reserve(Clock::time_point now) {
  if (qps_ <= 0) {
    return Clock::duration::zero();
  }
  if (now > last_) {
    double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  tokens_ -= 1.0;
  if (tokens_ >= 0) {
    return Clock::duration::zero();
  }
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(-tokens_ / qps_));
}

RateLimiter::RateLimiter(double qps, int burst) : bucket_(qps, burst, TokenBucket::Clock::now()) {}

void RateLimiter::wait() {
  TokenBucket::Clock::duration delay;
  {
    std::lock_guard lock(mutex_);
    delay = bucket_.reserve(TokenBucket::Clock::now());
  }
  if (delay > TokenBucket::Clock::duration::zero()) {
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace egressdiag::kube
