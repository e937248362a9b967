#pragma once

// Node checks for spidernet-io/egressgateway: pure (expectation, snapshot) -> findings.

#include <vector>

#include "node-probe/checks/spidernet_expect.h"
#include "node-probe/datapath/snapshot.h"
#include "operator/catalog/finding.h"

namespace egressdiag::checks::spidernet {

using datapath::NetnsSnapshot;

std::vector<catalog::Finding> checkIptReadable(const datapath::NetnsSnapshot& host);
std::vector<catalog::Finding> checkHookOrder(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkIpsetSrc(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkIpsetDst(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkMarkRule(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkSnatRule(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkReplyRouting(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkIpRule(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkRoute(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkVxlan(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkNeigh(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkRpFilter(const Expectation& e, const NetnsSnapshot& host);
std::vector<catalog::Finding> checkRouteGet(const Expectation& e, const NetnsSnapshot& host);

// Every passive spidernet node check above, in catalog order.
std::vector<catalog::Finding> checkAll(const Expectation& e, const NetnsSnapshot& host);

}  // namespace egressdiag::checks::spidernet
