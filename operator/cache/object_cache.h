#pragma once

// Informer-backed caches of the kinds a component reads, combined into model::ObjectSet
// snapshots: the objects the pure checks take, whether they come from watches (operator,
// probe daemon) or from a file (`egressdiag-probe check --objects`). Optional kinds (upstream
// CRDs that may be missing) are started and stopped as discovery sees their CRDs.

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/kube/client.h"
#include "operator/kube/informer.h"
#include "operator/model/decode.h"
#include "operator/model/resource.h"

namespace egressdiag::cache {

// The member of ObjectSet holding objects of type T (one specialisation per modelled kind).
template <class T>
std::vector<T> model::ObjectSet::*memberOf();
#define EGRESSDIAG_DECLARE_MEMBER(Type) \
  template <>                           \
  std::vector<model::Type> model::ObjectSet::*memberOf<model::Type>();
EGRESSDIAG_DECLARE_MEMBER(Namespace)
EGRESSDIAG_DECLARE_MEMBER(Pod)
EGRESSDIAG_DECLARE_MEMBER(Node)
EGRESSDIAG_DECLARE_MEMBER(Secret)
EGRESSDIAG_DECLARE_MEMBER(ConfigMap)
EGRESSDIAG_DECLARE_MEMBER(Event)
EGRESSDIAG_DECLARE_MEMBER(DaemonSet)
EGRESSDIAG_DECLARE_MEMBER(Deployment)
EGRESSDIAG_DECLARE_MEMBER(Lease)
EGRESSDIAG_DECLARE_MEMBER(EgressGateway)
EGRESSDIAG_DECLARE_MEMBER(EgressPolicy)
EGRESSDIAG_DECLARE_MEMBER(EgressClusterPolicy)
EGRESSDIAG_DECLARE_MEMBER(EgressTunnel)
EGRESSDIAG_DECLARE_MEMBER(EgressEndpointSlice)
EGRESSDIAG_DECLARE_MEMBER(EgressClusterEndpointSlice)
EGRESSDIAG_DECLARE_MEMBER(EgressClusterInfo)
EGRESSDIAG_DECLARE_MEMBER(StaticGatewayConfiguration)
EGRESSDIAG_DECLARE_MEMBER(GatewayLBConfiguration)
EGRESSDIAG_DECLARE_MEMBER(GatewayVMConfiguration)
EGRESSDIAG_DECLARE_MEMBER(GatewayStatus)
EGRESSDIAG_DECLARE_MEMBER(PodEndpoint)
EGRESSDIAG_DECLARE_MEMBER(FelixConfiguration)
EGRESSDIAG_DECLARE_MEMBER(EgressDiagnosis)
EGRESSDIAG_DECLARE_MEMBER(EgressNodeReport)
#undef EGRESSDIAG_DECLARE_MEMBER

class ObjectCache {
 public:
  template <class T>
  using Changed = std::function<void(const T* before, const T& after)>;

  explicit ObjectCache(kube::Client& client) : client_(client) {}
  ~ObjectCache();
  ObjectCache(const ObjectCache&) = delete;
  ObjectCache& operator=(const ObjectCache&) = delete;

  // Declares a kind (not started). `ns` "" = all namespaces; `fieldSelector` limits the watch
  // (e.g. "spec.nodeName=node1"). `changed` runs on the informer thread for every add, update
  // and delete (delete: before = nullptr, after = the last state).
  template <class T>
  void add(const model::ResourceType& type, std::string ns, std::string fieldSelector,
           Changed<T> changed);

  // Starts the informer of a declared kind (idempotent).
  void start(std::string_view kind);
  // Starts or stops an optional kind; true when that changed anything.
  bool setAvailable(std::string_view kind, bool available);
  bool running(std::string_view kind) const;
  // Every running informer has delivered its first LIST.
  bool synced() const;
  // Appends every cached object of the running kinds to `objects`.
  void fill(model::ObjectSet& objects) const;
  // The same for the named kinds only (kinds not declared are ignored).
  void fill(model::ObjectSet& objects, std::initializer_list<std::string_view> kinds) const;
  // "ns/name" (or "name") keys of one kind; empty when it does not run.
  std::vector<std::string> keys(std::string_view kind) const;

 private:
  struct SlotBase {
    virtual ~SlotBase() = default;
    virtual void start() = 0;
    // Detaches the informer; the caller destroys it (joining its thread) outside mutex_,
    // since its handlers may be waiting for a lock the caller holds.
    virtual std::shared_ptr<void> release() = 0;
    virtual bool running() const = 0;
    virtual bool synced() const = 0;
    virtual void fill(model::ObjectSet& objects) const = 0;
    virtual std::vector<std::string> keys() const = 0;
  };
  template <class T>
  struct Slot;

  kube::Client& client_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<SlotBase>, std::less<>> slots_;  // by kind
};

template <class T>
struct ObjectCache::Slot : ObjectCache::SlotBase {
  Slot(kube::Client& client, kube::ReflectorOptions options, Changed<T> changed)
      : client_(client), options_(std::move(options)), changed_(std::move(changed)) {}

  void start() override {
    if (informer_) {
      return;
    }
    informer_ = std::make_unique<kube::Informer<T>>(
        client_, options_, [](const rapidjson::Value& v) { return model::decode<T>(v); });
    auto changed = changed_;
    informer_->addHandlers(kube::InformerHandlers<T>{
        [changed](const kube::ObjectPtr<T>& o) { changed(nullptr, *o); },
        [changed](const kube::ObjectPtr<T>& b, const kube::ObjectPtr<T>& o) {
          changed(b.get(), *o);
        },
        [changed](const kube::ObjectPtr<T>& o) { changed(nullptr, *o); }});
    informer_->start();
  }
  std::shared_ptr<void> release() override {
    return std::shared_ptr<kube::Informer<T>>(std::move(informer_));
  }
  bool running() const override { return informer_ != nullptr; }
  bool synced() const override { return !informer_ || informer_->hasSynced(); }
  void fill(model::ObjectSet& objects) const override {
    if (!informer_) {
      return;
    }
    auto& out = objects.*memberOf<T>();
    for (const auto& object : informer_->list()) {
      out.push_back(*object);
    }
  }
  std::vector<std::string> keys() const override {
    return informer_ ? informer_->keys() : std::vector<std::string>{};
  }

  kube::Client& client_;
  kube::ReflectorOptions options_;
  Changed<T> changed_;
  std::unique_ptr<kube::Informer<T>> informer_;
};

// The API path parts of a modelled kind.
kube::ResourceRef refOf(const model::ResourceType& type);

template <class T>
void ObjectCache::add(const model::ResourceType& type, std::string ns, std::string fieldSelector,
                      Changed<T> changed) {
  kube::ReflectorOptions options;
  options.resource = refOf(type);
  options.ns = std::move(ns);
  options.fieldSelector = std::move(fieldSelector);
  std::lock_guard lock(mutex_);
  slots_[std::string(type.kind)] =
      std::make_unique<Slot<T>>(client_, std::move(options), std::move(changed));
}

}  // namespace egressdiag::cache
