#include "operator/controller/routing.h"

#include <algorithm>

#include "operator/controller/check_support.h"
#include "operator/controller/target.h"

namespace egressdiag::controller {
namespace {

void sortUnique(std::vector<std::string>& keys) {
  std::ranges::sort(keys);
  auto [first, last] = std::ranges::unique(keys);
  keys.erase(first, last);
}

}  // namespace

ChangeRouter::ChangeRouter(const ClusterState& state)
    : daemonSets_(state.objects.daemonSets), namespaces_(state.objects.namespaces) {
  for (const auto& diagnosis : state.objects.egressDiagnoses) {
    std::string key = diagnosis.metadata.namespace_ + "/" + diagnosis.metadata.name;
    all_.push_back(key);
    // A diagnosis whose target does not resolve reads no pod; the target's appearance is a
    // policy/SGC change, which requeues everything and rebuilds the router.
    auto target = resolveTarget(state, diagnosis);
    if (!target) {
      continue;
    }
    if (const auto* policy = std::get_if<PolicyTarget>(&target->object)) {
      policies_.push_back(PolicyRoute{key, policy->clusterScoped,
                                      policy->clusterScoped ? "" : policy->metadata->namespace_,
                                      policy->metadata->name, policy->spec->appliedTo.podSelector,
                                      policy->spec->appliedTo.namespaceSelector});
      spidernet_.push_back(key);
    } else {
      const auto* sgc = std::get<const model::StaticGatewayConfiguration*>(target->object);
      sgcs_.push_back(SgcRoute{key, sgc->metadata.namespace_, sgc->metadata.name});
      azure_.push_back(key);
    }
  }
  sortUnique(all_);
  sortUnique(spidernet_);
  sortUnique(azure_);
}

bool ChangeRouter::selects(const PolicyRoute& route, const model::Pod& pod) const {
  const std::string& ns = pod.metadata.namespace_;
  if (!route.podSelector || (!route.clusterScoped && ns != route.ns)) {
    return false;
  }
  if (route.clusterScoped && route.namespaceSelector &&
      !model::matches(*route.namespaceSelector, detail::namespaceLabels(namespaces_, ns))) {
    return false;
  }
  return model::matches(*route.podSelector, pod.metadata.labels);
}

void ChangeRouter::addPodRoutes(const model::Pod& pod, std::vector<std::string>& out) const {
  for (const auto& route : policies_) {
    if (selects(route, pod)) {
      out.push_back(route.key);
    }
  }
  auto annotation = pod.metadata.annotations.find(std::string(model::kStaticGatewayAnnotation));
  if (annotation != pod.metadata.annotations.end()) {
    for (const auto& route : sgcs_) {
      if (route.ns == pod.metadata.namespace_ && route.name == annotation->second) {
        out.push_back(route.key);
      }
    }
  }
}

std::vector<std::string> ChangeRouter::podChanged(const model::Pod* before,
                                                  const model::Pod& after) const {
  for (const auto& ds : daemonSets_) {
    if (detail::podOwnedBy(after, ds.metadata, ds.selector) ||
        (before != nullptr && detail::podOwnedBy(*before, ds.metadata, ds.selector))) {
      return all_;
    }
  }
  std::vector<std::string> out;
  addPodRoutes(after, out);
  if (before != nullptr) {
    addPodRoutes(*before, out);
  }
  sortUnique(out);
  return out;
}

std::vector<std::string> ChangeRouter::sliceChanged(const model::ObjectMeta* before,
                                                    const model::ObjectMeta& after,
                                                    bool clusterScoped) const {
  std::vector<std::string> out;
  auto add = [&](const model::ObjectMeta& meta) {
    auto label = meta.labels.find(std::string(model::kPolicyNameLabel));
    if (label == meta.labels.end()) {
      return;
    }
    for (const auto& route : policies_) {
      if (route.clusterScoped == clusterScoped && route.name == label->second &&
          (clusterScoped || route.ns == meta.namespace_)) {
        out.push_back(route.key);
      }
    }
  };
  add(after);
  if (before != nullptr) {
    add(*before);
  }
  sortUnique(out);
  return out;
}

}  // namespace egressdiag::controller
