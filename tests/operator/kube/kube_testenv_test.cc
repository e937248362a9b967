// The client against the real control plane shared by TESTENV tests (hack/testenv).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "operator/kube/discovery.h"
#include "operator/kube/events.h"
#include "operator/kube/informer.h"
#include "operator/kube/leader_election.h"
#include "operator/kube/typed.h"
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

const ResourceRef kServiceAccounts{"", "v1", "serviceaccounts", true};

class KubeTestenvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto loaded = loadTestEnv(&why);
    ASSERT_TRUE(loaded) << why;
    env_ = *loaded;
    client_ = adminClient(env_);
    ASSERT_NE(client_, nullptr);
    ns_ = uniqueName("kube-test");
    createNamespace(*client_, ns_);
  }

  TestEnv env_;
  std::unique_ptr<Client> client_;
  std::string ns_;
};

// A small typed model for the generic machinery: what operator/model plugs in.
struct Cm {
  std::string name;
  std::string value;
};
Result<Cm> decodeCm(const rapidjson::Value& v) {
  auto id = readIdentity(v);
  if (!id) {
    return std::unexpected(id.error());
  }
  return Cm{id->name, dataValue(v)};
}

TEST_F(KubeTestenvTest, ListWatchSeesEveryChangeOfAThousandObjects) {
  constexpr int kObjects = 1000;
  ReflectorOptions options;
  options.resource = resources::configMaps();
  options.ns = ns_;
  options.labelSelector = testing::kTestSelector;
  options.minWatchTimeoutSeconds =
      5;  // several server-side watch ends (and resumes) during the run
  Informer<Cm> informer(*client_, options, decodeCm);
  std::mutex mutex;
  std::map<std::string, std::vector<std::string>> seen;
  std::atomic<int> total{0};
  auto record = [&](const std::string& name, std::string what) {
    std::lock_guard lock(mutex);
    seen[name].push_back(std::move(what));
    ++total;
  };
  informer.addHandlers({
      [&](const ObjectPtr<Cm>& cm) { record(cm->name, "add:" + cm->value); },
      [&](const ObjectPtr<Cm>&, const ObjectPtr<Cm>& cm) {
        record(cm->name, "update:" + cm->value);
      },
      [&](const ObjectPtr<Cm>& cm) { record(cm->name, "delete"); },
  });
  informer.start();
  ASSERT_TRUE(informer.waitForSync(30s));

  // Each phase runs on 4 threads; the phases are sequential so each object sees
  // create -> update -> delete in that order.
  auto parallel = [&](const std::function<void(int)>& work) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < kObjects; i += 4) {
          work(i);
        }
      });
    }
    for (auto& thread : threads) {
      thread.join();
    }
  };
  std::atomic<int> failures{0};
  parallel([&](int i) {
    if (!client_->create(resources::configMaps(), ns_,
                         configMapJson("cm-" + std::to_string(i), "0"))) {
      ++failures;
    }
  });
  parallel([&](int i) {
    if (!client_->patch(resources::configMaps(), ns_, "cm-" + std::to_string(i), PatchType::Merge,
                        R"({"data":{"v":"1"}})")) {
      ++failures;
    }
  });
  parallel([&](int i) {
    if (!client_->remove(resources::configMaps(), ns_, "cm-" + std::to_string(i))) {
      ++failures;
    }
  });
  ASSERT_EQ(failures.load(), 0);
  EXPECT_TRUE(eventually([&] { return total.load() >= 3 * kObjects; }, 120s)) << total.load();
  std::this_thread::sleep_for(500ms);  // anything extra (a duplicate) would arrive now
  informer.stop();

  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kObjects));
  const std::vector<std::string> want = {"add:0", "update:1", "delete"};
  int wrong = 0;
  for (const auto& [name, events] : seen) {
    if (events != want && ++wrong <= 5) {
      ADD_FAILURE() << name << ": " << ::testing::PrintToString(events);
    }
  }
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(total.load(), 3 * kObjects);
  EXPECT_TRUE(informer.list().empty());
  EXPECT_GE(informer.stats().lists.load(), 1u);
}

