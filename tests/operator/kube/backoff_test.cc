#include "operator/kube/backoff.h"

#include <gtest/gtest.h>

#include "operator/kube/rate_limiter.h"

namespace egressdiag::kube {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DelayTable) {
  BackoffPolicy noJitter{milliseconds(100), milliseconds(5000), 2.0, 0.0};
  BackoffPolicy jitter{milliseconds(1000), milliseconds(8000), 2.0, 0.25};
  struct Case {
    BackoffPolicy policy;
    unsigned attempt;
    double r;
    int64_t want;
  };
  const std::vector<Case> cases = {
      {noJitter, 0, 0.5, 100},
      {noJitter, 1, 0.5, 200},
      {noJitter, 5, 0.0, 3200},
      {noJitter, 6, 0.9, 5000},
      {noJitter, 1000, 0.5, 5000},
      {jitter, 0, 0.0, 750},
      {jitter, 0, 0.5, 1000},
      {jitter, 0, 1.0, 1250},
      {jitter, 3, 0.5, 8000},
      {jitter, 9, 1.0, 10000},
      {jitter, 9, 0.0, 6000},
      {{milliseconds(10), milliseconds(100), 0.5, 0.0}, 4, 0.5, 10},  // factor < 1 means flat
      {{milliseconds(0), milliseconds(100), 2.0, 0.0}, 4, 0.5, 0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(backoffDelay(c.policy, c.attempt, c.r).count(), c.want) << c.attempt << " r=" << c.r;
  }
}

TEST(BackoffTest, StatefulResets) {
  Backoff backoff({milliseconds(100), milliseconds(1000), 2.0, 0.0});
  EXPECT_EQ(backoff.next().count(), 100);
  EXPECT_EQ(backoff.next().count(), 200);
  EXPECT_EQ(backoff.next().count(), 400);
  backoff.reset();
  EXPECT_EQ(backoff.next().count(), 100);
}

TEST(BackoffTest, RandomUnitInRange) {
  for (int i = 0; i < 1000; ++i) {
    double r = randomUnit();
    ASSERT_GE(r, 0.0);
    ASSERT_LT(r, 1.0);
  }
}

TEST(TokenBucketTest, BurstThenQps) {
  using Clock = TokenBucket::Clock;
  Clock::time_point t0{};
  TokenBucket bucket(10.0, 3, t0);  // 3 at once, then one per 100 ms
  struct Step {
    int64_t atMs;
    int64_t wantWaitMs;
  };
  const std::vector<Step> steps = {
      {0, 0},    {0, 0}, {0, 0},  // burst
      {0, 100},                   // 4th immediately: debt of one token
      {0, 200},                   // 5th: two tokens of debt
      {1000, 0},                  // a second later the bucket refilled (debt paid, capped at burst)
  };
  for (const auto& s : steps) {
    auto wait = bucket.reserve(t0 + milliseconds(s.atMs));
    EXPECT_EQ(std::chrono::duration_cast<milliseconds>(wait).count(), s.wantWaitMs) << s.atMs;
  }
  TokenBucket off(0, 1, t0);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(off.reserve(t0), Clock::duration::zero());
  }
}

}  // namespace
}  // namespace egressdiag::kube
