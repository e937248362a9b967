#include "operator/kube/client.h"

#include <rapidjson/error/en.h>
#include <spdlog/spdlog.h>

#include "operator/kube/line_splitter.h"

namespace egressdiag::kube {
namespace {

std::string metaString(const rapidjson::Value& doc, const char* field) {
  if (!doc.IsObject()) {
    return {};
  }
  auto meta = doc.FindMember("metadata");
  if (meta == doc.MemberEnd() || !meta->value.IsObject()) {
    return {};
  }
  auto it = meta->value.FindMember(field);
  if (it == meta->value.MemberEnd() || !it->value.IsString()) {
    return {};
  }
  return {it->value.GetString(), it->value.GetStringLength()};
}

const rapidjson::Value& emptyArray() {
  static const rapidjson::Value kEmpty(rapidjson::kArrayType);
  return kEmpty;
}

}  // namespace

const rapidjson::Value& ListPage::items() const {
  if (!doc.IsObject()) {
    return emptyArray();
  }
  auto it = doc.FindMember("items");
  if (it == doc.MemberEnd() || !it->value.IsArray()) {
    return emptyArray();
  }
  return it->value;
}

ApiResult<JsonDocument> parseJsonBody(std::string_view body, std::string_view what) {
  JsonDocument doc;
  doc.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
  if (doc.HasParseError()) {
    std::string message = std::string(what) + ": response is not valid JSON (" +
                          rapidjson::GetParseError_En(doc.GetParseError()) + " at offset " +
                          std::to_string(doc.GetErrorOffset()) + " of " +
                          std::to_string(body.size()) + " bytes)";
    spdlog::warn("kube: {}", message);
    return apiFail(ApiReason::Malformed, std::move(message));
  }
  if (!doc.IsObject()) {
    spdlog::warn("kube: {}: response is not a JSON object", what);
    return apiFail(ApiReason::Malformed, std::string(what) + ": response is not a JSON object");
  }
  return doc;
}

Result<std::unique_ptr<Client>> Client::create(const ClusterConfig& config, ClientOptions options) {
  auto transport = Transport::create(config, options.transport);
  if (!transport) {
    return std::unexpected(transport.error());
  }
  return std::make_unique<Client>(std::move(*transport), std::move(options));
}

Client::Client(std::unique_ptr<Transport> transport, ClientOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {}

ApiResult<std::string> Client::request(const HttpRequest& request) {
  auto response = transport_->roundTrip(request);
  if (!response) {
    return std::unexpected(response.error());
  }
  if (response->status < 200 || response->status >= 300) {
    return std::unexpected(
        decodeErrorResponse(response->status, response->body, response->retryAfter));
  }
  return std::move(response->body);
}

ApiResult<JsonDocument> Client::requestJson(const HttpRequest& request) {
  auto body = this->request(request);
  if (!body) {
    return std::unexpected(body.error());
  }
  return parseJsonBody(*body, request.method + " " + request.target);
}

ApiResult<JsonDocument> Client::get(const ResourceRef& resource, std::string_view ns,
                                    std::string_view name, std::string_view subresource) {
  return requestJson({"GET", objectPath(resource, ns, name, subresource), "", ""});
}

ApiResult<JsonDocument> Client::getPath(const std::string& path) {
  return requestJson({"GET", path, "", ""});
}

ApiResult<ListPage> Client::listPage(const ResourceRef& resource, std::string_view ns,
                                     const ListOptions& options) {
  auto doc = requestJson({"GET", collectionPath(resource, ns) + listQuery(options), "", ""});
  if (!doc) {
    return std::unexpected(doc.error());
  }
  auto items = doc->FindMember("items");
  if (items != doc->MemberEnd() && !items->value.IsArray() && !items->value.IsNull()) {
    return apiFail(ApiReason::Malformed, "list " + resource.plural + ": items is not an array");
  }
  ListPage page;
  page.resourceVersion = metaString(*doc, "resourceVersion");
  page.continueToken = metaString(*doc, "continue");
  page.doc = std::move(*doc);
  return page;
}

ApiResult<JsonDocument> Client::create(const ResourceRef& resource, std::string_view ns,
                                       std::string_view json) {
  return requestJson({"POST", collectionPath(resource, ns), std::string(json), "application/json"});
}

ApiResult<JsonDocument> Client::update(const ResourceRef& resource, std::string_view ns,
                                       std::string_view name, std::string_view json,
                                       std::string_view subresource) {
  return requestJson(
      {"PUT", objectPath(resource, ns, name, subresource), std::string(json), "application/json"});
}

ApiResult<JsonDocument> Client::patch(const ResourceRef& resource, std::string_view ns,
                                      std::string_view name, PatchType type, std::string_view json,
                                      const PatchOptions& options) {
  std::vector<std::pair<std::string, std::string>> params;
  if (type == PatchType::Apply && options.fieldManager.empty()) {
    return apiFail(ApiReason::BadRequest, "server-side apply needs a fieldManager");
  }
  if (!options.fieldManager.empty()) {
    params.emplace_back("fieldManager", options.fieldManager);
  }
  if (type == PatchType::Apply && options.force) {
    params.emplace_back("force", "true");
  }
  std::string contentType =
      type == PatchType::Merge ? "application/merge-patch+json" : "application/apply-patch+yaml";
  return requestJson({"PATCH",
                      objectPath(resource, ns, name, options.subresource) + buildQuery(params),
                      std::string(json), contentType});
}

ApiResult<void> Client::remove(const ResourceRef& resource, std::string_view ns,
                               std::string_view name, const DeleteOptions& options) {
  std::string body;
  if (!options.preconditionResourceVersion.empty()) {
    JsonDocument doc(rapidjson::kObjectType);
    auto& alloc = doc.GetAllocator();
    doc.AddMember("kind", "DeleteOptions", alloc);
    doc.AddMember("apiVersion", "v1", alloc);
    rapidjson::Value pre(rapidjson::kObjectType);
    pre.AddMember("resourceVersion",
                  rapidjson::Value(options.preconditionResourceVersion.c_str(), alloc), alloc);
    doc.AddMember("preconditions", pre, alloc);
    body = toJson(doc);
  }
  auto result = request(
      {"DELETE", objectPath(resource, ns, name), body, body.empty() ? "" : "application/json"});
  if (!result) {
    return std::unexpected(result.error());
  }
  return {};
}

ApiResult<void> Client::watch(const ResourceRef& resource, std::string_view ns,
                              const WatchOptions& options, const WatchHandler& handler,
                              std::stop_token stop) {
  std::string target = collectionPath(resource, ns) + watchQuery(options);
  LineSplitter splitter(options_.maxWatchLineBytes);
  std::optional<ApiError> failure;
  // Idle limit: the server ends the watch after timeoutSeconds and sends bookmarks, so silence
  // well past that means a dead connection.
  auto idle = std::chrono::milliseconds(
      options.timeoutSeconds > 0 ? (options.timeoutSeconds + 30) * 1000 : 330'000);
  auto streamed = transport_->stream(
      target, idle,
      [&](std::string_view data) {
        bool keepGoing = true;
        auto split = splitter.feed(data, [&](std::string_view line) {
          if (!keepGoing) {
            return;
          }
          auto event = decodeWatchEvent(line);
          if (!event) {
            spdlog::warn("kube: watch {}: dropping stream: {}", resource.plural,
                         event.error().message);
            failure = ApiError{ApiReason::Malformed, 0, event.error().message, {}};
            keepGoing = false;
            return;
          }
          if (event->type == WatchEventType::Error) {
            failure = event->error;
            keepGoing = false;
            return;
          }
          keepGoing = handler(std::move(*event));
        });
        if (!split) {
          spdlog::warn("kube: watch {}: {}", resource.plural, split.error().message);
          failure = ApiError{ApiReason::Malformed, 0, split.error().message, {}};
          return false;
        }
        return keepGoing;
      },
      stop);
  if (failure) {
    return std::unexpected(*failure);
  }
  if (!streamed) {
    return std::unexpected(streamed.error());
  }
  if (splitter.pendingBytes() > 0 && !stop.stop_requested()) {
    return apiFail(ApiReason::Malformed, "watch stream ended inside an event (" +
                                             std::to_string(splitter.pendingBytes()) +
                                             " bytes truncated)");
  }
  return {};
}

}  // namespace egressdiag::kube
