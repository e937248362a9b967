// The only translation unit with Beast/Asio/OpenSSL: everything else talks to Transport.
#include "operator/kube/transport.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "operator/kube/rate_limiter.h"

namespace egressdiag::kube {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using StreamPtr = std::unique_ptr<Stream>;

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kChunkBytes = 64 * 1024;
constexpr size_t kErrorBodyCap = 1 << 20;

bool isIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// The bearer credential. A projected service-account token rotates on disk, so it is re-read
// every `interval`; a failed re-read keeps the previous token (and logs).
class TokenSource {
 public:
  TokenSource(std::string token, std::string file, std::chrono::seconds interval)
      : token_(std::move(token)), file_(std::move(file)), interval_(interval) {}

  std::string get() {
    if (file_.empty()) {
      return token_;
    }
    std::lock_guard lock(mutex_);
    auto now = std::chrono::steady_clock::now();
    if (!loaded_ || now - readAt_ >= interval_) {
      auto text = readFile(file_);
      if (text) {
        token_ = trimmed(std::move(*text));
        loaded_ = true;
      } else {
        spdlog::warn("kube: cannot re-read token file: {}", text.error().message);
      }
      readAt_ = now;
    }
    return token_;
  }

 private:
  std::mutex mutex_;
  std::string token_;
  std::string file_;
  std::chrono::seconds interval_;
  std::chrono::steady_clock::time_point readAt_{};
  bool loaded_ = false;
};

std::string describe(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) {
    return "timed out";
  }
  std::string text = ec.message();
  // OpenSSL puts the useful part ("certificate verify failed") in the reason string.
  if (ec.category() == net::error::get_ssl_category()) {
    text = "TLS: " + text;
  }
  return text;
}

class BeastTransport final : public Transport {
 public:
  BeastTransport(const ClusterConfig& config, TransportOptions options)
      : config_(config),
        options_(std::move(options)),
        tls_(ssl::context::tls_client),
        limiter_(options_.qps, options_.burst),
        token_(config.bearerToken, config.tokenFile, options_.tokenRereadInterval),
        work_(net::make_work_guard(io_)) {
    hostHeader_ =
        config_.host.find(':') != std::string::npos ? "[" + config_.host + "]" : config_.host;
    if (config_.port != "443") {
      hostHeader_ += ":" + config_.port;
    }
  }

