#include "operator/kube/work_queue.h"

namespace egressdiag::kube {

WorkQueue::WorkQueue(BackoffPolicy retry, Now now) : retry_(retry), now_(std::move(now)) {}

void WorkQueue::addLocked(const std::string& key) {
  if (shutDown_ || dirty_.contains(key)) {
    return;
  }
  dirty_.insert(key);
  if (processing_.contains(key)) {
    return;  // done() queues it
  }
  queue_.push_back(key);
  cv_.notify_one();
}

void WorkQueue::add(const std::string& key) {
  std::lock_guard lock(mutex_);
  waiting_.erase(key);
  addLocked(key);
}

void WorkQueue::addAfter(const std::string& key, Clock::duration delay) {
  std::lock_guard lock(mutex_);
  if (shutDown_) {
    return;
  }
  if (delay <= Clock::duration::zero()) {
    waiting_.erase(key);
    addLocked(key);
    return;
  }
  auto when = now_() + delay;
  auto [it, inserted] = waiting_.try_emplace(key, when);
  if (!inserted && when < it->second) {
    it->second = when;
  }
  cv_.notify_all();  // a sleeping get() may need to wake earlier
}

void WorkQueue::addRateLimited(const std::string& key) {
  unsigned attempt = 0;
  {
    std::lock_guard lock(mutex_);
    attempt = failures_[key]++;
  }
  addAfter(key, backoffDelay(retry_, attempt, 0.5));
}

void WorkQueue::forget(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

unsigned WorkQueue::failures(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::promoteDueLocked(Clock::time_point now) {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->second <= now) {
      std::string key = it->first;
      it = waiting_.erase(it);
      addLocked(key);
    } else {
      ++it;
    }
  }
}

std::optional<std::string> WorkQueue::popLocked() {
  if (queue_.empty()) {
    return std::nullopt;
  }
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  dirty_.erase(key);
  processing_.insert(key);
  return key;
}

std::optional<std::string> WorkQueue::tryGet() {
  std::lock_guard lock(mutex_);
  promoteDueLocked(now_());
  return popLocked();
}

std::optional<std::string> WorkQueue::get() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (shutDown_) {
      return std::nullopt;
    }
    auto now = now_();
    promoteDueLocked(now);
    if (auto key = popLocked()) {
      return key;
    }
    if (waiting_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto next = Clock::time_point::max();
    for (const auto& [key, when] : waiting_) {
      next = std::min(next, when);
    }
    // The injected clock may not be the real one: wait the remaining span in real time.
    cv_.wait_for(lock, next - now);
  }
}

void WorkQueue::done(const std::string& key) {
  std::lock_guard lock(mutex_);
  processing_.erase(key);
  if (dirty_.contains(key) && !shutDown_) {
    queue_.push_back(key);
    cv_.notify_one();
  }
}

void WorkQueue::shutDown() {
  std::lock_guard lock(mutex_);
  shutDown_ = true;
  cv_.notify_all();
}

bool WorkQueue::shuttingDown() const {
  std::lock_guard lock(mutex_);
  return shutDown_;
}

size_t WorkQueue::length() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace egressdiag::kube
