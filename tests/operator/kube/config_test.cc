#include "operator/kube/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace egressdiag::kube {
namespace {

// "hello" / "key" in base64.
constexpr const char* kCaB64 = "aGVsbG8=";

std::string kubeconfig(const std::string& clusterExtra, const std::string& userBody,
                       const std::string& server = "https://127.0.0.1:6443") {
  return "apiVersion: v1\nkind: Config\ncurrent-context: c1\n"
         "contexts:\n- name: c1\n  context: {cluster: k1, user: u1}\n"
         "- name: c2\n  context: {cluster: k1, user: ''}\n"
         "clusters:\n- name: k1\n  cluster:\n    server: " +
         server + "\n" + clusterExtra + "users:\n- name: u1\n  user:\n" + userBody;
}

class TempDir {
 public:
  TempDir() {
    path_ =
        std::filesystem::temp_directory_path() / ("kube-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream(path_ / name) << content;
    return (path_ / name).string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

TEST(ConfigTest, ParsesKubeconfigVariants) {
  TempDir dir;
  dir.write("ca.crt", "CA-FROM-FILE");
  dir.write("token", "tok-from-file\n");
  struct Case {
    const char* name;
    std::string yaml;
    std::string context;
    bool ok;
    std::string check;  // "field=value" or error substring
  };
  const std::vector<Case> cases = {
      {"ca data + token",
       kubeconfig(std::string("    certificate-authority-data: ") + kCaB64 + "\n",
                  "    token: abc\n"),
       "", true, "ca=hello token=abc"},
      {"ca file relative to the kubeconfig",
       kubeconfig("    certificate-authority: ca.crt\n", "    token: abc\n"), "", true,
       "ca=CA-FROM-FILE"},
      {"client cert and key data",
       kubeconfig("", "    client-certificate-data: Y2VydA==\n    client-key-data: a2V5\n"), "",
       true, "cert=cert key=key"},
      {"token file", kubeconfig("", "    tokenFile: token\n"), "", true, "tokenFile"},
      {"context override, anonymous", kubeconfig("", "    token: abc\n"), "c2", true, "token="},
      {"insecure flag honoured",
       kubeconfig("    insecure-skip-tls-verify: true\n", "    token: a\n"), "", true, "insecure"},
      {"ipv6 server", kubeconfig("", "    token: a\n", "https://[::1]:8443"), "", true,
       "host=::1 port=8443"},
      {"default port", kubeconfig("", "    token: a\n", "https://k8s.example"), "", true,
       "host=k8s.example port=443"},
      {"bad base64", kubeconfig("    certificate-authority-data: '@@@'\n", "    token: a\n"), "",
       false, "clusters[0].cluster.certificate-authority-data: not valid base64"},
      {"missing ca file", kubeconfig("    certificate-authority: nope.crt\n", "    token: a\n"), "",
       false, "clusters[0].cluster.certificate-authority: cannot read"},
      {"http server", kubeconfig("", "    token: a\n", "http://127.0.0.1:8080"), "", false,
       "clusters[0].cluster.server: server URL must start with https://"},
      {"unknown context", kubeconfig("", "    token: a\n"), "nope", false,
       "contexts: no entry named 'nope'"},
      {"cert without key", kubeconfig("", "    client-certificate-data: Y2VydA==\n"), "", false,
       "users[0].user: client certificate and key must be given together"},
      {"insecure not bool", kubeconfig("    insecure-skip-tls-verify: maybe\n", "    token: a\n"),
       "", false, "insecure-skip-tls-verify: expected a boolean"},
      {"token is a map", kubeconfig("", "    token: {a: b}\n"), "", false,
       "users[0].user.token: expected a string"},
      {"exec plugin", kubeconfig("", "    exec: {command: aws}\n"), "", false,
       "credential plugins are not supported"},
      {"not yaml", "a: [", "", false, "YAML error"},
      {"no current context", "apiVersion: v1\nclusters: []\n", "", false,
       "current-context: not set"},
      {"clusters not a list",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: k, user: u}\nclusters: 5\n",
       "", false, "clusters: missing or not a list"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::string file = dir.write("config", c.yaml);
    auto config = parseKubeconfig(c.yaml, file, c.context);
    ASSERT_EQ(config.has_value(), c.ok) << (config ? "" : config.error().message);
    if (!c.ok) {
      EXPECT_NE(config.error().message.find(c.check), std::string::npos) << config.error().message;
      EXPECT_NE(config.error().message.find(file), std::string::npos) << "error names the file";
      continue;
    }
    std::map<std::string, std::string> fields = {
        {"ca", config->caPem},           {"token", config->bearerToken},
        {"cert", config->clientCertPem}, {"key", config->clientKeyPem},
        {"host", config->host},          {"port", config->port}};
    std::string check = c.check;
    if (check == "tokenFile") {
      EXPECT_EQ(config->tokenFile, dir.path() + "/token");
      continue;
    }
    if (check == "insecure") {
      EXPECT_TRUE(config->insecureSkipTlsVerify);
      continue;
    }
    size_t pos = 0;
    while (pos < check.size()) {
      size_t space = check.find(' ', pos);
      std::string pair =
          check.substr(pos, space == std::string::npos ? std::string::npos : space - pos);
      size_t eq = pair.find('=');
      EXPECT_EQ(fields[pair.substr(0, eq)], pair.substr(eq + 1)) << pair;
      pos = space == std::string::npos ? check.size() : space + 1;
    }
  }
}

TEST(ConfigTest, InClusterAndResolutionOrder) {
  TempDir dir;
  dir.write("ca.crt", "SA-CA");
  dir.write("token", "sa-token");
  std::string kc = dir.write("kc", kubeconfig("", "    token: from-kubeconfig\n"));
  std::map<std::string, std::string> vars;
  EnvLookup env = [&vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional(it->second);
  };

  EXPECT_EQ(inClusterConfig(env, dir.path()).error().code, ErrorCode::Unavailable);
  vars = {{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}};
  auto in = inClusterConfig(env, dir.path());
  ASSERT_TRUE(in) << in.error().message;
  EXPECT_EQ(in->host, "10.0.0.1");
  EXPECT_EQ(in->caPem, "SA-CA");
  EXPECT_EQ(in->tokenFile, dir.path() + "/token");
  EXPECT_TRUE(in->bearerToken.empty()) << "the token is re-read from the file, not cached";
  auto missing = inClusterConfig(env, dir.path() + "/nope");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("/nope/ca.crt"), std::string::npos);

  // Flag beats KUBECONFIG beats in-cluster beats ~/.kube/config.
  vars["KUBECONFIG"] = "/does/not/exist:" + kc;
  auto viaEnv = resolveConfig(std::nullopt, env);
  ASSERT_TRUE(viaEnv) << viaEnv.error().message;
  EXPECT_EQ(viaEnv->bearerToken, "from-kubeconfig");
  auto viaFlag = resolveConfig(std::string("/no/such/kubeconfig"), env);
  ASSERT_FALSE(viaFlag);
  EXPECT_NE(viaFlag.error().message.find("/no/such/kubeconfig"), std::string::npos);
  vars.erase("KUBECONFIG");
  vars["HOME"] = dir.path();
  // In-cluster wins over ~/.kube/config when the service env is set (SA dir absent here).
  auto inCluster = resolveConfig(std::nullopt, env);
  ASSERT_FALSE(inCluster);
  EXPECT_NE(inCluster.error().message.find("in-cluster"), std::string::npos);
  vars.erase("KUBERNETES_SERVICE_HOST");
  auto home = resolveConfig(std::nullopt, env);
  ASSERT_FALSE(home);
  EXPECT_NE(home.error().message.find(dir.path() + "/.kube/config"), std::string::npos);
}

TEST(ConfigTest, Base64) {
  const std::vector<std::tuple<std::string, bool, std::string>> cases = {
      {"", true, ""},
      {"aGVsbG8=", true, "hello"},
      {"aGVsbG8", true, "hello"},
      {"aGVs\nbG8=", true, "hello"},
      {"YQ==", true, "a"},
      {"Y", false, ""},
      {"a*b=", false, ""},
      {"YQ==YQ", false, ""},
  };
  for (const auto& [in, ok, out] : cases) {
    auto decoded = decodeBase64(in);
    ASSERT_EQ(decoded.has_value(), ok) << in;
    if (ok) {
      EXPECT_EQ(*decoded, out) << in;
    }
  }
}

}  // namespace
}  // namespace egressdiag::kube
