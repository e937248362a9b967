#pragma once

#include <string>
#include <vector>

#include "operator/catalog/catalog.h"
#include "operator/controller/cluster_state.h"
#include "operator/controller/target.h"
#include "operator/model/egressdiag.h"

namespace egressdiag::controller {

// What the control-plane checks of one target found, plus the facts the status shows.
struct ControlPlaneResult {
  std::vector<model::Finding> findings;    // sorted: layer, catalog order, node
  std::string egressIP;                    // policy EIP / SGC egressIpPrefix; empty if unknown
  std::string gatewayNode;                 // policy status.node / the SGC's gateway nodes
  std::vector<std::string> expectedNodes;  // nodes whose probe reports matter, sorted
  // When a verdict may change although no object does (a tunnel heartbeat goes stale): the
  // caller evaluates again then. nullopt: only object changes matter.
  std::optional<model::Time> recheckAt;
};

// Runs every "op" check of design/checks.md that applies to the target's kind: components,
// interference and control plane. Each applicable check yields one Pass finding, or one finding
// per node (empty node = not node-specific) that is not passing. Never fails: missing inputs
// become Fail or Unknown findings with a reason.
// `now` is the evaluation time (heartbeat ages).
ControlPlaneResult evaluateControlPlane(const ClusterState& state, const Target& target,
                                        model::Time now);

// Azure gateway nodes of an SGC: nodes labelled kubeegressgateway.azure.com/mode=true or
// kubernetes.azure.com/mode=gateway, restricted to spec.gatewayNodepoolName when the node
// carries the kubernetes.azure.com/agentpool label. Sorted.
std::vector<std::string> gatewayNodesOf(const ClusterState& state,
                                        const model::StaticGatewayConfiguration& sgc);

// Running pods annotated kubernetes.azure.com/static-gateway-configuration: <sgc name> in the
// SGC's namespace (the only namespace the annotation resolves in).
std::vector<const model::Pod*> annotatedPods(const ClusterState& state,
                                             const model::StaticGatewayConfiguration& sgc);

// A finding for `check` with layer and remediation from the catalog.
model::Finding makeFinding(catalog::CheckId check, model::CheckStatus status,
                           const model::TargetRef& target, std::string node, std::string reason,
                           std::string message, std::vector<std::string> evidence = {});

// Position of a finding's layer in the order Components → ControlPlane → Datapath → Tunnel →
// EndToEnd, from the catalog entry of its check (else its layer string); unknown layers last.
int layerRank(const model::Finding& finding);

// Sorts findings by layer, catalog order of the check, then node.
void sortFindings(std::vector<model::Finding>& findings);

}  // namespace egressdiag::controller
