#include "node-probe/datapath/wireguard_parser.h"

#include <gtest/gtest.h>

namespace egressdiag::datapath {
namespace {

// A key pair produced by `wg genkey | tee priv | wg pubkey` (wireguard-tools as the oracle).
constexpr std::string_view kPrivateHex =
    "70952b633d581da390c58d765e1cc131242f100a11656aa27af5628db2655669";
constexpr std::string_view kPrivateB64 = "cJUrYz1YHaOQxY12XhzBMSQvEAoRZWqievVijbJlVmk=";
constexpr std::string_view kPublicB64 = "CTK+baSezj1KkYWVBZprkqI1YaGuQ17gJDdiH1pQgXQ=";
constexpr std::string_view kPeerHex =
    "c53b3ea1c9565496c9e7cd6cec75696e0a090567052c2ce1893b28d191fafa17";
constexpr std::string_view kPeerB64 = "xTs+oclWVJbJ581s7HVpbgoJBWcFLCzhiTso0ZH6+hc=";

TEST(WireguardKeys, HexToBase64AndPublicKey) {
  auto priv = hexKeyToBase64(kPrivateHex);
  ASSERT_TRUE(priv);
  EXPECT_EQ(*priv, kPrivateB64);
  EXPECT_EQ(hexKeyToBase64(kPeerHex).value_or(""), kPeerB64);
  EXPECT_FALSE(hexKeyToBase64("abc"));
  EXPECT_FALSE(hexKeyToBase64(std::string(64, 'g')));
  EXPECT_EQ(base64Encode("f"), "Zg==");
  EXPECT_EQ(base64Encode("fo"), "Zm8=");
  EXPECT_EQ(base64Encode("foo"), "Zm9v");
  EXPECT_FALSE(publicKeyFromPrivate("short"));
}

TEST(WireguardUapi, GetReply) {
  const std::string reply =
      "private_key=" + std::string(kPrivateHex) +
      "\n"
      "listen_port=6000\n"
      "fwmark=0\n"
      "public_key=" +
      std::string(kPeerHex) +
      "\n"
      "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
      "protocol_version=1\n"
      "endpoint=10.243.4.4:56959\n"
      "last_handshake_time_sec=1763800000\n"
      "last_handshake_time_nsec=5\n"
      "tx_bytes=4598\n"
      "rx_bytes=3891\n"
      "persistent_keepalive_interval=0\n"
      "allowed_ip=10.244.0.20/32\n"
      "allowed_ip=fd00::20/128\n"
      "errno=0\n"
      "\n";
  auto dev = parseWgUapi(reply, "wg-6000");
  ASSERT_TRUE(dev) << dev.error().message;
  EXPECT_EQ(dev->name, "wg-6000");
  EXPECT_EQ(dev->source, WireguardSource::Uapi);
  EXPECT_EQ(dev->publicKey, kPublicB64);
  EXPECT_EQ(dev->listenPort, 6000);
  ASSERT_EQ(dev->peers.size(), 1u);
  const auto& p = dev->peers[0];
  EXPECT_EQ(p.publicKey, kPeerB64);
  EXPECT_EQ(p.endpoint, "10.243.4.4:56959");
  EXPECT_EQ(p.lastHandshakeSec, 1763800000);
  EXPECT_EQ(p.rxBytes, 3891u);
  EXPECT_EQ(p.txBytes, 4598u);
  EXPECT_EQ(p.allowedIps, (std::vector<std::string>{"10.244.0.20/32", "fd00::20/128"}));
}

TEST(WireguardUapi, Rejects) {
  struct Case {
    std::string text;
    ErrorCode code;
    const char* part;
  };
  const std::vector<Case> cases = {
      {"errno=19\n\n", ErrorCode::Unavailable, "errno 19"},
      {"endpoint=1.2.3.4:5\n\n", ErrorCode::InvalidInput, "before public_key"},
      {"listen_port=99999\n\n", ErrorCode::InvalidInput, "bad listen_port"},
      {"private_key=zz\n\n", ErrorCode::InvalidInput, "64 hex"},
      {"garbage\n\n", ErrorCode::InvalidInput, "line 1: expected key=value"},
      {"=x\n\n", ErrorCode::InvalidInput, "expected key=value"},
      {"what=1\n\n", ErrorCode::InvalidInput, "unknown key what"},
  };
  for (const auto& c : cases) {
    auto dev = parseWgUapi(c.text, "wg0");
    ASSERT_FALSE(dev) << c.text;
    EXPECT_EQ(dev.error().code, c.code) << c.text;
    EXPECT_NE(dev.error().message.find(c.part), std::string::npos) << dev.error().message;
  }
}

TEST(WgShow, SeedPodAndGatewayOutput) {
  // Seed 001: pod netns `wg` then gateway netns `wg` (verbatim, annotations included).
  constexpr std::string_view kText = R"(interface: wg0
  public key: ********** # should be same as the one in PodEndpoint CR
  private key: (hidden)
  listening port: 56959 # random
peer: ********** # gateway side wireguard public key
  endpoint: 10.243.0.6:6000 # <ilb frontend IP>:<LB rule port>
  allowed ips: 0.0.0.0/0, ::/0
  latest handshake: 1 hour, 1 minute, 8 seconds ago # wireguard connectivity is GOOD!
  transfer: 4.37 KiB received, 4.99 KiB sent
interface: wg-6000
  public key: CTK+baSezj1KkYWVBZprkqI1YaGuQ17gJDdiH1pQgXQ=
  private key: (hidden)
  listening port: 6000
  fwmark: 0x1770

peer: xTs+oclWVJbJ581s7HVpbgoJBWcFLCzhiTso0ZH6+hc=
  endpoint: 10.243.4.4:56959 
  allowed ips: 10.244.0.20/32 # pod's IP
  latest handshake: 9 minutes, 2 seconds ago # wireguard connectivity is GOOD!
  transfer: 3.80 KiB received, 4.49 KiB sent
  persistent keepalive: every 25 seconds
)";
  constexpr std::int64_t kNow = 1763800000;
  auto devs = parseWgShow(kText, kNow);
  ASSERT_TRUE(devs) << devs.error().message;
  ASSERT_EQ(devs->size(), 2u);
  const auto& pod = (*devs)[0];
  EXPECT_EQ(pod.name, "wg0");
  EXPECT_EQ(pod.publicKey, "**********");
  EXPECT_EQ(pod.listenPort, 56959);
  ASSERT_EQ(pod.peers.size(), 1u);
  EXPECT_EQ(pod.peers[0].endpoint, "10.243.0.6:6000");
  EXPECT_EQ(pod.peers[0].allowedIps, (std::vector<std::string>{"0.0.0.0/0", "::/0"}));
  EXPECT_EQ(pod.peers[0].lastHandshakeSec, kNow - 3668);
  EXPECT_EQ(pod.peers[0].rxBytes, 4475u);  // 4.37 KiB, rounded
  EXPECT_EQ(pod.peers[0].txBytes, 5110u);
  const auto& gw = (*devs)[1];
  EXPECT_EQ(gw.name, "wg-6000");
  EXPECT_EQ(gw.publicKey, kPublicB64);
  EXPECT_EQ(gw.fwmark, 0x1770u);
  ASSERT_EQ(gw.peers.size(), 1u);
  EXPECT_EQ(gw.peers[0].publicKey, kPeerB64);
  EXPECT_EQ(gw.peers[0].allowedIps, std::vector<std::string>{"10.244.0.20/32"});
  EXPECT_EQ(gw.peers[0].lastHandshakeSec, kNow - 542);
  EXPECT_EQ(gw.peers[0].persistentKeepalive, 25);
}

TEST(WgShow, NoHandshakeAndRejects) {
  auto devs =
      parseWgShow("interface: wg0\n  listening port: 6000\npeer: k\n  allowed ips: (none)\n", 100);
  ASSERT_TRUE(devs);
  EXPECT_EQ(devs->at(0).peers.at(0).lastHandshakeSec, 0);
  EXPECT_TRUE(devs->at(0).peers.at(0).allowedIps.empty());

  const std::vector<std::pair<std::string_view, const char*>> bad = {
      {"  listening port: 1\n", "line 1: field outside an interface block"},
      {"interface: wg0\n  listening port: x\n", "bad listening port"},
      {"interface: wg0\npeer: k\n  latest handshake: soon\n", "bad latest handshake"},
      {"interface: wg0\npeer: k\n  transfer: 1 XB received, 2 B sent\n", "bad transfer size"},
      {"interface: wg0\n  colour: blue\n", "unknown interface field colour"},
      {"interface: wg0\nno colon here\n", "expected 'field: value'"},
  };
  for (const auto& [text, part] : bad) {
    auto r = parseWgShow(text, 0);
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().message.find(part), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace egressdiag::datapath
