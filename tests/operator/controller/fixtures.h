#pragma once

// Plain-value clusters for the controller's unit tests: the seed runbooks' objects
// (shared/seeds/000: nodes node1/node2, policy default/test with EIP 172.16.25.189 on node2;
// shared/seeds/001: SGC default/aks-gw on gateway node gw-0) in a healthy state.

#include <string>
#include <vector>

#include "operator/controller/cluster_state.h"
#include "operator/model/egressdiag.h"

namespace egressdiag::controller::testing {

model::Time at(int seconds);  // a fixed epoch + seconds

// spidernet's conf.yml as the chart renders it, with `gatewayFailover` holding the given
// (indented, newline-terminated) lines.
std::string spidernetConf(const std::string& gatewayFailover);

struct Scenario {
  ClusterState state;
  model::EgressDiagnosis diagnosis;
};

Scenario healthySpidernet();
Scenario healthyAzure();

// A live probe Lease for `node`, renewed at `renewed` for 40 s.
model::Lease probeLease(const std::string& node, model::Time renewed);
// A report from `node` with an entry for `target` holding `findings` (non-Pass ones).
model::EgressNodeReport nodeReport(const std::string& node, const model::TargetRef& target,
                                   std::vector<model::Finding> findings, model::Time probed);
// Adds a report and a Lease (renewed at `now`) for every node in `nodes`, no findings.
void addHealthyReports(Scenario& scenario, const std::vector<std::string>& nodes, model::Time now);

}  // namespace egressdiag::controller::testing
