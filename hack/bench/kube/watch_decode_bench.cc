// Benchmark (not a test): watch-event decode throughput and the memory a 10,000-object LIST
// takes through the client's decode path. Synthetic Pod-sized objects (~2 KiB, like a small
// real Pod) so the numbers are comparable across machines. Usage: kube_watch_decode_bench [N]
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "operator/kube/client.h"
#include "operator/kube/line_splitter.h"
#include "operator/kube/watch_event.h"

namespace {

using namespace egressdiag::kube;

std::string podJson(int i) {
  std::string name = "bench-pod-" + std::to_string(i);
  std::string labels;
  for (int l = 0; l < 8; ++l) {
    labels += (l ? "," : "") + std::string("\"label-") + std::to_string(l) + "\":\"value-" +
              std::to_string(i % 97) + "\"";
  }
  std::string containers;
  for (int c = 0; c < 2; ++c) {
    containers += std::string(c ? "," : "") + R"({"name":"c)" + std::to_string(c) +
                  R"j(","image":"registry.example/egress/agent:v1.2.3","args":["--node=$(NODE)",)j"
                  R"("--metrics=:9090","--log-level=info"],"env":[{"name":"NODE","valueFrom":)"
                  R"({"fieldRef":{"fieldPath":"spec.nodeName"}}}],"resources":{"requests":)"
                  R"({"cpu":"100m","memory":"64Mi"}},"ports":[{"containerPort":9090,)"
                  R"("protocol":"TCP"}]})";
  }
  return R"({"kind":"Pod","apiVersion":"v1","metadata":{"name":")" + name +
         R"(","namespace":"bench","uid":"0b9c6f0e-7a2d-4f7e-9a1e-)" + std::to_string(100000 + i) +
         R"(","resourceVersion":")" + std::to_string(1000 + i) +
         R"(","creationTimestamp":"2026-11-22T21:24:13Z","labels":{)" + labels +
         R"(}},"spec":{"nodeName":"node-)" + std::to_string(i % 50) + R"(","containers":[)" +
         containers + R"(]},"status":{"phase":"Running","podIP":"10.244.)" +
         std::to_string(i % 250) + "." + std::to_string(i % 200) +
         R"(","conditions":[{"type":"Ready","status":"True","lastTransitionTime":)"
         R"("2026-11-22T21:24:20Z"}]}})";
}

long maxRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  int events = argc > 1 ? std::atoi(argv[1]) : 200'000;
  constexpr int kDistinct = 1000;
  constexpr size_t kChunk = 64 * 1024;

  // --- watch stream decode: split 64 KiB chunks into lines, decode each event ---------------
  std::string stream;
  for (int i = 0; i < kDistinct; ++i) {
    stream += R"({"type":"MODIFIED","object":)" + podJson(i) + "}\n";
  }
  int rounds = std::max(1, events / kDistinct);
  size_t decoded = 0;
  size_t failed = 0;
  size_t keyBytes = 0;
  LineSplitter splitter(16u << 20);
  auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < rounds; ++r) {
    for (size_t pos = 0; pos < stream.size(); pos += kChunk) {
      auto fed =
          splitter.feed(std::string_view(stream).substr(pos, kChunk), [&](std::string_view line) {
            auto event = decodeWatchEvent(line);
            if (event) {
              ++decoded;
              keyBytes += event->identity.key().size();
            } else {
              ++failed;
            }
          });
      if (!fed) {
        std::fprintf(stderr, "splitter failed: %s\n", fed.error().message.c_str());
        return 1;
      }
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double megabytes = static_cast<double>(stream.size()) * rounds / (1024.0 * 1024.0);
  std::printf(
      "watch decode: %zu events (%.1f MiB, avg %zu B/event) in %.3f s: %.1f MiB/s, "
      "%.0f events/s (failed %zu, key bytes %zu)\n",
      decoded, megabytes, stream.size() / kDistinct, seconds, megabytes / seconds,
      static_cast<double>(decoded) / seconds, failed, keyBytes);
  stream.clear();
  stream.shrink_to_fit();

  // --- 10,000-object LIST: body -> document -> identities + private copies (informer cache) ---
  constexpr int kListObjects = 10'000;
  long rssBefore = maxRssKiB();
  std::string body = R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"99"},)"
                     R"("items":[)";
  for (int i = 0; i < kListObjects; ++i) {
    body += (i ? "," : "") + podJson(i);
  }
  body += "]}";
  size_t bodyBytes = body.size();
  auto listStart = std::chrono::steady_clock::now();
  auto doc = parseJsonBody(body, "bench list");
  if (!doc) {
    std::fprintf(stderr, "%s\n", doc.error().message.c_str());
    return 1;
  }
  std::vector<JsonDocument> cache;
  cache.reserve(kListObjects);
  auto items = doc->FindMember("items");
  for (const auto& item : items->value.GetArray()) {
    auto id = readIdentity(item);
    if (!id) {
      return 1;
    }
    cache.push_back(copyJson(item));
  }
  double listSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - listStart).count();
  long rssPeak = maxRssKiB();
  std::printf(
      "list of %d objects: body %.1f MiB, decoded + cached in %.3f s; peak RSS %.1f MiB "
      "(+%.1f MiB over the %.1f MiB before the list)\n",
      kListObjects, static_cast<double>(bodyBytes) / (1024.0 * 1024.0), listSeconds,
      static_cast<double>(rssPeak) / 1024.0, static_cast<double>(rssPeak - rssBefore) / 1024.0,
      static_cast<double>(rssBefore) / 1024.0);
  return cache.size() == kListObjects ? 0 : 1;
}
