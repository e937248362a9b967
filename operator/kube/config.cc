#include "operator/kube/config.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace egressdiag::kube {
namespace {

// A field reference for error messages: "users[0].user.client-key-data".
struct Ctx {
  std::string file;
  Error error(ErrorCode code, const std::string& field, const std::string& what) const {
    return Error{code, "kubeconfig " + file + ": " + field + ": " + what};
  }
};

// Optional scalar string field of a map node.
Result<std::string> scalar(const YAML::Node& map, const char* key, const std::string& field,
                           const Ctx& ctx) {
  YAML::Node node = map[key];
  if (!node.IsDefined() || node.IsNull()) {
    return std::string();
  }
  if (!node.IsScalar()) {
    return std::unexpected(
        ctx.error(ErrorCode::InvalidInput, field + "." + key, "expected a string"));
  }
  return node.Scalar();
}

// Finds `name` in a kubeconfig list like clusters: [{name: x, cluster: {...}}].
Result<YAML::Node> namedEntry(const YAML::Node& root, const char* list, const char* inner,
                              const std::string& name, const Ctx& ctx, std::string* field) {
  YAML::Node entries = root[list];
  if (!entries.IsDefined() || !entries.IsSequence()) {
    return std::unexpected(ctx.error(ErrorCode::InvalidInput, list, "missing or not a list"));
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    YAML::Node entry = entries[i];
    if (!entry.IsMap()) {
      continue;
    }
    YAML::Node entryName = entry["name"];
    if (entryName.IsDefined() && entryName.IsScalar() && entryName.Scalar() == name) {
      *field = std::string(list) + "[" + std::to_string(i) + "]." + inner;
      YAML::Node body = entry[inner];
      if (!body.IsDefined() || !body.IsMap()) {
        return std::unexpected(ctx.error(ErrorCode::InvalidInput, *field, "missing or not a map"));
      }
      return body;
    }
  }
  return std::unexpected(ctx.error(ErrorCode::NotFound, list, "no entry named '" + name + "'"));
}

std::string resolvePath(const std::string& path, const std::string& kubeconfigFile) {
  if (path.empty() || path.front() == '/') {
    return path;
  }
  return (std::filesystem::path(kubeconfigFile).parent_path() / path).string();
}

// "<field>-data" (base64) wins over "<field>" (a file path), as in kubectl.
Result<std::string> pemFromDataOrFile(const YAML::Node& map, const std::string& dataKey,
                                      const std::string& fileKey, const std::string& field,
                                      const Ctx& ctx) {
  auto data = scalar(map, dataKey.c_str(), field, ctx);
  if (!data) {
    return data;
  }
  if (!data->empty()) {
    auto decoded = decodeBase64(*data);
    if (!decoded) {
      return std::unexpected(
          ctx.error(ErrorCode::InvalidInput, field + "." + dataKey, decoded.error().message));
    }
    return decoded;
  }
  auto file = scalar(map, fileKey.c_str(), field, ctx);
  if (!file || file->empty()) {
    return file;
  }
  auto content = readFile(resolvePath(*file, ctx.file));
  if (!content) {
    return std::unexpected(
        ctx.error(content.error().code, field + "." + fileKey, content.error().message));
  }
  return content;
}

Result<ClusterConfig> parseRoot(const YAML::Node& root, const Ctx& ctx,
                                const std::string& contextOverride) {
  if (!root.IsMap()) {
    return std::unexpected(ctx.error(ErrorCode::InvalidInput, "(document)", "not a YAML map"));
  }
  std::string contextName = contextOverride;
  if (contextName.empty()) {
    auto current = scalar(root, "current-context", "", ctx);
    if (!current) {
      return std::unexpected(current.error());
    }
    if (current->empty()) {
      return std::unexpected(
          ctx.error(ErrorCode::InvalidInput, "current-context", "not set and no context given"));
    }
    contextName = *current;
  }
  std::string field;
  auto context = namedEntry(root, "contexts", "context", contextName, ctx, &field);
  if (!context) {
    return std::unexpected(context.error());
  }
  auto clusterName = scalar(*context, "cluster", field, ctx);
  auto userName = scalar(*context, "user", field, ctx);
  if (!clusterName) {
    return std::unexpected(clusterName.error());
  }
  if (!userName) {
    return std::unexpected(userName.error());
  }
  if (clusterName->empty()) {
    return std::unexpected(ctx.error(ErrorCode::InvalidInput, field + ".cluster", "missing"));
  }

  ClusterConfig config;
  config.origin = "kubeconfig " + ctx.file + " (context " + contextName + ")";
  auto cluster = namedEntry(root, "clusters", "cluster", *clusterName, ctx, &field);
  if (!cluster) {
    return std::unexpected(cluster.error());
  }
  auto server = scalar(*cluster, "server", field, ctx);
  if (!server) {
    return std::unexpected(server.error());
  }
  auto hostPort = parseServerUrl(*server);
  if (!hostPort) {
    return std::unexpected(
        ctx.error(ErrorCode::InvalidInput, field + ".server", hostPort.error().message));
  }
  config.host = hostPort->first;
  config.port = hostPort->second;
  auto ca = pemFromDataOrFile(*cluster, "certificate-authority-data", "certificate-authority",
                              field, ctx);
  if (!ca) {
    return std::unexpected(ca.error());
  }
  config.caPem = std::move(*ca);
  YAML::Node insecure = (*cluster)["insecure-skip-tls-verify"];
  if (insecure.IsDefined() && !insecure.IsNull()) {
    bool value = false;
    if (!insecure.IsScalar() || !YAML::convert<bool>::decode(insecure, value)) {
      return std::unexpected(ctx.error(ErrorCode::InvalidInput, field + ".insecure-skip-tls-verify",
                                       "expected a boolean"));
    }
    config.insecureSkipTlsVerify = value;
  }

  if (userName->empty()) {
    return config;  // anonymous
  }
  auto user = namedEntry(root, "users", "user", *userName, ctx, &field);
  if (!user) {
    return std::unexpected(user.error());
  }
  auto cert = pemFromDataOrFile(*user, "client-certificate-data", "client-certificate", field, ctx);
  if (!cert) {
    return std::unexpected(cert.error());
  }
  auto key = pemFromDataOrFile(*user, "client-key-data", "client-key", field, ctx);
  if (!key) {
    return std::unexpected(key.error());
  }
  if (cert->empty() != key->empty()) {
    return std::unexpected(ctx.error(ErrorCode::InvalidInput, field,
                                     "client certificate and key must be given together"));
  }
  config.clientCertPem = std::move(*cert);
  config.clientKeyPem = std::move(*key);
  auto token = scalar(*user, "token", field, ctx);
  if (!token) {
    return std::unexpected(token.error());
  }
  config.bearerToken = std::move(*token);
  auto tokenFile = scalar(*user, "tokenFile", field, ctx);
  if (!tokenFile) {
    return std::unexpected(tokenFile.error());
  }
  config.tokenFile = resolvePath(*tokenFile, ctx.file);
  if (!config.tokenFile.empty()) {
    auto probe = readFile(config.tokenFile);
    if (!probe) {
      return std::unexpected(
          ctx.error(probe.error().code, field + ".tokenFile", probe.error().message));
    }
  }
  for (const char* unsupported : {"exec", "auth-provider"}) {
    if ((*user)[unsupported].IsDefined() && config.bearerToken.empty() &&
        config.tokenFile.empty() && config.clientCertPem.empty()) {
      return std::unexpected(ctx.error(ErrorCode::InvalidInput, field + "." + unsupported,
                                       "credential plugins are not supported; use a token or a "
                                       "client certificate"));
    }
  }
  return config;
}

}  // namespace

