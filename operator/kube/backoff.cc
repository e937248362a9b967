#include "operator/kube/backoff.h"

#include <algorithm>
#include <cmath>
#include <mutex>

namespace egressdiag::kube {

std::chrono::milliseconds backoffDelay(const BackoffPolicy& policy, unsigned attempt,
                                       double random01) {
  double maxMs = static_cast<double>(std::max<int64_t>(policy.max.count(), 0));
  double nominal = static_cast<double>(std::max<int64_t>(policy.initial.count(), 0));
  // Multiply step by step so a huge attempt count saturates at max instead of overflowing.
  for (unsigned i = 0; i < attempt && nominal < maxMs; ++i) {
    nominal *= std::max(policy.factor, 1.0);
  }
  nominal = std::min(nominal, maxMs);
  double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  double r = std::clamp(random01, 0.0, 1.0);
  double delay = nominal * (1.0 + jitter * (2.0 * r - 1.0));
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(std::max(delay, 0.0))));
}

Backoff::Backoff(BackoffPolicy policy) : policy_(policy), rng_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::next() {
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  return backoffDelay(policy_, attempt_++, dist(rng_));
}

double randomUnit() {
  static std::mutex mutex;
  static std::mt19937_64 rng(std::random_device{}());
  std::lock_guard lock(mutex);
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace egressdiag::kube
