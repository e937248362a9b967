#include "node-probe/daemon/daemon.h"

#include <malloc.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>

#include "node-probe/daemon/metrics.h"
#include "node-probe/daemon/netlink_events.h"
#include "node-probe/daemon/report.h"
#include "operator/cache/object_cache.h"
#include "operator/common/logging.h"
#include "operator/controller/coverage.h"
#include "operator/kube/discovery.h"
#include "operator/kube/reflector.h"
#include "operator/kube/typed.h"
#include "operator/model/time.h"
#include "operator/serving/endpoints.h"

namespace egressdiag::daemon {
namespace {

using logging::log;
using spdlog::level::level_enum;
using Clock = std::chrono::steady_clock;

constexpr auto kDebounce = std::chrono::milliseconds(50);
constexpr auto kWriteRetry = std::chrono::seconds(5);
constexpr auto kDefaultActiveInterval = std::chrono::seconds(30);
constexpr auto kMinActiveInterval = std::chrono::seconds(5);
constexpr auto kMinActiveSpacing = std::chrono::seconds(1);
constexpr auto kDiscoveryInterval = std::chrono::seconds(30);

model::Time nowTime() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

// The upstream kinds a node check reads; each is optional (its CRD may be missing).
std::vector<model::ResourceType> upstreamKinds() {
  using namespace model;
  return {kEgressGateway,          kEgressPolicy,
          kEgressClusterPolicy,    kEgressTunnel,
          kEgressEndpointSlice,    kEgressClusterEndpointSlice,
          kEgressClusterInfo,      kStaticGatewayConfiguration,
          kGatewayLBConfiguration, kGatewayVMConfiguration,
          kGatewayStatus,          kPodEndpoint};
}

// Hash of the iptables saves and ipset members: the cheap change test of the poll.
std::uint64_t mix(std::uint64_t h, std::string_view text) {
  for (unsigned char c : text) {
    h = (h ^ c) * 1099511628211ULL;  // FNV-1a
  }
  return (h ^ 0xff) * 1099511628211ULL;
}

class Probe {
 public:
  Probe(const RunOptions& options, kube::Client& client, ProbeMetrics& metrics)
      : options_(options),
        client_(client),
        metrics_(metrics),
        reader_(datapath::KernelDatapathReader::Paths{options.hostNetns, options.netnsDir,
                                                      options.cniConfDir, "/proc/sys/net"}),
        cache_(client),
        watcher_([this](const std::string&) { trigger("netlink"); }) {}

