#pragma once

#include <map>
#include <string>

#include "operator/common/result.h"
#include "operator/model/decode.h"

namespace egressdiag::controller {

// Which optional API groups the cluster serves. A group that is not installed is not an error:
// its targets stall with TargetKindNotInstalled and its checks are not evaluated.
struct InstalledGroups {
  bool spidernet = false;
  bool azure = false;
  bool calico = false;

  bool operator==(const InstalledGroups&) const = default;
};

// Everything the control-plane checks read: a consistent copy of the informer caches (or of an
// `--objects` file). Pure functions take it by const reference; nothing here does I/O.
struct ClusterState {
  model::ObjectSet objects;
  InstalledGroups installed;
  // Secrets the checks need but the operator could not read (RBAC, API errors), by
  // "<namespace>/<name>": their checks are Unknown naming the error, not "Secret missing".
  std::map<std::string, Error> unreadableSecrets;
};

}  // namespace egressdiag::controller
