#pragma once

// Active checks as pure judgements: the shell (cli/) performs the request or ping inside the
// right namespace with a timeout and hands the outcome here. A probe that could not run
// (no netns, no echo URL, no ping binary, EPERM) is Unknown, never Fail.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "node-probe/checks/azure_expect.h"
#include "node-probe/checks/spidernet_expect.h"
#include "node-probe/datapath/snapshot.h"
#include "operator/catalog/finding.h"

namespace egressdiag::checks {

// One E2E-SOURCE-IP probe: from `pod`'s netns to the echo URL.
struct SourceIpProbe {
  std::string target;    // policy / SGC
  std::string pod;       // "<ns>/<name>"
  std::string podIp;     // finds the pod's netns
  std::string expected;  // an IP, a CIDR, or comma-separated IPs (Azure private prefix)
  std::string notReady;  // why no expected IP is known; the probe is then not run
};

// Probes for spidernet: one pod per policy among the policy's endpoints on this node.
// Expected = status.eip.ipv4, or the EIP node's InternalIP for useNodeIP.
std::vector<SourceIpProbe> sourceIpProbes(const model::ObjectSet& objects,
                                          const spidernet::Expectation& e);
// Probes for Azure: one pod per SGC among the annotated pods on this node; expected =
// status.egressIpPrefix.
std::vector<SourceIpProbe> sourceIpProbes(const model::ObjectSet& objects,
                                          const azure::Expectation& e);

// The first IPv4 address in an echo body (plain "1.2.3.4\n", or JSON such as
// {"client-ip":"1.2.3.4"}); nullopt when there is none.
std::optional<std::string> reportedSourceIp(std::string_view body);

// Judges one probe. `echoUrl` empty -> Unknown EchoUrlNotSet; Timeout -> Fail EchoTimeout (the
// request ran, no answer came); other errors (no netns, EPERM, refused) -> Unknown with the
// error; non-2xx -> Unknown (the echo server, not egress, failed); IP outside expected -> Fail
// naming the observed IP.
catalog::Finding judgeSourceIp(const SourceIpProbe& probe, std::string_view echoUrl,
                               const Result<datapath::HttpProbeResult>& outcome);

// Outcome of pinging one peer tunnel IP over egress.vxlan.
struct PingOutcome {
  int sent = 0;
  int received = 0;
  std::optional<double> rttSeconds;  // average RTT when any reply came
  std::string summary;               // the ping statistics lines (evidence)
};

// Parses iputils ping output ("3 packets transmitted, 3 received", "rtt min/avg/max/mdev =
// 0.04/0.05/0.06/0.01 ms"). InvalidInput when the statistics line is missing.
Result<PingOutcome> parsePingOutput(std::string_view text);

// SPN-TUNNEL-PING over all peers: Pass when every peer answered (RTTs in the message), Fail
// naming the silent peers, Unknown when any ping could not run. Skipped without peers.
catalog::Finding judgeTunnelPing(
    const spidernet::Expectation& e,
    const std::vector<std::pair<std::string, Result<PingOutcome>>>& outcomes);

// SPN-EIP-ARP for one policy: from a node other than its EIP node, ARP for the EIP must be
// answered by the EIP node (spidernet answers from user space; no interface carries the EIP).
// `ownerIp` is the EIP node's parent IP: its ARP answer is that node's MAC on the segment.
struct EipArpProbe {
  std::string target;
  std::string eip;
  std::string eipNode;
  std::string ownerIp;     // empty when the EIP node has no tunnel with a parent IP
  std::string skipReason;  // set when the probe does not apply (then skipMessage says why)
  std::string skipMessage;
};

// One probe per policy of the expectation, skipped on the EIP node itself, for useNodeIP
// policies (no announcement), for policies without an EIP node or EIP, and for all when ARP
// probing is turned off (`arpEnabled` false: the probe's --arp-probe=false).
std::vector<EipArpProbe> eipArpProbes(const spidernet::Expectation& e, bool arpEnabled = true);

// Judges one policy's probe from the ARP outcome for its EIP and, when known, for its EIP node's
// parent IP (nullptr when there is none to ask). Skipped when the EIP is not on any of this
// node's segments (NotFound); Unknown when the probe could not run; Fail when nothing answers or
// several hosts answer, or when the answer is another host than the EIP node; Warn when the
// EIP node's MAC could not be learnt to compare with.
catalog::Finding judgeEipArp(const EipArpProbe& probe, const Result<datapath::ArpProbeResult>& eip,
                             const Result<datapath::ArpProbeResult>* owner);

}  // namespace egressdiag::checks
