// The test control plane itself (issue: foundation): it is up, serves TLS that clients must
// verify, runs RBAC, mints ServiceAccount tokens through TokenRequest, runs the optional
// controller-manager, and up.sh/down.sh manage exactly their own processes.
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/testenv.h"

namespace egressdiag::testing {
namespace {

using ::testing::HasSubstr;

class TestEnvTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string why;
    auto loaded = loadTestEnv(&why);
    ASSERT_TRUE(loaded.has_value()) << why;
    env_ = *loaded;
  }

  // curl against the apiserver; returns {http code, body}.
  std::pair<int, std::string> curl(const std::vector<std::string>& extra,
                                   const std::string& path) {
    std::vector<std::string> argv = {"curl", "-sS", "--max-time", "20", "-o", "-", "-w",
                                     "\n%{http_code}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(env_.server + path);
    auto r = runCommand(argv);
    auto nl = r.out.rfind('\n');
    if (r.exitCode != 0 || nl == std::string::npos) {
      return {-r.exitCode, r.err};
    }
    return {std::atoi(r.out.c_str() + nl + 1), r.out.substr(0, nl)};
  }

  std::vector<std::string> adminCert() const {
    return {"--cacert", env_.caFile, "--cert", env_.vars.at("TESTENV_ADMIN_CERT"), "--key",
            env_.vars.at("TESTENV_ADMIN_KEY")};
  }

  TestEnv env_;
};

TEST_F(TestEnvTest, ReadyzAndVersion) {
  auto [code, body] = curl({"--cacert", env_.caFile}, "/readyz");
  EXPECT_EQ(code, 200) << body;
  EXPECT_EQ(body, "ok");
  auto [vcode, version] = curl(adminCert(), "/version");
  EXPECT_EQ(vcode, 200) << version;
  // The build sets the version ldflags; without them /version says v0.0.0-master.
  EXPECT_THAT(version, HasSubstr("\"gitVersion\": \"" + env_.vars.at("TESTENV_VERSION") + "\""));
}

TEST_F(TestEnvTest, ServingCertificateMustBeVerified) {
  // No CA given: curl uses the system store, which does not trust our generated CA.
  auto r = runCommand({"curl", "-sS", "--max-time", "10", env_.server + "/readyz"});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_THAT(r.err, HasSubstr("certificate"));
}

TEST_F(TestEnvTest, AnonymousCannotListNamespaces) {
  auto [code, body] = curl({"--cacert", env_.caFile}, "/api/v1/namespaces");
  EXPECT_EQ(code, 403) << body;
}

// A ServiceAccount token minted by TokenRequest gets exactly what its Role grants: list and get
// ConfigMaps in its namespace. Everything else (create, Secrets, another namespace) is
// forbidden, asserted through the API with the server's own Status message.
TEST_F(TestEnvTest, TokenRequestTokenIsBoundByRbac) {
  const std::string ns = "testenv-rbac";
  std::string manifest = R"(
apiVersion: v1
kind: Namespace
metadata: {name: testenv-rbac}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: reader, namespace: testenv-rbac}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: cm-reader, namespace: testenv-rbac}
rules:
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: cm-reader, namespace: testenv-rbac}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-reader}
subjects:
- {kind: ServiceAccount, name: reader, namespace: testenv-rbac}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: visible, namespace: testenv-rbac}
data: {k: v}
)";
  auto applied = kubectl(env_, {"apply", "-f", "-"}, manifest);
  ASSERT_EQ(applied.exitCode, 0) << applied.err;

  // TokenRequest through the raw API, as the client library will do it.
  auto tokenReq = kubectl(env_,
                          {"create", "--raw",
                           "/api/v1/namespaces/" + ns + "/serviceaccounts/reader/token", "-f",
                           "-"},
                          R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",)"
                          R"("spec":{"expirationSeconds":600}})");
  ASSERT_EQ(tokenReq.exitCode, 0) << tokenReq.err;
  auto pos = tokenReq.out.find("\"token\":\"");
  ASSERT_NE(pos, std::string::npos) << tokenReq.out;
  pos += 9;
  std::string token = tokenReq.out.substr(pos, tokenReq.out.find('"', pos) - pos);
  ASSERT_GT(token.size(), 100u);

  const std::vector<std::string> bearer = {"--cacert", env_.caFile, "-H",
                                           "Authorization: Bearer " + token};
  // RBAC caches are eventually consistent for a moment after the binding is created.
  int listCode = 0;
  std::string listBody;
  for (int i = 0; i < 50 && listCode != 200; ++i) {
    std::tie(listCode, listBody) = curl(bearer, "/api/v1/namespaces/" + ns + "/configmaps");
    if (listCode != 200) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_EQ(listCode, 200) << listBody;
  EXPECT_THAT(listBody, HasSubstr("\"visible\""));
  auto [getCode, getBody] = curl(bearer, "/api/v1/namespaces/" + ns + "/configmaps/visible");
  EXPECT_EQ(getCode, 200) << getBody;

  auto [secCode, secBody] = curl(bearer, "/api/v1/namespaces/" + ns + "/secrets");
  EXPECT_EQ(secCode, 403) << secBody;
  EXPECT_THAT(secBody, HasSubstr("system:serviceaccount:testenv-rbac:reader"));
  EXPECT_THAT(secBody, HasSubstr("cannot list resource \\\"secrets\\\""));

  auto [otherCode, otherBody] = curl(bearer, "/api/v1/namespaces/default/configmaps");
  EXPECT_EQ(otherCode, 403) << otherBody;

  std::vector<std::string> post = bearer;
  post.insert(post.end(), {"-X", "POST", "-H", "Content-Type: application/json", "-d",
                           R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}})"});
  auto [createCode, createBody] = curl(post, "/api/v1/namespaces/" + ns + "/configmaps");
  EXPECT_EQ(createCode, 403) << createBody;
  EXPECT_THAT(createBody, HasSubstr("cannot create resource \\\"configmaps\\\""));

  // A forged token is not a token at all.
  auto [badCode, badBody] = curl({"--cacert", env_.caFile, "-H", "Authorization: Bearer x" + token},
                                 "/api/v1/namespaces/" + ns + "/configmaps");
  EXPECT_EQ(badCode, 401) << badBody;
}