TEST_F(KubeTestenvTest, StaleUpdateGetsConflictAndCrudErrorsAreTyped) {
  auto created = client_->create(resources::configMaps(), ns_, configMapJson("c", "0"));
  ASSERT_TRUE(created) << created.error().describe();
  auto id = readIdentity(*created);
  ASSERT_TRUE(id);
  auto first = client_->update(resources::configMaps(), ns_, "c",
                               configMapJson("c", "1", id->resourceVersion));
  ASSERT_TRUE(first) << first.error().describe();
  auto stale = client_->update(resources::configMaps(), ns_, "c",
                               configMapJson("c", "2", id->resourceVersion));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().reason, ApiReason::Conflict);
  EXPECT_EQ(stale.error().httpStatus, 409);
  EXPECT_NE(stale.error().message.find("the object has been modified"), std::string::npos)
      << stale.error().message;
  EXPECT_EQ(stale.error().toError().code, ErrorCode::Conflict);

  auto again = client_->create(resources::configMaps(), ns_, configMapJson("c", "0"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().reason, ApiReason::AlreadyExists);

  auto missing = client_->get(resources::configMaps(), ns_, "nope");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason, ApiReason::NotFound);
  EXPECT_NE(missing.error().message.find("\"nope\" not found"), std::string::npos);

  auto invalid = client_->create(resources::configMaps(), ns_, configMapJson("Bad_Name", "0"));
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().reason, ApiReason::Invalid);

  auto preconditioned = client_->remove(resources::configMaps(), ns_, "c", {id->resourceVersion});
  ASSERT_FALSE(preconditioned);
  EXPECT_EQ(preconditioned.error().reason, ApiReason::Conflict);

  // Typed access: the decoder's verdict becomes Malformed, success gives the value.
  auto typed = getAs<Cm>(*client_, resources::configMaps(), ns_, "c", decodeCm);
  ASSERT_TRUE(typed) << typed.error().describe();
  EXPECT_EQ(typed->value, "1");
  Decoder<Cm> refuse = [](const rapidjson::Value&) -> Result<Cm> {
    return fail(ErrorCode::InvalidInput, "spec.x: expected a string");
  };
  auto refused = getAs<Cm>(*client_, resources::configMaps(), ns_, "c", refuse);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, ApiReason::Malformed);
  EXPECT_NE(refused.error().message.find("spec.x"), std::string::npos);
  ASSERT_TRUE(client_->remove(resources::configMaps(), ns_, "c"));
}

TEST_F(KubeTestenvTest, PagingAndSelectors) {
  for (int i = 0; i < 25; ++i) {
    std::string json = R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"p-)" +
                       std::to_string(i) + R"(","labels":{"parity":")" + (i % 2 ? "odd" : "even") +
                       R"("}}})";
    ASSERT_TRUE(client_->create(resources::configMaps(), ns_, json));
  }
  ListOptions options;
  options.labelSelector = "parity";
  options.limit = 10;
  int pages = 0;
  size_t items = 0;
  while (true) {
    auto page = client_->listPage(resources::configMaps(), ns_, options);
    ASSERT_TRUE(page) << page.error().describe();
    ++pages;
    items += page->items().Size();
    if (page->continueToken.empty()) {
      EXPECT_FALSE(page->resourceVersion.empty());
      break;
    }
    options.continueToken = page->continueToken;
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(items, 25u);

  auto odd =
      listAs<Cm>(*client_, resources::configMaps(), ns_, {"parity=odd", "", 4, "", ""}, decodeCm);
  ASSERT_TRUE(odd) << odd.error().describe();
  EXPECT_EQ(odd->size(), 12u);
  auto one = listAs<Cm>(*client_, resources::configMaps(), ns_,
                        {"", "metadata.name=p-7", 0, "", ""}, decodeCm);
  ASSERT_TRUE(one) << one.error().describe();
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ(one->front().name, "p-7");
  auto badSelector = client_->listPage(resources::configMaps(), ns_, {"a in (", "", 0, "", ""});
  ASSERT_FALSE(badSelector);
  EXPECT_EQ(badSelector.error().reason, ApiReason::BadRequest);
}