EnvLookup processEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) {
      return std::nullopt;
    }
    return std::string(value);
  };
}

Result<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    int err = errno;
    ErrorCode code = err == EACCES ? ErrorCode::PermissionDenied : ErrorCode::NotFound;
    return fail(code, "cannot read " + path + ": " + std::strerror(err));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Result<std::string> decodeBase64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '+') {
      return 62;
    }
    if (c == '/') {
      return 63;
    }
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : text) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      continue;
    }
    if (c == '=') {
      padding = true;
      continue;
    }
    int v = value(c);
    if (v < 0 || padding) {
      return fail(ErrorCode::InvalidInput, "not valid base64");
    }
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  if (bits >= 6) {
    return fail(ErrorCode::InvalidInput, "not valid base64 (truncated)");
  }
  return out;
}

Result<std::pair<std::string, std::string>> parseServerUrl(std::string_view url) {
  constexpr std::string_view kScheme = "https://";
  if (!url.starts_with(kScheme)) {
    return fail(ErrorCode::InvalidInput,
                "server URL must start with https:// (got '" + std::string(url) + "')");
  }
  std::string_view rest = url.substr(kScheme.size());
  while (rest.ends_with('/')) {
    rest.remove_suffix(1);
  }
  if (rest.find('/') != std::string_view::npos) {
    return fail(ErrorCode::InvalidInput, "server URL with a path is not supported");
  }
  std::string host;
  std::string port = "443";
  if (rest.starts_with('[')) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) {
      return fail(ErrorCode::InvalidInput, "unterminated [ in server URL");
    }
    host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) {
        return fail(ErrorCode::InvalidInput, "garbage after ] in server URL");
      }
      port = std::string(rest.substr(1));
    }
  } else {
    size_t colon = rest.rfind(':');
    host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = std::string(rest.substr(colon + 1));
    }
  }
  if (host.empty()) {
    return fail(ErrorCode::InvalidInput, "server URL has no host");
  }
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos) {
    return fail(ErrorCode::InvalidInput, "server URL has an invalid port '" + port + "'");
  }
  return std::pair{host, port};
}

