#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "operator/common/result.h"

namespace egressdiag::kube {

// Where and how to reach the apiserver. TLS verification is always on unless the kubeconfig
// itself sets insecure-skip-tls-verify (then a warning is logged when the client is built).
struct ClusterConfig {
  std::string host;           // DNS name or IP literal (no brackets)
  std::string port;           // "443" when the server URL has none
  std::string caPem;          // empty: the system trust store
  std::string clientCertPem;  // client-certificate authentication (with clientKeyPem)
  std::string clientKeyPem;
  std::string bearerToken;  // static token
  std::string tokenFile;    // re-read periodically (projected service-account tokens rotate)
  bool insecureSkipTlsVerify = false;
  std::string origin;  // "kubeconfig /x (context y)" or "in-cluster": for messages
};

// Reads an environment variable; injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup processEnv();

// Parses kubeconfig YAML. `fileName` names the file in errors and anchors relative paths (as
// kubectl does, relative to the file's directory). `context` empty = current-context. Errors
// (InvalidInput / NotFound) name the file and the field, e.g. "kubeconfig /x: users[0].user
// .client-key-data: not valid base64".
Result<ClusterConfig> parseKubeconfig(std::string_view yaml, const std::string& fileName,
                                      const std::string& context = "");

// Reads and parses a kubeconfig file.
Result<ClusterConfig> loadKubeconfig(const std::string& path, const std::string& context = "");

// In-cluster configuration: KUBERNETES_SERVICE_HOST/PORT and the service-account directory
// (ca.crt, token). Unavailable when the variables are not set; NotFound/InvalidInput naming the
// file when the CA or token cannot be read.
Result<ClusterConfig> inClusterConfig(
    const EnvLookup& env,
    const std::string& serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount");

// Resolution order: `kubeconfigFlag` (--kubeconfig), then $KUBECONFIG (first existing entry
// of a ':'-separated list), then in-cluster when KUBERNETES_SERVICE_HOST is set, then
// ~/.kube/config. Errors say which source was tried.
Result<ClusterConfig> resolveConfig(const std::optional<std::string>& kubeconfigFlag,
                                    const EnvLookup& env = processEnv(),
                                    const std::string& context = "");

// Splits "https://host:port" (host may be [v6]). Fails for other schemes or a path.
Result<std::pair<std::string, std::string>> parseServerUrl(std::string_view url);

// Standard base64 (RFC 4648, padding optional, whitespace ignored).
Result<std::string> decodeBase64(std::string_view text);

// Reads a whole file; NotFound / PermissionDenied name it.
Result<std::string> readFile(const std::string& path);

}  // namespace egressdiag::kube