  void start() {
    using namespace model;
    auto changed = [this](const auto*, const auto&) {
      ++objectsGeneration_;
      trigger("objects");
    };
    cache_.add<Node>(kNode, "", "", changed);
    cache_.add<Namespace>(kNamespace, "", "", changed);
    cache_.add<Pod>(kPod, "", "spec.nodeName=" + options_.nodeName, changed);
    // A diagnosis sets the echo URL and interval of the active checks: run them again now
    // rather than at the next interval, so a new diagnosis gets its source-IP verdict at once.
    cache_.add<EgressDiagnosis>(kEgressDiagnosis, "", "",
                                [this](const EgressDiagnosis* before, const EgressDiagnosis& d) {
                                  // Status writes (the operator's, every verdict change) are
                                  // no reason to probe again; a new or changed spec is.
                                  if (before != nullptr && before->spec == d.spec) {
                                    return;
                                  }
                                  {
                                    std::lock_guard lock(mutex_);
                                    activeDirty_ = true;
                                  }
                                  wakeUp_.notify_all();
                                });
    cache_.add<EgressGateway>(kEgressGateway, "", "", changed);
    cache_.add<EgressPolicy>(kEgressPolicy, "", "", changed);
    cache_.add<EgressClusterPolicy>(kEgressClusterPolicy, "", "", changed);
    cache_.add<EgressTunnel>(kEgressTunnel, "", "", changed);
    cache_.add<EgressEndpointSlice>(kEgressEndpointSlice, "", "", changed);
    cache_.add<EgressClusterEndpointSlice>(kEgressClusterEndpointSlice, "", "", changed);
    cache_.add<EgressClusterInfo>(kEgressClusterInfo, "", "", changed);
    cache_.add<StaticGatewayConfiguration>(kStaticGatewayConfiguration, "", "", changed);
    cache_.add<GatewayLBConfiguration>(kGatewayLBConfiguration, "", "", changed);
    cache_.add<GatewayVMConfiguration>(kGatewayVMConfiguration, "", "", changed);
    cache_.add<GatewayStatus>(kGatewayStatus, "", "", changed);
    cache_.add<PodEndpoint>(kPodEndpoint, "", "", changed);
    for (const char* kind : {"Node", "Namespace", "Pod", "EgressDiagnosis"}) {
      cache_.start(kind);
    }
    std::vector<kube::ResourceRef> wanted;
    for (const auto& kind : upstreamKinds()) {
      wanted.push_back(cache::refOf(kind));
    }
    discovery_ = std::make_unique<kube::ApiAvailabilityWatcher>(
        client_, wanted, kDiscoveryInterval, [this](const kube::ResourceRef& ref, bool available) {
          for (const auto& kind : upstreamKinds()) {
            if (cache::refOf(kind) == ref && cache_.setAvailable(kind.kind, available)) {
              ++objectsGeneration_;
              trigger("objects");
            }
          }
        });
    discoveryThread_ = std::jthread([this](std::stop_token stop) { discovery_->run(stop); });
    evaluator_ = std::jthread([this](std::stop_token stop) { evaluate(stop); });
    leaseThread_ = std::jthread([this](std::stop_token stop) { renewLeases(stop); });
  }

  void stop() {
    auto wake = [this] {
      // Under the lock, so a waiter between its predicate check and its wait cannot miss it.
      std::lock_guard lock(mutex_);
      wakeUp_.notify_all();
    };
    evaluator_.request_stop();
    wake();
    if (evaluator_.joinable()) {
      evaluator_.join();  // it starts activeThread_: join it before touching that one
    }
    activeThread_.request_stop();
    wake();
    leaseThread_.request_stop();
    discoveryThread_.request_stop();
  }

  // Ready once this process has written (or tried to write) its first evaluation.
  bool ready() const { return evaluated_.load(); }

 private:
  void trigger(const char* why) {
    {
      std::lock_guard lock(mutex_);
      if (!dirty_) {
        dirtyReason_ = why;
      }
      dirty_ = true;
    }
    wakeUp_.notify_all();
  }

  bool waitForCaches(std::stop_token stop) {
    while (!stop.stop_requested()) {
      if (discovery_->settled() && cache_.synced()) {
        return true;
      }
      kube::sleepFor(std::chrono::milliseconds(100), stop);
    }
    return false;
  }

  model::ObjectSet objects() const {
    model::ObjectSet objects;
    cache_.fill(objects);
    return objects;
  }

  // The previous report (kept across restarts: `since` and the verdict stay until replaced).
  void loadPreviousReport() {
    auto existing = kube::getAs<model::EgressNodeReport>(
        client_, cache::refOf(model::kEgressNodeReport), "", options_.nodeName,
        [](const rapidjson::Value& v) { return model::decode<model::EgressNodeReport>(v); });
    if (existing) {
      reportExists_ = true;
      previous_ = existing->status;
    } else if (existing.error().reason != kube::ApiReason::NotFound) {
      log(level_enum::warn, "cannot read the previous report",
          {{"node", options_.nodeName}, {"error", existing.error().describe()}});
    }
  }