// The fixture runs kube-controller-manager: a deleted namespace goes away instead of hanging in
// Terminating (the namespace controller is what finishes it).
TEST_F(TestEnvTest, ControllerManagerFinishesNamespaceDeletion) {
  ASSERT_FALSE(env_.vars["TESTENV_KCM_PID"].empty()) << "fixture started without --with-controller-manager";
  auto created = kubectl(env_, {"create", "namespace", "testenv-doomed"});
  ASSERT_EQ(created.exitCode, 0) << created.err;
  auto cm = kubectl(env_, {"-n", "testenv-doomed", "create", "configmap", "c", "--from-literal=a=b"});
  ASSERT_EQ(cm.exitCode, 0) << cm.err;
  auto del = kubectl(env_, {"delete", "namespace", "testenv-doomed", "--wait=true", "--timeout=90s"});
  EXPECT_EQ(del.exitCode, 0) << del.err;
  auto get = kubectl(env_, {"get", "namespace", "testenv-doomed"});
  EXPECT_NE(get.exitCode, 0);
  EXPECT_THAT(get.err, HasSubstr("NotFound"));
}

// up.sh starts its own processes on free ports and down.sh stops exactly those PIDs and removes
// the state dir. Uses a second, private control plane so the shared one is untouched.
TEST(TestEnvLifecycle, UpThenDownStopsExactlyItsProcesses) {
  auto dir = std::filesystem::temp_directory_path() /
             ("egressdiag-testenv-lifecycle-" + std::to_string(getpid()));
  std::string hack = sourceDir() + "/hack/testenv/";
  auto up = runCommand({hack + "up.sh", "--state-dir", dir.string()});
  ASSERT_EQ(up.exitCode, 0) << up.err;
  ::setenv("EGRESSDIAG_TESTENV_DIR", dir.c_str(), 1);
  auto env = loadTestEnv();
  ASSERT_TRUE(env.has_value());
  pid_t api = std::atoi(env->vars["TESTENV_APISERVER_PID"].c_str());
  pid_t etcd = std::atoi(env->vars["TESTENV_ETCD_PID"].c_str());
  ASSERT_GT(api, 0);
  ASSERT_GT(etcd, 0);
  EXPECT_EQ(kill(api, 0), 0);
  EXPECT_EQ(kill(etcd, 0), 0);
  auto ns = kubectl(*env, {"get", "namespace", "default", "-o", "name"});
  EXPECT_EQ(ns.out, "namespace/default\n") << ns.err;

  auto down = runCommand({hack + "down.sh", "--state-dir", dir.string()});
  EXPECT_EQ(down.exitCode, 0) << down.err;
  // Both were children of up.sh (now reaped by init), so kill(pid, 0) fails once they exit.
  EXPECT_NE(kill(api, 0), 0);
  EXPECT_NE(kill(etcd, 0), 0);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

} // namespace
} // namespace egressdiag::testing
