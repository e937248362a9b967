#pragma once

#include <chrono>
#include <random>

namespace egressdiag::kube {

// Exponential backoff: initial * factor^attempt, capped at `max`, then spread by +-jitter.
struct BackoffPolicy {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{30'000};
  double factor = 2.0;
  double jitter = 0.2;  // 0.2: the delay lands in [0.8, 1.2] x the nominal value
};

// Pure: delay before retry number `attempt` (0 = first retry) given a uniform sample
// `random01` in [0,1). Never negative; never above max * (1 + jitter).
std::chrono::milliseconds backoffDelay(const BackoffPolicy& policy, unsigned attempt,
                                       double random01);

// Stateful helper for one retry loop (reconnects). Not thread-safe.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy);
  std::chrono::milliseconds next();  // delay for the next retry; advances the attempt count
  void reset() { attempt_ = 0; }
  unsigned attempt() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  unsigned attempt_ = 0;
  std::mt19937_64 rng_;
};

// A uniform sample in [0,1) from a process-wide, thread-safe generator (jitter only).
double randomUnit();

}  // namespace egressdiag::kube