  std::uint64_t fingerprint(const std::vector<runner::ReadNamespace>& named) {
    // Polled: what sends no rtnetlink event (iptables, ipsets, sysctls, WireGuard peers and
    // ports, the CNI configuration directory), in each namespace only the parts the checks
    // read there.
    datapath::ReadOptions hostRead;
    hostRead.netlink = false;
    hostRead.wireguardUapiDir = options_.wireguardDir;
    std::uint64_t h = 14695981039346656037ULL;
    if (auto cni = reader_.readCniConfDir()) {
      for (const auto& file : cni->files) {
        struct stat st {};
        std::string path = cni->dir + "/" + file;
        bool ok = ::stat(path.c_str(), &st) == 0;
        h = mix(h, file + "@" + std::to_string(ok ? st.st_mtim.tv_nsec + st.st_mtim.tv_sec : 0));
      }
    }
    // Named namespaces coming and going (a gateway namespace recreated) send no event into
    // the namespaces we watch: their names and inodes are part of the change test.
    if (auto names = reader_.listNetns()) {
      for (const auto& name : *names) {
        struct stat st {};
        std::string path = options_.netnsDir + "/" + name;
        h = mix(h, name + "@" + std::to_string(::stat(path.c_str(), &st) == 0 ? st.st_ino : 0));
      }
    }
    std::vector<std::pair<datapath::NetnsRef, datapath::ReadOptions>> reads{
        {datapath::NetnsRef::host(), hostRead}};
    for (const auto& n : named) {
      datapath::ReadOptions read = n.read;
      read.netlink = false;
      reads.emplace_back(datapath::NetnsRef::named(n.name), read);
    }
    for (const auto& [ref, read] : reads) {
      auto snap = reader_.readNetns(ref, read);
      if (!snap) {
        h = mix(h, snap.error().message);
        continue;
      }
      if (snap->iptables) {
        for (const auto& save : snap->iptables->saves) {
          h = mix(h, std::to_string(save.rawHash));
        }
      } else {
        h = mix(h, snap->iptables.error().message);
      }
      if (snap->ipsets) {
        for (const auto& set : *snap->ipsets) {
          h = mix(h, set.name + "@" + std::to_string(set.members.hash()));
        }
      } else {
        h = mix(h, snap->ipsets.error().message);
      }
      if (snap->wireguard) {
        for (const auto& dev : *snap->wireguard) {
          h = mix(h, dev.name + " " + dev.publicKey + " " + std::to_string(dev.listenPort));
          for (const auto& peer : dev.peers) {
            // Identity and routing only: handshakes and byte counters change all the time.
            h = mix(h, peer.publicKey + " " + peer.endpoint);
            for (const auto& ip : peer.allowedIps) {
              h = mix(h, ip);
            }
          }
        }
      }
      if (snap->sysctls) {
        const auto& sys = *snap->sysctls;
        for (const auto& value : {sys.ipForward, sys.rpFilterAll, sys.rpFilterDefault}) {
          h = mix(h, value ? std::to_string(*value) : "-");
        }
        for (const auto& [link, value] : sys.rpFilter) {
          h = mix(h, link + "=" + std::to_string(value));
        }
      }
    }
    return h;
  }

  runner::PassiveRun runPassive(const model::ObjectSet& objects, const std::string& trigger) {
    runner::PassiveOptions passiveOptions;
    passiveOptions.timeout = options_.activeTimeout;
    passiveOptions.wireguardUapiDir = options_.wireguardDir;
    auto run = runner::passiveChecks(objects, options_.nodeName, reader_, passiveOptions);
    metrics_.observeSnapshot(run.snapshotSeconds);
    metrics_.countEvaluation(trigger);
    countDrift(run.results);
    namedNetns_ = run.namedNetns;
    watchNamespaces();
    return run;
  }

