// Feeds arbitrary bytes to the YAML subset reader and the gatewayFailover parser (ConfigMap
// content comes from the API server): a value or an error with a message, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "operator/model/spidernet_config.h"
#include "operator/model/yaml_mapping.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto values = egressdiag::model::readYamlScalars(text);
  if (!values && values.error().message.empty()) {
    std::abort();
  }
  auto failover = egressdiag::model::parseGatewayFailover(text);
  if (!failover && failover.error().message.empty()) {
    std::abort();
  }
  return 0;
}
