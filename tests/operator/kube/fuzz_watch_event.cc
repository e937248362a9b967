// libFuzzer target: watch streams (line splitting + event decoding) and apiserver Status bodies.
// Any input must yield values or errors, never a crash, an abort or unbounded recursion.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "operator/kube/api_error.h"
#include "operator/kube/line_splitter.h"
#include "operator/kube/watch_event.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace egressdiag::kube;
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // The first byte picks a chunk size so boundaries fall everywhere.
  size_t chunk = size == 0 ? 1 : static_cast<size_t>(data[0] % 64) + 1;
  LineSplitter splitter(4096);
  size_t events = 0;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    auto fed = splitter.feed(input.substr(pos, chunk), [&](std::string_view line) {
      auto event = decodeWatchEvent(line);
      if (!event) {
        return;
      }
      ++events;
      if (event->type == WatchEventType::Error) {
        (void)event->error.describe();
      } else if (event->type != WatchEventType::Bookmark) {
        (void)event->identity.key();
        (void)toJson(event->object());
      }
    });
    if (!fed) {
      splitter.reset();
    }
  }

  ApiError err = decodeErrorResponse(410, input, input.substr(0, 6));
  (void)err.toError();
  return events > size ? 1 : 0;  // unreachable; keeps `events` observable
}
