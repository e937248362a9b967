#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace egressdiag::kube {

// One REST resource: what the URL needs. Built-in core kinds have an empty group ("/api/v1").
struct ResourceRef {
  std::string group;    // "" for core, "apps", "egressgateway.spidernet.io", ...
  std::string version;  // "v1", "v1beta1"
  std::string plural;   // "configmaps", "egresspolicies"
  bool namespaced = true;

  std::string groupVersion() const;  // "v1" or "apps/v1"
  bool operator==(const ResourceRef&) const = default;
};

// Well-known resources the operator and the probe use. Upstream CRDs are described by their
// owners in operator/model (as plain ResourceRef values).
namespace resources {
ResourceRef configMaps();
ResourceRef pods();
ResourceRef nodes();
ResourceRef namespaces();
ResourceRef daemonSets();
ResourceRef deployments();
ResourceRef leases();
ResourceRef events();
ResourceRef customResourceDefinitions();
}  // namespace resources

// Query parameters of a LIST. Empty strings and zero limits are left out of the URL.
struct ListOptions {
  std::string labelSelector;
  std::string fieldSelector;
  int64_t limit = 0;
  std::string continueToken;
  std::string resourceVersion;
};

// Query parameters of a WATCH (always with watch=1).
struct WatchOptions {
  std::string labelSelector;
  std::string fieldSelector;
  std::string resourceVersion;
  bool allowWatchBookmarks = true;
  int64_t timeoutSeconds = 0;
};

// Collection URL: /api/v1/namespaces/NS/pods, /apis/apps/v1/deployments (ns empty = all).
std::string collectionPath(const ResourceRef& resource, std::string_view ns);

// Object URL, optionally with a subresource: .../pods/NAME/status.
std::string objectPath(const ResourceRef& resource, std::string_view ns, std::string_view name,
                       std::string_view subresource = {});

// RFC 3986 percent-encoding of a query value (unreserved characters stay as they are).
std::string percentEncode(std::string_view value);

// "?k1=v1&k2=v2" from ordered pairs, values encoded; "" when `params` is empty.
std::string buildQuery(const std::vector<std::pair<std::string, std::string>>& params);

std::string listQuery(const ListOptions& options);
std::string watchQuery(const WatchOptions& options);

// Seconds for a watch's timeoutSeconds: uniformly in [minimum, 2*minimum) from `random01`
// in [0,1), as client-go's reflector does, so many watchers do not reconnect in lockstep.
int64_t jitteredWatchTimeout(int64_t minimumSeconds, double random01);

}  // namespace egressdiag::kube
