#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/model/object_meta.h"
#include "operator/model/selector.h"

namespace egressdiag::model {

struct Namespace {
  ObjectMeta metadata;

  bool operator==(const Namespace&) const = default;
};

struct ContainerStatus {
  std::string name;
  bool ready = false;
  std::int64_t restartCount = 0;

  bool operator==(const ContainerStatus&) const = default;
};

struct PodSpec {
  std::string nodeName;
  bool hostNetwork = false;

  bool operator==(const PodSpec&) const = default;
};

struct PodStatus {
  std::string phase;  // Pending | Running | Succeeded | Failed | Unknown
  std::string hostIP;
  std::string podIP;
  std::vector<std::string> podIPs;  // status.podIPs[].ip
  std::vector<ContainerStatus> containerStatuses;

  bool operator==(const PodStatus&) const = default;
};

struct Pod {
  ObjectMeta metadata;
  PodSpec spec;
  PodStatus status;

  bool operator==(const Pod&) const = default;
};

// The pod's IPv4 address (status.podIP, else the first IPv4 entry of status.podIPs).
std::optional<std::string> podIPv4(const Pod& pod);

struct Taint {
  std::string key;
  std::string value;
  std::string effect;

  bool operator==(const Taint&) const = default;
};

struct NodeAddress {
  std::string type;  // InternalIP | ExternalIP | Hostname | ...
  std::string address;

  bool operator==(const NodeAddress&) const = default;
};

struct NodeSpec {
  std::vector<Taint> taints;
  std::vector<std::string> podCIDRs;
  bool unschedulable = false;

  bool operator==(const NodeSpec&) const = default;
};

struct NodeStatus {
  std::vector<NodeAddress> addresses;
  std::vector<Condition> conditions;

  bool operator==(const NodeStatus&) const = default;
};

struct Node {
  ObjectMeta metadata;
  NodeSpec spec;
  NodeStatus status;

  bool operator==(const Node&) const = default;
};

// The first InternalIP address that is IPv4, if any.
std::optional<std::string> nodeInternalIPv4(const Node& node);
// Status of the Ready condition; Unknown when the node has none.
ConditionStatus nodeReady(const Node& node);

struct DaemonSetStatus {
  std::int64_t observedGeneration = 0;
  std::int64_t desiredNumberScheduled = 0;
  std::int64_t currentNumberScheduled = 0;
  std::int64_t updatedNumberScheduled = 0;
  std::int64_t numberReady = 0;
  std::int64_t numberAvailable = 0;
  std::int64_t numberUnavailable = 0;
  std::int64_t numberMisscheduled = 0;

  bool operator==(const DaemonSetStatus&) const = default;
};

struct DaemonSet {
  ObjectMeta metadata;
  std::optional<LabelSelector> selector;  // spec.selector
  StringMap podLabels;                    // spec.template.metadata.labels
  DaemonSetStatus status;

  bool operator==(const DaemonSet&) const = default;
};

struct DeploymentStatus {
  std::int64_t observedGeneration = 0;
  std::int64_t replicas = 0;
  std::int64_t updatedReplicas = 0;
  std::int64_t readyReplicas = 0;
  std::int64_t availableReplicas = 0;
  std::int64_t unavailableReplicas = 0;
  std::vector<Condition> conditions;

  bool operator==(const DeploymentStatus&) const = default;
};

struct Deployment {
  ObjectMeta metadata;
  std::int64_t replicas = 1;  // spec.replicas (Kubernetes default 1)
  std::optional<LabelSelector> selector;
  StringMap podLabels;
  DeploymentStatus status;

  bool operator==(const Deployment&) const = default;
};

// One type for events.k8s.io/v1 and core v1 Events: regarding <- involvedObject,
// note <- message, lastSeen = the latest of eventTime, series.lastObservedTime,
// (deprecated)lastTimestamp and (deprecated)firstTimestamp.
struct Event {
  ObjectMeta metadata;
  ObjectReference regarding;
  std::string reason;
  std::string type;  // Normal | Warning
  std::string note;
  std::string reportingController;
  std::int64_t count = 0;
  std::optional<Time> lastSeen;

  bool operator==(const Event&) const = default;
};

struct LeaseSpec {
  std::string holderIdentity;
  std::optional<std::int64_t> leaseDurationSeconds;
  std::optional<Time> acquireTime;
  std::optional<Time> renewTime;
  std::int64_t leaseTransitions = 0;

  bool operator==(const LeaseSpec&) const = default;
};

struct Lease {
  ObjectMeta metadata;
  LeaseSpec spec;

  bool operator==(const Lease&) const = default;
};

// Secret values stay base64 as served; decode only the key you need with secretValue().
struct Secret {
  ObjectMeta metadata;
  std::string type;
  StringMap data;

  bool operator==(const Secret&) const = default;
};

// Only the text `data` is modelled (binaryData is never needed: the configs we read are text).
struct ConfigMap {
  ObjectMeta metadata;
  StringMap data;

  bool operator==(const ConfigMap&) const = default;
};

// The base64-decoded value of data[key]. NotFound when absent, InvalidInput when not base64.
// The error never contains the value.
Result<std::string> secretValue(const Secret& secret, std::string_view key);

}  // namespace egressdiag::model
