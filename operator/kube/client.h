#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "operator/common/result.h"
#include "operator/kube/api_error.h"
#include "operator/kube/config.h"
#include "operator/kube/resource.h"
#include "operator/kube/transport.h"
#include "operator/kube/watch_event.h"

namespace egressdiag::kube {

// One page of a LIST: the parsed body plus its resume points.
struct ListPage {
  JsonDocument doc;             // the whole List object
  std::string resourceVersion;  // metadata.resourceVersion: where a following watch starts
  std::string continueToken;    // metadata.continue: empty on the last page
  const rapidjson::Value& items() const;  // the items array (an empty array when absent)
};

enum class PatchType {
  Merge,  // application/merge-patch+json (RFC 7386)
  Apply,  // server-side apply (application/apply-patch+yaml; JSON is YAML); needs fieldManager
};

struct PatchOptions {
  std::string subresource;   // "" or "status"
  std::string fieldManager;  // required for Apply, recorded for Merge
  bool force = false;        // Apply: take ownership of conflicting fields
};

struct DeleteOptions {
  std::string preconditionResourceVersion;  // delete only this version (else Conflict)
};

// Called for every watch event in order; return false to end the watch early.
using WatchHandler = std::function<bool(WatchEvent&&)>;

struct ClientOptions {
  TransportOptions transport;
  size_t maxWatchLineBytes = 16u << 20;  // one event; etcd's object limit is ~1.5 MiB
};

// Verbs over raw JSON. Thread-safe. Typed access lives in operator/kube/typed.h (decoders from
// operator/model plug in there). Every failure is a value: ApiError with the server's Status
// (reason + message), or Transport/Malformed for our side of the wire.
class Client {
 public:
  // Fails (InvalidInput) when the TLS material in `config` cannot be loaded.
  static Result<std::unique_ptr<Client>> create(const ClusterConfig& config,
                                                ClientOptions options = {});
  // For tests and tools: any Transport.
  Client(std::unique_ptr<Transport> transport, ClientOptions options);

  ApiResult<JsonDocument> get(const ResourceRef& resource, std::string_view ns,
                              std::string_view name, std::string_view subresource = {});

  // One page. Pass page.continueToken back in options.continueToken for the next one; Gone
  // (410) means the token expired and the list must restart.
  ApiResult<ListPage> listPage(const ResourceRef& resource, std::string_view ns,
                               const ListOptions& options);

  // POST. `json` is the object (metadata.name or generateName set by the caller).
  ApiResult<JsonDocument> create(const ResourceRef& resource, std::string_view ns,
                                 std::string_view json);

  // PUT. The object's metadata.resourceVersion makes it conditional: a stale one yields
  // Conflict. Use subresource "status" to write status.
  ApiResult<JsonDocument> update(const ResourceRef& resource, std::string_view ns,
                                 std::string_view name, std::string_view json,
                                 std::string_view subresource = {});

  // PATCH (merge patch or server-side apply), on the object or a subresource.
  ApiResult<JsonDocument> patch(const ResourceRef& resource, std::string_view ns,
                                std::string_view name, PatchType type, std::string_view json,
                                const PatchOptions& options = {});

  // DELETE. NotFound when already gone.
  ApiResult<void> remove(const ResourceRef& resource, std::string_view ns, std::string_view name,
                         const DeleteOptions& options = {});

  // One watch connection: decodes events and hands them to `handler` until the server closes
  // the stream (success), `stop` is requested (success) or something fails. An ERROR event
  // ends the watch with its Status (Gone for a compacted resourceVersion); a malformed line
  // ends it with Malformed (logged). Reconnecting is the caller's job (see Reflector).
  ApiResult<void> watch(const ResourceRef& resource, std::string_view ns,
                        const WatchOptions& options, const WatchHandler& handler,
                        std::stop_token stop);

  // GET of an arbitrary path returning JSON (discovery: /apis, /apis/<group>/<version>).
  ApiResult<JsonDocument> getPath(const std::string& path);

  // Raw request; the body is returned for 2xx, the decoded Status otherwise.
  ApiResult<std::string> request(const HttpRequest& request);

 private:
  ApiResult<JsonDocument> requestJson(const HttpRequest& request);

  std::unique_ptr<Transport> transport_;
  ClientOptions options_;
};

// Parses a JSON response body; Malformed (with a snippet of the parse error) otherwise.
ApiResult<JsonDocument> parseJsonBody(std::string_view body, std::string_view what);

}  // namespace egressdiag::kube
