// arpProbe against the real kernel: three scratch namespaces on a bridge in a fourth one. The
// kernel answers ARP for its own addresses, which stands in for spidernet's user-space
// responder; two namespaces holding the same address are two hosts claiming it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

#include "node-probe/datapath/reader.h"
#include "tests/support/testenv.h"

namespace egressdiag::datapath {
namespace {

using egressdiag::testing::runCommand;

class ArpProbeKernel : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    prefix_ = "eda-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-";
    for (const char* n : {"br", "a", "b", "c"}) {
      ASSERT_EQ(runCommand({"ip", "netns", "add", prefix_ + n}).exitCode, 0);
      created_.push_back(prefix_ + n);
    }
    const std::string br = prefix_ + "br";
    std::vector<std::vector<std::string>> setup = {
        {"ip", "-n", br, "link", "add", "br0", "type", "bridge"},
        {"ip", "-n", br, "link", "set", "br0", "up"},
    };
    const std::vector<std::pair<std::string, std::vector<std::string>>> hosts = {
        {"a", {"10.88.0.1/24"}},
        {"b", {"10.88.0.2/24", "10.88.0.50/32", "10.88.0.60/32"}},
        {"c", {"10.88.0.3/24", "10.88.0.60/32"}}};
    for (const auto& [n, addrs] : hosts) {
      const std::string ns = prefix_ + n;
      setup.push_back({"ip", "-n", br, "link", "add", "p-" + n, "type", "veth", "peer", "name",
                       "eth0", "netns", ns});
      setup.push_back({"ip", "-n", br, "link", "set", "p-" + n, "master", "br0", "up"});
      for (const std::string& a : addrs) {
        setup.push_back({"ip", "-n", ns, "addr", "add", a, "dev", "eth0"});
      }
      setup.push_back({"ip", "-n", ns, "link", "set", "eth0", "up"});
    }
    for (const auto& argv : setup) {
      const auto r = runCommand(argv);
      ASSERT_EQ(r.exitCode, 0) << argv[3] << ": " << r.err;
    }
  }

  void TearDown() override {
    for (const std::string& ns : created_) {
      EXPECT_EQ(runCommand({"ip", "netns", "del", ns}).exitCode, 0) << ns;
    }
  }

  std::string macOf(const std::string& n) {
    ReadOptions opts;
    opts.ipsets = opts.iptables = opts.sysctls = opts.wireguard = false;
    auto snap = KernelDatapathReader().readNetns(NetnsRef::named(prefix_ + n), opts);
    if (!snap || !snap->links) {
      return "";
    }
    for (const Link& l : *snap->links) {
      if (l.name == "eth0") {
        return l.mac;
      }
    }
    return "";
  }

  Result<ArpProbeResult> probe(const std::string& ip, int ms = 600) {
    return KernelDatapathReader().arpProbe(NetnsRef::named(prefix_ + "a"), ip,
                                           std::chrono::milliseconds(ms));
  }

  std::string prefix_;
  std::vector<std::string> created_;
};

TEST_F(ArpProbeKernel, OneHostAnswers) {
  const auto r = probe("10.88.0.50");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->ifname, "eth0");
  EXPECT_EQ(r->senderIp, "10.88.0.1");
  EXPECT_EQ(r->target, "10.88.0.50");
  ASSERT_FALSE(macOf("b").empty());
  EXPECT_EQ(r->replyMacs, std::vector<std::string>{macOf("b")});
  EXPECT_EQ(r->requests, 1);  // answered before the second request was due
  EXPECT_TRUE(r->firstReplySeconds.has_value());
}

TEST_F(ArpProbeKernel, TwoHostsClaimingTheAddressAreBothReported) {
  const auto r = probe("10.88.0.60");
  ASSERT_TRUE(r) << r.error().message;
  std::vector<std::string> macs = r->replyMacs;
  std::ranges::sort(macs);
  std::vector<std::string> want = {macOf("b"), macOf("c")};
  std::ranges::sort(want);
  EXPECT_EQ(macs, want);
}

TEST_F(ArpProbeKernel, SilenceIsAResultWithoutReplies) {
  const auto r = probe("10.88.0.99", 450);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->replyMacs.empty());
  EXPECT_EQ(r->requests, 3);
  EXPECT_FALSE(r->firstReplySeconds.has_value());
}

TEST_F(ArpProbeKernel, AddressOffTheSegmentOrMalformed) {
  const auto off = probe("192.0.2.1");
  ASSERT_FALSE(off);
  EXPECT_EQ(off.error().code, ErrorCode::NotFound) << off.error().message;
  const auto bad = probe("10.88.0.x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidInput);
}

// Without CAP_NET_RAW the packet socket is refused and the error names the capability.
TEST_F(ArpProbeKernel, WithoutNetRawPermissionDenied) {
  const auto r = runCommand({"ip", "netns", "exec", prefix_ + "a", "setpriv", "--inh-caps=-all",
                             "--bounding-set=-net_raw", EDT_CAP_PROBE, "arp", "10.88.0.50"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_TRUE(r.out.starts_with("arp PermissionDenied")) << r.out;
  EXPECT_NE(r.out.find("CAP_NET_RAW"), std::string::npos) << r.out;
  const auto ok =
      runCommand({"ip", "netns", "exec", prefix_ + "a", EDT_CAP_PROBE, "arp", "10.88.0.50"});
  EXPECT_EQ(ok.out, "arp ok\n") << ok.err;
}

}  // namespace
}  // namespace egressdiag::datapath
