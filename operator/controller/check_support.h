#pragma once

// Helpers shared by the control-plane check files (not part of the library's interface).

#include <map>
#include <string>
#include <vector>

#include "operator/controller/control_plane.h"

namespace egressdiag::controller::detail {

inline constexpr std::size_t kMaxEvidence = 10;

// Collects the problems one check found, grouped by node, and turns them into findings: one
// Pass when there is none, else one finding per node carrying the first problem's reason.
class Issues {
 public:
  Issues(catalog::CheckId check, const model::TargetRef& target) : check_(check), target_(target) {}

  void add(const std::string& node, std::string reason, std::string message,
           model::CheckStatus status = model::CheckStatus::Fail);
  bool empty() const { return byNode_.empty(); }
  void emit(std::vector<model::Finding>& out, std::string passReason,
            std::string passMessage) const;

 private:
  struct Group {
    model::CheckStatus status = model::CheckStatus::Fail;
    std::string reason;
    std::vector<std::string> messages;
  };
  catalog::CheckId check_;
  const model::TargetRef& target_;
  std::map<std::string, Group> byNode_;
};

// Check families; each appends its findings. checkSpidernet returns when its verdicts may change
// with no object changing (a tunnel heartbeat going stale), if ever.
std::optional<model::Time> checkSpidernet(const ClusterState& state, const Target& target,
                                          const PolicyTarget& policy, model::Time now,
                                          std::vector<model::Finding>& out);
void checkAzure(const ClusterState& state, const Target& target,
                const model::StaticGatewayConfiguration& sgc, std::vector<model::Finding>& out);

// Component discovery: by the pod-template label the charts set, else by the default name.
std::vector<const model::DaemonSet*> findDaemonSets(const model::ObjectSet& objects,
                                                    std::string_view labelKey,
                                                    std::string_view labelValue,
                                                    std::string_view name);
std::vector<const model::Deployment*> findDeployments(const model::ObjectSet& objects,
                                                      std::string_view labelKey,
                                                      std::string_view labelValue,
                                                      std::string_view name);
// The pod is in the owner's namespace and the owner's selector (absent: none) matches it.
bool podOwnedBy(const model::Pod& pod, const model::ObjectMeta& owner,
                const std::optional<model::LabelSelector>& selector);
// A namespace's labels; a namespace not (yet) cached has only kubernetes.io/metadata.name.
model::StringMap namespaceLabels(const std::vector<model::Namespace>& namespaces,
                                 const std::string& ns);
// ready == desired (> 0), and no pod of it crash-looping. Problems go to `issues`.
void checkDaemonSet(const model::ObjectSet& objects, const model::DaemonSet& ds,
                    std::string_view what, Issues& issues);
void checkDeployment(const model::Deployment& deployment, std::string_view what, Issues& issues);

}  // namespace egressdiag::controller::detail