  ~BeastTransport() override {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) {
      thread_.join();
    }
  }

  Result<void> init() {
    boost::system::error_code ec;
    tls_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                     ec);
    if (config_.insecureSkipTlsVerify) {
      spdlog::warn(
          "kube: {} sets insecure-skip-tls-verify: the server certificate is NOT "
          "verified",
          config_.origin);
      tls_.set_verify_mode(ssl::verify_none, ec);
    } else {
      tls_.set_verify_mode(ssl::verify_peer, ec);
      if (config_.caPem.empty()) {
        tls_.set_default_verify_paths(ec);
      } else {
        tls_.add_certificate_authority(net::buffer(config_.caPem), ec);
      }
      if (ec) {
        return fail(ErrorCode::InvalidInput,
                    config_.origin + ": certificate authority: " + ec.message());
      }
    }
    if (!config_.clientCertPem.empty()) {
      tls_.use_certificate_chain(net::buffer(config_.clientCertPem), ec);
      if (ec) {
        return fail(ErrorCode::InvalidInput,
                    config_.origin + ": client certificate: " + ec.message());
      }
      tls_.use_private_key(net::buffer(config_.clientKeyPem), ssl::context::pem, ec);
      if (ec) {
        return fail(ErrorCode::InvalidInput, config_.origin + ": client key: " + ec.message());
      }
    }
    if (options_.userAgent.empty()) {
      options_.userAgent = std::string("egressdiag/") + EGRESSDIAG_VERSION;
    }
    thread_ = std::thread([this] { io_.run(); });
    return {};
  }

  ApiResult<HttpResponse> roundTrip(const HttpRequest& request) override {
    limiter_.wait();
    try {
      auto future = net::co_spawn(io_, doRoundTrip(request, token_.get()), net::use_future);
      return future.get();
    } catch (const std::exception& e) {
      return apiFail(ApiReason::Transport, std::string("request failed: ") + e.what());
    }
  }

  ApiResult<void> stream(const std::string& target, std::chrono::milliseconds idleTimeout,
                         const std::function<bool(std::string_view)>& onData,
                         std::stop_token stop) override {
    limiter_.wait();
    net::io_context io;
    std::optional<ApiResult<void>> result;
    try {
      std::stop_callback onStop(stop, [&io] { io.stop(); });
      net::co_spawn(io, doStream(target, token_.get(), idleTimeout, onData),
                    [&result](std::exception_ptr error, ApiResult<void> value) {
                      if (error) {
                        result = apiFail(ApiReason::Transport, "watch stream failed");
                      } else {
                        result = std::move(value);
                      }
                    });
      io.run();
    } catch (const std::exception& e) {
      // onData may throw (a handler bug); the stream is dropped and reported, never fatal.
      return apiFail(ApiReason::Transport, std::string("watch stream: ") + e.what());
    }
    if (stop.stop_requested() || !result) {
      return {};
    }
    return std::move(*result);
  }

 private:
  net::awaitable<ApiResult<StreamPtr>> connect() {
    auto ex = co_await net::this_coro::executor;
    auto stream = std::make_unique<Stream>(ex, tls_);
    if (!isIpLiteral(config_.host)) {
      // SNI carries DNS names only.
      SSL_set_tlsext_host_name(stream->native_handle(), config_.host.c_str());
    }
    if (!config_.insecureSkipTlsVerify) {
      stream->set_verify_callback(ssl::host_name_verification(config_.host));
    }
    tcp::resolver resolver(ex);
    auto [rec, endpoints] = co_await resolver.async_resolve(config_.host, config_.port, kTuple);
    if (rec) {
      co_return apiFail(ApiReason::Transport, "resolve " + config_.host + ": " + describe(rec));
    }
    auto& lowest = beast::get_lowest_layer(*stream);
    lowest.expires_after(options_.connectTimeout);
    auto [cec, endpoint] = co_await lowest.async_connect(endpoints, kTuple);
    if (cec) {
      co_return apiFail(ApiReason::Transport,
                        "connect " + config_.host + ":" + config_.port + ": " + describe(cec));
    }
    auto [hec] = co_await stream->async_handshake(ssl::stream_base::client, kTuple);
    if (hec) {
      co_return apiFail(ApiReason::Transport, "TLS handshake with " + config_.host + ":" +
                                                  config_.port + ": " + describe(hec));
    }
    co_return stream;
  }

  template <class Body>
  void setCommonHeaders(http::request<Body>& req, const std::string& token) {
    req.set(http::field::host, hostHeader_);
    req.set(http::field::user_agent, options_.userAgent);
    req.set(http::field::accept, "application/json");
    if (!token.empty()) {
      req.set(http::field::authorization, "Bearer " + token);
    }
  }

  static bool staleConnection(const boost::system::error_code& ec) {
    return ec == http::error::end_of_stream || ec == net::error::eof ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == ssl::error::stream_truncated;
  }

  net::awaitable<ApiResult<HttpResponse>> doRoundTrip(HttpRequest request, std::string token) {
    http::verb verb = http::string_to_verb(request.method);
    if (verb == http::verb::unknown) {
      co_return apiFail(ApiReason::Transport, "unknown HTTP method " + request.method);
    }
    // A pooled connection may have been closed by the server while idle: one retry on a
    // fresh connection, only when nothing of the response arrived.
    for (int attempt = 0; attempt < 2; ++attempt) {
      StreamPtr stream;
      bool reused = false;
      if (!idle_.empty() && attempt == 0) {
        stream = std::move(idle_.back());
        idle_.pop_back();
        reused = true;
      } else {
        auto connected = co_await connect();
        if (!connected) {
          co_return std::unexpected(connected.error());
        }
        stream = std::move(*connected);
      }
      http::request<http::string_body> req{verb, request.target, 11};
      setCommonHeaders(req, token);
      if (!request.body.empty()) {
        req.set(http::field::content_type, request.contentType);
        req.body() = request.body;
      }
      req.keep_alive(true);
      req.prepare_payload();
      auto& lowest = beast::get_lowest_layer(*stream);
      lowest.expires_after(options_.requestTimeout);
      auto [wec, written] = co_await http::async_write(*stream, req, kTuple);
      if (wec) {
        if (reused && staleConnection(wec)) {
          continue;
        }
        co_return apiFail(ApiReason::Transport,
                          request.method + " " + request.target + ": " + describe(wec));
      }
      beast::flat_buffer buffer;
      http::response_parser<http::string_body> parser;
      parser.body_limit(options_.maxResponseBytes);
      auto [rec, read] = co_await http::async_read(*stream, buffer, parser, kTuple);
      if (rec) {
        if (rec == http::error::body_limit) {
          co_return apiFail(ApiReason::Malformed,
                            request.method + " " + request.target + ": response larger than " +
                                std::to_string(options_.maxResponseBytes) + " bytes");
        }
        if (reused && !parser.is_header_done() && staleConnection(rec)) {
          continue;
        }
        co_return apiFail(ApiReason::Transport, request.method + " " + request.target +
                                                    ": reading response: " + describe(rec));
      }
      auto response = parser.release();
      HttpResponse out;
      out.status = static_cast<int>(response.result_int());
      out.body = std::move(response.body());
      if (auto it = response.find(http::field::retry_after); it != response.end()) {
        out.retryAfter = std::string(it->value());
      }
      if (response.keep_alive() && idle_.size() < options_.maxIdleConnections) {
        lowest.expires_never();
        idle_.push_back(std::move(stream));
      }
      co_return out;
    }
    co_return apiFail(ApiReason::Transport, "connection closed by the server");
  }

  net::awaitable<ApiResult<void>> doStream(std::string target, std::string token,
                                           std::chrono::milliseconds idleTimeout,
                                           const std::function<bool(std::string_view)>& onData) {
    auto connected = co_await connect();
    if (!connected) {
      co_return std::unexpected(connected.error());
    }
    Stream& stream = **connected;
    http::request<http::empty_body> req{http::verb::get, target, 11};
    setCommonHeaders(req, token);
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(options_.requestTimeout);
    auto [wec, written] = co_await http::async_write(stream, req, kTuple);
    if (wec) {
      co_return apiFail(ApiReason::Transport, "GET " + target + ": " + describe(wec));
    }
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);  // a watch runs for minutes: no total cap, lines are capped
    auto [hec, hread] = co_await http::async_read_header(stream, buffer, parser, kTuple);
    if (hec) {
      co_return apiFail(ApiReason::Transport, "GET " + target + ": " + describe(hec));
    }
    int status = static_cast<int>(parser.get().result_int());
    std::string retryAfter;
    if (auto it = parser.get().find(http::field::retry_after); it != parser.get().end()) {
      retryAfter = std::string(it->value());
    }
    std::string errorBody;
    std::array<char, kChunkBytes> chunk{};
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      lowest.expires_after(idleTimeout);
      // read_some, not read: read() would wait until the 64 KiB buffer is full, holding back
      // small watch events until the server ends the watch.
      auto [rec, read] = co_await http::async_read_some(stream, buffer, parser, kTuple);
      if (rec == http::error::need_buffer) {
        rec = {};
      }
      size_t got = chunk.size() - parser.get().body().size;
      if (status >= 200 && status < 300) {
        if (got > 0 && !onData(std::string_view(chunk.data(), got))) {
          co_return ApiResult<void>{};
        }
      } else if (errorBody.size() < kErrorBodyCap) {
        errorBody.append(chunk.data(), std::min(got, kErrorBodyCap - errorBody.size()));
      }
      if (rec) {
        if (status >= 200 && status < 300) {
          co_return apiFail(ApiReason::Transport, "watch " + target + ": " + describe(rec));
        }
        break;
      }
    }
    if (status < 200 || status >= 300) {
      co_return std::unexpected(decodeErrorResponse(status, errorBody, retryAfter));
    }
    co_return ApiResult<void>{};
  }

  ClusterConfig config_;
  TransportOptions options_;
  ssl::context tls_;
  RateLimiter limiter_;
  TokenSource token_;
  std::string hostHeader_;
  net::io_context io_;
  net::executor_work_guard<net::io_context::executor_type> work_;
  std::vector<StreamPtr> idle_;  // touched only on the I/O thread
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<Transport>> Transport::create(const ClusterConfig& config,
                                                     TransportOptions options) {
  auto transport = std::make_unique<BeastTransport>(config, std::move(options));
  if (auto ok = transport->init(); !ok) {
    return std::unexpected(ok.error());
  }
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace egressdiag::kube