  runner::ActiveRun runActive(const model::ObjectSet& objects) {
    auto echo = [&](const model::TargetRef& target) -> std::optional<runner::EchoEndpoint> {
      for (const auto& d : objects.egressDiagnoses) {
        const auto& ref = d.spec.targetRef;
        std::string ns = ref.namespace_.empty() ? d.metadata.namespace_ : ref.namespace_;
        bool clusterScoped = target.kind == "EgressClusterPolicy";
        if (!d.spec.probe || d.spec.probe->url.empty() || ref.kind != target.kind ||
            ref.name != target.name || (!clusterScoped && ns != target.namespace_)) {
          continue;
        }
        runner::EchoEndpoint endpoint{d.spec.probe->url, options_.activeTimeout};
        if (d.spec.probe->timeout) {
          endpoint.timeout =
              std::chrono::duration_cast<std::chrono::milliseconds>(*d.spec.probe->timeout);
        }
        return endpoint;
      }
      return std::nullopt;
    };
    auto run =
        runner::activeChecks(objects, options_.nodeName, reader_, echo,
                             runner::ActiveOptions{options_.activeTimeout, options_.arpProbe});
    metrics_.recordActive(run.observed);
    metrics_.countEvaluation("active");
    countDrift(run.results);
    return run;
  }

  void countDrift(const std::vector<runner::FlavourFindings>& findings) {
    std::lock_guard lock(driftMutex_);
    for (const auto& check : drift_.update(findings, objectsGeneration_.load())) {
      metrics_.countDriftRepair(check);
      log(level_enum::info, "check healed without an object change", {{"check", check}});
    }
  }

  std::chrono::seconds activeInterval(const model::ObjectSet& objects) const {
    std::chrono::seconds interval = kDefaultActiveInterval;
    bool any = false;
    for (const auto& d : objects.egressDiagnoses) {
      auto s = std::chrono::duration_cast<std::chrono::seconds>(d.spec.interval);
      interval = any ? std::min(interval, s) : s;
      any = true;
    }
    return std::max(interval, std::chrono::seconds(kMinActiveInterval));
  }

  // One rtnetlink subscription per namespace the checks read. A key carries the namespace's
  // inode: a namespace deleted and created again under the same name (a restarted gateway)
  // gets a new subscription, since the old socket stays bound to the dead namespace.
  void watchNamespaces() {
    std::vector<datapath::NetnsRef> refs{datapath::NetnsRef::host()};
    for (const auto& n : namedNetns_) {
      refs.push_back(datapath::NetnsRef::named(n.name));
    }
    std::set<std::string> wanted;
    auto have = watcher_.keys();
    for (const auto& ref : refs) {
      auto exec = reader_.executorFor(ref);
      std::string path = datapath::netnsPath(exec.ref(), options_.netnsDir);
      struct stat st {};
      if (::stat(path.empty() ? "/proc/self/ns/net" : path.c_str(), &st) != 0) {
        continue;  // gone: the checks report it; polling covers the rest
      }
      std::string key = ref.describe() + "@" + std::to_string(st.st_ino);
      wanted.insert(key);
      if (have.contains(key)) {
        continue;
      }
      auto fd = exec.run([] { return openRouteEventSocket(); });
      if (fd && *fd) {
        watcher_.watch(key, **fd);
      } else {
        wanted.erase(key);
        log(level_enum::warn, "cannot subscribe to kernel changes; relying on polling",
            {{"netns", ref.describe()},
             {"error", fd ? (*fd).error().message : fd.error().message}});
      }
    }
    watcher_.retain(wanted);
  }

  // The findings of the latest passive and active runs, per flavour in passive order.
  std::vector<runner::FlavourFindings> combined() const {
    std::vector<runner::FlavourFindings> out = passive_.results;
    for (const auto& run : active_.results) {
      auto it = std::find_if(out.begin(), out.end(),
                             [&](const auto& r) { return r.flavour == run.flavour; });
      if (it == out.end()) {
        out.push_back(run);
      } else {
        it->findings.insert(it->findings.end(), run.findings.begin(), run.findings.end());
      }
    }
    return out;
  }

