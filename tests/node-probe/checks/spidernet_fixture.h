#pragma once

// The seed's two-node spidernet cluster (shared/seeds/000, spidernet.md §4.1) as plain values:
// node1 (worker, pod 10.200.0.22) and node2 (EIP node of default/test, EIP 172.16.25.189), and
// healthy snapshots of both nodes written as the runbook commands print them.

#include <string>

#include "node-probe/datapath/snapshot.h"
#include "operator/model/decode.h"

namespace egressdiag::checks::testing {

inline constexpr const char* kSrcSet = "egress-src-v4-738bb014438bdbfe7";
inline constexpr const char* kDstSet = "egress-dst-v4-738bb014438bdbfe7";

model::ObjectSet seedObjects();

// iptables-save text of a healthy node (node1 or node2).
std::string healthyIptablesSave(const std::string& node);

datapath::NetnsSnapshot healthySnapshot(const std::string& node);

// Replaces the iptables part with a parse of `text` as the nft IPv4 save.
void setIptables(datapath::NetnsSnapshot& snapshot, const std::string& text);

}  // namespace egressdiag::checks::testing
