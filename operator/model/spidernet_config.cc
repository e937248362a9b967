#include "operator/model/spidernet_config.h"

#include <charconv>

#include "operator/model/yaml_mapping.h"

namespace egressdiag::model {
namespace {

Result<int> seconds(const std::map<std::string, std::string>& values, const std::string& key,
                    int fallback) {
  auto it = values.find(key);
  if (it == values.end()) {
    return fallback;
  }
  int value = 0;
  const std::string& text = it->second;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    return fail(ErrorCode::InvalidInput,
                key + ": \"" + text + "\" is not a positive whole number of seconds");
  }
  return value;
}

}  // namespace

Result<GatewayFailover> parseGatewayFailover(std::string_view confYml) {
  auto values = readYamlScalars(confYml);
  if (!values) {
    return std::unexpected(values.error());
  }
  GatewayFailover failover;
  if (auto it = values->find("gatewayFailover.enable"); it != values->end()) {
    auto enabled = yamlBool(it->second);
    if (!enabled) {
      return fail(ErrorCode::InvalidInput,
                  "gatewayFailover.enable: \"" + it->second + "\" is not a boolean");
    }
    failover.enabled = *enabled;
  }
  auto monitor =
      seconds(*values, "gatewayFailover.tunnelMonitorPeriod", failover.tunnelMonitorPeriod);
  auto update = seconds(*values, "gatewayFailover.tunnelUpdatePeriod", failover.tunnelUpdatePeriod);
  auto eviction =
      seconds(*values, "gatewayFailover.eipEvictionTimeout", failover.eipEvictionTimeout);
  for (const auto* value : {&monitor, &update, &eviction}) {
    if (!*value) {
      return std::unexpected(value->error());
    }
  }
  failover.tunnelMonitorPeriod = *monitor;
  failover.tunnelUpdatePeriod = *update;
  failover.eipEvictionTimeout = *eviction;
  return failover;
}

const ConfigMap* findSpidernetConfig(const std::vector<ConfigMap>& configMaps,
                                     std::string_view preferredNamespace) {
  const ConfigMap* only = nullptr;
  std::size_t count = 0;
  for (const auto& configMap : configMaps) {
    if (configMap.metadata.name != kSpidernetConfigMapName) {
      continue;
    }
    if (configMap.metadata.namespace_ == preferredNamespace) {
      return &configMap;
    }
    only = &configMap;
    ++count;
  }
  return count == 1 ? only : nullptr;
}

}  // namespace egressdiag::model
