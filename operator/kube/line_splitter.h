#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "operator/common/result.h"

namespace egressdiag::kube {

// Splits a watch response body (one JSON event per line) into lines, whatever the chunk
// boundaries. Lines are handed out without the '\n' (and without a trailing '\r'); empty lines
// are skipped. A line longer than `maxLineBytes` is an error: the stream is then unusable and
// the caller reconnects.
class LineSplitter {
 public:
  explicit LineSplitter(size_t maxLineBytes) : maxLineBytes_(maxLineBytes) {}

  // Calls onLine for every line completed by `chunk`, in order. Fails (InvalidInput) when a
  // line exceeds the limit; lines completed before the failure have been delivered.
  Result<void> feed(std::string_view chunk, const std::function<void(std::string_view)>& onLine);

  // Bytes of an unfinished line held back (a stream that ends with some is truncated).
  size_t pendingBytes() const { return pending_.size(); }
  void reset() { pending_.clear(); }

 private:
  size_t maxLineBytes_;
  std::string pending_;
};

}  // namespace egressdiag::kube
