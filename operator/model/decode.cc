#include "operator/model/decode.h"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <type_traits>

namespace egressdiag::model {
namespace {

using rapidjson::Value;

std::string_view typeName(const Value& value) {
  switch (value.GetType()) {
    case rapidjson::kNullType:
      return "null";
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      return "boolean";
    case rapidjson::kObjectType:
      return "object";
    case rapidjson::kArrayType:
      return "array";
    case rapidjson::kStringType:
      return "string";
    case rapidjson::kNumberType:
      return "number";
  }
  return "unknown";
}

// Records the first decoding error; later reads return defaults. Keeps the per-kind decoders
// flat (one line per field) while still reporting the exact JSON path of the first problem.
class ErrorSink {
 public:
  void report(const std::string& path, std::string_view problem) {
    if (!error_) {
      error_ = Error{ErrorCode::InvalidInput,
                     (path.empty() ? "(root)" : path) + ": " + std::string(problem)};
    }
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  std::optional<Error> error_;
};

// A JSON object at a path. A missing or null object reads as empty: every field is absent.
class Fields {
 public:
  Fields(const Value* object, std::string path, ErrorSink& sink)
      : object_(object), path_(std::move(path)), sink_(&sink) {}

  const std::string& path() const { return path_; }
  ErrorSink& sink() const { return *sink_; }

