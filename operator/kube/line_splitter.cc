#include "operator/kube/line_splitter.h"

namespace egressdiag::kube {
namespace {

std::string_view trimCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  return line;
}

}  // namespace

Result<void> LineSplitter::feed(std::string_view chunk,
                                const std::function<void(std::string_view)>& onLine) {
  while (!chunk.empty()) {
    size_t nl = chunk.find('\n');
    if (nl == std::string_view::npos) {
      if (pending_.size() + chunk.size() > maxLineBytes_) {
        pending_.clear();
        return fail(ErrorCode::InvalidInput,
                    "watch event line exceeds " + std::to_string(maxLineBytes_) + " bytes");
      }
      pending_.append(chunk);
      return {};
    }
    std::string_view piece = chunk.substr(0, nl);
    chunk.remove_prefix(nl + 1);
    if (pending_.size() + piece.size() > maxLineBytes_) {
      pending_.clear();
      return fail(ErrorCode::InvalidInput,
                  "watch event line exceeds " + std::to_string(maxLineBytes_) + " bytes");
    }
    if (pending_.empty()) {
      // Common case: the whole line is inside this chunk, no copy.
      std::string_view line = trimCr(piece);
      if (!line.empty()) {
        onLine(line);
      }
      continue;
    }
    pending_.append(piece);
    std::string line = std::move(pending_);
    pending_.clear();
    std::string_view view = trimCr(line);
    if (!view.empty()) {
      onLine(view);
    }
  }
  return {};
}

}  // namespace egressdiag::kube