TEST_F(KubeTestenvTest, ForbiddenAndUnauthorizedCarryTheServerMessage) {
  ASSERT_TRUE(client_->create(
      kServiceAccounts, ns_,
      R"({"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"limited"}})"));
  auto token =
      client_->request({"POST", objectPath(kServiceAccounts, ns_, "limited", "token"),
                        R"({"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest",)"
                        R"("spec":{"expirationSeconds":600}})",
                        "application/json"});
  ASSERT_TRUE(token) << token.error().describe();
  auto doc = parseJsonBody(*token, "TokenRequest");
  ASSERT_TRUE(doc);
  auto status = doc->FindMember("status");
  ASSERT_TRUE(status != doc->MemberEnd() && status->value.IsObject());
  auto tokenValue = status->value.FindMember("token");
  ASSERT_TRUE(tokenValue != status->value.MemberEnd() && tokenValue->value.IsString());

  auto config = loadKubeconfig(env_.kubeconfig);
  ASSERT_TRUE(config);
  config->clientCertPem.clear();
  config->clientKeyPem.clear();
  config->bearerToken = tokenValue->value.GetString();
  auto limited = Client::create(*config);
  ASSERT_TRUE(limited);
  auto denied = (*limited)->listPage(resources::configMaps(), "kube-system", {});
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().reason, ApiReason::Forbidden);
  EXPECT_EQ(denied.error().httpStatus, 403);
  EXPECT_NE(denied.error().message.find("system:serviceaccount:" + ns_ + ":limited"),
            std::string::npos)
      << denied.error().message;
  EXPECT_NE(denied.error().message.find("cannot list resource \"configmaps\""), std::string::npos)
      << denied.error().message;
  EXPECT_EQ(denied.error().toError().code, ErrorCode::PermissionDenied);

  config->bearerToken = "not-a-token";
  auto bogus = Client::create(*config);
  ASSERT_TRUE(bogus);
  auto unauthorized = (*bogus)->get(resources::namespaces(), "", "default");
  ASSERT_FALSE(unauthorized);
  EXPECT_EQ(unauthorized.error().reason, ApiReason::Unauthorized);
}

TEST_F(KubeTestenvTest, KubeconfigWithTheWrongCaIsRefused) {
  auto dir = std::filesystem::temp_directory_path() / uniqueName("kube-wrong-ca");
  std::filesystem::create_directories(dir);
  auto made = runCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                          "-subj", "/CN=not-the-cluster-ca", "-keyout", (dir / "k.pem").string(),
                          "-out", (dir / "ca.pem").string()});
  ASSERT_EQ(made.exitCode, 0) << made.err;
  auto writeConfig = [&](const std::string& caFile) {
    std::ofstream(dir / "config") << "apiVersion: v1\nkind: Config\ncurrent-context: t\n"
                                  << "clusters:\n- name: t\n  cluster:\n    server: " << env_.server
                                  << "\n    certificate-authority: " << caFile << "\n"
                                  << "contexts:\n- name: t\n  context: {cluster: t, user: u}\n"
                                  << "users:\n- name: u\n  user: {token: whatever}\n";
    return (dir / "config").string();
  };
  auto wrong = loadKubeconfig(writeConfig("ca.pem"));
  ASSERT_TRUE(wrong) << wrong.error().message;
  auto client = Client::create(*wrong);
  ASSERT_TRUE(client);
  auto refused = (*client)->get(resources::namespaces(), "", "default");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().reason, ApiReason::Transport);
  EXPECT_NE(refused.error().message.find("certificate verify failed"), std::string::npos)
      << refused.error().message;

  // Same file with the right CA: TLS succeeds and the server itself answers (401 for the token).
  auto right = loadKubeconfig(writeConfig(env_.caFile));
  ASSERT_TRUE(right);
  auto good = Client::create(*right);
  ASSERT_TRUE(good);
  auto answered = (*good)->get(resources::namespaces(), "", "default");
  ASSERT_FALSE(answered);
  EXPECT_EQ(answered.error().reason, ApiReason::Unauthorized);
  std::filesystem::remove_all(dir);
}

