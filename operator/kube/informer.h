#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "operator/kube/reflector.h"

namespace egressdiag::kube {

// Turns raw JSON into a typed object (operator/model provides one per kind). Must not throw;
// a failure makes the informer skip (and log) that object.
template <class T>
using Decoder = std::function<Result<T>(const rapidjson::Value&)>;

template <class T>
using ObjectPtr = std::shared_ptr<const T>;

// Called on the informer's thread, in event order, without the cache lock held (handlers may
// read the cache). Typical handlers only enqueue a key in a WorkQueue.
template <class T>
struct InformerHandlers {
  std::function<void(const ObjectPtr<T>&)> onAdd;
  std::function<void(const ObjectPtr<T>& before, const ObjectPtr<T>& after)> onUpdate;
  std::function<void(const ObjectPtr<T>&)> onDelete;
};

// Cache of one resource kept current by list+watch (see Reflector), with event handlers.
// After a relist (410) the handlers see the difference: adds, updates (resourceVersion changed)
// and deletes, so nothing is missed. Objects are immutable and shared: get()/list() are cheap.
template <class T>
class Informer : private ReflectorSink {
 public:
  Informer(Client& client, ReflectorOptions options, Decoder<T> decode)
      : client_(client), options_(std::move(options)), decode_(std::move(decode)) {}
  ~Informer() override { stop(); }
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  // Register before start().
  void addHandlers(InformerHandlers<T> handlers) { handlers_.push_back(std::move(handlers)); }

  void start() {
    thread_ = std::jthread(
        [this](std::stop_token stop) { runReflector(client_, options_, *this, stats_, stop); });
  }
  // Stops the watch and joins the thread (idempotent).
  void stop() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }

  bool hasSynced() const {
    std::lock_guard lock(mutex_);
    return synced_;
  }
  // Waits until the first LIST has been delivered; false on timeout.
  bool waitForSync(std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return syncedCv_.wait_for(lock, timeout, [this] { return synced_; });
  }

  // Key: "namespace/name" or "name" (cluster-scoped).
  ObjectPtr<T> get(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    return it == cache_.end() ? nullptr : it->second.object;
  }
  std::vector<ObjectPtr<T>> list() const {
    std::lock_guard lock(mutex_);
    std::vector<ObjectPtr<T>> out;
    out.reserve(cache_.size());
    for (const auto& [key, entry] : cache_) {
      out.push_back(entry.object);
    }
    return out;
  }
  std::vector<std::string> keys() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [key, entry] : cache_) {
      out.push_back(key);
    }
    return out;
  }
  const ReflectorStats& stats() const { return stats_; }
  const ResourceRef& resource() const { return options_.resource; }

 private:
  struct Entry {
    std::string resourceVersion;
    ObjectPtr<T> object;
  };

  ObjectPtr<T> decode(const ObjectIdentity& identity, const rapidjson::Value& object) {
    auto decoded = decode_(object);
    if (!decoded) {
      ++stats_.decodeErrors;
      logDecodeFailure(options_.resource, identity.key(), decoded.error());
      return nullptr;
    }
    return std::make_shared<const T>(std::move(*decoded));
  }

  void beginList() override { pending_.clear(); }

  void listItem(ObjectIdentity identity, const rapidjson::Value& object) override {
    std::string key = identity.key();
    {
      // Unchanged objects keep their decoded value: a relist does not re-decode them.
      std::lock_guard lock(mutex_);
      auto it = cache_.find(key);
      if (it != cache_.end() && it->second.resourceVersion == identity.resourceVersion) {
        pending_[key] = it->second;
        return;
      }
    }
    if (auto decoded = decode(identity, object)) {
      pending_[key] = Entry{identity.resourceVersion, std::move(decoded)};
    }
  }

  void endList() override {
    std::vector<std::function<void()>> calls;
    {
      std::lock_guard lock(mutex_);
      for (auto& [key, entry] : pending_) {
        auto it = cache_.find(key);
        if (it == cache_.end()) {
          calls.push_back([this, now = entry.object] { fireAdd(now); });
        } else if (it->second.resourceVersion != entry.resourceVersion) {
          calls.push_back(
              [this, before = it->second.object, now = entry.object] { fireUpdate(before, now); });
        }
      }
      for (auto& [key, entry] : cache_) {
        if (!pending_.contains(key)) {
          calls.push_back([this, before = entry.object] { fireDelete(before); });
        }
      }
      cache_ = std::move(pending_);
      pending_.clear();
      synced_ = true;
    }
    syncedCv_.notify_all();
    for (auto& call : calls) {
      call();
    }
  }

  void watchEvent(const WatchEvent& event) override {
    std::string key = event.identity.key();
    if (event.type == WatchEventType::Deleted) {
      ObjectPtr<T> before;
      {
        std::lock_guard lock(mutex_);
        auto it = cache_.find(key);
        if (it == cache_.end()) {
          return;
        }
        before = std::move(it->second.object);
        cache_.erase(it);
      }
      fireDelete(before);
      return;
    }
    auto decoded = decode(event.identity, event.object());
    if (!decoded) {
      return;
    }
    ObjectPtr<T> before;
    {
      std::lock_guard lock(mutex_);
      auto& entry = cache_[key];
      before = std::move(entry.object);
      entry = Entry{event.identity.resourceVersion, decoded};
    }
    if (before) {
      fireUpdate(before, decoded);
    } else {
      fireAdd(decoded);
    }
  }

  void fireAdd(const ObjectPtr<T>& object) {
    for (auto& h : handlers_) {
      if (h.onAdd) {
        h.onAdd(object);
      }
    }
  }
  void fireUpdate(const ObjectPtr<T>& before, const ObjectPtr<T>& after) {
    for (auto& h : handlers_) {
      if (h.onUpdate) {
        h.onUpdate(before, after);
      }
    }
  }
  void fireDelete(const ObjectPtr<T>& object) {
    for (auto& h : handlers_) {
      if (h.onDelete) {
        h.onDelete(object);
      }
    }
  }

  Client& client_;
  ReflectorOptions options_;
  Decoder<T> decode_;
  std::vector<InformerHandlers<T>> handlers_;
  ReflectorStats stats_;
  mutable std::mutex mutex_;
  mutable std::condition_variable syncedCv_;
  std::map<std::string, Entry> cache_;
  std::map<std::string, Entry> pending_;  // reflector thread only
  bool synced_ = false;
  std::jthread thread_;  // last: stopped and joined before the rest is destroyed
};

// Decoder for informers over raw JSON (no typed model): a private copy of each object.
Result<JsonDocument> rawDecoder(const rapidjson::Value& object);

}  // namespace egressdiag::kube
