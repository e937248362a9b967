#pragma once

#include <string_view>
#include <vector>

#include "operator/common/result.h"
#include "operator/model/core.h"

// spidernet's feature config: ConfigMap `egressgateway` (the chart's global.configName), key
// `conf.yml`, the chart's `feature` values rendered as YAML (reference/spidernet.md §1.1).
namespace egressdiag::model {

inline constexpr std::string_view kSpidernetConfigMapName = "egressgateway";
inline constexpr std::string_view kSpidernetConfigKey = "conf.yml";

// gatewayFailover: the agent heartbeats its EgressTunnel (status.lastHeartbeatTime) every
// tunnelUpdatePeriod only when enabled; the controller then marks a tunnel HeartbeatTimeout
// once its heartbeat is older than eipEvictionTimeout and moves its EIPs. Periods in seconds.
struct GatewayFailover {
  bool enabled = true;  // spidernet's code default when the key is absent (the chart sets false)
  int tunnelMonitorPeriod = 5;
  int tunnelUpdatePeriod = 5;
  int eipEvictionTimeout = 15;

  bool operator==(const GatewayFailover&) const = default;
};

// gatewayFailover from conf.yml text; absent keys take spidernet's defaults. InvalidInput
// naming the key for malformed YAML, a non-boolean `enable` or a period that is not a positive
// whole number of seconds.
Result<GatewayFailover> parseGatewayFailover(std::string_view confYml);

// The spidernet config among `configMaps`: named egressgateway, preferably in `preferredNamespace`
// (where the agent DaemonSet runs), else the only one. nullptr when there is none, or several
// and none in the preferred namespace.
const ConfigMap* findSpidernetConfig(const std::vector<ConfigMap>& configMaps,
                                     std::string_view preferredNamespace);

}  // namespace egressdiag::model