TEST_F(KubeTestenvTest, LeaderElectionHasOneLeaderAndHandsOver) {
  constexpr auto kLease = 4s;
  constexpr auto kRetry = 300ms;
  auto makeConfig = [&](const std::string& identity, bool release) {
    LeaderElectionConfig config;
    config.ns = ns_;
    config.name = "lock";
    config.identity = identity;
    config.leaseDuration = kLease;
    config.renewDeadline = 2500ms;
    config.retryPeriod = kRetry;
    config.releaseOnStop = release;
    return config;
  };
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  LeaderCallbacks callbacks{[&] { ++started; }, [&] { ++stopped; }, nullptr};
  auto clientB = adminClient(env_);
  LeaderElector a(*client_, makeConfig("contender-a", false), callbacks);
  LeaderElector b(*clientB, makeConfig("contender-b", false), callbacks);
  auto ta = std::make_unique<std::jthread>([&](std::stop_token s) { a.run(s); });
  auto tb = std::make_unique<std::jthread>([&](std::stop_token s) { b.run(s); });
  ASSERT_TRUE(eventually([&] { return a.isLeader() || b.isLeader(); }, 20s));
  for (int i = 0; i < 30; ++i) {  // 3 s of renewals: always exactly one leader
    ASSERT_NE(a.isLeader(), b.isLeader()) << "sample " << i;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(started.load(), 1);
  bool aLeads = a.isLeader();
  LeaderElector& follower = aLeads ? b : a;
  // The leader stops renewing without releasing (as if it hung or lost the network).
  (aLeads ? ta : tb).reset();
  auto stoppedAt = std::chrono::steady_clock::now();
  EXPECT_EQ(stopped.load(), 1);
  ASSERT_TRUE(eventually([&] { return follower.isLeader(); }, kLease + 5s));
  auto takeover = std::chrono::steady_clock::now() - stoppedAt;
  EXPECT_GE(takeover, kLease - 2 * kRetry) << "took the lease before it expired";
  EXPECT_LE(takeover, kLease + 3 * kRetry + 1s);
  EXPECT_EQ(started.load(), 2);

  // Clean shutdown releases the lease: a new contender takes over well before it would expire.
  (aLeads ? tb : ta).reset();
  LeaderElector c(*client_, makeConfig("contender-c", true), callbacks);
  auto tc = std::make_unique<std::jthread>([&](std::stop_token s) { c.run(s); });
  ASSERT_TRUE(eventually([&] { return c.isLeader(); }, kLease + 5s));
  tc.reset();
  LeaderElector d(*clientB, makeConfig("contender-d", true), callbacks);
  auto releasedAt = std::chrono::steady_clock::now();
  auto td = std::make_unique<std::jthread>([&](std::stop_token s) { d.run(s); });
  ASSERT_TRUE(eventually([&] { return d.isLeader(); }, kLease + 5s));
  EXPECT_LT(std::chrono::steady_clock::now() - releasedAt, kLease - 1s);
  td.reset();
}

TEST_F(KubeTestenvTest, LateCrdIsDiscoveredAndPatchedOnMainAndStatus) {
  std::string group = "k" + std::to_string(::getpid()) + ".kubetest.egressdiag.io";
  ResourceRef widgets{group, "v1", "widgets", true};
  std::vector<std::pair<std::string, bool>> changes;
  ApiAvailabilityWatcher watcher(
      *client_, {widgets}, 200ms,
      [&](const ResourceRef& r, bool available) { changes.emplace_back(r.plural, available); });
  EXPECT_EQ(watcher.checkOnce(), 0u);
  EXPECT_FALSE(watcher.available(widgets));

  std::string crd =
      R"({"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition",)"
      R"("metadata":{"name":"widgets.)" +
      group + R"("},"spec":{"group":")" + group +
      R"(","scope":"Namespaced","names":{"plural":"widgets","singular":"widget",)"
      R"("kind":"Widget","listKind":"WidgetList"},"versions":[{"name":"v1","served":true,)"
      R"("storage":true,"subresources":{"status":{}},"schema":{"openAPIV3Schema":{"type":)"
      R"("object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":)"
      R"(true},"status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}})";
  ASSERT_TRUE(client_->create(resources::customResourceDefinitions(), "", crd));
  ASSERT_TRUE(eventually([&] { return watcher.checkOnce() > 0; }, 30s));
  EXPECT_TRUE(watcher.available(widgets));
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_TRUE(changes[0].second);

  // Start watching the new group without any restart.
  ReflectorOptions options;
  options.resource = widgets;
  options.ns = ns_;
  Informer<JsonDocument> informer(*client_, options, rawDecoder);
  std::atomic<int> updates{0};
  informer.addHandlers({nullptr, [&](auto&, auto&) { ++updates; }, nullptr});
  informer.start();
  ASSERT_TRUE(informer.waitForSync(20s));

  std::string widget = R"({"apiVersion":")" + group +
                       R"(/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":1}})";
  ASSERT_TRUE(eventually([&] { return client_->create(widgets, ns_, widget).has_value(); }, 20s));
  auto merged = client_->patch(widgets, ns_, "w1", PatchType::Merge, R"({"spec":{"color":"red"}})");
  ASSERT_TRUE(merged) << merged.error().describe();
  auto applied = client_->patch(
      widgets, ns_, "w1", PatchType::Apply,
      R"({"apiVersion":")" + group +
          R"(/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"shape":"round"}})",
      {"", "egressdiag-test", false});
  ASSERT_TRUE(applied) << applied.error().describe();
  auto status = client_->patch(widgets, ns_, "w1", PatchType::Merge,
                               R"({"status":{"healthy":"Unknown"}})", {"status", "", false});
  ASSERT_TRUE(status) << status.error().describe();
  auto statusApply = client_->patch(
      widgets, ns_, "w1", PatchType::Apply,
      R"({"apiVersion":")" + group +
          R"(/v1","kind":"Widget","metadata":{"name":"w1"},"status":{"reason":"Probing"}})",
      {"status", "egressdiag-test", true});
  ASSERT_TRUE(statusApply) << statusApply.error().describe();
  // Status written through the main resource is ignored by the server (subresource semantics).
  auto ignored =
      client_->patch(widgets, ns_, "w1", PatchType::Merge, R"({"status":{"healthy":"True"}})");
  ASSERT_TRUE(ignored);
  auto got = client_->get(widgets, ns_, "w1");
  ASSERT_TRUE(got);
  std::string json = toJson(*got);
  for (const char* want : {R"("color":"red")", R"("shape":"round")", R"("healthy":"Unknown")",
                           R"("reason":"Probing")", R"("manager":"egressdiag-test")"}) {
    EXPECT_NE(json.find(want), std::string::npos) << want << " in " << json;
  }
  auto noManager = client_->patch(widgets, ns_, "w1", PatchType::Apply, "{}");
  ASSERT_FALSE(noManager);
  EXPECT_TRUE(eventually([&] { return updates.load() >= 4; }, 20s)) << updates.load();
  auto cached = informer.get(ns_ + "/w1");
  ASSERT_NE(cached, nullptr);
  EXPECT_NE(toJson(*cached).find("Probing"), std::string::npos);
  informer.stop();

  ASSERT_TRUE(client_->remove(resources::customResourceDefinitions(), "", "widgets." + group));
  ASSERT_TRUE(eventually([&] { return watcher.checkOnce() > 0; }, 60s));
  EXPECT_FALSE(watcher.available(widgets));
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_FALSE(changes[1].second);
}

