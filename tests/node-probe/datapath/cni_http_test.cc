#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "node-probe/datapath/cni_reader.h"
#include "node-probe/datapath/http_probe.h"

namespace egressdiag::datapath {
namespace {

// The conflist cni-manager writes (reference azure.md §2.2: the egress plugin at plugins[1]).
constexpr std::string_view kAzureConflist = R"({
  "cniVersion": "0.3.1",
  "name": "azure",
  "plugins": [
    {"type": "azure-vnet", "mode": "transparent"},
    {"excludedCIDRs": ["169.254.169.254/32", "169.254.10.11/32"],
     "ipam": {"type": "kube-egress-cni-ipam"},
     "socketPath": "localhost:50051",
     "type": "kube-egress-cni"},
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
})";

TEST(CniConfig, ParsesConflistAndConf) {
  auto list = parseCniConfig(kAzureConflist, "01-egressgateway.conflist");
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->file, "01-egressgateway.conflist");
  EXPECT_EQ(list->name, "azure");
  EXPECT_EQ(list->cniVersion, "0.3.1");
  EXPECT_EQ(list->pluginTypes,
            (std::vector<std::string>{"azure-vnet", "kube-egress-cni", "portmap"}));
  auto conf = parseCniConfig(R"({"name":"br","type":"bridge"})", "10-br.conf");
  ASSERT_TRUE(conf);
  EXPECT_EQ(conf->pluginTypes, std::vector<std::string>{"bridge"});
}

TEST(CniConfig, Rejects) {
  const std::vector<std::pair<std::string_view, const char*>> cases = {
      {"{", "invalid JSON"},
      {"[]", "not a JSON object"},
      {R"({"plugins": {}})", "\"plugins\" is not an array"},
      {R"({"plugins": [{"type": 3}]})", "no string \"type\""},
      {R"({"plugins": [7]})", "no string \"type\""},
      {R"({"name": "x"})", "neither \"plugins\" nor \"type\""},
  };
  for (const auto& [text, part] : cases) {
    auto r = parseCniConfig(text, "f.conf");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidInput);
    EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
  }
}

class CniDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("edt-cni-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, std::string_view text) { std::ofstream(dir_ / name) << text; }
  std::filesystem::path dir_;
};

TEST_F(CniDir, SortsAndParsesTheFirstFile) {
  write("10-calico.conflist", R"({"name":"k8s-pod-network","plugins":[{"type":"calico"}]})");
  write("01-egressgateway.conflist", kAzureConflist);
  write("README", "not a config");
  write("99-loopback.conf", R"({"name":"lo","type":"loopback"})");
  auto dir = readCniConfDir(dir_.string());
  ASSERT_TRUE(dir) << dir.error().message;
  EXPECT_EQ(dir->files, (std::vector<std::string>{"01-egressgateway.conflist", "10-calico.conflist",
                                                  "99-loopback.conf"}));
  ASSERT_TRUE(dir->first) << dir->first.error().message;
  EXPECT_EQ(dir->first->file, "01-egressgateway.conflist");
  EXPECT_EQ(dir->first->pluginTypes.at(1), "kube-egress-cni");
}

TEST_F(CniDir, EmptyBrokenAndMissing) {
  auto empty = readCniConfDir(dir_.string());
  ASSERT_TRUE(empty);
  ASSERT_FALSE(empty->first);
  EXPECT_EQ(empty->first.error().code, ErrorCode::NotFound);

  write("00-broken.conflist", "{ nope");
  auto broken = readCniConfDir(dir_.string());
  ASSERT_TRUE(broken);
  ASSERT_FALSE(broken->first);
  EXPECT_EQ(broken->first.error().code, ErrorCode::InvalidInput);

  auto missing = readCniConfDir((dir_ / "absent").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST(HttpUrl, Parses) {
  auto u = parseHttpUrl("http://10.0.0.4:8082/gw/17f83d68-4cab-422d-a3af-ed320a761cee");
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->host, "10.0.0.4");
  EXPECT_EQ(u->port, 8082);
  EXPECT_EQ(u->path, "/gw/17f83d68-4cab-422d-a3af-ed320a761cee");
  auto v6 = parseHttpUrl("http://[fd00::1]:80");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "fd00::1");
  EXPECT_EQ(v6->path, "/");
  auto noPort = parseHttpUrl("http://127.0.0.1/x");
  ASSERT_TRUE(noPort);
  EXPECT_EQ(noPort->port, 80);
  for (const auto* bad : {"https://10.0.0.1/", "http://example.com/", "http://1.2.3.4:0/",
                          "http://1.2.3.4:99999/", "http://[fd00::1/", "http://[fd00::1]x/"}) {
    EXPECT_FALSE(parseHttpUrl(bad)) << bad;
  }
}

TEST(HttpResponse, Parses) {
  auto r = parseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "ok");
  auto e = parseHttpResponse("HTTP/1.0 503 Service Unavailable\r\n\r\n");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->status, 503);
  EXPECT_FALSE(parseHttpResponse(""));
  EXPECT_FALSE(parseHttpResponse("SSH-2.0-OpenSSH\r\n"));
  EXPECT_FALSE(parseHttpResponse("HTTP/1.1 abc\r\n\r\n"));
}

TEST(HttpGet, RefusedIsUnavailable) {
  // A port nothing listens on: the kernel refuses at once on loopback.
  auto r = httpGet("http://127.0.0.1:1/", std::chrono::milliseconds(2000));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Unavailable);
  EXPECT_FALSE(httpGet("http://localhost:80/", std::chrono::milliseconds(100)));
}

}  // namespace
}  // namespace egressdiag::datapath
