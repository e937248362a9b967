// Watch resumption across a kube-apiserver restart and a forced 410, on a control plane of its
// own (the shared one must not be restarted under other tests).
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "operator/kube/informer.h"
#include "tests/operator/kube/kube_test_support.h"

namespace egressdiag::kube {
namespace {

using namespace std::chrono_literals;
using egressdiag::testing::loadTestEnv;
using egressdiag::testing::runCommand;
using egressdiag::testing::TestEnv;
using testing::adminClient;
using testing::configMapJson;
using testing::createNamespace;
using testing::dataValue;
using testing::eventually;
using testing::uniqueName;

const std::string kHack = std::string(EGRESSDIAG_SOURCE_DIR) + "/hack/testenv";

class OwnPlane : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::temp_directory_path() / uniqueName("kube-restart-plane")).string();
    auto up = runCommand({kHack + "/up.sh", "--state-dir", dir_});
    ASSERT_EQ(up.exitCode, 0) << up.err;
    ::setenv("EGRESSDIAG_TESTENV_DIR", dir_.c_str(), 1);
    std::string why;
    auto env = loadTestEnv(&why);
    ASSERT_TRUE(env) << why;
    env_ = *env;
  }
  void TearDown() override {
    if (!dir_.empty()) {
      runCommand({kHack + "/down.sh", "--state-dir", dir_});
    }
  }

  int apiserverPid() const {
    std::ifstream in(dir_ + "/kube-apiserver.pid");
    int pid = 0;
    in >> pid;
    return pid;
  }

  // A process reparented to a non-reaping init stays a zombie: that counts as dead.
  static bool alive(int pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) {
      return false;
    }
    auto close = line.rfind(')');
    return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
  }

  // SIGTERM the apiserver (by its recorded PID) and wait until it is gone.
  void killApiserver() {
    int pid = apiserverPid();
    ASSERT_GT(pid, 1);
    ASSERT_EQ(::kill(pid, SIGTERM), 0);
    if (!eventually([&] { return !alive(pid); }, 30s)) {
      ::kill(pid, SIGKILL);
      ASSERT_TRUE(eventually([&] { return !alive(pid); }, 10s));
    }
  }

  // Starts kube-apiserver again from DIR/kube-apiserver.cmd (same etcd, same certs) and records
  // its PID where down.sh looks for it.
  void startApiserver() {
    auto started =
        runCommand({"bash", "-c",
                    "cd " + dir_ +
                        " && eval \"setsid $(cat kube-apiserver.cmd) >>kube-apiserver.log 2>&1 "
                        "</dev/null &\"; echo $! >kube-apiserver.pid"});
    ASSERT_EQ(started.exitCode, 0) << started.err;
    auto ready = [&] {
      return runCommand({"curl", "-fsS", "--cacert", env_.caFile, env_.server + "/readyz"})
                 .exitCode == 0;
    };
    ASSERT_TRUE(eventually(ready, 120s)) << "apiserver did not come back";
  }

  // etcd v3 JSON gateway (etcd 3.4: /v3/...): current revision, a write outside /registry, and
  // a physical compaction.
  int64_t etcdRevision() {
    auto out = etcd("/v3/kv/range", R"({"key":"AA=="})");  // key "\0": any answer has a header
    auto pos = out.find("\"revision\":\"");
    EXPECT_NE(pos, std::string::npos) << out;
    return pos == std::string::npos ? 0 : std::stoll(out.substr(pos + 12));
  }
  std::string etcd(const std::string& path, const std::string& body) {
    auto result =
        runCommand({"curl", "-fsS", "-X", "POST", "-d", body, env_.vars.at("TESTENV_ETCD") + path});
    EXPECT_EQ(result.exitCode, 0) << path << ": " << result.err;
    return result.out;
  }

  std::string dir_;
  TestEnv env_;
};

