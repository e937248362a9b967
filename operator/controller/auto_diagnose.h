#pragma once

#include <string_view>
#include <vector>

#include "operator/controller/cluster_state.h"

namespace egressdiag::controller {

// Auto mode (--auto-diagnose): the EgressDiagnoses to create so that every upstream policy and
// SGC has one. A target that some diagnosis already names (after defaulting) gets none. Each
// new diagnosis is named auto-<egp|egcp|sgc>-<target name>, lives in the target's namespace
// (`clusterNamespace` for EgressClusterPolicy), and is owned by its target (garbage-collected
// with it). Only kinds whose group is installed are considered.
std::vector<model::EgressDiagnosis> missingDiagnoses(const ClusterState& state,
                                                     std::string_view clusterNamespace);

}  // namespace egressdiag::controller
