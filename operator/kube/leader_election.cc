#include "operator/kube/leader_election.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <ctime>

#include "operator/kube/reflector.h"

namespace egressdiag::kube {
namespace {

Result<std::string> stringField(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) {
    return std::string();
  }
  if (!it->value.IsString()) {
    return fail(ErrorCode::InvalidInput, std::string("Lease ") + name + " is not a string");
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

Result<int64_t> intField(const rapidjson::Value& obj, const char* name) {
  auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || it->value.IsNull()) {
    return int64_t{0};
  }
  if (!it->value.IsInt64()) {
    return fail(ErrorCode::InvalidInput, std::string("Lease ") + name + " is not an integer");
  }
  return it->value.GetInt64();
}

}  // namespace

std::string formatMicroTime(std::chrono::system_clock::time_point time) {
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch());
  std::time_t seconds = static_cast<std::time_t>(micros.count() / 1'000'000);
  long fraction = static_cast<long>(micros.count() % 1'000'000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, fraction);
  return buffer;
}

Result<LeaseRecord> decodeLease(const rapidjson::Value& lease) {
  auto identity = readIdentity(lease);
  if (!identity) {
    return std::unexpected(identity.error());
  }
  LeaseRecord record;
  record.resourceVersion = identity->resourceVersion;
  auto spec = lease.FindMember("spec");
  if (spec == lease.MemberEnd() || spec->value.IsNull()) {
    return record;
  }
  if (!spec->value.IsObject()) {
    return fail(ErrorCode::InvalidInput, "Lease spec is not an object");
  }
  const auto& s = spec->value;
  for (auto [name, target] :
       {std::pair{"holderIdentity", &record.holderIdentity},
        std::pair{"acquireTime", &record.acquireTime}, std::pair{"renewTime", &record.renewTime}}) {
    auto value = stringField(s, name);
    if (!value) {
      return std::unexpected(value.error());
    }
    *target = std::move(*value);
  }
  for (auto [name, target] : {std::pair{"leaseDurationSeconds", &record.leaseDurationSeconds},
                              std::pair{"leaseTransitions", &record.leaseTransitions}}) {
    auto value = intField(s, name);
    if (!value) {
      return std::unexpected(value.error());
    }
    *target = *value;
  }
  return record;
}

std::string encodeLease(const std::string& ns, const std::string& name, const LeaseRecord& record) {
  JsonDocument doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto str = [&a](const std::string& s) { return rapidjson::Value(s.c_str(), a); };
  doc.AddMember("apiVersion", "coordination.k8s.io/v1", a);
  doc.AddMember("kind", "Lease", a);
  rapidjson::Value meta(rapidjson::kObjectType);
  meta.AddMember("name", str(name), a);
  meta.AddMember("namespace", str(ns), a);
  if (!record.resourceVersion.empty()) {
    meta.AddMember("resourceVersion", str(record.resourceVersion), a);
  }
  doc.AddMember("metadata", meta, a);
  rapidjson::Value spec(rapidjson::kObjectType);
  spec.AddMember("holderIdentity", str(record.holderIdentity), a);
  spec.AddMember("leaseDurationSeconds", record.leaseDurationSeconds, a);
  if (!record.acquireTime.empty()) {
    spec.AddMember("acquireTime", str(record.acquireTime), a);
  }
  if (!record.renewTime.empty()) {
    spec.AddMember("renewTime", str(record.renewTime), a);
  }
  spec.AddMember("leaseTransitions", record.leaseTransitions, a);
  doc.AddMember("spec", spec, a);
  return toJson(doc);
}

bool leaseAvailable(const LeaseRecord& observed, std::chrono::steady_clock::time_point observedAt,
                    std::chrono::steady_clock::time_point now, const std::string& identity,
                    std::chrono::seconds defaultLeaseDuration) {
  if (observed.holderIdentity.empty() || observed.holderIdentity == identity) {
    return true;
  }
  auto duration = observed.leaseDurationSeconds > 0
                      ? std::chrono::seconds(observed.leaseDurationSeconds)
                      : defaultLeaseDuration;
  return now >= observedAt + duration;
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config, LeaderCallbacks callbacks)
    : client_(client), config_(std::move(config)), callbacks_(std::move(callbacks)) {}

bool LeaderElector::isLeader() const {
  std::lock_guard lock(mutex_);
  return leading_ && std::chrono::steady_clock::now() < renewedAt_ + config_.renewDeadline;
}