TEST_F(OwnPlane, WatchResumesAcrossApiserverRestartAndRelistsOnCompaction) {
  auto client = adminClient(env_);
  ASSERT_NE(client, nullptr);
  std::string ns = uniqueName("restart");
  createNamespace(*client, ns);

  ReflectorOptions options;
  options.resource = resources::configMaps();
  options.ns = ns;
  options.labelSelector = testing::kTestSelector;
  options.backoff = {200ms, 2000ms, 2.0, 0.2};
  Informer<JsonDocument> informer(*client, options, rawDecoder);
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> seen;
  auto record = [&](const JsonDocument& cm, const std::string& what) {
    auto id = readIdentity(cm);
    std::lock_guard lock(mutex);
    seen[id ? id->name : "?"].push_back(what + dataValue(cm));
  };
  informer.addHandlers({
      [&](const ObjectPtr<JsonDocument>& cm) { record(*cm, "add:"); },
      [&](const ObjectPtr<JsonDocument>&, const ObjectPtr<JsonDocument>& cm) {
        record(*cm, "update:");
      },
      [&](const ObjectPtr<JsonDocument>& cm) { record(*cm, "delete:"); },
  });
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  auto write = [&](int from, int to, const std::string& value) {
    for (int i = from; i < to; ++i) {
      std::string name = "cm-" + std::to_string(i);
      std::optional<ApiError> error;
      if (value == "del") {
        if (auto r = client->remove(resources::configMaps(), ns, name); !r) {
          error = r.error();
        }
      } else if (value == "0") {
        if (auto r = client->create(resources::configMaps(), ns, configMapJson(name, value)); !r) {
          error = r.error();
        }
      } else if (auto r = client->patch(resources::configMaps(), ns, name, PatchType::Merge,
                                        R"({"data":{"v":")" + value + "\"}}");
                 !r) {
        error = r.error();
      }
      ASSERT_FALSE(error) << name << " " << value << ": " << error->describe();
    }
  };
  auto count = [&] {
    std::lock_guard lock(mutex);
    size_t n = 0;
    for (const auto& [name, events] : seen) {
      n += events.size();
    }
    return n;
  };

  // Phase 1: 100 creates observed by the running watch.
  write(0, 100, "0");
  ASSERT_TRUE(eventually([&] { return count() == 100; }, 60s)) << count();

  // Phase 2: restart kube-apiserver mid-watch; etcd keeps the data.
  killApiserver();
  startApiserver();
  write(0, 100, "1");
  write(100, 150, "0");
  ASSERT_TRUE(eventually([&] { return count() == 250; }, 90s)) << count();
  auto listsAfterRestart = informer.stats().lists.load();

  // Phase 3: apiserver down, etcd revision moved on and compacted past the resourceVersion the
  // watch resumes from: the server answers 410 and the informer relists.
  killApiserver();
  etcd("/v3/kv/put",
       R"({"key":"L2VncmVzc2RpYWctdGVzdC9idW1w","value":"MQ=="})");  // /egressdiag-test/bump
  int64_t revision = etcdRevision();
  ASSERT_GT(revision, 0);
  etcd("/v3/kv/compaction",
       R"({"revision":")" + std::to_string(revision) + R"(","physical":true})");
  startApiserver();
  ASSERT_TRUE(eventually([&] { return informer.stats().relistsOnGone.load() >= 1; }, 90s))
      << "lists=" << informer.stats().lists.load()
      << " watches=" << informer.stats().watches.load();
  EXPECT_GT(informer.stats().lists.load(), listsAfterRestart);
  write(100, 150, "1");
  write(0, 150, "del");
  ASSERT_TRUE(eventually([&] { return count() == 450; }, 90s)) << count();
  std::this_thread::sleep_for(500ms);
  informer.stop();

  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 150u);
  const std::vector<std::string> want = {"add:0", "update:1", "delete:1"};
  int wrong = 0;
  for (const auto& [name, events] : seen) {
    if (events != want && ++wrong <= 5) {
      ADD_FAILURE() << name << ": " << ::testing::PrintToString(events);
    }
  }
  EXPECT_EQ(wrong, 0);
  EXPECT_TRUE(informer.list().empty());
}

}  // namespace
}  // namespace egressdiag::kube
