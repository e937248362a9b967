#include "operator/kube/reflector.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "operator/kube/informer.h"

namespace egressdiag::kube {
namespace {

enum class ListOutcome { Done, Gone, Failed, Stopped };

// One complete (paged) LIST into the sink; on success sets `resourceVersion`.
ListOutcome listAll(Client& client, const ReflectorOptions& options, ReflectorSink& sink,
                    std::string& resourceVersion, std::chrono::milliseconds& retryAfter,
                    std::stop_token stop) {
  ListOptions list;
  list.labelSelector = options.labelSelector;
  list.fieldSelector = options.fieldSelector;
  list.limit = options.pageSize;
  sink.beginList();
  while (true) {
    if (stop.stop_requested()) {
      return ListOutcome::Stopped;
    }
    auto page = client.listPage(options.resource, options.ns, list);
    if (!page) {
      spdlog::warn("kube: list {}: {}", options.resource.plural, page.error().describe());
      retryAfter = std::chrono::duration_cast<std::chrono::milliseconds>(page.error().retryAfter);
      return page.error().reason == ApiReason::Gone ? ListOutcome::Gone : ListOutcome::Failed;
    }
    const auto& items = page->items();
    for (const auto& item : items.GetArray()) {
      auto identity = readIdentity(item);
      if (!identity) {
        spdlog::warn("kube: list {}: skipping item: {}", options.resource.plural,
                     identity.error().message);
        continue;
      }
      sink.listItem(std::move(*identity), item);
    }
    if (page->continueToken.empty()) {
      if (page->resourceVersion.empty()) {
        spdlog::warn("kube: list {}: no metadata.resourceVersion", options.resource.plural);
        return ListOutcome::Failed;
      }
      resourceVersion = page->resourceVersion;
      sink.endList();
      return ListOutcome::Done;
    }
    list.continueToken = page->continueToken;
  }
}

}  // namespace

bool sleepFor(std::chrono::milliseconds duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any cv;
  std::unique_lock lock(mutex);
  return !cv.wait_for(lock, stop, duration, [] { return false; }) && !stop.stop_requested();
}

void logDecodeFailure(const ResourceRef& resource, const std::string& key, const Error& error) {
  spdlog::warn("kube: {} {}: cannot decode, skipped: {}", resource.plural, key, error.message);
}

Result<JsonDocument> rawDecoder(const rapidjson::Value& object) {
  return copyJson(object);
}

void runReflector(Client& client, const ReflectorOptions& options, ReflectorSink& sink,
                  ReflectorStats& stats, std::stop_token stop) {
  Backoff backoff(options.backoff);
  std::string resourceVersion;
  bool needList = true;
  bool gone = false;
  auto pause = [&](std::chrono::milliseconds retryAfter) {
    ++stats.failures;
    auto delay = std::max(backoff.next(), retryAfter);
    return sleepFor(delay, stop);
  };
  while (!stop.stop_requested()) {
    if (needList) {
      std::chrono::milliseconds retryAfter{0};
      auto outcome = listAll(client, options, sink, resourceVersion, retryAfter, stop);
      if (outcome == ListOutcome::Stopped) {
        return;
      }
      if (outcome != ListOutcome::Done) {
        // A 410 here means an expired continue token: the retry starts the list afresh.
        if (!pause(retryAfter)) {
          return;
        }
        continue;
      }
      ++stats.lists;
      if (gone) {
        ++stats.relistsOnGone;
        gone = false;
      }
      needList = false;
    }
    WatchOptions watch;
    watch.labelSelector = options.labelSelector;
    watch.fieldSelector = options.fieldSelector;
    watch.resourceVersion = resourceVersion;
    watch.allowWatchBookmarks = true;
    watch.timeoutSeconds = jitteredWatchTimeout(options.minWatchTimeoutSeconds, randomUnit());
    ++stats.watches;
    auto watchStart = std::chrono::steady_clock::now();
    bool sawEvent = false;
    auto result = client.watch(
        options.resource, options.ns, watch,
        [&](WatchEvent&& event) {
          sawEvent = true;
          if (!event.identity.resourceVersion.empty()) {
            resourceVersion = event.identity.resourceVersion;
          }
          if (event.type != WatchEventType::Bookmark) {
            sink.watchEvent(event);
          }
          return true;
        },
        stop);
    if (stop.stop_requested()) {
      return;
    }
    if (result) {
      // The server closed the watch (timeoutSeconds): resume right away. A watch that ends at
      // once with nothing in it is treated as a failure so a misbehaving server cannot make
      // us spin.
      if (sawEvent || std::chrono::steady_clock::now() - watchStart > std::chrono::seconds(1)) {
        backoff.reset();
      } else if (!pause(std::chrono::milliseconds(0))) {
        return;
      }
      continue;
    }
    if (sawEvent) {
      backoff.reset();  // the connection worked for a while: start the backoff afresh
    }
    if (result.error().reason == ApiReason::Gone) {
      spdlog::info("kube: watch {} from resourceVersion {}: {}; relisting", options.resource.plural,
                   resourceVersion, result.error().message);
      needList = true;
      gone = true;
      continue;
    }
    spdlog::warn("kube: watch {}: {}; retrying", options.resource.plural,
                 result.error().describe());
    if (!pause(std::chrono::duration_cast<std::chrono::milliseconds>(result.error().retryAfter))) {
      return;
    }
  }
}

}  // namespace egressdiag::kube
