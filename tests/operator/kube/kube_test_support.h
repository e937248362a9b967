#pragma once

// Helpers shared by the control-plane tests of the Kubernetes client.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "operator/kube/client.h"
#include "operator/kube/config.h"
#include "tests/support/testenv.h"

namespace egressdiag::kube::testing {

// Client for the admin kubeconfig of `env` (exercises kubeconfig loading with embedded data).
inline std::unique_ptr<Client> adminClient(const egressdiag::testing::TestEnv& env,
                                           double qps = 0) {
  auto config = loadKubeconfig(env.kubeconfig);
  EXPECT_TRUE(config) << config.error().message;
  if (!config) {
    return nullptr;
  }
  ClientOptions options;
  options.transport.qps = qps;
  options.transport.requestTimeout = std::chrono::milliseconds(30'000);
  auto client = Client::create(*config, options);
  EXPECT_TRUE(client) << client.error().message;
  return client ? std::move(*client) : nullptr;
}

inline std::string uniqueName(const std::string& prefix) {
  return prefix + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
}

inline void createNamespace(Client& client, const std::string& ns) {
  auto created =
      client.create(resources::namespaces(), "",
                    R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":")" + ns + "\"}}");
  ASSERT_TRUE(created) << created.error().describe();
}

inline constexpr const char* kTestSelector = "egressdiag-test=kube";

inline std::string configMapJson(const std::string& name, const std::string& value,
                                 const std::string& resourceVersion = "") {
  // The label keeps other ConfigMaps (kube-root-ca.crt from the controller-manager) out of
  // the tests' selections.
  std::string meta = R"("name":")" + name + R"(","labels":{"egressdiag-test":"kube"})";
  if (!resourceVersion.empty()) {
    meta += R"(,"resourceVersion":")" + resourceVersion + "\"";
  }
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{)" + meta + R"(},"data":{"v":")" +
         value + "\"}}";
}

// Polls `condition` every 50 ms until true or `timeout`.
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

// Reads data.v of a raw ConfigMap ("" when absent).
inline std::string dataValue(const rapidjson::Value& cm) {
  if (!cm.IsObject()) {
    return "";
  }
  auto data = cm.FindMember("data");
  if (data == cm.MemberEnd() || !data->value.IsObject()) {
    return "";
  }
  auto v = data->value.FindMember("v");
  return v != data->value.MemberEnd() && v->value.IsString() ? v->value.GetString() : "";
}

}  // namespace egressdiag::kube::testing
