#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "operator/kube/transport.h"

namespace egressdiag::serving {

// Wraps a transport and reports every request's verb and HTTP status (0: no response) to
// `count`, for egressdiag_api_requests_total in both binaries.
class CountingTransport : public kube::Transport {
 public:
  using Count = std::function<void(const std::string& verb, int code)>;
  CountingTransport(std::unique_ptr<kube::Transport> inner, Count count)
      : inner_(std::move(inner)), count_(std::move(count)) {}

  kube::ApiResult<kube::HttpResponse> roundTrip(const kube::HttpRequest& request) override {
    auto response = inner_->roundTrip(request);
    count_(request.method, response ? response->status : 0);
    return response;
  }
  kube::ApiResult<void> stream(const std::string& target, std::chrono::milliseconds idleTimeout,
                               const std::function<bool(std::string_view)>& onData,
                               std::stop_token stop) override {
    auto result = inner_->stream(target, idleTimeout, onData, stop);
    count_("WATCH", result ? 200 : result.error().httpStatus);
    return result;
  }

 private:
  std::unique_ptr<kube::Transport> inner_;
  Count count_;
};

}  // namespace egressdiag::serving
