// Feeds arbitrary bytes to the object decoder: decodeList() and every per-kind decode<T>() must
// return a value or an error, never crash. Our own kinds must also survive an encode/decode
// round trip unchanged (encoding is idempotent through the decoder).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "operator/model/decode.h"

namespace {

using namespace egressdiag::model;

template <class T>
void decodeOne(const rapidjson::Value& value) {
  auto decoded = decode<T>(value);
  if (!decoded && decoded.error().message.empty()) {
    std::abort();  // every error must say what went wrong
  }
}

template <class... T>
void decodeAll(const rapidjson::Value& value) {
  (decodeOne<T>(value), ...);
}

void checkRoundTrips(const rapidjson::Value& value) {
  if (auto report = decode<EgressNodeReport>(value)) {
    std::string once = toJson(*report);
    auto again = decodeJson<EgressNodeReport>(once);
    if (!again || toJson(*again) != once) {
      std::abort();
    }
  }
  if (auto diagnosis = decode<EgressDiagnosis>(value)) {
    std::string once = toJson(diagnosis->status);
    auto again = decodeJson<EgressDiagnosis>("{\"status\":" + once + "}");
    if (!again || toJson(again->status) != once) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto set = decodeList(input);
  if (set) {
    for (const auto& pod : set->pods) {
      for (const auto& policy : set->egressPolicies) {
        if (policy.spec.appliedTo.podSelector) {
          (void)matches(*policy.spec.appliedTo.podSelector, pod.metadata.labels);
        }
      }
      (void)podIPv4(pod);
    }
    for (const auto& secret : set->secrets) {
      (void)secretValue(secret, "PrivateKey");
    }
    for (const auto& tunnel : set->egressTunnels) {
      (void)tunnelMark(tunnel);
    }
  }
  auto document = parseJson(input);
  if (!document) {
    return 0;
  }
  decodeAll<Namespace, Pod, Node, Secret, Event, DaemonSet, Deployment, Lease, EgressGateway,
            EgressPolicy, EgressClusterPolicy, EgressTunnel, EgressEndpointSlice,
            EgressClusterEndpointSlice, EgressClusterInfo, StaticGatewayConfiguration,
            GatewayLBConfiguration, GatewayVMConfiguration, GatewayStatus, PodEndpoint,
            FelixConfiguration, EgressDiagnosis, EgressNodeReport>(*document);
  checkRoundTrips(*document);
  return 0;
}