  void publish(const model::ObjectSet& objects) {
    auto findings = combined();
    metrics_.setCheckResults(findings);
    metrics_.setLastEvaluation(
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
    auto report = buildReport(
        options_.nodeName, findings, previous_ ? &*previous_ : nullptr, nowTime(),
        std::chrono::milliseconds(static_cast<std::int64_t>(passive_.snapshotSeconds * 1000)),
        EGRESSDIAG_VERSION);
    for (const auto& node : objects.nodes) {
      if (node.metadata.name == options_.nodeName && !node.metadata.uid.empty()) {
        report.metadata.ownerReferences.push_back(
            {"v1", "Node", node.metadata.name, node.metadata.uid, false});
      }
    }
    if (!written_ || !sameResults(report.status, written_->status)) {
      pending_ = std::move(report);
    }
    if (pending_ && Clock::now() >= nextWriteAttempt_) {
      writeReport();
    }
    pendingWrite_ = pending_.has_value();
    evaluated_ = true;
  }

  void writeReport() {
    const std::string body = model::toJson(*pending_);
    auto ref = cache::refOf(model::kEgressNodeReport);
    if (!reportExists_) {
      auto created = client_.create(ref, "", body);
      if (created || created.error().reason == kube::ApiReason::AlreadyExists) {
        reportExists_ = true;
      } else {
        writeFailed("create", created.error().describe());
        return;
      }
    }
    kube::PatchOptions patch;
    patch.subresource = "status";
    patch.fieldManager = "egressdiag-probe";
    auto patched = client_.patch(ref, "", options_.nodeName, kube::PatchType::Merge, body, patch);
    if (!patched) {
      if (patched.error().reason == kube::ApiReason::NotFound) {
        reportExists_ = false;  // deleted under us: create it again next time
      }
      writeFailed("status patch", patched.error().describe());
      return;
    }
    metrics_.countReportWrite(true);
    log(level_enum::info, "report written",
        {{"node", options_.nodeName},
         {"fail", std::to_string(pending_->status.counts.fail)},
         {"unknown", std::to_string(pending_->status.counts.unknown)},
         {"pass", std::to_string(pending_->status.counts.pass)}});
    previous_ = pending_->status;
    written_ = std::move(pending_);
    pending_.reset();
    firstWritten_ = true;
  }

  void writeFailed(const char* step, const std::string& error) {
    metrics_.countReportWrite(false);
    nextWriteAttempt_ = Clock::now() + kWriteRetry;
    log(level_enum::warn, "cannot write the report; will retry",
        {{"node", options_.nodeName}, {"step", step}, {"error", error}});
  }

  // The passive loop: kernel events, object changes and the iptables/ipset poll. Active checks
  // (pings and echo requests that may wait for timeouts while egress is broken) run on their
  // own thread, so they never delay a passive verdict.
  void evaluate(std::stop_token stop) {
    if (!waitForCaches(stop)) {
      return;
    }
    loadPreviousReport();
    auto objects = this->objects();
    {
      std::lock_guard lock(mutex_);
      dirty_ = false;
      activeDirty_ = false;
    }
    lastFingerprint_ = fingerprint({});
    auto passive = runPassive(objects, "start");
    lastFingerprint_ = fingerprint(passive.namedNetns);
    auto active = runActive(objects);
    {
      std::lock_guard lock(resultsMutex_);
      passive_ = std::move(passive);
      active_ = std::move(active);
      publish(objects);
    }
    activeThread_ = std::jthread([this](std::stop_token s) { activeLoop(s); });
    auto nextPoll = Clock::now() + options_.pollInterval;
    while (!stop.stop_requested()) {
      std::string reason;
      {
        std::unique_lock lock(mutex_);
        auto deadline = nextPoll;
        if (pendingWrite_.load()) {
          deadline = std::min(deadline, Clock::now() + kWriteRetry);
        }
        wakeUp_.wait_until(lock, deadline, [&] { return dirty_ || stop.stop_requested(); });
        if (stop.stop_requested()) {
          return;
        }
        if (dirty_) {
          // Coalesce a burst (a route flush is hundreds of messages) into one evaluation.
          lock.unlock();
          std::this_thread::sleep_for(kDebounce);
          lock.lock();
          reason = dirtyReason_;
          dirty_ = false;
        }
      }
      objects = this->objects();
      auto now = Clock::now();
      std::optional<runner::PassiveRun> passiveRun;
      if (!reason.empty()) {
        passiveRun = runPassive(objects, reason);
        // The poll's reference state is now older than what this run saw: a change back to
        // it (a fault injected again the same way) must not look like "no change".
        lastFingerprint_ = 0;
      } else if (now >= nextPoll) {
        auto fp = fingerprint(namedNetns_);
        if (fp != lastFingerprint_) {
          lastFingerprint_ = fp;
          passiveRun = runPassive(objects, "poll");
        }
        nextPoll = now + options_.pollInterval;
      }
      std::lock_guard lock(resultsMutex_);
      if (passiveRun) {
        // The datapath changed verdicts (broken or healed): verify end to end now rather than
        // at the next interval, so E2E results follow the datapath within seconds.
        if (statusesOf(passiveRun->results) != statusesOf(passive_.results)) {
          std::lock_guard wakeLock(mutex_);
          activeDirty_ = true;
          wakeUp_.notify_all();
        }
        passive_ = std::move(*passiveRun);
      }
      publish(objects);
    }
  }

  static std::vector<std::tuple<int, std::string, int>> statusesOf(
      const std::vector<runner::FlavourFindings>& results) {
    std::vector<std::tuple<int, std::string, int>> out;
    for (const auto& run : results) {
      for (const auto& f : run.findings) {
        out.emplace_back(static_cast<int>(f.check), f.target, static_cast<int>(f.status));
      }
    }
    return out;
  }

  void activeLoop(std::stop_token stop) {
    auto nextActive = Clock::now() + activeInterval(this->objects());
    while (!stop.stop_requested()) {
      {
        std::unique_lock lock(mutex_);
        wakeUp_.wait_until(lock, nextActive, [&] { return activeDirty_ || stop.stop_requested(); });
        if (stop.stop_requested()) {
          return;
        }
        activeDirty_ = false;
      }
      auto objects = this->objects();
      auto active = runActive(objects);
      nextActive = Clock::now() + activeInterval(objects);
      {
        std::lock_guard lock(resultsMutex_);
        active_ = std::move(active);
        publish(objects);
      }
      // Datapath-triggered runs are spaced by a second, so a flapping check cannot keep the
      // probe sending traffic.
      kube::sleepFor(kMinActiveSpacing, stop);
    }
  }

  std::string leaseJson(bool create) const {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    std::string name = std::string(controller::kProbeLeasePrefix) + options_.nodeName;
    auto now = model::formatMicroTime(nowTime());
    w.StartObject();
    if (create) {
      w.Key("apiVersion");
      w.String("coordination.k8s.io/v1");
      w.Key("kind");
      w.String("Lease");
      w.Key("metadata");
      w.StartObject();
      w.Key("name");
      w.String(name.c_str());
      w.Key("namespace");
      w.String(options_.ns.c_str());
      w.EndObject();
    }
    w.Key("spec");
    w.StartObject();
    w.Key("holderIdentity");
    w.String(options_.nodeName.c_str());
    w.Key("leaseDurationSeconds");
    w.Int64(options_.leaseDuration.count());
    if (create) {
      w.Key("acquireTime");
      w.String(now.c_str());
    }
    w.Key("renewTime");
    w.String(now.c_str());
    w.EndObject();
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
  }

  // Liveness for the operator. Renewals start only after this process' first report, so a
  // restarted probe never vouches for a report it has not evaluated.
  void renewLeases(std::stop_token stop) {
    auto period = std::chrono::duration_cast<std::chrono::milliseconds>(options_.leaseDuration) / 3;
    auto ref = cache::refOf(model::kLease);
    std::string name = std::string(controller::kProbeLeasePrefix) + options_.nodeName;
    while (!stop.stop_requested()) {
      if (!firstWritten_.load()) {
        kube::sleepFor(std::chrono::milliseconds(200), stop);
        continue;
      }
      auto renewed =
          client_.patch(ref, options_.ns, name, kube::PatchType::Merge, leaseJson(false), {});
      if (!renewed && renewed.error().reason == kube::ApiReason::NotFound) {
        auto created = client_.create(ref, options_.ns, leaseJson(true));
        if (!created) {
          log(level_enum::warn, "cannot create the probe Lease",
              {{"namespace", options_.ns}, {"name", name}, {"error", created.error().describe()}});
        }
      } else if (!renewed) {
        log(level_enum::warn, "cannot renew the probe Lease",
            {{"namespace", options_.ns}, {"name", name}, {"error", renewed.error().describe()}});
      }
      kube::sleepFor(renewed ? period : std::chrono::milliseconds(2000), stop);
    }
  }

  const RunOptions& options_;
  kube::Client& client_;
  ProbeMetrics& metrics_;

  // Declared before the sources of triggers below, so those (informer and netlink threads
  // calling trigger()) are stopped before these are destroyed.
  std::mutex mutex_;
  std::condition_variable wakeUp_;
  bool dirty_ = false;
  std::string dirtyReason_;
  bool activeDirty_ = false;
  std::atomic<std::uint64_t> objectsGeneration_{0};

  datapath::KernelDatapathReader reader_;
  cache::ObjectCache cache_;
  NetlinkWatcher watcher_;
  std::unique_ptr<kube::ApiAvailabilityWatcher> discovery_;

  // Passive loop only.
  std::uint64_t lastFingerprint_ = 0;
  std::vector<runner::ReadNamespace> namedNetns_;

  std::mutex driftMutex_;
  DriftTracker drift_;

  // The latest results and the report state; publish() runs under resultsMutex_.
  std::mutex resultsMutex_;
  runner::PassiveRun passive_;
  runner::ActiveRun active_;
  bool reportExists_ = false;
  std::optional<model::EgressNodeReportStatus> previous_;
  std::optional<model::EgressNodeReport> written_;
  std::optional<model::EgressNodeReport> pending_;
  Clock::time_point nextWriteAttempt_{};
  std::atomic<bool> pendingWrite_{false};
  std::atomic<bool> evaluated_{false};
  std::atomic<bool> firstWritten_{false};

  std::jthread discoveryThread_;
  std::jthread evaluator_;
  std::jthread activeThread_;  // started by evaluator_ after the first evaluation
  std::jthread leaseThread_;
};

}  // namespace

int runDaemon(const RunOptions& options) {
  // glibc gives each thread that allocates its own arena (up to 8 per core), and each keeps
  // the peak of what its thread once held. The probe's threads (informers, netlink, evaluator,
  // active checks, setns workers, HTTP) allocate in bursts, one evaluation at a time: two
  // arenas cost no measurable contention and keep ~2 MiB of idle RSS off every node
  // (docs/benchmarks.md, probe footprint). The environment can still override it.
  if (std::getenv("MALLOC_ARENA_MAX") == nullptr) {
    mallopt(M_ARENA_MAX, 2);
  }
  ProbeMetrics metrics;
  auto api = serving::connectCounted(
      options.kubeconfig, kube::ClientOptions{},
      [&metrics](const std::string& verb, int code) { metrics.countApiRequest(verb, code); });
  if (!api) {
    return 2;
  }
  kube::Client& client = *api->client;
  log(level_enum::info, "starting",
      {{"version", EGRESSDIAG_VERSION},
       {"node", options.nodeName},
       {"server", api->server},
       {"hostNetns", options.hostNetns.empty() ? std::string("own") : options.hostNetns}});

  auto exposer = serving::serveMetrics(options.metricsBindAddress, metrics.registry());
  if (!exposer) {
    log(level_enum::err, "cannot serve metrics", {{"error", exposer.error().message}});
    return 2;
  }

  Probe probe(options, client, metrics);
  auto health =
      serving::serveHealth(options.healthProbeBindAddress, [&probe] { return probe.ready(); });
  if (!health) {
    log(level_enum::err, "cannot serve health probes", {{"error", health.error().message}});
    return 2;
  }
  probe.start();

  int received = serving::waitForShutdownSignal();
  log(level_enum::info, "shutting down", {{"signal", std::to_string(received)}});
  probe.stop();
  return 0;
}

}  // namespace egressdiag::daemon