bool LeaderElector::tryAcquireOrRenew() {
  auto wallNow = formatMicroTime(std::chrono::system_clock::now());
  LeaseRecord next;
  next.holderIdentity = config_.identity;
  next.leaseDurationSeconds = config_.leaseDuration.count();
  next.acquireTime = wallNow;
  next.renewTime = wallNow;

  auto current = client_.get(resources::leases(), config_.ns, config_.name);
  if (!current) {
    if (current.error().reason != ApiReason::NotFound) {
      spdlog::warn("kube: lease {}/{}: {}", config_.ns, config_.name, current.error().describe());
      return false;
    }
    auto created = client_.create(resources::leases(), config_.ns,
                                  encodeLease(config_.ns, config_.name, next));
    if (!created) {
      spdlog::info("kube: lease {}/{}: create: {}", config_.ns, config_.name,
                   created.error().describe());
      return false;
    }
    std::lock_guard lock(mutex_);
    observed_ = next;
    observedAt_ = renewedAt_ = std::chrono::steady_clock::now();
    return true;
  }
  auto record = decodeLease(*current);
  if (!record) {
    spdlog::warn("kube: lease {}/{}: {}", config_.ns, config_.name, record.error().message);
    return false;
  }
  auto now = std::chrono::steady_clock::now();
  std::string holder = record->holderIdentity;
  bool available = false;
  {
    std::lock_guard lock(mutex_);
    if (!observed_ || *observed_ != *record) {
      observed_ = *record;
      observedAt_ = now;
    }
    available =
        leaseAvailable(*observed_, observedAt_, now, config_.identity, config_.leaseDuration);
  }
  if (holder != lastHolder_) {
    lastHolder_ = holder;
    if (callbacks_.onNewLeader && !holder.empty()) {
      callbacks_.onNewLeader(holder);
    }
  }
  if (!available) {
    return false;
  }
  if (holder == config_.identity) {
    next.acquireTime = record->acquireTime;
    next.leaseTransitions = record->leaseTransitions;
  } else {
    next.leaseTransitions = record->leaseTransitions + 1;
  }
  next.resourceVersion = record->resourceVersion;
  auto updated = client_.update(resources::leases(), config_.ns, config_.name,
                                encodeLease(config_.ns, config_.name, next));
  if (!updated) {
    // Conflict: someone else wrote first. Either way we do not hold it.
    spdlog::info("kube: lease {}/{}: update: {}", config_.ns, config_.name,
                 updated.error().describe());
    return false;
  }
  auto written = decodeLease(*updated);
  std::lock_guard lock(mutex_);
  observed_ = written ? *written : next;
  observedAt_ = renewedAt_ = std::chrono::steady_clock::now();
  return true;
}

void LeaderElector::release() {
  auto current = client_.get(resources::leases(), config_.ns, config_.name);
  if (!current) {
    return;
  }
  auto record = decodeLease(*current);
  if (!record || record->holderIdentity != config_.identity) {
    return;
  }
  LeaseRecord next = *record;
  next.holderIdentity.clear();
  next.leaseDurationSeconds = 1;
  next.renewTime = formatMicroTime(std::chrono::system_clock::now());
  auto updated = client_.update(resources::leases(), config_.ns, config_.name,
                                encodeLease(config_.ns, config_.name, next));
  if (!updated) {
    spdlog::info("kube: lease {}/{}: release: {}", config_.ns, config_.name,
                 updated.error().describe());
  }
}

void LeaderElector::run(std::stop_token stop) {
  // Acquire.
  while (!stop.stop_requested()) {
    if (tryAcquireOrRenew()) {
      break;
    }
    if (!sleepFor(config_.retryPeriod, stop)) {
      return;
    }
  }
  if (stop.stop_requested()) {
    return;
  }
  {
    std::lock_guard lock(mutex_);
    leading_ = true;
  }
  spdlog::info("kube: {} became leader of lease {}/{}", config_.identity, config_.ns, config_.name);
  if (callbacks_.onStartedLeading) {
    callbacks_.onStartedLeading();
  }
  // Renew.
  while (true) {
    if (!sleepFor(config_.retryPeriod, stop)) {
      break;
    }
    auto deadline = std::chrono::steady_clock::now() + config_.renewDeadline;
    bool renewed = false;
    {
      std::lock_guard lock(mutex_);
      deadline = renewedAt_ + config_.renewDeadline;
    }
    while (!stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
      if (tryAcquireOrRenew()) {
        renewed = true;
        break;
      }
      if (!sleepFor(std::min(config_.retryPeriod, std::chrono::milliseconds(500)), stop)) {
        break;
      }
    }
    if (!renewed) {
      break;
    }
  }
  {
    std::lock_guard lock(mutex_);
    leading_ = false;
  }
  if (stop.stop_requested() && config_.releaseOnStop) {
    release();
  } else {
    spdlog::warn("kube: {} lost lease {}/{}", config_.identity, config_.ns, config_.name);
  }
  if (callbacks_.onStoppedLeading) {
    callbacks_.onStoppedLeading();
  }
}

}  // namespace egressdiag::kube