TEST_F(KubeTestenvTest, EventsAreRecorded) {
  auto cm = client_->create(resources::configMaps(), ns_, configMapJson("subject", "0"));
  ASSERT_TRUE(cm);
  auto id = readIdentity(*cm);
  ASSERT_TRUE(id);
  EventRecorder recorder(*client_, "egressdiag.io/kube-test", "test-instance");
  EventSpec spec{{"v1", "ConfigMap", ns_, "subject", id->uid},
                 "Warning",
                 "IPRuleMissing",
                 "Diagnose",
                 "ip rule for mark 0x26000000 is missing on node-1"};
  auto recorded = recorder.record(spec);
  ASSERT_TRUE(recorded) << recorded.error().describe();
  auto events = client_->listPage(resources::events(), ns_, {});
  ASSERT_TRUE(events);
  ASSERT_EQ(events->items().Size(), 1u);
  std::string json = toJson(events->items()[0]);
  for (const char* want : {R"("reason":"IPRuleMissing")", R"("type":"Warning")",
                           R"("reportingController":"egressdiag.io/kube-test")"}) {
    EXPECT_NE(json.find(want), std::string::npos) << json;
  }
  spec.type = "Sideways";
  auto invalid = recorder.record(spec);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().reason, ApiReason::Invalid);
}

}  // namespace
}  // namespace egressdiag::kube