Result<ClusterConfig> parseKubeconfig(std::string_view yaml, const std::string& fileName,
                                      const std::string& context) {
  Ctx ctx{fileName};
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    return parseRoot(root, ctx, context);
  } catch (const YAML::Exception& e) {
    return std::unexpected(
        ctx.error(ErrorCode::InvalidInput, "(document)", std::string("YAML error: ") + e.what()));
  }
}

Result<ClusterConfig> loadKubeconfig(const std::string& path, const std::string& context) {
  auto text = readFile(path);
  if (!text) {
    return fail(text.error().code, "kubeconfig: " + text.error().message);
  }
  return parseKubeconfig(*text, path, context);
}

Result<ClusterConfig> inClusterConfig(const EnvLookup& env, const std::string& serviceAccountDir) {
  auto host = env("KUBERNETES_SERVICE_HOST");
  auto port = env("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) {
    return fail(ErrorCode::Unavailable,
                "in-cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set");
  }
  ClusterConfig config;
  config.origin = "in-cluster";
  config.host = *host;
  config.port = *port;
  auto ca = readFile(serviceAccountDir + "/ca.crt");
  if (!ca) {
    return fail(ca.error().code, "in-cluster: " + ca.error().message);
  }
  config.caPem = std::move(*ca);
  config.tokenFile = serviceAccountDir + "/token";
  auto token = readFile(config.tokenFile);
  if (!token) {
    return fail(token.error().code, "in-cluster: " + token.error().message);
  }
  return config;
}

Result<ClusterConfig> resolveConfig(const std::optional<std::string>& kubeconfigFlag,
                                    const EnvLookup& env, const std::string& context) {
  if (kubeconfigFlag && !kubeconfigFlag->empty()) {
    return loadKubeconfig(*kubeconfigFlag, context);
  }
  if (auto list = env("KUBECONFIG"); list && !list->empty()) {
    std::string_view rest = *list;
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      std::string entry(rest.substr(0, colon));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
      if (!entry.empty() && std::filesystem::exists(entry)) {
        return loadKubeconfig(entry, context);
      }
    }
    return fail(ErrorCode::NotFound, "KUBECONFIG=" + *list + ": no listed file exists");
  }
  if (auto host = env("KUBERNETES_SERVICE_HOST"); host && !host->empty()) {
    return inClusterConfig(env);
  }
  auto home = env("HOME");
  if (!home || home->empty()) {
    return fail(ErrorCode::NotFound,
                "no --kubeconfig, KUBECONFIG, in-cluster environment or $HOME/.kube/config");
  }
  return loadKubeconfig(*home + "/.kube/config", context);
}

}  // namespace egressdiag::kube
