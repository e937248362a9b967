#include "operator/kube/resource.h"

#include <algorithm>
#include <cmath>

namespace egressdiag::kube {

std::string ResourceRef::groupVersion() const {
  return group.empty() ? version : group + "/" + version;
}

namespace resources {
ResourceRef configMaps() {
  return {"", "v1", "configmaps", true};
}
ResourceRef pods() {
  return {"", "v1", "pods", true};
}
ResourceRef nodes() {
  return {"", "v1", "nodes", false};
}
ResourceRef namespaces() {
  return {"", "v1", "namespaces", false};
}
ResourceRef daemonSets() {
  return {"apps", "v1", "daemonsets", true};
}
ResourceRef deployments() {
  return {"apps", "v1", "deployments", true};
}
ResourceRef leases() {
  return {"coordination.k8s.io", "v1", "leases", true};
}
ResourceRef events() {
  return {"events.k8s.io", "v1", "events", true};
}
ResourceRef customResourceDefinitions() {
  return {"apiextensions.k8s.io", "v1", "customresourcedefinitions", false};
}
}  // namespace resources

std::string collectionPath(const ResourceRef& resource, std::string_view ns) {
  std::string path = resource.group.empty() ? "/api/" + resource.version
                                            : "/apis/" + resource.group + "/" + resource.version;
  if (resource.namespaced && !ns.empty()) {
    path += "/namespaces/";
    path += percentEncode(ns);
  }
  path += "/";
  path += resource.plural;
  return path;
}

std::string objectPath(const ResourceRef& resource, std::string_view ns, std::string_view name,
                       std::string_view subresource) {
  std::string path = collectionPath(resource, ns);
  path += "/";
  path += percentEncode(name);
  if (!subresource.empty()) {
    path += "/";
    path += subresource;
  }
  return path;
}

std::string percentEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (unsigned char c : value) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

std::string buildQuery(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    out += out.empty() ? "?" : "&";
    out += key;
    out += "=";
    out += percentEncode(value);
  }
  return out;
}

std::string listQuery(const ListOptions& options) {
  std::vector<std::pair<std::string, std::string>> params;
  if (!options.labelSelector.empty()) {
    params.emplace_back("labelSelector", options.labelSelector);
  }
  if (!options.fieldSelector.empty()) {
    params.emplace_back("fieldSelector", options.fieldSelector);
  }
  if (options.limit > 0) {
    params.emplace_back("limit", std::to_string(options.limit));
  }
  if (!options.continueToken.empty()) {
    params.emplace_back("continue", options.continueToken);
  }
  if (!options.resourceVersion.empty()) {
    params.emplace_back("resourceVersion", options.resourceVersion);
  }
  return buildQuery(params);
}

std::string watchQuery(const WatchOptions& options) {
  std::vector<std::pair<std::string, std::string>> params{{"watch", "1"}};
  if (options.allowWatchBookmarks) {
    params.emplace_back("allowWatchBookmarks", "true");
  }
  if (!options.labelSelector.empty()) {
    params.emplace_back("labelSelector", options.labelSelector);
  }
  if (!options.fieldSelector.empty()) {
    params.emplace_back("fieldSelector", options.fieldSelector);
  }
  if (!options.resourceVersion.empty()) {
    params.emplace_back("resourceVersion", options.resourceVersion);
  }
  if (options.timeoutSeconds > 0) {
    params.emplace_back("timeoutSeconds", std::to_string(options.timeoutSeconds));
  }
  return buildQuery(params);
}

int64_t jitteredWatchTimeout(int64_t minimumSeconds, double random01) {
  double r = std::clamp(random01, 0.0, 0.999999);
  return static_cast<int64_t>(std::floor(static_cast<double>(minimumSeconds) * (1.0 + r)));
}

}  // namespace egressdiag::kube