  std::string childPath(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  // The member, or nullptr when absent or null (Go emits null for nil slices, maps, pointers).
  const Value* find(std::string_view key) const {
    if (object_ == nullptr) {
      return nullptr;
    }
    auto member = object_->FindMember(
        Value(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
    if (member == object_->MemberEnd() || member->value.IsNull()) {
      return nullptr;
    }
    return &member->value;
  }

  bool has(std::string_view key) const { return find(key) != nullptr; }

  std::string string(std::string_view key) const {
    const Value* value = find(key);
    return value == nullptr ? std::string() : readString(*value, childPath(key));
  }

  bool boolean(std::string_view key, bool fallback = false) const {
    const Value* value = find(key);
    if (value == nullptr) {
      return fallback;
    }
    if (!value->IsBool()) {
      mismatch(*value, childPath(key), "boolean");
      return fallback;
    }
    return value->GetBool();
  }

  std::int64_t integer(std::string_view key, std::int64_t fallback = 0) const {
    const Value* value = find(key);
    return value == nullptr ? fallback : readInteger(*value, childPath(key));
  }

  std::optional<double> number(std::string_view key) const {
    const Value* value = find(key);
    if (value == nullptr) {
      return std::nullopt;
    }
    if (!value->IsNumber()) {
      mismatch(*value, childPath(key), "number");
      return std::nullopt;
    }
    return value->GetDouble();
  }

  std::optional<std::int64_t> optionalInteger(std::string_view key) const {
    const Value* value = find(key);
    if (value == nullptr) {
      return std::nullopt;
    }
    return readInteger(*value, childPath(key));
  }

  std::uint64_t unsignedInteger(std::string_view key) const {
    const Value* value = find(key);
    if (value == nullptr) {
      return 0;
    }
    if (!value->IsUint64()) {
      mismatch(*value, childPath(key), "non-negative integer");
      return 0;
    }
    return value->GetUint64();
  }

  // A string member converted by `parse` (a function returning Result<T>); a wrong type or an
  // unparsable value is reported at the member's path and yields nullopt.
  template <class Parse>
  auto parsedString(std::string_view key, Parse parse) const
      -> std::optional<typename std::invoke_result_t<Parse, std::string_view>::value_type> {
    const Value* value = find(key);
    if (value == nullptr) {
      return std::nullopt;
    }
    std::string path = childPath(key);
    if (!value->IsString()) {
      mismatch(*value, path, "string");
      return std::nullopt;
    }
    auto parsed = parse(std::string_view(value->GetString(), value->GetStringLength()));
    if (!parsed) {
      sink_->report(path, parsed.error().message);
      return std::nullopt;
    }
    return *parsed;
  }

  std::optional<Time> time(std::string_view key) const { return parsedString(key, parseTime); }

  std::optional<Duration> duration(std::string_view key) const {
    return parsedString(key, parseDuration);
  }

  std::vector<std::string> strings(std::string_view key) const {
    std::vector<std::string> out;
    const Value* value = find(key);
    if (value == nullptr) {
      return out;
    }
    std::string path = childPath(key);
    if (!value->IsArray()) {
      mismatch(*value, path, "array");
      return out;
    }
    out.reserve(value->Size());
    for (rapidjson::SizeType i = 0; i < value->Size(); ++i) {
      out.push_back(readString((*value)[i], path + "[" + std::to_string(i) + "]"));
    }
    return out;
  }

  StringMap stringMap(std::string_view key) const {
    StringMap out;
    const Value* value = find(key);
    if (value == nullptr) {
      return out;
    }
    std::string path = childPath(key);
    if (!value->IsObject()) {
      mismatch(*value, path, "object");
      return out;
    }
    for (auto member = value->MemberBegin(); member != value->MemberEnd(); ++member) {
      std::string name(member->name.GetString(), member->name.GetStringLength());
      out.insert_or_assign(name, readString(member->value, path + "." + name));
    }
    return out;
  }

  // The nested object; reads as empty when absent, and reports a type error otherwise.
  Fields object(std::string_view key) const {
    const Value* value = find(key);
    std::string path = childPath(key);
    if (value != nullptr && !value->IsObject()) {
      mismatch(*value, path, "object");
      value = nullptr;
    }
    return Fields(value, std::move(path), *sink_);
  }

  // Each element of the array at `key` (which must hold objects) through `each(Fields)`.
  template <class F>
  auto list(std::string_view key, F each) const {
    std::vector<decltype(each(std::declval<Fields>()))> out;
    const Value* value = find(key);
    if (value == nullptr) {
      return out;
    }
    std::string path = childPath(key);
    if (!value->IsArray()) {
      mismatch(*value, path, "array");
      return out;
    }
    out.reserve(value->Size());
    for (rapidjson::SizeType i = 0; i < value->Size(); ++i) {
      const Value& item = (*value)[i];
      std::string itemPath = path + "[" + std::to_string(i) + "]";
      if (!item.IsObject()) {
        mismatch(item, itemPath, "object");
        return out;
      }
      out.push_back(each(Fields(&item, std::move(itemPath), *sink_)));
    }
    return out;
  }

  // Each member of the object at `key` (whose values must be objects) through `each(Fields)`.
  template <class F>
  auto objectMap(std::string_view key, F each) const {
    std::map<std::string, decltype(each(std::declval<Fields>()))> out;
    const Value* value = find(key);
    if (value == nullptr) {
      return out;
    }
    std::string path = childPath(key);
    if (!value->IsObject()) {
      mismatch(*value, path, "object");
      return out;
    }
    for (auto member = value->MemberBegin(); member != value->MemberEnd(); ++member) {
      std::string name(member->name.GetString(), member->name.GetStringLength());
      std::string memberPath = path + "." + name;
      if (!member->value.IsObject()) {
        mismatch(member->value, memberPath, "object");
        return out;
      }
      out.insert_or_assign(name, each(Fields(&member->value, std::move(memberPath), *sink_)));
    }
    return out;
  }

  void report(std::string_view key, std::string_view problem) const {
    sink_->report(childPath(key), problem);
  }

 private:
  void mismatch(const Value& value, const std::string& path, std::string_view expected) const {
    sink_->report(path,
                  "expected " + std::string(expected) + ", got " + std::string(typeName(value)));
  }

  std::string readString(const Value& value, const std::string& path) const {
    if (!value.IsString()) {
      mismatch(value, path, "string");
      return {};
    }
    return std::string(value.GetString(), value.GetStringLength());
  }

  std::int64_t readInteger(const Value& value, const std::string& path) const {
    if (!value.IsInt64()) {
      mismatch(value, path, "integer");
      return 0;
    }
    return value.GetInt64();
  }

  const Value* object_;
  std::string path_;
  ErrorSink* sink_;
};

// --- Shared pieces ------------------------------------------------------------------------------

ObjectMeta readMeta(const Fields& f) {
  ObjectMeta meta;
  meta.name = f.string("name");
  meta.generateName = f.string("generateName");
  meta.namespace_ = f.string("namespace");
  meta.uid = f.string("uid");
  meta.resourceVersion = f.string("resourceVersion");
  meta.generation = f.integer("generation");
  meta.labels = f.stringMap("labels");
  meta.annotations = f.stringMap("annotations");
  meta.ownerReferences = f.list("ownerReferences", [](const Fields& o) {
    return OwnerReference{o.string("apiVersion"), o.string("kind"), o.string("name"),
                          o.string("uid"), o.boolean("controller")};
  });
  meta.finalizers = f.strings("finalizers");
  meta.creationTimestamp = f.time("creationTimestamp");
  meta.deletionTimestamp = f.time("deletionTimestamp");
  return meta;
}

ObjectReference readObjectReference(const Fields& f) {
  return ObjectReference{f.string("apiVersion"), f.string("kind"), f.string("name"),
                         f.string("namespace"),  f.string("uid"),  f.string("fieldPath")};
}

std::optional<LabelSelector> readSelector(const Fields& parent, std::string_view key) {
  if (!parent.has(key)) {
    return std::nullopt;
  }
  Fields f = parent.object(key);
  LabelSelector selector;
  selector.matchLabels = f.stringMap("matchLabels");
  selector.matchExpressions = f.list("matchExpressions", [](const Fields& e) {
    LabelSelectorRequirement requirement;
    requirement.key = e.string("key");
    std::string op = e.string("operator");
    static constexpr std::array<std::pair<std::string_view, SelectorOperator>, 4> kOperators{{
        {"In", SelectorOperator::In},
        {"NotIn", SelectorOperator::NotIn},
        {"Exists", SelectorOperator::Exists},
        {"DoesNotExist", SelectorOperator::DoesNotExist},
    }};
    auto found = std::ranges::find(kOperators, op, [](const auto& entry) { return entry.first; });
    if (found == kOperators.end()) {
      e.report("operator", "expected one of In, NotIn, Exists, DoesNotExist");
    } else {
      requirement.op = found->second;
    }
    requirement.values = e.strings("values");
    return requirement;
  });
  return selector;
}

std::vector<Condition> readConditions(const Fields& f) {
  return f.list("conditions", [](const Fields& c) {
    Condition condition;
    condition.type = c.string("type");
    std::string status = c.string("status");
    condition.status = status == "True"    ? ConditionStatus::True
                       : status == "False" ? ConditionStatus::False
                                           : ConditionStatus::Unknown;
    condition.reason = c.string("reason");
    condition.message = c.string("message");
    condition.lastTransitionTime = c.time("lastTransitionTime");
    condition.observedGeneration = c.integer("observedGeneration");
    return condition;
  });
}

TargetRef readTargetRef(const Fields& f) {
  return TargetRef{f.string("apiGroup"), f.string("kind"), f.string("name"), f.string("namespace")};
}

IPLists readIPLists(const Fields& f) {
  return IPLists{f.strings("ipv4"), f.strings("ipv6")};
}

GatewayVmssProfile readVmssProfile(const Fields& f) {
  return GatewayVmssProfile{f.string("vmssResourceGroup"), f.string("vmssName"),
                            f.integer("publicIpPrefixSize")};
}

GatewayConfigurationSpec readGatewayConfigurationSpec(const Fields& spec) {
  return GatewayConfigurationSpec{
      spec.string("gatewayNodepoolName"), readVmssProfile(spec.object("gatewayVmssProfile")),
      spec.boolean("provisionPublicIps", true), spec.string("publicIpPrefixId")};
}

EgressPolicySpec readPolicySpec(const Fields& spec) {
  EgressPolicySpec out;
  out.egressGatewayName = spec.string("egressGatewayName");
  Fields egressIP = spec.object("egressIP");
  out.egressIP = EgressIPSpec{egressIP.string("ipv4"), egressIP.string("ipv6"),
                              egressIP.boolean("useNodeIP"), egressIP.string("allocatorPolicy")};
  Fields appliedTo = spec.object("appliedTo");
  out.appliedTo.podSelector = readSelector(appliedTo, "podSelector");
  out.appliedTo.podSubnet = appliedTo.strings("podSubnet");
  out.appliedTo.namespaceSelector = readSelector(appliedTo, "namespaceSelector");
  out.destSubnet = spec.strings("destSubnet");
  out.priority = spec.unsignedInteger("priority");
  return out;
}

EgressPolicyStatus readPolicyStatus(const Fields& status) {
  Fields eip = status.object("eip");
  return EgressPolicyStatus{eip.string("ipv4"), eip.string("ipv6"), status.string("node")};
}

std::vector<EgressEndpoint> readEndpoints(const Fields& root) {
  return root.list("endpoints", [](const Fields& e) {
    return EgressEndpoint{e.string("ns"), e.string("pod"), e.strings("ipv4"), e.strings("ipv6"),
                          e.string("node")};
  });
}

TargetRef readTargetKey(const Fields& f, std::string_view key) {
  auto target = parseTargetKey(f.string(key));
  if (!target) {
    f.report(key, target.error().message);
    return {};
  }
  return *target;
}

Finding readFinding(const Fields& f) {
  Finding finding;
  finding.check = f.string("check");
  finding.layer = f.string("layer");
  finding.target = readTargetKey(f, "target");
  finding.node = f.string("node");
  if (f.has("status")) {
    auto status = parseCheckStatus(f.string("status"));
    if (status) {
      finding.status = *status;
    } else {
      f.report("status", status.error().message);
    }
  }
  finding.reason = f.string("reason");
  finding.message = f.string("message");
  finding.evidence = f.strings("evidence");
  finding.remediation = f.string("remediation");
  finding.since = f.time("since");
  return finding;
}

// --- Per-kind bodies: (root fields) -> T -------------------------------------------------------

Namespace readNamespace(const Fields& root) {
  return Namespace{readMeta(root.object("metadata"))};
}

Pod readPod(const Fields& root) {
  Pod pod;
  pod.metadata = readMeta(root.object("metadata"));
  Fields spec = root.object("spec");
  pod.spec.nodeName = spec.string("nodeName");
  pod.spec.hostNetwork = spec.boolean("hostNetwork");
  Fields status = root.object("status");
  pod.status.phase = status.string("phase");
  pod.status.hostIP = status.string("hostIP");
  pod.status.podIP = status.string("podIP");
  pod.status.podIPs = status.list("podIPs", [](const Fields& ip) { return ip.string("ip"); });
  pod.status.containerStatuses = status.list("containerStatuses", [](const Fields& c) {
    return ContainerStatus{c.string("name"), c.boolean("ready"), c.integer("restartCount")};
  });
  return pod;
}

Node readNode(const Fields& root) {
  Node node;
  node.metadata = readMeta(root.object("metadata"));
  Fields spec = root.object("spec");
  node.spec.taints = spec.list("taints", [](const Fields& t) {
    return Taint{t.string("key"), t.string("value"), t.string("effect")};
  });
  node.spec.podCIDRs = spec.strings("podCIDRs");
  node.spec.unschedulable = spec.boolean("unschedulable");
  Fields status = root.object("status");
  node.status.addresses = status.list("addresses", [](const Fields& a) {
    return NodeAddress{a.string("type"), a.string("address")};
  });
  node.status.conditions = readConditions(status);
  return node;
}

Secret readSecret(const Fields& root) {
  return Secret{readMeta(root.object("metadata")), root.string("type"), root.stringMap("data")};
}

ConfigMap readConfigMap(const Fields& root) {
  return ConfigMap{readMeta(root.object("metadata")), root.stringMap("data")};
}

Event readEvent(const Fields& root) {
  Event event;
  event.metadata = readMeta(root.object("metadata"));
  // events.k8s.io/v1 names first, then the core v1 equivalents.
  event.regarding =
      readObjectReference(root.object(root.has("regarding") ? "regarding" : "involvedObject"));
  event.reason = root.string("reason");
  event.type = root.string("type");
  event.note = root.has("note") ? root.string("note") : root.string("message");
  event.reportingController = root.string("reportingController");
  if (event.reportingController.empty()) {
    event.reportingController = root.string("reportingComponent");
  }
  if (event.reportingController.empty()) {
    event.reportingController = root.object("source").string("component");
  }
  Fields series = root.object("series");
  event.count = series.integer("count", root.integer("count", root.integer("deprecatedCount")));
  for (auto seen : {root.time("eventTime"), series.time("lastObservedTime"),
                    root.time("lastTimestamp"), root.time("deprecatedLastTimestamp"),
                    root.time("firstTimestamp"), root.time("deprecatedFirstTimestamp")}) {
    if (seen && (!event.lastSeen || *seen > *event.lastSeen)) {
      event.lastSeen = seen;
    }
  }
  return event;
}

DaemonSetStatus readDaemonSetStatus(const Fields& s) {
  return DaemonSetStatus{s.integer("observedGeneration"),
                         s.integer("desiredNumberScheduled"),
                         s.integer("currentNumberScheduled"),
                         s.integer("updatedNumberScheduled"),
                         s.integer("numberReady"),
                         s.integer("numberAvailable"),
                         s.integer("numberUnavailable"),
                         s.integer("numberMisscheduled")};
}

DaemonSet readDaemonSet(const Fields& root) {
  DaemonSet set;
  set.metadata = readMeta(root.object("metadata"));
  Fields spec = root.object("spec");
  set.selector = readSelector(spec, "selector");
  set.podLabels = spec.object("template").object("metadata").stringMap("labels");
  set.status = readDaemonSetStatus(root.object("status"));
  return set;
}

Deployment readDeployment(const Fields& root) {
  Deployment deployment;
  deployment.metadata = readMeta(root.object("metadata"));
  Fields spec = root.object("spec");
  deployment.replicas = spec.integer("replicas", 1);
  deployment.selector = readSelector(spec, "selector");
  deployment.podLabels = spec.object("template").object("metadata").stringMap("labels");
  Fields s = root.object("status");
  deployment.status = DeploymentStatus{s.integer("observedGeneration"),
                                       s.integer("replicas"),
                                       s.integer("updatedReplicas"),
                                       s.integer("readyReplicas"),
                                       s.integer("availableReplicas"),
                                       s.integer("unavailableReplicas"),
                                       readConditions(s)};
  return deployment;
}

Lease readLease(const Fields& root) {
  Fields spec = root.object("spec");
  return Lease{readMeta(root.object("metadata")),
               LeaseSpec{spec.string("holderIdentity"),
                         spec.optionalInteger("leaseDurationSeconds"), spec.time("acquireTime"),
                         spec.time("renewTime"), spec.integer("leaseTransitions")}};
}

EgressGateway readEgressGateway(const Fields& root) {
  EgressGateway gateway;
  gateway.metadata = readMeta(root.object("metadata"));
  Fields spec = root.object("spec");
  gateway.spec.clusterDefault = spec.boolean("clusterDefault");
  Fields pools = spec.object("ippools");
  gateway.spec.ippools =
      EgressGatewayIPPools{pools.strings("ipv4"), pools.strings("ipv6"),
                           pools.string("ipv4DefaultEIP"), pools.string("ipv6DefaultEIP")};
  gateway.spec.nodeSelector = readSelector(spec.object("nodeSelector"), "selector");
  Fields status = root.object("status");
  gateway.status.nodeList = status.list("nodeList", [](const Fields& n) {
    return GatewayNodeStatus{
        n.string("name"), n.string("status"), n.list("eips", [](const Fields& e) {
          return GatewayEip{e.string("ipv4"), e.string("ipv6"),
                            e.list("policies", [](const Fields& p) {
                              return PolicyRef{p.string("name"), p.string("namespace")};
                            })};
        })};
  });
  Fields usage = status.object("ipUsage");
  gateway.status.ipv4Total = usage.integer("ipv4Total");
  gateway.status.ipv4Free = usage.integer("ipv4Free");
  gateway.status.ipv6Total = usage.integer("ipv6Total");
  gateway.status.ipv6Free = usage.integer("ipv6Free");
  return gateway;
}

EgressPolicy readEgressPolicy(const Fields& root) {
  return EgressPolicy{readMeta(root.object("metadata")), readPolicySpec(root.object("spec")),
                      readPolicyStatus(root.object("status"))};
}

EgressClusterPolicy readEgressClusterPolicy(const Fields& root) {
  return EgressClusterPolicy{readMeta(root.object("metadata")), readPolicySpec(root.object("spec")),
                             readPolicyStatus(root.object("status"))};
}

EgressTunnel readEgressTunnel(const Fields& root) {
  EgressTunnel tunnel;
  tunnel.metadata = readMeta(root.object("metadata"));
  Fields status = root.object("status");
  Fields t = status.object("tunnel");
  Fields parent = t.object("parent");
  tunnel.status = EgressTunnelStatus{
      t.string("ipv4"),
      t.string("ipv6"),
      t.string("mac"),
      TunnelParent{parent.string("name"), parent.string("ipv4"), parent.string("ipv6")},
      status.string("phase"),
      status.string("mark"),
      status.time("lastHeartbeatTime")};
  return tunnel;
}

EgressEndpointSlice readEgressEndpointSlice(const Fields& root) {
  return EgressEndpointSlice{readMeta(root.object("metadata")), readEndpoints(root)};
}

EgressClusterEndpointSlice readEgressClusterEndpointSlice(const Fields& root) {
  return EgressClusterEndpointSlice{readMeta(root.object("metadata")), readEndpoints(root)};
}

EgressClusterInfo readEgressClusterInfo(const Fields& root) {
  EgressClusterInfo info;
  info.metadata = readMeta(root.object("metadata"));
  Fields spec = root.object("spec");
  Fields autoDetect = spec.object("autoDetect");
  info.spec =
      EgressClusterInfoSpec{autoDetect.string("podCidrMode"), autoDetect.boolean("clusterIP", true),
                            autoDetect.boolean("nodeIP", true), spec.strings("extraCidr")};
  Fields status = root.object("status");
  info.status = EgressClusterInfoStatus{
      status.string("podCidrMode"), status.objectMap("nodeIP", readIPLists),
      readIPLists(status.object("clusterIP")), status.objectMap("podCIDR", readIPLists),
      status.strings("extraCidr")};
  return info;
}

StaticGatewayConfiguration readStaticGatewayConfiguration(const Fields& root) {
  StaticGatewayConfiguration sgc;
  sgc.metadata = readMeta(root.object("metadata"));
  Fields spec = root.object("spec");
  sgc.spec = StaticGatewayConfigurationSpec{
      spec.string("gatewayNodepoolName"), readVmssProfile(spec.object("gatewayVmssProfile")),
      spec.string("defaultRoute"),        spec.boolean("provisionPublicIps", true),
      spec.string("publicIpPrefixId"),    spec.strings("excludeCidrs")};
  Fields status = root.object("status");
  sgc.status.egressIpPrefix = status.string("egressIpPrefix");
  GatewayServerProfile& profile = sgc.status.gatewayServerProfile;
  if (status.has("gatewayServerProfile") || !status.has("gatewayWireguardProfile")) {
    Fields p = status.object("gatewayServerProfile");
    profile.ip = p.string("ip");
    profile.port = p.integer("port");
    profile.publicKey = p.string("publicKey");
    if (p.has("privateKeySecretRef")) {
      profile.privateKeySecretRef = readObjectReference(p.object("privateKeySecretRef"));
    }
  } else {
    // v0.0.1-0.0.5 key names; read only, never written back.
    Fields p = status.object("gatewayWireguardProfile");
    profile.ip = p.string("wireguardServerIp");
    profile.port = p.integer("wireguardServerPort");
    profile.publicKey = p.string("wireguardPublicKey");
    if (p.has("wireguardPrivateKeySecretRef")) {
      profile.privateKeySecretRef = readObjectReference(p.object("wireguardPrivateKeySecretRef"));
    }
    sgc.status.legacyProfileKeys = true;
  }
  return sgc;
}

GatewayLBConfiguration readGatewayLBConfiguration(const Fields& root) {
  GatewayLBConfiguration lb;
  lb.metadata = readMeta(root.object("metadata"));
  lb.spec = readGatewayConfigurationSpec(root.object("spec"));
  if (root.has("status")) {
    Fields s = root.object("status");
    lb.status = GatewayLBConfigurationStatus{s.string("frontendIp"), s.integer("serverPort"),
                                             s.string("egressIpPrefix")};
  }
  return lb;
}

GatewayVMConfiguration readGatewayVMConfiguration(const Fields& root) {
  GatewayVMConfiguration vm;
  vm.metadata = readMeta(root.object("metadata"));
  vm.spec = readGatewayConfigurationSpec(root.object("spec"));
  if (root.has("status")) {
    Fields s = root.object("status");
    vm.status = GatewayVMConfigurationStatus{
        s.string("egressIpPrefix"), s.list("gatewayVMProfiles", [](const Fields& p) {
          return GatewayVMProfile{p.string("nodeName"), p.string("primaryIP"),
                                  p.string("secondaryIP")};
        })};
  }
  return vm;
}

GatewayStatus readGatewayStatus(const Fields& root) {
  GatewayStatus status;
  status.metadata = readMeta(root.object("metadata"));
  Fields spec = root.object("spec");
  auto readGateway = [](const Fields& g) {
    return ReadyGatewayConfiguration{g.string("staticGatewayConfiguration"),
                                     g.string("interfaceName"), g.string("netnsName")};
  };
  status.readyGatewayConfigurations = spec.list("readyGatewayConfigurations", readGateway);
  for (auto& legacy : spec.list("readyGatewayNamespaces", readGateway)) {
    status.readyGatewayConfigurations.push_back(std::move(legacy));
  }
  status.readyPeerConfigurations = spec.list("readyPeerConfigurations", [](const Fields& p) {
    return ReadyPeerConfiguration{p.string("podEndpoint"), p.string("interfaceName"),
                                  p.string("netnsName"), p.string("publicKey")};
  });
  bool legacy = spec.has("readyGatewayNamespaces") ||
                std::ranges::any_of(status.readyGatewayConfigurations,
                                    [](const auto& g) { return !g.netnsName.empty(); }) ||
                std::ranges::any_of(status.readyPeerConfigurations,
                                    [](const auto& p) { return !p.netnsName.empty(); });
  status.layout = legacy ? GatewayLayout::Legacy : GatewayLayout::Current;
  return status;
}

PodEndpoint readPodEndpoint(const Fields& root) {
  Fields spec = root.object("spec");
  return PodEndpoint{readMeta(root.object("metadata")), spec.string("staticGatewayConfiguration"),
                     spec.string("podIpAddress"), spec.string("podPublicKey")};
}

FelixConfiguration readFelixConfiguration(const Fields& root) {
  return FelixConfiguration{readMeta(root.object("metadata")),
                            root.object("spec").string("chainInsertMode")};
}

EgressDiagnosis readEgressDiagnosis(const Fields& root) {
  EgressDiagnosis diagnosis;
  diagnosis.metadata = readMeta(root.object("metadata"));
  Fields spec = root.object("spec");
  diagnosis.spec.targetRef = readTargetRef(spec.object("targetRef"));
  if (auto interval = spec.duration("interval")) {
    diagnosis.spec.interval = *interval;
  }
  if (spec.has("probe")) {
    Fields probe = spec.object("probe");
    diagnosis.spec.probe = ProbeSpec{probe.string("url"), probe.duration("timeout"),
                                     probe.strings("expectedSourceIPs")};
  }
  if (spec.has("readinessPolicy")) {
    std::string policy = spec.string("readinessPolicy");
    if (policy == "Healthy") {
      diagnosis.spec.readinessPolicy = ReadinessPolicy::Healthy;
    } else if (policy != "Reconciled") {
      spec.report("readinessPolicy", "expected Reconciled or Healthy");
    }
  }
  Fields status = root.object("status");
  diagnosis.status.observedGeneration = status.integer("observedGeneration");
  diagnosis.status.conditions = readConditions(status);
  diagnosis.status.egressIP = status.string("egressIP");
  diagnosis.status.gatewayNode = status.string("gatewayNode");
  diagnosis.status.nodes = status.string("nodes");
  diagnosis.status.lastProbeTime = status.time("lastProbeTime");
  diagnosis.status.failingChecks = status.list("failingChecks", [](const Fields& c) {
    return FailingCheck{c.string("check"), c.string("node"), c.string("reason"),
                        c.string("message"), c.time("since")};
  });
  diagnosis.status.outages = status.list("outages", [](const Fields& o) {
    auto start = o.time("start");
    if (!start && !o.has("start")) {
      o.report("start", "required");
    }
    return Outage{start.value_or(Time{}), o.time("end"), o.string("reason"), o.string("message")};
  });
  return diagnosis;
}

EgressNodeReport readEgressNodeReport(const Fields& root) {
  EgressNodeReport report;
  report.metadata = readMeta(root.object("metadata"));
  // The report is named after its Node: the node-wide target is written as "Node/<name>", so a
  // name the API server would refuse (a '/' in it) would not read back.
  if (!report.metadata.name.empty() && !isDnsSubdomain(report.metadata.name)) {
    root.object("metadata")
        .report("name",
                "\"" + report.metadata.name + "\" is not a Node name (a DNS-1123 subdomain)");
  }
  report.nodeName = report.metadata.name;
  Fields status = root.object("status");
  EgressNodeReportStatus& out = report.status;
  out.probeVersion = status.string("probeVersion");
  out.lastProbeTime = status.time("lastProbeTime");
  if (auto seconds = status.number("snapshotSeconds")) {
    // Up to ~31 years: milliseconds stay exact in a double.
    if (*seconds >= 0 && *seconds <= 1e9) {
      out.snapshotDuration = Duration(std::llround(*seconds * 1000));
    } else {
      status.report("snapshotSeconds", "out of range [0, 1e9]");
    }
  }
  Fields c = status.object("counts");
  out.counts = CheckCounts{c.integer("pass"), c.integer("fail"), c.integer("warn"),
                           c.integer("unknown"), c.integer("skipped")};
  out.targets = status.list("targets", [](const Fields& t) {
    return TargetReport{readTargetKey(t, "target"), CheckCounts{}, t.list("findings", readFinding)};
  });
  return report;
}

// --- Top level ----------------------------------------------------------------------------------

std::string memberString(const Value& object, const char* key) {
  if (!object.IsObject()) {
    return {};
  }
  auto member = object.FindMember(key);
  if (member == object.MemberEnd() || !member->value.IsString()) {
    return {};
  }
  return std::string(member->value.GetString(), member->value.GetStringLength());
}

// Checks that apiVersion/kind, when present, name T; then runs the body.
template <class T, class Body>
Result<T> decodeWith(const Value& object, const ResourceType& type, Body body) {
  ErrorSink sink;
  if (!object.IsObject()) {
    return fail(ErrorCode::InvalidInput,
                "(root): expected object, got " + std::string(typeName(object)));
  }
  Fields root(&object, "", sink);
  std::string kind = root.string("kind");
  std::string apiVersion = root.string("apiVersion");
  if (!kind.empty() && kind != type.kind) {
    root.report("kind", "expected " + std::string(type.kind) + ", got " + kind);
  }
  // Both Event APIs decode to one type.
  bool eventAlias = type == kEvent && apiVersion == kCoreEvent.apiVersion();
  if (!apiVersion.empty() && apiVersion != type.apiVersion() && !eventAlias) {
    root.report("apiVersion", "expected " + type.apiVersion() + ", got " + apiVersion);
  }
  T out = body(root);
  if (sink.error()) {
    return std::unexpected(*sink.error());
  }
  return out;
}

// --- ObjectSet dispatch -------------------------------------------------------------------------

using AddFn = Result<void> (*)(ObjectSet&, const Value&);

template <class T, std::vector<T> ObjectSet::*kMember>
Result<void> addTo(ObjectSet& set, const Value& object) {
  auto decoded = decode<T>(object);
  if (!decoded) {
    return std::unexpected(std::move(decoded.error()));
  }
  (set.*kMember).push_back(*std::move(decoded));
  return {};
}

struct Dispatch {
  ResourceType type;
  AddFn add;
};

constexpr std::array kDispatch{
    Dispatch{kNamespace, &addTo<Namespace, &ObjectSet::namespaces>},
    Dispatch{kPod, &addTo<Pod, &ObjectSet::pods>},
    Dispatch{kNode, &addTo<Node, &ObjectSet::nodes>},
    Dispatch{kSecret, &addTo<Secret, &ObjectSet::secrets>},
    Dispatch{kConfigMap, &addTo<ConfigMap, &ObjectSet::configMaps>},
    Dispatch{kCoreEvent, &addTo<Event, &ObjectSet::events>},
    Dispatch{kEvent, &addTo<Event, &ObjectSet::events>},
    Dispatch{kDaemonSet, &addTo<DaemonSet, &ObjectSet::daemonSets>},
    Dispatch{kDeployment, &addTo<Deployment, &ObjectSet::deployments>},
    Dispatch{kLease, &addTo<Lease, &ObjectSet::leases>},
    Dispatch{kEgressGateway, &addTo<EgressGateway, &ObjectSet::egressGateways>},
    Dispatch{kEgressPolicy, &addTo<EgressPolicy, &ObjectSet::egressPolicies>},
    Dispatch{kEgressClusterPolicy, &addTo<EgressClusterPolicy, &ObjectSet::egressClusterPolicies>},
    Dispatch{kEgressTunnel, &addTo<EgressTunnel, &ObjectSet::egressTunnels>},
    Dispatch{kEgressEndpointSlice, &addTo<EgressEndpointSlice, &ObjectSet::egressEndpointSlices>},
    Dispatch{kEgressClusterEndpointSlice,
             &addTo<EgressClusterEndpointSlice, &ObjectSet::egressClusterEndpointSlices>},
    Dispatch{kEgressClusterInfo, &addTo<EgressClusterInfo, &ObjectSet::egressClusterInfos>},
    Dispatch{kStaticGatewayConfiguration,
             &addTo<StaticGatewayConfiguration, &ObjectSet::staticGatewayConfigurations>},
    Dispatch{kGatewayLBConfiguration,
             &addTo<GatewayLBConfiguration, &ObjectSet::gatewayLBConfigurations>},
    Dispatch{kGatewayVMConfiguration,
             &addTo<GatewayVMConfiguration, &ObjectSet::gatewayVMConfigurations>},
    Dispatch{kGatewayStatus, &addTo<GatewayStatus, &ObjectSet::gatewayStatuses>},
    Dispatch{kPodEndpoint, &addTo<PodEndpoint, &ObjectSet::podEndpoints>},
    Dispatch{kFelixConfiguration, &addTo<FelixConfiguration, &ObjectSet::felixConfigurations>},
    Dispatch{kEgressDiagnosis, &addTo<EgressDiagnosis, &ObjectSet::egressDiagnoses>},
    Dispatch{kEgressNodeReport, &addTo<EgressNodeReport, &ObjectSet::egressNodeReports>},
};

AddFn findAdder(std::string_view apiVersion, std::string_view kind) {
  for (const auto& entry : kDispatch) {
    if (entry.type.kind == kind && entry.type.apiVersion() == apiVersion) {
      return entry.add;
    }
  }
  return nullptr;
}

// "EgressPolicy default/test" for error messages; read defensively from untrusted data.
std::string describe(const Value& object, const std::string& kind) {
  const Value* metadata = nullptr;
  if (object.IsObject()) {
    auto member = object.FindMember("metadata");
    if (member != object.MemberEnd()) {
      metadata = &member->value;
    }
  }
  std::string name = metadata == nullptr ? "" : memberString(*metadata, "name");
  std::string ns = metadata == nullptr ? "" : memberString(*metadata, "namespace");
  std::string key = ns.empty() ? name : ns + "/" + name;
  return key.empty() ? kind : kind + " " + key;
}

}  // namespace

Result<rapidjson::Document> parseJson(std::string_view json) {
  if (json.empty()) {
    return fail(ErrorCode::InvalidInput, "empty JSON input");
  }
  if (json.size() > kMaxInputBytes) {
    return fail(ErrorCode::InvalidInput, "JSON input of " + std::to_string(json.size()) +
                                             " bytes exceeds the limit of " +
                                             std::to_string(kMaxInputBytes) + " bytes");
  }
  rapidjson::Document document;
  // Iterative parsing keeps deep nesting off the call stack.
  document.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  if (document.HasParseError()) {
    return fail(ErrorCode::InvalidInput, std::string("malformed JSON at byte ") +
                                             std::to_string(document.GetErrorOffset()) + ": " +
                                             rapidjson::GetParseError_En(document.GetParseError()));
  }
  return document;
}

#define EGRESSDIAG_MODEL_DECODER(Type, kConst)                \
  template <>                                                 \
  Result<Type> decode<Type>(const rapidjson::Value& object) { \
    return decodeWith<Type>(object, kConst, read##Type);      \
  }
EGRESSDIAG_MODEL_DECODER(Namespace, kNamespace)
EGRESSDIAG_MODEL_DECODER(Pod, kPod)
EGRESSDIAG_MODEL_DECODER(Node, kNode)
EGRESSDIAG_MODEL_DECODER(Secret, kSecret)
EGRESSDIAG_MODEL_DECODER(ConfigMap, kConfigMap)
EGRESSDIAG_MODEL_DECODER(Event, kEvent)
EGRESSDIAG_MODEL_DECODER(DaemonSet, kDaemonSet)
EGRESSDIAG_MODEL_DECODER(Deployment, kDeployment)
EGRESSDIAG_MODEL_DECODER(Lease, kLease)
EGRESSDIAG_MODEL_DECODER(EgressGateway, kEgressGateway)
EGRESSDIAG_MODEL_DECODER(EgressPolicy, kEgressPolicy)
EGRESSDIAG_MODEL_DECODER(EgressClusterPolicy, kEgressClusterPolicy)
EGRESSDIAG_MODEL_DECODER(EgressTunnel, kEgressTunnel)
EGRESSDIAG_MODEL_DECODER(EgressEndpointSlice, kEgressEndpointSlice)
EGRESSDIAG_MODEL_DECODER(EgressClusterEndpointSlice, kEgressClusterEndpointSlice)
EGRESSDIAG_MODEL_DECODER(EgressClusterInfo, kEgressClusterInfo)
EGRESSDIAG_MODEL_DECODER(StaticGatewayConfiguration, kStaticGatewayConfiguration)
EGRESSDIAG_MODEL_DECODER(GatewayLBConfiguration, kGatewayLBConfiguration)
EGRESSDIAG_MODEL_DECODER(GatewayVMConfiguration, kGatewayVMConfiguration)
EGRESSDIAG_MODEL_DECODER(GatewayStatus, kGatewayStatus)
EGRESSDIAG_MODEL_DECODER(PodEndpoint, kPodEndpoint)
EGRESSDIAG_MODEL_DECODER(FelixConfiguration, kFelixConfiguration)
EGRESSDIAG_MODEL_DECODER(EgressDiagnosis, kEgressDiagnosis)
EGRESSDIAG_MODEL_DECODER(EgressNodeReport, kEgressNodeReport)
#undef EGRESSDIAG_MODEL_DECODER

Result<ObjectSet> decodeList(std::string_view json) {
  auto document = parseJson(json);
  if (!document) {
    return std::unexpected(std::move(document.error()));
  }
  const Value& root = *document;
  if (!root.IsObject()) {
    return fail(ErrorCode::InvalidInput,
                "(root): expected object, got " + std::string(typeName(root)));
  }
  std::string rootKind = memberString(root, "kind");
  std::string rootApiVersion = memberString(root, "apiVersion");
  bool isList = rootKind.size() >= 4 && rootKind.ends_with("List");

  ObjectSet set;
  std::map<std::string, std::size_t> ignored;  // "apiVersion kind" -> count
  auto add = [&](const Value& item, const std::string& where) -> Result<void> {
    std::string kind = memberString(item, "kind");
    std::string apiVersion = memberString(item, "apiVersion");
    // Typed list responses ("PodList") omit kind/apiVersion on their items.
    if (kind.empty() && isList && rootKind != "List") {
      kind = rootKind.substr(0, rootKind.size() - 4);
      apiVersion = rootApiVersion;
    }
    AddFn adder = findAdder(apiVersion, kind);
    if (adder == nullptr) {
      ++set.ignoredItems;
      ++ignored[(apiVersion.empty() ? "(no apiVersion)" : apiVersion) + " " +
                (kind.empty() ? "(no kind)" : kind)];
      return {};
    }
    // A typed list's items lack kind/apiVersion, which decode<T> accepts as they are.
    auto added = adder(set, item);
    if (!added) {
      return fail(ErrorCode::InvalidInput, where + (where.empty() ? "(" : " (") +
                                               describe(item, kind) +
                                               "): " + added.error().message);
    }
    return {};
  };

  if (isList) {
    auto items = root.FindMember("items");
    if (items != root.MemberEnd() && !items->value.IsNull()) {
      if (!items->value.IsArray()) {
        return fail(ErrorCode::InvalidInput,
                    "items: expected array, got " + std::string(typeName(items->value)));
      }
      for (rapidjson::SizeType i = 0; i < items->value.Size(); ++i) {
        const Value& item = items->value[i];
        std::string where = "items[" + std::to_string(i) + "]";
        if (!item.IsObject()) {
          return fail(ErrorCode::InvalidInput,
                      where + ": expected object, got " + std::string(typeName(item)));
        }
        if (auto added = add(item, where); !added) {
          return std::unexpected(std::move(added.error()));
        }
      }
    }
  } else if (auto added = add(root, ""); !added) {
    return std::unexpected(std::move(added.error()));
  }
  for (const auto& [what, count] : ignored) {
    set.notes.push_back("ignored " + std::to_string(count) + " object(s) of unmodelled kind " +
                        what);
  }
  return set;
}

}  // namespace egressdiag::model
