#include "operator/kube/discovery.h"

#include <spdlog/spdlog.h>

#include "operator/kube/reflector.h"

namespace egressdiag::kube {
namespace {

std::string keyOf(const ResourceRef& resource) {
  return resource.groupVersion() + "/" + resource.plural;
}

}  // namespace

Result<std::set<std::string>> decodeResourceList(const rapidjson::Value& list) {
  if (!list.IsObject()) {
    return fail(ErrorCode::InvalidInput, "APIResourceList is not an object");
  }
  auto resources = list.FindMember("resources");
  if (resources == list.MemberEnd() || !resources->value.IsArray()) {
    return fail(ErrorCode::InvalidInput, "APIResourceList.resources is missing or not a list");
  }
  std::set<std::string> names;
  for (const auto& entry : resources->value.GetArray()) {
    if (!entry.IsObject()) {
      continue;
    }
    auto name = entry.FindMember("name");
    if (name != entry.MemberEnd() && name->value.IsString()) {
      names.emplace(name->value.GetString(), name->value.GetStringLength());
    }
  }
  return names;
}

ApiResult<bool> resourceServed(Client& client, const ResourceRef& resource) {
  std::string path =
      resource.group.empty() ? "/api/" + resource.version : "/apis/" + resource.groupVersion();
  auto doc = client.getPath(path);
  if (!doc) {
    if (doc.error().reason == ApiReason::NotFound) {
      return false;
    }
    return std::unexpected(doc.error());
  }
  auto names = decodeResourceList(*doc);
  if (!names) {
    return apiFail(ApiReason::Malformed, path + ": " + names.error().message);
  }
  return names->contains(resource.plural);
}

ApiAvailabilityWatcher::ApiAvailabilityWatcher(Client& client, std::vector<ResourceRef> wanted,
                                               std::chrono::milliseconds interval,
                                               OnChange onChange)
    : client_(client),
      wanted_(std::move(wanted)),
      interval_(interval),
      onChange_(std::move(onChange)) {}

size_t ApiAvailabilityWatcher::checkOnce() {
  size_t changes = 0;
  for (const auto& resource : wanted_) {
    auto served = resourceServed(client_, resource);
    if (!served) {
      spdlog::warn("kube: discovery of {}: {}", keyOf(resource), served.error().describe());
      continue;
    }
    bool changed = false;
    {
      std::lock_guard lock(mutex_);
      auto [it, inserted] = state_.try_emplace(keyOf(resource), *served);
      changed = inserted ? *served : it->second != *served;
      it->second = *served;
    }
    if (changed) {
      ++changes;
      spdlog::info("kube: {} is {}", keyOf(resource), *served ? "served" : "no longer served");
      if (onChange_) {
        onChange_(resource, *served);
      }
    }
  }
  return changes;
}

void ApiAvailabilityWatcher::run(std::stop_token stop) {
  do {
    checkOnce();
  } while (sleepFor(interval_, stop));
}

bool ApiAvailabilityWatcher::available(const ResourceRef& resource) const {
  std::lock_guard lock(mutex_);
  auto it = state_.find(keyOf(resource));
  return it != state_.end() && it->second;
}

bool ApiAvailabilityWatcher::settled() const {
  std::lock_guard lock(mutex_);
  for (const auto& resource : wanted_) {
    if (!state_.contains(keyOf(resource))) {
      return false;
    }
  }
  return true;
}

}  // namespace egressdiag::kube
