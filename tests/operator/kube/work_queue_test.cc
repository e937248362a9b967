#include "operator/kube/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace egressdiag::kube {
namespace {

using std::chrono::milliseconds;

// A fake clock the tests move by hand.
struct FakeClock {
  WorkQueue::Clock::time_point now{};
  WorkQueue::Now fn() {
    return [this] { return now; };
  }
};

TEST(WorkQueueTest, DeduplicatesAndKeepsOrder) {
  WorkQueue queue;
  for (const char* key : {"a", "b", "a", "c", "b"}) {
    queue.add(key);
  }
  EXPECT_EQ(queue.length(), 3u);
  std::vector<std::string> got;
  while (auto key = queue.tryGet()) {
    got.push_back(*key);
    queue.done(*key);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(WorkQueueTest, KeyReaddedWhileProcessingComesBackAfterDone) {
  WorkQueue queue;
  queue.add("a");
  auto first = queue.tryGet();
  ASSERT_EQ(first, "a");
  queue.add("a");  // while processing: not handed to a second worker
  queue.add("a");
  EXPECT_FALSE(queue.tryGet().has_value());
  queue.done("a");
  EXPECT_EQ(queue.tryGet(), "a");
  queue.done("a");
  EXPECT_FALSE(queue.tryGet().has_value());
}

TEST(WorkQueueTest, PerKeyExponentialBackoff) {
  FakeClock clock;
  WorkQueue queue({milliseconds(10), milliseconds(1000), 2.0, 0.0}, clock.fn());
  struct Step {
    int64_t advanceMs;
    bool wantReady;
  };
  // failures: 0 -> 10 ms, 1 -> 20 ms, 2 -> 40 ms
  const std::vector<int64_t> delays = {10, 20, 40, 80};
  for (size_t i = 0; i < delays.size(); ++i) {
    queue.addRateLimited("k");
    EXPECT_EQ(queue.failures("k"), i + 1);
    clock.now += milliseconds(delays[i] - 1);
    EXPECT_FALSE(queue.tryGet().has_value()) << "attempt " << i;
    clock.now += milliseconds(1);
    auto key = queue.tryGet();
    ASSERT_EQ(key, "k") << "attempt " << i;
    queue.done("k");
  }
  queue.forget("k");
  EXPECT_EQ(queue.failures("k"), 0u);
  queue.addRateLimited("k");
  clock.now += milliseconds(10);
  EXPECT_EQ(queue.tryGet(), "k");
}

TEST(WorkQueueTest, AddAfterKeepsEarliestAndAddWinsOverDelay) {
  FakeClock clock;
  WorkQueue queue({}, clock.fn());
  queue.addAfter("x", milliseconds(100));
  queue.addAfter("x", milliseconds(50));
  queue.addAfter("x", milliseconds(300));
  clock.now += milliseconds(50);
  EXPECT_EQ(queue.tryGet(), "x");
  queue.done("x");
  clock.now += milliseconds(1000);
  EXPECT_FALSE(queue.tryGet().has_value()) << "the later delays were merged into the first";

  queue.addAfter("y", milliseconds(100));
  queue.add("y");
  EXPECT_EQ(queue.tryGet(), "y");
  queue.done("y");
  clock.now += milliseconds(200);
  EXPECT_FALSE(queue.tryGet().has_value());
}

TEST(WorkQueueTest, ShutDownWakesBlockedGet) {
  WorkQueue queue;
  std::optional<std::string> got = "sentinel";
  std::thread worker([&] { got = queue.get(); });
  queue.shutDown();
  worker.join();
  EXPECT_FALSE(got.has_value());
  queue.add("late");
  EXPECT_EQ(queue.length(), 0u);
}

TEST(WorkQueueTest, BlockingGetReturnsAddedKey) {
  WorkQueue queue;
  std::optional<std::string> got;
  std::thread worker([&] { got = queue.get(); });
  queue.add("z");
  worker.join();
  EXPECT_EQ(got, "z");
}

}  // namespace
}  // namespace egressdiag::kube
