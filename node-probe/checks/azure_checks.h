#pragma once

// Node checks for Azure kube-egress-gateway: pure (expectation, snapshots) -> findings.

#include <map>
#include <string>
#include <vector>

#include "node-probe/checks/azure_expect.h"
#include "node-probe/datapath/snapshot.h"
#include "operator/catalog/finding.h"

namespace egressdiag::checks::azure {

// What the shell read for Azure checks beyond the node snapshot.
struct Inputs {
  const datapath::NodeSnapshot* node = nullptr;
  // Pod network namespaces by "<ns>/<name>"; an error (pod netns not found, EPERM) makes that
  // pod's checks Unknown. A pod absent from the map was not looked for: Unknown as well.
  std::map<std::string, Result<datapath::NetnsSnapshot>> pods;
  // GET http://<node>:8082/gw/<uid> by SGC uid.
  std::map<std::string, Result<datapath::HttpProbeResult>> lbProbes;
};

std::vector<catalog::Finding> checkGwNetns(const Expectation& e, const Inputs& in);
std::vector<catalog::Finding> checkGwHost(const Expectation& e, const Inputs& in);
std::vector<catalog::Finding> checkGwWg(const Expectation& e, const Inputs& in);
std::vector<catalog::Finding> checkGwPeers(const Expectation& e, const Inputs& in);
std::vector<catalog::Finding> checkGwRoutes(const Expectation& e, const Inputs& in);
std::vector<catalog::Finding> checkGwNat(const Expectation& e, const Inputs& in);
std::vector<catalog::Finding> checkLbProbe(const Expectation& e, const Inputs& in);
std::vector<catalog::Finding> checkCniConf(const Expectation& e, const Inputs& in);
std::vector<catalog::Finding> checkPodWg(const Expectation& e, const Inputs& in);
std::vector<catalog::Finding> checkPodRoutes(const Expectation& e, const Inputs& in);

// Every passive Azure node check above, in catalog order, with node set.
std::vector<catalog::Finding> checkAll(const Expectation& e, const Inputs& in);

}  // namespace egressdiag::checks::azure
