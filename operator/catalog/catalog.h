#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace egressdiag::catalog {

// The layers the operator reports in this order; the first failing layer names the outage.
// Interference checks have no layer of their own: a rule ordering or backend problem on a node
// is a Datapath problem, a CNI configuration object is a ControlPlane problem.
enum class Layer { Components, ControlPlane, Datapath, Tunnel, EndToEnd };

enum class Status { Pass, Fail, Warn, Unknown, Skipped };

// Where a check is evaluated: op = operator (Kubernetes objects only), node = node probe.
enum class RunsIn { Operator, Node };

// Every check of shared/design/checks.md. The string IDs are a product interface.
enum class CheckId {
  CmpSpnAgent,
  CmpSpnController,
  CmpAksController,
  CmpAksDaemon,
  CmpAksCniMgr,
  IntCalicoInsert,
  SpnHookOrder,
  SpnIptReadable,
  SpnGateway,
  SpnPolicyStatus,
  SpnTunnels,
  SpnEndpoints,
  SpnClusterCidr,
  AksSgcStatus,
  AksSgcKey,
  AksVmConfig,
  AksGwStatus,
  AksPodEndpoint,
  AksPeersReady,
  SpnIpsetSrc,
  SpnIpsetDst,
  SpnMarkRule,
  SpnSnatRule,
  SpnReplyRouting,
  SpnIpRule,
  SpnRoute,
  SpnVxlan,
  SpnNeigh,
  SpnRpFilter,
  SpnTunnelPing,
  SpnEipArp,
  AksGwNetns,
  AksGwHost,
  AksGwWg,
  AksGwPeers,
  AksGwRoutes,
  AksGwNat,
  AksLbProbe,
  AksCniConf,
  AksPodWg,
  AksPodRoutes,
  E2eSourceIp,
  E2eRouteGet,
};

// One runbook entry (docs/checks.md is rendered from these; see runbook.h).
struct CheckInfo {
  CheckId id;
  std::string_view name;     // stable ID, e.g. "SPN-IP-RULE"
  std::string_view section;  // the checks.md section it is listed under, for docs
  Layer layer;
  RunsIn runsIn;
  std::string_view title;        // what passing means, one line
  std::string_view why;          // the mechanism by which a failure breaks egress
  std::string_view evidence;     // which raw lines or object fields a finding carries
  std::string_view remediation;  // what to do when it fails, one or two sentences
  std::string_view source;       // seed step or upstream issue it automates
};

// All checks in catalog order (Components first, End to end last).
std::span<const CheckInfo> allChecks();

// Metadata of one check; every CheckId has an entry (enforced by a unit test).
const CheckInfo& info(CheckId id);

// "SPN-IP-RULE" -> CheckId; nullopt for an unknown ID.
std::optional<CheckId> parseCheckId(std::string_view name);

std::string_view toString(CheckId id);
std::string_view toString(Layer layer);
std::string_view toString(Status status);
std::string_view toString(RunsIn runsIn);
std::optional<Layer> parseLayer(std::string_view name);
std::optional<Status> parseStatus(std::string_view name);

}  // namespace egressdiag::catalog
